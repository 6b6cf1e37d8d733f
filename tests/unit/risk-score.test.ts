import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BetaFitter,
  COUNTERS,
  RISK_MODEL,
  DEFAULT_PRIORS,
  FITTED_WEIGHTS,
  HistoryScorer,
  MemoryRiskStore,
  PhotoIndex,
  RiskUpdater,
  behaviourFeatures,
  classifyBuyerMessage,
  decay,
  decayFast,
  linkedNeighbours,
  nrdSpreadShare,
  phashDistance,
  rescoreAll,
  signVolume,
  type BuyerScore,
  type DisputeFact,
  type HistoryEvent,
  type LinkStatus,
  type OrderFact,
} from '../../src-main/engine/risk';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const sha = (n: number) => n.toString(16).padStart(64, '0');

/** A small history builder: accounts, orders and disputes in time order. */
class History {
  events: HistoryEvent[] = [];
  private o = 0;
  private d = 0;
  account(id: string, links: { device?: string[]; address?: string[]; payment?: string[] } = {}, at = T0 - 400 * DAY) {
    this.events.push({ type: 'account', id, role: 'buyer', at, links });
    return this;
  }
  /** An order, optionally disputed. */
  order(
    buyerId: string,
    at: number,
    opts: {
      delivered?: boolean;
      seller?: string;
      dispute?: { reason?: string; outcome?: string | null; photos?: Array<{ sha256: string; phash?: string }>; messages?: string[] };
    } = {},
  ) {
    const id = `O-${++this.o}`;
    this.events.push({
      type: 'order',
      id,
      buyerId,
      at,
      delivered: opts.delivered ?? true,
      ...(opts.seller ? { sellerId: opts.seller } : {}),
    });
    if (opts.dispute)
      this.events.push({
        type: 'dispute',
        id: `D-${++this.d}`,
        orderId: id,
        at: at + 20 * DAY,
        reason: opts.dispute.reason ?? 'defective',
        evidence: opts.dispute.photos ?? [],
        messages: (opts.dispute.messages ?? []).map((text) => ({ by: 'buyer', text })),
        outcome: opts.dispute.outcome ?? null,
      });
    return this;
  }
  label(accountId: string, label: 'serial_disputer' | 'cleared', at: number) {
    this.events.push({ type: 'label', accountId, label, at });
    return this;
  }
  /** Scores it; the events must be in time order, so they are sorted (stable). */
  score(opts: ConstructorParameters<typeof HistoryScorer>[0] = { priors: DEFAULT_PRIORS }): Map<string, BuyerScore> {
    return new Map(
      this.scorer(opts)
        .finish()
        .map((x) => [x.accountId, x]),
    );
  }
  /** The scorer with every event applied (not finished). */
  scorer(opts: ConstructorParameters<typeof HistoryScorer>[0] = { priors: DEFAULT_PRIORS }): HistoryScorer {
    const s = new HistoryScorer(opts);
    for (const e of [...this.events].sort((a, b) => (a.at ?? 0) - (b.at ?? 0))) expect(s.add(e)).toBeNull();
    return s;
  }
}

const codes = (s: BuyerScore | undefined) => (s?.reasons ?? []).filter((r) => r.weight > 0).map((r) => r.code);

describe('smoothing and minimum volume', () => {
  it('does not flag an account with two orders and one dispute, nor two disputes on two orders', () => {
    const h = new History().account('B-1').account('B-2');
    h.order('B-1', T0, { dispute: {} }).order('B-1', T0 + DAY);
    h.order('B-2', T0, { dispute: {} }).order('B-2', T0 + DAY, { dispute: {} });
    const s = h.score();
    expect(s.get('B-1')!.score).toBe(0);
    expect(codes(s.get('B-2'))).not.toContain('DISPUTE_RATE');
    expect(s.get('B-2')!.score).toBeLessThan(30);
  });

  it('flags disputes on almost every order once there is volume, with a sentence a person can check', () => {
    const h = new History().account('B-1');
    for (let i = 0; i < 12; i++) h.order('B-1', T0 + i * 10 * DAY, { dispute: i < 10 ? {} : undefined });
    // The fitted coefficient of the dispute rate is 0 since model v14 (the opened rate carries it):
    // the sentence is read with a coefficient of 4, the score with the fitted weights.
    const weights = { ...FITTED_WEIGHTS, coef: { ...FITTED_WEIGHTS.coef, DISPUTE_RATE: 4 } };
    const r = h
      .score({ priors: DEFAULT_PRIORS, weights })
      .get('B-1')!
      .reasons.find((x) => x.code === 'DISPUTE_RATE')!;
    expect(r.text).toMatch(
      /^disputes on almost every order: 10 disputes not decided for the buyer on 12 orders \(smoothed \d+ %\); platform 3\.0 %$/,
    );
    // Since model v8 most of the weight is the opened-on-delivered rate's (the fit moved it there),
    // since model v14 all of it: that one reason puts the buyer near the single-reason cap.
    expect(r.weight).toBeGreaterThan(0.1);
    const s = h.score().get('B-1')!;
    expect(s.reasons.find((x) => x.code === 'DISPUTE_RATE')).toBeUndefined();
    const opened = s.reasons.find((x) => x.code === 'OPENED_RATE')!;
    expect(opened.text).toBe('opened disputes on 10 of 12 delivered orders, won or not (smoothed 34 %; platform 4.0 %)');
    expect(s.score).toBeGreaterThanOrEqual(50);
  });

  it('smooths a short history towards the platform: fewer orders, lower weight for the same raw rate', () => {
    const weightFor = (orders: number) => {
      const h = new History().account('B');
      // One order in ten disputed: a raw rate whose weight stays below the one-reason cap. The
      // fitted coefficient of the dispute rate is small since model v8 (rounded weights tie), so
      // the reason is weighed with a coefficient of 4: what is measured is the smoothing.
      for (let i = 0; i < orders; i++) h.order('B', T0 + i * DAY, { dispute: i % 10 === 0 ? {} : undefined });
      const weights = { ...FITTED_WEIGHTS, coef: { ...FITTED_WEIGHTS.coef, DISPUTE_RATE: 4 } };
      return (
        h
          .score({ priors: DEFAULT_PRIORS, weights })
          .get('B')!
          .reasons.find((x) => x.code === 'DISPUTE_RATE')?.weight ?? 0
      );
    };
    expect(weightFor(15)).toBeLessThan(weightFor(30));
    expect(weightFor(30)).toBeLessThan(weightFor(90));
    expect(weightFor(30)).toBeGreaterThan(0);
  });
});

describe('delivered versus lost', () => {
  it('counts "not received" on parcels the carrier shows delivered ("4 … on 6 delivered orders")', () => {
    const h = new History().account('B-1');
    for (let i = 0; i < 6; i++)
      h.order('B-1', T0 + i * 15 * DAY, { delivered: true, dispute: i < 4 ? { reason: 'not_received.no_tracking_info' } : undefined });
    const r = h
      .score()
      .get('B-1')!
      .reasons.find((x) => x.code === 'NOT_RECEIVED_DELIVERED')!;
    // A sign of intent says what it was weighed against (model v6): how often the buyer opens disputes on delivered parcels.
    expect(r.text).toBe(
      '4 not-received claims on 6 delivered orders; platform 0.5 %; the buyer opened disputes on 4 of 6 delivered orders (smoothed 18 %; platform 4.0 %)',
    );
    // Model v8: the claims weigh by their own coefficient and the opened rate by its own (both shown).
    expect(r.weight).toBeGreaterThan(1);
    expect(codes(h.score().get('B-1'))).toContain('OPENED_RATE');
  });

  it('counts the claim as far as the population’s buyers differ in it, when nrdWeightBySpread is on (session 28)', () => {
    const h = new History().account('B-1');
    for (let i = 0; i < 12; i++)
      h.order('B-1', T0 + i * 15 * DAY, { delivered: true, dispute: i === 0 ? { reason: 'not_received.no_tracking_info' } : undefined });
    const nrd = (priors: typeof DEFAULT_PRIORS) =>
      h
        .score({ priors })
        .get('B-1')!
        .reasons.find((x) => x.code === 'NOT_RECEIVED_DELIVERED');
    const spread = { ...DEFAULT_PRIORS, nrdSpread: 0.02 };
    // Off by default: the spread changes nothing (v14's weight).
    expect(RISK_MODEL.nrdWeightBySpread.full).toBe(0);
    expect(nrdSpreadShare(spread)).toBe(1);
    const full = nrd(spread)!;
    expect(full).toEqual(nrd(DEFAULT_PRIORS));
    const knob = RISK_MODEL.nrdWeightBySpread as { full: number };
    knob.full = 0.05;
    try {
      expect(nrdSpreadShare(spread)).toBeCloseTo(0.4, 12);
      expect(nrdSpreadShare(DEFAULT_PRIORS)).toBe(1); // no spread known (defaults, priors saved before it)
      expect(nrdSpreadShare({ ...DEFAULT_PRIORS, nrdSpread: 0.3 })).toBe(1);
      const part = nrd(spread)!;
      expect(part.weight).toBeCloseTo(0.4 * full.weight, 1);
      expect(part.text).toContain('(counted at 40 %: buyers here differ little in how often they make this claim)');
      // No spread at all (nobody makes the claim more than chance would): the claim weighs nothing.
      expect(nrd({ ...DEFAULT_PRIORS, nrdSpread: 0 })).toBeUndefined();
    } finally {
      knob.full = 0;
    }
  });

  it('holds nothing against a buyer whose parcels really did not arrive', () => {
    const h = new History().account('B-1');
    for (let i = 0; i < 10; i++)
      h.order('B-1', T0 + i * 15 * DAY, {
        delivered: i >= 6,
        dispute: i < 6 ? { reason: 'not_received.in_transit', outcome: 'buyer_won' } : undefined,
      });
    const s = h.score().get('B-1')!;
    expect(s.score).toBe(0);
    expect(s.reasons.map((r) => r.code)).toEqual(['BAD_LUCK']);
    expect(s.reasons[0]!.text).toMatch(/^6 disputes on parcels the carrier did not deliver or decided for the buyer, not counted/);
  });

  it('counts a lost-parcel claim the platform decided for the seller', () => {
    const lost = (outcome: string) => {
      const h = new History().account('B');
      for (let i = 0; i < 8; i++)
        h.order('B', T0 + i * 15 * DAY, { delivered: false, dispute: { reason: 'not_received.no_tracking_info', outcome } });
      return h.score().get('B')!;
    };
    expect(lost('buyer_won').score).toBe(0);
    expect(codes(lost('seller_won'))).toContain('LOST_DISPUTES');
    // Counted as a dispute held against the buyer too (the dispute rate's fitted coefficient is 0 since model v14).
    const weights = { ...FITTED_WEIGHTS, coef: { ...FITTED_WEIGHTS.coef, DISPUTE_RATE: 4 } };
    const h = new History().account('B');
    for (let i = 0; i < 8; i++)
      h.order('B', T0 + i * 15 * DAY, { delivered: false, dispute: { reason: 'not_received.no_tracking_info', outcome: 'seller_won' } });
    expect(codes(h.score({ priors: DEFAULT_PRIORS, weights }).get('B'))).toEqual(expect.arrayContaining(['DISPUTE_RATE', 'LOST_DISPUTES']));
  });

  it('measures disputes on delivered parcels against a raised reference where the post loses parcels (model v13)', () => {
    // The same 20 delivered orders, 5 of them disputed, with a threat in one; then 1 or 10 more orders the carrier never delivered, claimed.
    const buyer = (lostOrders: number) => {
      const h = new History().account('B');
      for (let i = 0; i < 20; i++)
        h.order('B', T0 + i * 10 * DAY, {
          delivered: true,
          dispute:
            i % 4 === 0 ? { outcome: 'buyer_won', messages: i === 0 ? ['Refund me now or I will leave a 1-star review'] : [] } : undefined,
        });
      for (let i = 0; i < lostOrders; i++)
        h.order('B', T0 + (i * 20 + 5) * DAY, { delivered: false, dispute: { reason: 'not_received.in_transit', outcome: 'buyer_won' } });
      return h.score().get('B')!;
    };
    const weight = (s: BuyerScore, code: string) => s.reasons.find((r) => r.code === code)?.weight ?? 0;
    const one = buyer(1);
    const poor = buyer(10);
    // One lost parcel in 21 orders is no poor post: nothing said, the v12 weights.
    expect(one.reasons.find((r) => r.code === 'OPENED_RATE')!.text).not.toMatch(/postal/);
    expect(weight(one, 'OPENED_RATE')).toBeGreaterThan(3);
    // Ten of thirty claimed lost: the reference is raised (smoothed (10 + 50 · 12 %) / (30 + 50) = 20 %, 1.7 times 12 %),
    // the opened rate and the threat's context weigh less, and the reasons say by how much and why.
    const r = poor.reasons.find((x) => x.code === 'OPENED_RATE');
    expect(weight(poor, 'OPENED_RATE')).toBeLessThan(weight(one, 'OPENED_RATE') - 0.5);
    expect(weight(poor, 'REVIEW_THREAT')).toBeLessThan(weight(one, 'REVIEW_THREAT'));
    expect(poor.score).toBeLessThan(one.score);
    expect(r?.text ?? poor.reasons.find((x) => x.code === 'REVIEW_THREAT')!.text).toMatch(
      /measured against 1\.7 times that, [\d.]+ %: they claimed 10 of 30 orders lost or not delivered \(a poor postal service\)/,
    );
  });
});

describe('decay', () => {
  it('an old history weighs less than the same history lately, and its velocity is gone', () => {
    const build = (start: number) => {
      const h = new History().account('B');
      for (let i = 0; i < 8; i++)
        h.order('B', start + i * 2 * DAY, {
          dispute: {
            reason: 'not_received.customs',
            photos: [{ sha256: sha(7) }],
            messages: ['If you do not refund me I will leave a 1-star review.'],
          },
        });
      h.order('B', T0 + 390 * DAY); // the same "now" for both
      return h.score().get('B')!;
    };
    const recent = build(T0 + 350 * DAY);
    // Old enough that its threat stays below the single-reason cap, which the recent one reaches.
    const old = build(T0 - 800 * DAY);
    expect(recent.score).toBeGreaterThan(old.score);
    const w = (s: BuyerScore, code: string) => s.reasons.find((r) => r.code === code)?.weight ?? 0;
    expect(w(old, 'REVIEW_THREAT')).toBeLessThan(w(recent, 'REVIEW_THREAT'));
    expect(w(old, 'REUSED_PHOTO')).toBeLessThan(w(recent, 'REUSED_PHOTO'));
  });

  it('a score ages without events: read later, it equals a full rescore at that instant, and its velocity fades', () => {
    // A burst of disputes, then silence; velocity given a weight so that its fading shows.
    const weights = { bias: FITTED_WEIGHTS.bias, coef: { ...FITTED_WEIGHTS.coef, VELOCITY: 1.5 } };
    const h = new History().account('B').account('B-other');
    for (let i = 0; i < 12; i++) h.order('B', T0 + i * DAY, { dispute: { messages: i % 4 ? [] : ['I will leave a 1-star review.'] } });
    const events = [...h.events].sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
    const lastAt = Math.max(...events.map((e) => e.at ?? 0));
    const scorer = new HistoryScorer({ priors: DEFAULT_PRIORS, weights });
    for (const e of events) scorer.add(e);
    const now = scorer.finish().find((x) => x.accountId === 'B')!;
    expect(codes(now)).toContain('VELOCITY');
    expect(scorer.scoreAt('B', lastAt - DAY)).toEqual(now); // never backwards

    for (const later of [lastAt + 30 * DAY, lastAt + 400 * DAY]) {
      const aged = scorer.scoreAt('B', later)!;
      // The same as scoring everything afresh at that instant (an unrelated account's event moves the clock).
      const fresh = new HistoryScorer({ priors: DEFAULT_PRIORS, weights });
      for (const e of [...events, { type: 'order' as const, id: 'O-x', buyerId: 'B-other', at: later, delivered: true }]) fresh.add(e);
      expect(aged).toEqual(fresh.finish().find((x) => x.accountId === 'B'));
      expect(codes(aged)).not.toContain('VELOCITY');
      expect(aged.score).toBeLessThan(now.score);
    }
    expect(scorer.scoreAt('B', lastAt + 400 * DAY)!.score).toBeLessThan(scorer.scoreAt('B', lastAt + 30 * DAY)!.score);
    expect(scorer.scoreAt('B-nobody', lastAt)).toBeUndefined();
  });

  it('halves a contribution every half-life', () => {
    expect(decay(180 * DAY)).toBeCloseTo(0.5, 12);
    expect(decayFast(14 * DAY)).toBeCloseTo(0.5, 12);
  });
});

describe('links', () => {
  const abuser = (h: History, id: string) => {
    for (let i = 0; i < 10; i++)
      h.order(id, T0 + i * 5 * DAY, { dispute: { reason: 'not_received.no_tracking_info', photos: [{ sha256: sha(99) }] } });
  };

  it('a household member of a risky account gets the link reason, not the label', () => {
    const h = new History()
      .account('B-bad', { address: ['ad-home'], device: ['dv-1'] })
      .account('B-partner', { address: ['ad-home'], device: ['dv-2'] });
    abuser(h, 'B-bad');
    h.order('B-partner', T0);
    const s = h.score();
    // Ten "not received" claims on delivered parcels with one photo: clearly risky (the line is 35).
    expect(s.get('B-bad')!.score).toBeGreaterThanOrEqual(80);
    const partner = s.get('B-partner')!;
    expect(codes(partner)).toEqual(['LINKED_ACCOUNTS']);
    expect(partner.reasons[0]!.text).toBe(
      'shares a device, address or payment detail with 1 flagged or risky account (risky: a score of 35 or more of their own): B-bad (risky; address); the buyer opened disputes on 0 of 1 delivered order (smoothed 3.8 %; platform 4.0 %)',
    );
    // A link alone stays below the model's even odds (60).
    expect(partner.score).toBeLessThan(60);
  });

  it('ignores an address shared by many accounts (a parcel locker)', () => {
    const h = new History();
    for (let i = 0; i < 12; i++) h.account(`B-${i}`, { address: ['ad-locker'] });
    abuser(h, 'B-0');
    for (let i = 1; i < 12; i++) h.order(`B-${i}`, T0);
    const s = h.score();
    expect(s.get('B-0')!.score).toBeGreaterThanOrEqual(80);
    for (let i = 1; i < 12; i++) expect(s.get(`B-${i}`)!.score).toBe(0);
  });

  it('counts a link to an analyst-flagged account, and a cleared one stops counting', () => {
    const h = new History().account('B-1', { device: ['dv-shared'] }).account('B-2', { device: ['dv-shared'] });
    h.order('B-1', T0).order('B-2', T0);
    h.label('B-1', 'serial_disputer', T0 + DAY);
    const s = h.score();
    expect(codes(s.get('B-2'))).toEqual(['LINKED_ACCOUNTS']);
    expect(s.get('B-2')!.reasons[0]!.text).toContain('B-1 (flagged; device)');
    // The flagged account's own score is its behaviour: the label is shown, not scored.
    expect(s.get('B-1')!.score).toBe(0);
    expect(s.get('B-1')!.reasons.map((r) => r.code)).toEqual(['ANALYST_FLAG']);
    h.label('B-1', 'cleared', T0 + 2 * DAY);
    expect(codes(h.score().get('B-2'))).toEqual([]);
  });
  it('a ring whose members each show one sign, none at even odds alone, links them (model v11)', () => {
    // Four fresh accounts on two phones and one card, each with one dispute among four orders,
    // asking to be paid by PayPal: each scores between 35 and 60 on its own. Until model v11
    // a linked account counted only from 60, so the ring's devices and card weighed nothing.
    const h = new History();
    const ids = ['R-1', 'R-2', 'R-3', 'R-4'];
    const paypal = 'Pay me by PayPal and I will close the dispute.';
    ids.forEach((id, i) => h.account(id, { device: [`dv-ring-${i % 2}`], payment: ['card-ring'] }, T0 - 30 * DAY));
    ids.forEach((id, i) => {
      h.order(id, T0 + i * DAY);
      h.order(id, T0 + (10 + i) * DAY);
      h.order(id, T0 + (20 + i) * DAY);
      h.order(id, T0 + (30 + i) * DAY, { dispute: { messages: [paypal] } });
    });
    const s = h.score();
    for (const id of ids) {
      expect(codes(s.get(id)).sort()).toEqual(['LINKED_ACCOUNTS', 'OFF_PLATFORM']);
    }
    // A lone account with the same history has no link reason.
    const lone = new History().account('L', {}, T0 - 30 * DAY);
    lone.order('L', T0).order('L', T0 + 10 * DAY);
    lone.order('L', T0 + 20 * DAY).order('L', T0 + 30 * DAY, { dispute: { messages: [paypal] } });
    const alone = lone.score().get('L')!;
    expect(codes(alone)).toEqual(['OFF_PLATFORM']);
    expect(alone.score).toBeGreaterThanOrEqual(35);
    expect(alone.score).toBeLessThan(60);
    for (const id of ids) expect(s.get(id)!.score).toBeGreaterThan(alone.score);
  });

  it("the odd one out of a ring's phone or card counts a quarter, a household address in full (model v12)", () => {
    // Three accounts opened within a week share a phone and a card and each ask to be paid by
    // PayPal (risky on their own). An account opened two years earlier on the same phone is the
    // phone's former owner (a second-hand phone): its link counts a quarter, and the reason says
    // why. An account opened with the ring, and an old one sharing the ring's address, are linked in full.
    const paypal = 'Pay me by PayPal and I will close the dispute.';
    const build = (oldCreated: number) => {
      const h = new History();
      ['R-1', 'R-2', 'R-3'].forEach((id, i) => {
        h.account(id, { device: ['dv-ring'], payment: ['card-ring'], address: ['ad-ring'] }, T0 - (40 - 3 * i) * DAY);
        h.order(id, T0 + i * DAY).order(id, T0 + (10 + i) * DAY);
        h.order(id, T0 + (20 + i) * DAY).order(id, T0 + (30 + i) * DAY, { dispute: { messages: [paypal] } });
      });
      h.account('OLD', { device: ['dv-ring'] }, oldCreated).order('OLD', T0 + 5 * DAY);
      h.account('CARD', { payment: ['card-ring'] }, oldCreated).order('CARD', T0 + 5 * DAY);
      h.account('YOUNG', { device: ['dv-ring'] }, T0 - 35 * DAY).order('YOUNG', T0 + 5 * DAY);
      h.account('HOME', { address: ['ad-ring'] }, oldCreated).order('HOME', T0 + 5 * DAY);
      return h;
    };
    // v13's link coefficient at a normal context (model v14 fits 5.91), so that the near accounts stay
    // below the single-reason cap: what is measured is the discount.
    const opts = { priors: DEFAULT_PRIORS, weights: { ...FITTED_WEIGHTS, low: { ...FITTED_WEIGHTS.low, LINKED_ACCOUNTS: 3.41 } } };
    const s = build(T0 - 700 * DAY).score(opts);
    const link = (id: string) => s.get(id)!.reasons.find((r) => r.code === 'LINKED_ACCOUNTS');
    // The same accounts opened 50 days before the ring: counted like the young one.
    const near = build(T0 - 90 * DAY).score(opts);
    const nearLink = (id: string) => near.get(id)!.reasons.find((r) => r.code === 'LINKED_ACCOUNTS')!;
    for (const id of ['OLD', 'CARD']) {
      expect(link(id)!.weight).toBeGreaterThan(0);
      expect(link(id)!.weight).toBeLessThan(nearLink(id).weight / 2);
      expect(link(id)!.text).toMatch(
        /^shares a device or card with 3 flagged or risky accounts \(risky: a score of 35 or more of their own\), counted at 25 %: they were opened within 90 days of each other and more than 60 days before or after the buyer's account \(a second-hand device or card, not a ring's\): R-1 \(risky; (device|payment)\), R-2 .*, R-3 .*; the buyer opened disputes on 0 of 1 delivered order/,
      );
    }
    expect(link('YOUNG')!.weight).toBeGreaterThan(1);
    expect(link('YOUNG')!.text).toMatch(/^shares a device, address or payment detail with 3 flagged or risky accounts/);
    expect(link('HOME')!.weight).toBeGreaterThan(0);
    expect(nearLink('OLD')).toEqual(link('YOUNG'));
    expect(nearLink('CARD').weight).toBeGreaterThan(link('YOUNG')!.weight); // the card is the ring's alone
    // Scored after every event (the link reasons the updates keep): the same reasons as from scratch.
    const h = build(T0 - 700 * DAY);
    const incremental = h.scorer({ ...opts, incremental: true });
    for (const id of ['OLD', 'CARD', 'YOUNG', 'HOME'])
      expect(incremental.store.buyer(id)!.scored!.reasons.find((r) => r.code === 'LINKED_ACCOUNTS')?.text).toBe(
        s.get(id)!.reasons.find((r) => r.code === 'LINKED_ACCOUNTS')?.text,
      );
  });

  it('one risky account on a device, or risky accounts opened far apart, are no ring to be the odd one out of', () => {
    const risky = new Map<string, LinkStatus>([
      ['A', { risky: true, flagged: false, created: T0 }],
      ['B', { risky: true, flagged: false, created: T0 + 60 * DAY }],
      ['C', { risky: true, flagged: false, created: T0 + 400 * DAY }],
      ['D', { risky: false, flagged: false, created: T0 }],
      ['E', { risky: true, flagged: true, created: null }],
    ]);
    const weightOf = (members: string[], kind = 'device', self: number | null = T0 + 1000 * DAY) =>
      linkedNeighbours('X', [{ kind, members: ['X', ...members] }], (id) => risky.get(id), self).map((nb) => [
        nb.id,
        nb.weight,
        nb.discounted,
      ]);
    expect(weightOf(['A', 'B'])).toEqual([
      ['A', 0.25, true],
      ['B', 0.25, true],
    ]);
    expect(weightOf(['A', 'D'])).toEqual([['A', 0.25, false]]); // one risky account: an abuser's partner or pair
    expect(weightOf(['A', 'C'])).toEqual([
      ['A', 1, false],
      ['C', 1, false],
    ]); // opened a year apart: no ring opened together
    expect(weightOf(['A', 'E'])).toEqual([
      ['A', 1, false],
      ['E', 1.25, false],
    ]); // a date not known: nothing discounted on a guess
    expect(weightOf(['A', 'B'], 'address')).toEqual([
      ['A', 0.7, false],
      ['B', 0.7, false],
    ]);
    expect(weightOf(['A', 'B'], 'device', T0 + 100 * DAY)).toEqual([
      ['A', 1, false],
      ['B', 1, false],
    ]);
    expect(weightOf(['A', 'B'], 'device', null).every(([, , d]) => d === false)).toBe(true);
    // Through another, undiscounted group the same neighbour still counts in full.
    const both = linkedNeighbours(
      'X',
      [
        { kind: 'device', members: ['X', 'A', 'B'] },
        { kind: 'address', members: ['X', 'A'] },
      ],
      (id) => risky.get(id),
      T0 + 1000 * DAY,
    );
    expect(both.map((nb) => [nb.id, nb.weight, nb.discounted])).toEqual([
      ['A', 0.7, false],
      ['B', 0.25, true],
    ]);
  });
});

describe('photos', () => {
  it('sees the same photo in several disputes of one account, and across accounts', () => {
    const h = new History().account('B-1').account('B-2').account('B-3');
    for (let i = 0; i < 3; i++) h.order('B-1', T0 + i * DAY, { dispute: { photos: [{ sha256: sha(1) }] } });
    h.order('B-2', T0, { dispute: { photos: [{ sha256: sha(2) }] } });
    h.order('B-3', T0 + DAY, { dispute: { photos: [{ sha256: sha(2) }] } });
    const s = h.score();
    expect(s.get('B-1')!.reasons.find((r) => r.code === 'REUSED_PHOTO')!.text).toBe('the same photo in 3 of their disputes');
    expect(codes(s.get('B-2'))).toEqual(['SHARED_PHOTO']);
    expect(codes(s.get('B-3'))).toEqual(['SHARED_PHOTO']);
  });

  it('a photo reused some months ago still counts, less than lately (model v10)', () => {
    // The same photo in two disputes, then nine quiet months of orders: the decayed sum of its uses
    // is below 2. Before v10 the feature took one whole use from that decayed sum (log(1 + w − 1)),
    // so a stash reused eight months ago weighed nothing at all.
    const build = (start: number) => {
      const h = new History().account('B');
      for (let i = 0; i < 2; i++) h.order('B', start + i * DAY, { dispute: { photos: [{ sha256: sha(9) }] } });
      for (let i = 0; i < 10; i++) h.order('B', T0 + 200 * DAY + i * 20 * DAY);
      return h.score().get('B')!;
    };
    const weight = (s: BuyerScore) => s.reasons.find((r) => r.code === 'REUSED_PHOTO')?.weight ?? 0;
    const recent = weight(build(T0 + 370 * DAY));
    const old = weight(build(T0 + 100 * DAY));
    expect(old).toBeGreaterThan(0);
    expect(old).toBeLessThan(recent);
  });

  it('a photo shared by a ring of ten still counts; one attached by hundreds of accounts (a stock image) fades', () => {
    const h = new History();
    for (let i = 0; i < 10; i++) h.account(`B-${i}`).order(`B-${i}`, T0 + i * DAY, { dispute: { photos: [{ sha256: sha(5) }] } });
    for (let i = 0; i < 300; i++) h.account(`S-${i}`).order(`S-${i}`, T0 + (i % 50) * DAY, { dispute: { photos: [{ sha256: sha(6) }] } });
    const s = h.score();
    const shared = (id: string) => s.get(id)!.reasons.find((r) => r.code === 'SHARED_PHOTO')?.weight ?? 0;
    for (let i = 0; i < 10; i++) expect(codes(s.get(`B-${i}`))).toEqual(['SHARED_PHOTO']);
    for (let i = 0; i < 300; i++) expect(shared(`S-${i}`)).toBeLessThan(shared('B-0') / 10);
    // Each stock-image account opened a dispute on its one delivered order: a high opened rate for
    // so short a history (context 0.69 of 1), so the faded photo still weighs a few points (5 here).
    for (let i = 0; i < 300; i++) expect(s.get(`S-${i}`)!.score).toBeLessThan(10);
  });

  it("a seller's listing photo, attached by several of its customers for its orders, is not a shared photo", () => {
    const h = new History();
    for (let i = 0; i < 5; i++)
      h.account(`C-${i}`).order(`C-${i}`, T0 + i * DAY, { seller: 'S-1', dispute: { photos: [{ sha256: sha(7) }] } });
    // Enough other orders that the one dispute is no rate of its own.
    for (let i = 0; i < 5; i++) for (let k = 0; k < 20; k++) h.order(`C-${i}`, T0 - (k + 1) * 5 * DAY, { seller: `S-${k + 2}` });
    const s = h.score();
    for (let i = 0; i < 5; i++) expect(codes(s.get(`C-${i}`))).not.toContain('SHARED_PHOTO');
    // The same photo in a dispute about another seller's order: shared again, for every account using it.
    h.account('X').order('X', T0 + 10 * DAY, { seller: 'S-9', dispute: { photos: [{ sha256: sha(7) }] } });
    const t = h.score();
    for (const id of ['C-0', 'C-4', 'X']) expect(codes(t.get(id))).toContain('SHARED_PHOTO');
  });

  it('a listing photo used by two linked accounts counts as shared', () => {
    const h = new History()
      .account('L-1', { device: ['dv-1'] })
      .account('L-2', { device: ['dv-1'] })
      .account('C-1');
    h.order('C-1', T0, { seller: 'S-1', dispute: { photos: [{ sha256: sha(8) }] } });
    h.order('L-1', T0 + DAY, { seller: 'S-1', dispute: { photos: [{ sha256: sha(8) }] } });
    expect(codes(h.score().get('L-1'))).not.toContain('SHARED_PHOTO');
    h.order('L-2', T0 + 2 * DAY, { seller: 'S-1', dispute: { photos: [{ sha256: sha(8) }] } });
    const s = h.score();
    for (const id of ['L-1', 'L-2', 'C-1']) expect(codes(s.get(id))).toContain('SHARED_PHOTO');
  });

  it("a dispute's photo moves with its order's seller: one seller's again after a correction, incrementally as from scratch", () => {
    const u = new MemoryRiskStore();
    const up = new RiskUpdater(u);
    const order = (id: string, buyerId: string, sellerId: string | null): OrderFact => ({
      id,
      buyerId,
      placedAt: T0,
      delivered: true,
      sellerId,
    });
    const dispute = (id: string, orderId: string, buyerId: string): DisputeFact => ({
      id,
      orderId,
      buyerId,
      openedAt: T0 + DAY,
      notReceived: false,
      outcome: null,
      threat: false,
      offPlatform: false,
      photos: ['P'],
    });
    up.order(order('O-1', 'A', 'S-1'));
    up.dispute(dispute('D-1', 'O-1', 'A'));
    up.dispute(dispute('D-2', 'O-2', 'B')); // its order is not known yet: an unknown seller
    expect(u.photos.get('P')).toMatchObject({ accounts: 2, sellers: { 'S-1': 1, '': 1 }, sellerOverflow: 0 });
    expect(u.buyers.get('A')!.n.photoShared).toBe(1);
    up.order(order('O-2', 'B', 'S-2'));
    expect(u.buyers.get('B')!.n.photoShared).toBe(1);
    up.order(order('O-2', 'B', 'S-1')); // corrected: both for S-1's orders, a listing photo
    expect(u.photos.get('P')).toMatchObject({ sellers: { 'S-1': 2 }, sellerOverflow: 0, linked: false });
    expect(u.buyers.get('A')!.n.photoShared).toBe(0);
    expect(u.buyers.get('B')!.n.photoShared).toBe(0);
    // The same facts applied afresh give the same rows.
    const v = new MemoryRiskStore();
    const up2 = new RiskUpdater(v);
    up2.order(order('O-1', 'A', 'S-1'));
    up2.order(order('O-2', 'B', 'S-1'));
    up2.dispute(dispute('D-1', 'O-1', 'A'));
    up2.dispute(dispute('D-2', 'O-2', 'B'));
    expect(v.photos.get('P')).toEqual(u.photos.get('P'));
    for (const id of ['A', 'B']) expect(v.buyers.get(id)!.n).toEqual(u.buyers.get(id)!.n);
  });

  it('matches near-duplicates by perceptual hash within 4 bits, not further', () => {
    const idx = new PhotoIndex();
    const a = idx.resolve(sha(10), 'ffff0000ffff0000');
    expect(idx.resolve(sha(11), 'ffff0000ffff000f')).toBe(a); // 4 bits
    expect(phashDistance('ffff0000ffff0000', 'fff00000ffff0ff0')).toBe(12);
    expect(idx.resolve(sha(12), 'fff00000ffff0ff0')).toBe(sha(12));
    expect(idx.resolve(sha(10))).toBe(a); // the sha256 alone finds its cluster
  });
});

describe('buyer messages', () => {
  it.each([
    ['If you do not refund me today I will leave a 1-star review and report your store.', true, false],
    ['Если не вернёте деньги, оставлю плохой отзыв.', true, false],
    ['Si no me devuelven el dinero dejaré una reseña negativa.', true, false],
    ['Se não devolver vou deixar uma avaliação negativa.', true, false],
    ['Sinon je laisserai un avis négatif.', true, false],
    ['Jeśli nie zwrócicie pieniędzy, wystawię negatywną opinię.', true, false],
    ['Pay me by PayPal and I will close the dispute.', false, true],
    ['Переведите мне на карту, и я закрою спор.', false, true],
    ['Págame por Bizum y cierro la disputa.', false, true],
    ['Me pague por Pix e fecho a disputa.', false, true],
    ['Virez-moi par PayPal et je ferme le litige.', false, true],
    ['Przelej mi przez BLIK i zamknę spór.', false, true],
    ['The seller offered to pay me by PayPal if I close the dispute. I refused.', false, false],
    ['The phone does not switch on, see the video.', false, false],
    ['The product is bad, the reviews were fake.', false, false],
  ])('%s', (text, threat, offPlatform) => {
    expect(classifyBuyerMessage(text)).toEqual({ threat, offPlatform });
  });
});

describe('signs of intent per dispute opened', () => {
  // The same one threat and one off-platform request, among three disputes or among thirty
  // (disputes with bad sellers, mostly decided for the buyer): frustration, not a pattern.
  const buyer = (h: History, id: string, disputes: number) => {
    for (let i = 0; i < 40; i++) {
      const messages = i === 0 ? ['I will leave a 1-star review.'] : i === 1 ? ['Pay me by PayPal and I will close the dispute.'] : [];
      h.order(id, T0 + i * 4 * DAY, i < disputes ? { dispute: { messages, outcome: i % 5 ? 'buyer_won' : 'split' } } : {});
    }
  };
  /** fn's result with the model's knob set to value, then set back. */
  const withKnob = <T extends object, R>(knob: T, value: { [K in keyof T]?: number }, fn: () => R): R => {
    const was = { ...knob };
    Object.assign(knob, value);
    try {
      return fn();
    } finally {
      Object.assign(knob, was);
    }
  };
  /** The threat's and the request's features, [threat, request], of buyers with them among 2, 4, 8 or 14 disputes of 40 orders. */
  const amongDisputes = () => {
    const h = new History();
    for (const d of [2, 4, 8, 14]) buyer(h.account(`B-${d}`), `B-${d}`, d);
    const scorer = h.scorer();
    const x = (d: number, code: string) =>
      behaviourFeatures(scorer.store.buyer(`B-${d}`)!, { asOf: scorer.asOf, priors: DEFAULT_PRIORS }).find((f) => f.code === code)?.x ?? 0;
    return () => [2, 4, 8, 14].map((d) => [x(d, 'REVIEW_THREAT'), x(d, 'OFF_PLATFORM')]);
  };
  it('measure less the more disputes they hide among, and never count against a buyer with none', () => {
    const h = new History().account('B-few').account('B-many').account('B-none');
    buyer(h, 'B-few', 3);
    buyer(h, 'B-many', 30);
    buyer(h, 'B-none', 0);
    const s = h.score();
    // The per-dispute measure (the feature); its weight also moves with the buyer's context
    // (model v6: both buyers here open disputes far above the platform's rate, so both reach
    // the single-reason cap; tests/unit/risk-sellers.test.ts weighs the same sign in two contexts).
    const scorer = h.scorer();
    const x = (id: string, code: string) =>
      behaviourFeatures(scorer.store.buyer(id)!, { asOf: scorer.asOf, priors: DEFAULT_PRIORS }).find((f) => f.code === code)?.x ?? 0;
    const w = (id: string, code: string) => s.get(id)!.reasons.find((r) => r.code === code)?.weight ?? 0;
    for (const code of ['REVIEW_THREAT', 'OFF_PLATFORM']) {
      expect(w('B-few', code)).toBeGreaterThan(0);
      expect(x('B-many', code)).toBeLessThan(x('B-few', code));
    }
    // One angry message in thirty disputes is about the base rate of angry messages.
    expect(x('B-many', 'REVIEW_THREAT')).toBeLessThan(0.15);
    expect(s.get('B-few')!.reasons.find((r) => r.code === 'REVIEW_THREAT')!.text).toMatch(/in 1 of 3 disputes opened/);
    expect(s.get('B-none')!.score).toBe(0);
  });

  it('weigh little among many disputes when signRateFloor is on (session 30, off by default)', () => {
    const all = amongDisputes();
    expect(RISK_MODEL.signRateFloor.rate).toBe(0);
    const off = all();
    const on = withKnob(RISK_MODEL.signRateFloor, { rate: 0.05 }, all);
    const volume = signVolume(40);
    // Measured against 5 % of the buyer's disputes instead of the base rate (threat 3 %, request 0.5 %).
    for (const i of [0, 1, 2]) expect(off[i]![0]! - on[i]![0]!).toBeCloseTo(Math.log(0.05 / 0.03) * volume, 9);
    for (const i of [0, 1]) expect(off[i]![1]! - on[i]![1]!).toBeCloseTo(Math.log(0.05 / 0.005) * volume, 9);
    // Among 14 disputes neither counts at all (v14: 0.43 and 1.87, decayed), the request not among 8 either.
    expect(off[3]![0]).toBeGreaterThan(0.4);
    expect(off[3]![1]).toBeGreaterThan(1.8);
    expect(on[3]).toEqual([0, 0]);
    expect(on[2]![1]).toBe(0);
    expect(on[0]![0]).toBeGreaterThan(0.4);
    // 1 in 8 against 1 in 2: v14 keeps about two thirds, the floor under half.
    expect(off[2]![0]! / off[0]![0]!).toBeGreaterThan(0.65);
    expect(on[2]![0]! / on[0]![0]!).toBeLessThan(0.5);
    expect(all()).toEqual(off);
  });

  it('lose weight for each dispute opened without the sign when signPerOtherDispute is on (session 31, off by default)', () => {
    const all = amongDisputes();
    expect(RISK_MODEL.signPerOtherDispute.perOther).toBe(0);
    const off = all();
    const on = withKnob(RISK_MODEL.signPerOtherDispute, { perOther: 0.1 }, all);
    const volume = signVolume(40);
    const loss = off.map(([t, o], i) => [t! - on[i]![0]!, o! - on[i]![1]!]);
    // About the same loss for both signs (the same disputes without them; the sign itself decayed a little
    // differently), at most 0.1 per other dispute, growing with them.
    for (const i of [0, 1, 2]) expect(loss[i]![0]).toBeCloseTo(loss[i]![1]!, 2);
    expect(loss[0]![0]).toBeGreaterThan(0);
    expect(loss[0]![0]).toBeLessThanOrEqual(0.1 * 1 * volume);
    expect(loss[2]![0]).toBeGreaterThan(5 * loss[0]![0]!);
    // One in two keeps nearly all (unlike signRateFloor, the request's too); one threat among 14 counts nothing.
    expect(on[0]![0]! / off[0]![0]!).toBeGreaterThan(0.9);
    expect(on[0]![1]! / off[0]![1]!).toBeGreaterThan(0.9);
    expect(off[3]![0]).toBeGreaterThan(0.4);
    expect(on[3]![0]).toBe(0);
    // 1 in 8 against 1 in 2: v14 keeps about two thirds, the knob under half.
    expect(off[2]![0]! / off[0]![0]!).toBeGreaterThan(0.65);
    expect(on[2]![0]! / on[0]![0]!).toBeLessThan(0.5);
    expect(all()).toEqual(off);
  });

  it('lose weight per raw dispute opened without the sign when perOtherRaw is on, however old (session 31 fit36, off by default)', () => {
    // One threat in the last of 8 disputes of 40 orders: spread over two years, or all in the last month.
    const h = new History().account('B-spread', {}, T0 - 800 * DAY).account('B-recent');
    const end = T0 + 720 * DAY;
    for (let i = 0; i < 40; i++) {
      const dispute = (last: boolean) => ({
        dispute: { messages: last ? ['I will leave a 1-star review.'] : [], outcome: 'buyer_won' as const },
      });
      h.order('B-spread', end - (39 - i) * 18 * DAY, i % 5 === 4 ? dispute(i === 39) : {});
      h.order('B-recent', end - (39 - i) * 4 * DAY, i >= 32 ? dispute(i === 39) : {});
    }
    const scorer = h.scorer();
    const all = () =>
      ['B-spread', 'B-recent'].map(
        (id) =>
          behaviourFeatures(scorer.store.buyer(id)!, { asOf: scorer.asOf, priors: DEFAULT_PRIORS }).find((f) => f.code === 'REVIEW_THREAT')
            ?.x ?? 0,
      );
    expect(RISK_MODEL.signPerOtherDispute.perOtherRaw).toBe(0);
    const off = all();
    const raw = withKnob(RISK_MODEL.signPerOtherDispute, { perOtherRaw: 0.1 }, all);
    const decayed = withKnob(RISK_MODEL.signPerOtherDispute, { perOther: 0.1 }, all);
    const volume = signVolume(40);
    expect(off[0]).toBeGreaterThan(0.8 * volume);
    expect(off[1]).toBeGreaterThan(0.8 * volume);
    // Raw: seven disputes without the threat take 0.7 from both, the two years' as much as the month's.
    expect(off[0]! - raw[0]!).toBeCloseTo(0.7 * volume, 9);
    expect(off[1]! - raw[1]!).toBeCloseTo(0.7 * volume, 9);
    // Decayed (perOther): the two years' seven count as under three, the month's as about seven.
    expect(off[0]! - decayed[0]!).toBeLessThan(0.3 * volume);
    expect(off[1]! - decayed[1]!).toBeGreaterThan(0.6 * volume);
    expect(all()).toEqual(off);
  });

  it('smooth the opened rate as a reason harder than as context when openedReasonPrior is on (session 32 fit37, off by default)', () => {
    // Two disputes on 6 delivered orders and nine on 54 (a threat in the first of each): both about 11-13 % smoothed with 20 orders.
    const threat = { messages: ['I will leave a 1-star review.'] };
    const h = new History().account('B-short').account('B-long');
    for (let i = 0; i < 6; i++) h.order('B-short', T0 + i * 10 * DAY, i % 3 === 2 ? { dispute: i === 2 ? threat : {} } : {});
    for (let i = 0; i < 54; i++) h.order('B-long', T0 + i * 10 * DAY, i % 6 === 5 ? { dispute: i === 5 ? threat : {} } : {});
    const scorer = h.scorer();
    const features = () =>
      ['B-short', 'B-long'].map((id) => behaviourFeatures(scorer.store.buyer(id)!, { asOf: scorer.asOf, priors: DEFAULT_PRIORS }));
    const opened = () => features().map((fs) => fs.find((f) => f.code === 'OPENED_RATE')?.x ?? 0);
    const sign = () => features().map((fs) => fs.find((f) => f.code === 'REVIEW_THREAT'));
    expect(RISK_MODEL.openedReasonPrior.priorOrders).toBe(0);
    const off = opened();
    const on = withKnob(RISK_MODEL.openedReasonPrior, { priorOrders: 60 }, opened);
    expect(off[0]! / off[1]!).toBeGreaterThan(0.75);
    // 60 orders of prior take about half of the short history's measure and under a quarter of the long one's.
    expect(on[0]! / off[0]!).toBeLessThan(0.6);
    expect(on[1]! / off[1]!).toBeGreaterThan(0.7);
    // 20 orders, the context's own prior, measure what the knob off does; the signs' context does not move.
    expect(withKnob(RISK_MODEL.openedReasonPrior, { priorOrders: RISK_MODEL.openedPriorOrders }, opened)).toEqual(off);
    expect(withKnob(RISK_MODEL.openedReasonPrior, { priorOrders: 60 }, sign)).toEqual(sign());
    expect(opened()).toEqual(off);
  });

  it("need some volume of the buyer's own: a first order's sign counts at half (model v14)", () => {
    // The same one off-platform request on the same day: a new account's only order, and the first of twenty.
    const paypal = { messages: ['Pay me by PayPal and I will close the dispute.'] };
    const h = new History().account('B-new').account('B-old');
    h.order('B-new', T0, { dispute: paypal }).order('B-old', T0, { dispute: paypal });
    for (let i = 1; i < 20; i++) h.order('B-old', T0 + i * 5 * DAY);
    const scorer = h.scorer();
    const x = (id: string) =>
      behaviourFeatures(scorer.store.buyer(id)!, { asOf: scorer.asOf, priors: DEFAULT_PRIORS }).find((f) => f.code === 'OFF_PLATFORM')!.x;
    expect(signVolume(1)).toBe(0.5);
    expect(signVolume(20)).toBeCloseTo(20 / 21, 12);
    expect(signVolume(1, 0)).toBe(1); // off
    // One request in one dispute either way: only the volume factor tells them apart.
    expect(x('B-new') / x('B-old')).toBeCloseTo(0.5 / (20 / 21), 9);
    const s = h.score();
    const text = (id: string) => s.get(id)!.reasons.find((r) => r.code === 'OFF_PLATFORM')!.text;
    expect(text('B-new')).toMatch(/^asked to be paid off the platform in 1 of 1 dispute opened \(counted at 50 %: 1 order of their own\)/);
    expect(text('B-old')).toMatch(/in 1 of 1 dispute opened/);
    // At 95 % the sentence does not say so (only at nine orders or fewer).
    expect(text('B-old')).not.toMatch(/counted at/);
  });
});

describe('empirical-Bayes priors', () => {
  it('recovers the mean and roughly the strength of a beta-binomial population', () => {
    // Deterministic draws: rates from Beta(2, 38) (mean 5 %, strength 40), 30 orders each.
    let s = 12345;
    const u = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const gamma = (k: number) => {
      let x = 0;
      for (let i = 0; i < k; i++) x -= Math.log(1 - u());
      return x;
    };
    const f = new BetaFitter();
    for (let i = 0; i < 5000; i++) {
      const a = gamma(2);
      const p = a / (a + gamma(38));
      let k = 0;
      for (let j = 0; j < 30; j++) if (u() < p) k++;
      f.add(k, 30);
    }
    const prior = f.fit({ alpha: 1, beta: 1 });
    expect(prior.alpha / (prior.alpha + prior.beta)).toBeCloseTo(0.05, 2);
    expect(prior.alpha + prior.beta).toBeGreaterThan(25);
    expect(prior.alpha + prior.beta).toBeLessThan(60);
  });

  it('holds the strength within the bounds it is given (the "not received" prior, nrdPriorStrength)', () => {
    // Identical buyers: no spread, so moments alone would trust the platform's rate without limit.
    const same = new BetaFitter();
    for (let i = 0; i < 200; i++) same.add(1, 20);
    const capped = same.fit({ alpha: 1, beta: 1 }, { min: 30, max: 300 });
    expect(capped.alpha + capped.beta).toBeCloseTo(300, 6);
    expect(capped.alpha / (capped.alpha + capped.beta)).toBeCloseTo(0.05, 6);
    // Buyers who differ wildly (none or all): moments say a weak prior; the floor holds it at 30.
    const split = new BetaFitter();
    for (let i = 0; i < 200; i++) split.add(i % 2 ? 20 : 0, 20);
    const floored = split.fit({ alpha: 1, beta: 1 }, { min: 30, max: 300 });
    expect(floored.alpha + floored.beta).toBeCloseTo(30, 6);
    expect(split.fit({ alpha: 1, beta: 1 }).alpha + split.fit({ alpha: 1, beta: 1 }).beta).toBeCloseTo(10, 6);
  });

  it('measures how much buyers differ beyond chance (spread, the nrdSpread of the priors)', () => {
    const same = new BetaFitter();
    for (let i = 0; i < 200; i++) same.add(1, 20);
    expect(same.spread()).toBe(0);
    const split = new BetaFitter();
    for (let i = 0; i < 200; i++) split.add(i % 2 ? 20 : 0, 20);
    // ρ = 1 / (1 + strength): the unbounded moment fit's strength here is below the floor of 10.
    expect(split.spread()!).toBeGreaterThan(1 / 11);
    const few = new BetaFitter();
    for (let i = 0; i < 10; i++) few.add(1, 3);
    expect(few.spread()).toBeUndefined();
  });

  it('keeps the default prior until enough buyers were seen', () => {
    const f = new BetaFitter();
    for (let i = 0; i < 10; i++) f.add(1, 3);
    expect(f.fit(DEFAULT_PRIORS.dispute)).toEqual(DEFAULT_PRIORS.dispute);
  });
});

describe('updates are exact', () => {
  // Random small histories where orders change delivery status, disputes are re-sent with a
  // decision and evidence, and labels change: the rows after every intermediate version must
  // equal the rows built from the final versions only.
  const arb = fc.record({
    orders: fc.array(
      fc.record({
        buyer: fc.integer({ min: 0, max: 5 }),
        day: fc.integer({ min: 0, max: 600 }),
        delivered: fc.boolean(),
        flip: fc.boolean(),
      }),
      { minLength: 1, maxLength: 30 },
    ),
    disputes: fc.array(
      fc.record({
        order: fc.nat(),
        notReceived: fc.boolean(),
        outcome: fc.constantFrom<DisputeFact['outcome']>(null, 'buyer_won', 'seller_won', 'split'),
        photos: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
        threat: fc.boolean(),
        resend: fc.boolean(),
      }),
      { maxLength: 25 },
    ),
    links: fc.array(
      fc.record({
        buyer: fc.integer({ min: 0, max: 5 }),
        kind: fc.constantFrom('device', 'address', 'payment'),
        value: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength: 12 },
    ),
    labels: fc.array(
      fc.record({
        buyer: fc.integer({ min: 0, max: 5 }),
        label: fc.constantFrom<'serial_disputer' | 'cleared' | null>('serial_disputer', 'cleared', null),
      }),
      { maxLength: 4 },
    ),
  });

  it('incremental with changes == built from the final facts', () => {
    fc.assert(
      fc.property(arb, (h) => {
        const noisy = new MemoryRiskStore();
        const clean = new MemoryRiskStore();
        const un = new RiskUpdater(noisy);
        const uc = new RiskUpdater(clean);
        const orders: OrderFact[] = h.orders.map((o, i) => ({
          id: `O${i}`,
          buyerId: `B${o.buyer}`,
          placedAt: T0 + o.day * DAY,
          delivered: o.delivered,
        }));
        for (const l of h.links) {
          un.account(`B${l.buyer}`, [`${l.kind}:v${l.value}`]);
          uc.account(`B${l.buyer}`, [`${l.kind}:v${l.value}`]);
        }
        orders.forEach((o, i) => un.order(h.orders[i]!.flip ? { ...o, delivered: !o.delivered } : o));
        h.disputes.forEach((d, i) => {
          const o = orders[d.order % orders.length]!;
          const fact: DisputeFact = {
            id: `D${i}`,
            orderId: o.id,
            buyerId: o.buyerId,
            openedAt: o.placedAt + 30 * DAY,
            notReceived: d.notReceived,
            outcome: d.outcome,
            threat: d.threat,
            offPlatform: false,
            photos: d.photos.map((p) => `p${p}`),
          };
          if (d.resend) un.dispute({ ...fact, outcome: null, photos: fact.photos.slice(1), threat: !fact.threat });
          un.dispute(fact);
          uc.dispute(fact);
        });
        orders.forEach((o) => un.order(o)); // back to the final delivery status
        orders.forEach((o) => uc.order(o));
        for (const l of h.labels) {
          un.label(`B${l.buyer}`, l.label);
          uc.label(`B${l.buyer}`, l.label);
        }
        const ctx = { asOf: T0 + 700 * DAY, priors: DEFAULT_PRIORS };
        rescoreAll(noisy, noisy.buyers.keys(), ctx);
        rescoreAll(clean, clean.buyers.keys(), ctx);
        expect([...noisy.buyers.keys()].sort()).toEqual([...clean.buyers.keys()].sort());
        for (const [id, a] of noisy.buyers) {
          const b = clean.buyers.get(id)!;
          expect(a.n).toEqual(b.n);
          for (const c of COUNTERS) expect(a.w[c] * decay(ctx.asOf - a.ref)).toBeCloseTo(b.w[c] * decay(ctx.asOf - b.ref), 9);
          expect(a.links).toEqual(b.links);
          expect(a.scored!.score).toBe(b.scored!.score);
          expect(a.scored!.reasons).toEqual(b.scored!.reasons);
        }
        expect([...noisy.photos.values()].sort((x, y) => (x.key < y.key ? -1 : 1))).toEqual(
          [...clean.photos.values()].sort((x, y) => (x.key < y.key ? -1 : 1)),
        );
        expect([...noisy.groups.values()]).toEqual(expect.arrayContaining([...clean.groups.values()]));
      }),
      { numRuns: 150 },
    );
  });
});
