import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';

/**
 * The dialect matrix every db test runs over: SQLite in memory, PGlite, and a real
 * PostgreSQL server when TEST_DATABASE_URL names one (.ci/run starts it).
 */
export const DIALECTS: Array<{ name: string; url: () => string }> = [
  { name: 'sqlite', url: () => ':memory:' },
  { name: 'pglite', url: () => 'pglite:' },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', url: () => freshSchemaUrl(process.env.TEST_DATABASE_URL!) }] : []),
];

let counter = 0;
/** Each test gets its own database on the shared server so tests never see each other's rows. */
function freshSchemaUrl(base: string): string {
  return `${base}${base.includes('?') ? '&' : '?'}md_fresh=${process.pid}_${Date.now()}_${counter++}`;
}

export async function openTestDb(url: string): Promise<Db> {
  if (url.includes('md_fresh=')) {
    const u = new URL(url);
    const name = `md_test_${u.searchParams.get('md_fresh')}`;
    u.searchParams.delete('md_fresh');
    const pg = await import('pg');
    const client = new (pg.default ?? pg).Client({ connectionString: u.toString() });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    u.pathname = `/${name}`;
    return openDatabase({ url: u.toString() });
  }
  return openDatabase({ url });
}

/** A table's indexes, name -> definition as the catalogue keeps it (sqlite_master or pg_indexes). */
export async function indexDefinitions(db: Db, table: string): Promise<Record<string, string>> {
  const { rows } =
    dialectOf(db) === 'sqlite'
      ? await sql<{
          name: string;
          def: string | null;
        }>`SELECT name, sql AS def FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table}`.execute(db)
      : await sql<{
          name: string;
          def: string;
        }>`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = ${table}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, r.def ?? '']));
}
