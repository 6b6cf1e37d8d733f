import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src-main/contract/domain';
import type { ReportCasesView, ReportView } from '../../src-main/contract/reports';
import type { Db } from '../../src-main/db/connect';
import type { Identity } from '../../src-main/app/identity';
import { percentileFromBuckets } from '../../src-main/app/supervision/reports';
import { ManualClock } from '../../src-main/runtime/clock';
import { deskOn, type Desk } from './audit-fixtures';
import { DIALECTS, openTestDb } from './harness';

/**
 * The supervisors' reports on every dialect: a small team's week played through the real
 * methods, then every figure of the summary checked against what the test did, and the
 * drill-down to the cases behind a figure.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-05-04T10:00:00.000Z'); // a Monday
const INTAKE: Identity = { kind: 'intake' };
const SYSTEM: Identity = { kind: 'system' };
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = user('m1', 'mediator');
const M2 = user('m2', 'mediator');
const S1 = user('s1', 'supervisor');
const PERIOD = { from: new Date(T0 - 24 * HOUR).toISOString(), to: new Date(T0 + 10 * 24 * HOUR).toISOString() };

function dispute(id: string, o: { reason: string; country: string; currency?: string; escalatedHoursBefore: number; status?: string }) {
  return {
    id,
    openedAt: '2026-04-20T08:00:00Z',
    escalatedAt: new Date(T0 - o.escalatedHoursBefore * HOUR).toISOString(),
    reason: o.reason,
    claim: { remedy: 'refund_only', amountMinor: 9_000 },
    description: 'The lid is cracked.',
    order: {
      id: `O-${id}`,
      placedAt: '2026-04-01T10:00:00.000Z',
      currency: o.currency ?? 'PLN',
      itemPriceMinor: 10_000,
      shippingMinor: 500,
      totalMinor: 10_500,
      item: { title: 'Kettle', quantity: 1 },
      tracking: { status: o.status ?? 'delivered', ...(o.status ? {} : { deliveredAt: '2026-04-08T12:00:00.000Z' }) },
    },
    buyer: { id: `B-${id}`, name: `Buyer ${id}`, country: o.country },
    seller: { id: 'S-R', name: 'Kitchen Store', country: 'CN' },
  };
}

describe.each(DIALECTS)('reports on $name', ({ url }) => {
  let db: Db;
  let clock: ManualClock;
  let call: Desk['call'];
  let ok: Desk['ok'];

  beforeEach(async () => {
    ({ db, clock, call, ok } = await deskOn(await openTestDb(url()), new ManualClock(T0)));

    await ok('intake.dispute', dispute('DR-1', { reason: 'damaged', country: 'PL', escalatedHoursBefore: 5 }), INTAKE);
    await ok('intake.dispute', dispute('DR-2', { reason: 'defective', country: 'DE', currency: 'EUR', escalatedHoursBefore: 10 }), INTAKE);
    await ok(
      'intake.dispute',
      dispute('DR-3', { reason: 'not_received.no_tracking_info', country: 'PL', escalatedHoursBefore: 20, status: 'no_info' }),
      INTAKE,
    );
    await ok('intake.dispute', dispute('DR-4', { reason: 'damaged', country: 'PL', escalatedHoursBefore: 30 }), INTAKE);
    await ok('intake.dispute', dispute('DR-5', { reason: 'damaged', country: 'PL', escalatedHoursBefore: 40 }), INTAKE);

    // DR-1: m1 decides a partial refund one hour in (6 h after escalation).
    await ok('case.claim', { caseId: 'DR-1' }, M1);
    clock.set(T0 + HOUR);
    await ok('case.decide', { caseId: 'DR-1', outcome: 'partial', amountMinor: 5_000, reasons: 'Cracked lid, usable.' }, M1);
    // DR-2: m1 asks the seller for evidence; the seller stays silent; the sweep decides by default.
    await ok('case.claim', { caseId: 'DR-2' }, M1);
    await ok('case.requestEvidence', { caseId: 'DR-2', party: 'seller', request: 'Proof it was tested.' }, M1);
    // DR-3: m2 publishes the single option; both parties accept it.
    await ok('case.claim', { caseId: 'DR-3' }, M2);
    await ok('case.propose', { caseId: 'DR-3' }, M2);
    await ok('party.reply', { caseId: 'DR-3', party: 'buyer', choice: 'full' }, INTAKE);
    await ok('party.reply', { caseId: 'DR-3', party: 'seller', choice: 'full' }, INTAKE);
    // DR-4: m2 refuses a refund; the buyer appeals; s1 overturns to a full refund.
    await ok('case.claim', { caseId: 'DR-4' }, M2);
    clock.set(T0 + 2 * HOUR);
    await ok('case.decide', { caseId: 'DR-4', outcome: 'none', reasons: 'No damage visible.' }, M2);
    await ok('party.appeal', { caseId: 'DR-4', party: 'buyer', grounds: 'new_evidence', text: 'Here is a clearer photo.' }, INTAKE);
    await ok('appeal.review', { caseId: 'DR-4', verdict: 'overturn', outcome: 'full', reasons: 'The new photo shows the crack.' }, S1);
    // DR-5 stays open: not in any report.
    await ok('case.claim', { caseId: 'DR-5' }, M1);
    clock.set(T0 + 80 * HOUR);
    await ok('system.tick', undefined, SYSTEM);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('counts the cases first decided in the period by who decided them', async () => {
    const r = await ok<ReportView>('reports.summary', { period: PERIOD, by: 'mediator' }, S1);
    const byKey = Object.fromEntries(r.rows.map((row) => [row.key, row]));
    expect(Object.keys(byKey).sort()).toEqual(['m1', 'm2', 'parties', 'system']);
    expect(byKey.m1).toMatchObject({ label: 'm1', decided: 1, mediator: 1, default: 0 });
    expect(byKey.system).toMatchObject({ decided: 1, default: 1, evidenceRequests: 1, evidenceExpired: 1 });
    expect(byKey.parties).toMatchObject({ decided: 1, agreement: 1, replyPeriods: 1, replyMissed: 0 });
    expect(byKey.m2).toMatchObject({ decided: 1, appealed: 1, overturned: 1 });
    expect(r.totals).toMatchObject({
      decided: 4,
      default: 1,
      agreement: 1,
      mediator: 2,
      appealed: 1,
      overturned: 1,
      evidenceRequests: 1,
      evidenceExpired: 1,
    });
    // Refunds due: DR-1 5,000 PLN; DR-2 the seller's silence gives the buyer's claim, 9,000 EUR; DR-3 and DR-4 the total.
    expect(r.totals.refunds).toEqual([
      { currency: 'EUR', count: 1, amountMinor: 9_000 },
      { currency: 'PLN', count: 3, amountMinor: 5_000 + 10_500 + 10_500 },
    ]);
  });

  it('groups by reason, by buyer country and by week (the Monday), with time to decision', async () => {
    const byReason = await ok<ReportView>('reports.summary', { period: PERIOD, by: 'reason' }, S1);
    expect(byReason.rows.map((r) => [r.key, r.decided])).toEqual([
      ['damaged', 2],
      ['defective', 1],
      ['not_received.no_tracking_info', 1],
    ]);
    expect(byReason.rows[0]!.label).toBe('Damaged');
    const byCountry = await ok<ReportView>('reports.summary', { period: PERIOD, by: 'country' }, S1);
    expect(byCountry.rows.map((r) => [r.key, r.decided])).toEqual([
      ['PL', 3],
      ['DE', 1],
    ]);
    const byWeek = await ok<ReportView>('reports.summary', { period: PERIOD, by: 'week' }, S1);
    expect(byWeek.rows.map((r) => [r.key, r.decided])).toEqual([['2026-05-04', 4]]);
    // DR-1 6 h, DR-4 32 h, DR-3 20 h after escalation; DR-2 decided at its deadline (~82 h).
    const t = byWeek.totals.hoursToDecision;
    expect(t.p50).toBeGreaterThanOrEqual(12);
    expect(t.p50).toBeLessThanOrEqual(36);
    expect(t.p90).toBeGreaterThanOrEqual(72);
    expect(t.p90).toBeLessThanOrEqual(96);
  });

  it('drills a figure down to its cases, newest first, page by page', async () => {
    const def = await ok<ReportCasesView>('reports.cases', { period: PERIOD, by: 'mediator', key: 'system', metric: 'default' }, S1);
    expect(def.rows.map((r) => r.caseId)).toEqual(['DR-2']);
    const appealed = await ok<ReportCasesView>('reports.cases', { period: PERIOD, by: 'reason', key: 'damaged', metric: 'appealed' }, S1);
    expect(appealed.rows.map((r) => [r.caseId, r.appeal])).toEqual([['DR-4', 'overturned']]);
    const week = await ok<ReportCasesView>(
      'reports.cases',
      { period: PERIOD, by: 'week', key: '2026-05-04', metric: 'decided', limit: 3 },
      S1,
    );
    expect(week.rows).toHaveLength(3);
    const rest = await ok<ReportCasesView>(
      'reports.cases',
      { period: PERIOD, by: 'week', key: '2026-05-04', metric: 'decided', limit: 3, after: week.nextCursor },
      S1,
    );
    expect([...week.rows, ...rest.rows].map((r) => r.caseId).sort()).toEqual(['DR-1', 'DR-2', 'DR-3', 'DR-4']);
    expect(rest.nextCursor).toBeNull();
  });

  it('leaves a period without decisions empty, and refuses mediators and bad periods', async () => {
    const empty = await ok<ReportView>(
      'reports.summary',
      { period: { from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' }, by: 'reason' },
      S1,
    );
    expect(empty.rows).toEqual([]);
    expect(empty.totals.decided).toBe(0);
    expect(empty.totals.hoursToDecision).toEqual({ p50: null, p90: null });
    expect(await call('reports.summary', { period: PERIOD, by: 'reason' }, M1)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('reports.summary', { period: { from: PERIOD.to, to: PERIOD.from }, by: 'reason' }, S1)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION' },
    });
    expect(
      await call('reports.summary', { period: { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, by: 'reason' }, S1),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('percentiles from the histogram', () => {
  it('interpolate inside the bucket that holds the quantile', () => {
    // Buckets: <1 h, 1–2 h, 2–4 h, …
    expect(percentileFromBuckets([0, 10, 0], 0.5)).toBe(1.5);
    expect(percentileFromBuckets([10, 0, 10], 0.9)).toBe(3.6);
    expect(percentileFromBuckets([], 0.5)).toBeNull();
  });
});
