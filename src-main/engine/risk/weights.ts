/**
 * The fitted weights of the fraud-pattern score: a logistic model over the reasons' features
 * (each feature a non-negative measure of one signal; a reason's weight is its coefficient
 * times its feature), fitted with non-negative coefficients on the tuning draws of the
 * evaluation family (src-main/eval/fit.ts; `npm run -s cli -- eval --fit` prints a new copy
 * of this file). The held-out test draws never take part. Each sign of intent has two
 * coefficients: `coef` when its context is 1 (the buyer opens disputes on delivered parcels at
 * three times their reference or more), `low` when 0 (not above it), between them in between. Since model v8
 * the same opened-on-delivered rate is also a reason of its own (`OPENED_RATE`), and the fit moved most of
 * the rate reasons' weight onto it (README, "Command line"). The log-odds of abuse is
 * `bias + Σ weights`; the score maps Σ weights so that 60 is where the model says even odds.
 */
export const FITTED_WEIGHTS = {
  fittedOn:
    'tuning seeds 1000–1008, 3000 buyers each (cli eval --fit --draws 9 --buyers 3000; model v8, the opened-on-delivered rate as a reason of its own)',
  bias: -7.205,
  coef: {
    DISPUTE_RATE: 0.213,
    OPENED_RATE: 7.037,
    NOT_RECEIVED_DELIVERED: 0.838,
    VELOCITY: 0,
    LOST_DISPUTES: 0.435,
    REUSED_PHOTO: 17.58,
    SHARED_PHOTO: 4.711,
    REVIEW_THREAT: 4.448,
    OFF_PLATFORM: 3.28,
    LINKED_ACCOUNTS: 14.801,
  },
  /** A sign of intent's coefficient when the buyer opens disputes on delivered parcels no more often than their context (score.ts `signContext`). */
  low: {
    NOT_RECEIVED_DELIVERED: 2.075,
    SHARED_PHOTO: 2.655,
    REVIEW_THREAT: 0.594,
    OFF_PLATFORM: 1.263,
    LINKED_ACCOUNTS: 3.367,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
