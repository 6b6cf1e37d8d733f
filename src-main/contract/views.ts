import type {
  AccountLabel,
  AppealGrounds,
  Basis,
  CaseStatus,
  DeliveryStatus,
  OptionKind,
  Outcome,
  Party,
  Reason,
  RefundStatus,
  Remedy,
  ReplyChoice,
  Role,
} from './domain';
import type { MethodName } from './methods';
import type { SavedFilter } from './methods';
import type { DecisionReasonTemplate, EvidenceTemplate } from './templates';
import type { EvidenceFileView, EvidenceReuseMatch, EvidenceVerifyView, EvidenceWarning } from './evidence';
import type { AppealsListView, PolicyPreviewView, PolicyVersionView, QualityListView, TeamOverview } from './supervision';

/**
 * What the methods return, as plain JSON-safe types (ISO strings, integer minor units).
 * Pure types: the renderer imports these instead of keeping its own copies, and the
 * services are annotated with them so a change on either side fails the typecheck.
 */

export interface Me {
  userId: string;
  name: string;
  role: Role;
  /** The core's clock when it answered (session.me): countdowns follow the clock that decides deadlines. */
  serverTime?: string;
}

/** Keyset cursor: the sort key and id of the last row of the previous page. */
export interface QueueCursor {
  sortKey: number;
  id: string;
}

export type DeadlineKind = 'evidence' | 'reply' | 'appeal' | 'return';

export interface QueueRow {
  id: string;
  status: CaseStatus;
  reason: Reason;
  claimAmountMinor: number;
  currency: string;
  totalMinor: number;
  buyerId: string;
  buyerName: string;
  buyerCountry: string;
  /** An analyst flagged the buyer as a serial disputer. */
  buyerFlagged: boolean;
  /** The buyer's stored fraud-pattern score 0–100 (null for a buyer not scored yet). */
  buyerScore: number | null;
  escalatedAt: string;
  assignee: string | null;
  nextDeadlineAt: string | null;
  /** What the next deadline is, derived from the state (null without a running deadline). */
  nextDeadlineKind: DeadlineKind | null;
  /** A deadline has passed: due but not yet swept, a forced decision, or back in review after a missed evidence deadline. */
  overdue: boolean;
  forcedDecision: boolean;
  /** The assignee must act now (in review: nothing runs until the mediator acts). */
  needsAction: boolean;
  sortKey: number;
}

export interface QueuePage {
  rows: QueueRow[];
  nextCursor: QueueCursor | null;
}

export interface QueueCounts {
  byStatus: Partial<Record<CaseStatus, number>>;
  /** My open cases. */
  mine: number;
  /** Of mine: forced decisions and cases in review, waiting on me. */
  mineNeedsAction: number;
  /** Of mine: a deadline passed or a forced decision. */
  mineOverdue: number;
  unassigned: number;
  allOpen: number;
}

export type SearchMatch = 'case' | 'order' | 'buyer' | 'buyer_name' | 'tracking';

export interface SearchHit extends QueueRow {
  matchedOn: SearchMatch;
}

export interface SearchResult {
  query: string;
  hits: SearchHit[];
}

export interface SavedView {
  id: string;
  name: string;
  filter: SavedFilter;
  createdAt: string;
  updatedAt: string;
}

export interface ProposalOptionView {
  kind: OptionKind;
  amountMinor: number;
  computation: string;
}

export interface ProposalPreview {
  options: ProposalOptionView[];
  recommended: OptionKind;
  recommendationReason: string;
  replyPeriodHours: number;
}

export interface DecisionView {
  outcome: Outcome;
  amountMinor: number;
  basis: Basis;
  decidedBy: string;
  decidedAt: string;
  appealUntil: string | null;
  reasons: string;
  policyVersion: number;
}

export interface RiskReasonView {
  code: string;
  text: string;
  weight: number;
}

export interface PartyHistory {
  /** Orders the platform knows for this account. */
  orders: number;
  /** Escalated disputes involving the account, this one included. */
  disputes: number;
  /** Of those, still open. */
  openDisputes: number;
}

export interface CaseView {
  id: string;
  status: CaseStatus;
  assignee: string | null;
  reason: Reason;
  claim: { remedy: Remedy; amountMinor: number };
  description: string;
  openedAt: string;
  escalatedAt: string;
  forcedDecision: boolean;
  /** The engine's advice before acting (e.g. evidence first for a flagged buyer). */
  guidance: string[];
  order: {
    id: string;
    placedAt: string;
    shippedAt: string | null;
    currency: string;
    itemPriceMinor: number;
    shippingMinor: number;
    totalMinor: number;
    item: { title: string; quantity: number };
    tracking: { number: string | null; carrier: string | null; status: DeliveryStatus | string; deliveredAt: string | null };
  };
  buyer: {
    id: string;
    name: string;
    country: string;
    createdAt: string | null;
    label: AccountLabel | string | null;
    labelNote: string | null;
    history?: PartyHistory;
  };
  seller: { id: string; name: string; country: string; createdAt?: string | null; history?: PartyHistory };
  negotiation: Array<{ at: string; by: string; remedy: string; amountMinor: number; comment: string }>;
  negotiationWarnings: Array<{ code: string; text: string }>;
  messages: Array<{ at: string; by: string; text: string }>;
  evidence: Array<{
    party: Party | string;
    name: string;
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    submittedAt: string;
    requestId: string | null;
    note: string | null;
    /** The stored file (null: only a description arrived). */
    file?: EvidenceFileView | null;
    warnings?: EvidenceWarning[];
    /** The same picture in other disputes (any account) or other accounts. */
    reuse?: EvidenceReuseMatch[];
  }>;
  evidenceRequests: Array<{
    id: string;
    party: Party;
    request: string;
    requestedBy: string;
    requestedAt: string;
    status: 'open' | 'fulfilled' | 'expired';
    dueAt: string;
    resolvedAt: string | null;
  }>;
  proposal: {
    options: ProposalOptionView[];
    recommended: OptionKind;
    recommendationReason: string;
    proposedBy: string;
    proposedAt: string;
    replyDueAt: string;
    replies: Record<Party, ReplyChoice | null>;
    overrideNote: string | null;
    policyVersion: number;
  } | null;
  decision: DecisionView | null;
  previousDecisions: DecisionView[];
  appeal: {
    party: Party;
    grounds: AppealGrounds;
    text: string;
    filedAt: string;
    status: 'pending' | 'upheld' | 'overturned';
    reviewedBy: string | null;
    reviewedAt: string | null;
    reasons: string | null;
  } | null;
  refund: { status: RefundStatus; amountMinor: number; currency: string; returnTrackingNumber: string | null } | null;
  returnDueAt: string | null;
  deadlines: Array<{ key: string; kind: DeadlineKind; dueAt: string; whenPassed: string }>;
  buyerRisk: { score: number; reasons: string[]; details: RiskReasonView[] };
  events: Array<{ at: string; actor: string; type: string; details: unknown }>;
}

export interface CommandResultView {
  caseId: string;
  [key: string]: unknown;
}

export interface TemplatesView {
  evidence: EvidenceTemplate[];
  decisionReasons: DecisionReasonTemplate[];
}

/** The output of each method the screens read; commands answer a CommandResultView. */
export interface MethodOutputs {
  'session.me': Me | null;
  'queue.list': QueuePage;
  'queue.counts': QueueCounts;
  'case.get': CaseView;
  'case.search': SearchResult;
  'case.previewProposal': ProposalPreview;
  'views.list': SavedView[];
  'views.save': SavedView;
  'views.delete': { id: string; deleted: boolean };
  'templates.list': TemplatesView;
  'case.claim': CommandResultView;
  'case.claimNext': CommandResultView;
  'case.requestEvidence': CommandResultView;
  'case.propose': CommandResultView;
  'case.decide': CommandResultView;
  'risk.list': BuyerRiskListView;
  'risk.get': BuyerDetailView;
  'account.flag': { accountId: string; label: AccountLabel };
  'appeals.list': AppealsListView;
  'team.overview': TeamOverview;
  'team.memberCases': QueuePage;
  'case.assignMany': { userId: string; caseIds: string[] };
  'policy.get': PolicyVersionView;
  'policy.history': PolicyVersionView[];
  'policy.preview': PolicyPreviewView;
  'policy.publish': PolicyVersionView;
  'quality.list': QualityListView;
  'quality.review': { caseId: string; verdict: 'agree' | 'disagree' };
  'evidence.verify': EvidenceVerifyView;
}

/** A row of the analysts' "Buyers by risk" list. */
export interface BuyerRiskListRow {
  buyerId: string;
  name: string;
  country: string;
  score: number;
  label: AccountLabel | null;
  /** The heaviest reason's sentence (null: no signal). */
  topReason: string | null;
  reasons: string[];
  orders: number;
  disputes: number;
  scoredAt: string;
}
export interface BuyerRiskListView {
  rows: BuyerRiskListRow[];
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: { score: number; buyerId: string } | null;
}
export interface BuyerDetailView {
  buyer: {
    id: string;
    name: string;
    country: string;
    createdAt: string | null;
    label: AccountLabel | null;
    labelNote: string | null;
    labelledBy: string | null;
    labelledAt: string | null;
  };
  risk: { score: number; reasons: string[]; details: RiskReasonView[] };
  labelHistory: Array<{ label: string; note: string; by: string; at: string }>;
  /** The newest 200 cases, newest first; outcome is the latest decision's. */
  cases: Array<{
    id: string;
    reason: string;
    status: string;
    claimAmountMinor: number;
    currency: string;
    outcome: string | null;
    openedAt: string;
  }>;
  linked: Array<{
    accountId: string;
    name: string;
    country: string;
    score: number | null;
    label: AccountLabel | null;
    via: Array<{ kind: string; value: string }>;
  }>;
}

export type MethodOutput<M extends MethodName> = M extends keyof MethodOutputs ? MethodOutputs[M] : unknown;
