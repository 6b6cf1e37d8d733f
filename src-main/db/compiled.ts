import { CompiledQuery, type Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { DialectName } from './dialect';
import type { Database } from './schema';

/**
 * Statements written once as text and run without the query builder, for the hottest paths
 * (the per-event fraud-score update runs a dozen small statements in every intake and
 * decision transaction). On SQLite, inside a transaction, they run straight on the
 * connection's better-sqlite3 handle: kysely's SQLite driver holds its only connection for
 * the transaction, so the handle is that transaction's, and a statement costs a few
 * microseconds instead of the driver's ~20 (its mutex, promise hops, result wrapping).
 * Elsewhere (PostgreSQL, or SQLite outside a transaction, where another caller may hold the
 * connection) they go through kysely as compiled queries.
 */

export interface StatementSource {
  prepare(sql: string): BetterSqlite3.Statement;
}

/** Keyed by the kysely adapter: one per opened database, shared by its transactions. */
const handles = new WeakMap<object, StatementSource>();

/** Called by connect.ts for every SQLite database it opens. */
export function registerSqliteHandle(db: Kysely<Database>, source: StatementSource): void {
  handles.set(db.getExecutor().adapter, source);
}

/**
 * The better-sqlite3 handle of `db` when it is a SQLite transaction (its statements then run
 * on it synchronously, no promise hop per statement), else undefined.
 */
export function handleOf(db: Kysely<Database>): StatementSource | undefined {
  return db.isTransaction ? handles.get(db.getExecutor().adapter) : undefined;
}

/** Runs a statement that returns rows; parameters bound in order (`?` on SQLite, `$n` on PostgreSQL). */
export async function queryRows<R>(db: Kysely<Database>, text: string, params: readonly unknown[]): Promise<R[]> {
  const h = handleOf(db);
  if (h) return h.prepare(text).all(...params) as R[];
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows;
}

/** Runs a statement that returns no rows. */
export async function execute(db: Kysely<Database>, text: string, params: readonly unknown[]): Promise<void> {
  const h = handleOf(db);
  if (h) {
    h.prepare(text).run(...params);
    return;
  }
  await db.executeQuery(CompiledQuery.raw(text, [...params]));
}

/** Runs a statement that returns no rows; how many rows it changed (an UPDATE's version guard). */
export async function executeCount(db: Kysely<Database>, text: string, params: readonly unknown[]): Promise<number> {
  const h = handleOf(db);
  if (h) return h.prepare(text).run(...params).changes;
  return Number((await db.executeQuery(CompiledQuery.raw(text, [...params]))).numAffectedRows ?? 0);
}

/**
 * The right side of `IN` for text keys bound as ONE parameter (`$from` on PostgreSQL), as
 * batch.ts's `keysIn` writes it for kysely: one statement text whatever the count.
 */
export function textKeysIn(dialect: DialectName, from = 1): string {
  return dialect === 'sqlite' ? '(SELECT value FROM json_each(?))' : `(SELECT unnest(CAST($${from} AS text[])))`;
}

/** The one parameter an IN list of keys binds (textKeysIn, deadlines' ids): a JSON array on SQLite, an array on PostgreSQL. */
export const keysParam = (dialect: DialectName, keys: readonly (string | number)[]): unknown =>
  dialect === 'sqlite' ? JSON.stringify(keys) : keys;
