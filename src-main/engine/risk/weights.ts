/**
 * The fitted weights of the fraud-pattern score: a logistic model over the reasons' features
 * (each feature a non-negative measure of one signal; a reason's weight is its coefficient
 * times its feature), fitted with non-negative coefficients on the tuning draws of the
 * evaluation family (src-main/eval/fit.ts; `npm run -s cli -- eval --fit` prints a new copy
 * of this file). The held-out test draws never take part. Each sign of intent has two
 * coefficients: `coef` when its context is 1 (the buyer opens disputes on delivered parcels at
 * three times their reference or more), `low` when 0 (not above it), between them in between. The log-odds of abuse is
 * `bias + Σ weights`; the score maps Σ weights so that 60 is where the model says even odds.
 */
export const FITTED_WEIGHTS = {
  fittedOn:
    'tuning seeds 1000–1008, 3000 buyers each (cli eval --fit --draws 9 --buyers 3000; model v6, signs of intent weighed by context)',
  bias: -6.157,
  coef: {
    DISPUTE_RATE: 2.281,
    NOT_RECEIVED_DELIVERED: 3.282,
    VELOCITY: 0,
    LOST_DISPUTES: 3.131,
    REUSED_PHOTO: 24.844,
    SHARED_PHOTO: 8.826,
    REVIEW_THREAT: 9.233,
    OFF_PLATFORM: 4.833,
    LINKED_ACCOUNTS: 19.013,
  },
  /** A sign of intent's coefficient when the buyer opens disputes on delivered parcels no more often than their context (score.ts `signContext`). */
  low: {
    NOT_RECEIVED_DELIVERED: 0.859,
    SHARED_PHOTO: 1.389,
    REVIEW_THREAT: 0,
    OFF_PLATFORM: 0.867,
    LINKED_ACCOUNTS: 2.764,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
