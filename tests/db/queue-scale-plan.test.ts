import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturing, judgePlan, planOfFirstQuery } from '../../src-main/bench/capture';
import { fillCasesPostgres } from '../../src-main/bench/fill-cases';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { sql } from 'kysely';
import type { Db } from '../../src-main/db/connect';
import { explain } from '../../src-main/db/dialect';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { queueCounts, queuePage, type QueueQuery } from '../../src-main/app/queue/queue';
import { openTestDb } from './harness';
import { claimNextCase } from '../../src-main/app/case/commands';
import { inWriteTx } from '../../src-main/db/tx';
import { syncAllCaseScores } from '../../src-main/db/repos/risk/case-scores';
import { pickNextUnassigned } from '../../src-main/db/repos/take-next';
import { oldestUnassignedCase } from '../../src-main/db/repos/case-reads';

/**
 * Counts and lists at scale (issue 12 item 9), asserted as plans: the tab counts read the
 * counters, never the cases (but for one assignee's overdue cases, through their index), and
 * "All open" walks the partial index of open cases in order, so closed cases that come first
 * are never stepped over. SQLite always; PostgreSQL with TEST_DATABASE_URL, over 30,000 cases
 * of which the oldest 70 % are closed.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const ALL_OPEN = { scope: 'all' as const, limit: 50 };

/** The plans of every query queueCounts sends. */
async function countPlans(db: Db, me = 'bm1'): Promise<Array<{ sql: string; plan: string[] }>> {
  const cap = capturing(db);
  await queueCounts(cap.db, me, NOW);
  return Promise.all(cap.queries().map(async (q) => ({ sql: q.sql, plan: await explain(db, q) })));
}

describe('counts and "All open" plans on SQLite', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(':memory:');
    await ensurePolicy(db, NOW);
    const records = [...generateDemoDisputes({ cases: 300, now: NOW, seed: 3 })].map((value, i) => ({ line: i + 1, value }));
    await importStream(db, records, { now: NOW, onProblem: () => undefined });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('walks cases_open_by_escalation for the first "All open" page, with no sort step', async () => {
    const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, ALL_OPEN, null, NOW));
    expect(judgePlan(plan, 'cases_open_by_escalation')).toEqual({ ok: true, problems: [] });
  });

  it('bounds a filtered "All open" walk by a window over the same index', async () => {
    const { plan } = await planOfFirstQuery(
      db,
      (d) => queuePage(d, { ...ALL_OPEN, reason: ['defective'] }, null, NOW),
      (s) => /offset/i.test(s),
    );
    expect(judgePlan(plan, 'cases_open_by_escalation')).toEqual({ ok: true, problems: [] });
  });

  it('counts from queue_counts; only the overdue count reads cases, one assignee through cases_mine_by_risk', async () => {
    const plans = await countPlans(db);
    const onCases = plans.filter((p) => /from "cases"/i.test(p.sql));
    expect(onCases).toHaveLength(1);
    expect(onCases[0]!.sql).toMatch(/"assignee_id" = \?/);
    expect(onCases[0]!.plan.join('\n')).toMatch(/INDEX cases_mine_by_risk/);
    for (const p of plans.filter((x) => /from "queue_counts"/i.test(x.sql))) expect(p.plan.join('\n')).not.toMatch(/\bcases\b(?!_)/);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('counts and "All open" plans on PostgreSQL', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(`${process.env.TEST_DATABASE_URL}?md_fresh=plan_${process.pid}_${Date.now()}`);
    await ensurePolicy(db, NOW);
    await fillCasesPostgres(db, { cases: 30_000, now: NOW });
  }, 120_000);
  afterAll(async () => {
    await db.destroy();
  });

  it('walks cases_open_by_escalation for the first "All open" page, with no sort step', async () => {
    const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, ALL_OPEN, null, NOW));
    const text = plan.join('\n');
    expect(text).toMatch(/cases_open_by_escalation/);
    expect(text).not.toMatch(/\bSort\b|Seq Scan on cases/);
  });

  it('walks the sort’s own index for a sorted page (issue 17: server-side sort), with no sort step', async () => {
    for (const [q, index] of [
      [{ scope: 'unassigned' as const, limit: 50, sort: { by: 'claim' as const, dir: 'desc' as const } }, 'cases_escalated_by_claim'],
      [{ ...ALL_OPEN, sort: { by: 'claim' as const, dir: 'asc' as const } }, 'cases_open_by_claim'],
      [{ ...ALL_OPEN, sort: { by: 'deadline' as const, dir: 'asc' as const } }, 'cases_open_by_deadline'],
      [{ ...ALL_OPEN, sort: { by: 'escalated' as const, dir: 'desc' as const } }, 'cases_open_by_escalation'],
    ] as const) {
      const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, q, null, NOW));
      const text = plan.join('\n');
      expect(text, `${JSON.stringify(q)}\n${text}`).toMatch(new RegExp(index));
      expect(text).not.toMatch(/\bSort\b|Seq Scan on cases/);
    }
  });

  it('sorts by buyer risk along each tab’s risk index: page after page in (score, buyer, case) order', async () => {
    // The fill's 7,500 buyers, scored 0–100 (a hash of the id spreads them), four cases each.
    await sql`INSERT INTO buyer_risk (buyer_id, score, base_score, risky, reasons, scored_at, links, ref_at, decayed,
        n_orders, n_delivered, n_disputes, n_excused, n_nrd, n_decided, n_lost, n_threat, n_off_platform, n_photo_own, n_photo_shared)
      SELECT id, (hashtext(id) & 2147483647) % 101, 0, 0, '[]', ${NOW}, '[]', ${NOW}, '{}', 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0
      FROM accounts WHERE role = 'buyer'`.execute(db);
    // Written straight into buyer_risk here, so the cases' copy is brought level as the recompute does.
    await inWriteTx(db, (tx) => syncAllCaseScores(tx));
    await sql`ANALYZE buyer_risk`.execute(db);
    await sql`ANALYZE cases`.execute(db);
    // Each tab shape walks its own risk index (migrations/0034), either way, with no sort step.
    for (const [q, index] of [
      [{ scope: 'unassigned' as const, limit: 50, sort: { by: 'risk' as const, dir: 'desc' as const } }, 'cases_escalated_by_risk'],
      [{ scope: 'unassigned' as const, limit: 50, sort: { by: 'risk' as const, dir: 'asc' as const } }, 'cases_escalated_by_risk'],
      [{ ...ALL_OPEN, sort: { by: 'risk' as const, dir: 'desc' as const } }, 'cases_open_by_risk'],
      [{ ...ALL_OPEN, sort: { by: 'risk' as const, dir: 'asc' as const } }, 'cases_open_by_risk'],
      [
        { ...ALL_OPEN, status: ['in_review' as const, 'closed' as const], sort: { by: 'risk' as const, dir: 'desc' as const } },
        'cases_by_risk',
      ],
    ] as const) {
      // Any states: the window along cases_by_risk bounds the page's rows (the planner may then read that range as it likes).
      const windowed = 'status' in q;
      const { plan } = await planOfFirstQuery(
        db,
        (d) => queuePage(d, q as unknown as QueueQuery, null, NOW),
        (s) => windowed === /offset/i.test(s),
      );
      const text = plan.join('\n');
      expect(text, `${JSON.stringify(q)}\n${text}`).toMatch(new RegExp(`Index (Only )?Scan (Backward )?using ${index} on cases`));
      expect(text, `${JSON.stringify(q)}\n${text}`).not.toMatch(/\bSort\b|Seq Scan on cases|Hash Join/);
    }
    for (const q of [
      { scope: 'unassigned' as const, limit: 50, sort: { by: 'risk' as const, dir: 'desc' as const } },
      { ...ALL_OPEN, sort: { by: 'risk' as const, dir: 'asc' as const } },
    ]) {
      let after: { sortKey: number; id: string } | undefined;
      const seen: Array<{ score: number; buyer: string; id: string }> = [];
      for (let i = 0; i < 4; i++) {
        const page = await queuePage(db, { ...q, ...(after ? { after } : {}) }, null, NOW);
        seen.push(...page.rows.map((r) => ({ score: r.buyerScore!, buyer: r.buyerId, id: r.id })));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      expect(seen.length).toBeGreaterThan(100);
      const sign = q.sort.dir === 'asc' ? 1 : -1;
      const inOrder = [...seen].sort(
        (a, b) => sign * (a.score - b.score || a.buyer.localeCompare(b.buyer, 'en') || a.id.localeCompare(b.id, 'en')),
      );
      expect(seen.map((r) => r.id)).toEqual(inOrder.map((r) => r.id));
      expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    }
  });

  it('answers the first "All open" page with open cases although the oldest 21,000 are closed', async () => {
    const page = await queuePage(db, ALL_OPEN, null, NOW);
    expect(page.rows).toHaveLength(50);
    expect(page.rows.every((r) => ['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies'].includes(r.status))).toBe(true);
    expect(page.nextCursor).not.toBeNull();
  });

  it('counts from queue_counts without reading the cases (but for one assignee, by index)', async () => {
    // bm1 has only closed cases in the fill, bm5 has 300 open ones among its 1,000.
    for (const me of ['bm1', 'bm5']) {
      const plans = await countPlans(db, me);
      // The counters: no query on the cases but the one for this assignee's overdue cases, through cases_mine_by_risk (migrations/0042).
      const onCases = plans.filter((p) => /from "cases"/i.test(p.sql));
      expect(onCases).toHaveLength(1);
      expect(onCases[0]!.sql).toMatch(/"assignee_id" = \$1/);
      expect(onCases[0]!.plan.join('\n')).toMatch(/Index Scan on cases_mine_by_risk|Index Scan using cases_mine_by_risk/);
    }
    const plans = await countPlans(db);
    for (const p of plans.filter((x) => /from "queue_counts"/i.test(x.sql))) expect(p.plan.join('\n')).not.toMatch(/on cases\b/);
    const counts = await queueCounts(db, 'bm1', NOW);
    expect(counts.allOpen).toBe(9_000);
    expect(counts.unassigned).toBe(3_600);
    expect(counts.byStatus.closed! + counts.byStatus.final!).toBe(21_000);
  });

  it('reads "Mine" and "Mine, overdue" through cases_mine_by_risk (open cases only), never the closed history', async () => {
    for (const q of [
      { scope: 'mine' as const, limit: 50 },
      { scope: 'mine' as const, limit: 50, overdue: true },
    ]) {
      const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, q, 'bm5', NOW));
      const text = plan.join('\n');
      expect(text).toMatch(/Index Scan on cases_mine_by_risk|Index Scan using cases_mine_by_risk/);
      expect(text).not.toMatch(/cases_by_assignee|Seq Scan on cases/);
    }
    // What the index answers: bm5's 300 open cases, none overdue in the fill (no deadlines there).
    expect((await queuePage(db, { scope: 'mine', limit: 500 }, 'bm5', NOW)).rows).toHaveLength(300);
    expect((await queueCounts(db, 'bm5', NOW)).mineOverdue).toBe(0);
  });

  it("take-next's pick walks cases_unassigned: the open cases before the first free one, claimed or not, are never stepped over", async () => {
    const mediator = { kind: 'user' as const, id: 'bm7', role: 'mediator' as const };
    for (let i = 0; i < 40; i++) await claimNextCase(db, mediator, NOW);
    const cap = capturing(db);
    const picked = await inWriteTx(cap.db, (tx) => pickNextUnassigned(tx));
    expect(picked?.caseId).toBeDefined();
    const [pick] = cap.queries();
    const text = (await explain(db, pick!)).join('\n');
    expect(text).toMatch(/Index Scan using cases_unassigned on cases/);
    expect(text).not.toMatch(/cases_open_by_escalation|cases_queue|Seq Scan on cases|\bSort\b/);
    // The 40 claimed cases and the assigned open ones before them are not in its walk.
    expect(picked!.caseId).toBe(await oldestUnassignedCase(db));
  });
});
