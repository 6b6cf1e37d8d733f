import type { Kysely } from 'kysely';

/**
 * Frozen once released: the buyer fraud-pattern score's rows (src-main/engine/risk), kept up
 * to date in the same transaction as every event that touches a buyer.
 * - buyer_risk: one row per buyer: raw counts as columns (the priors are fitted with one SQL
 *   aggregate over them), decayed sums as JSON, the link groups, the analysts' label, and the
 *   last score with its reasons (JSON), indexed by score for the analysts' screen;
 * - risk_disputes: what each dispute was counted as (its messages classified, its photos), so that
 *   a changed one (a re-imported dispute, a decision, evidence added later) is taken back exactly
 *   (an order is counted from its own row in orders: its facts are raw columns);
 * - risk_photos, risk_photo_uses: per photo (sha256) its uses and accounts, and each account's uses
 *   (one account's inline in the photo row, the others in risk_photo_uses);
 * - risk_link_groups: per device / address / payment value, its member count and, while few,
 *   the members;
 * - risk_model: the fitted priors (empirical Bayes) and the population size they were fitted on.
 * Portable types and kysely's builder only, like 0001; double precision is 8 bytes on both.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('buyer_risk')
    .addColumn('buyer_id', 'text', (c) => c.primaryKey())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('base_score', 'integer', (c) => c.notNull())
    .addColumn('risky', 'integer', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull()) // JSON [{code, text, weight}]
    .addColumn('top_code', 'text') // the heaviest reason's code, for filtering
    .addColumn('scored_at', 'bigint', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('links', 'text', (c) => c.notNull()) // JSON ["device:dv-9", …]
    .addColumn('ref_at', 'bigint', (c) => c.notNull())
    .addColumn('decayed', 'text', (c) => c.notNull()) // JSON {counter: decayed sum, …}
    .addColumn('n_orders', 'integer', (c) => c.notNull())
    .addColumn('n_delivered', 'integer', (c) => c.notNull())
    .addColumn('n_disputes', 'integer', (c) => c.notNull())
    .addColumn('n_excused', 'integer', (c) => c.notNull())
    .addColumn('n_nrd', 'integer', (c) => c.notNull())
    .addColumn('n_decided', 'integer', (c) => c.notNull())
    .addColumn('n_lost', 'integer', (c) => c.notNull())
    .addColumn('n_threat', 'integer', (c) => c.notNull())
    .addColumn('n_off_platform', 'integer', (c) => c.notNull())
    .addColumn('n_photo_own', 'integer', (c) => c.notNull())
    .addColumn('n_photo_shared', 'integer', (c) => c.notNull())
    .execute();
  // The analysts' screen: highest scores first, as an index walk.
  await db.schema.createIndex('buyer_risk_by_score').on('buyer_risk').columns(['score', 'buyer_id']).execute();

  await db.schema
    .createTable('risk_disputes')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('buyer_id', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('not_received', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text') // buyer_won | seller_won | split | null
    .addColumn('threat', 'integer', (c) => c.notNull())
    .addColumn('off_platform', 'integer', (c) => c.notNull())
    .addColumn('photos', 'text', (c) => c.notNull()) // JSON [photo key, …]
    .execute();
  await db.schema.createIndex('risk_disputes_by_order').on('risk_disputes').columns(['order_id']).execute();

  await db.schema
    .createTable('risk_photos')
    .addColumn('photo_key', 'text', (c) => c.primaryKey())
    .addColumn('uses', 'integer', (c) => c.notNull())
    .addColumn('accounts', 'integer', (c) => c.notNull())
    // One account's uses kept in the photo's own row (most photos have one account): no use row for it.
    .addColumn('first_account', 'text')
    .addColumn('first_uses', 'integer', (c) => c.notNull())
    .addColumn('first_weight', 'double precision', (c) => c.notNull())
    .addColumn('first_ref_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('risk_photo_uses')
    .addColumn('photo_key', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('uses', 'integer', (c) => c.notNull())
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addColumn('ref_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('risk_photo_uses_pk', ['photo_key', 'account_id'])
    .execute();

  await db.schema
    .createTable('risk_link_groups')
    .addColumn('group_key', 'text', (c) => c.primaryKey())
    .addColumn('members', 'integer', (c) => c.notNull())
    .addColumn('member_ids', 'text') // JSON [account id, …] while few; null after
    .execute();

  // The recompute sums every buyer's orders and delivered orders: with the delivery status in
  // the buyer index that is an index-only scan. Replaces 0001's orders_by_buyer (same leading columns).
  await db.schema.createIndex('orders_by_buyer_delivery').on('orders').columns(['buyer_id', 'placed_at', 'delivery_status']).execute();
  await db.schema.dropIndex('orders_by_buyer').execute();

  await db.schema
    .createTable('risk_model')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('priors', 'text', (c) => c.notNull()) // JSON Priors
    .addColumn('fitted_at', 'bigint', (c) => c.notNull())
    .addColumn('fitted_buyers', 'integer', (c) => c.notNull())
    .addColumn('buyers', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_by_buyer').on('orders').columns(['buyer_id', 'placed_at']).execute();
  await db.schema.dropIndex('orders_by_buyer_delivery').execute();
  for (const t of ['risk_model', 'risk_link_groups', 'risk_photo_uses', 'risk_photos', 'risk_disputes', 'buyer_risk'])
    await db.schema.dropTable(t).execute();
}
