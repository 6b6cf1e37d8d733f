import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';
import { sqliteFileOf } from './background-checkpoint';

/**
 * Read and write handles, after Signal Desktop's `ReadableDB` / `WritableDB`: a repository
 * function that writes takes a `WriteTx`, which only `inWriteTx` hands out, so a write can
 * never run outside a transaction (the type checker refuses a plain connection). Readers
 * take a `Reader`, which both a connection and a transaction are.
 */
declare const writeTxBrand: unique symbol;

export type Reader = Kysely<Database>;
export type WriteTx = Transaction<Database> & { readonly [writeTxBrand]: true };

/** One transaction per command: everything `work` writes commits together or not at all. */
export function inWriteTx<T>(db: Reader, work: (tx: WriteTx) => Promise<T>): Promise<T> {
  // Already inside a transaction (a use case composed of others): join it instead of nesting.
  if (db.isTransaction) return work(db as WriteTx);
  return underWriteGate(db, () => inNewWriteTx(db, work));
}

/**
 * Runs `begin`, a new write transaction on `db` (not joined to one), past the gate of SQLite's
 * checkpoint worker (db/background-checkpoint.ts): it waits, without blocking the thread, while
 * the worker holds the write lock to start the WAL over. A transaction that read before writing
 * would otherwise fail at once with SQLITE_BUSY, and a write would wait for the lock blocking
 * the thread. Then, while a catch-up runs on a worker thread with its own connection, past the
 * writer lock the two threads share (db/writer-lock.ts), for the same reasons. Nothing to wait
 * for on PostgreSQL or without the workers. For write transactions not made by inWriteTx (blobs.ts).
 */
export function underWriteGate<T>(db: Reader, begin: () => Promise<T>): Promise<T> {
  const file = db.isTransaction ? null : sqliteFileOf(db);
  const checkpoints = file?.checkpoints ?? null;
  const lock = file?.writerLock ?? null;
  if (!checkpoints && !lock) return begin();
  const locked = lock ? () => lock.acquire().then(() => begin().finally(() => lock.release())) : begin;
  if (!checkpoints) return locked();
  return checkpoints.writeGate().then(() => locked().finally(() => checkpoints.writeDone()));
}

function inNewWriteTx<T>(db: Reader, work: (tx: WriteTx) => Promise<T>): Promise<T> {
  let workDone = false;
  const committed: Array<(db: Reader) => void> = [];
  return db
    .transaction()
    .execute(async (tx) => {
      afterCommitOf.set(tx, committed);
      const result = await work(tx as WriteTx);
      workDone = true;
      return result;
    })
    .then((result) => {
      for (const run of committed) {
        try {
          run(db);
        } catch (e) {
          console.error('[db] a step after a commit failed:', e);
        }
      }
      return result;
    })
    .catch((e: unknown) => {
      // Failed after the work: at the COMMIT, whose fate a lost connection leaves unknown.
      if (workDone) markCommitInDoubt(e);
      throw e;
    });
}

const COMMIT_IN_DOUBT = Symbol('commit in doubt');

/** Marks `e` as raised where a COMMIT may have been carried out (pipelined-tx.ts: a last statement sent with its COMMIT). */
export function markCommitInDoubt(e: unknown): void {
  if (e !== null && typeof e === 'object') (e as { [COMMIT_IN_DOUBT]?: true })[COMMIT_IN_DOUBT] = true;
}

/** What runs once the transaction that inWriteTx opened has committed (never after a rollback). */
const afterCommitOf = new WeakMap<object, Array<(db: Reader) => void>>();

/**
 * runsAfterCommit: `tx` was opened by inWriteTx, so afterCommit will run what it is given.
 * afterCommit runs `step` (synchronous, must not throw; it gets the database the transaction was opened
 * on) once `tx` has committed, and never if it rolls back. False when `tx` is not a
 * transaction inWriteTx opened (a wrapped handle): then the caller does the work in `tx`.
 */
export const runsAfterCommit = (tx: WriteTx): boolean => afterCommitOf.has(tx);

export function afterCommit(tx: WriteTx, step: (db: Reader) => void): boolean {
  const steps = afterCommitOf.get(tx);
  if (!steps) return false;
  steps.push(step);
  return true;
}

/**
 * True for an error raised by a transaction's COMMIT (its work had all run). When the
 * connection was lost there, the server may have committed before it went away or not: the
 * caller must not be told that nothing was changed.
 */
export function commitInDoubt(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { [COMMIT_IN_DOUBT]?: true })[COMMIT_IN_DOUBT] === true;
}
