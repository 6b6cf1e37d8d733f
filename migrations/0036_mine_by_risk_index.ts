import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: "Mine" sorted by buyer risk as an index walk (issue 17).
 * cases_mine_by_risk holds (assignee_id, buyer_score, buyer_id, id) of the open cases only, so
 * a mediator's page by risk reads their own open cases in (score, buyer, case) order from the
 * cursor on, either way, and stops after the page: no sort of all of them (255 ms on SQLite at
 * 6,000 open cases per mediator), and no walk of every open case of the team along
 * cases_open_by_risk (migrations/0034) filtered to one assignee. The predicate is
 * cases_open_by_escalation's (0011), word for word, as the "mine" queries say "open".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX cases_mine_by_risk ON cases (assignee_id, buyer_score, buyer_id, id)
    WHERE status NOT IN ('closed', 'appealed', 'final')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS cases_mine_by_risk`.execute(db);
}
