import { sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf } from './dialect';
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

/**
 * `inWriteTx` for work that can be redone from what stays in the database: its commit does
 * not wait for the disk (SQLite WAL `synchronous = NORMAL` for this transaction only,
 * PostgreSQL `synchronous_commit = off`). A process that dies loses nothing; a power cut may
 * undo the last such commits, never half of one, and the database stays whole. The deadline
 * sweep uses it: an undone default leaves its deadline row unclaimed, and the next sweep
 * applies it again, dated at the same deadline, with the same outcome. On a busy disk the
 * fsync per commit was most of a catch-up's time, and it ran on the main thread.
 */
export async function inRedoableWriteTx<T>(db: Reader, work: (tx: WriteTx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as WriteTx);
  if (dialectOf(db) === 'postgres')
    return db.transaction().execute(async (tx) => {
      await sql`SET LOCAL synchronous_commit TO OFF`.execute(tx);
      return work(tx as WriteTx);
    });
  // The safety level cannot change inside a transaction, and the one SQLite connection is
  // shared: hold it for the pragma, the transaction and the pragma back, so no other commit
  // (a mediator's decision) runs at the relaxed level in between.
  return db.connection().execute(async (conn) => {
    await sql`PRAGMA synchronous = NORMAL`.execute(conn);
    try {
      return await conn.transaction().execute((tx) => work(tx as WriteTx));
    } finally {
      await sql`PRAGMA synchronous = FULL`.execute(conn);
    }
  });
}
