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

let freshCount = 0;
/** A new empty database of its own on the test server `base` points at, as a URL (so a second connection or process can open it). */
export async function freshPgDatabaseUrl(base: string, unique = `${process.pid}_${Date.now()}_${freshCount++}`): Promise<string> {
  const u = new URL(base);
  const name = `md_test_${unique}`;
  const pg = await import('pg');
  const client = new (pg.default ?? pg).Client({ connectionString: u.toString() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openTestDb(url: string): Promise<Db> {
  if (url.includes('md_fresh=')) {
    const u = new URL(url);
    const unique = u.searchParams.get('md_fresh')!;
    u.searchParams.delete('md_fresh');
    return openDatabase({ url: await freshPgDatabaseUrl(u.toString(), unique) });
  }
  return openDatabase({ url });
}

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
