import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: the mediator's casework (issue 17).
 * - case_notes: internal notes on a case, for mediators and supervisors only (never in
 *   letters, the feed's outbox or an analyst's view). A note may ask one supervisor for a
 *   second opinion (`mention_id`); it stays in that supervisor's list until a note of theirs
 *   answers it (`answered_at`, `answered_by_note`). kind: note | consistency (the note a
 *   decision far from its nearest past decisions required).
 * - related cases: files by near-duplicate cluster (the seller's cases, a case by its order and
 *   orders by tracking number have their indexes since 0002).
 * - consistency: the decided cases of one reason, newest first (the nearest past decisions
 *   are looked for among them), partial on the decided states.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mention_id', 'text', (c) => c.references('users.id'))
    .addColumn('answers_id', 'text')
    .addColumn('answered_at', 'bigint')
    .addColumn('answered_by_note', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('case_notes_by_case').on('case_notes').columns(['case_id', 'created_at']).execute();
  await db.schema.createIndex('case_notes_by_mention').on('case_notes').columns(['mention_id', 'answered_at', 'created_at']).execute();

  await db.schema.createIndex('evidence_files_by_cluster').on('evidence_files').columns(['cluster_key']).execute();
  await sql`CREATE INDEX cases_decided_by_reason ON cases (reason, updated_at) WHERE status IN ('closed', 'appealed', 'final')`.execute(db);
}
