import type { Outcome, Reason } from './domain';

/**
 * The English names of reasons and outcomes the screens show, and the amount a decision
 * refunds. The letters themselves are rendered in each party's language by
 * contract/i18n/party-letters.ts.
 */

export const REASON_LABELS: Record<Reason, string> = {
  'not_received.in_transit': 'Not received · still in transit',
  'not_received.returned_to_sender': 'Not received · returned to sender',
  'not_received.no_tracking_info': 'Not received · no tracking information',
  'not_received.customs': 'Not received · held by customs',
  'not_received.wrong_address': 'Not received · wrong address',
  not_as_described: 'Not as described',
  defective: 'Defective',
  damaged: 'Damaged',
  wrong_item: 'Wrong item',
  missing_parts: 'Missing parts',
  counterfeit: 'Counterfeit',
  quantity_short: 'Quantity short',
};

export const OUTCOME_LABELS: Record<Outcome, string> = {
  full: 'Full refund',
  partial: 'Partial refund, buyer keeps the item',
  return: 'Return for a full refund',
  none: 'No refund',
};

/** The amount a decision refunds, as the engine resolves it (rule 7). */
export function decisionAmount(outcome: Outcome, amountMinor: number | null | undefined, totalMinor: number): number {
  if (outcome === 'none') return 0;
  if (outcome === 'partial') return amountMinor ?? 0;
  return totalMinor;
}
