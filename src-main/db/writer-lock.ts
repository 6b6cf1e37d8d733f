/**
 * SQLite's one writer, shared between the main thread and the catch-up's worker thread
 * (app/sweep/in-worker.ts), each with its own connection to the same database file.
 *
 * Without it, a main-thread command meeting the worker's open write transaction would wait for
 * SQLite's write lock inside better-sqlite3 (busy_timeout), blocking the whole thread that
 * answers the window; and one that read before writing would fail at once with SQLITE_BUSY.
 * So the two threads take this lock first: the main thread before BEGIN of each write
 * transaction (db/tx.ts underWriteGate), waiting asynchronously (`Atomics.waitAsync`), the
 * worker around each chunk's transaction, blocking (it has nothing else to do). Reads need
 * no lock (WAL: each connection reads its own snapshot).
 *
 * Fairness: a main-thread writer that waits raises a count; the worker, after each chunk,
 * leaves the lock free for it until it was taken (or a short while passed), so a command waits
 * for at most the chunk that was running. The main thread's transactions all queue on its one
 * connection anyway: while one of them holds the lock, the next join it (a count) instead of
 * waiting for themselves; once none is left the worker gets its turn.
 */

/** Cells of the shared buffer. */
const HOLDER = 0;
const MAIN_WAITING = 1;
const STOP = 2;
const CELLS = 3;

const FREE = 0;
const MAIN = 1;
const WORKER = 2;

/** How long the main thread sleeps between two looks at a lock it waits for (it is woken at release anyway). */
const MAIN_RECHECK_MS = 100;
/**
 * How long the worker leaves the lock free for a waiting main-thread writer before it takes it
 * again: the main thread's wake-up is a task of its event loop, which a loaded machine may
 * schedule late; taking the lock back meanwhile would make the command wait a whole chunk more.
 */
const HAND_OVER_MS = 250;

/** Atomics.waitAsync (Node 16+, Electron's V8), not yet in this project's TypeScript lib. */
const waitAsync = (a: Int32Array, i: number, v: number, ms: number) =>
  (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: Promise<unknown> | string } }).waitAsync(
    a,
    i,
    v,
    ms,
  );

/** The main thread's side. */
export class WriterLock {
  readonly buffer = new SharedArrayBuffer(CELLS * 4);
  private readonly cells = new Int32Array(this.buffer);
  /** This thread's write transactions past the lock (queued on its one connection, or running). */
  private held = 0;

  /** Resolves once this thread holds the lock (at once if it already does, or it is free). */
  async acquire(): Promise<void> {
    let waiting = false;
    try {
      for (;;) {
        const holder = Atomics.compareExchange(this.cells, HOLDER, FREE, MAIN);
        if (holder === FREE || holder === MAIN) break;
        if (!waiting) Atomics.add(this.cells, MAIN_WAITING, 1);
        waiting = true;
        await waitAsync(this.cells, HOLDER, holder, MAIN_RECHECK_MS).value;
      }
    } finally {
      if (waiting) Atomics.sub(this.cells, MAIN_WAITING, 1);
    }
    this.held++;
  }

  /** One transaction that acquire() let through ended (committed or not). */
  release(): void {
    if (--this.held > 0) return;
    Atomics.store(this.cells, HOLDER, FREE);
    Atomics.notify(this.cells, HOLDER);
  }

  /** Asks the worker to stop after its current chunk (WorkerSide.stopRequested); reset when the next worker starts. */
  requestStop(stop = true): void {
    Atomics.store(this.cells, STOP, stop ? 1 : 0);
  }

  /** The worker ended (or died): a lock it still held is nobody's now. */
  workerGone(): void {
    if (Atomics.compareExchange(this.cells, HOLDER, WORKER, FREE) === WORKER) Atomics.notify(this.cells, HOLDER);
  }
}

/** The worker thread's side, over the buffer of the main thread's WriterLock. */
export class WorkerSide {
  private readonly cells: Int32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }

  /** Blocks until this thread holds the lock. */
  acquire(): void {
    for (;;) {
      const holder = Atomics.compareExchange(this.cells, HOLDER, FREE, WORKER);
      if (holder === FREE) return;
      Atomics.wait(this.cells, HOLDER, holder, MAIN_RECHECK_MS);
    }
  }

  /** Gives the lock back; a main-thread writer waiting for it gets it before this thread takes it again. */
  release(): void {
    Atomics.store(this.cells, HOLDER, FREE);
    Atomics.notify(this.cells, HOLDER);
    const until = performance.now() + HAND_OVER_MS;
    while (Atomics.load(this.cells, MAIN_WAITING) > 0 && Atomics.load(this.cells, HOLDER) === FREE && performance.now() < until)
      Atomics.wait(this.cells, HOLDER, FREE, 10);
  }

  /** A main-thread writer is waiting right now. */
  mainWaiting(): boolean {
    return Atomics.load(this.cells, MAIN_WAITING) > 0;
  }

  stopRequested(): boolean {
    return Atomics.load(this.cells, STOP) === 1;
  }
}
