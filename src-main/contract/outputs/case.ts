import { z } from 'zod';
import type { AccountLabel, AppealGrounds, DeliveryStatus, Party, Reason, RefundStatus, Remedy, ReplyChoice } from '../domain';
import { Basis, CaseStatus, OptionKind, Outcome } from '../domain';
import type { EvidenceFileView, EvidenceReuseMatch, EvidenceWarning } from '../evidence';
import type { DecisionReasonTemplate, EvidenceTemplate } from '../templates';
import type { LetterLanguage } from '../i18n/languages';
import type { RiskReasonView } from './risk';
import type { DoubleDecisionOnCase } from '../scorecards';

/**
 * What the case methods answer: the case screen's view, the proposal preview, the
 * templates, and the one result every case command (mediator's or party's) returns.
 */

/** What every case command answers: the case and the status it is in after the command (and the sweep before it). */
export const CommandResult = z.object({ caseId: z.string(), status: CaseStatus });
export type CommandResult = z.output<typeof CommandResult>;

export const DeadlineKind = z.enum(['evidence', 'reply', 'appeal', 'return']);
export type DeadlineKind = z.output<typeof DeadlineKind>;

export const ProposalOptionView = z.object({
  kind: OptionKind,
  amountMinor: z.number().int(),
  computation: z.string(),
});
export type ProposalOptionView = z.output<typeof ProposalOptionView>;

export const ProposalPreview = z.object({
  options: z.array(ProposalOptionView),
  recommended: OptionKind,
  recommendationReason: z.string(),
  replyPeriodHours: z.number(),
});
export type ProposalPreview = z.output<typeof ProposalPreview>;

export const DecisionView = z.object({
  outcome: Outcome,
  amountMinor: z.number().int(),
  basis: Basis,
  decidedBy: z.string(),
  decidedAt: z.string(),
  appealUntil: z.string().nullable(),
  reasons: z.string(),
  policyVersion: z.number().int(),
});
export type DecisionView = z.output<typeof DecisionView>;

export const PartyHistory = z.object({
  /** Orders the platform knows for this account. */
  orders: z.number().int(),
  /** Escalated disputes involving the account, this one included. */
  disputes: z.number().int(),
  /** Of those, still open. */
  openDisputes: z.number().int(),
});
export type PartyHistory = z.output<typeof PartyHistory>;

export interface CaseView {
  id: string;
  /** Grows with every change to the case; a dialog sends it back as basedOnVersion (STALE when it moved). */
  version: number;
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
    /** The language the dispute gave for the buyer, if any. */
    language?: string | null;
    /** The language the desk writes to the buyer in (language, else country, else English). */
    letterLanguage?: LetterLanguage;
    createdAt: string | null;
    label: AccountLabel | string | null;
    labelNote: string | null;
    history?: PartyHistory;
  };
  seller: {
    id: string;
    name: string;
    country: string;
    language?: string | null;
    letterLanguage?: LetterLanguage;
    createdAt?: string | null;
    history?: PartyHistory;
  };
  negotiation: Array<{ at: string; by: string; remedy: string; amountMinor: number; comment: string }>;
  negotiationWarnings: Array<{ code: string; text: string }>;
  messages: Array<{
    at: string;
    by: string;
    text: string;
    /** The message's number within the case (what case.translateMessage names). */
    seq?: number;
    /** The language an offline identifier sees in the text; `sure: false` means "probably". */
    language?: { code: string; sure: boolean } | null;
    /** A mediator's translation, if one was entered. */
    translation?: { text: string; by: string; at: string } | null;
  }>;
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
  refund: {
    status: RefundStatus;
    amountMinor: number;
    currency: string;
    returnTrackingNumber: string | null;
    /** refund.update: the marketplace's payment reference, and why the payment failed. */
    reference: string | null;
    failureReason: string | null;
  } | null;
  returnDueAt: string | null;
  deadlines: Array<{ key: string; kind: DeadlineKind; dueAt: string; whenPassed: string }>;
  buyerRisk: { score: number; reasons: string[]; details: RiskReasonView[] };
  events: Array<{ at: string; actor: string; type: string; details: unknown }>;
  /** A blind double decision on the case (issue 18); when `blindForYou`, the first decision, refund, appeal and their events are left out. */
  doubleDecision?: DoubleDecisionOnCase | null;
  /**
   * For a supervisor viewing a case whose appeal waits: whether they may review it, and the
   * separation-of-duties sentence when not (decided it, was ever its assignee, requested
   * evidence, published a proposal), so the panel says so before they try. Absent otherwise.
   */
  appealReview?: { mayReview: boolean; whyNot: string | null };
}

export interface TemplatesView {
  evidence: EvidenceTemplate[];
  decisionReasons: DecisionReasonTemplate[];
}

/** What the case methods answer (the party's commands on a case included). */
export interface CaseOutputs {
  'case.claim': CommandResult;
  'case.claimNext': CommandResult;
  'case.assign': CommandResult;
  'case.release': CommandResult;
  'case.requestEvidence': CommandResult;
  'case.propose': CommandResult;
  'party.reply': CommandResult;
  'case.decide': CommandResult;
  'party.shipReturn': CommandResult;
  'party.confirmReturn': CommandResult;
  'party.appeal': CommandResult;
  'appeal.review': CommandResult;
  'case.get': CaseView;
  'case.translateMessage': { caseId: string; messageSeq: number; translation: string | null };
  'case.previewProposal': ProposalPreview;
  'templates.list': TemplatesView;
}
