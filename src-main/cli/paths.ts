import { readConfig } from '../runtime/config';

/** Where `npm start` / `npm run serve` keep their data: MEDIATION_DESK_DATA, else ./.data in the project. */
export const defaultDataDir = (): string => readConfig().dataDir;
export const databaseUrlFromEnv = (): string | undefined => readConfig().databaseUrl;
