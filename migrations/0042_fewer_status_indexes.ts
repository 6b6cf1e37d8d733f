import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: fewer index entries moved by a status change (issue 16, setup commands
 * and the sweep). A claim (escalated -> in_review, an assignee set) and a request for evidence
 * (in_review -> awaiting_evidence, a deadline set) each committed ~25 WAL pages, ~10 of them the
 * entries of five indexes moving between leaves: the four status-led sorts of one state and
 * cases_mine_overdue. Which queries they served, and what serves them now:
 * - cases_queue_by_claim / _by_deadline / _by_risk (0024, 0034: status, key, id): one state
 *   sorted by claim, deadline or risk. The one state the desk asks for that way every day is
 *   "Unassigned" (escalated); three partial indexes of the escalated cases only
 *   (cases_escalated_by_*) serve it. Their predicate, `coalesce(status, '') = 'escalated'` (the
 *   status is never null), is what db/repos/queue.ts writes, word for word: SQLite uses a partial
 *   index only for a WHERE term identical to its predicate, and a plain `status = 'escalated'`
 *   would let its planner take cases_queue's status range and sort it instead. A claim deletes its entry there (one leaf each) and a request for evidence or a default
 *   touches none of them. Any other single state sorted so walks the open cases' index of that
 *   sort (an open state) or every case's (a closed one) with the state as a filter, in the
 *   bounded window every filtered walk has (app/queue/queue.ts SCAN_WINDOW): as several states
 *   already did.
 * - cases_mine_overdue (0012, 0037: assignee_id, next_due_at, open only): "Mine", one
 *   assignee's open cases, the overdue count and the team's tallies per member. Each reads all
 *   of an assignee's open cases (the overdue test is an OR the deadline cannot range over), so
 *   cases_mine_by_risk (0036: assignee_id, buyer_score, buyer_id, id, open only) serves them by
 *   its first column, and a request for evidence (a deadline set) no longer moves an entry.
 * cases_queue (status, escalated_at, id) stays: one state by escalation, the queue's default.
 */
const ESCALATED = sql.raw(`WHERE coalesce(status, '') = 'escalated'`);
const OPEN = sql.raw('WHERE is_open = 1');
const DEADLINE = sql.raw('(coalesce(next_due_at, 9007199254740991))');

export async function up(db: Kysely<any>): Promise<void> {
  for (const name of ['cases_queue_by_claim', 'cases_queue_by_deadline', 'cases_queue_by_risk', 'cases_mine_overdue'])
    await sql`DROP INDEX IF EXISTS ${sql.raw(name)}`.execute(db);
  await sql`CREATE INDEX cases_escalated_by_claim ON cases (claim_amount_minor, id) ${ESCALATED}`.execute(db);
  await sql`CREATE INDEX cases_escalated_by_deadline ON cases (${DEADLINE}, id) ${ESCALATED}`.execute(db);
  await createEscalatedRiskIndex(db);
}

/** The by-risk index of the escalated cases (also what the risk-sort bench builds after 0034's, which it times). */
export async function createEscalatedRiskIndex(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX cases_escalated_by_risk ON cases (buyer_score, buyer_id, id) ${ESCALATED}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['cases_escalated_by_claim', 'cases_escalated_by_deadline', 'cases_escalated_by_risk'])
    await sql`DROP INDEX IF EXISTS ${sql.raw(name)}`.execute(db);
  // As 0024, 0034 and 0037 made them.
  await sql`CREATE INDEX cases_queue_by_claim ON cases (status, claim_amount_minor, id)`.execute(db);
  await sql`CREATE INDEX cases_queue_by_deadline ON cases (status, ${DEADLINE}, id)`.execute(db);
  await sql`CREATE INDEX cases_queue_by_risk ON cases (status, buyer_score, buyer_id, id)`.execute(db);
  await sql`CREATE INDEX cases_mine_overdue ON cases (assignee_id, next_due_at) ${OPEN}`.execute(db);
}
