import { describe, expect, it } from 'vitest';
import { FAIRNESS, fairnessGroups, type GroupSums } from '../../src-main/engine/risk/fairness';

/** Sums of a group whose `members` buyers have the given scores (and `flagged` of them flagged). */
function group(dimension: GroupSums['dimension'], name: string, scores: number[], flagged = 0): GroupSums {
  return {
    dimension,
    group: name,
    members: scores.length,
    sumScore: scores.reduce((a, b) => a + b, 0),
    sumScore2: scores.reduce((a, b) => a + b * b, 0),
    high: scores.filter((s) => s >= FAIRNESS.HIGH_SCORE).length,
    flagged,
    cleared: 0,
  };
}
const spread = (n: number, lo: number, hi: number) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / Math.max(1, n - 1));

describe('fairness monitor', () => {
  it('warns when a big enough group scores clearly higher than the rest, naming the test', () => {
    const out = fairnessGroups([
      group('country', 'PL', spread(400, 0, 30)),
      group('country', 'ES', spread(300, 0, 30)),
      group('country', 'BR', spread(80, 20, 70)),
    ]);
    const br = out.find((g) => g.group === 'BR')!;
    expect(br.warnings.some((w) => w.startsWith('mean score') && w.includes('z ='))).toBe(true);
    expect(br.warnings.some((w) => w.startsWith('share scoring 60 or more'))).toBe(true);
    expect(out.find((g) => g.group === 'PL')!.warnings).toEqual([]);
  });

  it('stays quiet for a small group, and for a trivial gap in a big one', () => {
    const out = fairnessGroups([
      group('accountAge', 'old', spread(2000, 0, 40)),
      group('accountAge', 'young', spread(10, 50, 90)), // big gap, too few members
      group('orderVolume', 'a', spread(3000, 0, 40)),
      group('orderVolume', 'b', spread(3000, 3, 43)), // significant but only 3 points
    ]);
    for (const g of out) expect(g.warnings).toEqual([]);
  });

  it('warns on a flag rate that stands out, and reports rates per group', () => {
    const out = fairnessGroups([group('country', 'DE', spread(500, 0, 30), 5), group('country', 'FR', spread(200, 0, 30), 40)]);
    const fr = out.find((g) => g.group === 'FR')!;
    expect(fr.flagRate).toBeCloseTo(0.2, 4);
    expect(fr.warnings.some((w) => w.startsWith('flagged by analysts 20 %'))).toBe(true);
  });
});
