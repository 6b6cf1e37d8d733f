import { type Kysely } from 'kysely';

/**
 * Frozen once released: the seller in the orders' buyer index (the full buyer-risk recompute,
 * issue 15). The recompute reads every buyer's orders per seller (app/risk/recompute.ts, a range
 * of buyers at a time, grouped by buyer and seller); 0003's orders_by_buyer_delivery (buyer_id,
 * placed_at, delivery_status) found the rows but not their seller, so each order cost a lookup
 * in the table: half that read's time, the largest part of the recompute (100k buyers / 800k
 * orders: 2.5 s of CPU per pass, 1.2 s with the seller in the index). The same index, the seller
 * appended: every query that used it still does (same leading columns), the per-buyer sums stay
 * an index-only scan, and the per-seller one becomes one. An entry grows by the seller id; no
 * index is added, so an order's insert writes as many entries as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // IF EXISTS: a first bulk load that died before its end left it dropped (db/repos/bulk-load.ts).
  await db.schema.dropIndex('orders_by_buyer_delivery').ifExists().execute();
  await db.schema
    .createIndex('orders_by_buyer_delivery')
    .on('orders')
    .columns(['buyer_id', 'placed_at', 'delivery_status', 'seller_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_by_buyer_delivery').ifExists().execute();
  await db.schema.createIndex('orders_by_buyer_delivery').on('orders').columns(['buyer_id', 'placed_at', 'delivery_status']).execute();
}
