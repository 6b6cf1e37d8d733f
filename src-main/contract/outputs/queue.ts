import { z } from 'zod';
import { CaseStatus, Reason } from '../domain';
import { SavedFilter } from '../methods';
import { DeadlineKind } from './case';

/** What the queue methods answer: the paged queue, its counts, search, and the saved views. */

/** Keyset cursor: the sort key and id of the last row of the previous page. */
export const QueueCursor = z.object({ sortKey: z.number(), id: z.string() });
export type QueueCursor = z.output<typeof QueueCursor>;

export const QueueRow = z.object({
  id: z.string(),
  status: CaseStatus,
  reason: Reason,
  claimAmountMinor: z.number().int(),
  currency: z.string(),
  totalMinor: z.number().int(),
  buyerId: z.string(),
  buyerName: z.string(),
  buyerCountry: z.string(),
  /** An analyst flagged the buyer as a serial disputer. */
  buyerFlagged: z.boolean(),
  /** The buyer's stored fraud-pattern score 0–100 (null for a buyer not scored yet). */
  buyerScore: z.number().nullable(),
  escalatedAt: z.string(),
  assignee: z.string().nullable(),
  nextDeadlineAt: z.string().nullable(),
  /** What the next deadline is, derived from the state (null without a running deadline). */
  nextDeadlineKind: DeadlineKind.nullable(),
  /** A deadline has passed: due but not yet swept, a forced decision, or back in review after a missed evidence deadline. */
  overdue: z.boolean(),
  forcedDecision: z.boolean(),
  /** The assignee must act now (in review: nothing runs until the mediator acts). */
  needsAction: z.boolean(),
  sortKey: z.number(),
  /** Others who have the case open now, and what they are writing (presence; absent when nobody). */
  presence: z.array(z.object({ userId: z.string(), name: z.string(), activity: z.string() })).optional(),
});
export type QueueRow = z.output<typeof QueueRow>;

export const QueuePage = z.object({
  rows: z.array(QueueRow),
  nextCursor: QueueCursor.nullable(),
});
export type QueuePage = z.output<typeof QueuePage>;

export const QueueCounts = z.object({
  byStatus: z.partialRecord(CaseStatus, z.number().int()),
  /** My open cases. */
  mine: z.number().int(),
  /** Of mine: forced decisions and cases in review, waiting on me. */
  mineNeedsAction: z.number().int(),
  /** Of mine: a deadline passed or a forced decision. */
  mineOverdue: z.number().int(),
  unassigned: z.number().int(),
  allOpen: z.number().int(),
});
export type QueueCounts = z.output<typeof QueueCounts>;

export const SearchMatch = z.enum(['case', 'order', 'buyer', 'buyer_name', 'tracking']);
export type SearchMatch = z.output<typeof SearchMatch>;

export const SearchHit = QueueRow.extend({ matchedOn: SearchMatch });
export type SearchHit = z.output<typeof SearchHit>;

export const SearchResult = z.object({
  query: z.string(),
  hits: z.array(SearchHit),
});
export type SearchResult = z.output<typeof SearchResult>;

export const SavedView = z.object({
  id: z.string(),
  name: z.string(),
  filter: SavedFilter,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SavedView = z.output<typeof SavedView>;

export const DeletedView = z.object({ id: z.string(), deleted: z.boolean() });
export type DeletedView = z.output<typeof DeletedView>;

/** What the queue methods answer (search and saved views included). */
export interface QueueOutputs {
  'queue.list': QueuePage;
  'queue.counts': QueueCounts;
  'case.search': SearchResult;
  'views.list': SavedView[];
  'views.save': SavedView;
  'views.delete': DeletedView;
}
