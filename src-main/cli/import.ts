import { createReadStream, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineTooLong, ndjsonLines } from '../util/ndjson-lines';
import { progressReporter } from './progress';
import { openDatabase } from '../db/connect';
import { openEvidenceStore } from '../runtime/evidence-store';
import { importStream } from '../app/intake/bulk-import';
import { openEvidenceFiles } from '../app/evidence/intake';
import { systemClock } from '../runtime/clock';
import { ensurePolicy } from '../db/repos/policy';
import { parseArgs, ArgError, intFlag } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';
import { heapBound } from '../util/heap-bound';

/**
 * `import <file.ndjson>`: one escalated dispute per line, streamed (memory does not grow
 * with the file). Each refused line goes to stderr as JSON with its line number, field
 * and reason; the summary goes to stdout. Progress goes to stderr: a bar with rate and time left on
 * a terminal, `{"progress":…}` JSON lines otherwise. Exit 0 when the file was read. An evidence entry
 * may carry `"file": "photos/IMG_1.jpg"` (relative to the NDJSON's folder): the file is stored
 * and analysed like an upload, and a bad one refuses its dispute with a problem line.
 */
/**
 * The writer's heap between batches (heap-bound.ts): its live data is ~45 MB; the goal for the
 * whole process is 400 MB. 128 → 96 took ~30 MB off the peak at 20,000 disputes for ~1 % more CPU.
 */
const IMPORT_HEAP_MB = 96;

export async function runImport(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, { db: 'string', 'batch-size': 'string', 'check-workers': 'string' });
  const file = positional[0];
  if (!file) throw new ArgError('usage: cli import <file.ndjson> [--db <url or path>]');
  // A second file would otherwise be ignored without a word.
  if (positional.length > 1)
    throw new ArgError(`import takes one file, not ${positional.length}; run it once per file (or join them: NDJSON files concatenate)`);
  const url = (flags.db as string | undefined) ?? databaseUrlFromEnv() ?? resolve(defaultDataDir(), 'mediation-desk.sqlite');
  // A folder opens like a file and fails only at the first read, after the database was made.
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new ArgError(`${file}: is a folder, not an NDJSON file`);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  await new Promise<void>((ok, ko) => {
    stream.once('open', () => ok());
    stream.once('error', (e) => ko(new ArgError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
  });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(defaultDataDir(), { recursive: true });
  const db = await openDatabase({ url });
  try {
    await ensurePolicy(db, systemClock.now());
    const progress = progressReporter({ totalBytes: statSync(file).size, noun: 'disputes' });
    let bytes = 0;
    async function* lines() {
      for await (const l of ndjsonLines(stream)) {
        bytes = l.bytesRead;
        yield l;
      }
    }
    const started = performance.now();
    const boundHeap = heapBound(IMPORT_HEAP_MB);
    const summary = await importStream(db, lines(), {
      now: systemClock.now(),
      // Bounded: a batch is held in memory whole, and each worker is a thread with its own heap.
      batchSize: intFlag(flags['batch-size'], 'batch-size', 2_000, { min: 1, max: 50_000 }),
      // Lines are parsed, validated and hashed on worker threads by default (0: on this one).
      ...(flags['check-workers'] !== undefined
        ? { checkWorkers: intFlag(flags['check-workers'], 'check-workers', 1, { min: 0, max: 8 }) }
        : {}),
      onProblem: (p) => process.stderr.write(`${JSON.stringify(p)}\n`),
      onProgress: (read) => progress.update({ bytes, items: read }),
      // Between the batches and between the end-of-load scoring's pages (its peak without: 500+ MB at 200,000).
      betweenPages: boundHeap,
      // The load's garbage collected before the scoring starts, its peak being the import's.
      beforeScoring: boundHeap.collectNow,
      // And the scoring's before the score indexes are built after it.
      afterScoring: boundHeap.collectNow,
      // Evidence may name files next to the NDJSON; they go to the database's evidence store (folder or PostgreSQL).
      files: {
        baseDir: dirname(resolve(file)),
        evidence: openEvidenceFiles(openEvidenceStore(db, { databaseUrl: url, dataDir: defaultDataDir() })),
      },
    }).catch((e: unknown) => {
      // The lines before it are imported (their batches committed); the file is not NDJSON from here on.
      throw e instanceof LineTooLong ? new ArgError(`${file}: ${e.message}`) : e;
    });
    progress.finish();
    const { caseIds: _ids, ...counts } = summary;
    process.stdout.write(`${JSON.stringify({ file, ...counts, seconds: Math.round(performance.now() - started) / 1000 })}\n`);
  } finally {
    await db.destroy();
  }
}
