import type { Migration } from 'kysely';
import * as m0001 from './0001_initial';

/**
 * Static imports (not a folder scan) so tsx, vitest and the Electron bundle all see the
 * same list; a test checks every file in this folder is listed here.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
};
