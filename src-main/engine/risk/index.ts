/**
 * The buyer fraud-pattern score (DOMAIN.md): pure functions and in-memory structures only.
 * - model.ts: numbers, per-buyer aggregate, decay, what each event counts;
 * - messages.ts: bad-review threats and off-platform payment requests in buyer messages;
 * - photos.ts: same photo by sha256 or near-duplicate perceptual hash;
 * - priors.ts: empirical-Bayes Beta priors fitted to the population;
 * - score.ts: reasons and the 0–100 score;
 * - update.ts: constant-work updates per event over a row store, and rescoring;
 * - memory-store.ts, history.ts: the whole model in memory (the `score` command, evaluation).
 */
export * from './model';
export * from './messages';
export * from './photos';
export * from './priors';
export * from './score';
export * from './weights';
export * from './fairness';
export * from './update';
export * from './memory-store';
export * from './history';
