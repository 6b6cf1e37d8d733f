import { describe, expect, it } from 'vitest';
import { decisionsAgree, pickSecondDecider, secondDecisionAmount } from '../../src-main/engine/double-decision';
import { calibrate } from '../../src-main/engine/calibration';
import { SeededRandom } from '../../src-main/util/seeded-random';

/** The pure parts of the noise audit and of calibration, over generated inputs. */

describe('blind double decisions, pure', () => {
  it('picks every eligible mediator for some draw, whatever order they come in, and nobody from an empty pool', () => {
    const pool = ['mira', 'diego', 'lena', 'wei'];
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const draw = i / 400;
      const a = pickSecondDecider(pool, draw);
      expect(pickSecondDecider([...pool].reverse(), draw)).toBe(a);
      seen.add(a!);
    }
    expect([...seen].sort()).toEqual([...pool].sort());
    expect(pickSecondDecider([], 0.5)).toBeNull();
    expect(pickSecondDecider(['x'], 0.999999)).toBe('x');
  });

  it('counts amounts within the band of the order total (inclusive) and compares outcomes', () => {
    const rnd = new SeededRandom(18);
    for (let i = 0; i < 500; i++) {
      const total = 1 + Math.floor(rnd.next() * 100_000);
      const band = Math.floor(rnd.next() * 30);
      const a = Math.floor(rnd.next() * total);
      const b = Math.floor(rnd.next() * total);
      const r = decisionsAgree({ outcome: 'partial', amountMinor: a }, { outcome: 'partial', amountMinor: b }, total, band);
      expect(r.sameOutcome).toBe(true);
      expect(r.withinBand).toBe(Math.abs(a - b) * 100 <= total * band);
    }
    expect(decisionsAgree({ outcome: 'none', amountMinor: 0 }, { outcome: 'partial', amountMinor: 1_000 }, 10_000, 10)).toEqual({
      sameOutcome: false,
      withinBand: true,
    });
  });

  it('settles a second decision’s amount by the rules of a first one', () => {
    expect(secondDecisionAmount('full', undefined, 5_000, 'EUR')).toEqual({ ok: true, amountMinor: 5_000 });
    expect(secondDecisionAmount('return', 4_000, 5_000, 'EUR')).toMatchObject({ ok: false, code: 'AMOUNT_OUT_OF_RANGE' });
    expect(secondDecisionAmount('none', 1, 5_000, 'EUR')).toMatchObject({ ok: false, code: 'AMOUNT_OUT_OF_RANGE' });
    expect(secondDecisionAmount('partial', undefined, 5_000, 'EUR')).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(secondDecisionAmount('partial', 0, 5_000, 'EUR')).toMatchObject({ ok: false });
    expect(secondDecisionAmount('partial', 5_001, 5_000, 'EUR')).toMatchObject({ ok: false });
    expect(secondDecisionAmount('partial', 5_000, 5_000, 'EUR')).toEqual({ ok: true, amountMinor: 5_000 });
  });
});

describe('calibration, pure', () => {
  it('compares every pair of a sample and ignores samples scored once', () => {
    const marks = (e: number, r: number, p: number, l: number) => ({ evidence: e, reasons: r, policy: p, letters: l });
    const c = calibrate([
      { sample: 'A#1', reviewer: 's1', marks: marks(5, 5, 5, 5), verdict: 'agree' },
      { sample: 'A#1', reviewer: 's2', marks: marks(4, 5, 3, 5), verdict: 'agree' },
      { sample: 'A#1', reviewer: 's3', marks: marks(5, 1, 5, 5), verdict: 'disagree' },
      { sample: 'B#1', reviewer: 's1', marks: marks(1, 1, 1, 1), verdict: 'disagree' },
    ]);
    expect(c.samples).toBe(1);
    // Three pairs: (s1,s2) (s1,s3) (s2,s3).
    expect(c.criteria.evidence).toEqual({ pairs: 3, exact: 1, withinOne: 3 });
    expect(c.criteria.reasons).toEqual({ pairs: 3, exact: 1, withinOne: 1 });
    expect(c.criteria.policy).toEqual({ pairs: 3, exact: 1, withinOne: 1 });
    expect(c.verdict).toMatchObject({ pairs: 3, exact: 1 });
    expect(c.supervisors.get('s1')).toEqual({ pairs: 2, absDiffSum: 1 + 2 + 4, marks: 8, exactMarks: 5 });
  });
});
