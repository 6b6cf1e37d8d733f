import { describe, expect, it } from 'vitest';
import { Reason, DeliveryStatus, isNotReceived, type Outcome } from '../../src-main/contract/domain';
import { evidenceChecklist, evidencePattern, type ChecklistFacts } from '../../src-main/engine/evidence-checklist';
import { amountBand, judgeConsistency, nearestDecisions, teamConsistency, type PastDecision } from '../../src-main/engine/consistency';
import { SeededRandom } from '../../src-main/util/seeded-random';

/**
 * The evidence checklist (DOMAIN.md "The case", "Reasons") and the consistency comparison, as
 * pure functions: every reason over varied intake facts, and the rules of "far" by example.
 */

const REASONS = Reason.options;
const STATUSES = DeliveryStatus.options;
const FILES = [
  { party: 'buyer', name: 'crack.jpg', mediaType: 'image/jpeg' },
  { party: 'buyer', name: 'box_outside.png', mediaType: 'image/png' },
  { party: 'buyer', name: 'not_charging.mp4', mediaType: 'video/mp4' },
  { party: 'seller', name: 'packed.jpg', mediaType: 'image/jpeg' },
  { party: 'seller', name: 'invoice.pdf', mediaType: 'application/pdf' },
];

function facts(reason: Reason, status: string, files: typeof FILES, tracking: string | null = 'TR1'): ChecklistFacts {
  return {
    caseId: 'C',
    reason,
    tracking: { number: tracking, status, deliveredAt: status === 'delivered' ? '2026-04-08T12:00:00.000Z' : null },
    evidence: files,
  };
}

describe('evidence checklist', () => {
  it('asks the seller to prove delivery for every not-received reason, and the buyer for photos otherwise', () => {
    for (const reason of REASONS) {
      const c = evidenceChecklist(facts(reason, 'delivered', []));
      if (isNotReceived(reason)) {
        expect(c.items.map((i) => i.key)).toEqual(['tracking', 'delivery_status', 'delivery_date']);
        expect(c.items.every((i) => i.party === 'seller')).toBe(true);
      } else {
        expect(c.items.find((i) => i.key === 'defect_photos')).toMatchObject({ party: 'buyer', present: false });
        expect(c.items.some((i) => i.key === 'device_video')).toBe(reason === 'defective');
        expect(c.items.some((i) => i.key === 'packaging')).toBe(reason === 'damaged');
        expect(c.requestText.buyer).toContain('To decide this dispute we need from you');
      }
    }
  });

  it('ticks what the files show: a photo, a video of the device, the packaging by its name; a PDF counts for nothing', () => {
    const c = evidenceChecklist(facts('defective', 'delivered', FILES));
    expect(Object.fromEntries(c.items.map((i) => [i.key, i.present]))).toEqual({
      defect_photos: true,
      device_video: true,
      item_photos: true,
      tracking: true,
      delivery_status: true,
    });
    expect(c.requestText).toEqual({ buyer: null, seller: null });
    expect(c.strength.buyer).toMatchObject({ score: 100, level: 'strong' });
    const damaged = evidenceChecklist(facts('damaged', 'delivered', [FILES[0]!]));
    expect(damaged.items.find((i) => i.key === 'packaging')!.present).toBe(false);
    expect(damaged.requestText.buyer).toMatch(/packaging/);
    expect(evidenceChecklist(facts('damaged', 'delivered', [FILES[1]!])).items.find((i) => i.key === 'packaging')!.present).toBe(true);
    const pdfOnly = evidenceChecklist(facts('not_as_described', 'delivered', [FILES[4]!]));
    expect(pdfOnly.items.find((i) => i.key === 'item_photos')!.present).toBe(false);
  });

  it('reads the carrier record for not received: delivered with a date supports the seller, anything else the buyer', () => {
    const delivered = evidenceChecklist(facts('not_received.no_tracking_info', 'delivered', []));
    expect(delivered.strength.seller.level).toBe('strong');
    expect(delivered.strength.buyer.level).toBe('weak');
    const lost = evidenceChecklist(facts('not_received.in_transit', 'in_transit', []));
    expect(lost.strength.seller.level).toBe('weak');
    expect(lost.strength.buyer.level).toBe('strong');
    const none = evidenceChecklist(facts('not_received.no_tracking_info', 'no_info', [], null));
    expect(none.items.every((i) => !i.present)).toBe(true);
    expect(none.requestText.seller).toMatch(/Tracking number/);
    expect(none.requestText.buyer).toBeNull();
  });

  it('stays within its bounds over varied facts: scores 0–100, levels from scores, a sentence per side, missing items named', () => {
    const random = new SeededRandom(17);
    const rnd = () => random.next();
    for (let n = 0; n < 500; n++) {
      const reason = REASONS[Math.floor(rnd() * REASONS.length)]!;
      const status = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
      const files = FILES.filter(() => rnd() < 0.5);
      const c = evidenceChecklist(facts(reason, status, files, rnd() < 0.7 ? 'TR' : null));
      for (const party of ['buyer', 'seller'] as const) {
        const s = c.strength[party];
        expect(s.score).toBeGreaterThanOrEqual(0);
        expect(s.score).toBeLessThanOrEqual(100);
        expect(s.level).toBe(s.score >= 70 ? 'strong' : s.score >= 40 ? 'moderate' : 'weak');
        expect(s.sentences.length).toBeGreaterThan(0);
        const missing = c.items.filter((i) => i.party === party && !i.present);
        if (missing.length) for (const m of missing) expect(c.requestText[party]).toContain(m.label);
        else expect(c.requestText[party]).toBeNull();
      }
      expect(evidencePattern(facts(reason, status, files))).toMatch(/^buyer (weak|moderate|strong) \/ seller (weak|moderate|strong)$/);
    }
  });
});

describe('consistency', () => {
  const past = (caseId: string, over: Partial<PastDecision> = {}): PastDecision => ({
    caseId,
    deliveryStatus: 'delivered',
    claimShare: 0.9,
    evidencePattern: 'buyer strong / seller weak',
    sellerId: 'S1',
    outcome: 'partial',
    amountMinor: 5_000,
    totalMinor: 10_000,
    currency: 'EUR',
    decidedAt: 1_000,
    decidedBy: 'm1',
    ...over,
  });
  const target = {
    caseId: 'T',
    deliveryStatus: 'delivered',
    claimShare: 0.95,
    evidencePattern: 'buyer strong / seller weak',
    sellerId: 'S1',
  };

  it('puts the most alike first: delivery status, then amount band, evidence pattern and seller', () => {
    const near = nearestDecisions(
      target,
      [
        past('other-status', { deliveryStatus: 'in_transit' }),
        past('other-band', { claimShare: 0.1 }),
        past('other-seller', { sellerId: 'S2' }),
        past('same'),
        past('T'),
      ],
      5,
    );
    expect(near.map((n) => n.caseId)).toEqual(['same', 'other-seller', 'other-status', 'other-band']);
    expect(near[0]!.matches).toEqual(['reason', 'delivery status', 'amount band', 'evidence', 'seller']);
    expect(near[0]!.share).toBe(0.5);
    expect([0.1, 0.25, 0.26, 0.5, 0.75, 0.76, 1].map(amountBand)).toEqual([0, 0, 1, 1, 2, 3, 3]);
  });

  it('is far only from a practice: three or more neighbours, two thirds alike, none agreeing', () => {
    const n = (outcomes: Outcome[], amount = 5_000) =>
      nearestDecisions(
        target,
        outcomes.map((o, i) => past(`P${i}`, { outcome: o, amountMinor: o === 'partial' ? amount : o === 'none' ? 0 : 10_000 })),
        5,
      );
    const plan = (outcome: Outcome, amountMinor = 0) => ({ outcome, amountMinor, totalMinor: 10_000 });
    expect(judgeConsistency(plan('full'), n(['partial', 'partial', 'partial'])).far).toBe(true);
    expect(judgeConsistency(plan('full'), n(['partial', 'partial'])).far).toBe(false); // too few
    expect(judgeConsistency(plan('none'), n(['partial', 'full', 'return'])).far).toBe(false); // a split, no practice
    expect(judgeConsistency(plan('partial', 4_000), n(['partial', 'partial', 'partial'])).far).toBe(false); // 40 % vs 50 %
    expect(judgeConsistency(plan('partial', 9_000), n(['partial', 'partial', 'partial'])).far).toBe(true); // 90 % vs 50 %
    expect(judgeConsistency(plan('full'), n(['partial', 'partial', 'partial'])).explanation).toMatch(
      /None of the 3 nearest.*3 partial refunds/,
    );
    expect(judgeConsistency(null, n(['none', 'none', 'full'])).far).toBe(false);
    // Neighbours that are not close (another delivery status) do not make a practice.
    const distant = nearestDecisions(
      target,
      ['P0', 'P1', 'P2'].map((id) => past(id, { deliveryStatus: 'in_transit' })),
      5,
    );
    expect(judgeConsistency(plan('full'), distant)).toMatchObject({ far: false, explanation: /Only 0 closely comparable/ });
  });

  it('scores each mediator by agreement with the usual outcome of the same kind of case', () => {
    const d = (by: string, outcome: Outcome, reason = 'damaged') => ({
      decidedBy: by,
      reason,
      deliveryStatus: 'delivered',
      claimShare: 0.9,
      outcome,
    });
    const rows = teamConsistency(
      [d('a', 'partial'), d('a', 'partial'), d('b', 'partial'), d('b', 'full'), d('c', 'none', 'counterfeit')],
      new Map([
        ['a', 'A'],
        ['b', 'B'],
        ['c', 'C'],
        ['d', 'D'],
      ]),
    );
    expect(rows).toEqual([
      { userId: 'b', name: 'B', decisions: 2, agreeing: 1, rate: 0.5 },
      { userId: 'a', name: 'A', decisions: 2, agreeing: 2, rate: 1 },
      { userId: 'c', name: 'C', decisions: 0, agreeing: 0, rate: null },
      { userId: 'd', name: 'D', decisions: 0, agreeing: 0, rate: null },
    ]);
  });
});
