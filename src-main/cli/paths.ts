import { resolve } from 'node:path';

/** Where `npm start` / `npm run serve` keep their data: MEDIATION_DESK_DATA, else ./.data in the project. */
export const defaultDataDir = (): string => resolve(process.env.MEDIATION_DESK_DATA ?? '.data');
export const databaseUrlFromEnv = (): string | undefined => process.env.DATABASE_URL || undefined;
