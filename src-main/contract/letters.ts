import { DEFAULT_POLICY } from './policy';
import type { Outcome, Party, Reason } from './domain';
import { formatMinor } from './money-format';

/**
 * The decision letters the two parties receive, rendered from the case and the chosen
 * outcome before the mediator confirms: what they read is what the mediator previewed.
 * Pure: no clock, no locale, no I/O.
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

export interface LetterCase {
  id: string;
  reason: Reason;
  order: { id: string; currency: string; totalMinor: number; item: { title: string; quantity: number } };
  buyer: { name: string };
  seller: { name: string };
}

export interface LetterDecision {
  outcome: Outcome;
  /** Partial refunds only; full and return refund the order total, none refunds nothing. */
  amountMinor?: number | null;
  reasons: string;
}

export interface LetterPolicy {
  appealWindowHours: number;
  returnShipmentHours: number;
}

export interface Letter {
  party: Party;
  to: string;
  subject: string;
  body: string;
}

/** The amount a decision refunds, as the engine resolves it (rule 7). */
export function decisionAmount(outcome: Outcome, amountMinor: number | null | undefined, totalMinor: number): number {
  if (outcome === 'none') return 0;
  if (outcome === 'partial') return amountMinor ?? 0;
  return totalMinor;
}

const hoursText = (h: number) => (h % 24 === 0 ? `${h / 24} days (${h} hours)` : `${h} hours`);

export function decisionLetters(
  c: LetterCase,
  d: LetterDecision,
  policy: LetterPolicy = { appealWindowHours: DEFAULT_POLICY.appealWindowHours, returnShipmentHours: DEFAULT_POLICY.returnShipmentHours },
): { buyer: Letter; seller: Letter } {
  const money = (n: number) => formatMinor(n, c.order.currency);
  const total = c.order.totalMinor;
  const amount = decisionAmount(d.outcome, d.amountMinor, total);
  // A partial refund whose amount is not valid yet (being typed): the letter never shows a made-up 0.
  const partialUnset = d.outcome === 'partial' && (d.amountMinor === null || d.amountMinor === undefined);
  const refund = partialUnset ? '(the refund amount you enter)' : money(amount);
  const remaining = partialUnset ? 'rest' : `remaining ${money(Math.max(0, total - amount))}`;
  const item = `${c.order.item.quantity > 1 ? `${c.order.item.quantity} × ` : ''}“${c.order.item.title}”`;
  const reasons = d.reasons.trim() || '(the reasons you write appear here)';
  const appeal = `If you disagree, you may appeal within ${hoursText(policy.appealWindowHours)} of this decision, on the grounds of the outcome, the mediator’s conduct or new evidence. A supervisor who did not take this decision will review the appeal.`;

  const buyerOutcome: Record<Outcome, string> = {
    full: `You will be refunded the order total of ${money(total)}. You do not need to send the item back.`,
    partial: `You will be refunded ${refund} and you keep the item.`,
    return: `Please send the item back to the seller within ${hoursText(policy.returnShipmentHours)} of this decision and give us the return tracking number. Once the seller confirms receipt, you will be refunded the order total of ${money(total)}. The return postage is yours to pay; if the item is not shipped back in time, the refund is cancelled.`,
    none: `No refund is due. The payment of ${money(total)} is released to the seller.`,
  };
  const sellerOutcome: Record<Outcome, string> = {
    full: `The buyer is refunded the order total of ${money(total)} from the held payment and does not return the item.`,
    partial: `The buyer is refunded ${refund} from the held payment and keeps the item; the ${remaining} is released to you.`,
    return: `The buyer will send the item back within ${hoursText(policy.returnShipmentHours)} of this decision. Please confirm receipt when it arrives; the order total of ${money(total)} is then refunded to the buyer from the held payment.`,
    none: `No refund is due. The held payment of ${money(total)} is released to you.`,
  };

  const letter = (party: Party, name: string, outcomeText: string): Letter => ({
    party,
    to: name,
    subject: `Decision on dispute ${c.id} (order ${c.order.id}): ${OUTCOME_LABELS[d.outcome].toLowerCase()}`,
    body: [
      `Dear ${name},`,
      '',
      `We have reviewed the dispute about ${item} (order ${c.order.id}; reason: ${REASON_LABELS[c.reason].toLowerCase()}).`,
      '',
      `Decision: ${OUTCOME_LABELS[d.outcome]}.`,
      outcomeText,
      '',
      'Reasons:',
      reasons,
      '',
      appeal,
      '',
      'The mediation team',
    ].join('\n'),
  });

  return {
    buyer: letter('buyer', c.buyer.name, buyerOutcome[d.outcome]),
    seller: letter('seller', c.seller.name, sellerOutcome[d.outcome]),
  };
}
