import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { migrateBlobs } from '../app/evidence/migrate-store';
import { openDatabase } from '../db/connect';
import { dialectOf } from '../db/dialect';
import { isDatabaseUnreachable } from '../db/unavailable';
import { ContentStore } from '../files/store';
import { openEvidenceStore } from '../runtime/evidence-store';
import { ArgError, parseArgs, optionsOnly } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

const USAGE = `usage: cli evidence migrate --from <evidence folder> [--db <postgres://…>]

Copies every evidence file (and its display and thumbnail copies) from a desktop's evidence
folder into the team's PostgreSQL database, each checked against its sha256 before and after.
Run it again after an interruption: files already in the database, intact, are skipped.
The folder is not changed. --db defaults to DATABASE_URL.`;

/** `evidence migrate --from <folder> --db <url>`: the folder store's bytes into the database's blob store. */
export async function runEvidence(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(`${USAGE}\n`);
    if (sub === undefined) process.exitCode = 2;
    return;
  }
  if (sub !== 'migrate') throw new ArgError(`unknown evidence command "${sub}"; the one there is: evidence migrate (see --help)`);
  const { flags, positional } = parseArgs(rest, { from: 'string', db: 'string', help: 'boolean' });
  optionsOnly(positional);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const from = flags.from as string | undefined;
  if (!from) throw new ArgError('--from <evidence folder> is required (the folder holding objects/ of a desktop)');
  const folder = resolve(from);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new ArgError(`${folder} is not a folder that can be read`);
  const url = (flags.db as string | undefined) ?? databaseUrlFromEnv();
  if (!url || !/^postgres(ql)?:\/\//.test(url))
    throw new ArgError('--db must name the team database (postgres://…); evidence of a SQLite desktop already lives in its folder');
  const db = await openDatabase({ url }).catch((e: unknown) => {
    if (isDatabaseUnreachable(e))
      throw new ArgError(`the database at ${new URL(url).host} cannot be reached; check --db and that the server runs`);
    throw e;
  });
  try {
    if (dialectOf(db) !== 'postgres') throw new ArgError('--db must name a PostgreSQL database');
    const target = openEvidenceStore(db, { databaseUrl: url, dataDir: defaultDataDir() });
    const report = await migrateBlobs(new ContentStore(folder), target, {
      onProgress: (r) => {
        if (r.originals % 100 === 0) process.stderr.write(`[evidence] ${r.originals} files looked at, ${r.copied} copied\n`);
      },
    });
    process.stdout.write(`${JSON.stringify({ from: folder, to: target.location, ...report })}\n`);
    if (report.failed.length) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}
