import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { DisputeInput } from '../../src-main/contract/dispute';
import type { Role } from '../../src-main/contract/domain';
import type { Db } from '../../src-main/db/connect';
import { loadRiskModel } from '../../src-main/db/repos/risk/updates';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { buyerRisk, listBuyerRisks } from '../../src-main/app/risk/buyer-risk';
import { caseView } from '../../src-main/app/case/view';
import { ManualClock } from '../../src-main/runtime/clock';
import type { ServiceContext } from '../../src-main/app/handlers';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { dispatch } from '../../src-main/app/dispatch';
import type { Identity } from '../../src-main/app/identity';
import { DIALECTS, openTestDb } from './harness';
import { riskSnapshot, staleLinkReasons } from './risk-compare';
import { replayInWorker } from '../../src-main/app/replay/in-worker';
import { SeededRandom } from '../../src-main/util/seeded-random';
import { RiskUpdater } from '../../src-main/engine/risk';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const INTAKE: Identity = { kind: 'intake' };
const as = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = as('m1', 'mediator');
const A1 = as('a1', 'analyst');

async function setup(url: string): Promise<{ db: Db; ctx: ServiceContext; clock: ManualClock }> {
  const db = await openTestDb(url);
  const clock = new ManualClock(NOW);
  await ensurePolicy(db, NOW);
  for (const [id, role] of [
    ['m1', 'mediator'],
    ['a1', 'analyst'],
  ] as const)
    await db
      .insertInto('users')
      .values({ id, name: id, role, password_hash: 'disabled', failed_attempts: 0, locked_until: null, created_at: NOW })
      .execute();
  return { db, clock, ctx: { db, clock, notify: () => {}, replayCases: replayInWorker } };
}

async function ok(ctx: ServiceContext, method: string, input: unknown, who: Identity): Promise<unknown> {
  const r = await dispatch(ctx, method, input, who);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}

let seq = 0;
/** A small valid dispute; `buyer` and the order's tracking status vary per test. */
function dispute(o: {
  id?: string;
  buyer: string;
  links?: DisputeInput['buyer']['links'];
  status?: 'delivered' | 'in_transit';
  reason?: string;
  messages?: string[];
  photos?: string[];
  day?: number;
  seller?: string;
  orderHistory?: { placed: number; delivered: number; since?: string };
  /** When the buyer's account was opened, days before NOW. */
  createdDaysAgo?: number;
}): DisputeInput {
  const id = o.id ?? `D-${++seq}`;
  const placed = NOW - (60 - (o.day ?? 0)) * DAY;
  return {
    id,
    openedAt: new Date(placed + 30 * DAY).toISOString(),
    escalatedAt: new Date(placed + 35 * DAY).toISOString(),
    reason: (o.reason ?? 'not_received.no_tracking_info') as DisputeInput['reason'],
    claim: { remedy: 'refund_only', amountMinor: 5_000 },
    description: 'It never came.',
    order: {
      id: `O-${id}`,
      placedAt: new Date(placed).toISOString(),
      currency: 'EUR',
      itemPriceMinor: 4_000,
      shippingMinor: 1_000,
      totalMinor: 5_000,
      item: { title: 'Lamp', quantity: 1 },
      tracking: {
        number: `T${id}`,
        carrier: 'DHL',
        status: o.status ?? 'delivered',
        deliveredAt: o.status === 'in_transit' ? null : new Date(placed + 10 * DAY).toISOString(),
      },
    },
    buyer: {
      id: o.buyer,
      name: o.buyer,
      country: 'DE',
      links: o.links ?? {},
      ...(o.orderHistory ? { orderHistory: o.orderHistory } : {}),
      ...(o.createdDaysAgo !== undefined ? { createdAt: new Date(NOW - o.createdDaysAgo * DAY).toISOString() } : {}),
    },
    seller: { id: o.seller ?? 'S-1', name: 'Shop', country: 'CN' },
    messages: (o.messages ?? []).map((text) => ({ at: new Date(placed + 31 * DAY).toISOString(), by: 'buyer' as const, text })),
    evidence: (o.photos ?? []).map((sha256, i) => ({
      party: 'buyer' as const,
      name: `p${i}.jpg`,
      mediaType: 'image/jpeg',
      sizeBytes: 1000,
      sha256,
      submittedAt: new Date(placed + 30 * DAY).toISOString(),
    })),
  };
}
const sha = (n: number) => n.toString(16).padStart(64, 'a');

async function importAll(ctx: ServiceContext, ds: Iterable<DisputeInput>) {
  for (const d of ds) await ok(ctx, 'intake.dispute', d, INTAKE);
}

describe.each(DIALECTS)('buyer risk on $name', ({ name, url }) => {
  describe('per-event updates', () => {
    let db: Db;
    let ctx: ServiceContext;
    let clock: ManualClock;
    beforeAll(async () => {
      ({ db, ctx, clock } = await setup(url()));
    });
    afterAll(async () => {
      await db.destroy();
    });

    it('scores a buyer on import and shows it on the case (strings and details)', async () => {
      await importAll(
        ctx,
        Array.from({ length: 6 }, (_, i) =>
          dispute({
            id: `D-s${i}`,
            buyer: 'B-serial',
            day: i * 3,
            photos: [sha(1)],
            messages: i < 2 ? ['If you do not refund me I will leave a 1-star review.'] : [],
          }),
        ),
      );
      const risk = await buyerRisk(db, 'B-serial');
      expect(risk.score).toBeGreaterThanOrEqual(80);
      expect(risk.details.map((d) => d.code)).toEqual(expect.arrayContaining(['NOT_RECEIVED_DELIVERED', 'REUSED_PHOTO', 'REVIEW_THREAT']));
      expect(risk.reasons).toEqual(risk.details.map((d) => d.text));
      const view = await caseView(db, 'D-s0');
      expect(view!.buyerRisk).toEqual(risk);
    });

    it('takes back what a re-imported dispute no longer says (a parcel now shown in transit)', async () => {
      const first = dispute({ id: 'D-re', buyer: 'B-re', messages: ['Pay me by PayPal and I will close the dispute.'] });
      await importAll(ctx, [first]);
      let row = await db.selectFrom('buyer_risk').selectAll().where('buyer_id', '=', 'B-re').executeTakeFirstOrThrow();
      expect([row.n_nrd, row.n_excused, row.n_off_platform]).toEqual([1, 0, 1]);
      await importAll(ctx, [{ ...dispute({ id: 'D-re', buyer: 'B-re', status: 'in_transit' }), description: 'changed' }]);
      row = await db.selectFrom('buyer_risk').selectAll().where('buyer_id', '=', 'B-re').executeTakeFirstOrThrow();
      expect([row.n_orders, row.n_nrd, row.n_excused, row.n_off_platform, row.n_disputes]).toEqual([1, 0, 1, 0, 0]);
    });

    it("an analyst's flag reaches a household member, not the accounts behind a parcel locker", async () => {
      const locker = { address: ['ad-locker-1'] };
      await importAll(ctx, [
        dispute({ buyer: 'B-flag', links: { address: ['ad-home'], device: ['dv-flag'], payment: ['pm-flag'] }, reason: 'defective' }),
        dispute({ buyer: 'B-partner', links: { address: ['ad-home'], device: ['dv-partner'] }, reason: 'defective' }),
        ...Array.from({ length: 10 }, (_, i) => dispute({ buyer: `B-locker-${i}`, links: locker, reason: 'defective' })),
        dispute({ buyer: 'B-flag', links: locker, reason: 'defective' }),
      ]);
      await ok(ctx, 'account.flag', { accountId: 'B-flag', label: 'serial_disputer', note: 'reused photos across accounts' }, A1);
      const partner = await buyerRisk(db, 'B-partner');
      expect(partner.details.map((d) => d.code)).toEqual(['LINKED_ACCOUNTS']);
      expect(partner.reasons[0]).toContain('B-flag (flagged; address)');
      for (let i = 0; i < 10; i++) expect((await buyerRisk(db, `B-locker-${i}`)).details.filter((d) => d.weight > 0)).toEqual([]);
      // The label is the flagged buyer's own, shown but not scored.
      expect((await buyerRisk(db, 'B-flag')).details.map((d) => d.code)).toContain('ANALYST_FLAG');
      await ok(ctx, 'account.flag', { accountId: 'B-flag', label: 'cleared', note: 'explained by phone' }, A1);
      expect((await buyerRisk(db, 'B-partner')).details).toEqual([]);
    });

    it('counts a decision: a lost-parcel claim decided for the seller stops being bad luck', async () => {
      await importAll(ctx, [dispute({ id: 'D-dec', buyer: 'B-dec', status: 'in_transit' })]);
      let row = await db.selectFrom('risk_disputes').selectAll().where('case_id', '=', 'D-dec').executeTakeFirstOrThrow();
      expect(row.outcome).toBeNull();
      await ok(ctx, 'case.claim', { caseId: 'D-dec' }, M1);
      await ok(ctx, 'case.decide', { caseId: 'D-dec', outcome: 'none', reasons: 'The carrier confirmed delivery to a neighbour.' }, M1);
      row = await db.selectFrom('risk_disputes').selectAll().where('case_id', '=', 'D-dec').executeTakeFirstOrThrow();
      expect(row.outcome).toBe('seller_won');
      const b = await db.selectFrom('buyer_risk').selectAll().where('buyer_id', '=', 'B-dec').executeTakeFirstOrThrow();
      expect([b.n_excused, b.n_disputes, b.n_decided, b.n_lost]).toEqual([0, 1, 1, 1]);
    });

    it('a buyer turning high-risk gives a linked account it did not read a link reason, the batch applied once', async () => {
      await importAll(ctx, [
        dispute({ buyer: 'B-flip-nb', links: { device: ['dv-flip'] }, reason: 'defective' }),
        dispute({ buyer: 'B-flip', links: { device: ['dv-flip'] }, reason: 'defective' }),
      ]);
      expect((await buyerRisk(db, 'B-flip-nb')).details.filter((d) => d.weight > 0)).toEqual([]);
      // The next dispute reads B-flip-nb only for its status; once B-flip turns high-risk, its
      // neighbour's whole row is wanted: loaded, and only the link reasons scored again.
      const applied = vi.spyOn(RiskUpdater.prototype, 'dispute');
      try {
        await importAll(ctx, [
          dispute({
            buyer: 'B-flip',
            links: { device: ['dv-flip'] },
            messages: ['Refund me now or I will leave a 1-star review everywhere.', 'Pay me by PayPal and I will close the dispute.'],
          }),
        ]);
        expect(applied).toHaveBeenCalledTimes(1);
      } finally {
        applied.mockRestore();
      }
      const flip = await db.selectFrom('buyer_risk').select(['risky']).where('buyer_id', '=', 'B-flip').executeTakeFirstOrThrow();
      expect(Number(flip.risky)).toBe(1);
      const nb = await buyerRisk(db, 'B-flip-nb');
      expect(nb.details.map((d) => d.code)).toEqual(['LINKED_ACCOUNTS']);
      expect(nb.reasons[0]).toContain('B-flip (risky; device)');
    });

    it("the odd one out of a ring's device counts a quarter; in full once its reported opening is near the ring's, the recompute agreeing (model v12)", async () => {
      const threat = ['Refund me now or I will leave a 1-star review everywhere.', 'Pay me by PayPal and I will close the dispute.'];
      const ring = { device: ['dv-odd-ring'] };
      // The phone's former owner, opened two years ago, imported first: nothing links it yet.
      await importAll(ctx, [dispute({ id: 'D-odd-old', buyer: 'B-odd-old', links: ring, reason: 'defective', createdDaysAgo: 730 })]);
      await importAll(ctx, [
        dispute({ buyer: 'B-odd-r1', links: ring, messages: threat, createdDaysAgo: 100 }),
        dispute({ buyer: 'B-odd-r2', links: ring, messages: threat, createdDaysAgo: 95 }),
        dispute({ buyer: 'B-odd-young', links: ring, reason: 'defective', createdDaysAgo: 97 }),
      ]);
      const ringRows = await db
        .selectFrom('buyer_risk')
        .select(['buyer_id', 'risky', 'created_at'])
        .where('buyer_id', 'like', 'B-odd-%')
        .execute();
      expect(Object.fromEntries(ringRows.map((r) => [r.buyer_id, [Number(r.risky), Number(r.created_at)]]))).toEqual({
        'B-odd-old': [0, NOW - 730 * DAY],
        'B-odd-r1': [1, NOW - 100 * DAY],
        'B-odd-r2': [1, NOW - 95 * DAY],
        'B-odd-young': [0, NOW - 97 * DAY],
      });
      const link = async (id: string) => (await buyerRisk(db, id)).details.find((d) => d.code === 'LINKED_ACCOUNTS');
      const old = await link('B-odd-old');
      expect(old!.text).toContain('counted at 25 %: they were opened within 90 days of each other');
      expect(old!.text).toContain('B-odd-r1 (risky; device), B-odd-r2 (risky; device)');
      const young = await link('B-odd-young');
      expect(young!.weight).toBeGreaterThan(1);
      expect(old!.weight).toBeLessThan(young!.weight / 2);
      // The feed corrects the old account's opening date: only its account event changes, and its link counts.
      await importAll(ctx, [
        { ...dispute({ id: 'D-odd-old', buyer: 'B-odd-old', links: ring, reason: 'defective', createdDaysAgo: 150 }) },
      ]);
      expect(await link('B-odd-old')).toEqual(young);
      // And back: discounted again, by the incremental update as by a full recompute (checked with the rest below).
      await importAll(ctx, [
        { ...dispute({ id: 'D-odd-old', buyer: 'B-odd-old', links: ring, reason: 'defective', createdDaysAgo: 730 }) },
      ]);
      expect(await link('B-odd-old')).toEqual(old);
      expect(await staleLinkReasons(db, (await loadRiskModel(db)).priors)).toEqual([]);
    });

    it('lists buyers for the analysts by score, a keyset page at a time', async () => {
      const all = await listBuyerRisks(db, { limit: 500 });
      expect(all.map((r) => r.score)).toEqual([...all.map((r) => r.score)].sort((a, b) => b - a));
      const first = await listBuyerRisks(db, { limit: 3 });
      const next = await listBuyerRisks(db, { limit: 3, after: { score: first[2]!.score, buyerId: first[2]!.buyerId } });
      expect([...first, ...next].map((r) => r.buyerId)).toEqual(all.slice(0, 6).map((r) => r.buyerId));
      expect(all[0]!.buyerId).toBe('B-serial');
    });

    it('risk.fairness: per country, account age and order volume, the same sums as the rows, for analysts only', async () => {
      const view = (await ok(ctx, 'risk.fairness', {}, A1)) as {
        groups: Array<{ dimension: string; group: string; members: number; meanScore: number; warnings: string[] }>;
      };
      const rows = await db
        .selectFrom('buyer_risk as r')
        .innerJoin('accounts as a', 'a.id', 'r.buyer_id')
        .select(['a.country', 'r.score'])
        .execute();
      for (const dim of ['country', 'accountAge', 'orderVolume'])
        expect(view.groups.filter((g) => g.dimension === dim).reduce((n, g) => n + g.members, 0)).toBe(rows.length);
      for (const g of view.groups.filter((x) => x.dimension === 'country')) {
        const of = rows.filter((r) => r.country === g.group).map((r) => Number(r.score));
        expect(g.members).toBe(of.length);
        expect(g.meanScore).toBeCloseTo(of.reduce((a, b) => a + b, 0) / of.length, 1);
      }
      expect((await dispatch(ctx, 'risk.fairness', {}, M1)).ok).toBe(false);
      expect((await dispatch(ctx, 'risk.fairness', { extra: 1 }, A1)).ok).toBe(false);
    });

    // Last in this block: it moves the clock on.
    it('risk.get ages the score to the clock: the same as stored now, lower a year on with no new event', async () => {
      const get = async () => ((await ok(ctx, 'risk.get', { buyerId: 'B-serial' }, A1)) as { risk: { score: number } }).risk.score;
      const stored = (await buyerRisk(db, 'B-serial')).score;
      expect(await get()).toBe(stored);
      clock.advance(365 * DAY);
      const aged = await get();
      expect(aged).toBeLessThan(stored);
      expect(aged).toBe((await buyerRisk(db, 'B-serial', clock.now())).score);
      expect((await buyerRisk(db, 'B-serial')).score).toBe(stored); // nothing written by reading
    });
  });

  it('the per-event updates and a full recompute give the same rows on a generated population', async () => {
    const { db, ctx, clock } = await setup(url());
    try {
      const cases = name === 'sqlite' ? 1_500 : 400;
      let line = 0;
      const demo = [...generateDemoDisputes({ cases, now: NOW, seed: 3 })];
      const summary = await importStream(
        db,
        demo.map((value) => ({ line: ++line, value })),
        { now: NOW, batchSize: 250, onProblem: (p) => expect.fail(p.message) },
      );
      expect(summary.created).toBe(cases);
      // Events after import: buyer evidence re-using another case's photo, a decision, a missed
      // evidence request decided by the sweep, a re-imported dispute, labels.
      const [a, b, c] = demo;
      await ok(ctx, 'case.claim', { caseId: a!.id }, M1);
      await ok(ctx, 'case.requestEvidence', { caseId: a!.id, party: 'buyer', request: 'A photo of the parcel label.' }, M1);
      const reused = demo.flatMap((d) => d.evidence ?? []).find((e) => e.party === 'buyer')!.sha256;
      await ok(
        ctx,
        'party.submitEvidence',
        { caseId: a!.id, party: 'buyer', file: { name: 'label.jpg', mediaType: 'image/jpeg', sizeBytes: 20_000, sha256: reused } },
        INTAKE,
      );
      await ok(ctx, 'case.decide', { caseId: a!.id, outcome: 'none', reasons: 'The label shows another address.' }, M1);
      await ok(ctx, 'case.claim', { caseId: b!.id }, M1);
      await ok(ctx, 'case.requestEvidence', { caseId: b!.id, party: 'buyer', request: 'A video of the item.' }, M1);
      clock.set(NOW + 80 * HOUR);
      await ok(ctx, 'system.tick', undefined, { kind: 'system' });
      await ok(
        ctx,
        'intake.dispute',
        {
          ...c!,
          order: { ...c!.order, tracking: { ...c!.order.tracking, status: 'returned_to_sender', deliveredAt: null } },
          messages: [{ at: c!.openedAt, by: 'buyer', text: 'Send the money to my card directly, outside the platform.' }],
        },
        INTAKE,
      );
      const buyers = [...new Set(demo.map((d) => d.buyer.id))];
      await ok(ctx, 'account.flag', { accountId: buyers[0], label: 'serial_disputer', note: 'n' }, A1);
      await ok(ctx, 'account.flag', { accountId: buyers[1], label: 'cleared', note: 'n' }, A1);
      // A second-hand phone (model v12): an account opened years before a ring, on the ring's device.
      const sharers = new Map<string, Set<string>>();
      for (const d of demo) for (const v of d.buyer.links?.device ?? []) sharers.set(v, (sharers.get(v) ?? new Set()).add(d.buyer.id));
      const ringDevice = [...sharers].sort((x, y) => y[1].size - x[1].size || (x[0] < y[0] ? -1 : 1))[0]![0];
      await ok(
        ctx,
        'intake.dispute',
        dispute({
          id: 'D-second-hand',
          buyer: 'B-second-hand',
          links: { device: [ringDevice] },
          reason: 'defective',
          createdDaysAgo: 2000,
        }),
        INTAKE,
      );
      const secondHand = (await buyerRisk(db, 'B-second-hand')).details.find((d) => d.code === 'LINKED_ACCOUNTS');
      expect(secondHand?.text).toContain('counted at 25 %');

      const asOf = clock.now();
      const { priors } = await loadRiskModel(db);
      const incremental = await riskSnapshot(db, asOf, priors);
      expect(incremental.buyers.length).toBe(buyers.length + 1);
      expect(incremental.disputes.find((d) => d.case_id === a!.id)!.outcome).toBe('seller_won');
      await recomputeRisk(db, { asOf, refit: false, pageSize: 7 }); // tiny pages: groups and photos span pages
      const recomputed = await riskSnapshot(db, asOf, priors);
      expect(recomputed.buyers).toEqual(incremental.buyers);
      expect(recomputed.disputes).toEqual(incremental.disputes);
      expect(recomputed.photos).toEqual(incremental.photos);
      expect(recomputed.uses).toEqual(incremental.uses);
      expect(recomputed.groups).toEqual(incremental.groups);
      // The seller aggregates: kept by every event (intake, decisions, re-import), rebuilt the same.
      expect(recomputed.sellers).toEqual(incremental.sellers);
      expect(incremental.sellers.length).toBeGreaterThan(1);
      expect(incremental.buyers.some((x) => Object.keys(x.sellers).length > 0)).toBe(true);
      // And the stored scores are the recompute's.
      const top = await listBuyerRisks(db, { limit: 1 });
      expect(top[0]!.score).toBe(Math.max(...recomputed.buyers.map((x) => x.score)));
    } finally {
      await db.destroy();
    }
  });

  it('keeps the order history the feed reports (the latest one; a dispute without it keeps it) as the rates’ denominator; the recompute reads it back', async () => {
    const { db, ctx } = await setup(url());
    try {
      const account = () =>
        db
          .selectFrom('accounts')
          .select(['orders_placed', 'orders_delivered', 'orders_since'])
          .where('id', '=', 'B-h')
          .executeTakeFirstOrThrow();
      const risk = () =>
        db
          .selectFrom('buyer_risk')
          .select(['hist_orders', 'hist_delivered', 'n_orders'])
          .where('buyer_id', '=', 'B-h')
          .executeTakeFirstOrThrow();
      await importAll(ctx, [
        dispute({ buyer: 'B-h', reason: 'defective', orderHistory: { placed: 40, delivered: 37, since: '2024-01-01T00:00:00Z' } }),
      ]);
      expect(await account()).toEqual({ orders_placed: 40, orders_delivered: 37, orders_since: Date.parse('2024-01-01T00:00:00Z') });
      await importAll(ctx, [dispute({ buyer: 'B-h', reason: 'defective', day: 2 })]);
      expect(Number((await account()).orders_placed)).toBe(40);
      await importAll(ctx, [dispute({ buyer: 'B-h', reason: 'defective', day: 4, orderHistory: { placed: 44, delivered: 40 } })]);
      expect(await account()).toMatchObject({ orders_placed: 44, orders_delivered: 40 });
      const before = await risk();
      expect(before).toEqual({ hist_orders: 44, hist_delivered: 40, n_orders: 3 });
      const reasons = (await buyerRisk(db, 'B-h')).reasons.join(' | ');
      expect(reasons).not.toMatch(/platform 100/);
      await recomputeRisk(db, { asOf: NOW, refit: false, pageSize: 5 });
      expect(await risk()).toEqual(before);
      // Refused: more delivered than placed.
      const bad = await dispatch(ctx, 'intake.dispute', dispute({ buyer: 'B-h2', orderHistory: { placed: 3, delivered: 4 } }), INTAKE);
      expect(bad.ok ? null : bad.error.code).toBe('VALIDATION');
    } finally {
      await db.destroy();
    }
  });

  it('recomputes the sellers alike when the orders buyer index is missing (a first bulk load elsewhere defers it)', async () => {
    const { db, ctx } = await setup(url());
    try {
      await importAll(ctx, [
        dispute({ buyer: 'B-i1', reason: 'defective' }),
        dispute({ buyer: 'B-i2', reason: 'not_received.in_transit', day: 2 }),
        dispute({ buyer: 'B-i1', reason: 'defective', day: 3 }),
      ]);
      const sellers = () => db.selectFrom('seller_risk').selectAll().orderBy('seller_id').execute();
      await recomputeRisk(db, { asOf: NOW, refit: false, pageSize: 5 });
      const withIndex = await sellers();
      expect(withIndex.length).toBeGreaterThan(0);
      if (name !== 'sqlite') return; // INDEXED BY is SQLite's
      await sql`DROP INDEX orders_by_buyer_delivery`.execute(db);
      await recomputeRisk(db, { asOf: NOW, refit: false, pageSize: 5 });
      expect(await sellers()).toEqual(withIndex);
    } finally {
      await db.destroy();
    }
  });

  it("a seller's listing photo is no shared photo until another seller's order or a link; the recompute writes the same rows", async () => {
    const { db, ctx } = await setup(url());
    try {
      const photoRow = () => db.selectFrom('risk_photos').selectAll().where('photo_key', '=', sha(70)).executeTakeFirstOrThrow();
      const codes = async (id: string) => (await buyerRisk(db, id)).details.map((d) => d.code);
      await importAll(
        ctx,
        ['C-1', 'C-2', 'C-3'].map((buyer, i) => dispute({ buyer, seller: 'S-list', reason: 'defective', photos: [sha(70)], day: i })),
      );
      expect(await photoRow()).toMatchObject({ uses: 3, accounts: 3, sellers: '{"S-list":3}', seller_overflow: 0, linked: 0 });
      for (const id of ['C-1', 'C-2', 'C-3']) expect(await codes(id)).not.toContain('SHARED_PHOTO');
      // Two linked accounts attaching it: shared, for every account using it.
      await importAll(ctx, [
        dispute({ buyer: 'L-1', links: { device: ['dv-l'] }, seller: 'S-list', reason: 'defective', photos: [sha(70)], day: 5 }),
        dispute({ buyer: 'L-2', links: { device: ['dv-l'] }, seller: 'S-list', reason: 'defective', photos: [sha(70)], day: 6 }),
      ]);
      expect(await photoRow()).toMatchObject({ accounts: 5, sellers: '{"S-list":5}', linked: 1 });
      for (const id of ['C-1', 'L-1', 'L-2']) expect(await codes(id)).toContain('SHARED_PHOTO');
      // Another photo of one seller, then the same photo for another seller's order.
      await importAll(ctx, [
        dispute({ buyer: 'C-4', seller: 'S-2', reason: 'defective', photos: [sha(71)], day: 7 }),
        dispute({ buyer: 'C-5', seller: 'S-2', reason: 'defective', photos: [sha(71)], day: 8 }),
      ]);
      expect(await codes('C-4')).not.toContain('SHARED_PHOTO');
      await importAll(ctx, [dispute({ buyer: 'X-1', seller: 'S-3', reason: 'defective', photos: [sha(71)], day: 9 })]);
      for (const id of ['C-4', 'C-5', 'X-1']) expect(await codes(id)).toContain('SHARED_PHOTO');
      const rows = async () => ({
        photos: await db.selectFrom('risk_photos').selectAll().orderBy('photo_key').execute(),
        shared: await db.selectFrom('buyer_risk').select(['buyer_id', 'n_photo_shared']).orderBy('buyer_id').execute(),
      });
      const before = await rows();
      await recomputeRisk(db, { asOf: NOW, refit: false, pageSize: 3 });
      const after = await rows();
      const norm = (r: Awaited<ReturnType<typeof rows>>) => ({
        photos: r.photos.map((p) => ({ ...p, first_weight: 0, first_ref_at: 0 })),
        shared: r.shared.map((b) => ({ ...b, n_photo_shared: Number(b.n_photo_shared) })),
      });
      expect(norm(after)).toEqual(norm(before));
    } finally {
      await db.destroy();
    }
  });

  it('a random mix of events one at a time leaves the rows and link reasons a full recompute writes', async () => {
    const { db, ctx, clock } = await setup(url());
    try {
      const r = new SeededRandom(29);
      const demo = [...generateDemoDisputes({ cases: name === 'sqlite' ? 400 : 150, now: NOW, seed: 17 })];
      const seen: DisputeInput[] = [];
      const claimed = new Set<string>();
      const counts = { intake: 0, reimport: 0, decision: 0, flag: 0, created: 0 };
      // Disputes arrive one per transaction, interleaved with changed re-imports, decisions and
      // analysts' flags and clears (households and rings of the demo share devices and addresses,
      // so a flag moves its neighbours' link reasons).
      for (const d of demo) {
        clock.set(Math.max(clock.now(), Date.parse(d.escalatedAt)) + 1_000);
        await ok(ctx, 'intake.dispute', d, INTAKE);
        counts.intake++;
        seen.push(d);
        const roll = r.next();
        if (roll < 0.08) {
          const buyer = r.pick(seen).buyer.id;
          await ok(ctx, 'account.flag', { accountId: buyer, label: r.chance(0.6) ? 'serial_disputer' : 'cleared', note: 'n' }, A1);
          counts.flag++;
        } else if (roll < 0.13) {
          const old = r.pick(seen);
          if (claimed.has(old.id)) continue;
          const status = r.pick(['delivered', 'in_transit', 'returned_to_sender'] as const);
          // Now and then the feed reports another opening date for the buyer (model v12: a ring member
          // moved years away from its ring is the odd one out of the ring's device; the buyer's next
          // dispute moves it back).
          const created = r.chance(0.4) && old.buyer.createdAt ? Date.parse(old.buyer.createdAt) - r.int(100, 900) * DAY : null;
          if (created !== null) counts.created++;
          await ok(
            ctx,
            'intake.dispute',
            {
              ...old,
              ...(created !== null ? { buyer: { ...old.buyer, createdAt: new Date(created).toISOString() } } : {}),
              order: {
                ...old.order,
                tracking: { ...old.order.tracking, status, deliveredAt: status === 'delivered' ? old.order.placedAt : null },
              },
            },
            INTAKE,
          );
          counts.reimport++;
        } else if (roll < 0.2) {
          const c = r.pick(seen);
          if (claimed.has(c.id)) continue;
          claimed.add(c.id);
          await ok(ctx, 'case.claim', { caseId: c.id }, M1);
          await ok(ctx, 'case.decide', { caseId: c.id, outcome: r.chance(0.5) ? 'full' : 'none', reasons: 'Decided on the evidence.' }, M1);
          counts.decision++;
        }
      }
      expect(counts.flag * counts.reimport * counts.decision * counts.created).toBeGreaterThan(0);
      const asOf = clock.now();
      const { priors } = await loadRiskModel(db);
      const incremental = await riskSnapshot(db, asOf, priors);
      // The stored rows as the events left them, then as the full recompute writes them. The
      // snapshots below compare the aggregates (rescored at one instant); what they cannot see
      // is the link reason each stored row carries (its neighbours' status when it was last
      // touched), so that is checked here, row by row. Behaviour reasons differ by design:
      // decayed to the instant of each buyer's last event, the sellers' rates taken then.
      const storedRows = async () =>
        new Map(
          (await db.selectFrom('buyer_risk').select(['buyer_id', 'score', 'reasons']).execute()).map((x) => [
            x.buyer_id,
            { score: x.score, link: (JSON.parse(x.reasons) as Array<{ code: string }>).find((y) => y.code === 'LINKED_ACCOUNTS') ?? null },
          ]),
        );
      const before = await storedRows();
      // Every stored link reason names the linked accounts high-risk by their stored rows.
      expect(await staleLinkReasons(db, priors)).toEqual([]);
      await recomputeRisk(db, { asOf, refit: false, pageSize: 11 });
      const after = await storedRows();
      const recomputed = await riskSnapshot(db, asOf, priors);
      let worst = 0;
      const linkDiffers: string[] = [];
      for (const [id, b] of before) {
        const a = after.get(id);
        worst = Math.max(worst, a ? Math.abs(a.score - b.score) : Number.POSITIVE_INFINITY);
        if (JSON.stringify(a?.link) !== JSON.stringify(b.link)) linkDiffers.push(id);
      }
      const linked = [...after.values()].filter((x) => x.link).length;
      console.log(
        `risk random mix on ${name}: ${JSON.stringify(counts)}, ${before.size} buyers (${linked} with a link reason); ` +
          `stored link reasons differing from the recompute's: ${linkDiffers.length}; worst stored-score difference ${worst} ` +
          `(rescored at one instant: ${recomputed.buyers.length} buyers compared below)`,
      );
      expect(after.size).toBe(before.size);
      expect(linked).toBeGreaterThan(0);
      // The recompute's link reasons may differ from the stored ones since model v6: a buyer's
      // context (and so whether a linked account counts as high-risk) moves with other buyers'
      // disputes and is taken at each buyer's last scoring, like the sellers' rate (logged
      // above). What must hold is checked before the recompute (staleLinkReasons) and below:
      // the rows rescored at one instant are equal.
      expect(recomputed.buyers).toEqual(incremental.buyers);
      expect(recomputed.photos).toEqual(incremental.photos);
      expect(recomputed.uses).toEqual(incremental.uses);
      expect(recomputed.groups).toEqual(incremental.groups);
      expect(recomputed.sellers).toEqual(incremental.sellers);
    } finally {
      await db.destroy();
    }
  }, 180_000);
});
