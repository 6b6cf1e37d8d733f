import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src-main/contract/domain';
import { AppFailure, type Envelope } from '../../src-main/contract/errors';
import type { Policy } from '../../src-main/contract/policy';
import type { PolicyPreviewView, PolicyVersionView, PreviewCaseRow } from '../../src-main/contract/supervision';
import type { CaseView } from '../../src-main/contract/views';
import { loadCaseState, saveCaseState } from '../../src-main/db/repos/case';
import { inWriteTx } from '../../src-main/db/tx';
import type { Command } from '../../src-main/engine/commands';
import { decide } from '../../src-main/engine/decide';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { currentPolicy } from '../../src-main/db/repos/policy';
import { replayInWorker, replayMode, replayRuns } from '../../src-main/app/replay/in-worker';
import { createUser } from '../../src-main/app/session/users';
import type { Identity } from '../../src-main/app/identity';

/**
 * The policy preview replays the recorded commands of past cases under a draft policy,
 * through the replay machinery (no second engine). The real test of that machinery: the
 * preview of the policy in force reproduces every outcome, here on hand-made histories of
 * every kind and on the demo's seeded history.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-04-06T08:00:00.000Z');
const INTAKE: Identity = { kind: 'intake' };
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = user('m1', 'mediator');
const M2 = user('m2', 'mediator');
const S1 = user('s1', 'supervisor');
const S2 = user('s2', 'supervisor');

type Rows = Array<PreviewCaseRow>;
type Preview = Omit<PolicyPreviewView, 'rows'> & { rows: Rows };

let n = 0;
function dispute(over: { reason?: string; total?: number; claim?: number; remedy?: string; currency?: string; buyer?: string } = {}) {
  n++;
  const id = `PV-${String(n).padStart(3, '0')}`;
  const total = over.total ?? 20_000;
  return {
    id,
    openedAt: new Date(T0 - 9 * 24 * HOUR).toISOString(),
    escalatedAt: new Date(T0 - 24 * HOUR + n * 60_000).toISOString(),
    reason: over.reason ?? 'defective',
    claim: { remedy: over.remedy ?? 'refund_only', amountMinor: over.claim ?? total },
    description: 'Broken on arrival.',
    order: {
      id: `O-${id}`,
      placedAt: new Date(T0 - 30 * 24 * HOUR).toISOString(),
      shippedAt: new Date(T0 - 28 * 24 * HOUR).toISOString(),
      currency: over.currency ?? 'EUR',
      itemPriceMinor: total - 2_000,
      shippingMinor: 2_000,
      totalMinor: total,
      item: { title: 'Blender', quantity: 1 },
      tracking: { number: `TRK${id}`, carrier: 'DHL', status: 'delivered', deliveredAt: new Date(T0 - 20 * 24 * HOUR).toISOString() },
    },
    buyer: { id: over.buyer ?? `B-${id}`, name: `Buyer ${n}`, country: 'PL', links: { device: [`dv-${n}`] } },
    seller: { id: 'S-1', name: 'Shop', country: 'CN' },
    negotiation: [
      {
        at: new Date(T0 - 8 * 24 * HOUR).toISOString(),
        by: 'seller',
        remedy: 'refund_only',
        amountMinor: 0,
        comment: 'We agree to a full refund',
      },
    ],
    messages: [{ at: new Date(T0 - 8 * 24 * HOUR).toISOString(), by: 'buyer', text: 'Please help.' }],
    evidence: [
      {
        party: 'buyer',
        name: 'box.jpg',
        mediaType: 'image/jpeg',
        sizeBytes: 20_000,
        sha256: 'ef'.repeat(32),
        submittedAt: new Date(T0 - 9 * 24 * HOUR).toISOString(),
      },
    ],
  };
}

let core: Core;
let clock: ManualClock;
let dir: string;

async function call<T = unknown>(method: string, input: unknown, who: Identity): Promise<Envelope<T>> {
  return (await core.dispatch(method, input, who)) as Envelope<T>;
}
async function ok<T = unknown>(method: string, input: unknown, who: Identity): Promise<T> {
  const r = await call<T>(method, input, who);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const at = (h: number) => clock.set(T0 + h * HOUR);
async function imported(over: Parameters<typeof dispute>[0] = {}) {
  const d = dispute(over);
  await ok('intake.dispute', d, INTAKE);
  return d.id;
}
const view = (id: string) => ok<CaseView>('case.get', { caseId: id }, S1);
const preview = (draft: Policy, lastN?: number) => ok<Preview>('policy.preview', { draft, ...(lastN ? { lastN } : {}) }, S1);
const rowOf = (p: Preview, id: string): PreviewCaseRow => {
  const r = p.rows.find((x) => x.caseId === id);
  if (!r) throw new Error(`no preview row for ${id}`);
  return r;
};

/** Case ids by story. */
const c: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'md-preview-'));
  clock = new ManualClock(T0);
  core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock });
  for (const u of [M1, M2, S1, S2])
    if (u.kind === 'user') await createUser(core.db, { id: u.userId, name: u.name, role: u.role, password: `${u.userId}-pw` }, T0);

  // Every kind of history the engine knows, interleaved in time as real work is.
  for (const key of [
    'agreePartial',
    'lateSeller',
    'missedSeller',
    'evidenceDecide',
    'returned',
    'neverShipped',
    'overturned',
    'upheld',
    'forced',
    'notReceived',
    'reassigned',
    'bulk',
    'finalByWindow',
  ])
    c[key] = await imported(
      key === 'notReceived'
        ? { reason: 'not_received.no_tracking_info', total: 5_000 }
        : key === 'returned' || key === 'neverShipped'
          ? { reason: 'wrong_item', remedy: 'return_and_refund', currency: 'USD' }
          : key === 'lateSeller'
            ? { reason: 'not_as_described', claim: 12_000 }
            : { buyer: key === 'upheld' ? 'B-PV-002' : undefined },
    );
  c.noLog = await imported();
  c.partLog = await imported();

  at(1);
  for (const key of [
    'agreePartial',
    'lateSeller',
    'missedSeller',
    'evidenceDecide',
    'returned',
    'neverShipped',
    'overturned',
    'upheld',
    'forced',
    'finalByWindow',
  ])
    await ok('case.claim', { caseId: c[key] }, M1);
  await ok('case.claimNext', {}, M2); // the oldest unassigned: agreePartial..finalByWindow are taken, so notReceived
  await ok('case.assign', { caseId: c.reassigned, userId: 'm1' }, S1);
  await ok('case.assignMany', { caseIds: [c.bulk], userId: 'm2' }, S1);
  at(2);
  await ok('case.propose', { caseId: c.agreePartial }, M1);
  await ok('case.propose', { caseId: c.lateSeller }, M1);
  await ok('case.propose', { caseId: c.notReceived }, M2);
  await ok('case.propose', { caseId: c.forced }, M1);
  await ok('case.requestEvidence', { caseId: c.missedSeller, party: 'seller', request: 'The packing photos, please.' }, M1);
  await ok('case.requestEvidence', { caseId: c.evidenceDecide, party: 'buyer', request: 'A video of the fault.' }, M1);
  await ok('case.assign', { caseId: c.reassigned, userId: 'm2' }, S1);
  at(3);
  await ok('case.decide', { caseId: c.returned, outcome: 'return', reasons: 'Wrong item: refund against its return.' }, M1);
  await ok('case.decide', { caseId: c.neverShipped, outcome: 'return', reasons: 'Wrong item: refund against its return.' }, M1);
  await ok('case.decide', { caseId: c.overturned, outcome: 'none', reasons: 'The photos show a working blender.' }, M1);
  await ok('case.decide', { caseId: c.upheld, outcome: 'partial', amountMinor: 6_000, reasons: 'Minor defect.' }, M1);
  await ok('case.decide', { caseId: c.reassigned, outcome: 'full', reasons: 'Clearly defective.' }, M2);
  await ok('case.decide', { caseId: c.bulk, outcome: 'partial', amountMinor: 7_000, reasons: 'Works partly.' }, M2);
  await ok('case.decide', { caseId: c.finalByWindow, outcome: 'full', reasons: 'Clearly defective.' }, M1);
  at(10);
  await ok('party.reply', { caseId: c.agreePartial, party: 'buyer', choice: 'partial' }, INTAKE);
  await ok('party.reply', { caseId: c.notReceived, party: 'buyer', choice: 'full' }, INTAKE);
  await ok('party.reply', { caseId: c.forced, party: 'buyer', choice: 'reject' }, INTAKE);
  await ok(
    'party.submitEvidence',
    {
      caseId: c.evidenceDecide,
      party: 'buyer',
      file: { name: 'fault.mp4', mediaType: 'video/mp4', sizeBytes: 5_000_000, sha256: '12'.repeat(32) },
    },
    INTAKE,
  );
  await ok('party.appeal', { caseId: c.overturned, party: 'buyer', grounds: 'new_evidence', text: 'It does not heat.' }, INTAKE);
  await ok('party.appeal', { caseId: c.upheld, party: 'seller', grounds: 'outcome', text: 'Nothing is wrong with it.' }, INTAKE);
  at(20);
  await ok('party.reply', { caseId: c.agreePartial, party: 'seller', choice: 'partial' }, INTAKE);
  await ok('party.reply', { caseId: c.notReceived, party: 'seller', choice: 'full' }, INTAKE);
  await ok('party.reply', { caseId: c.forced, party: 'seller', choice: 'reject' }, INTAKE);
  await ok(
    'case.decide',
    { caseId: c.evidenceDecide, outcome: 'partial', amountMinor: 9_999, reasons: 'The video shows a weak motor.' },
    M1,
  );
  await ok(
    'appeal.review',
    { caseId: c.overturned, verdict: 'overturn', outcome: 'full', reasons: 'The new video shows it does not heat.' },
    S2,
  );
  await ok('appeal.review', { caseId: c.upheld, verdict: 'uphold', reasons: 'The decision stands.' }, S1);
  at(24);
  const forcedView = await view(c.forced!);
  await ok(
    'case.decide',
    {
      caseId: c.forced,
      outcome: 'return',
      amountMinor: forcedView.proposal!.options.find((o) => o.kind === 'return')!.amountMinor,
      reasons: 'Return it.',
    },
    M1,
  );
  await ok('party.shipReturn', { caseId: c.returned, trackingNumber: 'RT-1' }, INTAKE);
  at(80);
  // The seller accepts late in the reply period (96 h from hour 2); the buyer never replies.
  await ok('party.reply', { caseId: c.lateSeller, party: 'seller', choice: 'partial' }, INTAKE);
  at(100);
  await ok('party.confirmReturn', { caseId: c.returned }, INTAKE);
  await core.sweepNow();
  // Cases worked before the command log existed: the engine and the repository directly, no log.
  // One wholly (no log at all), one claimed before and decided after the log began (a log that
  // does not start where the case left the queue cannot be replayed).
  await unlogged(c.noLog, { type: 'claim' });
  await unlogged(c.noLog, { type: 'decide', outcome: 'full', reasons: 'Old decision.' });
  await unlogged(c.partLog, { type: 'claim' });
  await ok('case.decide', { caseId: c.partLog, outcome: 'none', reasons: 'Nothing wrong with it.' }, M2);
  // Long enough for the appeal windows and the return period to run out where they should.
  at(260);
  await core.sweepNow();
});
/** A command as the app did before the command log existed: engine and repository, nothing logged. */
async function unlogged(caseId: string | undefined, command: Command) {
  await inWriteTx(core.db, async (tx) => {
    const s = (await loadCaseState(tx, caseId!))!;
    const { version, policy } = await currentPolicy(tx);
    const r = decide(s, command, { now: clock.now(), policy, policyVersion: version, actor: { kind: 'user', id: 'm2', role: 'mediator' } });
    if (!r.ok) throw new Error(r.message);
    await saveCaseState(tx, s, r.next, r, clock.now());
  });
}

afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the histories are what the tests say they are', () => {
  it('ends each story in the expected state', async () => {
    const expectations: Record<string, Partial<{ status: string; outcome: string; basis: string }>> = {
      agreePartial: { status: 'final', outcome: 'partial', basis: 'agreement' },
      lateSeller: { status: 'closed', outcome: 'partial', basis: 'default' }, // decided at hour 98: still in its appeal window
      missedSeller: { status: 'final', outcome: 'full', basis: 'default' },
      evidenceDecide: { status: 'final', outcome: 'partial', basis: 'mediator' },
      returned: { status: 'final', outcome: 'return', basis: 'mediator' },
      neverShipped: { status: 'final', outcome: 'return', basis: 'mediator' },
      overturned: { status: 'final', outcome: 'full', basis: 'appeal' },
      upheld: { status: 'final', outcome: 'partial', basis: 'mediator' },
      forced: { status: 'final', outcome: 'return', basis: 'mediator' },
      notReceived: { status: 'final', outcome: 'full', basis: 'agreement' },
      reassigned: { status: 'final', outcome: 'full', basis: 'mediator' },
      bulk: { status: 'final', outcome: 'partial', basis: 'mediator' },
      finalByWindow: { status: 'final', outcome: 'full', basis: 'mediator' },
    };
    for (const [key, want] of Object.entries(expectations)) {
      const v = await view(c[key]!);
      expect({ key, status: v.status, outcome: v.decision?.outcome, basis: v.decision?.basis }).toEqual({ key, ...want });
    }
    expect((await view(c.neverShipped!)).refund).toMatchObject({ status: 'cancelled', amountMinor: 0 });
    expect((await view(c.returned!)).refund).toMatchObject({ status: 'expected', amountMinor: 20_000 });
    expect((await view(c.notReceived!)).assignee).toBe('m2');
  });
});

describe('policy.preview', () => {
  let current: PolicyVersionView;
  beforeAll(async () => {
    current = await ok<PolicyVersionView>('policy.get', {}, S1);
  });

  it('under the policy in force reproduces every outcome: nothing changes', async () => {
    const inWorker = replayRuns.worker;
    const p = await preview(current.policy);
    // The replay ran on a worker thread (from the TypeScript source, under vitest), not here.
    expect(replayMode()).toBe('worker');
    expect([replayRuns.worker, replayRuns.inProcess]).toEqual([inWorker + 1, 0]);
    expect(p.basedOnVersion).toBe(current.version);
    expect(p.considered).toBe(Object.keys(c).length);
    expect(p.replayed).toBe(Object.keys(c).length - 2);
    expect(p.skipped).toBe(2); // the cases worked before the command log began
    expect(p.rows.map((r) => r.caseId)).not.toContain(c.noLog);
    expect(p.rows.map((r) => r.caseId)).not.toContain(c.partLog);
    const changed = p.rows.filter((r) => r.changed);
    expect(changed.map((r) => [r.caseId, r.note])).toEqual([]);
    expect(p.changedOutcomes).toBe(0);
    expect(p.changedAmounts).toBe(0);
    for (const r of p.rows) {
      expect(r.after).toEqual({
        outcome: r.before.outcome,
        amountMinor: r.before.amountMinor,
        basis: r.before.basis,
        status: r.before.status,
        refundMinor: r.before.refundMinor,
      });
      expect(r.refusedSteps).toBe(0);
    }
    const eur = p.totals.find((t) => t.currency === 'EUR')!;
    expect(eur.afterMinor).toBe(eur.beforeMinor);
    expect(p.totals.find((t) => t.currency === 'USD')).toEqual({ currency: 'USD', beforeMinor: 20_000, afterMinor: 20_000 }); // one return paid, one cancelled
    expect(p.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('a lower defective partial rate changes the agreed partial amount, and says why', async () => {
    const draft = { ...current.policy, partialRates: { ...current.policy.partialRates, defective: 0.7 } };
    const p = await preview(draft);
    const r = rowOf(p, c.agreePartial!);
    // min(claim 200.00, 0.9 × 180.00) = 162.00 → min(200.00, 0.7 × 180.00) = 126.00; both parties still accept the partial option.
    expect(r.before).toMatchObject({ outcome: 'partial', amountMinor: 16_200, basis: 'agreement', status: 'final', refundMinor: 16_200 });
    expect(r.after).toMatchObject({ outcome: 'partial', amountMinor: 12_600, basis: 'agreement', status: 'final', refundMinor: 12_600 });
    expect(r.changed).toBe(true);
    expect(r.note).toContain('partial rate for defective 0.9 → 0.7');
    expect(r.note).toMatch(/partial .*162.*→ partial .*126/);
    // Decisions the mediator typed in are the mediator's: unchanged.
    expect(rowOf(p, c.evidenceDecide!).changed).toBe(false);
    expect(p.changedAmounts).toBe(1);
    expect(p.changedOutcomes).toBe(0);
    const eur = p.totals.find((t) => t.currency === 'EUR')!;
    expect(eur.beforeMinor - eur.afterMinor).toBe(16_200 - 12_600);
  });

  it("a shorter reply period turns the seller's late acceptance into a forced decision", async () => {
    const p = await preview({ ...current.policy, replyPeriodHours: 48 });
    const r = rowOf(p, c.lateSeller!);
    expect(r.before).toMatchObject({ outcome: 'partial', basis: 'default', status: 'closed' });
    expect(r.after).toMatchObject({ outcome: null, amountMinor: 0, basis: null, status: 'in_review', refundMinor: 0 });
    expect(r.changed).toBe(true);
    expect(r.refusedSteps).toBe(1);
    expect(r.note).toContain(`the seller's reply on ${new Date(T0 + 80 * HOUR).toISOString()} refused under the draft: DEADLINE_PASSED`);
    expect(r.note).toContain('a mediator must pick a published option');
    expect(r.note).toContain('reply period 96 h → 48 h');
    expect(p.changedOutcomes).toBe(1);
    // The agreements inside 48 h are untouched.
    expect(rowOf(p, c.agreePartial!).changed).toBe(false);
    expect(rowOf(p, c.notReceived!).changed).toBe(false);
  });

  it('without the missed-evidence default the silent seller no longer loses by default', async () => {
    const p = await preview({ ...current.policy, defaultOnMissedEvidence: false });
    const r = rowOf(p, c.missedSeller!);
    expect(r.after).toMatchObject({ outcome: null, status: 'in_review' });
    expect(r.note).toContain("would wait for a mediator's decision");
    expect(r.note).toContain('missed-evidence default on → off');
    expect(p.rows.filter((x) => x.changed).map((x) => x.caseId)).toEqual([c.missedSeller]);
  });

  it('a shorter return period cancels the refund of the late return shipment', async () => {
    const p = await preview({ ...current.policy, returnShipmentHours: 12 });
    const r = rowOf(p, c.returned!);
    expect(r.before).toMatchObject({ refundMinor: 20_000 });
    expect(r.after).toMatchObject({ outcome: 'return', refundMinor: 0 });
    expect(r.note).toContain("the buyer's return shipment");
    expect(r.note).toContain('DEADLINE_PASSED');
    expect(p.totals.find((t) => t.currency === 'USD')).toEqual({ currency: 'USD', beforeMinor: 20_000, afterMinor: 0 });
  });

  it('takes the last N decided cases, latest decision first', async () => {
    const p = await preview(current.policy, 3);
    expect(p.considered).toBe(3);
    const decided = await core.db
      .selectFrom('decisions')
      .select(['case_id', 'decided_at'])
      .orderBy('decided_at', 'desc')
      .orderBy('case_id', 'desc')
      .execute();
    const latest: string[] = [];
    for (const d of decided) if (!latest.includes(d.case_id) && latest.length < 3) latest.push(d.case_id);
    expect(p.rows.map((r) => r.caseId)).toEqual(latest.filter((id) => id !== c.noLog && id !== c.partLog));
    expect(p.skipped).toBe(latest.filter((id) => id === c.noLog || id === c.partLog).length);
  });

  it('writes nothing to the real database', async () => {
    const counts = async () =>
      Promise.all(
        (
          [
            'cases',
            'decisions',
            'case_events',
            'case_commands',
            'policies',
            'quality_reviews',
            'deadlines',
            'accounts',
            'buyer_risk',
          ] as const
        ).map(async (t) =>
          Number(
            (
              await core.db
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          ),
        ),
      );
    const before = await counts();
    await preview({ ...current.policy, replyPeriodHours: 24, partialRates: { ...current.policy.partialRates, defective: 0.1 } });
    expect(await counts()).toEqual(before);
    expect((await ok<PolicyVersionView>('policy.get', {}, S1)).version).toBe(current.version);
  });
});

describe('the replay worker', () => {
  it('stops a replay that outlives its timeout with INTERNAL, and runs the next one', async () => {
    const scenario = { name: 'one tick', policy: {}, users: [], steps: [{ at: new Date(T0).toISOString(), method: 'system.tick' }] };
    const e = await replayInWorker(scenario, [], { timeoutMs: 1 }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AppFailure);
    expect([(e as AppFailure).code, (e as AppFailure).message]).toEqual(['INTERNAL', expect.stringMatching(/took longer/)]);
    const out = await replayInWorker(scenario, []);
    expect(out.results).toEqual([{ step: 0, ok: true }]);
    expect(out.value).toEqual(new Map());
    expect(replayMode()).toBe('worker');
  });
});

describe('policy.preview of the demo history', () => {
  it('reproduces every outcome of the seeded demo under the policy in force', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'md-preview-demo-'));
    const demoClock = new ManualClock(T0);
    const demo = await openCore({ dataDir: demoDir, databaseUrl: ':memory:', clock: demoClock, demoIfEmpty: 900 });
    try {
      const oleg: Identity = { kind: 'user', userId: 'oleg', role: 'supervisor', name: 'Oleg' };
      const cur = await demo.dispatch('policy.get', {}, oleg);
      if (!cur.ok) throw new Error(cur.error.message);
      const r = await demo.dispatch('policy.preview', { draft: (cur.value as PolicyVersionView).policy }, oleg);
      if (!r.ok) throw new Error(r.error.message);
      const p = r.value as Preview;
      expect(p.replayed).toBeGreaterThanOrEqual(50);
      expect(p.skipped).toBe(0);
      expect(p.rows.filter((x) => x.changed).map((x) => [x.caseId, x.note])).toEqual([]);
    } finally {
      await demo.close();
      rmSync(demoDir, { recursive: true, force: true });
    }
  });
});
