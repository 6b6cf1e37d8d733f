import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgePlan, planOfFirstQuery } from '../../src-main/bench/capture';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { queuePage, type QueueQuery } from '../../src-main/app/queue/queue';
import { createUser } from '../../src-main/app/session/users';
import { QueueFilter, SavedFilter } from '../../src-main/contract/methods';
import type { QueueRow } from '../../src-main/contract/views';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { DIALECTS, openTestDb } from './harness';
import { walkQueue } from './queue-walk';
import { syncCaseScores } from '../../src-main/db/repos/risk/case-scores';
import { inWriteTx } from '../../src-main/db/tx';

/**
 * The queue sorts on the server (issue 17 item 10): every tab by claimed amount, next deadline
 * or escalation, either way, keyset-paged so that walking the pages gives every matching case
 * exactly once and in the order asked for; on every dialect, through the sort's own index.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

interface Fact {
  id: string;
  status: string;
  assignee: string | null;
  reason: string;
  claim: number;
  escalatedAt: number;
  dueAt: number | null;
  buyer: string;
  /** The buyer's stored score, null when not scored. */
  score: number | null;
}

/** Every case as stored, read plainly (no index walk), to compute the expected orders in the test. */
async function facts(db: Db): Promise<Fact[]> {
  const rows = await db
    .selectFrom('cases')
    .select(['id', 'status', 'assignee_id', 'reason', 'claim_amount_minor', 'escalated_at', 'next_due_at', 'buyer_id'])
    .execute();
  const scores = new Map(
    (await db.selectFrom('buyer_risk').select(['buyer_id', 'score']).execute()).map((r) => [r.buyer_id, Number(r.score)]),
  );
  return rows.map((r) => ({
    buyer: r.buyer_id,
    score: scores.get(r.buyer_id) ?? null,
    id: r.id,
    status: r.status,
    assignee: r.assignee_id,
    reason: r.reason,
    claim: Number(r.claim_amount_minor),
    escalatedAt: Number(r.escalated_at),
    dueAt: r.next_due_at === null ? null : Number(r.next_due_at),
  }));
}

type Sort = NonNullable<QueueQuery['sort']>;
const keyOf = (f: Fact, by: Sort['by']) =>
  by === 'claim' ? f.claim : by === 'escalated' ? f.escalatedAt : by === 'risk' ? (f.score ?? -1) : (f.dueAt ?? Infinity);
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
function expected(all: Fact[], keep: (f: Fact) => boolean, sort: Sort): string[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return all
    .filter(keep)
    .sort((a, b) => sign * (keyOf(a, sort.by) - keyOf(b, sort.by) || text(a.id, b.id)))
    .map((f) => f.id);
}
/** By risk: the buyer's score, then the buyer, then the case; a buyer not scored yet below every score. */
function expectedByRisk(all: Fact[], keep: (f: Fact) => boolean, dir: Sort['dir']): string[] {
  const sign = dir === 'asc' ? 1 : -1;
  return all
    .filter(keep)
    .sort((a, b) => sign * ((a.score ?? -1) - (b.score ?? -1) || text(a.buyer, b.buyer) || text(a.id, b.id)))
    .map((f) => f.id);
}

/** Every page of a query, following the cursor (a windowed walk may answer short or empty pages). */
const walkAll = (db: Db, q: Partial<QueueQuery>, me: string | null, scanWindow?: number): Promise<QueueRow[]> =>
  walkQueue(db, q, me, NOW, { limit: 7, scanWindow });

const OPEN = ['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies'];

describe('the sort is part of the contract', () => {
  it('accepts a column and a direction, keeps them in saved views, and refuses anything else with a sentence', () => {
    expect(QueueFilter.parse({ scope: 'all', sort: { by: 'claim', dir: 'desc' } }).sort).toEqual({ by: 'claim', dir: 'desc' });
    expect(SavedFilter.parse({ scope: 'mine', sort: { by: 'deadline', dir: 'asc' } }).sort).toEqual({ by: 'deadline', dir: 'asc' });
    expect(QueueFilter.parse({ scope: 'unassigned', sort: { by: 'risk', dir: 'desc' } }).sort).toEqual({ by: 'risk', dir: 'desc' });
    const bad = QueueFilter.safeParse({ scope: 'all', sort: { by: 'buyerName', dir: 'asc' } });
    expect(bad.success).toBe(false);
    const dir = QueueFilter.safeParse({ scope: 'all', sort: { by: 'claim', dir: 'up' } });
    expect(dir.success).toBe(false);
    expect(dir.error!.issues[0]!.message).toMatch(/asc.*desc/);
    expect(QueueFilter.safeParse({ scope: 'all', sort: { by: 'claim', dir: 'asc', nulls: 'first' } }).success).toBe(false);
  });
});

describe.each(DIALECTS)('queue sort on $name', ({ url }) => {
  let db: Db;
  let all: Fact[];
  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW);
    await createUser(db, { id: 'm1', name: 'Mira', role: 'mediator', password: 'm1-password-long' }, NOW);
    const records = [...generateDemoDisputes({ cases: 90, now: NOW, seed: 11 })].map((value, i) => ({ line: i + 1, value }));
    await importStream(db, records, { now: NOW, onProblem: () => undefined });
    const ids = (await db.selectFrom('cases').select('id').orderBy('id').execute()).map((r) => r.id);
    // A third of the cases become m1's: waiting on evidence with deadlines (some equal, so the id
    // breaks ties), in review with none, and a few closed ones that no open tab may show.
    for (const [i, id] of ids.entries()) {
      if (i % 3 !== 0) continue;
      const kind = (i / 3) % 4;
      await db
        .updateTable('cases')
        .set(
          kind === 3
            ? { status: 'closed', assignee_id: 'm1', next_due_at: NOW + 10 * HOUR }
            : kind === 2
              ? { status: 'in_review', assignee_id: 'm1', next_due_at: null }
              : { status: 'awaiting_evidence', assignee_id: 'm1', next_due_at: NOW + (i % 5) * HOUR },
        )
        .where('id', '=', id)
        .execute();
    }
    all = await facts(db);
    expect(new Set(all.map((f) => f.claim)).size).toBeGreaterThan(20);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
  });

  const ids = (rows: QueueRow[]) => rows.map((r) => r.id);

  it('sorts the unassigned tab by claim either way and by latest escalation, page after page', async () => {
    const unassigned = (f: Fact) => f.status === 'escalated';
    for (const sort of [
      { by: 'claim', dir: 'desc' },
      { by: 'claim', dir: 'asc' },
      { by: 'escalated', dir: 'desc' },
    ] as const)
      expect(ids(await walkAll(db, { scope: 'unassigned', sort }, 'm1'))).toEqual(expected(all, unassigned, sort));
  });

  it('sorts "All open" by next deadline (cases without one last) and by claim', async () => {
    const open = (f: Fact) => OPEN.includes(f.status);
    for (const sort of [
      { by: 'deadline', dir: 'asc' },
      { by: 'deadline', dir: 'desc' },
      { by: 'claim', dir: 'desc' },
    ] as const) {
      const rows = await walkAll(db, { scope: 'all', sort }, 'm1');
      expect(ids(rows)).toEqual(expected(all, open, sort));
    }
    const byDeadline = await walkAll(db, { scope: 'all', sort: { by: 'deadline', dir: 'asc' } }, 'm1');
    const firstWithout = byDeadline.findIndex((r) => r.nextDeadlineAt === null);
    expect(firstWithout).toBeGreaterThan(0);
    expect(byDeadline.slice(firstWithout).every((r) => r.nextDeadlineAt === null)).toBe(true);
  });

  it('sorts one state by claim, deadline or risk, open or closed, windowed or not (migrations/0042)', async () => {
    // No (status, key) index but by escalation: escalated walks its own indexes, another state the
    // open cases' or every case's index of the sort with the state as a filter, in a window.
    for (const status of ['escalated', 'in_review', 'awaiting_evidence', 'closed'] as const) {
      const one = (f: Fact) => f.status === status;
      expect(all.filter(one).length, status).toBeGreaterThan(3);
      for (const sort of [
        { by: 'claim', dir: 'asc' },
        { by: 'deadline', dir: 'desc' },
      ] as const)
        for (const window of [undefined, 4])
          expect(ids(await walkAll(db, { scope: 'all', status: [status], sort }, 'm1', window)), `${status} ${window}`).toEqual(
            expected(all, one, sort),
          );
      for (const dir of ['asc', 'desc'] as const)
        for (const window of [undefined, 4])
          expect(ids(await walkAll(db, { scope: 'all', status: [status], sort: { by: 'risk', dir } }, 'm1', window))).toEqual(
            expectedByRisk(all, one, dir),
          );
    }
  });

  it('sorts any set of states, a filtered (windowed) walk and the Mine tab the same way', async () => {
    const two = (f: Fact) => f.status === 'in_review' || f.status === 'closed';
    const sort = { by: 'claim', dir: 'asc' } as const;
    expect(ids(await walkAll(db, { scope: 'all', status: ['in_review', 'closed'], sort }, 'm1'))).toEqual(expected(all, two, sort));
    // A window of 5 index entries per request: short pages, same rows, same order.
    const defective = (f: Fact) => OPEN.includes(f.status) && f.reason === 'defective';
    expect(expected(all, defective, sort).length).toBeGreaterThan(3);
    for (const s of [sort, { by: 'deadline', dir: 'desc' } as const])
      expect(ids(await walkAll(db, { scope: 'all', reason: ['defective'], sort: s }, 'm1', 5))).toEqual(expected(all, defective, s));
    const mine = (f: Fact) => f.assignee === 'm1' && OPEN.includes(f.status);
    for (const s of [
      { by: 'deadline', dir: 'asc' },
      { by: 'claim', dir: 'desc' },
    ] as const)
      expect(ids(await walkAll(db, { scope: 'mine', sort: s }, 'm1'))).toEqual(expected(all, mine, s));
  });

  it('without a sort keeps each tab’s own order (escalated longest ago first)', async () => {
    const unassigned = (f: Fact) => f.status === 'escalated';
    expect(ids(await walkAll(db, { scope: 'unassigned' }, 'm1'))).toEqual(expected(all, unassigned, { by: 'escalated', dir: 'asc' }));
  });

  it('sorts by the buyer’s risk score: a buyer’s cases together, page after page, windowed or not, and in Mine', async () => {
    const unassigned = (f: Fact) => f.status === 'escalated';
    const open = (f: Fact) => OPEN.includes(f.status);
    const mine = (f: Fact) => f.assignee === 'm1' && OPEN.includes(f.status);
    // Several scores and buyers with more than one case, or the order would prove little.
    expect(new Set(all.filter(open).map((f) => f.score)).size).toBeGreaterThan(3);
    expect(all.every((f) => f.score !== null)).toBe(true);
    for (const dir of ['desc', 'asc'] as const) {
      const sort = { by: 'risk', dir } as const;
      const rows = await walkAll(db, { scope: 'unassigned', sort }, 'm1');
      expect(ids(rows)).toEqual(expectedByRisk(all, unassigned, dir));
      // The row's sort key is the score shown in the Risk column.
      expect(rows.every((r) => r.sortKey === r.buyerScore)).toBe(true);
      expect(ids(await walkAll(db, { scope: 'all', sort }, 'm1'))).toEqual(expectedByRisk(all, open, dir));
      // A window of 5 (buyer, case) pairs per request: short pages, the same rows in the same order.
      const defective = (f: Fact) => open(f) && f.reason === 'defective';
      expect(ids(await walkAll(db, { scope: 'all', reason: ['defective'], sort }, 'm1', 5))).toEqual(expectedByRisk(all, defective, dir));
      expect(ids(await walkAll(db, { scope: 'mine', sort }, 'm1'))).toEqual(expectedByRisk(all, mine, dir));
    }
    // A minimum score narrows the same walk.
    const cut = [...new Set(all.filter(open).map((f) => f.score!))].sort((a, b) => a - b)[2]!;
    const risky = (f: Fact) => open(f) && f.score! >= cut;
    expect(ids(await walkAll(db, { scope: 'all', riskMin: cut, sort: { by: 'risk', dir: 'desc' } }, 'm1'))).toEqual(
      expectedByRisk(all, risky, 'desc'),
    );
  });

  it('walks the risk index of each tab shape by risk, either way, with no sort step (migrations/0034)', async () => {
    if (url() !== ':memory:') return; // PostgreSQL's plan at scale: tests/db/queue-scale-plan.test.ts
    for (const [q, index] of [
      [{ scope: 'unassigned', limit: 50, sort: { by: 'risk', dir: 'desc' } }, 'cases_escalated_by_risk'],
      [{ scope: 'unassigned', limit: 50, sort: { by: 'risk', dir: 'asc' } }, 'cases_escalated_by_risk'],
      [{ scope: 'all', limit: 50, sort: { by: 'risk', dir: 'desc' } }, 'cases_open_by_risk'],
      [{ scope: 'all', limit: 50, reason: ['defective'], sort: { by: 'risk', dir: 'asc' } }, 'cases_open_by_risk'],
      [{ scope: 'all', limit: 50, status: ['in_review', 'closed'], sort: { by: 'risk', dir: 'desc' } }, 'cases_by_risk'],
    ] as const) {
      // The page's rows, then (when filtered) the window's end: both along the same index.
      const windowed = 'reason' in q || 'status' in q;
      for (const pick of [(s: string) => !/offset/i.test(s), ...(windowed ? [(s: string) => /offset/i.test(s)] : [])]) {
        const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, QueueFilter.parse(q), null, NOW), pick);
        const where = `${JSON.stringify(q)}\n${plan.join('\n')}`;
        expect(judgePlan(plan, index), where).toEqual({ ok: true, problems: [] });
      }
    }
  });

  it('sorts the cases of a buyer not scored yet below every score, in every tab and either way', async () => {
    // Two buyers lose their rows (as if imported before the score existed); their cases' copy follows in the same transaction.
    const open = (f: Fact) => OPEN.includes(f.status);
    const gone = [...new Set(all.filter((f) => f.status === 'escalated').map((f) => f.buyer))].sort().slice(0, 2);
    await inWriteTx(db, async (tx) => {
      await tx.deleteFrom('buyer_risk').where('buyer_id', 'in', gone).execute();
      await syncCaseScores(tx, gone);
    });
    const now = await facts(db);
    expect(now.filter((f) => f.score === null).length).toBeGreaterThan(1);
    for (const dir of ['desc', 'asc'] as const) {
      const sort = { by: 'risk', dir } as const;
      const rows = await walkAll(db, { scope: 'unassigned', sort }, 'm1');
      expect(ids(rows)).toEqual(expectedByRisk(now, (f) => f.status === 'escalated', dir));
      expect(ids(await walkAll(db, { scope: 'all', sort }, 'm1'))).toEqual(expectedByRisk(now, open, dir));
      // Shown as not scored (no score), sorted as -1.
      const unscored = rows.filter((r) => gone.includes(r.buyerId));
      expect(unscored.length).toBeGreaterThan(1);
      expect(unscored.every((r) => r.buyerScore === null && r.sortKey === -1)).toBe(true);
      if (dir === 'desc')
        expect(
          rows
            .slice(-unscored.length)
            .map((r) => r.buyerId)
            .every((b) => gone.includes(b)),
        ).toBe(true);
      else
        expect(
          rows
            .slice(0, unscored.length)
            .map((r) => r.buyerId)
            .every((b) => gone.includes(b)),
        ).toBe(true);
    }
  });

  it('walks the sort’s index with no sort step', async () => {
    const sqlite = url() === ':memory:';
    for (const [q, index] of [
      [{ scope: 'unassigned', limit: 50, sort: { by: 'claim', dir: 'desc' } }, 'cases_escalated_by_claim'],
      [{ scope: 'all', limit: 50, sort: { by: 'claim', dir: 'asc' } }, 'cases_open_by_claim'],
      [{ scope: 'all', limit: 50, sort: { by: 'deadline', dir: 'asc' } }, 'cases_open_by_deadline'],
      [{ scope: 'all', limit: 50, status: ['in_review', 'closed'], sort: { by: 'deadline', dir: 'desc' } }, 'cases_by_deadline'],
      [{ scope: 'all', limit: 50, status: ['escalated'], sort: { by: 'deadline', dir: 'asc' } }, 'cases_escalated_by_deadline'],
      [{ scope: 'all', limit: 50, status: ['in_review'], sort: { by: 'claim', dir: 'desc' } }, 'cases_open_by_claim'],
      [
        { scope: 'all', limit: 50, status: ['in_review', 'awaiting_evidence'], sort: { by: 'deadline', dir: 'asc' } },
        'cases_open_by_deadline',
      ],
      [{ scope: 'all', limit: 50, status: ['closed'], sort: { by: 'claim', dir: 'asc' } }, 'cases_by_claim'],
    ] as const) {
      const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, QueueFilter.parse(q), null, NOW));
      if (sqlite) expect(judgePlan(plan, index), `${JSON.stringify(q)}\n${plan.join('\n')}`).toEqual({ ok: true, problems: [] });
      // PostgreSQL's planner may prefer a sequential scan over a handful of rows: asserted only
      // where the statistics say there are many (tests/db/queue-scale-plan.test.ts's fill).
      else expect(plan.join('\n')).not.toMatch(/does not exist/);
    }
  });
});
