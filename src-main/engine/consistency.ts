import type { MediatorConsistency, NearDecision } from '../contract/casework';
import type { Outcome } from '../contract/domain';

/**
 * Consistency at decision time (issue 17): the past decisions nearest to the case being
 * decided, and whether a planned decision is far from them. Pure; the candidates come from
 * db/repos/casework.ts (the decided cases of the same reason, newest first, bounded).
 *
 * Nearness, smaller is nearer: a different delivery status 2, each step between claim-amount
 * bands (the claim's share of the order total in quarters) 1, a different evidence pattern
 * 1.5, another seller 0.5. The reason is always the same.
 */

export interface DecisionProfile {
  caseId: string;
  deliveryStatus: string;
  /** claim / order total, 0–1. */
  claimShare: number;
  evidencePattern: string;
  sellerId: string;
}

export interface PastDecision extends DecisionProfile {
  outcome: Outcome;
  amountMinor: number;
  totalMinor: number;
  currency: string;
  decidedAt: number;
  decidedBy: string;
}

/** The claim's share of the total in quarters: 0 (up to a quarter) … 3 (over three quarters). */
export const amountBand = (share: number): number => Math.min(3, Math.max(0, Math.ceil(share * 4) - 1));

export function distance(a: DecisionProfile, b: DecisionProfile): { distance: number; matches: string[] } {
  const matches: string[] = ['reason'];
  let d = 0;
  if (a.deliveryStatus === b.deliveryStatus) matches.push('delivery status');
  else d += 2;
  const bands = Math.abs(amountBand(a.claimShare) - amountBand(b.claimShare));
  if (bands === 0) matches.push('amount band');
  d += bands;
  if (a.evidencePattern === b.evidencePattern) matches.push('evidence');
  else d += 1.5;
  if (a.sellerId === b.sellerId) matches.push('seller');
  else d += 0.5;
  return { distance: d, matches };
}

/** The k nearest past decisions (ties: the newer first, then by case id). */
export function nearestDecisions(target: DecisionProfile, past: readonly PastDecision[], k: number): NearDecision[] {
  return past
    .filter((p) => p.caseId !== target.caseId)
    .map((p) => ({ p, ...distance(target, p) }))
    .sort((x, y) => x.distance - y.distance || y.p.decidedAt - x.p.decidedAt || (x.p.caseId < y.p.caseId ? -1 : 1))
    .slice(0, k)
    .map(({ p, distance, matches }) => ({
      caseId: p.caseId,
      outcome: p.outcome,
      amountMinor: p.amountMinor,
      currency: p.currency,
      share: refundShare(p.outcome, p.amountMinor, p.totalMinor),
      decidedAt: new Date(p.decidedAt).toISOString(),
      decidedBy: p.decidedBy,
      matches,
      distance,
    }));
}

/** What share of the order total a decision refunds (a return refunds the total once the item is back). */
export function refundShare(outcome: Outcome, amountMinor: number, totalMinor: number): number {
  if (outcome === 'none') return 0;
  if (outcome === 'partial') return totalMinor > 0 ? Math.min(1, amountMinor / totalMinor) : 0;
  return 1;
}

/** A partial refund agrees with another partial when their shares of the total are this close. */
export const PARTIAL_SHARE_TOLERANCE = 0.25;
/** Fewer close neighbours than this and nothing counts as far: too little history to compare with. */
export const MIN_NEIGHBOURS = 3;
/**
 * Only neighbours this near count for "far": the same delivery status, and then at most one
 * more difference (a band apart, possibly another seller; or another evidence pattern).
 */
export const CLOSE_DISTANCE = 1.5;

const OUTCOME_WORDS: Record<Outcome, [string, string]> = {
  full: ['full refund', 'full refunds'],
  partial: ['partial refund', 'partial refunds'],
  return: ['return and refund', 'returns and refunds'],
  none: ['no refund', 'no refunds'],
};

const agrees = (planned: { outcome: Outcome; share: number }, n: NearDecision) =>
  n.outcome === planned.outcome && (planned.outcome !== 'partial' || Math.abs(n.share - planned.share) <= PARTIAL_SHARE_TOLERANCE);

/**
 * Whether deciding `outcome` (with `amountMinor` for a partial) is far from the nearest
 * decisions: at least MIN_NEIGHBOURS close ones (CLOSE_DISTANCE) to compare with, two thirds of them got one outcome (a
 * practice, not a split), and none of them agrees with the planned one.
 */
export function judgeConsistency(
  planned: { outcome: Outcome; amountMinor: number; totalMinor: number } | null,
  all: readonly NearDecision[],
): { far: boolean; explanation: string } {
  const nearest = all.filter((n) => n.distance <= CLOSE_DISTANCE);
  if (nearest.length < MIN_NEIGHBOURS)
    return {
      far: false,
      explanation: `Only ${nearest.length} comparable past decision${nearest.length === 1 ? '' : 's'}: too few to compare with.`,
    };
  const tally = new Map<Outcome, number>();
  for (const n of nearest) tally.set(n.outcome, (tally.get(n.outcome) ?? 0) + 1);
  const summary = [...tally.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([o, c]) => `${c} ${OUTCOME_WORDS[o][c === 1 ? 0 : 1]}`)
    .join(', ');
  if (!planned) return { far: false, explanation: `The ${nearest.length} nearest past decisions: ${summary}.` };
  const target = { outcome: planned.outcome, share: refundShare(planned.outcome, planned.amountMinor, planned.totalMinor) };
  const agreeing = nearest.filter((n) => agrees(target, n)).length;
  const what =
    planned.outcome === 'partial'
      ? `a partial refund of about ${Math.round(target.share * 100)} % of the total`
      : `a ${OUTCOME_WORDS[planned.outcome][0]}`;
  // Far from a practice, not from a split: the nearest must mostly agree among themselves (two thirds).
  const usual = Math.max(...tally.values());
  if (agreeing === 0 && usual * 3 >= nearest.length * 2)
    return {
      far: true,
      explanation: `None of the ${nearest.length} nearest past decisions was ${what} (${summary}). Say in a note why this case differs.`,
    };
  return { far: false, explanation: `${agreeing} of the ${nearest.length} nearest past decisions agree with ${what} (${summary}).` };
}

export interface TeamDecision {
  decidedBy: string;
  reason: string;
  deliveryStatus: string;
  claimShare: number;
  outcome: Outcome;
}

/**
 * Per mediator, how many of their decisions got the outcome most decisions of the same kind
 * (reason, delivery status, amount band) got across the team in the window. A group of one
 * decision agrees with itself, so it is left out (nothing to compare with).
 */
export function teamConsistency(decisions: readonly TeamDecision[], names: ReadonlyMap<string, string>): MediatorConsistency[] {
  const key = (d: TeamDecision) => `${d.reason}|${d.deliveryStatus}|${amountBand(d.claimShare)}`;
  const groups = new Map<string, Map<Outcome, number>>();
  for (const d of decisions) {
    const g = groups.get(key(d)) ?? new Map<Outcome, number>();
    g.set(d.outcome, (g.get(d.outcome) ?? 0) + 1);
    groups.set(key(d), g);
  }
  const usual = (g: Map<Outcome, number>) => Math.max(...g.values());
  const per = new Map<string, { decisions: number; agreeing: number }>();
  for (const d of decisions) {
    const g = groups.get(key(d))!;
    const size = [...g.values()].reduce((a, b) => a + b, 0);
    if (size < 2) continue;
    const row = per.get(d.decidedBy) ?? { decisions: 0, agreeing: 0 };
    row.decisions++;
    if (g.get(d.outcome) === usual(g)) row.agreeing++;
    per.set(d.decidedBy, row);
  }
  return [...names.entries()]
    .map(([userId, name]) => {
      const row = per.get(userId) ?? { decisions: 0, agreeing: 0 };
      return { userId, name, ...row, rate: row.decisions ? row.agreeing / row.decisions : null };
    })
    .sort((a, b) => (a.rate ?? 2) - (b.rate ?? 2) || a.userId.localeCompare(b.userId));
}
