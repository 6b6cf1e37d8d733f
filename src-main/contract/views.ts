/**
 * What the methods return now lives per area in contract/outputs/ (the method → output
 * map is `MethodOutputs` in contract/methods.ts). This module keeps the older import path
 * working for the screens and tests that still use it; new code imports from the area file.
 */
export type {
  CaseView,
  CommandResult,
  DeadlineKind,
  DecisionView,
  PartyHistory,
  ProposalOptionView,
  ProposalPreview,
  TemplatesView,
} from './outputs/case';
export type { IntakeResult } from './outputs/intake';
export type {
  DeletedView,
  QueueCounts,
  QueueCursor,
  QueuePage,
  QueueRow,
  SavedView,
  SearchHit,
  SearchMatch,
  SearchResult,
} from './outputs/queue';
export type { BuyerDetailView, BuyerRiskListRow, BuyerRiskListView, FairnessView, FlagResult, RiskReasonView } from './outputs/risk';
export type { Me } from './outputs/session';
export type { AssignManyResult, QualityReviewResult } from './outputs/supervision';
export type { TickResult } from './outputs/sweep';
export type { MethodOutput, MethodOutputs } from './methods';
