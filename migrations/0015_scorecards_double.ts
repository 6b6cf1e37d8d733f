import type { Kysely } from 'kysely';

/**
 * Frozen once released: quality scorecards, calibration and blind double decisions (issue 18).
 * - quality_reviews.calibration: 1 when the sample is one of the shared calibration samples
 *   (a keyed draw at sampling time) that two supervisors score independently;
 * - quality_scorecards: one supervisor's scorecard of one sampled decision (1–5 for evidence
 *   handling, quality of reasons, policy adherence and letter clarity; root causes of the low
 *   marks as JSON text). Several per sample when supervisors calibrate;
 * - double_decisions: a case chosen (keyed draw on its id) for a blind second decision at its
 *   first mediator's decision, the mediator picked to decide it again without seeing the
 *   first, and that second decision once made. It never changes the case's outcome.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('quality_reviews')
    .addColumn('calibration', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('quality_scorecards')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('decision_seq', 'integer', (c) => c.notNull())
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('evidence_score', 'integer', (c) => c.notNull())
    .addColumn('reasons_score', 'integer', (c) => c.notNull())
    .addColumn('policy_score', 'integer', (c) => c.notNull())
    .addColumn('letters_score', 'integer', (c) => c.notNull())
    .addColumn('causes', 'text', (c) => c.notNull()) // JSON: { criterion: { cause, note } } for marks ≤ 2
    .addColumn('verdict', 'text', (c) => c.notNull()) // agree | disagree
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('scored_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('quality_scorecards_pkey', ['case_id', 'decision_seq', 'reviewer_id'])
    .execute();
  await db.schema.createIndex('quality_scorecards_by_time').on('quality_scorecards').columns(['scored_at']).execute();

  await db.schema
    .createTable('double_decisions')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('first_seq', 'integer', (c) => c.notNull())
    .addColumn('first_decided_by', 'text', (c) => c.notNull())
    .addColumn('second_decider', 'text', (c) => c.notNull())
    .addColumn('selected_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('amount_minor', 'integer')
    .addColumn('reasons', 'text')
    .addColumn('decided_at', 'bigint')
    .execute();
  // A mediator's waiting blind decisions; the agreement report reads decided ones by time.
  await db.schema.createIndex('double_decisions_by_decider').on('double_decisions').columns(['second_decider', 'decided_at']).execute();
  await db.schema.createIndex('double_decisions_by_time').on('double_decisions').columns(['decided_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('double_decisions').execute();
  await db.schema.dropTable('quality_scorecards').execute();
  await db.schema.alterTable('quality_reviews').dropColumn('calibration').execute();
}
