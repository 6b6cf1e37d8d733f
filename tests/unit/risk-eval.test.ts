import { describe, expect, it } from 'vitest';
import { HistoryRecord } from '../../src-main/contract/history';
import { classifyBuyerMessage } from '../../src-main/engine/risk';
import { TARGETS, evaluate, evaluateFamily } from '../../src-main/eval/evaluate';
import {
  FRESH2_TEST_SEEDS,
  FRESH_TEST_SEEDS,
  TEST_SEEDS,
  TUNING_SEEDS,
  VARIANTS,
  drawBroadParams,
  drawParams,
  seedsOf,
} from '../../src-main/eval/family';
import { generatePopulation } from '../../src-main/eval/population';

/**
 * The fraud-pattern score on held-out draws of the population family (seeds the weights were
 * never fitted on: TEST_SEEDS), each draw its own mix and adversarial variant. Smaller
 * populations than `cli eval` (2,500 buyers, page of 30) to keep the test short.
 */
const BUYERS = 2_500;
const K = 30;

describe('evaluation family', () => {
  it('keeps tuning and test seeds apart, and every variant appears among the test draws', () => {
    const tuning = new Set(seedsOf(TUNING_SEEDS));
    const test = seedsOf(TEST_SEEDS);
    expect(test.length).toBeGreaterThanOrEqual(20);
    expect(test.some((s) => tuning.has(s))).toBe(false);
    expect(new Set(test.map((s) => drawParams(s).variant))).toEqual(new Set(VARIANTS));
    // The second held-out set (session 24) overlaps neither, and has every variant too.
    const fresh = seedsOf(FRESH_TEST_SEEDS);
    expect(fresh.some((s) => tuning.has(s) || test.includes(s))).toBe(false);
    expect(new Set(fresh.map((s) => drawParams(s).variant))).toEqual(new Set(VARIANTS));
    // The third (session 26) overlaps none of them, and has every variant too.
    const fresh2 = seedsOf(FRESH2_TEST_SEEDS);
    expect(fresh2.some((s) => tuning.has(s) || test.includes(s) || fresh.includes(s))).toBe(false);
    expect(new Set(fresh2.map((s) => drawParams(s).variant))).toEqual(new Set(VARIANTS));
  });

  it('generates the same valid history for the same seed, and a different mix for another', () => {
    const a = generatePopulation({ seed: 5, buyers: 400 });
    const b = generatePopulation({ seed: 5, buyers: 400 });
    expect(JSON.stringify(a.records)).toBe(JSON.stringify(b.records));
    for (const rec of a.records) expect(HistoryRecord.safeParse(rec).success).toBe(true);
    expect(generatePopulation({ seed: 6, buyers: 400 }).mix).not.toEqual(a.mix);
  });

  it('broad fit families widen only the honest base rates, and only when asked for (held-out draws stay as they are)', () => {
    const seed = seedsOf(TUNING_SEEDS)[0]!;
    const plain = drawParams(seed);
    const honestDisputes = (params?: ReturnType<typeof drawParams>) => {
      const pop = generatePopulation({ seed, buyers: 1_500, params });
      const buyerOf = new Map<string, string>();
      let n = 0;
      for (const rec of pop.records) {
        if (rec.type === 'order') buyerOf.set(rec.id, rec.buyerId);
        if (rec.type === 'dispute' && pop.truth.get(buyerOf.get(rec.orderId)!)?.kind === 'honest') n++;
      }
      return { n, records: JSON.stringify(pop.records) };
    };
    const base = honestDisputes();
    expect(honestDisputes(plain).records).toBe(base.records);
    for (const family of ['fussy', 'broad'] as const) {
      const wide = drawBroadParams(seed, family);
      expect(drawBroadParams(seed, family)).toEqual(wide);
      expect({ ...wide, honestRate: 0, honestWin: 0, unluckyDelivered: 0 }).toMatchObject({
        ...plain,
        honestRate: 0,
        honestWin: 0,
        unluckyDelivered: 0,
        ...(family === 'broad' ? { honestThreat: wide.honestThreat, badSellerThreat: wide.badSellerThreat } : {}),
        ...(family === 'broad' ? { honestOffPlatform: wide.honestOffPlatform, stockPhoto: wide.stockPhoto } : {}),
      });
      expect(wide.honestSpread).toBeGreaterThanOrEqual(0.6);
    }
    // This seed's broad draw has fussier honest buyers than the family's own draw of it.
    expect(honestDisputes(drawBroadParams(seed, 'fussy')).n).toBeGreaterThan(base.n);
  });

  it('plants what each variant says: abusers avoiding a signal never show it', () => {
    const seed = seedsOf(TEST_SEEDS).find((s) => drawParams(s).variant === 'avoid_messages')!;
    const pop = generatePopulation({ seed, buyers: 1_500 });
    const buyerOf = new Map<string, string>();
    let abusive = 0;
    for (const rec of pop.records) {
      if (rec.type === 'order') buyerOf.set(rec.id, rec.buyerId);
      if (rec.type !== 'dispute' || !pop.truth.get(buyerOf.get(rec.orderId)!)?.abuser) continue;
      abusive++;
      for (const m of rec.messages ?? [])
        if (m.by === 'buyer') expect(classifyBuyerMessage(m.text)).toEqual({ threat: false, offPlatform: false });
    }
    expect(abusive).toBeGreaterThan(20);
  });

  it('avoid_two: every abuser avoids two signals of their own, and their messages never show an avoided one', () => {
    const seed = seedsOf(TEST_SEEDS).find((s) => drawParams(s).variant === 'avoid_two')!;
    const pop = generatePopulation({ seed, buyers: 1_500 });
    const abusers = [...pop.truth.values()].filter((t) => t.abuser);
    for (const t of abusers) expect(t.avoids).toHaveLength(2);
    expect(new Set(abusers.map((t) => t.avoids.join('+'))).size).toBeGreaterThan(3);
    const buyerOf = new Map<string, string>();
    let checked = 0;
    for (const rec of pop.records) {
      if (rec.type === 'order') buyerOf.set(rec.id, rec.buyerId);
      if (rec.type !== 'dispute') continue;
      const t = pop.truth.get(buyerOf.get(rec.orderId)!)!;
      if (!t.abuser) continue;
      checked++;
      for (const m of rec.messages ?? []) {
        if (m.by !== 'buyer') continue;
        const c = classifyBuyerMessage(m.text);
        if (t.avoids.includes('threat')) expect(c.threat).toBe(false);
        if (t.avoids.includes('offPlatform')) expect(c.offPlatform).toBe(false);
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('reports precision, R-precision and the unlucky-or-new share per draw', () => {
    const r = evaluate({ seed: TEST_SEEDS.from, buyers: 2_000, k: 20, timeToFlag: false });
    expect(r.abusers).toBeGreaterThan(20);
    expect(r.precisionAtK).toBeGreaterThanOrEqual(0);
    expect(r.precisionAtK).toBeLessThanOrEqual(1);
    expect(r.unluckyOrNewInTopK).toBeLessThanOrEqual(r.abusers);
  });

  // 20 held-out draws of 2,500 buyers, page of 30: measured once, shared by both tests below.
  let report: ReturnType<typeof evaluateFamily> | null = null;
  const family = () => (report ??= evaluateFamily(seedsOf(TEST_SEEDS, 20), { buyers: BUYERS, k: K, timeToFlag: false }));

  it('holds the level measured on the held-out draws (no regression)', { timeout: 600_000 }, () => {
    const r = family();
    for (const d of r.draws) expect(d.abusers, `seed ${d.seed} must hold more abusers than the page`).toBeGreaterThan(K);
    // Measured with model v14 (a sign weighed by the buyer's own orders): p@30 1.000 mean / 1.000
    // worst, R-precision 0.911 / 0.769, unlucky-or-new share of the top R 0.7 % / 3.0 % (v13, a poor
    // postal service raising the reference of disputes on delivered parcels: the same R-precision,
    // 0.7 % / 2.8 %; v8 gave 1.000 / 1.000, 0.902 / 0.782, 1.4 % / 3.9 %; v3
    // 0.998 / 0.967, 0.839 / 0.701, 8.9 % / 18.6 %). A model change that falls below these levels
    // (less a margin of about two abusers a draw) fails.
    expect(r.worst.precisionAtK).toBeGreaterThanOrEqual(0.95);
    expect(r.mean.rPrecision).toBeGreaterThanOrEqual(0.89);
    expect(r.worst.rPrecision).toBeGreaterThanOrEqual(0.75);
    expect(r.mean.unluckyOrNewShareOfTopK).toBeLessThanOrEqual(0.02);
    expect(r.worst.unluckyOrNewShareOfTopK).toBeLessThanOrEqual(0.05);
  });

  // The goals in the worst case. Precision at the page and the unlucky-or-new share are met
  // since model v13 (README "Model v13"); the worst R-precision is NOT MET YET (0.769 against 0.85):
  // it runs as an expected failure and must be turned into a plain test once the model meets it.
  it('meets the precision and unlucky-or-new goals in the worst case over 20 held-out draws', { timeout: 600_000 }, () => {
    const r = family();
    expect(r.worst.precisionAtK).toBeGreaterThanOrEqual(TARGETS.precisionAtK);
    expect(r.worst.unluckyOrNewShareOfTopK).toBeLessThanOrEqual(TARGETS.unluckyOrNewShareOfTopK);
  });

  it.fails('meets the R-precision goal in the worst case over 20 held-out draws (not yet)', { timeout: 600_000 }, () => {
    expect(family().worst.rPrecision).toBeGreaterThanOrEqual(TARGETS.rPrecision);
  });
});
