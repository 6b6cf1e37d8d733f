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
  return db.transaction().execute((tx) => work(tx as WriteTx));
}
