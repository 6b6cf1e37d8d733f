import { type Kysely } from 'kysely';

/**
 * Frozen once released: the account in the links' (kind, value) index (the full buyer-risk
 * recompute, issue 15). The recompute's link groups (app/risk/recompute.ts) read every link a
 * kind at a time along 0001's account_links_by_value (kind, value), whose entries hold the row
 * id only: each link's account_id cost a look-up in the table, at random (18,496 `pread`s at
 * 100,000 disputes, 312,830 at 300,000: the phase grew faster than the buyers). The same index,
 * the account appended: every query that used it still does (same leading columns; the related
 * cases' "same device / address / payment" look-up too), and the groups' read becomes an
 * index-only scan. No index is added, so a link's insert writes as many entries as before, each
 * longer by its account id; a first bulk load still defers it (db/repos/bulk-load.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // IF EXISTS: a first bulk load that died before its end left it dropped (db/repos/bulk-load.ts).
  await db.schema.dropIndex('account_links_by_value').ifExists().execute();
  await db.schema.createIndex('account_links_by_value').on('account_links').columns(['kind', 'value', 'account_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('account_links_by_value').ifExists().execute();
  // As 0001 made it.
  await db.schema.createIndex('account_links_by_value').on('account_links').columns(['kind', 'value']).execute();
}
