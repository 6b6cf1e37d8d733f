import { sql, SqliteAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * The one place that knows SQLite from PostgreSQL. Everything else is kysely's portable
 * query builder; what cannot be said portably (identity columns, triggers, EXPLAIN) lives here.
 */
export type DialectName = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

/** An auto-numbered integer primary key. */
export function autoId(dialect: DialectName) {
  return (c: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
}

/** Refuse UPDATE and DELETE on an audit table at the database level. */
export async function makeAppendOnly(db: Kysely<any>, table: string): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE'])
      await sql
        .raw(
          `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
        )
        .execute(db);
  } else {
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`,
      )
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`)
      .execute(db);
  }
}

/** The query plan as text lines, for tests that assert an index is used. */
export async function explain(db: Kysely<any>, query: { sql: string; parameters: readonly unknown[] }): Promise<string[]> {
  if (dialectOf(db) === 'sqlite') {
    const r = await db.executeQuery<{ detail: string }>({
      ...query,
      sql: `EXPLAIN QUERY PLAN ${query.sql}`,
      query: undefined as never,
      queryId: undefined as never,
    });
    return r.rows.map((x) => x.detail);
  }
  const r = await db.executeQuery<{ 'QUERY PLAN': string }>({
    ...query,
    sql: `EXPLAIN ${query.sql}`,
    query: undefined as never,
    queryId: undefined as never,
  });
  return r.rows.map((x) => x['QUERY PLAN']);
}

/**
 * Runs `work` with SQLite's page cache raised to at least `mebibytes` for this connection,
 * then puts the previous size back. For bulk writes (a million-case import inserts into
 * indexes all over a multi-gigabyte file; the default 2 MB cache re-reads their pages from
 * the OS all the time). PostgreSQL sizes its own buffers: there `work` just runs.
 */
export async function withPageCache<T>(db: Kysely<any>, mebibytes: number, work: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'sqlite') return work();
  const pragma = async (name: string) =>
    Number(Object.values((await sql.raw(`PRAGMA ${name}`).execute(db)).rows[0] as Record<string, unknown>)[0]);
  const before = await pragma('cache_size');
  const beforeKiB = before < 0 ? -before : (before * (await pragma('page_size'))) / 1024;
  const wantedKiB = Math.round(mebibytes * 1024);
  if (beforeKiB >= wantedKiB) return work();
  await sql.raw(`PRAGMA cache_size = -${wantedKiB}`).execute(db);
  try {
    return await work();
  } finally {
    await sql.raw(`PRAGMA cache_size = ${Math.trunc(before)}`).execute(db);
  }
}
