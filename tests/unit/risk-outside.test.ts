import { describe, expect, it } from 'vitest';
import { HistoryRecord } from '../../src-main/contract/history';
import { TARGETS, evaluateOutside } from '../../src-main/eval/evaluate';
import { OUTSIDE_SEEDS, generateOutside } from '../../src-main/eval/outside';

/**
 * The fraud-pattern score on the outside population (src-main/eval/outside.ts): written apart
 * from the evaluation family and never used for tuning or fitting, so a model that only fits
 * the family shows here. Smaller draws than `cli eval --set outside` (4,000 buyers, page of 30).
 */
const BUYERS = 4_000;
const K = 30;

describe('outside population', () => {
  const pop = generateOutside({ seed: OUTSIDE_SEEDS.from, buyers: BUYERS });

  it('is valid, deterministic, and differs between seeds', () => {
    for (const rec of pop.records) expect(HistoryRecord.safeParse(rec).success).toBe(true);
    const again = generateOutside({ seed: OUTSIDE_SEEDS.from, buyers: BUYERS });
    expect(JSON.stringify(again.records)).toBe(JSON.stringify(pop.records));
    expect(generateOutside({ seed: OUTSIDE_SEEDS.from + 1, buyers: BUYERS }).mix).not.toEqual(pop.mix);
    // Records in time order, each order before its disputes.
    const at = (r: (typeof pop.records)[number]) =>
      Date.parse(r.type === 'account' ? r.createdAt! : r.type === 'order' ? r.placedAt : r.type === 'dispute' ? r.openedAt : r.at);
    const seen = new Set<string>();
    let last = -Infinity;
    for (const r of pop.records) {
      expect(at(r)).toBeGreaterThanOrEqual(last);
      last = at(r);
      if (r.type === 'order') seen.add(r.id);
      if (r.type === 'dispute') expect(seen.has(r.orderId)).toBe(true);
    }
  });

  it('holds what the issue names: rings, households, a locker of hundreds, unlucky and new buyers, tripped signs, avoiders', () => {
    const truth = [...pop.truth.values()];
    const kinds = new Set(truth.map((t) => t.kind));
    for (const k of [
      'honest',
      'household',
      'locker',
      'unlucky_lost',
      'bad_sellers',
      'new',
      'abuser_nrd',
      'abuser_fake_defect',
      'abuser_ring',
      'abuser_quiet',
    ])
      expect(kinds, k).toContain(k);
    const byAddress = new Map<string, number>();
    for (const r of pop.records)
      if (r.type === 'account') for (const a of r.links?.address ?? []) byAddress.set(a, (byAddress.get(a) ?? 0) + 1);
    expect(Math.max(...byAddress.values())).toBeGreaterThanOrEqual(200);
    expect(new Set(truth.filter((t) => !t.abuser && t.sign).map((t) => t.sign))).toEqual(
      new Set(['photo', 'link', 'offPlatform', 'threat', 'nrd']),
    );
    expect(new Set(truth.filter((t) => t.abuser).flatMap((t) => t.avoids))).toEqual(
      new Set(['photo', 'link', 'offPlatform', 'threat', 'nrd']),
    );
    const abusers = truth.filter((t) => t.abuser && t.firstAbuseAt !== null).length;
    expect(abusers / truth.length).toBeGreaterThan(0.025);
    expect(abusers / truth.length).toBeLessThan(0.07);
  });

  // Three outside draws of 4,000 buyers, page of 30: measured once, shared by both tests below.
  let report: ReturnType<typeof evaluateOutside> | null = null;
  const measured = () =>
    (report ??= evaluateOutside(
      [0, 1, 2].map((i) => OUTSIDE_SEEDS.from + i),
      { buyers: BUYERS, k: K, timeToFlag: false },
    ));

  it('holds the level measured on the outside draws (no regression)', { timeout: 600_000 }, () => {
    const r = measured();
    for (const d of r.draws) expect(d.abusers).toBeGreaterThan(K);
    // Measured with model v14 (a sign weighed by the buyer's own orders): p@30 1.000 mean / 1.000
    // worst, R-precision 0.828 / 0.802, unlucky-or-new share 1.3 % / 2.1 % (v13: 0.794 / 0.767,
    // 1.7 % / 2.1 %; v9: 1.000 / 1.000, 0.769 / 0.733, 2.4 % /
    // 3.2 %; v8: 0.989 / 0.967, 0.748 / 0.715, 2.0 % / 2.9 %; see README, "Command line"). A model
    // change that falls below these levels fails.
    expect(r.worst.precisionAtK).toBeGreaterThanOrEqual(OUTSIDE_LEVEL.worstPrecision);
    expect(r.mean.rPrecision).toBeGreaterThanOrEqual(OUTSIDE_LEVEL.meanR);
    expect(r.worst.rPrecision).toBeGreaterThanOrEqual(OUTSIDE_LEVEL.worstR);
    expect(r.worst.unluckyOrNewShareOfTopK).toBeLessThanOrEqual(OUTSIDE_LEVEL.worstShare);
  });

  // The goals in the worst case over the outside draws: precision at the page and the
  // unlucky-or-new share are met since model v13; the worst R-precision is not yet (README).
  it('meets the precision and unlucky-or-new goals in the worst case over the outside draws', { timeout: 600_000 }, () => {
    const r = measured();
    expect(r.worst.precisionAtK).toBeGreaterThanOrEqual(TARGETS.precisionAtK);
    expect(r.worst.unluckyOrNewShareOfTopK).toBeLessThanOrEqual(TARGETS.unluckyOrNewShareOfTopK);
  });

  it.fails('meets the R-precision goal in the worst case over the outside draws (not yet)', { timeout: 600_000 }, () => {
    expect(measured().worst.rPrecision).toBeGreaterThanOrEqual(TARGETS.rPrecision);
  });
});

/** The adopted model's outside figures at this size, less a margin of about two abusers a draw. */
const OUTSIDE_LEVEL = { worstPrecision: 0.95, meanR: 0.81, worstR: 0.78, worstShare: 0.04 };
