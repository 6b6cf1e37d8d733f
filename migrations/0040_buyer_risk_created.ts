import { sql, type Kysely } from 'kysely';
import { dropColumns } from './dialect-helpers';

/**
 * Frozen once released: when each buyer's account was opened, where the buyer-risk update and
 * the full recompute both see it (model v12, issue 15: the odd one out of a shared device).
 * - buyer_risk.created_at: accounts.created_at as the update last saw it with the buyer's
 *   dispute (epoch ms; null when the feed did not say). A linked account's link reason reads it
 *   with its neighbours' risky flag (one narrow read, not the account rows).
 * Existing rows take their account's date at once, so the per-event updates agree with a full
 * recompute on it; their scores stay v11's until that recompute. A plain column addition and
 * one UPDATE with a correlated subquery: the same on SQLite, PostgreSQL and PGlite.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('buyer_risk').addColumn('created_at', 'bigint').execute();
  await sql`UPDATE buyer_risk SET created_at = (SELECT a.created_at FROM accounts a WHERE a.id = buyer_risk.buyer_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropColumns(db, 'buyer_risk', ['created_at']);
}
