/**
 * Output shapes come from the contract (src-main/contract/views.ts): one definition for
 * the core and the screens, checked by the typecheck on both sides.
 */
export type {
  CaseView,
  Me,
  MethodOutput,
  ProposalPreview,
  QueueCounts,
  QueueCursor,
  QueuePage,
  QueueRow,
  SavedView,
  SearchHit,
  SearchResult,
} from '../../../src-main/contract/views';
export type { SavedFilter } from '../../../src-main/contract/methods';
export type { BuyerDetailView, BuyerRiskListRow, BuyerRiskListView } from '../../../src-main/contract/views';
