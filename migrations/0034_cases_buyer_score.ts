import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: the queue's sort by buyer risk as an index walk (issue 17, at 1M cases).
 * - cases.buyer_score: a copy of the buyer's stored score (buyer_risk.score), -1 while the buyer
 *   has no buyer_risk row (not scored yet: below every score, 0–100, in every tab and either
 *   way). Written in the same transaction as every change of the stored score
 *   (db/repos/risk/case-scores.ts: the incremental update's flush, the full recompute).
 *   NOT NULL with a constant default: a metadata-only change on both dialects (no rewrite).
 * - The backfill touches only the cases of scored buyers (the others keep the default), one
 *   statement, before the indexes exist, so it writes no index entry of its own.
 * - One index per way a page walks, as migrations/0024 does for the other sorts, each ending
 *   on (buyer_id, id): one state (status, score, buyer, case), every open state (a partial
 *   index with cases_open_by_escalation's predicate, word for word, so SQLite matches it), any
 *   states (score, buyer, case).
 */
const OPEN = sql.raw(`WHERE status NOT IN ('closed', 'appealed', 'final')`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    .addColumn('buyer_score', 'integer', (c) => c.notNull().defaultTo(-1))
    .execute();
  await copyScores(db);
  await createRiskIndexes(db);
}

/**
 * The backfill: the scored buyers' cases only (the others keep -1), one UPDATE … FROM (SQLite
 * 3.33+ and PostgreSQL: one lookup of buyer_risk per case), written while no index holds the column.
 */
export async function copyScores(db: Kysely<any>): Promise<void> {
  await sql`UPDATE cases SET buyer_score = br.score FROM buyer_risk br WHERE br.buyer_id = cases.buyer_id`.execute(db);
}

/** The three indexes of the sort by risk, built once the column is filled. */
export async function createRiskIndexes(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX cases_queue_by_risk ON cases (status, buyer_score, buyer_id, id)`.execute(db);
  await sql`CREATE INDEX cases_open_by_risk ON cases (buyer_score, buyer_id, id) ${OPEN}`.execute(db);
  await sql`CREATE INDEX cases_by_risk ON cases (buyer_score, buyer_id, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['cases_queue_by_risk', 'cases_open_by_risk', 'cases_by_risk'])
    await sql`DROP INDEX IF EXISTS ${sql.raw(name)}`.execute(db);
  await db.schema.alterTable('cases').dropColumn('buyer_score').execute();
}
