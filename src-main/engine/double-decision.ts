import type { Outcome } from '../contract/domain';
import type { ErrorCode } from '../contract/errors';
import { formatMoney } from './money';

/**
 * Blind double decisions (issue 18), the pure part: the amount a second decision stands for
 * (the same rules as a first decision), whether two decisions agree, who decides again, and
 * the agreement figures of a group of pairs.
 */

export type AmountCheck = { ok: true; amountMinor: number } | { ok: false; code: ErrorCode; message: string };

/** The amount of a decision with this outcome, as engine/decide.ts settles a first one (without a proposal to default to). */
export function secondDecisionAmount(outcome: Outcome, amount: number | undefined, totalMinor: number, currency: string): AmountCheck {
  const money = (n: number) => formatMoney(n, currency);
  switch (outcome) {
    case 'none':
      if (amount !== undefined && amount !== 0)
        return { ok: false, code: 'AMOUNT_OUT_OF_RANGE', message: 'A decision of "none" refunds nothing; leave the amount empty.' };
      return { ok: true, amountMinor: 0 };
    case 'full':
    case 'return':
      if (amount !== undefined && amount !== totalMinor)
        return {
          ok: false,
          code: 'AMOUNT_OUT_OF_RANGE',
          message: `A ${outcome} refund is the order total ${money(totalMinor)}; use "partial" for another amount.`,
        };
      return { ok: true, amountMinor: totalMinor };
    case 'partial':
      if (amount === undefined)
        return { ok: false, code: 'VALIDATION', message: 'A partial refund needs an amount (amountMinor, in minor units).' };
      if (amount < 1 || amount > totalMinor)
        return {
          ok: false,
          code: 'AMOUNT_OUT_OF_RANGE',
          message: `The amount must be between ${money(1)} and the order total ${money(totalMinor)}.`,
        };
      return { ok: true, amountMinor: amount };
  }
}

export interface DecisionPoint {
  outcome: string;
  amountMinor: number;
}

/** Same outcome; amounts within `bandPct` percent of the order total of each other (inclusive). */
export function decisionsAgree(first: DecisionPoint, second: DecisionPoint, totalMinor: number, bandPct: number) {
  const band = (Math.max(totalMinor, 0) * bandPct) / 100;
  return { sameOutcome: first.outcome === second.outcome, withinBand: Math.abs(first.amountMinor - second.amountMinor) <= band };
}

/**
 * The second decider among the eligible mediators (any order: sorted here), from a keyed
 * draw in [0, 1): reproducible, and not up to the first decider. Null when nobody is eligible.
 */
export function pickSecondDecider(eligible: readonly string[], draw: number): string | null {
  if (!eligible.length) return null;
  const sorted = [...new Set(eligible)].sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(draw * sorted.length))]!;
}

export interface AgreementCounts {
  pairs: number;
  sameOutcome: number;
  amountWithinBand: number;
}

/** Adds one pair's agreement to a group's counts. */
export function countPair(into: AgreementCounts, agree: { sameOutcome: boolean; withinBand: boolean }): void {
  into.pairs++;
  if (agree.sameOutcome) into.sameOutcome++;
  if (agree.withinBand) into.amountWithinBand++;
}

export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
