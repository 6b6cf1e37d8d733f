import { describe, expect, it } from 'vitest';
import { fitLogistic, samplesRPrecision, worstDrawWeights } from '../../src-main/eval/fit';

/** The fit's loss weighs each buyer by its sample weight (FitOptions.unluckyWeight sets it for unlucky or new honest buyers). */
describe('fitLogistic', () => {
  const sample = (x: number, y: number, w = 1) => ({ x: Float64Array.of(x), y, w });
  // Buyers with the feature: 6 abusers, 4 honest; without it: 2 abusers, 38 honest.
  const base = [
    ...Array.from({ length: 6 }, () => sample(1, 1)),
    ...Array.from({ length: 2 }, () => sample(0, 1)),
    ...Array.from({ length: 38 }, () => sample(0, 0)),
  ];

  it('fits log-odds from the counts, coefficients non-negative', () => {
    const [bias, coef] = fitLogistic([...base, ...Array.from({ length: 4 }, () => sample(1, 0))], 1, 0);
    expect(bias!).toBeCloseTo(Math.log(2 / 38), 2);
    expect(bias! + coef!).toBeCloseTo(Math.log(6 / 4), 2);
  });

  it('an honest buyer weighed w times counts as w buyers', () => {
    const weighed = fitLogistic([...base, ...Array.from({ length: 2 }, () => sample(1, 0, 2))], 1, 0);
    const repeated = fitLogistic([...base, ...Array.from({ length: 4 }, () => sample(1, 0))], 1, 0);
    expect(weighed[0]!).toBeCloseTo(repeated[0]!, 6);
    expect(weighed[1]!).toBeCloseTo(repeated[1]!, 6);
    // And weighing them up lowers the feature's coefficient.
    expect(fitLogistic([...base, ...Array.from({ length: 4 }, () => sample(1, 0, 8))], 1, 0)[1]!).toBeLessThan(repeated[1]!);
  });
});

/** A fit that weighs the draws the first pass ranks worst (FitOptions.worstDrawPower, `--fit-worst-draws`). */
describe('worstDrawWeights', () => {
  const sample = (x: number, y: number) => ({ x: Float64Array.of(x), y, w: 1 });
  const theta = [0, 1];
  // R = 2 abusers each; ranked by x: `clean` puts both on top, `half` one of them, `none` neither.
  const clean = [sample(3, 1), sample(2, 1), sample(1, 0), sample(0, 0)];
  const half = [sample(3, 1), sample(2, 0), sample(1, 1), sample(0, 0)];
  const none = [sample(3, 0), sample(2, 0), sample(1, 1), sample(0, 1)];

  it('measures R-precision on the samples under the weights', () => {
    expect(samplesRPrecision(clean, theta)).toBe(1);
    expect(samplesRPrecision(half, theta)).toBe(0.5);
    expect(samplesRPrecision(none, theta)).toBe(0);
  });

  it('weighs a draw by its shortfall, over the mean of its own source, and leaves every draw at 1 when off', () => {
    const draws = [
      { samples: half, outside: false },
      { samples: none, outside: false },
      { samples: clean, outside: false },
      { samples: half, outside: true },
    ];
    expect(worstDrawWeights(draws, theta, 0)).toEqual([1, 1, 1, 1]);
    // Family shortfalls 0.5, 1, 0 (mean 0.5); the outside draw alone keeps its weight.
    expect(worstDrawWeights(draws, theta, 1)).toEqual([1, 2, 0, 1]);
    // Squared: 0.25, 1, 0 (mean 5/12).
    const sq = worstDrawWeights(draws, theta, 2);
    expect(sq[0]).toBeCloseTo(0.6, 9);
    expect(sq[1]).toBeCloseTo(2.4, 9);
    expect(sq[3]).toBe(1);
  });
});
