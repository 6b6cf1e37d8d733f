import { sql, type Kysely } from 'kysely';
import { dialectOf, dropColumns } from './dialect-helpers';

/**
 * Frozen once released: the queue's sort by buyer risk as an index walk (issue 17, at 1M cases).
 * - cases.buyer_score: a copy of the buyer's stored score (buyer_risk.score), -1 while the buyer
 *   has no buyer_risk row (not scored yet: below every score, 0–100, in every tab and either
 *   way). Written in the same transaction as every change of the stored score
 *   (db/repos/risk/case-scores.ts: the incremental update's flush, the full recompute).
 *   NOT NULL with a constant default: a metadata-only change on both dialects (no rewrite).
 * - The backfill (copyScores) runs before the risk indexes exist, so it writes no entry of theirs.
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
 * The backfill, while no index holds the column: the scored buyers' cases take the score, the
 * others keep -1.
 * - SQLite: one UPDATE … FROM buyer_risk (3.33+): it rewrites the rows, and only the indexes that
 *   hold a changed column (none yet).
 * - PostgreSQL: the table rewritten once by ALTER COLUMN … TYPE … USING (a lookup function, as
 *   USING takes no subquery), its indexes rebuilt in bulk. An UPDATE there writes a new version of
 *   every row and an entry in each of the table's twenty-odd indexes, and the statement triggers
 *   fold a million-row transition table: 39 s against 8.5 s for the rewrite at 200,000 cases
 *   (load 12), 193 s at 1M.
 */
export async function copyScores(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    await sql`UPDATE cases SET buyer_score = br.score FROM buyer_risk br WHERE br.buyer_id = cases.buyer_id`.execute(db);
    return;
  }
  // On one connection: pg_temp is the session's (the migrator's transaction holds one already).
  const rewrite = async (c: Kysely<any>) => {
    await sql`CREATE FUNCTION pg_temp.md_0034_score_of(text) RETURNS integer LANGUAGE sql STABLE
      AS $$ SELECT score FROM buyer_risk WHERE buyer_id = $1 $$`.execute(c);
    await sql`ALTER TABLE cases ALTER COLUMN buyer_score TYPE integer USING coalesce(pg_temp.md_0034_score_of(buyer_id), -1)`.execute(c);
    await sql`DROP FUNCTION pg_temp.md_0034_score_of(text)`.execute(c);
  };
  if (db.isTransaction) await rewrite(db);
  else await db.connection().execute(rewrite);
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
  await dropColumns(db, 'cases', ['buyer_score']);
}
