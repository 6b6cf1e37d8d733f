import type { AccountLabel } from '../../contract/domain';

/**
 * The buyer fraud-pattern model (DOMAIN.md, "Buyer fraud-pattern score"): its numbers, its
 * per-buyer aggregate and the decay arithmetic. Pure: no clock (every instant is an input),
 * no I/O, no randomness.
 *
 * Every signal is a sum over events (orders, disputes, photo uses) so that one event changes
 * one buyer's aggregate by a constant amount, and a full recompute from the events gives the
 * same aggregate as the updates did. Old events decay with a half-life: a decayed sum is kept
 * as its value at a reference instant `ref` (the buyer's latest event); valuing it at any
 * other instant is one multiplication.
 */
export const RISK_MODEL = {
  version: 14,
  /** Old events count half as much after this many days (rates, reuse, messages). */
  halfLifeDays: 180,
  /** The velocity signal's much shorter memory: a burst of disputes fades within weeks. */
  velocityHalfLifeDays: 14,
  /**
   * Link groups keep their member list up to this many members. A link weighs by how
   * concentrated risk is in its group (risky members over members), so a locker or an office
   * of dozens of ordinary accounts links nobody long before this; beyond it a group is a place.
   */
  linkCap: 64,
  /**
   * A photo shared by up to this many accounts counts fully; beyond, each use weighs
   * photoSpreadFrom / accounts (in half-octave steps), so a ring of any size still counts
   * while a stock image attached by hundreds fades to nothing. No cut-off.
   */
  photoSpreadFrom: 8,
  /**
   * A photo attached only by the customers of one seller, to disputes about that seller's
   * orders, is the seller's listing or catalogue photo (model v9): it says nothing about the
   * buyers and is not a shared photo, unless two of those accounts are linked. A cluster keeps
   * its uses per seller for at most this many sellers (the unknown seller, '', is one of them);
   * uses with others are counted apart and make it an ordinary shared photo.
   */
  photoSellerCap: 3,
  /** Perceptual hashes within this many differing bits (of 64) are the same photo. */
  phashMaxDistance: 4,
  /**
   * Minimum volume before a rate-based reason may fire. The dispute rate needs five orders and
   * two counted disputes: below that the empirical-Bayes prior (at least ten orders' worth)
   * already holds a short history near the platform's rate, and a third counted dispute was a
   * cut-off that a quiet abuser whose other disputes were decided for them never reached.
   */
  minOrdersForRate: 5,
  minDisputesForRate: 2,
  minDeliveredForNrd: 3,
  minNrd: 2,
  minDecidedForLost: 3,
  minLost: 2,
  /**
   * A buyer whose score without the link reason reaches this counts as risky for the accounts
   * linked to it. 35 is one clear sign of the buyer's own (one "not received" claim on a delivered
   * parcel, one request to be paid off the platform): odds of abuse about thirty times a buyer's
   * without reasons, below the model's even odds (60). Until model v11 the line was 60, and a ring
   * of fresh accounts that each showed one sign (no member at 60 on its own) linked nobody: the
   * ring's shared devices and cards, its strongest evidence, weighed next to nothing.
   */
  riskyBaseScore: 35,
  /**
   * The odd one out of a shared device or card (model v12): a device or payment group whose two or
   * more risky members were all created within `clusterDays` of each other (a ring opens its
   * accounts together) is discounted, for a member created more than `apartDays` from every one of
   * them, to `weight` of its link. That member is most often the honest owner of a second-hand
   * phone or of a card a ring once used, not one of the ring. An address is left alone (a household
   * moves in over years), and so is a group whose risky members were created far apart or whose
   * dates are not known: the record says nothing about when a device was used, only when accounts
   * were opened. Chosen on the tuning draws (README, "Model v12").
   */
  oddOneOut: { clusterDays: 90, apartDays: 60, weight: 0.25 },
  /**
   * A seller's own dispute rate is smoothed towards the platform's with this many orders'
   * worth of prior: a seller needs a few dozen orders before its buyers' disputes are put down
   * to it. A buyer keeps per-seller counts for at most `sellerCap` sellers (orders beyond go to
   * sellers at the platform's rate), so a buyer's row and its scoring stay bounded.
   */
  sellerPriorOrders: 40,
  sellerCap: 256,
  /**
   * The context of a sign of intent (model v6): how often the buyer opens disputes on parcels
   * the carrier shows delivered, whatever the outcome, smoothed with `openedPriorOrders`
   * delivered orders of prior at the platform's such rate, against the larger of the
   * platform's rate and the rate the buyer's sellers see from their other buyers. At or below
   * that reference a sign weighs its "not above" coefficient, at `contextSpan` times it or more
   * its "above" one, in between on the log scale.
   */
  openedPriorOrders: 20,
  contextSpan: 3,
  /**
   * A poor postal service (model v13): a buyer who claims more than `rate` of their orders lost or
   * not delivered (disputes on parcels the carrier does not show delivered, smoothed with
   * `priorOrders` orders of prior at `rate`) has that many times the reference of their disputes on
   * delivered parcels (`signContext`): where the post loses parcels, the ones that arrive come late,
   * damaged or left at the wrong door more often too. Those losses are the carrier's record, not
   * the buyer's word. Chosen on the tuning draws (README, session 21).
   */
  poorPost: { rate: 0.12, priorOrders: 50 },
  /**
   * A platform rate of disputes opened per delivered order at or above this says only that the
   * desk sees disputed orders (no order history reported): a reason then names no platform rate.
   */
  platformRateMeaningfulBelow: 0.5,
  /**
   * Signs of intent are weighed per dispute opened, against these base rates (a Beta prior of
   * ten disputes' strength): how often an ordinary buyer's dispute carries the sign. Fixed
   * rather than fitted, so that a population full of angry messages cannot make them normal.
   */
  signPerDispute: {
    threat: { alpha: 0.3, beta: 9.7 },
    offPlatform: { alpha: 0.05, beta: 9.95 },
    sharedPhoto: { alpha: 0.2, beta: 9.8 },
  },
  /**
   * A sign needs some volume of the buyer's own (model v14): its per-dispute measure is multiplied
   * by orders / (orders + this), the buyer's orders (with the reported history). A sign on the
   * only dispute of a one-order account measures more per dispute (a threat:
   * log((1 + 0.3) / (1 + 10) / 0.03) = 1.37) than the same sign among ten disputes (0.77), which
   * ranked new accounts that tripped one sign above quiet abusers who showed it once among many
   * orders. One order of prior halves a first order's sign and leaves a ten-order buyer's at 91 %.
   * Chosen on the tuning draws (README, session 25).
   */
  signVolumeOrders: 1,
  /**
   * A sign among many disputes (session 30, off by default): its per-dispute rate is measured
   * against the larger of the sign's base rate and `rate`, so one threat, shared photo or request to
   * be paid off the platform among 8–14 disputes (a smoothed rate of 4–7 %) weighs little at any
   * coefficient while one among 2–4 keeps most of its weight. 0 turns it off (v14: the base rate).
   */
  signRateFloor: { rate: 0 },
  /**
   * A sign that would have to explain many disputes (session 31, off by default): a sign's per-dispute
   * measure loses `perOther` for each (decayed) dispute the buyer opened without it, down to nothing.
   * A quiet abuser shows the sign once among a few disputes; an honest heavy disputer's one threat,
   * shared photo or off-platform request among 8–14 disputes is what chance gives. Unlike a floor
   * under the rate (`signRateFloor`), one sign in two disputes keeps nearly all its weight, the
   * off-platform request's too. 0 turns it off (v14). Refitted at 0.05 and 0.1 it did not meet session 26's rule:
   * the counts are decayed, so an honest buyer's 8–14 disputes of two years count as about 3 (README, session 31).
   * `perOtherRaw` (fit36, off by default): the same loss per raw (undecayed) dispute opened without the sign, so a
   * recent threat among fourteen disputes of two years is one among fourteen, not one among three. 0 turns it off.
   */
  signPerOtherDispute: { perOther: 0, perOtherRaw: 0 },
  /**
   * A short history's opened rate as a reason (session 32, off by default): the `OPENED_RATE` reason alone smooths the
   * buyer's rate of disputes opened on delivered parcels with `priorOrders` delivered orders of prior at the platform's
   * rate instead of `openedPriorOrders`; the signs' context keeps `openedPriorOrders`. Two disputes on six delivered
   * orders say less than nine on fifty-four, though both smooth to about 14 % with 20 orders of prior: the honest short
   * histories in the top R carry this reason far more often than the abusers beside them. 0 turns it off (v14).
   * Refitted with the outside at 50 and 100 (and at 50 with a "not received" prior of at least 100) it lifted the
   * outside's worst but not the family's, so it did not meet session 26's rule (README, session 32).
   */
  openedReasonPrior: { priorOrders: 0 },
  /**
   * Bounds on the strength (α + β, in delivered orders) of the "not received" prior, which is
   * fitted on each population by moments. Fitted freely it swings from 10 orders (a population
   * whose abusers claim it, so buyers look different) to 1,000 (none claim it), so one porch
   * theft among eleven parcels weighed three times as much in one draw as in the next, and the
   * weights were fitted across that swing (README, session 26). min = max fixes it per platform.
   */
  nrdPriorStrength: { min: 10, max: 1000 },
  /**
   * The "not received" claim's weight follows the population (session 28): its feature is
   * multiplied by min(1, ρ / `full`), ρ how much buyers differ in their "not received" rate beyond
   * chance (priors.ts `nrdSpread`, fitted by moments on the population like the priors, no labels).
   * Where abusers make the claim, buyers who make it often stand apart (ρ 0.07–0.33 on the tuning
   * draws); where none do (the `avoid_nrd` draws) it is porch theft spread by chance (ρ 0) and says
   * nothing. With the prior's strength fixed (`nrdPriorStrength`), this replaces its swing as what
   * lets the model ignore the claim there. 0 turns it off (v14: the weight is the coefficient alone).
   */
  nrdWeightBySpread: { full: 0 },
  /** Priors used until enough of the population has been seen to fit them (empirical Bayes). */
  defaultPriors: {
    dispute: { alpha: 0.9, beta: 29.1 },
    nrd: { alpha: 0.5, beta: 99.5 },
    lost: { alpha: 2, beta: 6 },
    opened: { alpha: 1.2, beta: 28.8 },
  },
} as const;

export type RiskModel = typeof RISK_MODEL;

const DAY = 86_400_000;
const HALF_LIFE_MS = RISK_MODEL.halfLifeDays * DAY;
const VELOCITY_HALF_LIFE_MS = RISK_MODEL.velocityHalfLifeDays * DAY;

/** The counted facts of one buyer; each has a raw count and a decayed sum. */
export const COUNTERS = [
  'orders', // orders placed
  'delivered', // of those, the carrier shows delivered
  'disputes', // disputes that count against the buyer (not bad luck)
  'excused', // bad luck: "not received" on a parcel that really did not arrive, or a dispute decided for the buyer
  'nrd', // "not received" claims on parcels the carrier shows delivered
  'decided', // disputes with an outcome
  'lost', // of those, decided for the seller
  'threat', // disputes with a bad-review threat in the buyer's messages
  'offPlatform', // disputes where the buyer asked to be paid off the platform
  'photoOwn', // uses of a photo the buyer already submitted in another of their disputes
  'photoShared', // uses of a photo other accounts submitted too
  'openedDelivered', // disputes opened on parcels the carrier shows delivered, whatever the outcome (model v6)
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

export const zeroCounts = (): Counts => ({
  orders: 0,
  delivered: 0,
  disputes: 0,
  excused: 0,
  nrd: 0,
  decided: 0,
  lost: 0,
  threat: 0,
  offPlatform: 0,
  photoOwn: 0,
  photoShared: 0,
  openedDelivered: 0,
});

export interface RiskReason {
  code: string;
  text: string;
  weight: number;
}

/** The last scoring of a buyer, kept with the aggregate. */
export interface Scored {
  score: number;
  /** The score without the link reason: what linked accounts see. */
  base: number;
  /** Counts as flagged-or-high-risk for the accounts linked to it. */
  risky: boolean;
  /** Highest weight first. */
  reasons: RiskReason[];
  at: number;
}

export interface BuyerAgg {
  id: string;
  /** The instant the decayed sums are valued at (the latest event seen); NO_REF before any. */
  ref: number;
  /** Raw counts: minimum-volume gates and the numbers in the reasons' text. */
  n: Counts;
  /** Sums decayed with the half-life, valued at `ref`. */
  w: Counts;
  /** Orders and counted disputes decayed with the velocity half-life, valued at `ref`. */
  f: { orders: number; disputes: number };
  label: AccountLabel | null;
  /** Link groups ("device:dv-9"), sorted; links only accumulate. */
  links: string[];
  /**
   * Per seller the buyer bought from: [orders, counted disputes, delivered orders, disputes
   * opened on delivered orders] (raw counts; see `sellerExpectedRate`, `sellerOpenedRate`).
   * At most `sellerCap` sellers.
   */
  sellers: Record<string, SellerCounts>;
  /** Orders from sellers beyond `sellerCap` (expected at the platform's rate). */
  otherSellerOrders: number;
  /**
   * The dispute rate the buyer's sellers see from their other buyers, weighed by the buyer's
   * orders with each (`sellerExpectedRate`), as of the last scoring; null without sellers.
   * Kept like the link reason: it moves with other buyers' disputes, and the buyer's next
   * event (or a full recompute) refreshes it.
   */
  sellerRate: number | null;
  /**
   * The rate of disputes opened on delivered parcels (any outcome) the buyer's sellers see
   * from their other buyers (`sellerOpenedRate`), as of the last scoring; null without a
   * delivered order from a known seller. Kept like `sellerRate`.
   */
  openedRef: number | null;
  /**
   * The buyer's order history as the marketplace last reported it with a dispute
   * (`buyer.orderHistory`: orders placed and delivered, on the whole platform); null when never
   * reported. The desk learns of orders only through disputes, so without it every known order
   * is a disputed one. Where it reports more orders than the desk knows, the rates use it as their
   * denominator (`withOrderHistory`).
   */
  history: { orders: number; delivered: number } | null;
  /** When the account was opened, as the marketplace last reported it (epoch ms); null when not reported (model v12). */
  created: number | null;
  scored: Scored | null;
}

/** A buyer's counts with one seller: [orders, counted disputes, delivered orders, disputes opened on those]. */
export type SellerCounts = [number, number, number, number];

/**
 * What the model keeps of a seller (raw counts): orders sold and disputes counted against their
 * buyers; orders the carrier shows delivered and disputes opened on them, whatever the outcome.
 */
export interface SellerAgg {
  id: string;
  orders: number;
  disputes: number;
  delivered: number;
  opened: number;
}

/** Earlier than any instant: decayed sums that were never touched. */
export const NO_REF = -8.64e15;

export function newBuyer(id: string): BuyerAgg {
  return {
    id,
    ref: NO_REF,
    n: zeroCounts(),
    w: zeroCounts(),
    f: { orders: 0, disputes: 0 },
    label: null,
    links: [],
    sellers: {},
    otherSellerOrders: 0,
    sellerRate: null,
    openedRef: null,
    history: null,
    created: null,
    scored: null,
  };
}

/**
 * The buyer as the rates see them: with a reported order history larger than the orders the
 * desk knows, the counts of orders and delivered orders are the history's, and their decayed sums
 * (and the orders' velocity sum) grow in the same proportion (the orders the desk never saw taken
 * to be spread in time like the ones it did). The same object when there is nothing to add.
 * Scoring reads the same numbers without the copy (`historyCounts`, `countedDelivered`).
 */
export function withOrderHistory(b: BuyerAgg): BuyerAgg {
  const h = historyCounts(b);
  if (!h) return b;
  return {
    ...b,
    n: { ...b.n, orders: h.orders, delivered: h.delivered },
    w: { ...b.w, orders: h.wOrders, delivered: h.wDelivered },
    f: { ...b.f, orders: h.fOrders },
  };
}

/** What `withOrderHistory` changes, as numbers: the counts of orders and delivered orders, their decayed sums, the orders' velocity sum. */
export interface HistoryCounts {
  orders: number;
  delivered: number;
  wOrders: number;
  wDelivered: number;
  fOrders: number;
}

/** `withOrderHistory`'s numbers without copying the buyer; null when the reported history adds nothing (the buyer's own stand). */
export function historyCounts(b: BuyerAgg): HistoryCounts | null {
  const h = b.history;
  if (!h || (h.orders <= b.n.orders && h.delivered <= b.n.delivered)) return null;
  const orders = Math.max(h.orders, b.n.orders);
  const delivered = Math.max(h.delivered, b.n.delivered);
  // With no known order to take the timing from, the history counts at the latest event.
  const scale = (w: number, known: number, all: number) => (known > 0 ? (w * all) / known : all);
  return {
    orders,
    delivered,
    wOrders: scale(b.w.orders, b.n.orders, orders),
    wDelivered: scale(b.w.delivered, b.n.delivered, delivered),
    fOrders: scale(b.f.orders, b.n.orders, orders),
  };
}

/** Delivered orders as the rates count them (`withOrderHistory(b).n.delivered`), with nothing copied. */
export const countedDelivered = (b: BuyerAgg): number => (b.history ? Math.max(b.history.delivered, b.n.delivered) : b.n.delivered);

/** Orders and delivered orders the reported history adds to those the desk knows (with sellers it does not know). */
export function historyExtra(b: BuyerAgg): { orders: number; delivered: number } {
  const h = b.history;
  return h
    ? { orders: Math.max(0, h.orders - b.n.orders), delivered: Math.max(0, h.delivered - b.n.delivered) }
    : { orders: 0, delivered: 0 };
}

export const decay = (dtMs: number): number => 2 ** (-dtMs / HALF_LIFE_MS);
export const decayFast = (dtMs: number): number => 2 ** (-dtMs / VELOCITY_HALF_LIFE_MS);

/** Moves the decayed sums forward to `t` when it is later than their reference. */
export function rebase(b: BuyerAgg, t: number): void {
  if (t <= b.ref) return;
  if (b.ref === NO_REF) {
    b.ref = t;
    return;
  }
  const k = decay(t - b.ref);
  const kf = decayFast(t - b.ref);
  for (const c of COUNTERS) b.w[c] *= k;
  b.f.orders *= kf;
  b.f.disputes *= kf;
  b.ref = t;
}

/**
 * Adds an event's contribution: `raw` to the count and `weight` (its value at `at`; ±1 for
 * one event) to the decayed sums. A negative contribution retracts an earlier one.
 */
export function bump(b: BuyerAgg, at: number, c: Counter, raw: number, weight: number = raw): void {
  rebase(b, at);
  b.n[c] += raw;
  b.w[c] += weight * decay(b.ref - at);
  if (c === 'orders' || c === 'disputes') b.f[c] += weight * decayFast(b.ref - at);
}

/** A decayed sum valued at `asOf` (never negative: retractions may leave rounding dust). */
export function decayedAt(b: BuyerAgg, c: Counter, asOf: number): number {
  return decayedSumAt(b.ref, b.w[c], asOf);
}

/** `decayedAt` of a decayed sum `w` referenced at `ref`. */
export function decayedSumAt(ref: number, w: number, asOf: number): number {
  if (ref === NO_REF) return 0;
  const v = w * decay(asOf - ref);
  return v > 1e-12 ? v : 0;
}

export function fastAt(b: BuyerAgg, c: 'orders' | 'disputes', asOf: number): number {
  return fastSumAt(b.ref, b.f[c], asOf);
}

/** `fastAt` of a velocity sum `f` referenced at `ref`. */
export function fastSumAt(ref: number, f: number, asOf: number): number {
  if (ref === NO_REF) return 0;
  const v = f * decayFast(asOf - ref);
  return v > 1e-12 ? v : 0;
}

// ---------------------------------------------------------------------------------------
// Facts: what the model remembers of each event, so that a changed event can be retracted

export interface OrderFact {
  id: string;
  buyerId: string;
  placedAt: number;
  /** The carrier shows it delivered. */
  delivered: boolean;
  /** Who sold it (absent in histories without sellers). */
  sellerId?: string | null;
}

export type RiskOutcome = 'buyer_won' | 'seller_won' | 'split';

export interface DisputeFact {
  id: string;
  orderId: string;
  buyerId: string;
  openedAt: number;
  /** The reason is one of `not_received.*`. */
  notReceived: boolean;
  outcome: RiskOutcome | null;
  threat: boolean;
  offPlatform: boolean;
  /** Keys of the photo clusters among the buyer's evidence, distinct, sorted. */
  photos: string[];
}

/** One photo (sha256, or a family of near-duplicates by perceptual hash) across every dispute. */
export interface PhotoCluster {
  key: string;
  /** Disputes that carry it. */
  uses: number;
  /** Distinct accounts that submitted it. */
  accounts: number;
  /**
   * Its uses by the seller of the disputed order ('' while the order or its seller is not
   * known), for at most `photoSellerCap` sellers; `sellerOverflow` counts the uses with others.
   */
  sellers: Record<string, number>;
  sellerOverflow: number;
  /**
   * Two accounts linked by a small link group both use it (checked while it is one seller's
   * photo, when an account starts using it or its seller changes). Kept only while it is one
   * seller's photo of two or more accounts.
   */
  linked: boolean;
}

export const emptyPhotoCluster = (key: string): PhotoCluster => ({
  key,
  uses: 0,
  accounts: 0,
  sellers: {},
  sellerOverflow: 0,
  linked: false,
});

/** The one known seller of every use of the photo, or null. */
export function photoSeller(c: Pick<PhotoCluster, 'sellers' | 'sellerOverflow'>): string | null {
  if (c.sellerOverflow > 0) return null;
  const keys = Object.keys(c.sellers);
  return keys.length === 1 && keys[0] !== '' ? keys[0]! : null;
}

/** A listing photo: several accounts, all for one seller's orders, none of them linked to another. */
export const isListingPhoto = (c: Pick<PhotoCluster, 'accounts' | 'sellers' | 'sellerOverflow' | 'linked'>): boolean =>
  c.accounts >= 2 && !c.linked && photoSeller(c) !== null;

/** The cluster's per-seller counts after one use with `sellerId` (null: unknown) starts (+1) or stops (−1). */
export function movePhotoSeller(c: Pick<PhotoCluster, 'sellers' | 'sellerOverflow'>, sellerId: string | null, sign: number) {
  const id = sellerId ?? '';
  const sellers = { ...c.sellers };
  let sellerOverflow = c.sellerOverflow;
  if (id in sellers) {
    sellers[id]! += sign;
    if (sellers[id]! <= 0) delete sellers[id];
  } else if (sign > 0 && Object.keys(sellers).length < RISK_MODEL.photoSellerCap) sellers[id] = sign;
  else sellerOverflow = Math.max(0, sellerOverflow + sign);
  return { sellers, sellerOverflow };
}

/** One account's uses of one photo. */
export interface PhotoUse {
  key: string;
  accountId: string;
  uses: number;
  /** Its uses decayed, valued at `ref`. */
  w: number;
  ref: number;
}

/** Accounts sharing one device, address or payment detail ("device:dv-9"). */
export interface LinkGroup {
  key: string;
  members: number;
  /** The members while there are at most `linkCap` of them; null once the group is too common to mean anything. */
  ids: string[] | null;
}

export const linkKey = (kind: string, value: string): string => `${kind}:${value}`;
export const linkKind = (key: string): string => key.slice(0, key.indexOf(':'));

/** What a dispute adds to its buyer's counts (photos aside), given whether the carrier shows its parcel delivered. */
export function disputeCounters(d: DisputeFact, delivered: boolean): Counter[] {
  const out: Counter[] = [];
  // Bad luck, not a pattern: the parcel really did not arrive (and the platform did not decide
  // otherwise), or the platform decided the dispute for the buyer. "Not received" on a parcel
  // the carrier shows delivered is never excused: winning it is what the abuse is for.
  const nrd = d.notReceived && delivered;
  const excused = (d.notReceived && !delivered && d.outcome !== 'seller_won') || (!nrd && d.outcome === 'buyer_won');
  if (excused) out.push('excused');
  else {
    out.push('disputes');
    if (d.notReceived && delivered) out.push('nrd');
  }
  if (d.outcome) {
    out.push('decided');
    if (d.outcome === 'seller_won') out.push('lost');
  }
  if (delivered) out.push('openedDelivered');
  if (d.threat) out.push('threat');
  if (d.offPlatform) out.push('offPlatform');
  return out;
}

export function orderCounters(o: OrderFact): Counter[] {
  return o.delivered ? ['orders', 'delivered'] : ['orders'];
}

/**
 * Which photo counter a cluster's uses feed, given its use and account counts: own reuse, and
 * the weight each use of a shared photo carries (0: not shared). The weight only changes at
 * half-octave steps of the account count, so re-weighing every account of a photo when it
 * changes costs a constant amount per use, amortised. A listing photo (`isListingPhoto`) is not
 * shared; it stops being one at most once in a forward history (a second seller or a link).
 */
export function photoFlags(uses: number, accounts: number, listing = false): { own: boolean; shared: number } {
  return { own: accounts === 1 && uses >= 2, shared: listing ? 0 : sharedPhotoWeight(accounts) };
}

export function sharedPhotoWeight(accounts: number): number {
  const from = RISK_MODEL.photoSpreadFrom;
  if (accounts < 2) return 0;
  if (accounts <= from) return 1;
  const step = Math.floor(2 * Math.log2(accounts / from));
  return 2 ** (-step / 2);
}
