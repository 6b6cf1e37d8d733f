import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: the queue's server-side sort and the stored language of party messages.
 * - The queue sorts by claimed amount and by next deadline as well as by escalation (issue 17).
 *   Each sort is a keyset walk over an index ending on the case id, for each way a page walks:
 *   one state (status, key, id), every open state (a partial index with cases_open_by_escalation's
 *   predicate, word for word, so SQLite matches it), any states (key, id). The deadline key is
 *   `coalesce(next_due_at, 9007199254740991)`: a case without a running deadline sorts after
 *   every deadline on both dialects (SQLite and PostgreSQL place NULLs at opposite ends), and the
 *   queries write the expression exactly so.
 * - messages.language / language_sure: the language a party message is in, found once (at
 *   intake, or the first time the case is read for rows written before) instead of on every
 *   read: an ISO 639-1 code, '' when the identifier had no answer, NULL when not looked at yet;
 *   language_sure 0 when another language scored almost as well.
 */
const OPEN = sql.raw(`WHERE status NOT IN ('closed', 'appealed', 'final')`);
const DEADLINE = sql.raw('(coalesce(next_due_at, 9007199254740991))');

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX cases_queue_by_claim ON cases (status, claim_amount_minor, id)`.execute(db);
  await sql`CREATE INDEX cases_open_by_claim ON cases (claim_amount_minor, id) ${OPEN}`.execute(db);
  await sql`CREATE INDEX cases_by_claim ON cases (claim_amount_minor, id)`.execute(db);
  await sql`CREATE INDEX cases_queue_by_deadline ON cases (status, ${DEADLINE}, id)`.execute(db);
  await sql`CREATE INDEX cases_open_by_deadline ON cases (${DEADLINE}, id) ${OPEN}`.execute(db);
  await sql`CREATE INDEX cases_by_deadline ON cases (${DEADLINE}, id)`.execute(db);

  await db.schema.alterTable('messages').addColumn('language', 'text').execute();
  await db.schema.alterTable('messages').addColumn('language_sure', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of [
    'cases_queue_by_claim',
    'cases_open_by_claim',
    'cases_by_claim',
    'cases_queue_by_deadline',
    'cases_open_by_deadline',
    'cases_by_deadline',
  ])
    await sql`DROP INDEX IF EXISTS ${sql.raw(name)}`.execute(db);
  await db.schema.alterTable('messages').dropColumn('language_sure').execute();
  await db.schema.alterTable('messages').dropColumn('language').execute();
}
