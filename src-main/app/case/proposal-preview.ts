import { isNotReceived } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import { formatMinor } from '../../contract/money-format';
import type { ProposalPreview } from '../../contract/views';
import type { Db } from '../../db/connect';
import { loadCaseState } from '../../db/repos/case';
import { computeProposal } from '../../engine/proposal';
import { currentPolicy } from '../../db/repos/policy';

/**
 * What `case.propose` would publish now, computed by the same engine function on the same
 * state and policy, for the propose dialog (the arithmetic, the recommendation and its
 * reason, the effect of an overridden partial amount). Reads only.
 */
export async function previewProposal(db: Db, caseId: string, partialAmountMinor: number | undefined): Promise<ProposalPreview> {
  const state = await loadCaseState(db, caseId);
  if (!state) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
  const { policy } = await currentPolicy(db);
  let override: number | null = null;
  if (partialAmountMinor !== undefined) {
    if (isNotReceived(state.reason))
      throw new AppFailure(
        'VALIDATION',
        'An item that was not received has a single full-refund option; there is no partial amount to set.',
        'partialAmountMinor',
      );
    if (partialAmountMinor < 1 || partialAmountMinor > state.order.totalMinor)
      throw new AppFailure(
        'AMOUNT_OUT_OF_RANGE',
        `The partial amount must be between ${formatMinor(1, state.order.currency)} and the order total ${formatMinor(state.order.totalMinor, state.order.currency)}.`,
      );
    override = partialAmountMinor;
  }
  const computed = computeProposal(state, policy, override);
  return { ...computed, replyPeriodHours: policy.replyPeriodHours };
}
