import type { Kysely } from 'kysely';

/**
 * Frozen once released: languages and reports.
 * - accounts.language: the language each party reads, from the dispute (a BCP-47 tag such as
 *   "pt-BR"); null when the feed does not say (letters then follow the country, then English);
 * - message_translations: a mediator's translation of a party's message, shown beside the
 *   original (one per message; replacing it keeps who and when of the latest);
 * - decisions_first_by_time: the supervisors' reports select first decisions (seq 1) by time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('language', 'text').execute();
  await db.schema
    .createTable('message_translations')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('message_seq', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('translated_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('translated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_translations_pkey', ['case_id', 'message_seq'])
    .execute();
  // Reports read the cases first decided in a period (seq 1) by time.
  await db.schema.createIndex('decisions_first_by_time').on('decisions').columns(['seq', 'decided_at']).execute();
}
