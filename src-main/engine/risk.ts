import type { AccountLabel } from '../contract/domain';

/** What the database knows about one buyer, counted; the scoring below is pure. */
export interface BuyerFacts {
  orders: number;
  disputes: number;
  disputesLast30Days: number;
  notReceivedOnDelivered: number;
  reusedPhotoDisputes: number;
  linkedToFlagged: number;
  label: AccountLabel | null;
}

export interface RiskReason {
  code: string;
  text: string;
  weight: number;
}

/** Platform-wide priors: a typical buyer disputes about 2 % of orders. */
const PRIOR_DISPUTE_RATE = 0.02;
const PRIOR_WEIGHT = 10;
const MIN_ORDERS_FOR_RATE = 5;

/**
 * An explainable 0–100 score. Rates are smoothed towards the platform prior, so an
 * account with two orders is never ranked on its raw rate; nothing here acts by itself.
 */
export function scoreBuyer(f: BuyerFacts): { score: number; reasons: RiskReason[] } {
  const reasons: RiskReason[] = [];
  const smoothedRate = (f.disputes + PRIOR_DISPUTE_RATE * PRIOR_WEIGHT) / (f.orders + PRIOR_WEIGHT);
  if (f.orders >= MIN_ORDERS_FOR_RATE && smoothedRate > 3 * PRIOR_DISPUTE_RATE)
    reasons.push({
      code: 'DISPUTE_RATE',
      text: `${f.disputes} disputes on ${f.orders} orders (smoothed ${(smoothedRate * 100).toFixed(1)} %; platform ${(PRIOR_DISPUTE_RATE * 100).toFixed(1)} %)`,
      weight: round2(Math.log(smoothedRate / PRIOR_DISPUTE_RATE)),
    });
  if (f.notReceivedOnDelivered >= 2)
    reasons.push({
      code: 'NOT_RECEIVED_ON_DELIVERED',
      text: `${f.notReceivedOnDelivered} "not received" claims on parcels the carrier shows delivered`,
      weight: round2(0.6 * (f.notReceivedOnDelivered - 1)),
    });
  if (f.disputesLast30Days >= 4)
    reasons.push({ code: 'VELOCITY', text: `${f.disputesLast30Days} disputes in the last 30 days`, weight: round2(0.3 * (f.disputesLast30Days - 3)) });
  if (f.reusedPhotoDisputes >= 1)
    reasons.push({ code: 'REUSED_PHOTO', text: `the same photo appears in ${f.reusedPhotoDisputes + 1} disputes`, weight: round2(0.8 * f.reusedPhotoDisputes) });
  if (f.linkedToFlagged >= 1)
    reasons.push({ code: 'LINKED_TO_FLAGGED', text: `shares a device, address or payment method with ${f.linkedToFlagged} flagged account(s)`, weight: 1 });
  if (f.label === 'serial_disputer') reasons.push({ code: 'FLAGGED', text: 'flagged as a serial disputer by an analyst', weight: 1.5 });
  const x = reasons.reduce((s, r) => s + Math.max(0, r.weight), 0);
  const cleared = f.label === 'cleared';
  const score = Math.round(100 * (1 - Math.exp(-x / (cleared ? 3 : 1.5))));
  if (cleared) reasons.push({ code: 'CLEARED', text: 'cleared by an analyst: the score is damped', weight: 0 });
  return { score: Math.min(100, Math.max(0, score)), reasons: reasons.sort((a, b) => b.weight - a.weight) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
