import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: "my overdue" (issue 12). cases_mine_overdue holds (assignee_id,
 * next_due_at) of the open cases only, so a mediator's overdue count and the Mine tab's
 * overdue filter read their own open cases by the nearest deadline, never the closed
 * history that makes up most of a team's database. The predicate is cases_open_by_escalation's
 * (0011), word for word, and the "mine" queries say "open" the same way: SQLite matches a
 * partial index only on the same term, and PostgreSQL, given a separate `status IN (…)`, counts
 * the state's selectivity twice and prefers ANDing three bitmaps over this index.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX cases_mine_overdue ON cases (assignee_id, next_due_at)
    WHERE status NOT IN ('closed', 'appealed', 'final')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS cases_mine_overdue`.execute(db);
}
