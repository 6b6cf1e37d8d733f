/**
 * The fitted weights of the fraud-pattern score: a logistic model over the reasons' features
 * (each feature a non-negative measure of one signal; a reason's weight is its coefficient
 * times its feature), fitted with non-negative coefficients on the tuning draws of the
 * evaluation family (src-main/eval/fit.ts; `npm run -s cli -- eval --fit` prints a new copy
 * of this file). The held-out test draws never take part. The log-odds of abuse is
 * `bias + Σ weights`; the score maps Σ weights so that 60 is where the model says even odds.
 */
export const FITTED_WEIGHTS = {
  fittedOn:
    'tuning seeds 1000–1008, 3000 buyers each (cli eval --fit --draws 9 --buyers 3000; model v5, rate reasons from two counted disputes)',
  bias: -6.09,
  coef: {
    DISPUTE_RATE: 3.539,
    NOT_RECEIVED_DELIVERED: 1.383,
    VELOCITY: 0,
    LOST_DISPUTES: 2.344,
    REUSED_PHOTO: 27.844,
    SHARED_PHOTO: 3.049,
    REVIEW_THREAT: 1.63,
    OFF_PLATFORM: 1.783,
    LINKED_ACCOUNTS: 5.407,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
