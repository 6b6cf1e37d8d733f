import { isNotReceived, type OptionKind, type ReceivedReason } from '../contract/domain';
import type { Policy } from '../contract/policy';
import { applyRate, formatMoney } from './money';
import type { CaseState, ProposalOption } from './state';

export interface ComputedProposal {
  options: ProposalOption[];
  recommended: OptionKind;
  recommendationReason: string;
}

/**
 * The two standard resolutions of DOMAIN.md rule 5, with the arithmetic written out.
 * `override` is the mediator's partial amount (already range-checked by the caller).
 */
export function computeProposal(state: CaseState, policy: Policy, override: number | null): ComputedProposal {
  const { order, claim } = state;
  const money = (n: number) => formatMoney(n, order.currency);
  if (isNotReceived(state.reason)) {
    return {
      options: [
        {
          kind: 'full',
          amountMinor: order.totalMinor,
          computation: `Item not received: full refund of the order total ${money(order.totalMinor)}, no return.`,
        },
      ],
      recommended: 'full',
      recommendationReason: 'The buyer has not received the item, so the only standard resolution is a full refund.',
    };
  }
  const reason = state.reason as ReceivedReason;
  const rate = policy.partialRates[reason];
  const byRate = applyRate(rate, order.itemPriceMinor);
  const computed = Math.min(claim.amountMinor, byRate);
  const partialAmount = override ?? computed;
  const rateText = `${round2(rate * 100)} % of the item price ${money(order.itemPriceMinor)} = ${money(byRate)}`;
  const partialComputation =
    override !== null
      ? `Set by the mediator to ${money(override)} (the standard amount would be min(claim ${money(claim.amountMinor)}, ${rateText}) = ${money(computed)}).`
      : `min(claim ${money(claim.amountMinor)}, ${rateText}) = ${money(computed)}; the buyer keeps the item.`;
  const returnOption: ProposalOption = {
    kind: 'return',
    amountMinor: order.totalMinor,
    computation: `Full refund of the order total ${money(order.totalMinor)}, paid once the seller confirms the returned item; the buyer pays the return postage.`,
  };
  // A rate that yields nothing (a policy rate of 0, a price of a few minor units) offers no partial refund at all.
  if (partialAmount < 1)
    return {
      options: [returnOption],
      recommended: 'return',
      recommendationReason: `The partial-refund rule gives ${money(partialAmount)} (${rateText}), so the only standard resolution is a refund against the returned item.`,
    };
  const options: ProposalOption[] = [{ kind: 'partial', amountMinor: partialAmount, computation: partialComputation }, returnOption];
  return { options, ...recommend(state, partialAmount) };
}

function recommend(state: CaseState, partialAmount: number): { recommended: OptionKind; recommendationReason: string } {
  const { order, claim } = state;
  const money = (n: number) => formatMoney(n, order.currency);
  if (state.buyerLabel === 'serial_disputer')
    return {
      recommended: 'return',
      recommendationReason:
        'The buyer account is flagged as a serial disputer by an analyst: a refund against the returned item protects the seller without deciding against the buyer.',
    };
  const sellerMissed = state.evidenceRequests.some((r) => r.party === 'seller' && r.status === 'expired');
  if (sellerMissed)
    return {
      recommended: 'partial',
      recommendationReason: 'The seller let an evidence request expire; a refund without the return burden is fair to the buyer.',
    };
  // The buyer pays the return postage, which is usually at least what the outbound shipping cost.
  const postage = Math.max(order.shippingMinor, 1);
  const shortfall = order.totalMinor - partialAmount;
  if (claim.remedy === 'return_and_refund' && shortfall > postage)
    return {
      recommended: 'return',
      recommendationReason: `The buyer asked to return the item; the return recovers ${money(shortfall)} more than the partial refund, more than the estimated return postage (${money(order.shippingMinor)}).`,
    };
  if (shortfall <= 0)
    return {
      recommended: 'partial',
      recommendationReason: `The partial refund already equals the order total ${money(order.totalMinor)}: a return would only add postage and delay.`,
    };
  if (shortfall <= postage)
    return {
      recommended: 'partial',
      recommendationReason: `The partial refund is within the estimated return postage (${money(order.shippingMinor)}) of a full refund: shipping the item back costs more than it saves.`,
    };
  return {
    recommended: 'partial',
    recommendationReason: `The buyer asked for a refund and keeps the item; ${money(partialAmount)} settles the claim without a return.`,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
