import { describe, expect, it } from 'vitest';
import { OrderHistory } from '../../src-main/contract/dispute';
import {
  DEFAULT_PRIORS,
  MemoryRiskStore,
  PriorsFitter,
  RiskUpdater,
  rescoreAll,
  withOrderHistory,
  type DisputeFact,
  type Priors,
} from '../../src-main/engine/risk';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A buyer the desk knows only through disputes: every order it knows is disputed ("defective", delivered), each with a seller of its own. */
function disputedOnly(
  store: MemoryRiskStore,
  id: string,
  disputes: number,
  history?: { orders: number; delivered: number },
  sign: { notReceived?: boolean; threat?: boolean } = {},
) {
  const u = new RiskUpdater(store);
  u.account(id, [], history ?? null);
  for (let i = 0; i < disputes; i++) {
    u.order({ id: `${id}-O${i}`, buyerId: id, placedAt: T0 + i * 20 * DAY, delivered: true, sellerId: `S-${id}-${i}` });
    const d: DisputeFact = {
      id: `${id}-D${i}`,
      orderId: `${id}-O${i}`,
      buyerId: id,
      openedAt: T0 + i * 20 * DAY + 5 * DAY,
      notReceived: sign.notReceived ?? false,
      outcome: null,
      threat: (sign.threat ?? false) && i === 0,
      offPlatform: false,
      photos: [],
    };
    u.dispute(d);
  }
}

const fitted = (s: MemoryRiskStore): Priors => {
  const f = new PriorsFitter();
  for (const b of s.buyers.values()) f.add(withOrderHistory(b).n);
  return f.fit();
};

describe('buyer.orderHistory (the feed contract)', () => {
  it('is optional, bounded, and delivered cannot exceed placed', () => {
    expect(OrderHistory.safeParse({ placed: 120, delivered: 110 }).success).toBe(true);
    expect(OrderHistory.safeParse({ placed: 120, delivered: 110, since: '2024-01-01T00:00:00Z' }).success).toBe(true);
    expect(OrderHistory.safeParse({ placed: 5, delivered: 6 }).success).toBe(false);
    expect(OrderHistory.safeParse({ placed: -1, delivered: 0 }).success).toBe(false);
    expect(OrderHistory.safeParse({ placed: 1.5, delivered: 0 }).success).toBe(false);
    expect(OrderHistory.safeParse({ placed: 20_000_000, delivered: 0 }).success).toBe(false);
    expect(OrderHistory.safeParse({ placed: 3, delivered: 3, extra: 1 }).success).toBe(false);
  });
});

describe('order history as the rates’ denominator', () => {
  it('without it, a population the desk knows only through disputes names no platform rate ("platform 100 %")', () => {
    const s = new MemoryRiskStore();
    for (let b = 0; b < 80; b++) disputedOnly(s, `B-${b}`, 1 + (b % 3));
    disputedOnly(s, 'X', 8, undefined, { notReceived: true, threat: true });
    const priors = fitted(s);
    rescoreAll(s, s.buyers.keys(), { asOf: T0 + 200 * DAY, priors });
    const x = s.buyers.get('X')!.scored!.reasons;
    // The reasons that would compare with the platform are there, without it.
    expect(x.map((r) => r.code)).toEqual(expect.arrayContaining(['NOT_RECEIVED_DELIVERED', 'REVIEW_THREAT']));
    expect(x.find((r) => r.code === 'REVIEW_THREAT')!.text).toMatch(
      /the buyer opened disputes on 8 of 8 delivered orders \(smoothed \d+ %\)$/,
    );
    const texts = [...s.buyers.values()].flatMap((b) => b.scored!.reasons.map((r) => r.text));
    for (const t of texts) expect(t).not.toMatch(/platform/);
  });

  it('with it, the same disputes are rated against the orders the marketplace reports, and the platform rate is believable', () => {
    const s = new MemoryRiskStore();
    // Ordinary buyers: 1–3 disputes among 40–80 orders; X: 8 disputes among 10 orders.
    for (let b = 0; b < 80; b++) disputedOnly(s, `B-${b}`, 1 + (b % 3), { orders: 40 + b / 2, delivered: 38 + b / 2 });
    disputedOnly(s, 'X', 8, { orders: 10, delivered: 10 });
    disputedOnly(s, 'Y', 8, { orders: 400, delivered: 390 });
    const priors = fitted(s);
    rescoreAll(s, s.buyers.keys(), { asOf: T0 + 200 * DAY, priors });
    const x = s.buyers.get('X')!.scored!;
    const y = s.buyers.get('Y')!.scored!;
    const opened = x.reasons.find((r) => r.code === 'OPENED_RATE')!;
    expect(opened.text).toMatch(/^opened disputes on 8 of 10 delivered orders, won or not \(smoothed \d+(\.\d)? %; platform [0-9.]+ %\)$/);
    expect(Number(/platform ([0-9.]+) %/.exec(opened.text)![1])).toBeLessThan(10);
    // The same eight disputes among 390 delivered orders: no rate reason at all.
    expect(y.reasons.filter((r) => r.code === 'OPENED_RATE' || r.code === 'DISPUTE_RATE')).toEqual([]);
    expect(y.score).toBeLessThan(x.score);
  });

  it('a report smaller than what the desk knows changes nothing; the latest report replaces the last', () => {
    const s = new MemoryRiskStore();
    disputedOnly(s, 'A', 4, { orders: 2, delivered: 1 });
    const a = s.buyers.get('A')!;
    expect(withOrderHistory(a)).toBe(a);
    new RiskUpdater(s).account('A', [], { orders: 50, delivered: 45 });
    const v = withOrderHistory(s.buyers.get('A')!);
    expect([v.n.orders, v.n.delivered]).toEqual([50, 45]);
    // Decayed sums grow in proportion: the unseen orders spread in time like the seen ones.
    expect(v.w.orders / a.w.orders).toBeCloseTo(50 / 4, 9);
    expect(DEFAULT_PRIORS.opened.alpha).toBeGreaterThan(0);
  });
});
