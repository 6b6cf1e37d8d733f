import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import type { WriterLock } from './writer-lock';

/**
 * WAL checkpoints on a worker thread of their own instead of inside a commit of the thread
 * that answers the window (issue 16). By default SQLite checkpoints in the COMMIT that takes
 * the WAL past 1,000 pages: that commit copies every page the WAL holds into the database and
 * fsyncs it, on the main thread (better-sqlite3 is synchronous). In a sweep of missed-evidence
 * defaults that is one checkpoint per ~80 defaults, copying ~2,400 distinct pages per 1,000
 * defaults: 281 ms of wall (52 ms of CPU) per 1,000 defaults measured on this 2-core machine
 * (sweep-profile --wal-frames), most of it the database's fsync, taken as one stall of the
 * window in whichever chunk crossed the line.
 *
 * Here the main connection's automatic checkpoints are off (`wal_autocheckpoint = 0`) and a
 * worker with its own connection runs `wal_checkpoint(PASSIVE)` when the WAL holds `pages`
 * frames not yet copied, as the automatic checkpoint would; it reads that count from the
 * wal-index header (the -shm file: mxFrame at byte 16, the checkpoint's nBackfill at byte 96,
 * https://www.sqlite.org/walformat.html) every POLL_MS, without a transaction. PASSIVE never
 * waits for or blocks the writer or readers; the writer restarts the WAL from its start once a
 * checkpoint copied all of it, as before. As commits go on during the copy, a long burst of
 * them (a catch-up) would never let it copy all (the write lock is never free when it asks):
 * past RESTART_FACTOR thresholds, the worker asks the main thread for a pause; once none of
 * its write transactions is open, the next ones wait without blocking the thread (writeGate,
 * in inWriteTx and underWriteGate) while the worker copies the last frames holding the write lock (RESTART), and
 * the WAL starts over. Durability is the same: the commits still fsync the
 * WAL (synchronous = FULL), and the checkpoint fsyncs the database after copying (FULL on the
 * worker's connection too). If the worker fails, the main connection's automatic checkpoints
 * are put back.
 */

/**
 * How often the worker reads the WAL's frame count. Between two reads it sleeps on the
 * control cell of the RESTART (Atomics.wait), so the main thread's grant wakes it at once.
 */
const POLL_MS = 20;
/**
 * A WAL this many times the threshold is checkpointed once holding the write lock (RESTART),
 * so that it starts over: a commit waits for that copy of the last frames and its fsync.
 */
const RESTART_FACTOR = 4;
/** How long that checkpoint waits for the writer's commit and readers before it gives up until the next poll. */
const RESTART_WAIT_MS = 200;
/**
 * The longest a write transaction waits at the gate for the worker's RESTART checkpoint (as the
 * connection's busy_timeout): past it, the worker is taken as stuck and the transaction goes on.
 */
const GATE_TIMEOUT_MS = 5_000;
/** SQLite's default: a checkpoint when the WAL holds this many frames not copied yet. */
export const DEFAULT_CHECKPOINT_PAGES = 1_000;

// The worker's code (plain JavaScript, no TypeScript to load in it): the addon's module path comes from the caller.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.module);
const { path, nativeBinding, control, pollMs } = workerData;
const ctl = new Int32Array(control);
const db = new Database(path, nativeBinding ? { nativeBinding } : {});
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 0');
db.pragma('wal_autocheckpoint = 0');
db.pragma('journal_mode'); // opens the WAL and its index
const shm = fs.openSync(path + '-shm', 'r');
const head = Buffer.alloc(100);
const tick = () => {
  if (Atomics.load(ctl, 1)) {
    fs.closeSync(shm);
    db.close();
    parentPort.postMessage('stopped');
    return;
  }
  try {
    if (Atomics.load(ctl, 2) === 2) {
      // The main thread granted it (no write transaction of its own open, new ones waiting).
      db.pragma('busy_timeout = ${RESTART_WAIT_MS}');
      try {
        db.pragma('wal_checkpoint(RESTART)');
      } finally {
        db.pragma('busy_timeout = 0');
        Atomics.store(ctl, 2, 0);
        Atomics.notify(ctl, 2);
      }
    }
    const pages = Atomics.load(ctl, 0);
    if (fs.readSync(shm, head, 0, 100, 0) === 100 && head.readUInt32LE(16) - head.readUInt32LE(96) >= pages) {
      db.pragma('wal_checkpoint(PASSIVE)');
      fs.readSync(shm, head, 0, 100, 0);
      const frames = head.readUInt32LE(16);
      const tail = frames - head.readUInt32LE(96);
      // Commits that went on during the copy leave a tail, and the writer starts the WAL over only
      // once it was copied whole: a long burst would grow it without bound. Past RESTART_FACTOR
      // times the threshold, the worker asks for a pause of the main thread's write transactions.
      if (frames >= ${RESTART_FACTOR} * pages && tail <= pages) Atomics.compareExchange(ctl, 2, 0, 1);
      // Copied whole after all: the next commit starts the WAL over by itself (the writes waiting
      // at the gate for the RESTART are woken: they would wait for their timeout).
      else if (tail === 0 && Atomics.compareExchange(ctl, 2, 1, 0) === 1) Atomics.notify(ctl, 2);
    }
  } catch (e) {
    if (!(e && e.code === 'SQLITE_BUSY')) throw e;
  }
  // Sleeps until the next read, or until the main thread changes the RESTART cell: its grant
  // (or stop()) wakes this thread at once instead of at the next read, so the write
  // transactions it holds at the gate wait for the copy only (issue 16, session 30). Granted
  // already (2): no sleep.
  const state = Atomics.load(ctl, 2);
  if (state !== 2 && !Atomics.load(ctl, 1)) Atomics.wait(ctl, 2, state, pollMs);
  setImmediate(tick);
};
tick();
`;

/** Atomics.waitAsync (Node 16+, Electron's V8), not yet in this project's TypeScript lib. */
const waitAsync = (a: Int32Array, i: number, v: number, ms: number) =>
  (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: Promise<unknown> | string } }).waitAsync(
    a,
    i,
    v,
    ms,
  );

export interface BackgroundCheckpoints {
  /**
   * Awaited before a write transaction begins (inWriteTx): resolves at once, or once the
   * worker's RESTART checkpoint ended. The worker takes the write lock for it only when this
   * thread granted it, with no write transaction open (one that read first and then found the
   * lock taken would fail at once with SQLITE_BUSY: SQLite does not wait to upgrade a read).
   */
  writeGate(): Promise<void>;
  /** Called when a transaction that passed writeGate ended (committed or not). */
  writeDone(): void;
  /** Frames not yet copied that start a checkpoint (withRelaxedCommits raises it during a first bulk load). */
  setPages(pages: number): void;
  pages(): number;
  /** Asks the worker to close its connection and end; the main connection checkpoints by itself again. */
  stop(): void;
  /** Resolves once the worker thread ended (after stop, or when it failed). */
  readonly ended: Promise<void>;
  /**
   * The shared control cells, for another thread that writes the same file (the catch-up's
   * worker, app/sweep/worker.ts): it must not begin a transaction while cell 2 is 2 (the
   * RESTART checkpoint holds, or is about to take, the write lock); see waitOutRestart.
   */
  readonly control: SharedArrayBuffer;
  /**
   * Grants an asked-for RESTART if no write transaction of this thread is open: called when
   * another thread writes (a catch-up in a worker) while this one may not write at all.
   */
  grantIfIdle(): void;
}

/**
 * In a thread that writes the same file besides the main thread (the catch-up's worker): blocks
 * while the checkpoint worker's RESTART runs (granted by the main thread, cell 2 = 2), at most
 * GATE_TIMEOUT_MS as the main thread's gate does. Before each of that thread's transactions.
 */
export function waitOutRestart(control: SharedArrayBuffer): void {
  const ctl = new Int32Array(control);
  const giveUpAt = performance.now() + GATE_TIMEOUT_MS;
  while (Atomics.load(ctl, 2) === 2 && performance.now() < giveUpAt) Atomics.wait(ctl, 2, 2, RESTART_WAIT_MS);
}

/**
 * Starts the worker for the database file `path` whose main connection is `raw`. Null where it
 * cannot run (a database in memory, a little-endian wal-index not given by this platform).
 */
export function startBackgroundCheckpoints(
  raw: BetterSqlite3.Database,
  path: string,
  nativeBinding: string | undefined,
  pages = DEFAULT_CHECKPOINT_PAGES,
  /** How often the worker reads the WAL's frame count (tests lengthen it). */
  pollMs = POLL_MS,
): BackgroundCheckpoints | null {
  if (path === '' || path === ':memory:' || raw.memory) return null;
  if (String(raw.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
  // The wal-index is in the machine's byte order; the worker reads it as little-endian.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) return null;
  // [0] frames that start a checkpoint, [1] stop, [2] a RESTART checkpoint under way.
  const control = new SharedArrayBuffer(12);
  const ctl = new Int32Array(control);
  Atomics.store(ctl, 0, pages);
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, path, nativeBinding, control, pollMs } });
  worker.unref();
  raw.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  // Write transactions this thread has open (or queued on the connection) past writeGate.
  let active = 0;
  const fallBack = (why: unknown) => {
    if (stopped) return;
    stopped = true;
    console.error('[db] the checkpoint worker stopped; checkpoints run in the commits again:', why);
    if (raw.open) raw.pragma(`wal_autocheckpoint = ${Atomics.load(ctl, 0)}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(`exit ${code}`));
  worker.on('message', () => (stopped = true));
  // Grants an asked-for RESTART and wakes the worker, which sleeps on that cell between its reads.
  const grant = () => {
    if (Atomics.compareExchange(ctl, 2, 1, 2) === 1) Atomics.notify(ctl, 2);
  };
  const ended = new Promise<void>((done) => worker.once('exit', () => done()));
  return {
    async writeGate() {
      const giveUpAt = performance.now() + GATE_TIMEOUT_MS;
      for (;;) {
        const state = Atomics.load(ctl, 2);
        if (state === 0) break;
        // A worker that stopped or died with the flag up holds no one.
        if (stopped || performance.now() > giveUpAt) {
          Atomics.store(ctl, 2, 0);
          break;
        }
        // Asked for, and this thread has no write transaction open: grant it, then wait like the rest.
        if (state === 1 && active === 0) grant();
        // Woken when the worker lowers the flag; the timeout only re-checks the above.
        await waitAsync(ctl, 2, Atomics.load(ctl, 2), RESTART_WAIT_MS).value;
      }
      active++;
    },
    writeDone() {
      active--;
      if (active === 0) grant();
    },
    setPages: (n) => Atomics.store(ctl, 0, Math.max(1, Math.floor(n))),
    pages: () => Atomics.load(ctl, 0),
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(ctl, 1, 1);
      Atomics.notify(ctl, 2);
    },
    ended,
    control,
    grantIfIdle() {
      if (!stopped && active === 0) grant();
    },
  };
}

/** The SQLite databases this process opened, by their kysely adapter (the same for the database and its transactions). */
const sqliteFiles = new WeakMap<object, SqliteFile>();

export interface SqliteFile {
  raw: BetterSqlite3.Database;
  path: string;
  nativeBinding?: string;
  checkpoints: BackgroundCheckpoints | null;
  /** SQLite's one writer shared with a catch-up's worker thread (db/writer-lock.ts), once one was started. */
  writerLock?: WriterLock;
}

/** Called by connect.ts for every SQLite database it opens. */
export function registerSqliteFile(db: Kysely<Database>, file: SqliteFile): void {
  sqliteFiles.set(db.getExecutor().adapter, file);
}

/**
 * A SQLite database file's WAL checkpoints on a worker thread instead of in the commits of
 * this thread (above): for the process that answers the window, where a
 * checkpoint in a sweep's chunk was a stall. False where it does not apply (PostgreSQL, a
 * database in memory); idempotent. Stopped when the database is destroyed.
 */
export function checkpointOffThread(db: Kysely<Database>): boolean {
  const file = sqliteFiles.get(db.getExecutor().adapter);
  if (!file) return false;
  file.checkpoints ??= startBackgroundCheckpoints(file.raw, file.path, file.nativeBinding);
  return file.checkpoints !== null;
}

/** The SQLite database file behind `db` (null: PostgreSQL, PGlite). */
export function sqliteFileOf(db: Kysely<Database>): SqliteFile | null {
  return sqliteFiles.get(db.getExecutor().adapter) ?? null;
}

/** The worker that checkpoints this database's WAL, when checkpointOffThread started one. */
export function backgroundCheckpointsOf(db: Kysely<Database>): BackgroundCheckpoints | null {
  return sqliteFiles.get(db.getExecutor().adapter)?.checkpoints ?? null;
}
