import { sql, type Kysely } from 'kysely';
import { dropColumns } from './dialect-helpers';

/**
 * Frozen once released: a seller's listing photo is not a shared photo, and the buyer's order
 * history as the feed reports it (buyer-risk model v9, issue 15).
 * - risk_photos.sellers: JSON {seller id: uses} of the photo's uses by the seller of the
 *   disputed order ('' for an order or seller not known yet), for at most three sellers;
 * - risk_photos.seller_overflow: its uses with other sellers;
 * - risk_photos.linked: 1 when two accounts using it are linked by a small link group (kept only
 *   while every use is for one seller's orders).
 * - accounts.orders_placed, orders_delivered, orders_since: the latest order history the feed
 *   reported for a buyer (`buyer.orderHistory`, optional), and buyer_risk.hist_orders,
 *   hist_delivered: the same as the buyer-risk update keeps it (the rates' denominator when it
 *   exceeds the orders the desk knows). Null when never reported.
 * Existing photo rows take all their uses as overflow: they stay ordinary shared photos, as they were
 * scored, until the full recompute (app/risk/recompute.ts) rebuilds them. Plain column
 * additions and one UPDATE of a small table: the same on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('risk_photos')
    .addColumn('sellers', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema
    .alterTable('risk_photos')
    .addColumn('seller_overflow', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('risk_photos')
    .addColumn('linked', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`UPDATE risk_photos SET seller_overflow = uses`.execute(db);
  await db.schema.alterTable('accounts').addColumn('orders_placed', 'integer').execute();
  await db.schema.alterTable('accounts').addColumn('orders_delivered', 'integer').execute();
  await db.schema.alterTable('accounts').addColumn('orders_since', 'bigint').execute();
  await db.schema.alterTable('buyer_risk').addColumn('hist_orders', 'integer').execute();
  await db.schema.alterTable('buyer_risk').addColumn('hist_delivered', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropColumns(db, 'buyer_risk', ['hist_delivered', 'hist_orders']);
  await dropColumns(db, 'accounts', ['orders_since', 'orders_delivered', 'orders_placed']);
  await dropColumns(db, 'risk_photos', ['linked', 'seller_overflow', 'sellers']);
}
