import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect-helpers';

/**
 * Frozen once released (issue 16, the deadline sweep): a writer that inserts many first
 * decisions at once may put their report rows itself, as one statement, instead of the
 * per-row trigger's refresh (0028's report_decisions_insert, guarded by 0031: a DELETE and an
 * INSERT … SELECT joining six tables for every first decision, 21–25 µs of a default's CPU).
 *
 * SQLite only (PostgreSQL's refresh already runs once a statement, over the set it touched):
 * - report_writer: empty, always, outside a writer's transaction. A writer inserts its one row,
 *   inserts the decisions, deletes the row, then refreshes those cases' report rows itself, in
 *   the same transaction (db/repos/case-write.ts); every other writer (commands one at a time,
 *   feeds, imports, the shell) finds it empty and the trigger fires as before.
 * - report_decisions_insert: 0031's guard (NEW.seq = 1) gains "and report_writer is empty".
 *   The body is taken from the database and kept as it is; down takes exactly that text out.
 * - report_case_rows: the rows the trigger's INSERT … SELECT computes, as a view (its SELECT
 *   taken from the trigger's own text, the one case's condition left out): the writer's
 *   refresh reads it with the case ids as a set, so both compute with the very same SQL.
 */

const GUARD = ' AND /* 0050 */ NOT EXISTS (SELECT 1 FROM report_writer)';
const TRIGGER = 'report_decisions_insert';
const ONE_CASE = ' AND d.case_id = NEW.case_id; END';

async function triggerText(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ${TRIGGER}`.execute(db);
  if (!rows[0]) throw new Error(`0050: no trigger ${TRIGGER}`);
  return rows[0].sql;
}

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  const text = await triggerText(db);
  // The view's SELECT: the trigger's, from its SELECT to the one case's condition.
  const from = text.indexOf('SELECT d.case_id');
  const to = text.lastIndexOf(ONE_CASE);
  if (from < 0 || to < 0 || !text.endsWith(ONE_CASE)) throw new Error(`0050: ${TRIGGER} is not the trigger 0028 created`);
  await sql.raw(`CREATE VIEW IF NOT EXISTS report_case_rows AS ${text.slice(from, to)}`).execute(db);
  await sql.raw('CREATE TABLE IF NOT EXISTS report_writer (one INTEGER PRIMARY KEY)').execute(db);
  if (text.includes(GUARD)) return;
  const at = text.indexOf(' BEGIN ');
  const head = text.slice(0, at);
  if (at < 0 || !head.includes(' WHEN ')) throw new Error(`0050: ${TRIGGER} has no guard to extend`);
  await sql.raw(`DROP TRIGGER ${TRIGGER}`).execute(db);
  await sql.raw(`${head}${GUARD}${text.slice(at)}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  const text = await triggerText(db);
  if (text.includes(GUARD)) {
    await sql.raw(`DROP TRIGGER ${TRIGGER}`).execute(db);
    await sql.raw(text.replace(GUARD, '')).execute(db);
  }
  await sql.raw('DROP VIEW IF EXISTS report_case_rows').execute(db);
  await sql.raw('DROP TABLE IF EXISTS report_writer').execute(db);
}
