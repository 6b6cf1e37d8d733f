import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteConnection } from '../../db/connect';
import { waitOutRestart } from '../../db/background-checkpoint';
import { WorkerSide } from '../../db/writer-lock';
import { sweep, type SweepProgress } from './sweep';

/**
 * The worker-thread entry of a catch-up on a SQLite file (in-worker.ts): the ordinary sweep,
 * on a connection of its own to the same file, so neither its statements nor the WAL fsync of
 * its commits run on the thread that answers the window. Built as its own file
 * (`out/main/sweep-worker.js`, electron.vite.config.ts); loaded through tsx from source under
 * vitest and the CLI (util/ts-worker.ts).
 *
 * Each chunk's transaction runs under the writer lock shared with the main thread
 * (db/writer-lock.ts), past the checkpoint worker's RESTART pause (waitOutRestart). Protocol:
 * `ready` once the connection is open; then one request; a `progress` per committed chunk, and
 * a `done` (or `failed`) at the end.
 */

export interface SweepWorkerData {
  path: string;
  nativeBinding?: string;
  /** The WriterLock's buffer (the lock and the stop request). */
  lock: SharedArrayBuffer;
  /** The checkpoint worker's control cells, when it runs (db/background-checkpoint.ts). */
  checkpoints: SharedArrayBuffer | null;
}

export interface SweepRequest {
  now: number;
}

export type SweepWorkerMessage =
  | { kind: 'ready' }
  | ({ kind: 'progress' } & SweepProgress)
  | { kind: 'done'; applied: number; stale: number; stopped: boolean }
  | { kind: 'failed'; message: string };

/**
 * What a chunk may cost. A chunk no longer stalls the window here; it only holds the writer
 * lock, so it is bounded by how long a main-thread command may wait for it: while no
 * main-thread writer waited in the last BUSY_FOR_MS, up to CALM_TARGET_MS of this thread's CPU
 * (larger chunks, fewer commits); after one did, BUSY_TARGET_MS of wall time under the lock
 * (what the command waits: on a loaded machine a chunk's wall time is several times its CPU).
 */
const CALM_TARGET_MS = 60;
const BUSY_TARGET_MS = 25;
const BUSY_FOR_MS = 2_000;
const MAX_ROWS = 2_000;

/**
 * This thread's own CPU time (Linux: /proc/thread-self/schedstat, nanoseconds on the CPU);
 * process.cpuUsage() would count the main thread and the checkpoint worker too, and size the
 * chunks too small. Elsewhere, the process's.
 */
function threadCpuMs(): () => number {
  try {
    readFileSync('/proc/thread-self/schedstat', 'utf8');
    return () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ', 1)[0]) / 1e6;
  } catch {
    return () => {
      const cpu = process.cpuUsage();
      return (cpu.user + cpu.system) / 1000;
    };
  }
}

const port = parentPort;
if (!port) throw new Error('sweep worker: must run in a worker thread');
const data = workerData as SweepWorkerData;
const lock = new WorkerSide(data.lock);
const db = openSqliteConnection(data.path, data.nativeBinding, data.checkpoints !== null);
let mainWaitedAt = -Infinity;

port.once('message', (req: SweepRequest) => {
  const cpuMs = threadCpuMs();
  // Chosen after each chunk, for the next: its cost is read on one clock before and after it.
  let busy = false;
  sweep(db, req.now, {
    stop: () => lock.stopRequested(),
    onProgress: (p) => port.postMessage({ kind: 'progress', ...p } satisfies SweepWorkerMessage),
    chunks: {
      async around(work) {
        if (data.checkpoints) waitOutRestart(data.checkpoints);
        lock.acquire();
        try {
          return await work();
        } finally {
          if (lock.mainWaiting()) mainWaitedAt = performance.now();
          lock.release();
        }
      },
      costMs: () => (busy ? performance.now() : cpuMs()),
      targetMs: () => {
        busy = performance.now() - mainWaitedAt < BUSY_FOR_MS;
        return busy ? BUSY_TARGET_MS : CALM_TARGET_MS;
      },
      maxRows: MAX_ROWS,
    },
  })
    .then(
      (report) =>
        port.postMessage({
          kind: 'done',
          applied: report.applied,
          stale: report.stale,
          stopped: lock.stopRequested(),
        } satisfies SweepWorkerMessage),
      (e: unknown) =>
        port.postMessage({ kind: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies SweepWorkerMessage),
    )
    .finally(() => void db.destroy().then(() => port.close()));
});

port.postMessage({ kind: 'ready' } satisfies SweepWorkerMessage);
