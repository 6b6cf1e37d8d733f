import type { HandlingEvent } from './handled';
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
} from '../contract/domain';

/** Instants inside the engine are epoch milliseconds (UTC). */
export type Ms = number;

export interface EvidenceRequest {
  id: string;
  party: Party;
  request: string;
  requestedBy: string;
  requestedAt: Ms;
  dueAt: Ms;
  status: 'open' | 'fulfilled' | 'expired';
  resolvedAt: Ms | null;
  /** Requests made while the case sat in one awaiting_evidence spell share a round. */
  round: number;
}

export interface ProposalOption {
  kind: OptionKind;
  amountMinor: number;
  /** How the amount was computed, in words a party understands. */
  computation: string;
}

export interface Proposal {
  options: ProposalOption[];
  recommended: OptionKind;
  recommendationReason: string;
  proposedBy: string;
  proposedAt: Ms;
  replyDueAt: Ms;
  replies: Record<Party, ReplyChoice | null>;
  repliedAt: Record<Party, Ms | null>;
  overrideNote: string | null;
  policyVersion: number;
  /** When the reply period ended (both replied, or the deadline); null while it runs. */
  endedAt: Ms | null;
}

export interface Decision {
  outcome: Outcome;
  amountMinor: number;
  basis: Basis;
  decidedBy: string;
  decidedAt: Ms;
  /** Null when the decision cannot be appealed (agreement, or a decision on appeal). */
  appealUntil: Ms | null;
  reasons: string;
  policyVersion: number;
}

export interface Appeal {
  party: Party;
  grounds: AppealGrounds;
  text: string;
  filedAt: Ms;
  status: 'pending' | 'upheld' | 'overturned';
  reviewedBy: string | null;
  reviewedAt: Ms | null;
  reviewReasons: string | null;
}

export interface Refund {
  status: RefundStatus;
  amountMinor: number;
  returnDueAt: Ms | null;
  returnTrackingNumber: string | null;
  updatedAt: Ms;
  /** refund.update: the marketplace's payment reference, and why a refund failed (absent before migration 0008). */
  reference?: string | null;
  failureReason?: string | null;
}

/** Everything the engine needs to know about one case; loaded and saved by the repository. */
export interface CaseState {
  id: string;
  status: CaseStatus;
  assignee: string | null;
  reason: Reason;
  claim: { remedy: Remedy; amountMinor: number };
  order: {
    currency: string;
    itemPriceMinor: number;
    shippingMinor: number;
    totalMinor: number;
    deliveryStatus: DeliveryStatus;
  };
  buyerId: string;
  sellerId: string;
  buyerLabel: AccountLabel | null;
  escalatedAt: Ms;
  /** The reply period ended without agreement: the mediator must pick a published option. */
  forcedDecision: boolean;
  evidenceRound: number;
  evidenceRequests: EvidenceRequest[];
  proposal: Proposal | null;
  decision: Decision | null;
  /** Earlier decisions replaced on appeal, oldest first. */
  supersededDecisions: Decision[];
  appeal: Appeal | null;
  refund: Refund | null;
  /**
   * The events that tell who handled the case (engine/handled.ts), loaded for the commands
   * that need them (an appeal's review); absent, only the decider and the assignee count.
   */
  handlingHistory?: HandlingEvent[];
}
