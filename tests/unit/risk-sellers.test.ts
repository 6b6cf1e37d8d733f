import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryRecord } from '../../src-main/contract/history';
import {
  FITTED_WEIGHTS,
  HistoryScorer,
  MemoryRiskStore,
  RiskUpdater,
  DEFAULT_PRIORS,
  rescoreAll,
  sellerExpectedRate,
  toHistoryEvent,
  type HistoryEvent,
} from '../../src-main/engine/risk';
import { TEST_SEEDS, seedsOf } from '../../src-main/eval/family';
import { generatePopulation } from '../../src-main/eval/population';

/**
 * The seller-relative dispute rate (issue 15): a buyer's disputes are measured against the rate
 * their sellers see from their other buyers, so the honest customer of bad sellers no longer
 * reads like an abuser, while an abuser's own disputes never make their sellers look bad.
 */

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00Z');

interface Plan {
  buyer: string;
  seller: string;
  orders: number;
  /** Orders disputed (not decided for the buyer: they count against the buyer). */
  disputed: number;
  outcome?: string | null;
  /** The first dispute carries a bad-review threat. */
  threat?: boolean;
}

function history(plans: Plan[]): HistoryEvent[] {
  const out: HistoryEvent[] = [];
  const seen = new Set<string>();
  let o = 0;
  for (const p of plans) {
    if (!seen.has(p.buyer)) out.push({ type: 'account', id: p.buyer, role: 'buyer', at: T0 - 400 * DAY, links: {} });
    seen.add(p.buyer);
    for (let i = 0; i < p.orders; i++) {
      const id = `O-${++o}`;
      const at = T0 + (o % 300) * DAY;
      out.push({ type: 'order', id, buyerId: p.buyer, sellerId: p.seller, at, delivered: true });
      if (i < p.disputed)
        out.push({
          type: 'dispute',
          id: `D-${o}`,
          orderId: id,
          at: at + 10 * DAY,
          reason: 'defective',
          evidence: [],
          messages: p.threat && i === 0 ? [{ by: 'buyer', text: 'If you do not refund me I will leave a 1-star review.' }] : [],
          outcome: p.outcome === undefined ? 'split' : p.outcome,
        });
    }
  }
  return out.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
}

// The dispute rate is what these tests measure; its fitted coefficient is 0 since model v14 (the opened rate carries it).
const WEIGHTS = { ...FITTED_WEIGHTS, coef: { ...FITTED_WEIGHTS.coef, DISPUTE_RATE: 4 } };

function score(events: HistoryEvent[]) {
  const s = new HistoryScorer({ priors: DEFAULT_PRIORS, weights: WEIGHTS });
  for (const e of events) expect(s.add(e)).toBeNull();
  return { scores: new Map(s.finish().map((x) => [x.accountId, x])), store: s.store };
}

/** Many ordinary customers of one seller, each disputing `rate` of their orders. */
const customers = (seller: string, prefix: string, n: number, orders: number, disputed: number): Plan[] =>
  Array.from({ length: n }, (_, i) => ({ buyer: `${prefix}${i}`, seller, orders, disputed }));

const disputeWeight = (x: { reasons: Array<{ code: string; weight: number }> } | undefined) =>
  x?.reasons.find((r) => r.code === 'DISPUTE_RATE')?.weight ?? 0;

describe('seller-relative dispute rate', () => {
  it('an honest buyer of a bad seller weighs less than the same history with good sellers', () => {
    const plans: Plan[] = [
      ...customers('S-bad', 'B-bad-', 30, 10, 4), // everyone who buys from S-bad disputes 40 %
      ...customers('S-good', 'B-good-', 30, 10, 0),
      { buyer: 'B-victim', seller: 'S-bad', orders: 12, disputed: 5 },
      { buyer: 'B-abuser', seller: 'S-good', orders: 12, disputed: 5 },
    ];
    const { scores, store } = score(history(plans));
    const victim = scores.get('B-victim');
    const abuser = scores.get('B-abuser');
    expect(disputeWeight(abuser)).toBeGreaterThan(0);
    expect(disputeWeight(victim)).toBeLessThan(disputeWeight(abuser));
    expect(victim!.score).toBeLessThan(abuser!.score);
    expect(abuser!.reasons.find((r) => r.code === 'DISPUTE_RATE')!.text).not.toContain('their sellers');
    expect(store.buyer('B-victim')!.sellerRate).toBeGreaterThan(0.2);
    // The seller's totals are every buyer's orders and counted disputes.
    expect(store.seller('S-bad')).toEqual({
      id: 'S-bad',
      orders: 30 * 10 + 12,
      disputes: 30 * 4 + 5,
      delivered: 30 * 10 + 12,
      opened: 30 * 4 + 5,
    });
  });

  it("leaves the buyer out: an abuser's own disputes never make their seller look bad", () => {
    const plans: Plan[] = [
      ...customers('S-small', 'B-other-', 3, 4, 0),
      { buyer: 'B-abuser', seller: 'S-small', orders: 40, disputed: 20 },
    ];
    const { store } = score(history(plans));
    const b = store.buyer('B-abuser')!;
    // Seller's other buyers: 12 orders, no dispute → below the platform's rate, not 20/52.
    expect(b.sellerRate!).toBeLessThan(DEFAULT_PRIORS.dispute.alpha / (DEFAULT_PRIORS.dispute.alpha + DEFAULT_PRIORS.dispute.beta));
  });

  it('disputes decided for the buyer do not count against the seller either; a decision moves both', () => {
    const won = score(history([{ buyer: 'B-1', seller: 'S-1', orders: 6, disputed: 3, outcome: 'buyer_won' }]));
    // Won disputes are not counted against the seller's buyers, but they were opened on delivered parcels.
    expect(won.store.seller('S-1')).toEqual({ id: 'S-1', orders: 6, disputes: 0, delivered: 6, opened: 3 });
    expect(won.store.buyer('B-1')!.sellers).toEqual({ 'S-1': [6, 0, 6, 3] });
    const lost = score(history([{ buyer: 'B-1', seller: 'S-1', orders: 6, disputed: 3, outcome: 'seller_won' }]));
    expect(lost.store.seller('S-1')).toEqual({ id: 'S-1', orders: 6, disputes: 3, delivered: 6, opened: 3 });
  });

  it("a sign of intent weighs by its context: the same threat from a buyer who disputes as often as their seller's other buyers weighs less", () => {
    // Both open disputes on 4 of 12 delivered parcels, all decided for them (no rate reason),
    // one with a bad-review threat. The bad seller's other buyers open disputes on 4 of 10.
    const { scores, store } = score(
      history([
        ...customers('S-bad', 'C-bad-', 30, 10, 4),
        ...customers('S-good', 'C-good-', 30, 10, 0),
        { buyer: 'B-frustrated', seller: 'S-bad', orders: 12, disputed: 4, outcome: 'buyer_won', threat: true },
        { buyer: 'B-intent', seller: 'S-good', orders: 12, disputed: 4, outcome: 'buyer_won', threat: true },
      ]),
    );
    const threat = (id: string) => scores.get(id)!.reasons.find((r) => r.code === 'REVIEW_THREAT');
    expect(store.buyer('B-frustrated')!.openedRef).toBeGreaterThan(0.3);
    expect(store.buyer('B-intent')!.openedRef).toBeLessThan(0.01);
    expect(threat('B-intent')!.weight).toBeGreaterThan(2);
    expect(threat('B-intent')!.text).toMatch(/the buyer opened disputes on 4 of 12 delivered orders \(smoothed 15 %; platform 4\.0 %\)$/);
    // At or below their context a threat is frustration: its "not above" coefficient (0 as fitted).
    expect(threat('B-frustrated')?.weight ?? 0).toBeLessThan(threat('B-intent')!.weight / 3);
    expect(scores.get('B-frustrated')!.score).toBeLessThan(scores.get('B-intent')!.score);
  });

  it('any order of the same events (and retractions) leaves the same seller and buyer counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ b: fc.integer({ min: 0, max: 3 }), s: fc.integer({ min: 0, max: 2 }), d: fc.boolean() }), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.array(fc.integer({ min: 0, max: 24 }), { maxLength: 5 }),
        (orders, moved) => {
          const run = (reverse: boolean) => {
            const store = new MemoryRiskStore();
            const u = new RiskUpdater(store);
            const list = orders.map((o, i) => ({ ...o, i }));
            if (reverse) list.reverse();
            for (const o of list) {
              u.order({ id: `O-${o.i}`, buyerId: `B-${o.b}`, sellerId: `S-${o.s}`, placedAt: T0 + o.i * DAY, delivered: true });
              if (o.d)
                u.dispute({
                  id: `D-${o.i}`,
                  orderId: `O-${o.i}`,
                  buyerId: `B-${o.b}`,
                  openedAt: T0 + (o.i + 5) * DAY,
                  notReceived: false,
                  outcome: null,
                  threat: false,
                  offPlatform: false,
                  photos: [],
                });
            }
            // Re-imported orders now from another seller: their disputes follow them.
            for (const k of moved)
              if (orders[k]) {
                const o = orders[k];
                u.order({ id: `O-${k}`, buyerId: `B-${o.b}`, sellerId: `S-${(o.s + 1) % 3}`, placedAt: T0 + k * DAY, delivered: true });
              }
            rescoreAll(store, store.buyers.keys(), { asOf: T0 + 100 * DAY, priors: DEFAULT_PRIORS });
            const sellers = [...store.sellers.values()].filter((s) => s.orders || s.disputes).sort((a, b) => (a.id < b.id ? -1 : 1));
            const buyers = [...store.buyers.values()]
              .map((b) => [b.id, Object.entries(b.sellers).sort(), b.sellerRate?.toPrecision(10)] as const)
              .sort((a, b) => (a[0] < b[0] ? -1 : 1));
            return { sellers, buyers };
          };
          const forward = run(false);
          expect(run(true)).toEqual(forward);
          // The totals are the sums of the buyers' per-seller counts.
          for (const s of forward.sellers) {
            let o = 0;
            let d = 0;
            for (const [, entries] of forward.buyers)
              for (const [id, [no, nd]] of entries)
                if (id === s.id) {
                  o += no;
                  d += nd;
                }
            expect([o, d]).toEqual([s.orders, s.disputes]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sellerExpectedRate: null without sellers, the platform rate for unknown sellers', () => {
    const store = new MemoryRiskStore();
    const u = new RiskUpdater(store);
    u.order({ id: 'O-1', buyerId: 'B-1', placedAt: T0, delivered: true });
    expect(sellerExpectedRate(store.buyer('B-1')!, () => undefined, DEFAULT_PRIORS)).toBeNull();
    u.order({ id: 'O-2', buyerId: 'B-1', sellerId: 'S-x', placedAt: T0, delivered: true });
    const p = DEFAULT_PRIORS.dispute;
    expect(sellerExpectedRate(store.buyer('B-1')!, () => undefined, DEFAULT_PRIORS)).toBeCloseTo(p.alpha / (p.alpha + p.beta), 12);
  });

  // The population the seller-relative rate is for: on held-out draws, honest buyers of bad
  // sellers really do dispute far more than other honest buyers, mostly with bad sellers.
  it('the evaluation family plants honest buyers of bad sellers whose disputes come from those sellers', () => {
    const pop = generatePopulation({ seed: seedsOf(TEST_SEEDS)[3]!, buyers: 3_000 });
    const sellerOf = new Map<string, string>();
    const buyerOf = new Map<string, string>();
    const perSeller = new Map<string, { orders: number; disputes: number }>();
    for (const raw of pop.records) {
      const r = HistoryRecord.parse(raw);
      if (r.type === 'order') {
        sellerOf.set(r.id, r.sellerId!);
        buyerOf.set(r.id, r.buyerId);
        const s = perSeller.get(r.sellerId!) ?? { orders: 0, disputes: 0 };
        s.orders++;
        perSeller.set(r.sellerId!, s);
      }
      if (r.type === 'dispute' && !r.reason.startsWith('not_received')) perSeller.get(sellerOf.get(r.orderId)!)!.disputes++;
    }
    const rates = [...perSeller.values()].filter((s) => s.orders >= 20).map((s) => s.disputes / s.orders);
    rates.sort((a, b) => a - b);
    // A few sellers see several times the median seller's dispute rate.
    expect(rates[rates.length - 1]!).toBeGreaterThan(4 * rates[Math.floor(rates.length / 2)]!);
    const victims = [...pop.truth].filter(([, t]) => t.kind === 'bad_sellers').map(([id]) => id);
    expect(victims.length).toBeGreaterThan(30);
    // And the scorer sees their sellers' rate (of disputes not decided for the buyer: most bad
    // sellers' disputes are, so the gap is smaller than the raw one) as higher.
    const scorer = new HistoryScorer();
    for (const raw of pop.records) scorer.add(toHistoryEvent(HistoryRecord.parse(raw)));
    scorer.finish();
    const seen = victims.map((id) => scorer.store.buyer(id)?.sellerRate ?? 0).sort((a, b) => a - b);
    const honest = [...pop.truth]
      .filter(([, t]) => t.kind === 'honest')
      .map(([id]) => scorer.store.buyer(id)?.sellerRate ?? 0)
      .sort((a, b) => a - b);
    expect(seen[Math.floor(seen.length / 2)]!).toBeGreaterThan(1.1 * honest[Math.floor(honest.length / 2)]!);
  });
});
