import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { syncAllCaseScores } from '../../src-main/db/repos/risk/case-scores';
import { inWriteTx, type WriteTx } from '../../src-main/db/tx';
import { handleOf } from '../../src-main/db/compiled';
import { openTestDb } from './harness';

/**
 * The full recompute's copy of every buyer's new score into their cases on SQLite (issue 15,
 * session 31): from the scores the recompute holds, not read back from buyer_risk, the cases
 * read in their table's order a page at a time (5,000) and only the rows whose copy differs
 * rewritten. Here the given scores differ from buyer_risk's on purpose, so that the test sees
 * which ones the cases got.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const CASES = 12_345;
const BUYERS = 700;

async function fill(db: Db): Promise<void> {
  await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${sql.lit(BUYERS)})
    INSERT INTO accounts (id, role, name, country, created_at)
    SELECT 'BB-' || n, 'buyer', 'Buyer ' || n, 'DE', ${NOW} FROM g`.execute(db);
  await sql`INSERT INTO accounts (id, role, name, country, created_at) VALUES ('BS-1', 'seller', 'Seller', 'CN', ${NOW})`.execute(db);
  await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${sql.lit(CASES)})
    INSERT INTO orders (id, buyer_id, seller_id, placed_at, shipped_at, currency, item_title, quantity,
      item_price_minor, shipping_minor, total_minor, tracking_number, carrier, delivery_status, delivered_at)
    SELECT 'BO-' || n, 'BB-' || (n * 7 % ${sql.lit(BUYERS)} + 1), 'BS-1', ${NOW}, ${NOW}, 'EUR', 'Item ' || n, 1, 4500, 500, 5000,
      'LP' || n, 'Cainiao', 'delivered', ${NOW} FROM g`.execute(db);
  // Cases in an order unrelated to their buyers', with copies of all kinds: -1, stale, already right.
  await sql`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${sql.lit(CASES)})
    INSERT INTO cases (id, order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency,
      total_minor, description, opened_at, escalated_at, status, assignee_id, content_hash, created_at, updated_at, buyer_score)
    SELECT 'BC-' || substr('0000000' || n, -8), 'BO-' || n, 'BB-' || (n * 7 % ${sql.lit(BUYERS)} + 1), 'BS-1', 'defective', 'refund_only',
      5000, 'EUR', 5000, 'Case ' || n, ${sql.lit(NOW)} - n * 60000, ${sql.lit(NOW)} - n * 60000,
      CASE WHEN n % 3 = 0 THEN 'escalated' ELSE 'in_review' END, CASE WHEN n % 2 = 0 THEN 'm1' ELSE NULL END, 'h', ${NOW}, ${NOW},
      CASE WHEN n % 5 = 0 THEN -1 ELSE (n * 7 % ${sql.lit(BUYERS)} + 1) % 101 END FROM g`.execute(db);
  // buyer_risk says 50 for everyone: the given scores must win.
  await sql`INSERT INTO buyer_risk (buyer_id, score, base_score, risky, reasons, scored_at, links, ref_at, decayed,
      n_orders, n_delivered, n_disputes, n_excused, n_nrd, n_decided, n_lost, n_threat, n_off_platform, n_photo_own, n_photo_shared)
    SELECT id, 50, 0, 0, '[]', ${NOW}, '[]', ${NOW}, '{}', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 FROM accounts WHERE role = 'buyer'`.execute(db);
}

/** The given score of buyer BB-n: n % 101 for most (what the cases mostly hold), n % 97 for every third, -1 (unknown) for every eleventh. */
const given = (id: string): number => {
  const n = Number(id.slice(3));
  return n % 11 === 0 ? -1 : n % 3 === 0 ? n % 97 : n % 101;
};

describe('every case’s score copy from the scores the recompute holds (SQLite)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(':memory:');
    await ensurePolicy(db, NOW);
    await fill(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('gives each case its buyer’s given score, rewriting only the rows that differ, over several pages', async () => {
    const before = await db.selectFrom('cases').select(['id', 'buyer_id', 'buyer_score']).orderBy('id').execute();
    const differ = before.filter((c) => Number(c.buyer_score) !== given(c.buyer_id)).length;
    expect(differ).toBeGreaterThan(5_000);
    expect(differ).toBeLessThan(CASES);
    const pages: number[] = [];
    const rewritten = await inWriteTx(db, (tx) => syncAllCaseScores(tx, given, () => pages.push(pages.length)));
    expect(rewritten).toBe(differ);
    expect(pages.length).toBe(3);
    const after = await db.selectFrom('cases').select(['id', 'buyer_id', 'buyer_score', 'updated_at', 'version']).orderBy('id').execute();
    expect(after.map((c) => [c.id, Number(c.buyer_score)])).toEqual(before.map((c) => [c.id, given(c.buyer_id)]));
    expect(after.every((c) => Number(c.updated_at) === NOW && Number(c.version) === 0)).toBe(true);
    // The queue's risk index agrees with the rows.
    const byIndex = await sql<{ n: number }>`SELECT count(*) AS n FROM cases INDEXED BY cases_by_risk WHERE buyer_score = 42`.execute(db);
    expect(Number(byIndex.rows[0]!.n)).toBe(before.filter((c) => given(c.buyer_id) === 42).length);
    expect(await inWriteTx(db, (tx) => syncAllCaseScores(tx, given))).toBe(0);
  });
});

describe('the four score indexes set aside while most copies change (SQLite, session 32)', () => {
  const SCORE_INDEXES = ['cases_by_risk', 'cases_escalated_by_risk', 'cases_mine_by_risk', 'cases_open_by_risk'];
  const indexesOf = (tx: WriteTx) =>
    (
      handleOf(tx)!
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' ORDER BY name")
        .all() as Array<{
        name: string;
        sql: string | null;
      }>
    ).map((i) => `${i.name}: ${i.sql}`);
  const scoreIndexesIn = (list: string[]) => list.filter((i) => SCORE_INDEXES.some((n) => i.startsWith(`${n}:`))).length;

  /** Rewrites every copy to `scoreOf`, noting the cases' indexes before each page; checks the rows and the indexes after. */
  async function rewrite(scoreOf: (id: string) => number): Promise<{ seen: number[]; rewritten: number }> {
    const db = await openTestDb(':memory:');
    try {
      await ensurePolicy(db, NOW);
      await fill(db);
      const before = await db.selectFrom('cases').select(['id', 'buyer_id', 'buyer_score']).orderBy('id').execute();
      const seen: number[] = [];
      const { rewritten, definitions } = await inWriteTx(db, async (tx) => {
        const definitions = indexesOf(tx);
        expect(scoreIndexesIn(definitions)).toBe(4);
        return { rewritten: await syncAllCaseScores(tx, scoreOf, () => seen.push(scoreIndexesIn(indexesOf(tx)))), definitions };
      });
      expect(rewritten).toBe(before.filter((c) => Number(c.buyer_score) !== scoreOf(c.buyer_id)).length);
      const after = await db.selectFrom('cases').select(['id', 'buyer_score']).orderBy('id').execute();
      expect(after.map((c) => [c.id, Number(c.buyer_score)])).toEqual(before.map((c) => [c.id, scoreOf(c.buyer_id)]));
      // The same indexes after, each agreeing with the rows (integrity_check compares every index with the table).
      expect(await inWriteTx(db, async (tx) => indexesOf(tx))).toEqual(definitions);
      expect((await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db)).rows).toEqual([{ integrity_check: 'ok' }]);
      const byIndex = await sql<{ n: number }>`SELECT count(*) AS n FROM cases INDEXED BY cases_by_risk WHERE buyer_score = 42`.execute(db);
      expect(Number(byIndex.rows[0]!.n)).toBe(before.filter((c) => scoreOf(c.buyer_id) === 42).length);
      return { seen, rewritten };
    } finally {
      await db.destroy();
    }
  }

  it('a model upgrade (most copies change): dropped after the first page, built again after the last', async () => {
    const { seen, rewritten } = await rewrite((id) => Number(id.slice(3)) % 89);
    expect(rewritten).toBeGreaterThan(CASES / 2);
    expect(seen).toEqual([4, 0, 0]);
  });

  it('a refresh that moves a few scores keeps them', async () => {
    // The copies as fill() wrote them (n % 101, or -1 for every fifth case), but for buyers 1–20.
    const { seen, rewritten } = await rewrite((id) => (Number(id.slice(3)) <= 20 ? 7 : Number(id.slice(3)) % 101));
    expect(rewritten).toBeGreaterThan(0);
    expect(rewritten).toBeLessThan(CASES / 2);
    expect(seen).toEqual([4, 4, 4]);
  });
});
