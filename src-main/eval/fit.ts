import { HistoryRecord } from '../contract/history';
import {
  FEATURE_CODES,
  FITTED_WEIGHTS,
  HistoryScorer,
  SIGN_CODES,
  behaviourFeatures,
  isSign,
  signContext,
  linkFeature,
  linkedRisky,
  toHistoryEvent,
  type FeatureCode,
  type Weights,
} from '../engine/risk';
import { drawBroadParams, type FitFamily } from './family';
import { generateOutside } from './outside';
import { generatePopulation, isUnluckyOrNew, type Population } from './population';

/**
 * Fits the score's weights (engine/risk/weights.ts) on the tuning draws of the family: a
 * logistic regression of "abuser" on the reasons' features, coefficients kept non-negative (a
 * sign of abuse never counts for the buyer) and lightly ridge-penalised, solved by projected
 * Newton steps. The link feature depends on who is high-risk, which depends on the weights, so
 * the fit runs twice: features from the current weights, then from the first fit's.
 */
export interface FitOptions {
  seeds: number[];
  buyers: number;
  /** Tuning draws of the outside population (outside.ts `OUTSIDE_TUNING_SEEDS`), fitted on beside the family's. */
  outsideSeeds?: number[];
  outsideBuyers?: number;
  /**
   * How much a misranked unlucky or new honest buyer costs the fit against any other buyer
   * (population.ts `isUnluckyOrNew`; default 1). The goal caps their share of the top k, so a fit
   * that trades them for a little R-precision elsewhere is not the one wanted.
   */
  unluckyWeight?: number;
  /** Fit on a broad family's draws of the same seeds (family.ts `drawBroadParams`); default the family's own. */
  family?: FitFamily;
  /**
   * Weigh the draws the first pass ranks worst (session 30): in the second pass each draw's buyers
   * count (1 − its R-precision under the first pass's weights) to this power, over the mean of that
   * among the draws of the same source (family or outside), so each source keeps its total weight.
   * 0 (default) leaves every draw at weight 1.
   */
  worstDrawPower?: number;
  onProgress?: (message: string) => void;
}

interface Sample {
  x: Float64Array;
  y: number;
  /** The sample's weight in the loss (1 unless FitOptions.unluckyWeight says otherwise). */
  w: number;
}

/**
 * The fitted columns: every feature's, then a second one per sign of intent. A sign's feature x
 * with context c (`signContext`) goes in as x under its `low` column and as x · c under its
 * code, both coefficients non-negative, so its weight is low + c · extra (score.ts `coefOf`,
 * with coef = low + extra): a sign never weighs less because the buyer opens disputes more
 * often than their reference. (Before model v10 the two columns were x · (1 − c) and x · c,
 * which let the fit give a sign less weight at a high context than at a low one: "not
 * received" on delivered parcels weighed 2.08 at c = 0 and 0.84 at c = 1, so a short-lived
 * abuser with three such claims on four parcels weighed less than an honest buyer with one.)
 */
export const FIT_COLUMNS: string[] = [...FEATURE_CODES, ...SIGN_CODES.map((c) => `${c}:low`)];

function put(x: Float64Array, code: FeatureCode, v: number, c: number | undefined): void {
  if (c === undefined || !isSign(code)) {
    x[FIT_COLUMNS.indexOf(code)] = v;
    return;
  }
  x[FIT_COLUMNS.indexOf(code)] = v * c;
  x[FIT_COLUMNS.indexOf(`${code}:low`)] = v;
}

/** Every buyer's fitted columns (FIT_COLUMNS order) and truth, scored with `weights`. */
export function featureSamples(
  seed: number,
  buyers: number,
  weights: Weights,
  outside = false,
  family: FitFamily = 'family',
  unluckyWeight = 1,
): Sample[] {
  const pop: Pick<Population, 'records' | 'truth'> = outside
    ? generateOutside({ seed, buyers })
    : generatePopulation({ seed, buyers, params: family === 'family' ? undefined : drawBroadParams(seed, family) });
  const scorer = new HistoryScorer({ weights });
  for (const rec of pop.records) scorer.add(toHistoryEvent(HistoryRecord.parse(rec)));
  scorer.finish();
  const ctx = { asOf: scorer.asOf, priors: scorer.currentPriors };
  const out: Sample[] = [];
  for (const [id, t] of pop.truth) {
    // An abuser whose abuse never reached a dispute is indistinguishable by design: left out.
    if (t.abuser && t.firstAbuseAt === null) continue;
    const b = scorer.store.buyer(id);
    if (!b) continue;
    const x = new Float64Array(FIT_COLUMNS.length);
    for (const f of behaviourFeatures(b, ctx)) put(x, f.code, f.x, f.c);
    put(x, 'LINKED_ACCOUNTS', linkFeature(linkedRisky(scorer.store, b)), signContext(b, ctx.priors).c);
    out.push({ x, y: t.abuser ? 1 : 0, w: !t.abuser && isUnluckyOrNew(t.kind) ? unluckyWeight : 1 });
  }
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Non-negative logistic regression with an intercept; returns [bias, ...coef]. */
export function fitLogistic(samples: Sample[], dims: number, ridge = 1e-2): number[] {
  const p = dims + 1;
  let theta = new Array<number>(p).fill(0);
  theta[0] = -4;
  const loss = (t: number[]) => {
    let l = 0;
    for (const s of samples) {
      let z = t[0]!;
      for (let j = 0; j < dims; j++) z += t[j + 1]! * s.x[j]!;
      l += s.w * (s.y ? Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
    }
    for (let j = 1; j < p; j++) l += 0.5 * ridge * t[j]! ** 2;
    return l;
  };
  let current = loss(theta);
  for (let iter = 0; iter < 40; iter++) {
    const g = new Array<number>(p).fill(0);
    const H = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (const s of samples) {
      let z = theta[0]!;
      for (let j = 0; j < dims; j++) z += theta[j + 1]! * s.x[j]!;
      const mu = sigmoid(z);
      const r = s.w * (mu - s.y);
      const v = s.w * mu * (1 - mu);
      for (let a = 0; a < p; a++) {
        const xa = a === 0 ? 1 : s.x[a - 1]!;
        if (xa === 0) continue;
        g[a]! += r * xa;
        for (let b = 0; b <= a; b++) {
          const xb = b === 0 ? 1 : s.x[b - 1]!;
          if (xb !== 0) H[a]![b]! += v * xa * xb;
        }
      }
    }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) H[a]![b] = H[b]![a]!;
    for (let j = 1; j < p; j++) {
      g[j]! += ridge * theta[j]!;
      H[j]![j]! += ridge;
    }
    // Coefficients held at zero whose gradient pushes them negative stay out of the step.
    const free = Array.from({ length: p }, (_, j) => j).filter((j) => j === 0 || theta[j]! > 0 || g[j]! < 0);
    const step = solve(
      free.map((a) => free.map((b) => H[a]![b]!)),
      free.map((a) => g[a]!),
    );
    let t = 1;
    let next = theta;
    let nextLoss = current;
    for (let k = 0; k < 30; k++, t /= 2) {
      const cand = [...theta];
      free.forEach((j, i) => (cand[j] = j === 0 ? cand[j]! - t * step[i]! : Math.max(0, cand[j]! - t * step[i]!)));
      const l = loss(cand);
      if (l < current) {
        next = cand;
        nextLoss = l;
        break;
      }
    }
    if (next === theta || current - nextLoss < 1e-6 * Math.max(1, current)) {
      theta = next;
      break;
    }
    theta = next;
    current = nextLoss;
  }
  return theta;
}

/** Gaussian elimination with partial pivoting (small, well-conditioned systems). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    const d = M[c]![c]! || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / d;
      if (f) for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / (row[i]! || 1e-12));
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** R-precision of one draw's samples ranked by the logistic score `theta` ([bias, ...coef]). */
export function samplesRPrecision(samples: Sample[], theta: number[]): number {
  const z = samples.map((s) => s.x.reduce((sum, v, j) => sum + theta[j + 1]! * v, theta[0]!));
  const order = samples.map((_, i) => i).sort((a, b) => z[b]! - z[a]!);
  const r = samples.filter((s) => s.y === 1).length;
  return r ? order.slice(0, r).filter((i) => samples[i]!.y === 1).length / r : 1;
}

/**
 * Each draw's weight in a fit that weighs the worst draws (FitOptions.worstDrawPower): (1 − R-precision)^power
 * under `theta`, over the mean of that among the draws of the same source, so a source's draws keep their
 * total weight; every draw 1 when power is 0 or a source ranks all its draws perfectly.
 */
export function worstDrawWeights(draws: Array<{ samples: Sample[]; outside: boolean }>, theta: number[], power: number): number[] {
  if (!(power > 0)) return draws.map(() => 1);
  const miss = draws.map((d) => (1 - samplesRPrecision(d.samples, theta)) ** power);
  return draws.map((d, i) => {
    const same = draws.flatMap((e, j) => (e.outside === d.outside ? [miss[j]!] : []));
    const mean = same.reduce((a, b) => a + b, 0) / same.length;
    return mean > 0 ? miss[i]! / mean : 1;
  });
}

export function fitWeights(opts: FitOptions): Weights {
  const log = opts.onProgress ?? (() => {});
  let weights: Weights = FITTED_WEIGHTS;
  let theta: number[] | null = null;
  for (let pass = 1; pass <= 2; pass++) {
    const draws: Array<{ seed: number; samples: Sample[]; outside: boolean }> = [];
    let count = 0;
    for (const seed of opts.seeds) {
      draws.push({ seed, samples: featureSamples(seed, opts.buyers, weights, false, opts.family, opts.unluckyWeight), outside: false });
      log(`pass ${pass}: seed ${seed}, ${(count += draws[draws.length - 1]!.samples.length)} buyers`);
    }
    for (const seed of opts.outsideSeeds ?? []) {
      draws.push({
        seed,
        samples: featureSamples(seed, opts.outsideBuyers ?? opts.buyers, weights, true, 'family', opts.unluckyWeight),
        outside: true,
      });
      log(`pass ${pass}: outside seed ${seed}, ${(count += draws[draws.length - 1]!.samples.length)} buyers`);
    }
    if (theta && (opts.worstDrawPower ?? 0) > 0) {
      const dw = worstDrawWeights(draws, theta, opts.worstDrawPower!);
      draws.forEach((d, i) => d.samples.forEach((s) => (s.w *= dw[i]!)));
      log(`pass ${pass}: draw weights ${draws.map((d, i) => `${d.seed} ${dw[i]!.toFixed(2)}`).join(', ')}`);
    }
    theta = fitLogistic(
      draws.flatMap((d) => d.samples),
      FIT_COLUMNS.length,
    );
    const at = (col: string) => round(theta![FIT_COLUMNS.indexOf(col) + 1]!);
    // A sign's coefficient at context 1 is its `low` one plus the fitted extra (both ≥ 0).
    const coefOfColumn = (c: FeatureCode) => (isSign(c) ? round(at(c) + at(`${c}:low`)) : at(c));
    weights = {
      bias: round(theta[0]!),
      coef: Object.fromEntries(FEATURE_CODES.map((c) => [c, coefOfColumn(c)])) as Record<FeatureCode, number>,
      low: Object.fromEntries(SIGN_CODES.map((c) => [c, at(`${c}:low`)])),
    };
    log(`pass ${pass}: ${JSON.stringify(weights)}`);
  }
  return weights;
}
