/**
 * The fitted weights of the fraud-pattern score: a logistic model over the reasons' features
 * (each feature a non-negative measure of one signal; a reason's weight is its coefficient
 * times its feature), fitted with non-negative coefficients on the tuning draws of the
 * evaluation family (src-main/eval/fit.ts; `npm run -s cli -- eval --fit` prints a new copy
 * of this file). The held-out test draws never take part. The log-odds of abuse is
 * `bias + Σ weights`; the score maps Σ weights so that 60 is where the model says even odds.
 */
export const FITTED_WEIGHTS = {
  fittedOn: 'tuning seeds 1000–1017, 4000 buyers each (cli eval --fit --draws 18 --buyers 4000)',
  bias: -6.178,
  coef: {
    DISPUTE_RATE: 2.987,
    NOT_RECEIVED_DELIVERED: 1.959,
    VELOCITY: 0,
    LOST_DISPUTES: 1.335,
    REUSED_PHOTO: 30.212,
    SHARED_PHOTO: 3.932,
    REVIEW_THREAT: 1.933,
    OFF_PLATFORM: 1.957,
    LINKED_ACCOUNTS: 7.329,
  },
} as const;

export type FeatureCode = keyof typeof FITTED_WEIGHTS.coef;
export const FEATURE_CODES = Object.keys(FITTED_WEIGHTS.coef) as FeatureCode[];
