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
  if (h) return rowsOf<R>(h.prepare(text), params);
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...params]))).rows;
}

/**
 * Per statement, a function that makes one row object out of its values in column order, as one
 * object literal (null: the statement's rows are made by better-sqlite3, see rowsOf).
 */
const rowMakers = new WeakMap<BetterSqlite3.Statement, ((values: unknown[]) => unknown) | null>();

function rowMakerOf(stmt: BetterSqlite3.Statement): ((values: unknown[]) => unknown) | null {
  let make = rowMakers.get(stmt);
  if (make !== undefined) return make;
  const names = stmt.reader ? stmt.columns().map((c) => c.name) : [];
  // A literal's "__proto__" key would set the prototype, not a property: such rows stay better-sqlite3's.
  make = names.length && !names.includes('__proto__') ? literalMaker(names) : null;
  rowMakers.set(stmt, make);
  return make;
}

/**
 * `(v) => ({ "col0": v[0], "col1": v[1], … })` for these column names (quoted by JSON.stringify,
 * the text is ours: names of our own statements' columns). A duplicated name keeps its last
 * value, as better-sqlite3's objects do.
 */
function literalMaker(names: string[]): (values: unknown[]) => unknown {
  const body = `return { ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from our own statements' column names, once per statement
  return new Function('v', body) as (values: unknown[]) => unknown;
}

/**
 * The rows of a prepared SQLite statement, as the objects `all()` would return (same keys, same
 * order, same values), made from its raw value arrays by one object literal per statement:
 * better-sqlite3 builds each row object by setting its properties one by one, which for a wide
 * row cost twice what reading it did (a buyer_risk row, 30 columns: 19–23 µs as objects, 9–12
 * as arrays made into literals; a cases row, 24 columns, 17–19 → 9–10 µs; CPU, 256-row reads,
 * issue 16 session 27). The raw mode is set and reset around the call: the statement cache is
 * shared with kysely's driver, which expects objects.
 */
function rowsOf<R>(stmt: BetterSqlite3.Statement, params: readonly unknown[]): R[] {
  const make = rowMakerOf(stmt);
  if (!make) return stmt.all(...params) as R[];
  stmt.raw(true);
  let values: unknown[][];
  try {
    values = stmt.all(...params) as unknown[][];
  } finally {
    stmt.raw(false);
  }
  const rows = new Array<R>(values.length);
  for (let i = 0; i < values.length; i++) rows[i] = make(values[i]!) as R;
  return rows;
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
