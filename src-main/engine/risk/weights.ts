/**
 * The fitted weights of the fraud-pattern score: a logistic model over the reasons' features
 * (each feature a non-negative measure of one signal; a reason's weight is its coefficient
 * times its feature), fitted with non-negative coefficients on the tuning draws of the
 * evaluation family (src-main/eval/fit.ts; `npm run -s cli -- eval --fit` prints a new copy
 * of this file). The held-out test draws never take part. The log-odds of abuse is
 * `bias + Σ weights`; the score maps Σ weights so that 60 is where the model says even odds.
 */
export const FITTED_WEIGHTS = {
  fittedOn: 'tuning seeds 1000–1008, 3000 buyers each (cli eval --fit --draws 9 --buyers 3000; model v4, dispute rate against the sellers)',
  bias: -5.956,
  coef: {
    DISPUTE_RATE: 3.759,
    NOT_RECEIVED_DELIVERED: 1.756,
    VELOCITY: 0,
    LOST_DISPUTES: 1.518,
    REUSED_PHOTO: 27,
    SHARED_PHOTO: 3.158,
    REVIEW_THREAT: 1.744,
    OFF_PLATFORM: 1.827,
    LINKED_ACCOUNTS: 4.785,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
