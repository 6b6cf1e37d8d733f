import { resolve } from 'node:path';
import { openDatabase } from '../db/connect';
import { collectOrphans } from '../app/evidence/gc';
import { openEvidenceStore } from '../runtime/evidence-store';
import { systemClock } from '../runtime/clock';
import { intFlag, parseArgs, optionsOnly } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

/** `evidence-gc [--dry-run] [--grace-hours N] [--db url]`: removes stored files no row refers to (folder or PostgreSQL store). */
export async function runEvidenceGc(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, { 'dry-run': 'boolean', 'grace-hours': 'string', db: 'string' });
  optionsOnly(positional);
  const graceHours = intFlag(flags['grace-hours'], 'grace-hours', 1);
  const url = (flags.db as string | undefined) ?? databaseUrlFromEnv() ?? resolve(defaultDataDir(), 'mediation-desk.sqlite');
  const db = await openDatabase({ url });
  try {
    // Either store: the evidence folder beside a SQLite file, or the blobs in a PostgreSQL database.
    const store = openEvidenceStore(db, { databaseUrl: url, dataDir: defaultDataDir() });
    const report = await collectOrphans(db, store, {
      now: systemClock.now(),
      graceMs: graceHours * 3_600_000,
      dryRun: flags['dry-run'] === true,
    });
    process.stdout.write(
      `${JSON.stringify({ store: store.kind, location: store.location, dryRun: flags['dry-run'] === true, ...report })}\n`,
    );
  } finally {
    await db.destroy();
  }
}
