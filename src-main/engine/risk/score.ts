import { RISK_MODEL, decayedAt, fastAt, linkKind, type BuyerAgg, type RiskReason } from './model';
import { posteriorRate, priorMean, type Priors } from './priors';

/**
 * The explainable score: each reason is one signal's weight of evidence (roughly the log of
 * how many times likelier the buyer's smoothed behaviour is than the platform's), capped, in
 * a sentence a person can check; the score is 100 · (1 − e^(−Σ weights / 3)). The link
 * reason is kept apart (`linkReason`), since what linked accounts see is the score without it.
 * Nothing here acts: the score is shown, analysts decide.
 */

export interface ScoreContext {
  asOf: number;
  priors: Priors;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** "0.4 %", "12 %": one decimal below ten percent. */
export function pct(x: number): string {
  const p = x * 100;
  return `${p < 10 ? (Math.round(p * 10) / 10).toFixed(1) : Math.round(p)} %`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** 0 → 0; up to 1 → `first` · x; then `each` more per unit, capped. */
function ramp(x: number, first: number, each: number, cap: number): number {
  if (x <= 0) return 0;
  if (x <= 1) return first * x;
  return Math.min(cap, first + each * (x - 1));
}

/** Reasons from the buyer's own behaviour (everything but links), highest weight first. */
export function baseReasons(b: BuyerAgg, ctx: ScoreContext): RiskReason[] {
  const { asOf, priors } = ctx;
  const M = RISK_MODEL;
  const out: RiskReason[] = [];
  const n = b.n;
  const w = (c: Parameters<typeof decayedAt>[1]) => decayedAt(b, c, asOf);

  // Disputes on (almost) every order: the smoothed rate against the platform's.
  if (n.orders >= M.minOrdersForRate && n.disputes >= M.minDisputesForRate) {
    const platform = priorMean(priors.dispute);
    const rate = posteriorRate(priors.dispute, w('disputes'), w('orders'));
    const ratio = rate / platform;
    if (ratio >= 2) {
      const lead = n.disputes >= 0.75 * n.orders ? 'disputes on almost every order: ' : '';
      out.push({
        code: 'DISPUTE_RATE',
        text: `${lead}${n.disputes} disputes on ${plural(n.orders, 'order', 'orders')} (smoothed ${pct(rate)}); platform ${pct(platform)}`,
        weight: round2(Math.min(2.5, Math.log(ratio))),
      });
    }
  }

  // "Not received" on parcels the carrier shows delivered.
  if (n.nrd >= M.minNrd && n.delivered >= M.minDeliveredForNrd) {
    const platform = priorMean(priors.nrd);
    const rate = posteriorRate(priors.nrd, w('nrd'), w('delivered'));
    const ratio = rate / platform;
    if (ratio >= 3)
      out.push({
        code: 'NOT_RECEIVED_DELIVERED',
        text: `${n.nrd} not-received claims on ${plural(n.delivered, 'delivered order', 'delivered orders')}; platform ${pct(platform)}`,
        weight: round2(Math.min(4, Math.log(ratio))),
      });
  }

  // Velocity: many disputes in a short period, beyond what the buyer's order volume explains.
  const recent = fastAt(b, 'disputes', asOf);
  if (recent >= 3) {
    const expected = Math.max(1, 2 * priorMean(priors.dispute) * fastAt(b, 'orders', asOf));
    const weight = round2(Math.min(2, 0.8 * Math.log(recent / expected)));
    if (weight >= 0.25)
      out.push({
        code: 'VELOCITY',
        text: `about ${Math.round(recent)} disputes in the last three weeks (recent ones count most)`,
        weight,
      });
  }

  // Disputes the platform decided for the seller.
  if (n.lost >= M.minLost && n.decided >= M.minDecidedForLost) {
    const platform = priorMean(priors.lost);
    const rate = posteriorRate(priors.lost, w('lost'), w('decided'));
    const ratio = rate / platform;
    if (ratio >= 1.5)
      out.push({
        code: 'LOST_DISPUTES',
        text: `lost ${n.lost} of ${plural(n.decided, 'decided dispute', 'decided disputes')}; platform ${pct(platform)}`,
        weight: round2(Math.min(1.5, Math.log(ratio))),
      });
  }

  // The same photo again and again, or the same photo as other accounts.
  if (n.photoOwn >= 2) {
    const weight = round2(ramp(w('photoOwn') - 1, 1.0, 0.6, 2.5));
    if (weight > 0) out.push({ code: 'REUSED_PHOTO', text: `the same photo in ${n.photoOwn} of their disputes`, weight });
  }
  if (n.photoShared >= 1) {
    const weight = round2(ramp(w('photoShared'), 1.6, 0.5, 3));
    if (weight > 0)
      out.push({
        code: 'SHARED_PHOTO',
        text: `${plural(n.photoShared, 'dispute', 'disputes')} with a photo other accounts submitted too`,
        weight,
      });
  }

  // What the buyer wrote.
  if (n.threat >= 1) {
    const weight = round2(ramp(w('threat'), 1.0, 0.5, 2.5));
    if (weight > 0)
      out.push({ code: 'REVIEW_THREAT', text: `threatened a bad review in ${plural(n.threat, 'dispute', 'disputes')}`, weight });
  }
  if (n.offPlatform >= 1) {
    const weight = round2(ramp(w('offPlatform'), 1.3, 0.5, 2.5));
    if (weight > 0)
      out.push({
        code: 'OFF_PLATFORM',
        text: `asked to be paid off the platform in ${plural(n.offPlatform, 'dispute', 'disputes')}`,
        weight,
      });
  }

  // Explanations that weigh nothing: what was not held against the buyer, and the analysts' label.
  if (n.excused >= 1)
    out.push({
      code: 'BAD_LUCK',
      text: `${plural(n.excused, 'not-received dispute', 'not-received disputes')} on ${n.excused === 1 ? 'a parcel' : 'parcels'} the carrier did not deliver, not counted against the buyer`,
      weight: 0,
    });
  if (b.label === 'serial_disputer')
    out.push({ code: 'ANALYST_FLAG', text: 'flagged as a serial disputer by an analyst (not part of the score)', weight: 0 });
  if (b.label === 'cleared') out.push({ code: 'ANALYST_CLEARED', text: 'cleared by an analyst (not part of the score)', weight: 0 });
  return sortReasons(out);
}

/** A neighbour through a small link group, and what it is. */
export interface LinkedNeighbour {
  id: string;
  /** Kinds of link shared ("device", "address", "payment"). */
  kinds: string[];
  flagged: boolean;
}

const KIND_WEIGHT: Record<string, number> = { device: 1.5, payment: 1.5, address: 1.0 };

/**
 * Accounts linked by a device, address or payment detail to flagged or high-risk accounts.
 * The neighbour's label is not copied: the link is evidence, weighed like the others.
 */
export function linkReason(neighbours: LinkedNeighbour[]): RiskReason | null {
  if (!neighbours.length) return null;
  const each = neighbours
    .map((nb) => ({ nb, w: Math.max(...nb.kinds.map((k) => KIND_WEIGHT[k] ?? 1)) * (nb.flagged ? 1 : 0.8) }))
    .sort((a, b) => b.w - a.w || (a.nb.id < b.nb.id ? -1 : a.nb.id > b.nb.id ? 1 : 0));
  const weight = round2(Math.min(3, each[0]!.w + 0.5 * (each.length - 1)));
  const named = each
    .slice(0, 3)
    .map(({ nb }) => `${nb.id} (${nb.flagged ? 'flagged' : 'high risk'}; ${[...nb.kinds].sort().join(', ')})`)
    .join(', ');
  const more = each.length > 3 ? ` and ${each.length - 3} more` : '';
  return {
    code: 'LINKED_ACCOUNTS',
    text: `shares a device, address or payment detail with ${plural(each.length, 'flagged or high-risk account', 'flagged or high-risk accounts')}: ${named}${more}`,
    weight,
  };
}

export function scoreOf(reasons: RiskReason[]): number {
  const x = reasons.reduce((s, r) => s + Math.max(0, r.weight), 0);
  return Math.max(0, Math.min(100, Math.round(100 * (1 - Math.exp(-x / RISK_MODEL.scale)))));
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

export { linkKind };
