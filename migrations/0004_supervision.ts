import { sql, type Kysely } from 'kysely';
import { autoId, dialectOf, makeAppendOnly } from './dialect-helpers';

/**
 * Frozen once released: the supervisors' desk (issue 7).
 * - case_commands: every accepted case command as the contract method and input that made
 *   it (the sweep's deadlines excepted: a replay derives those), so a policy preview can
 *   replay past cases under a draft. Append-only, like case_events.
 * - quality_reviews: decisions sampled for a supervisor's quality review, and the review.
 * - settings: per-installation values (the quality sampling secret).
 * - indexes: appeals by age, decisions by time (the preview's "last N decided") and by
 *   policy version (the policy history's counts).
 * Portable types and kysely's builder only, like 0001.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_commands')
    .addColumn('id', 'integer', autoId(dialectOf(db)))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull()) // a user id, or 'intake'
    .addColumn('actor_role', 'text', (c) => c.notNull()) // mediator | supervisor | analyst | intake
    .addColumn('method', 'text', (c) => c.notNull()) // the contract method, e.g. 'case.decide'
    .addColumn('input', 'text', (c) => c.notNull()) // JSON of the contract input
    .execute();
  await makeAppendOnly(db, 'case_commands');
  await db.schema.createIndex('case_commands_by_case').on('case_commands').columns(['case_id', 'id']).execute();

  await db.schema
    .createTable('quality_reviews')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('decision_seq', 'integer', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'bigint', (c) => c.notNull())
    .addColumn('reviewer_id', 'text')
    .addColumn('verdict', 'text') // agree | disagree
    .addColumn('note', 'text')
    .addColumn('reviewed_at', 'bigint')
    .addPrimaryKeyConstraint('quality_reviews_pk', ['case_id', 'decision_seq'])
    .execute();
  // The pending list (oldest sample first) is a walk of the few unreviewed rows.
  await db.schema
    .createIndex('quality_reviews_pending')
    .on('quality_reviews')
    .columns(['sampled_at', 'case_id'])
    .where(sql.ref('reviewed_at'), 'is', null)
    .execute();
  await db.schema.createIndex('quality_reviews_by_review').on('quality_reviews').columns(['reviewed_at', 'case_id']).execute();
  await db.schema.createIndex('quality_reviews_by_decider').on('quality_reviews').columns(['decided_by', 'verdict']).execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('appeals_by_status').on('appeals').columns(['status', 'filed_at', 'case_id']).execute();
  await db.schema.createIndex('decisions_by_time').on('decisions').columns(['decided_at', 'case_id']).execute();
  await db.schema.createIndex('decisions_by_policy').on('decisions').columns(['policy_version']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['decisions_by_policy', 'decisions_by_time', 'appeals_by_status']) await db.schema.dropIndex(index).execute();
  for (const table of ['settings', 'quality_reviews', 'case_commands']) await db.schema.dropTable(table).execute();
  if (dialectOf(db) === 'postgres') await sql.raw('DROP FUNCTION IF EXISTS case_commands_append_only()').execute(db);
}
