import type { Kysely } from 'kysely';

/**
 * Frozen once released: the context a sign of intent is weighed against (buyer-risk model v6,
 * issue 15).
 * - buyer_risk.n_opened_delivered: disputes the buyer opened on parcels the carrier shows
 *   delivered, whatever the outcome (a raw count, like the other n_ columns; its decayed sum
 *   goes in the `decayed` JSON with the others).
 * - buyer_risk.opened_ref: that rate as the buyer's sellers see it from their other buyers, as
 *   of the buyer's last scoring (null: no delivered order from a known seller), kept like
 *   seller_rate. buyer_risk.sellers (JSON) carries four numbers per seller from v6: orders,
 *   counted disputes, delivered orders, disputes opened on them.
 * - seller_risk.n_delivered, n_opened: a seller's delivered orders and the disputes its buyers
 *   opened on them.
 * Existing rows start at zero (every sign weighed as "not above its context") until the full
 * recompute (app/risk/recompute.ts) rebuilds them. Plain column additions: the same on SQLite
 * and PostgreSQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('buyer_risk')
    .addColumn('n_opened_delivered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('buyer_risk').addColumn('opened_ref', 'double precision').execute();
  await db.schema
    .alterTable('seller_risk')
    .addColumn('n_delivered', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('seller_risk')
    .addColumn('n_opened', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
