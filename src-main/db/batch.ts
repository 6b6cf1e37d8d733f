import { sql, type Kysely, type RawBuilder } from 'kysely';
import { canCopy, copyRows } from './copy';
import { execute } from './compiled';
import { dialectOf, type DialectName } from './dialect';
import type { Database } from './schema';

/** SQLite allows 32,766 bound parameters per statement; multi-row inserts stay well under it. */
const MAX_PARAMS = 30_000;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The right side of `IN` for a list of keys, bound as ONE value (a JSON array read by
 * json_each on SQLite, an array on PostgreSQL): one statement text whatever the count (no
 * prepare per chunk length), and none of kysely's per-value parsing and binding.
 */
export function keysIn<K extends string | number>(db: Kysely<Database>, keys: readonly K[]): RawBuilder<K> {
  if (dialectOf(db) === 'sqlite') return sql<K>`(SELECT value FROM json_each(${JSON.stringify(keys)}))`;
  return typeof keys[0] === 'number'
    ? sql<K>`(SELECT unnest(CAST(${keys} AS bigint[])))`
    : sql<K>`(SELECT unnest(CAST(${keys} AS text[])))`;
}

/** Writes rows in multi-row inserts sized by their column count (every row must spell out the same columns). */
export async function insertChunked<T extends object>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  if (!rows.length) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (const chunk of chunks(rows, per)) await write(chunk);
}

/** Items grouped by a key, each group in input order. */
export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/**
 * Multi-row INSERT statements written once per (table, columns, row count, conflict clause)
 * and run as compiled SQL: no query-builder work per row (at a million disputes kysely's
 * value parsing and compiling cost more than SQLite's own work), and SQLite reuses the
 * prepared statement (db/connect.ts caches statements by text). Row counts are powers of
 * two up to a cap, so a batch of any size needs at most a handful of distinct statements.
 */
export interface RowTable {
  table: string;
  columns: readonly string[];
  /** Text after VALUES (…): `ON CONFLICT …`, the same in both dialects. */
  conflict?: string;
}

/** From this many rows on, PostgreSQL is sent COPY (db/copy.ts) rather than INSERT statements. */
const COPY_FROM_ROWS = 64;

const statementText = new Map<string, string>();

function insertText(dialect: DialectName, t: RowTable, rows: number): string {
  const key = `${dialect}\u0000${t.table}\u0000${t.columns.join(',')}\u0000${rows}\u0000${t.conflict ?? ''}`;
  let text = statementText.get(key);
  if (!text) {
    const k = t.columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const ph = dialect === 'sqlite' ? Array<string>(k).fill('?') : Array.from({ length: k }, (_, c) => `$${r * k + c + 1}`);
      tuples.push(`(${ph.join(',')})`);
    }
    const cols = t.columns.map((c) => `"${c}"`).join(',');
    text = `INSERT INTO "${t.table}" (${cols}) VALUES ${tuples.join(',')}${t.conflict ? ` ${t.conflict}` : ''}`;
    statementText.set(key, text);
  }
  return text;
}

/** Writes `rows` (each one value per column, in `t.columns` order) in the caller's transaction. */
export async function insertRows(db: Kysely<Database>, t: RowTable, rows: readonly (readonly unknown[])[]): Promise<void> {
  if (!rows.length) return;
  const dialect = dialectOf(db);
  if (dialect === 'postgres' && rows.length >= COPY_FROM_ROWS && canCopy(db)) return copyRows(db, t, rows);
  // SQLite binds at most 32,766 parameters and PostgreSQL 65,535 per statement; 256 rows
  // already amortise the per-statement cost.
  const cap = Math.min(256, 2 ** Math.floor(Math.log2(MAX_PARAMS / t.columns.length)));
  let i = 0;
  while (i < rows.length) {
    let n = cap;
    while (n > rows.length - i) n >>= 1;
    // Sized once and filled by index: thousands of values per statement, every batch.
    const width = t.columns.length;
    const params: unknown[] = new Array(n * width);
    for (let r = 0; r < n; r++) {
      const row = rows[i + r]!;
      for (let c = 0; c < width; c++) params[r * width + c] = row[c];
    }
    await execute(db, insertText(dialect, t, n), params);
    i += n;
  }
}

/** insertRows for rows as objects (every row the same keys, in the first row's order): a plain insert. */
export async function insertObjects<T extends object>(db: Kysely<Database>, table: string, rows: readonly T[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!) as Array<keyof T & string>;
  await insertRows(
    db,
    { table, columns },
    rows.map((r) => columns.map((c) => r[c])),
  );
}

/**
 * insertRows for rows as objects (every row the same keys, the first row's order): an upsert
 * on `key`, the `update` columns taken from the new row.
 */
export async function upsertObjects<T extends object>(
  db: Kysely<Database>,
  table: string,
  rows: readonly T[],
  key: ReadonlyArray<keyof T & string>,
  update: ReadonlyArray<keyof T & string>,
): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!) as Array<keyof T & string>;
  const set = update.map((c) => `"${c}" = excluded."${c}"`).join(', ');
  const conflict = `ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')}) ${update.length ? `DO UPDATE SET ${set}` : 'DO NOTHING'}`;
  await insertRows(
    db,
    { table, columns, conflict },
    rows.map((r) => columns.map((c) => r[c])),
  );
}
