import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

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
  let workDone = false;
  return db
    .transaction()
    .execute(async (tx) => {
      const result = await work(tx as WriteTx);
      workDone = true;
      return result;
    })
    .catch((e: unknown) => {
      // Failed after the work: at the COMMIT, whose fate a lost connection leaves unknown.
      if (workDone && e !== null && typeof e === 'object') (e as { [COMMIT_IN_DOUBT]?: true })[COMMIT_IN_DOUBT] = true;
      throw e;
    });
}

const COMMIT_IN_DOUBT = Symbol('commit in doubt');

/**
 * True for an error raised by a transaction's COMMIT (its work had all run). When the
 * connection was lost there, the server may have committed before it went away or not: the
 * caller must not be told that nothing was changed.
 */
export function commitInDoubt(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { [COMMIT_IN_DOUBT]?: true })[COMMIT_IN_DOUBT] === true;
}
