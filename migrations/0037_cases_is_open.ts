import { sql, type Kysely, type RawBuilder } from 'kysely';
import { dialectOf, dropColumns } from './dialect-helpers';

/**
 * Frozen once released: "open" as a column of its own, so the open-only indexes are left alone
 * while an open case moves between open states (issue 16, setup commands).
 * - cases.is_open: 1 while the case is open (escalated, in_review, awaiting_evidence,
 *   awaiting_replies), 0 once closed, appealed or final. A STORED generated column on
 *   PostgreSQL (never written). On SQLite a plain column (default 1) that two triggers correct
 *   whenever a written row's status says otherwise (a closed case inserted, a case closed by a
 *   writer that did not set it), so every writer stays right; the case save sets it itself when
 *   a case opens or closes, sparing the trigger's second UPDATE. (A generated column would not
 *   do on SQLite: it counts a generated column as changed whenever a column it reads is set,
 *   and rewrites every index whose predicate reads it.)
 * - The open-only partial indexes (0011 cases_open_by_escalation, 0012 cases_mine_overdue, 0024
 *   cases_open_by_claim / cases_open_by_deadline, 0034 cases_open_by_risk, 0036
 *   cases_mine_by_risk) are rebuilt on `WHERE is_open = 1`, their columns unchanged, and the
 *   queries say "open" the same way, word for word (db/repos/queue.ts). Their predicate was
 *   `status NOT IN ('closed', 'appealed', 'final')`: SQLite deletes and re-inserts an entry of
 *   a partial index whenever a column its predicate reads is set, so a claim (escalated ->
 *   in_review) and a request for evidence (-> awaiting_evidence) rewrote a leaf page of each of
 *   them although the case stayed open: 4 of the ~28 WAL pages a claim commits, 4 of ~33 for a
 *   request. A status change between two open states now writes none of them.
 * - cases_by_assignee (0001: assignee_id, status, next_due_at) is dropped: its last reader, the
 *   team view's open tallies per member, reads cases_mine_overdue by `is_open = 1` instead, and
 *   a claim wrote two of its leaves (one for a request for evidence).
 * - The backfill runs while no index reads the column.
 */
const CLOSED = `('closed', 'appealed', 'final')`;
const IS_OPEN = `(CASE WHEN status IN ${CLOSED} THEN 0 ELSE 1 END)`;
const OPEN = sql.raw('WHERE is_open = 1');
const DEADLINE = sql.raw('(coalesce(next_due_at, 9007199254740991))');

/** The open-only indexes, rebuilt on is_open (tests/db/cases-is-open.test.ts reads this list). */
export const OPEN_ONLY_INDEXES = [
  'cases_open_by_escalation',
  'cases_mine_overdue',
  'cases_open_by_claim',
  'cases_open_by_deadline',
  'cases_open_by_risk',
  'cases_mine_by_risk',
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const name of [...OPEN_ONLY_INDEXES, 'cases_by_assignee']) await sql`DROP INDEX IF EXISTS ${sql.raw(name)}`.execute(db);
  if (dialectOf(db) === 'sqlite') {
    await db.schema
      .alterTable('cases')
      .addColumn('is_open', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await sql`UPDATE cases SET is_open = 0 WHERE status IN ${sql.raw(CLOSED)}`.execute(db);
    // Fires only when the written row's is_open disagrees with its status; recursive triggers
    // are off, so the correcting UPDATE fires nothing further.
    const fix = `UPDATE cases SET is_open = ${IS_OPEN.replace('status', 'NEW.status')} WHERE id = NEW.id;`;
    const wrong = `NEW.is_open IS NOT ${IS_OPEN.replace('status', 'NEW.status')}`;
    await sql.raw(`CREATE TRIGGER cases_is_open_insert AFTER INSERT ON cases WHEN ${wrong} BEGIN ${fix} END`).execute(db);
    await sql
      .raw(`CREATE TRIGGER cases_is_open_update AFTER UPDATE OF status, is_open ON cases WHEN ${wrong} BEGIN ${fix} END`)
      .execute(db);
  } else {
    // One rewrite of the table (its indexes rebuilt in bulk), as migrations/0034 does.
    await sql`ALTER TABLE cases ADD COLUMN is_open integer NOT NULL GENERATED ALWAYS AS ${sql.raw(IS_OPEN)} STORED`.execute(db);
  }
  await createOpenIndexes(db, OPEN);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of OPEN_ONLY_INDEXES) await sql`DROP INDEX IF EXISTS ${sql.raw(name)}`.execute(db);
  if (dialectOf(db) === 'sqlite') {
    await sql`DROP TRIGGER IF EXISTS cases_is_open_insert`.execute(db);
    await sql`DROP TRIGGER IF EXISTS cases_is_open_update`.execute(db);
  }
  await dropColumns(db, 'cases', ['is_open']);
  await createOpenIndexes(db, sql.raw(`WHERE status NOT IN ${CLOSED}`));
  await sql`CREATE INDEX cases_by_assignee ON cases (assignee_id, status, next_due_at)`.execute(db);
}

/** The open-only indexes, their columns as 0011, 0012, 0024, 0034 and 0036 made them, on the given predicate. */
async function createOpenIndexes(db: Kysely<any>, where: RawBuilder<unknown>): Promise<void> {
  await sql`CREATE INDEX cases_open_by_escalation ON cases (escalated_at, id) ${where}`.execute(db);
  await sql`CREATE INDEX cases_mine_overdue ON cases (assignee_id, next_due_at) ${where}`.execute(db);
  await sql`CREATE INDEX cases_open_by_claim ON cases (claim_amount_minor, id) ${where}`.execute(db);
  await sql`CREATE INDEX cases_open_by_deadline ON cases (${DEADLINE}, id) ${where}`.execute(db);
  await sql`CREATE INDEX cases_open_by_risk ON cases (buyer_score, buyer_id, id) ${where}`.execute(db);
  await sql`CREATE INDEX cases_mine_by_risk ON cases (assignee_id, buyer_score, buyer_id, id) ${where}`.execute(db);
}
