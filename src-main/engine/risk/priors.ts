import { RISK_MODEL, type Counts } from './model';

/**
 * Empirical-Bayes priors: a Beta(α, β) per rate, fitted by the method of moments to the
 * population's own per-buyer rates, so that a buyer's rate is smoothed towards what the
 * platform really sees and an account with two orders is never ranked on its raw rate.
 */
export interface BetaPrior {
  alpha: number;
  beta: number;
}

export interface Priors {
  dispute: BetaPrior;
  nrd: BetaPrior;
  lost: BetaPrior;
  /** Disputes opened on delivered parcels, whatever the outcome, per delivered order (model v6; only its mean is used). */
  opened: BetaPrior;
  /**
   * How much buyers differ in their "not received" rate beyond chance: the moment fit's
   * intra-class correlation ρ of that rate, before the strength bounds (0 when they differ no more
   * than chance; absent: not fitted, or priors saved before session 28). Read by
   * `RISK_MODEL.nrdWeightBySpread`.
   */
  nrdSpread?: number;
  /** Buyers the fit saw (0: the model's defaults). */
  fittedOn: number;
}

export const DEFAULT_PRIORS: Priors = {
  dispute: { ...RISK_MODEL.defaultPriors.dispute },
  nrd: { ...RISK_MODEL.defaultPriors.nrd },
  lost: { ...RISK_MODEL.defaultPriors.lost },
  opened: { ...RISK_MODEL.defaultPriors.opened },
  fittedOn: 0,
};

export const priorMean = (p: BetaPrior): number => p.alpha / (p.alpha + p.beta);

/** Posterior mean of a rate with `k` events in `n` trials (decayed counts allowed). */
export const posteriorRate = (p: BetaPrior, k: number, n: number): number => (k + p.alpha) / (n + p.alpha + p.beta);

/** Fewer buyers than this with at least two trials: keep the default prior. */
const MIN_SAMPLE = 50;
/**
 * Prior strength (α + β, in orders' worth of evidence) bounds: never trust fewer than about
 * ten orders over the platform's rate (fairness to small accounts), never so many that a long
 * history cannot speak for itself.
 */
const MIN_STRENGTH = 10;
const MAX_STRENGTH = 1000;

export interface RateSums {
  /** Σk and Σn over every buyer with n > 0 (the pooled rate). */
  k: number;
  n: number;
  /** Over buyers with n ≥ 2: their number, Σn, Σk and Σk²/n. */
  count: number;
  sampleN: number;
  sampleK: number;
  sampleK2N: number;
}

/**
 * One rate's fit (Kleinman's weighted method of moments for the beta-binomial), accumulated
 * one buyer at a time or from SQL sums: the pooled mean m, and the intra-class correlation ρ
 * from S = Σ n (r − m)², whose expectation is m(1 − m) · (c + ρ (Σn − c)) for c buyers.
 * Then α + β = 1/ρ − 1. Weighting by n lets long histories, not one-order accounts, say how
 * much buyers really differ.
 */
export class BetaFitter {
  private readonly s: RateSums = { k: 0, n: 0, count: 0, sampleN: 0, sampleK: 0, sampleK2N: 0 };

  add(k: number, n: number): void {
    if (n <= 0) return;
    const kk = Math.min(k, n);
    this.s.k += kk;
    this.s.n += n;
    if (n < 2) return;
    this.s.count++;
    this.s.sampleN += n;
    this.s.sampleK += kk;
    this.s.sampleK2N += (kk * kk) / n;
  }

  /** Sums gathered elsewhere (e.g. by one SQL aggregate). */
  addSums(x: RateSums): void {
    for (const key of Object.keys(this.s) as Array<keyof RateSums>) this.s[key] += x[key];
  }

  /** The intra-class correlation ρ the fit uses (at least 0), or undefined when too few buyers were seen to fit. */
  spread(): number | undefined {
    const s = this.s;
    if (s.count < MIN_SAMPLE || s.n <= 0) return undefined;
    return Math.max(0, this.rho(Math.min(0.999, Math.max(1e-4, s.k / s.n))));
  }

  private rho(m: number): number {
    const s = this.s;
    const v = m * (1 - m);
    const spread = s.sampleK2N - 2 * m * s.sampleK + m * m * s.sampleN;
    return s.sampleN > s.count ? (spread / v - s.count) / (s.sampleN - s.count) : 0;
  }

  fit(fallback: BetaPrior, bounds: { min: number; max: number } = { min: MIN_STRENGTH, max: MAX_STRENGTH }): BetaPrior {
    const s = this.s;
    if (s.count < MIN_SAMPLE || s.n <= 0) return { ...fallback };
    const m = Math.min(0.999, Math.max(1e-4, s.k / s.n));
    const rho = this.rho(m);
    const strength = rho > 0 ? Math.min(bounds.max, Math.max(bounds.min, 1 / rho - 1)) : bounds.max;
    return { alpha: m * strength, beta: (1 - m) * strength };
  }
}

/** Fits every rate's prior from the buyers' raw counts. */
export class PriorsFitter {
  readonly dispute = new BetaFitter();
  readonly nrd = new BetaFitter();
  readonly lost = new BetaFitter();
  readonly opened = new BetaFitter();
  private buyers = 0;

  add(n: Counts): void {
    this.buyers++;
    this.dispute.add(n.disputes, n.orders);
    this.nrd.add(n.nrd, n.delivered);
    this.lost.add(n.lost, n.decided);
    this.opened.add(n.openedDelivered, n.delivered);
  }

  addBuyers(count: number): void {
    this.buyers += count;
  }

  fit(): Priors {
    return fitPriorsFrom(this, this.buyers);
  }
}

/** The priors from each rate's fitter (the in-memory fit and the store's SQL sums alike). */
export function fitPriorsFrom(f: Pick<PriorsFitter, 'dispute' | 'nrd' | 'lost' | 'opened'>, buyers: number): Priors {
  const nrdSpread = f.nrd.spread();
  return {
    dispute: f.dispute.fit(DEFAULT_PRIORS.dispute),
    nrd: f.nrd.fit(DEFAULT_PRIORS.nrd, RISK_MODEL.nrdPriorStrength),
    lost: f.lost.fit(DEFAULT_PRIORS.lost),
    opened: f.opened.fit(DEFAULT_PRIORS.opened),
    ...(nrdSpread !== undefined ? { nrdSpread } : {}),
    fittedOn: buyers,
  };
}
