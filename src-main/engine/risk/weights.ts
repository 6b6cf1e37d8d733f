/**
 * The fitted weights of the fraud-pattern score: a logistic model over the reasons' features
 * (each feature a non-negative measure of one signal; a reason's weight is its coefficient
 * times its feature), fitted with non-negative coefficients on the tuning draws of the
 * evaluation family (src-main/eval/fit.ts; `npm run -s cli -- eval --fit` prints a new copy
 * of this file). The held-out test draws never take part. Each sign of intent has two
 * coefficients: `coef` when its context is 1 (the buyer opens disputes on delivered parcels at
 * three times their reference or more), `low` when 0 (not above it), between them in between. Since model v8
 * the same opened-on-delivered rate is also a reason of its own (`OPENED_RATE`), and the fit moved most of
 * the rate reasons' weight onto it (README, "Command line"); since model v10 a sign's `coef` is fitted as
 * its `low` plus a non-negative extra, so it never weighs less at a higher context. The log-odds of abuse is
 * `bias + Σ weights`; the score maps Σ weights so that 60 is where the model says even odds.
 */
export const FITTED_WEIGHTS = {
  fittedOn:
    "tuning seeds 1000–1008, 3000 buyers each (cli eval --fit --seeds 1000-1008 --buyers 3000; model v14: a sign weighed by the buyer's orders / (orders + 1))",
  bias: -7.16,
  coef: {
    DISPUTE_RATE: 0,
    OPENED_RATE: 6.508,
    NOT_RECEIVED_DELIVERED: 1.665,
    VELOCITY: 0,
    LOST_DISPUTES: 0.729,
    REUSED_PHOTO: 17.425,
    SHARED_PHOTO: 5.607,
    REVIEW_THREAT: 6.326,
    OFF_PLATFORM: 4.132,
    LINKED_ACCOUNTS: 11.703,
  },
  /** A sign of intent's coefficient when the buyer opens disputes on delivered parcels no more often than their context (score.ts `signContext`); never above `coef` (fit.ts). */
  low: {
    NOT_RECEIVED_DELIVERED: 1.665,
    SHARED_PHOTO: 2.568,
    REVIEW_THREAT: 0.347,
    OFF_PLATFORM: 1.401,
    LINKED_ACCOUNTS: 5.908,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
