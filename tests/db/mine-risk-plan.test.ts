import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { judgePlan, planOfFirstQuery } from '../../src-main/bench/capture';
import { fillCasesPostgres } from '../../src-main/bench/fill-cases';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { syncAllCaseScores } from '../../src-main/db/repos/risk/case-scores';
import { inWriteTx } from '../../src-main/db/tx';
import { queuePage, type QueueQuery } from '../../src-main/app/queue/queue';
import { openTestDb } from './harness';

/**
 * "Mine" sorted by buyer risk (issue 17): one mediator's open cases read in (score, buyer, case)
 * order along cases_mine_by_risk (migrations/0036), a page at a time, instead of all of them
 * read and sorted (255 ms on SQLite at 6,000 open cases per mediator). Asserted as plans: no
 * temporary b-tree (SQLite), no Sort node (PostgreSQL); and the pages, walked to the end, are
 * every open case of the mediator once, in order.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const MINE = (dir: 'asc' | 'desc', extra: Partial<QueueQuery> = {}) =>
  ({ scope: 'mine', limit: 50, sort: { by: 'risk', dir }, ...extra }) as QueueQuery;

/** Every page of the query, walked by its cursor. */
async function walkAll(db: Db, q: QueueQuery, me: string) {
  const seen: Array<{ score: number; buyer: string; id: string }> = [];
  let after: QueueQuery['after'];
  for (;;) {
    const page = await queuePage(db, { ...q, ...(after ? { after } : {}) }, me, NOW);
    seen.push(...page.rows.map((r) => ({ score: r.buyerScore ?? -1, buyer: r.buyerId, id: r.id })));
    if (!page.nextCursor) return seen;
    after = page.nextCursor;
  }
}

function inRiskOrder(rows: Array<{ score: number; buyer: string; id: string }>, dir: 'asc' | 'desc') {
  const sign = dir === 'asc' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) => sign * (a.score - b.score || cmp(a.buyer, b.buyer) || cmp(a.id, b.id)));
}

/** SQLite: a mediator's open and closed cases, buyers scored 0–100 and some not scored (-1). */
async function fillSqlite(db: Db): Promise<void> {
  const buyers = 400;
  await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${sql.lit(buyers)})
    INSERT INTO accounts (id, role, name, country, created_at)
    SELECT 'BB-' || n, 'buyer', 'Bench Buyer ' || n, 'DE', ${NOW} FROM g`.execute(db);
  await sql`INSERT INTO accounts (id, role, name, country, created_at) VALUES ('BS-1', 'seller', 'Bench Seller', 'CN', ${NOW})`.execute(db);
  await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 6000)
    INSERT INTO orders (id, buyer_id, seller_id, placed_at, shipped_at, currency, item_title, quantity,
      item_price_minor, shipping_minor, total_minor, tracking_number, carrier, delivery_status, delivered_at)
    SELECT 'BO-' || n, 'BB-' || (n % ${sql.lit(buyers)} + 1), 'BS-1', ${NOW}, ${NOW}, 'EUR', 'Item ' || n, 1, 4500, 500, 5000,
      'LP' || n, 'Cainiao', 'delivered', ${NOW} FROM g`.execute(db);
  await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 6000)
    INSERT INTO cases (id, order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency,
      total_minor, description, opened_at, escalated_at, status, assignee_id, content_hash, created_at, updated_at)
    SELECT 'BC-' || substr('0000000' || n, -8), 'BO-' || n, 'BB-' || (n % ${sql.lit(buyers)} + 1), 'BS-1', 'defective', 'refund_only',
      5000, 'EUR', 5000, 'Case ' || n, ${sql.lit(NOW)} - n * 60000, ${sql.lit(NOW)} - n * 60000,
      CASE WHEN n % 4 = 0 THEN 'closed' WHEN n % 4 = 1 THEN 'in_review' WHEN n % 4 = 2 THEN 'awaiting_evidence' ELSE 'escalated' END,
      CASE WHEN n % 3 = 0 THEN 'm2' ELSE 'm1' END, 'bench', ${NOW}, ${NOW} FROM g`.execute(db);
  // Nine buyers in ten scored; the rest not yet (their cases sort as -1).
  await sql`INSERT INTO buyer_risk (buyer_id, score, base_score, risky, reasons, scored_at, links, ref_at, decayed,
      n_orders, n_delivered, n_disputes, n_excused, n_nrd, n_decided, n_lost, n_threat, n_off_platform, n_photo_own, n_photo_shared)
    SELECT id, (CAST(substr(id, 4) AS INTEGER) * 37) % 101, 0, 0, '[]', ${NOW}, '[]', ${NOW}, '{}', 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0
    FROM accounts WHERE role = 'buyer' AND CAST(substr(id, 4) AS INTEGER) % 10 <> 0`.execute(db);
  await inWriteTx(db, (tx) => syncAllCaseScores(tx));
  await sql`ANALYZE`.execute(db);
}

describe('"Mine" by buyer risk on SQLite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(':memory:');
    await ensurePolicy(db, NOW);
    await fillSqlite(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('walks cases_mine_by_risk with no temporary b-tree, either way, filtered or not', async () => {
    for (const q of [MINE('desc'), MINE('asc'), MINE('desc', { reason: ['defective'] }), MINE('asc', { status: ['in_review'] })]) {
      const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, q, 'm1', NOW));
      expect(judgePlan(plan, 'cases_mine_by_risk'), `${JSON.stringify(q)}\n${plan.join('\n')}`).toEqual({ ok: true, problems: [] });
    }
    // A later page too: the cursor starts the range inside the index.
    const first = await queuePage(db, MINE('desc'), 'm1', NOW);
    const { plan } = await planOfFirstQuery(
      db,
      (d) => queuePage(d, { ...MINE('desc'), after: first.nextCursor! }, 'm1', NOW),
      (s) => /order by/i.test(s),
    );
    expect(judgePlan(plan, 'cases_mine_by_risk'), plan.join('\n')).toEqual({ ok: true, problems: [] });
  });

  it('pages through every open case of the mediator once, in (score, buyer, case) order', async () => {
    for (const dir of ['desc', 'asc'] as const) {
      const seen = await walkAll(db, MINE(dir), 'm1');
      expect(seen).toHaveLength(3000); // 4,000 of m1's cases, a quarter closed
      expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
      expect(seen.map((r) => r.id)).toEqual(inRiskOrder(seen, dir).map((r) => r.id));
      expect(seen.some((r) => r.score === -1)).toBe(true);
    }
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('"Mine" by buyer risk on PostgreSQL', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(`${process.env.TEST_DATABASE_URL}?md_fresh=minerisk_${process.pid}_${Date.now()}`);
    await ensurePolicy(db, NOW);
    // 200,000 cases, 30 mediators: bm5 holds 6,667 of them, 2,000 open (the oldest 70 % are closed).
    await fillCasesPostgres(db, { cases: 200_000, now: NOW });
    await sql`INSERT INTO buyer_risk (buyer_id, score, base_score, risky, reasons, scored_at, links, ref_at, decayed,
        n_orders, n_delivered, n_disputes, n_excused, n_nrd, n_decided, n_lost, n_threat, n_off_platform, n_photo_own, n_photo_shared)
      SELECT id, (hashtext(id) & 2147483647) % 101, 0, 0, '[]', ${NOW}, '[]', ${NOW}, '{}', 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0
      FROM accounts WHERE role = 'buyer' AND hashtext(id) % 10 <> 0`.execute(db);
    await inWriteTx(db, (tx) => syncAllCaseScores(tx));
    await sql`ANALYZE cases`.execute(db);
    await sql`ANALYZE buyer_risk`.execute(db);
  }, 300_000);
  afterAll(async () => {
    await db.destroy();
  });

  it('walks cases_mine_by_risk with no Sort node, either way, filtered or not', async () => {
    for (const q of [MINE('desc'), MINE('asc'), MINE('desc', { reason: ['defective'] }), MINE('asc', { status: ['in_review'] })]) {
      const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, q, 'bm5', NOW));
      const text = plan.join('\n');
      expect(text, `${JSON.stringify(q)}\n${text}`).toMatch(/Index (Only )?Scan (Backward )?using cases_mine_by_risk on cases/);
      expect(text, `${JSON.stringify(q)}\n${text}`).not.toMatch(/\bSort\b|Seq Scan on cases|Bitmap Heap Scan on cases/);
    }
  });

  it('pages through every open case of the mediator once, in (score, buyer, case) order', async () => {
    for (const dir of ['desc', 'asc'] as const) {
      const seen = await walkAll(db, { ...MINE(dir), limit: 200 }, 'bm5');
      expect(seen).toHaveLength(2000);
      expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
      expect(seen.map((r) => r.id)).toEqual(inRiskOrder(seen, dir).map((r) => r.id));
    }
  });
});
