import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connect';
import { sqliteFileOf } from '../../db/background-checkpoint';
import { dueDeadlines } from '../../db/repos/deadlines';
import { WriterLock } from '../../db/writer-lock';
import { tsWorkerEntryAsync } from '../../util/ts-worker';
import { sweep, type SweepOptions, type SweepReport } from './sweep';
import type { SweepRequest, SweepWorkerData, SweepWorkerMessage } from './worker';

/**
 * A sweep that, on a SQLite file, runs on a worker thread (worker.ts) once it is a catch-up:
 * in the main thread every chunk's statements and the WAL fsync of its commit are a stall of
 * the window (~65–90 ms at most, measured), on a worker only the writer lock is shared
 * (db/writer-lock.ts), which a command waits for at most one chunk. Started as the policy
 * preview's replay worker is (util/ts-worker.ts: the built bundle, or the source through tsx).
 *
 * In-process, as before, on PostgreSQL (statements run on the server; the thread only waits),
 * on a database in memory (a second connection would see another database), below
 * OFF_THREAD_FROM due rows (a thread is not worth a small sweep), and when no worker can be
 * started (logged once; from then on in-process).
 */

const BUILT_ENTRY = 'sweep-worker.js';
const SOURCE_ENTRY = './worker.ts';
/** From this many due rows a sweep runs on the worker. */
export const OFF_THREAD_FROM = 200;

/** Where the sweeps of this process ran; the tests read it. */
export const sweepRuns = { worker: 0, inProcess: 0 };
let cannotStart: string | null = null;

export interface SweepRun {
  report: Promise<SweepReport>;
  /** Asks the run to end after the chunk under way (closing the app); what is left stays due. */
  stop(): void;
}

export interface OffThreadOptions extends Pick<SweepOptions, 'onProgress'> {
  /** Never on a worker (the bench's in-process comparison). */
  inProcess?: boolean;
}

export function sweepOffThread(db: Db, now: number, opts: OffThreadOptions = {}): SweepRun {
  let stopped = false;
  let stopWorker: (() => void) | null = null;
  const inProcess = () => {
    sweepRuns.inProcess++;
    return sweep(db, now, { onProgress: opts.onProgress, stop: () => stopped });
  };
  const report = (async (): Promise<SweepReport> => {
    const file = sqliteFileOf(db);
    if (opts.inProcess || cannotStart !== null || !file || file.path === '' || file.path === ':memory:' || file.raw.memory)
      return inProcess();
    if ((await dueDeadlines(db, now, OFF_THREAD_FROM)).length < OFF_THREAD_FROM || stopped) return inProcess();
    const lock = (file.writerLock ??= new WriterLock());
    lock.requestStop(false);
    stopWorker = () => lock.requestStop();
    const outcome = await runInWorker(db, file, lock, now, opts);
    stopWorker = null;
    if (outcome === 'cannot start') return inProcess();
    sweepRuns.worker++;
    return outcome;
  })();
  return {
    report,
    stop() {
      stopped = true;
      stopWorker?.();
    },
  };
}

function fallBack(why: string): 'cannot start' {
  if (cannotStart === null) console.warn(`deadline sweep: catching up on the main thread: ${why}`);
  cannotStart = why;
  return 'cannot start';
}

async function runInWorker(
  db: Db,
  file: NonNullable<ReturnType<typeof sqliteFileOf>>,
  lock: WriterLock,
  now: number,
  opts: OffThreadOptions,
): Promise<SweepReport | 'cannot start'> {
  // From source, the worker's bundle may have to be built first: awaited, not built in this
  // thread's stead (util/ts-worker.ts tsWorkerEntryAsync).
  const entry = await tsWorkerEntryAsync(import.meta.url, BUILT_ENTRY, SOURCE_ENTRY, { bundle: true });
  if (!entry) return fallBack('no worker code found next to the application');
  const checkpoints = file.checkpoints;
  const workerData: SweepWorkerData = {
    path: file.path,
    nativeBinding: file.nativeBinding,
    lock: lock.buffer,
    checkpoints: checkpoints?.control ?? null,
  };
  let worker: Worker;
  try {
    worker = new Worker(entry.spec, { ...entry.options, workerData });
  } catch (e) {
    return fallBack(e instanceof Error ? e.message : String(e));
  }
  return new Promise((resolve, reject) => {
    let ready = false;
    let error: unknown = null;
    let outcome: { ok: true; report: SweepReport } | { ok: false; message: string } | null = null;
    const caseIds: string[] = [];
    worker.on('message', (m: SweepWorkerMessage) => {
      switch (m.kind) {
        case 'ready':
          ready = true;
          worker.postMessage({ now } satisfies SweepRequest);
          return;
        case 'progress': {
          for (const id of m.caseIds) caseIds.push(id);
          // This thread may write nothing for a long while: the checkpoint worker's RESTART
          // pause, asked for while the worker writes, is granted here too (db/background-checkpoint.ts).
          checkpoints?.grantIfIdle();
          opts.onProgress?.({ done: m.done, pendingAtLeast: m.pendingAtLeast, caseIds: m.caseIds });
          return;
        }
        case 'done':
          outcome = { ok: true, report: { applied: m.applied, stale: m.stale, caseIds } };
          return;
        case 'failed':
          outcome = { ok: false, message: m.message };
      }
    });
    worker.on('error', (e) => {
      error = e;
    });
    // Settled once the thread ended, its connection closed: nothing of it outlives the run.
    worker.on('exit', (code) => {
      lock.workerGone();
      if (outcome?.ok) resolve(outcome.report);
      else if (outcome) reject(new Error(outcome.message));
      else if (!ready) resolve(fallBack(`the sweep worker cannot start (${error instanceof Error ? error.message : `exit code ${code}`})`));
      else reject(new Error(`the sweep worker stopped unexpectedly (${error instanceof Error ? error.message : `exit code ${code}`})`));
    });
  });
}
