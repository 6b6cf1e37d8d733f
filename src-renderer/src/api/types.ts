/**
 * Output shapes come from the contract (src-main/contract/outputs/, mapped per method by
 * `MethodOutputs` in contract/methods.ts): one definition for the core and the screens,
 * checked by the typecheck on both sides. `call()` returns `MethodOutput<M>` for every method.
 */
export type { MethodOutput, MethodOutputs, SavedFilter } from '../../../src-main/contract/methods';
export type { CaseView, CommandResult, ProposalPreview } from '../../../src-main/contract/outputs/case';
export type {
  QueueCounts,
  QueueCursor,
  QueuePage,
  QueueRow,
  SavedView,
  SearchHit,
  SearchResult,
} from '../../../src-main/contract/outputs/queue';
export type { BuyerDetailView, BuyerRiskListRow, BuyerRiskListView } from '../../../src-main/contract/outputs/risk';
export type { Me } from '../../../src-main/contract/outputs/session';
