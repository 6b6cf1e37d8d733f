import { SeededRandom } from '../util/seeded-random';

/**
 * The population family: every parameter of a synthetic population drawn from its seed, so
 * that no two draws share a mix and a model tuned to one draw is measured on others. Seeds
 * are split in two ranges that never overlap: tuning draws (fitting the weights, trying
 * changes) and held-out test draws (the test and the published table). Each draw also gets an
 * adversarial variant in turn: abusers who avoid one signal (or each two of their own choosing),
 * honest buyers who trip one, or honest buyers noisier than usual (angry messages, odd
 * requests, stock photos). The honest buyers' own rates of those signs are drawn too.
 */

/** Seeds for fitting and trying things; never used by the test or the published table. */
export const TUNING_SEEDS = { from: 1_000, count: 40 } as const;
/** Held-out seeds: the test and `cli eval` read these; the fit never sees them. */
export const TEST_SEEDS = { from: 50_000, count: 20 } as const;
/**
 * A second held-out set (session 24): 50000–50019 had been seen by earlier candidates' held-out runs, so a
 * kept candidate is also measured on draws no one has looked at. Never tuned on, never fitted on.
 */
export const FRESH_TEST_SEEDS = { from: 51_000, count: 20 } as const;
/**
 * A third held-out set (session 26): v14 was adopted after its one run on 51000–51019, so the next candidate is
 * judged on draws no model has been measured on. Never tuned on, never fitted on.
 */
export const FRESH2_TEST_SEEDS = { from: 52_000, count: 20 } as const;

export const seedsOf = (range: { from: number; count: number }, count = range.count): number[] =>
  Array.from({ length: Math.min(count, range.count) }, (_, i) => range.from + i);

export const VARIANTS = [
  'plain',
  'avoid_photos', // abusers never reuse or share a photo
  'avoid_messages', // abusers never threaten nor ask to be paid off the platform
  'avoid_nrd', // abusers never claim "not received" on delivered parcels
  'avoid_links', // rings use their own devices, cards and addresses
  'avoid_rate', // abusers hide their disputes among many quiet orders
  'honest_trip', // one honest buyer in twelve trips one signal by chance
  'avoid_two', // every abuser avoids two signals of their own choosing
  'honest_noisy', // honest buyers write angry messages, attach stock photos and ask odd things twice as often
] as const;
export type Variant = (typeof VARIANTS)[number];

export const LANGUAGES = ['en', 'ru', 'es', 'pt', 'fr', 'pl'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface FamilyParams {
  variant: Variant;
  /** Share of buyers who abuse, and how they split by kind (weights, normalised). */
  abuserShare: number;
  abuserMix: { nrd: number; fakeDefect: number; ring: number; subtle: number; quiet: number };
  /** Share of every honest kind of buyer (the rest are plain honest buyers). */
  unluckyShare: number;
  badSellerShare: number;
  newShare: number;
  householdShare: number;
  lockerShare: number;
  /** Median dispute rate of an honest buyer (per received order). */
  honestRate: number;
  /** Unlucky buyers' share of parcels the carrier delivers. */
  unluckyDelivered: [number, number];
  /** How often a buyer's dispute is decided for them: honest, buyers of bad sellers, abusers. */
  honestWin: number;
  badSellerWin: number;
  abuserWin: number;
  ringSize: [number, number];
  householdSize: [number, number];
  /** Members of one parcel locker or office address. */
  lockerSize: [number, number];
  /** How abusive an abuser's received orders are (share disputed). */
  abuseRate: [number, number];
  /** Chance per abusive dispute of a threat, of an off-platform request. */
  threat: number;
  offPlatform: number;
  /** The same per dispute of an honest buyer (buyers of bad sellers threaten more), and stock photos attached. */
  honestThreat: number;
  badSellerThreat: number;
  honestOffPlatform: number;
  stockPhoto: number;
  /** Weights of the message languages. */
  languages: Record<Language, number>;
  /** Share of other buyers' orders (honest or not) that go to a bad seller. */
  badSellerReach: number;
  /** How often a received order from a bad seller ends in a dispute. */
  badSellerDisputeRate: [number, number];
  /** Share of a ring's orders placed with the few sellers the ring targets. */
  ringTargetsSellers: number;
  /**
   * How much honest buyers differ in fussiness: the log-normal spread of one honest buyer's
   * dispute rate around `honestRate`, and its cap; a new account's dispute rate; the chance a
   * delivered parcel is stolen from the doorstep (a "not received" claim on it). Fixed in the
   * family's draws (0.6, 0.25, 0.06, 0.004); drawn wider in the broad fit family.
   */
  honestSpread?: number;
  honestRateCap?: number;
  newRate?: number;
  porchTheft?: number;
}

/** The families a fit can draw its tuning seeds from (`cli eval --fit --fit-family`). */
export const FIT_FAMILIES = ['family', 'broad', 'fussy'] as const;
export type FitFamily = (typeof FIT_FAMILIES)[number];

/**
 * The broad fit families (`cli eval --fit --fit-family broad|fussy`): the same draw, with the
 * honest buyers' base rates redrawn over wider ranges from a second stream of the seed. `fussy`:
 * fussier and more varied honest buyers (median dispute rate on delivered parcels 1–8 %, spread
 * 0.6–1.2), new accounts disputing 3–15 % of their orders, honest buyers winning 35–80 %, porch
 * thefts 0.2–2 % of delivered parcels, unlucky buyers losing up to two parcels in three; `broad`:
 * that and more angry messages, odd requests and stock photos (threats 1–8 % of an honest
 * buyer's disputes, off-platform requests 0.1–1 %). Used only to FIT weights on tuning seeds,
 * so that a fit does not learn that honest buyers hardly vary; held-out draws stay exactly those
 * of `drawParams`. (Tried in session 19: neither fit improved the outside-tuning worst case;
 * README, "Tried in session 19").
 */
export function drawBroadParams(seed: number, family: Exclude<FitFamily, 'family'> = 'broad'): FamilyParams {
  const p = drawParams(seed);
  const r = new SeededRandom(seed * 3266489917 + 668265263);
  const noisy = p.variant === 'honest_noisy' ? 2 : 1;
  const messages = family === 'broad';
  return {
    ...p,
    honestRate: r.range(0.01, 0.08),
    honestSpread: r.range(0.6, 1.2),
    honestRateCap: 0.35,
    newRate: r.range(0.03, 0.15),
    porchTheft: r.range(0.002, 0.02),
    honestWin: r.range(0.35, 0.8),
    unluckyDelivered: [r.range(0.35, 0.6), r.range(0.6, 0.85)],
    ...(messages
      ? {
          honestThreat: r.range(0.01, 0.08) * noisy,
          badSellerThreat: r.range(0.03, 0.12) * noisy,
          honestOffPlatform: r.range(0.001, 0.01) * noisy,
          stockPhoto: r.range(0.02, 0.12) * noisy,
        }
      : {}),
  };
}

export function drawParams(seed: number): FamilyParams {
  const r = new SeededRandom(seed * 2246822519 + 3266489917);
  const variant = VARIANTS[seed % VARIANTS.length]!;
  const ringLo = r.int(2, 4);
  const lockerLo = r.int(60, 200);
  const languages = Object.fromEntries(LANGUAGES.map((l) => [l, r.chance(0.3) ? 0 : r.range(0.2, 1)])) as Record<Language, number>;
  if (LANGUAGES.every((l) => languages[l] === 0)) languages.en = 1;
  const noisy = variant === 'honest_noisy' ? 2 : 1;
  return {
    variant,
    abuserShare: r.range(0.018, 0.045),
    abuserMix: {
      nrd: r.range(0.5, 2),
      fakeDefect: r.range(0.5, 2),
      ring: r.range(0.5, 2),
      subtle: r.range(0.3, 1.5),
      quiet: r.range(0.5, 2),
    },
    unluckyShare: r.range(0.02, 0.1),
    badSellerShare: r.range(0.02, 0.08),
    newShare: r.range(0.05, 0.2),
    householdShare: r.range(0.04, 0.15),
    lockerShare: r.range(0.03, 0.12),
    honestRate: r.range(0.01, 0.045),
    unluckyDelivered: [r.range(0.45, 0.6), r.range(0.7, 0.85)],
    honestWin: r.range(0.5, 0.8),
    badSellerWin: r.range(0.7, 0.95),
    abuserWin: r.range(0.35, 0.75),
    ringSize: [ringLo, ringLo + r.int(2, 10)],
    householdSize: [2, r.int(2, 5)],
    lockerSize: [lockerLo, lockerLo + r.int(50, 300)],
    abuseRate: [r.range(0.2, 0.35), r.range(0.5, 0.9)],
    threat: r.range(0.1, 0.35),
    offPlatform: r.range(0.08, 0.3),
    honestThreat: r.range(0.01, 0.04) * noisy,
    badSellerThreat: r.range(0.03, 0.08) * noisy,
    honestOffPlatform: r.range(0.001, 0.004) * noisy,
    stockPhoto: r.range(0.02, 0.08) * noisy,
    languages,
    // Drawn last, so the parameters above keep the values earlier model versions were measured on.
    badSellerReach: r.range(0.01, 0.08),
    badSellerDisputeRate: [r.range(0.15, 0.25), r.range(0.3, 0.5)],
    ringTargetsSellers: r.chance(0.5) ? r.range(0.3, 0.8) : 0,
  };
}
