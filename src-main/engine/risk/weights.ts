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
    'tuning seeds 1000–1008, 3000 buyers each (cli eval --fit --draws 9 --buyers 3000; model v10: reuse on the raw count scaled by its decay, a sign never weighing less at a higher context)',
  bias: -7.082,
  coef: {
    DISPUTE_RATE: 0.14,
    OPENED_RATE: 6.492,
    NOT_RECEIVED_DELIVERED: 1.616,
    VELOCITY: 0,
    LOST_DISPUTES: 0.68,
    REUSED_PHOTO: 17.374,
    SHARED_PHOTO: 5.074,
    REVIEW_THREAT: 4.491,
    OFF_PLATFORM: 3.219,
    LINKED_ACCOUNTS: 15.068,
  },
  /** A sign of intent's coefficient when the buyer opens disputes on delivered parcels no more often than their context (score.ts `signContext`); never above `coef` (fit.ts). */
  low: {
    NOT_RECEIVED_DELIVERED: 1.616,
    SHARED_PHOTO: 2.585,
    REVIEW_THREAT: 0.673,
    OFF_PLATFORM: 1.279,
    LINKED_ACCOUNTS: 3.41,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
