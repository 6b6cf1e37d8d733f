import { sql, SqliteAdapter, type Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * The one place that knows SQLite from PostgreSQL. Everything else is kysely's portable
 * query builder; what cannot be said portably at run time (EXPLAIN, the page cache) lives here; the
 * migrations keep their own frozen copy of the schema-time helpers (migrations/dialect-helpers.ts).
 */
export type DialectName = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<Database>): DialectName {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}

/** The query plan as text lines, for tests that assert an index is used. */
export async function explain(db: Kysely<Database>, query: { sql: string; parameters: readonly unknown[] }): Promise<string[]> {
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
export async function withPageCache<T>(db: Kysely<Database>, mebibytes: number, work: () => Promise<T>): Promise<T> {
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

/**
 * Hands back the memory of SQLite's page cache pages that nothing holds (`PRAGMA shrink_memory`)
 * on this connection; the cache fills again as later statements read. Between a first load
 * and its end-of-load scoring: the load's and the index build's pages would otherwise stay in
 * the allocator's free lists under the scoring's peak (issue 16, session 30: ~28 MB at
 * 100,000 disputes). Nothing to do on PostgreSQL.
 */
export async function releasePageCache(db: Kysely<Database>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql.raw('PRAGMA shrink_memory').execute(db);
}

/**
 * SQLite in WAL mode: copies every committed frame of the WAL into the database file and cuts
 * the WAL to nothing (`wal_checkpoint(TRUNCATE)`), before a long read-heavy job. A first load
 * leaves up to 256 MiB of WAL (bulk-load.ts withRelaxedCommits) plus the index build's frames:
 * every page a later transaction reads is first looked up in the wal-index, and a long
 * transaction cannot checkpoint them itself (its own snapshot pins them). Best effort: another
 * connection reading the WAL makes it stop short (SQLITE_BUSY is returned, not thrown), and
 * then the job runs as it would have. Nothing to do on PostgreSQL, or outside WAL mode.
 * Returns the WAL frames that were in it (0: nothing done).
 */
export async function checkpointWal(db: Kysely<Database>): Promise<number> {
  if (dialectOf(db) !== 'sqlite') return 0;
  const r = await sql.raw<{ busy: number; log: number; checkpointed: number }>('PRAGMA wal_checkpoint(TRUNCATE)').execute(db);
  return Math.max(0, Number(r.rows[0]?.log ?? 0));
}
