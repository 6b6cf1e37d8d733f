import type { CaseState } from './state';

/**
 * What the engine advises the mediator before acting. A buyer flagged as a serial
 * disputer adds friction (evidence first), never an automatic loss.
 */
export function guidance(state: CaseState): string[] {
  const out: string[] = [];
  const open = state.status === 'escalated' || state.status === 'in_review';
  const askedBuyer = state.evidenceRequests.some((r) => r.party === 'buyer');
  if (state.buyerLabel === 'serial_disputer' && open && !state.proposal && !askedBuyer)
    out.push(
      'An analyst flagged this buyer as a serial disputer: ask the buyer for evidence before publishing the resolutions. The flag alone never decides the case.',
    );
  return out;
}
