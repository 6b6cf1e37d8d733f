import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDatabase } from '../db/connect';
import { whileNoSweep } from '../db/server';
import { systemClock } from '../runtime/clock';
import { openEvidenceStore } from '../runtime/evidence-store';
import { seedDemo } from '../demo/seed';
import { openEvidenceFiles } from '../app/evidence/intake';
import { ensurePolicy } from '../db/repos/policy';
import { demoCasesToDemoFeed } from '../demo/marketplace/demo-feed';
import { intFlag, parseArgs, optionsOnly } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

/** `demo [--cases N] [--db url]`: fills a database with the deterministic demo population. */
export async function runDemo(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, { cases: 'string', db: 'string' });
  optionsOnly(positional);
  const cases = intFlag(flags.cases, 'cases', 3_000, { min: 1, max: 2_000_000 });
  mkdirSync(defaultDataDir(), { recursive: true });
  const url = (flags.db as string | undefined) ?? databaseUrlFromEnv() ?? resolve(defaultDataDir(), 'mediation-desk.sqlite');
  const db = await openDatabase({ url });
  try {
    await ensurePolicy(db, systemClock.now());
    // The same evidence store `serve` and the desktop use for this database (PostgreSQL: the database itself).
    const store = openEvidenceStore(db, { databaseUrl: url, dataDir: defaultDataDir() });
    // Desktops already running on a team's database do not sweep while the demo's history is written.
    const result = await whileNoSweep(db, () => seedDemo(db, cases, systemClock.now(), openEvidenceFiles(store)));
    // The demo's parties act through the feed API, with the token written beside the data.
    const feed = await demoCasesToDemoFeed(db, defaultDataDir(), systemClock.now());
    process.stdout.write(
      `${JSON.stringify({ database: url, ...result, feed: { name: feed.name, tokenFile: feed.tokenFile, cases: feed.cases } })}\n`,
    );
  } finally {
    await db.destroy();
  }
}
