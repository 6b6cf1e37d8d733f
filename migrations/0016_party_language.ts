import type { Kysely } from 'kysely';

/**
 * Frozen once released: the language each party reads, from the dispute (a BCP-47 tag such
 * as "pt-BR"). Null for accounts imported before it existed or when the feed does not say;
 * letters then fall back to the country's language, then English.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('language', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('language').execute();
}
