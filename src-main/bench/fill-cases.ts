import { sql } from 'kysely';
import type { Db } from '../db/connect';

/**
 * Fills a PostgreSQL database with `cases` synthetic cases (and their buyers, sellers and
 * orders) in a few multi-row `INSERT … SELECT generate_series` statements: a million rows in
 * a minute or two, without the application's import (which is measured on its own). The
 * oldest `closedShare` of the cases are closed or final, so "All open" has to get past them;
 * the open rest is 40 % unassigned, the others assigned round-robin to MEDIATORS.
 */
export const BENCH_MEDIATORS = Array.from({ length: 30 }, (_, i) => `bm${i}`);
const CHUNK = 100_000;
const SELLERS = 1_000;

export async function fillCasesPostgres(db: Db, opts: { cases: number; now: number; closedShare?: number }): Promise<void> {
  const n = opts.cases;
  const buyers = Math.max(1, Math.floor(n / 4));
  const closed = Math.floor(n * (opts.closedShare ?? 0.7));
  const mediators = BENCH_MEDIATORS.length;
  const chunks = (total: number) =>
    Array.from({ length: Math.ceil(total / CHUNK) }, (_, i) => [i * CHUNK + 1, Math.min(total, (i + 1) * CHUNK)]);

  for (const [from, to] of chunks(buyers))
    await sql`INSERT INTO accounts (id, role, name, country, created_at)
      SELECT 'BB-' || g, 'buyer', 'Bench Buyer ' || g, 'DE', ${opts.now} - 400 * 86400000::bigint
      FROM generate_series(${from}::int, ${to}::int) g`.execute(db);
  await sql`INSERT INTO accounts (id, role, name, country, created_at)
    SELECT 'BS-' || g, 'seller', 'Bench Seller ' || g, 'CN', ${opts.now} - 800 * 86400000::bigint
    FROM generate_series(1, ${SELLERS}::int) g`.execute(db);

  for (const [from, to] of chunks(n)) {
    await sql`INSERT INTO orders (id, buyer_id, seller_id, placed_at, shipped_at, currency, item_title, quantity,
        item_price_minor, shipping_minor, total_minor, tracking_number, carrier, delivery_status, delivered_at)
      SELECT 'BO-' || g, 'BB-' || (g % ${buyers}::int + 1), 'BS-' || (g % ${SELLERS}::int + 1),
        ${opts.now} - 30 * 86400000::bigint, ${opts.now} - 29 * 86400000::bigint, 'EUR', 'Bench item ' || g, 1,
        4500 + g % 500, 500, 5000 + g % 500, 'LP' || g, 'Cainiao', 'delivered', ${opts.now} - 20 * 86400000::bigint
      FROM generate_series(${from}::int, ${to}::int) g`.execute(db);
    await sql`INSERT INTO cases (id, order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency,
        total_minor, description, opened_at, escalated_at, status, assignee_id, content_hash, created_at, updated_at)
      SELECT 'BC-' || lpad(g::text, 8, '0'), 'BO-' || g, 'BB-' || (g % ${buyers}::int + 1), 'BS-' || (g % ${SELLERS}::int + 1),
        'defective', 'refund_only', 5000 + g % 500, 'EUR', 5000 + g % 500, 'Bench case ' || g,
        ${opts.now} - (${n}::int - g + 1440) * 60000::bigint, ${opts.now} - (${n}::int - g + 1) * 60000::bigint,
        CASE WHEN g <= ${closed}::int THEN (CASE WHEN g % 2 = 0 THEN 'closed' ELSE 'final' END)
             WHEN g % 10 < 4 THEN 'escalated' WHEN g % 10 < 7 THEN 'in_review'
             WHEN g % 10 < 9 THEN 'awaiting_evidence' ELSE 'awaiting_replies' END,
        CASE WHEN g > ${closed}::int AND g % 10 < 4 THEN NULL ELSE 'bm' || (g % ${mediators}::int) END,
        'bench', ${opts.now}, ${opts.now}
      FROM generate_series(${from}::int, ${to}::int) g`.execute(db);
  }
  await sql`ANALYZE accounts`.execute(db);
  await sql`ANALYZE orders`.execute(db);
  await sql`ANALYZE cases`.execute(db);
  await sql`ANALYZE queue_counts`.execute(db);
}
