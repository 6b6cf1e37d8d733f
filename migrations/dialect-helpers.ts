import { sql, SqliteAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

/**
 * FROZEN. The dialect helpers the migrations use, copied from src-main/db/dialect.ts as it
 * was when they were written. Migrations import nothing from src-main: a later change to
 * db/dialect.ts must not change what an old migration creates. Never edit these; a
 * migration that needs different SQL gets a new helper here.
 */
type DialectName = 'sqlite' | 'postgres';

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

/**
 * Drops columns of a table, for a migration's `down`. On SQLite, `ALTER TABLE … DROP COLUMN`
 * re-parses every trigger of the schema and refuses the report triggers of 0028 (their upserts
 * name the target `AS f`, which its check cannot resolve: "no such column: f.decided"), so the
 * triggers are set aside, the columns dropped and the triggers put back from their stored text,
 * all inside the migration's transaction. A trigger that used a dropped column fails to come
 * back, and so fails the migration, as it should. PostgreSQL drops the columns directly.
 */
export async function dropColumns(db: Kysely<any>, table: string, columns: string[]): Promise<void> {
  if (dialectOf(db) !== 'sqlite') {
    for (const c of columns) await db.schema.alterTable(table).dropColumn(c).execute();
    return;
  }
  const { rows } = await sql<{
    name: string;
    sql: string;
  }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY rowid`.execute(db);
  for (const t of rows) await sql.raw(`DROP TRIGGER "${t.name.replace(/"/g, '""')}"`).execute(db);
  for (const c of columns) await db.schema.alterTable(table).dropColumn(c).execute();
  for (const t of rows) await sql.raw(t.sql).execute(db);
}
