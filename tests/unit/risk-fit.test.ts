import { describe, expect, it } from 'vitest';
import { fitLogistic } from '../../src-main/eval/fit';

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
