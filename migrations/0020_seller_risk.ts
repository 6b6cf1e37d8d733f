import type { Kysely } from 'kysely';

/**
 * Frozen once released: seller aggregates for the fraud-pattern score (issue 15).
 * - seller_risk: per seller, orders sold and disputes counted against their buyers (raw
 *   counts), kept in the same transaction as the buyer's row by every event that touches it.
 * - buyer_risk.sellers: JSON {"sellerId": [orders, counted disputes]} for at most
 *   RISK_MODEL.sellerCap sellers; other_seller_orders: the buyer's orders beyond them;
 *   seller_rate: the dispute rate the buyer's sellers see from their other buyers, as of the
 *   buyer's last scoring (null: no known seller).
 * Existing rows start empty (no seller known: the dispute rate is measured against the
 * platform's, as before) until the full recompute (app/risk/recompute.ts) rebuilds them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('seller_risk')
    .addColumn('seller_id', 'text', (c) => c.primaryKey())
    .addColumn('n_orders', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('n_disputes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('buyer_risk')
    .addColumn('sellers', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .alterTable('buyer_risk')
    .addColumn('other_seller_orders', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('buyer_risk').addColumn('seller_rate', 'double precision').execute();
}
