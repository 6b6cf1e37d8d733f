import {
  RISK_MODEL,
  countedDelivered,
  decayedAt,
  decayedSumAt,
  fastAt,
  fastSumAt,
  historyCounts,
  historyExtra,
  type BuyerAgg,
  type RiskReason,
  type SellerAgg,
} from './model';
import { posteriorRate, priorMean, type Priors } from './priors';
import { FITTED_WEIGHTS, type FeatureCode } from './weights';

/**
 * The explainable score: each reason is one signal's feature times its fitted coefficient
 * (weights.ts: a logistic model, so a reason's weight is its share of the log-odds of abuse),
 * in a sentence a person can check; the score is 100 · (1 − e^(−Σ weights / scale)), 60 at
 * the model's even odds. Signs of intent outweigh volume by fit, not by fiat. The link
 * reason is kept apart (`linkReason`), since what linked accounts see is the score without it.
 * Nothing here acts: the score is shown, analysts decide.
 */

/**
 * The model's weights. A sign of intent (`SIGN_CODES`) has two coefficients: `coef` when the
 * buyer opens disputes on delivered parcels well above their reference (context 1), `low`
 * when not above it (context 0); in between its weight is low + c · (coef − low). A sign
 * without a `low` coefficient weighs `coef` whatever its context.
 */
export type Weights = { bias: number; coef: Record<FeatureCode, number>; low?: Partial<Record<SignCode, number>> };

/** The signs of intent weighed against their context (model v6). */
export const SIGN_CODES = ['NOT_RECEIVED_DELIVERED', 'SHARED_PHOTO', 'REVIEW_THREAT', 'OFF_PLATFORM', 'LINKED_ACCOUNTS'] as const;
export type SignCode = (typeof SIGN_CODES)[number];
export const isSign = (code: string): code is SignCode => (SIGN_CODES as readonly string[]).includes(code);

export interface ScoreContext {
  asOf: number;
  priors: Priors;
  /** The model's weights (default: the fitted ones). */
  weights?: Weights;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** "0.4 %", "12 %": one decimal below ten percent. */
export function pct(x: number): string {
  const p = x * 100;
  return `${p < 10 ? (Math.round(p * 10) / 10).toFixed(1) : Math.round(p)} %`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** One signal's feature: a non-negative measure, and the sentence that explains it. */
export interface Feature {
  code: FeatureCode;
  x: number;
  text: string;
  /** A sign of intent's context in [0, 1] (`signContext`). */
  c?: number;
}

/**
 * What a sign of intent is weighed against (model v6): the buyer's rate of disputes opened on
 * parcels the carrier shows delivered, whatever the outcome (smoothed with `openedPriorOrders`
 * of prior at the platform's rate), against the larger of the platform's rate and the rate the
 * buyer's sellers see from their other buyers (`openedRef`, as of the last scoring). c is 0 at
 * or below that reference and 1 at `contextSpan` times it or more (log scale between): a threat
 * from a buyer who disputes no more often than their sellers' other buyers is frustration, the
 * same from one who opens disputes on a third of their parcels is intent. Won disputes count
 * here (they count for no rate reason): a quiet abuser's won half is what tells them apart.
 */
export interface SignContext {
  c: number;
  rate: number;
  sellers: number | null;
  platform: number;
  /**
   * What the rate is measured against: the larger of the platform's and the sellers' rate, times
   * `post` (model v13).
   */
  ref: number;
  /** 1, or how many times the buyer's claims of lost parcels exceed a poor post's (`RISK_MODEL.poorPost`). */
  post: number;
  /** The sentence each sign's reason ends with. */
  text: string;
}

/**
 * Whether the platform's rates mean anything: when the desk knows a buyer's orders only through
 * disputes (no order history reported), nearly every order it knows is disputed and the "platform
 * rate" is close to 100 %; a reason then compares with no platform rate rather than that one.
 */
export const platformRatesKnown = (priors: Priors): boolean => priorMean(priors.opened) < RISK_MODEL.platformRateMeaningfulBelow;

/** "platform 4.0 %", or nothing when the platform's rates mean nothing (`platformRatesKnown`). */
const platformText = (rate: number, priors: Priors, lead = ''): string =>
  platformRatesKnown(priors) ? `${lead}platform ${pct(rate)}` : '';

/**
 * A poor postal service (model v13, `RISK_MODEL.poorPost`): how many times the buyer's share of
 * orders claimed lost or not delivered (disputes on parcels the carrier does not show delivered,
 * smoothed) exceeds `poorPost.rate`; 1 at or below it, and 1 when the platform's rates mean
 * nothing (the desk knows only disputed orders: every order is disputed). The losses are the
 * carrier's record: a buyer cannot make a parcel show "in transit".
 */
export function poorPostFactor(buyer: BuyerAgg, priors: Priors): { factor: number; claimed: number; orders: number } {
  const P = RISK_MODEL.poorPost;
  const n = buyer.n;
  const h = historyCounts(buyer);
  const orders = h ? h.orders : n.orders;
  const claimed = Math.max(0, n.disputes + n.excused - n.openedDelivered);
  if (!platformRatesKnown(priors) || orders <= 0) return { factor: 1, claimed, orders };
  return { factor: Math.max(1, (claimed + P.priorOrders * P.rate) / (orders + P.priorOrders) / P.rate), claimed, orders };
}

export function signContext(buyer: BuyerAgg, priors: Priors): SignContext {
  const M = RISK_MODEL;
  const platform = priorMean(priors.opened);
  // Delivered orders as the rates count them (withOrderHistory), read without copying the buyer.
  const delivered = countedDelivered(buyer);
  const openedDelivered = buyer.n.openedDelivered;
  const rate = (openedDelivered + M.openedPriorOrders * platform) / (delivered + M.openedPriorOrders);
  const post = poorPostFactor(buyer, priors);
  const ref = Math.max(platform, buyer.openedRef ?? 0) * post.factor;
  const c = ref > 0 && rate > 0 ? Math.max(0, Math.min(1, Math.log(rate / ref) / Math.log(M.contextSpan))) : 0;
  const base = { c, rate, sellers: buyer.openedRef, platform, ref, post: post.factor };
  return {
    ...base,
    // Built when read: most contexts only weigh a sign whose reason is too light to be shown.
    get text() {
      return `; the buyer opened disputes on ${openedDelivered} of ${plural(delivered, 'delivered order', 'delivered orders')} (smoothed ${pct(rate)}${againstText(base, priors, post)})`;
    },
  };
}

/** "; their sellers' other buyers 9.2 %, platform 8.5 %" and, for a poor post, what it multiplies that by and why. */
function againstText(cx: Omit<SignContext, 'text'>, priors: Priors, post: { claimed: number; orders: number }): string {
  const against =
    cx.sellers !== null && cx.sellers > cx.platform
      ? `; their sellers' other buyers ${pct(cx.sellers)}${platformText(cx.platform, priors, ', ')}`
      : platformText(cx.platform, priors, '; ');
  if (cx.post <= 1) return against;
  return `${against}; measured against ${cx.post.toFixed(cx.post < 1.1 ? 2 : 1)} times that, ${pct(cx.ref)}: they claimed ${post.claimed} of ${plural(post.orders, 'order', 'orders')} lost or not delivered (a poor postal service)`;
}

/**
 * The behaviour features of a buyer (everything but links). Volume signals are measured as
 * the log of how many times likelier the buyer's smoothed rate is than the platform's;
 * signs of intent as the log of one plus their (decayed) count, so the first one counts most.
 */
export function behaviourFeatures(buyer: BuyerAgg, ctx: ScoreContext): Feature[] {
  return lazyFeatures(buyer, ctx).map(({ text, ...f }) => ({ ...f, text: text() }));
}

/**
 * The share of a sign's per-dispute measure a buyer with `orders` orders keeps (model v14):
 * orders / (orders + `signVolumeOrders`), so a new account's one tripped sign weighs less than the
 * same sign of a buyer with a volume of their own.
 */
export function signVolume(orders: number, prior: number = RISK_MODEL.signVolumeOrders): number {
  return prior > 0 ? Math.max(0, orders) / (Math.max(0, orders) + prior) : 1;
}

/**
 * The share of the "not received" feature a population gives it (session 28,
 * `RISK_MODEL.nrdWeightBySpread`): min(1, ρ / full), ρ the priors' `nrdSpread`; 1 when the knob is
 * off or the priors carry no spread (the defaults, priors saved before it).
 */
export function nrdSpreadShare(priors: Priors, full: number = RISK_MODEL.nrdWeightBySpread.full): number {
  if (!(full > 0) || priors.nrdSpread === undefined) return 1;
  return Math.max(0, Math.min(1, priors.nrdSpread / full));
}

/** A feature whose sentence is built only when asked for (most features weigh too little to be shown). */
type LazyFeature = Omit<Feature, 'text'> & { text: () => string };

function lazyFeatures(b: BuyerAgg, ctx: ScoreContext): LazyFeature[] {
  const { asOf, priors } = ctx;
  const M = RISK_MODEL;
  const out: LazyFeature[] = [];
  const n = b.n;
  // The rates' denominators with the reported order history (withOrderHistory's numbers, the buyer not copied).
  const h = historyCounts(b);
  const orders = h ? h.orders : n.orders;
  const delivered = h ? h.delivered : n.delivered;
  const historySum = h ? ({ orders: h.wOrders, delivered: h.wDelivered } as const) : null;
  const w = (c: Parameters<typeof decayedAt>[1]) =>
    historySum && (c === 'orders' || c === 'delivered') ? decayedSumAt(b.ref, historySum[c], asOf) : decayedAt(b, c, asOf);
  let context: SignContext | undefined;
  const push = (code: FeatureCode, x: number, text: () => string) => {
    if (!(x > 0)) return;
    if (!isSign(code)) return void out.push({ code, x, text });
    const cx = (context ??= signContext(b, priors));
    out.push({ code, x, text: () => text() + cx.text, c: cx.c });
  };

  // Disputes held against the buyer (not bad luck, not decided for them) on (almost) every
  // order, against the platform's rate or, when higher, the rate the buyer's sellers see from
  // their other buyers: the honest customer of bad sellers disputes as often as everyone else
  // who buys from them.
  if (orders >= M.minOrdersForRate && n.disputes >= M.minDisputesForRate) {
    const platform = priorMean(priors.dispute);
    const rate = posteriorRate(priors.dispute, w('disputes'), w('orders'));
    const sellers = b.sellerRate ?? 0;
    push('DISPUTE_RATE', Math.log(rate / Math.max(platform, sellers)), () => {
      const lead = n.disputes >= 0.75 * orders ? 'disputes on almost every order: ' : '';
      const against =
        sellers > platform
          ? `; their sellers' other buyers ${pct(sellers)}${platformText(platform, priors, ', ')}`
          : platformText(platform, priors, '; ');
      return `${lead}${n.disputes} disputes not decided for the buyer on ${plural(orders, 'order', 'orders')} (smoothed ${pct(rate)})${against}`;
    });
  }

  // Disputes opened on delivered parcels, whatever the outcome, against the rate the buyer's
  // sellers see from their other buyers (or the platform's, when higher): a buyer who disputes
  // received goods far more often than everyone else who buys from the same sellers, even when
  // those disputes are then decided for them (model v8). The same numbers as the signs' context.
  if (delivered >= M.minOrdersForRate && n.openedDelivered >= M.minDisputesForRate) {
    const cx = (context ??= signContext(b, priors));
    // The reason's own, firmer prior when the knob is on (RISK_MODEL.openedReasonPrior); else the context's rate.
    const prior = M.openedReasonPrior.priorOrders;
    const rate = prior > 0 ? (n.openedDelivered + prior * cx.platform) / (delivered + prior) : cx.rate;
    // Against the sellers' other buyers or the platform, raised for a poor postal service (model v13).
    push('OPENED_RATE', Math.log(rate / cx.ref), () => {
      const against = againstText(cx, priors, poorPostFactor(b, priors));
      return `opened disputes on ${n.openedDelivered} of ${plural(delivered, 'delivered order', 'delivered orders')}, won or not (smoothed ${pct(rate)}${against})`;
    });
  }

  // "Not received" on parcels the carrier shows delivered: the smoothed rate against the platform's
  // (a strong prior, so one claim among many deliveries is what porch theft looks like).
  if (n.nrd >= 1) {
    const platform = priorMean(priors.nrd);
    const rate = posteriorRate(priors.nrd, w('nrd'), w('delivered'));
    // Counted as far as the population's buyers differ in the claim (RISK_MODEL.nrdWeightBySpread).
    const share = nrdSpreadShare(priors);
    push(
      'NOT_RECEIVED_DELIVERED',
      Math.log(rate / platform) * share,
      () =>
        `${n.nrd} not-received ${n.nrd === 1 ? 'claim' : 'claims'} on ${plural(delivered, 'delivered order', 'delivered orders')}${platformText(platform, priors, '; ')}` +
        (share < 1 ? ` (counted at ${Math.round(100 * share)} %: buyers here differ little in how often they make this claim)` : ''),
    );
  }

  // Velocity: many disputes in a short period, beyond what the buyer's order volume explains.
  const recent = fastAt(b, 'disputes', asOf);
  if (recent >= 3) {
    const expected = Math.max(1, 2 * priorMean(priors.dispute) * (h ? fastSumAt(b.ref, h.fOrders, asOf) : fastAt(b, 'orders', asOf)));
    push(
      'VELOCITY',
      Math.log(recent / expected),
      () => `about ${Math.round(recent)} disputes in the last three weeks (recent ones count most)`,
    );
  }

  // Disputes the platform decided for the seller.
  if (n.lost >= M.minLost && n.decided >= M.minDecidedForLost) {
    const platform = priorMean(priors.lost);
    const rate = posteriorRate(priors.lost, w('lost'), w('decided'));
    push(
      'LOST_DISPUTES',
      Math.log(rate / platform),
      () => `lost ${n.lost} of ${plural(n.decided, 'decided dispute', 'decided disputes')}; platform ${pct(platform)}`,
    );
  }

  // Signs of intent, each measured per dispute the buyer opened (won or not) against the
  // platform's base rate of that sign, smoothed like the rates above: one threat among thirty
  // disputes with bad sellers is what frustration looks like, one among three is a pattern.
  const opened = w('disputes') + w('excused');
  // Held towards nothing for a buyer of few orders (model v14, RISK_MODEL.signVolumeOrders).
  const volume = signVolume(orders);
  const openedRaw = n.disputes + n.excused;
  const perDispute = (sign: keyof typeof M.signPerDispute, k: number, raw: number) => {
    const p = M.signPerDispute[sign];
    // Against the base rate or, when the knob is on and higher, its floor (RISK_MODEL.signRateFloor).
    const x = Math.log((k + p.alpha) / (opened + p.alpha + p.beta) / Math.max(p.alpha / (p.alpha + p.beta), M.signRateFloor.rate));
    // Less for each dispute opened without the sign, decayed or raw (RISK_MODEL.signPerOtherDispute).
    const { perOther, perOtherRaw } = M.signPerOtherDispute;
    const others = perOther * Math.max(0, opened - k) + perOtherRaw * Math.max(0, openedRaw - raw);
    return (others > 0 ? Math.max(0, x - others) : x) * volume;
  };
  const openedText = () =>
    `of ${plural(n.disputes + n.excused, 'dispute', 'disputes')} opened` +
    // Said only where it moves the sign's weight a lot (nine orders or fewer), not on every reason.
    (volume <= 0.9 ? ` (counted at ${Math.round(100 * volume)} %: ${plural(orders, 'order', 'orders')} of their own)` : '');

  // The same photo again and again, or the same photo as other accounts (weighed by how many share it).
  // Reuse is measured on the raw count of uses (one of them, the first, is no reuse: log(1 + uses − 1))
  // scaled by how much of it has decayed (the decayed sum over the raw count). Before model v10 it was
  // log(1 + decayed uses − 1): one whole undecayed use taken from a decayed sum, so a stash used twice
  // or four times a year ago weighed nothing at all.
  if (n.photoOwn >= 2)
    push(
      'REUSED_PHOTO',
      Math.log1p(n.photoOwn - 1) * (w('photoOwn') / n.photoOwn),
      () => `the same photo in ${n.photoOwn} of their disputes`,
    );
  if (n.photoShared >= 1)
    push(
      'SHARED_PHOTO',
      perDispute('sharedPhoto', w('photoShared'), n.photoShared),
      () => `${n.photoShared} ${openedText()} with a photo other accounts submitted too`,
    );

  // What the buyer wrote.
  if (n.threat >= 1)
    push('REVIEW_THREAT', perDispute('threat', w('threat'), n.threat), () => `threatened a bad review in ${n.threat} ${openedText()}`);
  if (n.offPlatform >= 1)
    push(
      'OFF_PLATFORM',
      perDispute('offPlatform', w('offPlatform'), n.offPlatform),
      () => `asked to be paid off the platform in ${n.offPlatform} ${openedText()}`,
    );
  return out;
}

/**
 * The rate of counted disputes the buyer's sellers see from their other buyers (each seller's
 * own disputes and orders less the buyer's, smoothed towards the platform's rate with
 * `sellerPriorOrders` of prior), weighed by the buyer's orders with each seller; null for a
 * buyer with no known seller. Leaving the buyer out matters: an abuser's own disputes must not
 * make their sellers look bad. Work: one lookup per seller of the buyer (at most `sellerCap`).
 */
export function sellerExpectedRate(b: BuyerAgg, seller: (id: string) => SellerAgg | undefined, priors: Priors): number | null {
  const platform = priorMean(priors.dispute);
  const k = RISK_MODEL.sellerPriorOrders;
  // Orders only the reported history knows: sellers unknown, expected at the platform's rate.
  const other = b.otherSellerOrders + historyExtra(b).orders;
  let orders = other;
  let expected = other * platform;
  // for…in, not Object.entries: the same keys in the same order, without an array per seller
  // (the full recompute scores a million buyers with a few sellers each).
  for (const id in b.sellers) {
    const [o, d] = b.sellers[id]!;
    if (o <= 0) continue;
    const s = seller(id);
    const others = Math.max(0, (s?.orders ?? o) - o);
    const disputes = Math.max(0, (s?.disputes ?? d) - d);
    orders += o;
    expected += (o * (disputes + k * platform)) / (others + k);
  }
  return orders > 0 ? expected / orders : null;
}

/**
 * The rate of disputes opened on delivered parcels (whatever the outcome) the buyer's sellers
 * see from their other buyers: each seller's own counts less the buyer's, smoothed towards the
 * platform's rate with `sellerPriorOrders` of prior, weighed by the buyer's delivered orders
 * with each seller; null without a delivered order from a known seller (sellers beyond
 * `sellerCap` take no part). Work: one lookup per seller of the buyer, as `sellerExpectedRate`.
 */
export function sellerOpenedRate(b: BuyerAgg, seller: (id: string) => SellerAgg | undefined, priors: Priors): number | null {
  const platform = priorMean(priors.opened);
  const k = RISK_MODEL.sellerPriorOrders;
  let delivered = historyExtra(b).delivered;
  let expected = delivered * platform;
  for (const id in b.sellers) {
    const counts = b.sellers[id]!;
    const o = counts[2] ?? 0;
    if (o <= 0) continue;
    const s = seller(id);
    const others = Math.max(0, (s?.delivered ?? o) - o);
    const opened = Math.max(0, (s?.opened ?? 0) - (counts[3] ?? 0));
    delivered += o;
    expected += (o * (opened + k * platform)) / (others + k);
  }
  return delivered > 0 ? expected / delivered : null;
}

/** Below this a reason moves the score by about a point or less: neither shown nor counted. */
const MIN_WEIGHT = 0.1;

/**
 * No one reason alone reaches the model's even odds: an honest buyer who trips one signal by
 * chance (a photo attached twice, one angry message) stays below the line, however rare that
 * signal was among the honest buyers the weights were fitted on.
 */
const singleCap = (weights: Weights) => 0.85 * -weights.bias;

/** A feature's coefficient: a sign's moves with its context c from `low` (not above) to `coef` (well above). */
export function coefOf(code: FeatureCode, c: number | undefined, weights: Weights): number {
  const high = weights.coef[code];
  const low = isSign(code) ? weights.low?.[code] : undefined;
  return low === undefined || c === undefined ? high : low + c * (high - low);
}

/** A feature weighed: coefficient × feature (capped), shown when it weighs at least MIN_WEIGHT. */
function weighed(f: LazyFeature, weights: Weights): RiskReason | null {
  const weight = round2(Math.min(singleCap(weights), coefOf(f.code, f.c, weights) * f.x));
  return weight >= MIN_WEIGHT ? { code: f.code, text: f.text(), weight } : null;
}

/** Reasons from the buyer's own behaviour (everything but links), highest weight first. */
export function baseReasons(b: BuyerAgg, ctx: ScoreContext): RiskReason[] {
  const weights = ctx.weights ?? FITTED_WEIGHTS;
  const out: RiskReason[] = [];
  for (const f of lazyFeatures(b, ctx)) {
    const r = weighed(f, weights);
    if (r) out.push(r);
  }
  const n = b.n;

  // Explanations that weigh nothing: what was not held against the buyer, and the analysts' label.
  if (n.excused >= 1)
    out.push({
      code: 'BAD_LUCK',
      text: `${plural(n.excused, 'dispute', 'disputes')} on parcels the carrier did not deliver or decided for the buyer, not counted against the buyer`,
      weight: 0,
    });
  if (b.label === 'serial_disputer')
    out.push({ code: 'ANALYST_FLAG', text: 'flagged as a serial disputer by an analyst (not part of the score)', weight: 0 });
  if (b.label === 'cleared') out.push({ code: 'ANALYST_CLEARED', text: 'cleared by an analyst (not part of the score)', weight: 0 });
  return sortReasons(out);
}

/** A neighbour through a link group, and what it is. */
export interface LinkedNeighbour {
  id: string;
  /** Kinds of link shared ("device", "address", "payment"). */
  kinds: string[];
  flagged: boolean;
  /** What this neighbour adds: the link kind's weight times how concentrated risk is in the group. */
  weight: number;
  /**
   * It links to the viewer only through devices or cards of which the viewer is the odd one out
   * (`RISK_MODEL.oddOneOut`): its weight is that discounted one.
   */
  discounted: boolean;
}

const KIND_WEIGHT: Record<string, number> = { device: 1, payment: 1, address: 0.7 };

/** A link group as seen from one of its members. */
export interface LinkGroupView {
  kind: string;
  /** Every member, the viewer included. */
  members: string[];
}

/** What a linked account's score says to its neighbours (RiskStore.linkStatus). */
export interface LinkStatus {
  risky: boolean;
  flagged: boolean;
  /** When the account was opened (epoch ms); null when not reported. */
  created: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Whether `self` is the odd one out of a device or card whose risky members are `risky` (model v12):
 * two or more of them, all opened within `clusterDays` of each other, and `self` opened more than
 * `apartDays` from every one. Any date unknown: not odd (nothing is discounted on a guess).
 */
export function isOddOneOut(kind: string, selfCreated: number | null, risky: Array<number | null>): boolean {
  const M = RISK_MODEL.oddOneOut;
  if ((kind !== 'device' && kind !== 'payment') || selfCreated === null || risky.length < 2) return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of risky) {
    if (t === null) return false;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  return hi - lo <= M.clusterDays * DAY_MS && (selfCreated < lo - M.apartDays * DAY_MS || selfCreated > hi + M.apartDays * DAY_MS);
}

/**
 * The flagged or risky accounts linked to `self` (`isRisky`). A group weighs by the square of the share
 * of its other members who are risky: a household or a ring where the risky account is one of few links
 * strongly; a locker or an office where one risky account hides among many ordinary ones links
 * almost nothing. That share is how a place is recognised, not a member count. A device or card
 * of which `self` is the odd one out (`isOddOneOut`, by `selfCreated`) weighs `oddOneOut.weight` of that.
 */
export function linkedNeighbours(
  self: string,
  groups: Iterable<LinkGroupView>,
  status: (id: string) => LinkStatus | undefined,
  selfCreated: number | null = null,
): LinkedNeighbour[] {
  const out = new Map<string, LinkedNeighbour & { full: number; odd: number }>();
  for (const g of groups) {
    const others = g.members.filter((m) => m !== self);
    if (!others.length) continue;
    const risky = others.filter((m) => status(m)?.risky);
    if (!risky.length) continue;
    // Squared: one risky account among a few others links clearly, one among dozens hardly at all.
    const share = (risky.length / others.length) ** 2;
    const odd = isOddOneOut(
      g.kind,
      selfCreated,
      risky.map((id) => status(id)!.created),
    );
    for (const id of risky) {
      const st = status(id)!;
      const w = (KIND_WEIGHT[g.kind] ?? 0.7) * share * (st.flagged ? 1.25 : 1);
      const nb = out.get(id) ?? { id, kinds: [], flagged: st.flagged, weight: 0, discounted: false, full: 0, odd: 0 };
      if (!nb.kinds.includes(g.kind)) nb.kinds.push(g.kind);
      if (odd) nb.odd = Math.max(nb.odd, w);
      else nb.full = Math.max(nb.full, w);
      out.set(id, nb);
    }
  }
  return [...out.values()].map(({ full, odd, ...nb }) => ({
    ...nb,
    kinds: nb.kinds.sort(),
    weight: Math.max(full, odd * RISK_MODEL.oddOneOut.weight),
    discounted: full === 0,
  }));
}

export const linkFeature = (neighbours: LinkedNeighbour[]): number => Math.log1p(neighbours.reduce((s, nb) => s + nb.weight, 0));

/** "R-2 (risky; payment), R-3 (flagged; device) and 2 more": the heaviest three named. */
function namedNeighbours(list: LinkedNeighbour[]): string {
  const each = [...list].sort((a, b) => b.weight - a.weight || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const named = each
    .slice(0, 3)
    .map((nb) => `${nb.id} (${nb.flagged ? 'flagged' : 'risky'}; ${nb.kinds.join(', ')})`)
    .join(', ');
  return `${named}${each.length > 3 ? ` and ${each.length - 3} more` : ''}`;
}

/**
 * Accounts linked by a device, address or payment detail to flagged or risky accounts.
 * The neighbour's label is not copied: the link is evidence, weighed like the others. Accounts
 * whose link was discounted (the buyer is the odd one out of a device or card they share) are
 * named apart with why; when nothing else links the buyer, the reason says so and weighs 0.
 */
export function linkReason(neighbours: LinkedNeighbour[], context: SignContext, weights: Weights = FITTED_WEIGHTS): RiskReason | null {
  if (!neighbours.length) return null;
  const counted = neighbours.filter((nb) => !nb.discounted);
  const discounted = neighbours.filter((nb) => nb.discounted);
  const weight = round2(Math.min(singleCap(weights), coefOf('LINKED_ACCOUNTS', context.c, weights) * linkFeature(neighbours)));
  const shown = weight >= MIN_WEIGHT;
  if (!shown && !discounted.length) return null;
  const M = RISK_MODEL.oddOneOut;
  const risky = `(risky: a score of ${RISK_MODEL.riskyBaseScore} or more of their own)`;
  const discount = M.weight > 0 ? `counted at ${Math.round(M.weight * 100)} %` : 'not counted';
  const why = `opened within ${M.clusterDays} days of each other and more than ${M.apartDays} days before or after the buyer's account (a second-hand device or card, not a ring's)`;
  const text = !counted.length
    ? `shares a device or card with ${plural(discounted.length, 'flagged or risky account', 'flagged or risky accounts')} ${risky}, ${discount}: ${
        discounted.length === 1 ? 'it was' : 'they were'
      } ${why}: ${namedNeighbours(discounted)}`
    : `shares a device, address or payment detail with ${plural(counted.length, 'flagged or risky account', 'flagged or risky accounts')} ${risky}: ${namedNeighbours(counted)}${
        discounted.length ? `; ${discount}: ${discounted.length} more sharing a device or card, ${why}: ${namedNeighbours(discounted)}` : ''
      }`;
  return { code: 'LINKED_ACCOUNTS', text: `${text}${context.text}`, weight: shown ? weight : 0 };
}

/** Σ weights at which the model says even odds: the score maps it to 60. */
const scaleOf = (weights: Weights) => -weights.bias / Math.log(2.5);

/** 100 · (1 − e^(−Σ weights / scale)): 0 without reasons, 60 at the model's even odds, towards 100 beyond. */
export function scoreOf(reasons: RiskReason[], weights: Weights = FITTED_WEIGHTS): number {
  const x = reasons.reduce((s, r) => s + Math.max(0, r.weight), 0);
  return Math.max(0, Math.min(100, Math.round(100 * (1 - Math.exp(-x / scaleOf(weights))))));
}

export function sortReasons(reasons: RiskReason[]): RiskReason[] {
  return reasons.sort((a, b) => b.weight - a.weight || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Whether an account counts as flagged-or-high-risk for the accounts linked to it. */
export function isRisky(label: BuyerAgg['label'], base: number): boolean {
  if (label === 'serial_disputer') return true;
  if (label === 'cleared') return false;
  return base >= RISK_MODEL.riskyBaseScore;
}
