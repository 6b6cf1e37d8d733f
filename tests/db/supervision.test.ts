import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispute } from '../../src-main/contract/dispute';
import type { Role } from '../../src-main/contract/domain';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';
import type {
  AppealsListView,
  PolicyPreviewView,
  PolicyVersionView,
  QualityListView,
  TeamOverview,
} from '../../src-main/contract/supervision';
import type { CaseView } from '../../src-main/contract/views';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { caseView } from '../../src-main/app/case/view';
import { ManualClock } from '../../src-main/runtime/clock';
import { exportDisputes } from '../../src-main/app/replay/dispute-export';
import { importDisputes } from '../../src-main/app/intake/intake';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { replayMode, replayRuns } from '../../src-main/app/replay/in-worker';
import type { Identity } from '../../src-main/app/identity';
import { deskOn, type Desk } from './audit-fixtures';
import { DIALECTS, openTestDb } from './harness';

/**
 * The supervisors' desk on every dialect: the 0004 tables, the dispute export round trip,
 * and the grouped SQL of the team view, appeals, quality, policy history, bulk assignment
 * and the preview (which reads the real database and replays on its own SQLite).
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-05-04T10:00:00.000Z');
const INTAKE: Identity = { kind: 'intake' };
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = user('m1', 'mediator');
const M2 = user('m2', 'mediator');
const S1 = user('s1', 'supervisor');
const S2 = user('s2', 'supervisor');

function dispute(i: number, over: { reason?: string; buyerLinks?: boolean; currency?: string } = {}) {
  return {
    id: `DB-${i}`,
    openedAt: '2026-04-20T08:00:00Z',
    escalatedAt: new Date(T0 - 30 * HOUR + i * 60_000).toISOString(),
    reason: over.reason ?? 'damaged',
    claim: { remedy: 'refund_only', amountMinor: 9_000 },
    description: `Case ${i}: the lid is cracked.`,
    order: {
      id: `O-DB-${i}`,
      placedAt: '2026-04-01T10:00:00.000Z',
      ...(i % 2 ? { shippedAt: '2026-04-02T10:00:00.000Z' } : {}),
      currency: over.currency ?? 'PLN',
      itemPriceMinor: 10_000,
      shippingMinor: 500,
      totalMinor: 10_500,
      item: { title: 'Kettle', quantity: 2 },
      tracking:
        i % 2
          ? { number: `TR${i}`, carrier: 'InPost', status: 'delivered', deliveredAt: '2026-04-08T12:00:00.000Z' }
          : { status: 'no_info' },
    },
    buyer: {
      id: `B-${i % 3}`,
      name: `Buyer ${i % 3}`,
      country: 'PL',
      createdAt: '2025-01-01T00:00:00.000Z',
      ...(over.buyerLinks === false ? {} : { links: { device: [`dv-${i % 3}`], payment: [`pm-${i % 3}`, 'pm-shared'] } }),
    },
    seller: { id: 'S-DB', name: 'Kitchen Store', country: 'CN' },
    negotiation: [
      { at: '2026-04-21T08:00:00.000Z', by: 'buyer', remedy: 'refund_only', amountMinor: 9_000, comment: 'Refund please' },
      { at: '2026-04-22T08:00:00.000Z', by: 'seller', remedy: 'refund_only', amountMinor: 0, comment: '' },
    ],
    messages: [{ at: '2026-04-21T09:00:00.000Z', by: 'seller', text: 'Send photos.' }],
    evidence: [
      {
        party: 'buyer',
        name: 'lid.png',
        mediaType: 'image/png',
        sizeBytes: 50_000,
        sha256: String(i % 10).repeat(64),
        submittedAt: '2026-04-20T08:05:00.000Z',
      },
    ],
  };
}

describe.each(DIALECTS)('supervisors’ desk on $name', ({ url }) => {
  let db: Db;
  let clock: ManualClock;
  let call: Desk['call'];
  let ok: Desk['ok'];

  beforeEach(async () => {
    ({ db, clock, call, ok } = await deskOn(await openTestDb(url()), new ManualClock(T0)));
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('creates the 0004 tables and keeps the command log append-only', async () => {
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    for (const t of ['case_commands', 'quality_reviews', 'settings']) expect(tables).toContain(t);
    await db
      .insertInto('case_commands')
      .values({ case_id: 'X', at: 1, actor_id: 'm1', actor_role: 'mediator', method: 'case.claim', input: '{"caseId":"X"}' })
      .execute();
    await expect(db.updateTable('case_commands').set({ method: 'case.decide' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('case_commands').execute()).rejects.toThrow(/append-only/);
  });

  it('exports the intake dispute of a case so that importing it elsewhere gives the same case', async () => {
    for (let i = 1; i <= 4; i++) await ok('intake.dispute', dispute(i, { buyerLinks: i !== 4 }), INTAKE);
    // Evidence added on request after escalation is not part of the intake dispute.
    await ok('case.claim', { caseId: 'DB-1' }, M1);
    await ok('case.requestEvidence', { caseId: 'DB-1', party: 'buyer', request: 'A closer photo.' }, M1);
    await ok(
      'party.submitEvidence',
      { caseId: 'DB-1', party: 'buyer', file: { name: 'close.jpg', mediaType: 'image/jpeg', sizeBytes: 999, sha256: 'a'.repeat(64) } },
      INTAKE,
    );

    const exported = await exportDisputes(db, ['DB-1', 'DB-2', 'DB-3', 'DB-4', 'NOPE']);
    expect([...exported.keys()].sort()).toEqual(['DB-1', 'DB-2', 'DB-3', 'DB-4']);
    for (const d of exported.values()) expect(Dispute.safeParse(d).success).toBe(true);
    expect(exported.get('DB-1')!.evidence).toHaveLength(1);
    expect(exported.get('DB-1')!.buyer.links).toEqual({ device: ['dv-1'], address: [], payment: ['pm-1', 'pm-shared'] });
    expect(exported.get('DB-2')!.order.tracking).toEqual({ number: null, carrier: null, status: 'no_info', deliveredAt: null });

    // Into a fresh database (SQLite: the replay's own kind), in one batch.
    const other = await openDatabase({ url: ':memory:' });
    try {
      await ensurePolicy(other, T0);
      const outcomes = await other.transaction().execute((tx) =>
        importDisputes(
          tx,
          [...exported.values()].map((d) => Dispute.parse(d)),
          T0,
        ),
      );
      expect(outcomes.map((o) => o.result)).toEqual(['created', 'created', 'created', 'created']);
      const comparable = (v: CaseView | null) => {
        const {
          events: _e,
          buyerRisk: _r,
          evidenceRequests: _q,
          status: _s,
          assignee: _a,
          deadlines: _d,
          guidance: _g,
          version: _v,
          ...rest
        } = v!;
        return { ...rest, evidence: rest.evidence.filter((e) => e.requestId === null) };
      };
      for (const id of ['DB-1', 'DB-2', 'DB-3', 'DB-4'])
        expect(comparable(await caseView(other, id))).toEqual(comparable(await caseView(db, id)));
      // The links came back whole (the fraud score's ring detection reads them).
      const links = async (d: Db) =>
        (
          await d
            .selectFrom('account_links')
            .select(['account_id', 'kind', 'value'])
            .orderBy('account_id')
            .orderBy('kind')
            .orderBy('value')
            .execute()
        ).map((l) => `${l.account_id}:${l.kind}:${l.value}`);
      expect(await links(other)).toEqual(await links(db));
    } finally {
      await other.destroy();
    }
  });

  it('answers the team view, appeals, quality, history and bulk assignment with grouped SQL', async () => {
    for (let i = 1; i <= 8; i++) await ok('intake.dispute', dispute(i, { currency: i % 2 ? 'PLN' : 'EUR' }), INTAKE);
    const current = await ok<PolicyVersionView>('policy.get', {}, S1);
    await ok(
      'policy.publish',
      { policy: { ...current.policy, qualitySampleRate: 1 }, note: 'Sample all.', basedOnVersion: current.version },
      S1,
    );
    // m1: full, partial 4,500 of a 9,000 claim, none; m2: partial 9,000 (capped share 1).
    const decide = async (id: string, who: Identity, outcome: string, amountMinor?: number) => {
      await ok('case.claim', { caseId: id }, who);
      await ok('case.decide', { caseId: id, outcome, ...(amountMinor ? { amountMinor } : {}), reasons: 'On the evidence.' }, who);
    };
    await decide('DB-1', M1, 'full');
    await decide('DB-2', M1, 'partial', 4_500);
    await decide('DB-3', M1, 'none');
    await decide('DB-4', M2, 'partial', 9_000);
    await ok('case.claim', { caseId: 'DB-5' }, M2);
    await ok('party.appeal', { caseId: 'DB-3', party: 'buyer', grounds: 'outcome', text: 'Unfair.' }, INTAKE);
    clock.advance(HOUR);

    const team = await ok<TeamOverview>('team.overview', { days: 2 }, S1);
    const m1 = team.members.find((m) => m.userId === 'm1')!;
    const m2 = team.members.find((m) => m.userId === 'm2')!;
    expect(m1).toMatchObject({
      decided: 3,
      refundRate: 0.6667,
      meanRefundShareOfClaim: 0.5,
      mix: { full: 0.3333, partial: 0.3333, return: 0, none: 0.3333 },
      openCases: 0,
    });
    expect(m2).toMatchObject({ decided: 1, refundRate: 1, meanRefundShareOfClaim: 1, openCases: 1, overdueCases: 0 });
    expect(typeof m1.meanRefundShareOfClaim).toBe('number');
    expect(team.team).toMatchObject({ decided: 4, refundRate: 0.75, meanRefundShareOfClaim: 0.625, openCases: 1 });
    expect(team.unassigned).toBe(3);
    expect(team.waitingLongest.map((w) => w.caseId)).toEqual(['DB-5', 'DB-6', 'DB-7', 'DB-8']);

    const appeals = await ok<AppealsListView>('appeals.list', {}, S1);
    expect(appeals.rows.map((r) => [r.caseId, r.decision.decidedBy, r.mayReview])).toEqual([['DB-3', 'm1', true]]);

    const quality = await ok<QualityListView>('quality.list', {}, S1);
    expect(quality.rows.map((r) => r.caseId).sort()).toEqual(['DB-1', 'DB-2', 'DB-3', 'DB-4']);
    expect(quality.sampleRate).toBe(1);
    await ok('quality.review', { caseId: 'DB-2', verdict: 'agree', note: 'Fair amount.' }, S2);
    expect((await ok<QualityListView>('quality.list', { status: 'reviewed' }, S1)).rows.map((r) => [r.caseId, r.review!.verdict])).toEqual([
      ['DB-2', 'agree'],
    ]);
    expect((await ok<TeamOverview>('team.overview', { days: 2 }, S1)).members.find((m) => m.userId === 'm1')!.quality).toEqual({
      reviewed: 1,
      agreed: 1,
      disagreed: 0,
    });

    const history = await ok<PolicyVersionView[]>('policy.history', {}, S1);
    expect(history.map((h) => [h.version, h.decisions])).toEqual([
      [2, 4],
      [1, 0],
    ]);

    // All or none on this dialect's transactions too.
    const refused = await call('case.assignMany', { caseIds: ['DB-6', 'DB-7', 'DB-1'], userId: 'm2' }, S1);
    expect(refused.ok).toBe(false);
    expect(
      (await db.selectFrom('cases').select('assignee_id').where('id', 'in', ['DB-6', 'DB-7']).execute()).every(
        (r) => r.assignee_id === null,
      ),
    ).toBe(true);
    await ok('case.assignMany', { caseIds: ['DB-6', 'DB-7', 'DB-5'], userId: 'm1' }, S1);
    expect(
      (
        await db
          .selectFrom('cases')
          .select(['id', 'assignee_id', 'status'])
          .where('id', 'in', ['DB-5', 'DB-6', 'DB-7'])
          .orderBy('id')
          .execute()
      ).map((r) => [r.id, r.assignee_id, r.status]),
    ).toEqual([
      ['DB-5', 'm1', 'in_review'],
      ['DB-6', 'm1', 'in_review'],
      ['DB-7', 'm1', 'in_review'],
    ]);
  });

  it('previews a draft from this database on the replay’s own SQLite, reproducing the policy in force', async () => {
    for (let i = 1; i <= 4; i++) await ok('intake.dispute', dispute(i), INTAKE);
    for (const id of ['DB-1', 'DB-2']) {
      await ok('case.claim', { caseId: id }, M1);
      await ok('case.propose', { caseId: id }, M1);
    }
    clock.advance(5 * HOUR);
    await ok('party.reply', { caseId: 'DB-1', party: 'buyer', choice: 'partial' }, INTAKE);
    await ok('party.reply', { caseId: 'DB-1', party: 'seller', choice: 'partial' }, INTAKE);
    await ok('party.reply', { caseId: 'DB-2', party: 'buyer', choice: 'return' }, INTAKE);
    await ok('case.claim', { caseId: 'DB-3' }, M2);
    await ok('case.decide', { caseId: 'DB-3', outcome: 'full', reasons: 'Cracked.' }, M2);
    clock.advance(100 * HOUR);
    await ok('system.tick', {}, { kind: 'system' });

    const current = await ok<PolicyVersionView>('policy.get', {}, S1);
    const inWorker = replayRuns.worker;
    const same = await ok<PolicyPreviewView>('policy.preview', { draft: current.policy }, S1);
    expect([replayMode(), replayRuns.worker - inWorker, replayRuns.inProcess]).toEqual(['worker', 1, 0]); // replayed on a worker thread
    expect(same).toMatchObject({ considered: 3, replayed: 3, skipped: 0, changedOutcomes: 0, changedAmounts: 0 });
    expect(same.rows.filter((r) => r.changed)).toEqual([]);
    // damaged 0.5 × 100.00 = 50.00 agreed; at 0.2 it would be 20.00.
    const draft = { ...DEFAULT_POLICY, partialRates: { ...DEFAULT_POLICY.partialRates, damaged: 0.2 } };
    const lower = await ok<PolicyPreviewView>('policy.preview', { draft }, S1);
    const row = lower.rows.find((r) => r.caseId === 'DB-1')!;
    expect([row.before.amountMinor, row.after.amountMinor]).toEqual([5_000, 2_000]);
    expect(lower.totals).toEqual([{ currency: 'PLN', beforeMinor: 5_000 + 10_500 + 10_500, afterMinor: 2_000 + 10_500 + 10_500 }]);
    expect(await db.selectFrom('policies').select('version').execute()).toHaveLength(1);
  });
});
