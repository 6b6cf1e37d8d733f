import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, isAbsolute, join, sep } from 'node:path';
import type { Dispute, DisputeWithFiles } from '../../contract/dispute';
import { AppFailure } from '../../contract/errors';
import type { Db } from '../../db/connect';
import { checkpointWal, releasePageCache, withPageCache } from '../../db/dialect';
import { sanitizeFileName } from '../../files/names';
import type { StoreLimits } from '../../files/store';
import { limitsOf, recordEvidenceFiles, takeFile, type EvidenceFiles, type NamedFile } from '../evidence/intake';
import { importDisputes } from './intake';
import { currentPolicy } from '../../db/repos/policy';
import { checkedRecords } from './check-pool';
import { noCheckTimings, type ImportProblem, type ImportRecord } from './check-line';
import { deferIndexesIfEmpty, restoreDeferredIndexes, withRelaxedCommits } from '../../db/repos/bulk-load';
import { owedRecompute, settleOwedScores } from '../risk/owed-scores';
import type { RecomputeOptions } from '../risk/recompute';

export type { ImportProblem, ImportRecord } from './check-line';

export interface ImportSummary {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  caseIds: string[];
  /**
   * Where the time went, in milliseconds (the bench prints it): parsing, validation and content
   * hashing (on the check workers when they ran, overlapping the rest), the writer's wait for
   * checked lines (reading, sending and decoding them; `idleMs` of it idle, waiting for a
   * worker's reply), the batches' transactions, the deferred index build.
   */
  timings: {
    parseMs: number;
    validateMs: number;
    hashMs: number;
    waitMs: number;
    idleMs: number;
    writeMs: number;
    indexBuildMs: number;
    /** A first load's buyer scores, computed once at its end (0 when the batches kept them). */
    scoreMs: number;
  };
  /** A first load's end-of-load scoring (app/risk/owed-scores.ts): its seconds and memory; null when none ran. */
  scoring: { seconds: number; cpuSeconds: number; peakRssMB: number; peakHeapMB: number; buyers: number } | null;
}

export interface ImportOptions {
  now: number;
  batchSize?: number;
  onProblem(p: ImportProblem): void;
  /** Called after each committed batch with the number of lines read so far. */
  onProgress?(read: number): void;
  /**
   * Called after each committed batch and before each page of the end-of-load scoring: the points
   * where what the last batch or page held is garbage, for the caller to bound its heap (util/heap-bound.ts).
   */
  betweenPages?: () => void;
  /**
   * Called once after the load and its index build, before the end-of-load scoring: what the
   * load held is garbage then, and the scoring's peak is the import's (cli import: a full
   * collection, heap-bound.ts `collectNow`). Not called when no scoring follows.
   */
  beforeScoring?: () => void;
  /**
   * Called once after the end-of-load scoring of a first load, before the indexes that waited for
   * it are built: the scoring's typed arrays and pages are garbage then (off the V8 heap, so no
   * young collection hands them back), and without a collection the builds' sorters sat on top of
   * them (cli import: heap-bound.ts `collectNow` again).
   */
  afterScoring?: () => void;
  /** Keep the ids of changed cases (for change notices); off for million-row imports. */
  collectIds?: boolean;
  /** Check workers (default: one per spare core, 1 to 3; 0: check lines on this thread). */
  checkWorkers?: number;
  /**
   * Into an empty database, drop the plain indexes and build them at the end, committing the
   * batches without waiting for fsync (default). Off for an import inside a running desk
   * (app/intake/import-jobs.ts): its windows keep querying while it runs.
   */
  deferIndexes?: boolean;
  /** Evidence entries may name files (`"file": "photos/IMG_1.jpg"`) in this folder; without it they may not. */
  files?: ImportFiles;
}

export interface ImportFiles {
  /** The NDJSON's folder: every `file` is relative to it and must stay inside it. */
  baseDir: string;
  evidence: EvidenceFiles;
}

/**
 * SQLite page cache while importing: at a million cases the indexes outgrow the 2 MB default
 * many times over (64 MB: ~15% less time at 300,000 cases, well inside the 400 MB budget).
 */
const IMPORT_PAGE_CACHE_MIB = 64;

/**
 * SQLite page cache while a first load's batches are written (its secondary indexes deferred:
 * the batches append rows and look up primary keys); IMPORT_PAGE_CACHE_MIB comes back for the
 * index build and the end-of-load scoring, which read every table. Smaller so that the load's
 * own peak (the writer's heap, the check worker, this cache) stays further under the 400 MB goal.
 */
const FIRST_LOAD_PAGE_CACHE_MIB = 32;

/**
 * SQLite page cache for a first load's end-of-load scoring (the full recompute; 64 MiB when it
 * runs on its own). At a million disputes the scoring holds the import's peak (427 MB sampled,
 * session 29), and its live data grows with the buyers while the cache is a fixed share: the
 * load's 32 MiB is kept for it.
 */
const FIRST_LOAD_SCORING_PAGE_CACHE_MIB = 32;

/**
 * Lines checked ahead of the writer, in batches. With one batch the writer sat idle for the
 * workers' replies 1.6–1.9 s of a 20,000-dispute import (most of it the workers' start); with
 * two, 1.2–1.5 s, for no change in peak RSS beyond noise (2,000 more lines in flight, ~4 MB of text).
 */
const CHECK_WINDOW_BATCHES = 2;

/**
 * Validates each record whole and imports the good ones in batched transactions; a bad
 * record is reported with its line, field and reason and never stops the rest. Memory is
 * bounded by the batch, not the input.
 */
export async function importStream(
  db: Db,
  records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const deferred = opts.deferIndexes !== false && (await deferIndexesIfEmpty(db));
  // A first load's batches with the smaller cache; what reads every table after them with the larger.
  const afterLoad = <T>(work: () => Promise<T>) => (deferred ? withPageCache(db, IMPORT_PAGE_CACHE_MIB, work) : work());
  return withPageCache(db, deferred ? FIRST_LOAD_PAGE_CACHE_MIB : IMPORT_PAGE_CACHE_MIB, async () => {
    // A first load scores every buyer once at its end instead of batch by batch (a third of the
    // writing thread's time). So does any import while a first load's scores are still owed (one
    // that died, or another process's still running): the risk rows are not final until then.
    // And so does one into a database whose scores an older model computed: the recompute at its
    // end rescores every buyer anyway, and per-batch updates would read the older rows meanwhile.
    const scoreLater = deferred || (await owedRecompute(db)) !== null;
    const all = { ...opts, scoreLater };
    let summary: ImportSummary | undefined;
    try {
      // A first load into an empty database commits its batches without waiting for fsync
      // (bulk-load.ts says why a process death still leaves nothing half-written); the index
      // build below commits durably, and with it every batch before it.
      summary = deferred ? await withRelaxedCommits(db, () => importAll(db, records, all)) : await importAll(db, records, all);
    } finally {
      const t0 = performance.now();
      // The cases' score-copy indexes wait for the scoring, which rewrites every case's copy (bulk-load.ts).
      if (deferred) await afterLoad(() => restoreDeferredIndexes(db, { scoreCopies: summary ? 'later' : 'now' }));
      if (summary) summary.timings.indexBuildMs = Math.round(performance.now() - t0);
    }
    // After the index build: the recompute reads orders along orders_by_buyer_delivery, which
    // the load deferred. Not in the `finally`: an import that failed leaves the marker, and the
    // next import or desk start pays it (a failing disk would fail the recompute too).
    // A first load's scoring keeps the load's smaller cache (FIRST_LOAD_SCORING_PAGE_CACHE_MIB); another import's, the import's.
    if (scoreLater) {
      // What the load leaves behind would sit under the scoring's peak (issue 16): the page
      // cache's pages (SQLite hands their memory back; the scoring reads what it needs again)
      // and the load's garbage on the heap (the caller's collection). At 100,000 disputes the
      // process's RSS went from 290 to 195 MB here, and the scoring's peak down by ~40 MB.
      await releasePageCache(db);
      opts.beforeScoring?.();
      summary.scoring = await scoreAtEnd(db, opts.now, summary, {
        ...(opts.betweenPages ? { betweenPages: opts.betweenPages } : {}),
        pageCacheMiB: deferred ? FIRST_LOAD_SCORING_PAGE_CACHE_MIB : IMPORT_PAGE_CACHE_MIB,
      });
    }
    if (deferred) {
      // Under the scoring's smaller cache, its pages handed back first: built with the load's larger one
      // after the scoring, these four took a 1,000,000 import's peak RSS to 486 MB (session 31).
      const t0 = performance.now();
      await releasePageCache(db);
      opts.afterScoring?.(); // a first load always scores at its end (scoreLater)
      await withPageCache(db, FIRST_LOAD_SCORING_PAGE_CACHE_MIB, () => restoreDeferredIndexes(db));
      summary.timings.indexBuildMs += Math.round(performance.now() - t0);
    }
    return summary;
  });
}

/** The owed recompute at the import's clock, timed (its CPU is this process's: it runs on this thread). */
async function scoreAtEnd(
  db: Db,
  now: number,
  summary: ImportSummary,
  recompute: Pick<RecomputeOptions, 'betweenPages' | 'pageCacheMiB'>,
): Promise<ImportSummary['scoring']> {
  const t0 = performance.now();
  // The load's WAL into the file first: the recompute reads every source table once, one long
  // transaction that could not checkpoint it. Timed with the scoring (scoreMs), not in its figures.
  await checkpointWal(db);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await settleOwedScores(db, now, undefined, recompute);
  summary.timings.scoreMs = Math.round(performance.now() - t0);
  if (!report) return null;
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds: Math.round(performance.now() - t1) / 1000,
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    peakRssMB: Math.max(0, ...report.phases.map((p) => p.peakRssMB)),
    peakHeapMB: Math.max(0, ...report.phases.map((p) => p.peakHeapMB)),
    buyers: report.buyers,
  };
}

async function importAll(
  db: Db,
  records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>,
  opts: ImportOptions & { scoreLater: boolean },
): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 2_000;
  const timings = { waitMs: 0, writeMs: 0 };
  const idle = { ms: 0 };
  const summary: ImportSummary = {
    ...{ read: 0, created: 0, updated: 0, unchanged: 0, refused: 0, caseIds: [] },
    timings: { parseMs: 0, validateMs: 0, hashMs: 0, waitMs: 0, idleMs: 0, writeMs: 0, indexBuildMs: 0, scoreMs: 0 },
    scoring: null,
  };
  let batch: Array<{ line: number; d: Dispute; hash: string | undefined; files: NamedFile[] }> = [];
  let ids = new Set<string>();
  const files = opts.files;
  const limits = files ? limitsOf((await currentPolicy(db)).policy) : null;

  const flush = async () => {
    if (!batch.length) return;
    const current = batch;
    batch = [];
    ids = new Set();
    const withFiles = files && current.some((b) => b.files.length) ? files : null;
    if (withFiles) await withFiles.evidence.reuse.sync(db); // a first full load outside the transaction
    const t0 = performance.now();
    const outcomes = await importDisputes(
      db,
      current.map((b) => b.d),
      opts.now,
      {
        ...(withFiles
          ? {
              hashes: current.map((b) => b.hash),
              // The files of the disputes written (not the unchanged or refused ones), with the dispute rows.
              beforeRisk: (t, outs) =>
                recordEvidenceFiles(
                  t,
                  withFiles.evidence.reuse,
                  current.flatMap((b, i) => (outs[i]!.result === 'created' || outs[i]!.result === 'updated' ? b.files : [])),
                  opts.now,
                ),
            }
          : { hashes: current.map((b) => b.hash) }),
        scoreLater: opts.scoreLater,
      },
    );
    timings.writeMs += performance.now() - t0;
    outcomes.forEach((o, i) => {
      if (o.result === 'refused') {
        summary.refused++;
        opts.onProblem({ line: current[i]!.line, id: o.id, code: o.code, message: o.message });
        return;
      }
      summary[o.result]++;
      if (opts.collectIds && o.result !== 'unchanged') summary.caseIds.push(o.id);
    });
    opts.onProgress?.(summary.read);
    opts.betweenPages?.();
  };

  const check = noCheckTimings();
  // The lines are checked ahead on worker threads (check-pool.ts) while the batches before them are written.
  let waitFrom = performance.now();
  for await (const rec of checkedRecords(records, {
    withFiles: !!files,
    windowLines: CHECK_WINDOW_BATCHES * batchSize,
    workers: opts.checkWorkers,
    timings: check,
    idle,
  })) {
    timings.waitMs += performance.now() - waitFrom;
    summary.read++;
    if (!rec.ok) {
      summary.refused++;
      opts.onProblem(rec.problem);
      waitFrom = performance.now();
      continue;
    }
    let dispute = rec.dispute as Dispute;
    let hash = rec.hash;
    let taken: NamedFile[] = [];
    if (files && parsedWithFiles(rec.dispute, files) && rec.dispute.evidence.some((e) => e.file !== undefined)) {
      const r = await takeDisputeFiles(db, files, limits!, rec.dispute);
      if ('problem' in r) {
        summary.refused++;
        opts.onProblem({ line: rec.line, id: rec.dispute.id, ...r.problem });
        waitFrom = performance.now();
        continue;
      }
      dispute = r.dispute;
      taken = r.files;
      hash = undefined; // the stored files describe the evidence now: hashed as written
    }
    // The same id twice in one batch: write the first before judging the second against it.
    if (ids.has(dispute.id)) await flush();
    batch.push({ line: rec.line, d: dispute, hash, files: taken });
    ids.add(dispute.id);
    if (batch.length >= batchSize) await flush();
    waitFrom = performance.now();
  }
  await flush();
  const ms = (x: number) => Math.round(x);
  return {
    ...summary,
    timings: {
      parseMs: ms(check.parseMs),
      validateMs: ms(check.validateMs),
      hashMs: ms(check.hashMs),
      waitMs: ms(timings.waitMs),
      idleMs: ms(idle.ms),
      writeMs: ms(timings.writeMs),
      indexBuildMs: 0,
      scoreMs: 0,
    },
  };
}

type FileProblem = { code: ImportProblem['code']; field: string; message: string };

/**
 * Stores and analyses the files a dispute's evidence names, and returns the dispute with each
 * such entry described by its bytes (type, size, sha256; the name sanitised). The first bad
 * file refuses the dispute whole, naming the field.
 */
async function takeDisputeFiles(
  db: Db,
  files: ImportFiles,
  limits: StoreLimits,
  d: DisputeWithFiles,
): Promise<{ dispute: Dispute; files: NamedFile[] } | { problem: FileProblem }> {
  const taken: NamedFile[] = [];
  const evidence: Dispute['evidence'] = [];
  for (const [i, e] of d.evidence.entries()) {
    if (e.file === undefined) {
      evidence.push(e as Dispute['evidence'][number]);
      continue;
    }
    const at = `evidence.${i}`;
    const problem = (field: string, code: FileProblem['code'], message: string) => ({
      problem: { code, field: `${at}.${field}`, message: `${at}.${field}: ${message}` },
    });
    const name = sanitizeFileName(e.name ?? basename(e.file));
    let handle: FileHandle;
    try {
      handle = await openBeside(files.baseDir, e.file);
    } catch (err) {
      if (err instanceof AppFailure) return problem('file', 'VALIDATION', err.message);
      throw err;
    }
    let file: NamedFile;
    try {
      const size = (await handle.stat()).size;
      file = await takeFile(db, files.evidence, name, handle.createReadStream({ autoClose: false }), limits, size);
    } catch (err) {
      if (err instanceof AppFailure && (err.code === 'UNSUPPORTED_FILE' || err.code === 'FILE_TOO_LARGE'))
        return problem('file', err.code, err.message);
      throw err;
    } finally {
      await handle.close();
    }
    if (e.sha256 !== undefined && e.sha256 !== file.sha256)
      return problem('sha256', 'VALIDATION', `does not match the file's bytes (their sha256 is ${file.sha256})`);
    if (e.sizeBytes !== undefined && e.sizeBytes !== file.sizeBytes)
      return problem('sizeBytes', 'VALIDATION', `is ${e.sizeBytes} but the file has ${file.sizeBytes} bytes`);
    if (e.mediaType !== undefined && e.mediaType.toLowerCase() !== file.sniffed.mediaType)
      return problem('mediaType', 'VALIDATION', `is ${e.mediaType} but the file's bytes are ${file.sniffed.mediaType}`);
    taken.push(file);
    evidence.push({
      party: e.party,
      name,
      mediaType: file.sniffed.mediaType,
      sizeBytes: file.sizeBytes,
      sha256: file.sha256,
      submittedAt: e.submittedAt,
    });
  }
  return { dispute: { ...(d as unknown as Dispute), evidence }, files: taken };
}

/**
 * Opens `rel` inside `baseDir` for reading: a relative path with '/' between folders, no '..',
 * no link that leads outside the folder, a regular file.
 */
async function openBeside(baseDir: string, rel: string): Promise<FileHandle> {
  const refuse = (message: string): never => {
    throw new AppFailure('VALIDATION', message);
  };
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.includes('\\') || rel.includes('\0'))
    refuse(`"${rel}" must be a path relative to the NDJSON's folder, with / between folders`);
  if (rel.split('/').some((part) => part === '..')) refuse(`"${rel}" must stay inside the NDJSON's folder (no "..")`);
  const base = await realpath(baseDir);
  let real = '';
  try {
    real = await realpath(join(base, rel));
  } catch {
    refuse(`there is no file "${rel}" in the NDJSON's folder`);
  }
  if (!real.startsWith(base + sep)) refuse(`"${rel}" is a link that leads outside the NDJSON's folder`);
  // The path is resolved: refuse a link swapped in since (where the platform can tell).
  const handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(() => refuse(`"${rel}" cannot be read`));
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    refuse(`"${rel}" is not a file`);
  }
  return handle;
}

/** With a folder to read from, each line was parsed with DisputeWithFiles (its evidence may name a file). */
function parsedWithFiles(d: Dispute | DisputeWithFiles, files: unknown): d is DisputeWithFiles {
  return files !== undefined && files !== null;
}
