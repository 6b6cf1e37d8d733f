import type { RefundStatus } from './domain';
import { z } from 'zod';
import { Id, RequiredText } from './primitives';
import { Policy } from './policy';
import type { ScorecardView } from './scorecards';

/** The most open cases `team.memberCases` answers at once: as many as one bulk reassignment takes. */
export const MEMBER_CASES_MAX = 500;

/**
 * The supervisors' desk (issue 7): appeals, the team, the policy and its preview, and
 * decision-quality sampling. Spread into the one method table in methods.ts.
 */
export const supervisionMethods = {
  /** Appealed cases, oldest appeal first, with the appeal beside the decision it contests. */
  'appeals.list': { input: z.object({ limit: z.number().int().min(1).max(200).default(100) }).strict(), who: ['supervisor'] },
  /** Every mediator's open and overdue cases, throughput and decision mix over the last `days`, and the cases waiting longest. */
  'team.overview': { input: z.object({ days: z.number().int().min(1).max(90).default(7) }).strict(), who: ['supervisor'] },
  /**
   * One member's open cases (the team view's reassignment list), what needs action first:
   * one bounded page read on the server through the queue's assignee walk.
   */
  'team.memberCases': {
    input: z
      .object({
        userId: Id,
        /** Keyset cursor: the last row of the previous page. */
        after: z.object({ sortKey: z.number().int(), id: Id }).strict().optional(),
        limit: z.number().int().min(1).max(MEMBER_CASES_MAX).default(MEMBER_CASES_MAX),
      })
      .strict(),
    who: ['supervisor'],
  },
  /** Assign or reassign several open cases to one user in one transaction (all or none). */
  'case.assignMany': {
    input: z.object({ caseIds: z.array(Id).min(1, 'choose at least one case').max(500, 'at most 500 cases at once'), userId: Id }).strict(),
    who: ['supervisor'],
  },
  'policy.get': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  'policy.history': { input: z.object({}).strict(), who: ['supervisor'] },
  /** Replays the last N decided cases' recorded commands under the draft policy; nothing is stored. */
  'policy.preview': {
    input: z.object({ draft: Policy, lastN: z.number().int().min(1).max(1000).default(200) }).strict(),
    who: ['supervisor'],
  },
  /** Publishes the draft as a new version; refused with CONFLICT if someone published after basedOnVersion. */
  'policy.publish': {
    input: z.object({ policy: Policy, note: RequiredText(2_000), basedOnVersion: z.number().int().min(0) }).strict(),
    who: ['supervisor'],
  },
  'quality.list': {
    input: z
      .object({ status: z.enum(['pending', 'reviewed']).default('pending'), limit: z.number().int().min(1).max(200).default(100) })
      .strict(),
    who: ['supervisor'],
  },
  'quality.review': {
    input: z.object({ caseId: Id, verdict: z.enum(['agree', 'disagree']), note: RequiredText(2_000) }).strict(),
    who: ['supervisor'],
  },
} as const;

export interface AppealRow {
  caseId: string;
  reason: string;
  currency: string;
  claimAmountMinor: number;
  totalMinor: number;
  buyerId: string;
  buyerName: string;
  appeal: { party: 'buyer' | 'seller'; grounds: 'outcome' | 'mediator_conduct' | 'new_evidence'; text: string; filedAt: string };
  /** Age of the appeal in ms at the time of the answer (the screen sorts and colours by it). */
  ageMs: number;
  decision: {
    outcome: string;
    amountMinor: number;
    basis: string;
    decidedBy: string;
    decidedAt: string;
    reasons: string;
    policyVersion: number;
  };
  /** False when the signed-in supervisor decided or handled the case (SEPARATION_OF_DUTIES). */
  mayReview: boolean;
  whyNot: string | null;
  assignee: string | null;
  /** Files on the case (intake and requested). */
  evidenceCount: number;
}
export interface AppealsListView {
  rows: AppealRow[];
  total: number;
}

export interface MediatorStats {
  userId: string;
  name: string;
  role: 'mediator' | 'supervisor';
  openCases: number;
  overdueCases: number;
  /** Decisions made by this user in the window. */
  decided: number;
  decidedPerDay: number;
  /** Share of decisions per outcome (0–1), over the window. */
  mix: { full: number; partial: number; return: number; none: number };
  /** Share of decisions with any refund, and the mean refunded share of the claim (currency-neutral). */
  refundRate: number;
  meanRefundShareOfClaim: number;
  /** Refund rate minus the team's, in percentage points; |Δ| ≥ 15 is worth a look. */
  refundRateDeltaPts: number;
  outlier: boolean;
  quality: { reviewed: number; agreed: number; disagreed: number };
  appealsOverturned: number;
}
export interface TeamOverview {
  windowDays: number;
  asOf: string;
  members: MediatorStats[];
  team: Omit<MediatorStats, 'userId' | 'name' | 'role' | 'refundRateDeltaPts' | 'outlier'>;
  unassigned: number;
  /** Open cases waiting longest since escalation, oldest first. */
  waitingLongest: Array<{
    caseId: string;
    status: string;
    assignee: string | null;
    escalatedAt: string;
    waitingMs: number;
    reason: string;
    overdue: boolean;
  }>;
  /** Refund totals by stage (expected → processing → completed, failed; refund.update) and currency. */
  refundStages: Array<{ status: RefundStatus; currency: string; count: number; amountMinor: number }>;
}

export interface PolicyVersionView {
  version: number;
  policy: z.output<typeof Policy>;
  note: string;
  createdBy: string;
  createdAt: string;
  /** Decisions recorded under this version. */
  decisions: number;
}

export interface PreviewCaseRow {
  caseId: string;
  reason: string;
  currency: string;
  decidedAt: string;
  before: { outcome: string; amountMinor: number; basis: string; status: string; refundMinor: number; policyVersion: number };
  after: { outcome: string | null; amountMinor: number; basis: string | null; status: string; refundMinor: number };
  /** Recorded steps the draft refuses (e.g. a reply now late). */
  refusedSteps: number;
  changed: boolean;
  /** Why it changed, in words (e.g. "partial rate 0.9 → 0.7", "reply period now ends before the seller's reply"). */
  note: string | null;
}
export interface PolicyPreviewView {
  draft: z.output<typeof Policy>;
  basedOnVersion: number;
  /** Cases considered, replayed, and skipped (no recorded commands). */
  considered: number;
  replayed: number;
  skipped: number;
  changedOutcomes: number;
  changedAmounts: number;
  /** Refund totals per currency, before and after. */
  totals: Array<{ currency: string; beforeMinor: number; afterMinor: number }>;
  rows: PreviewCaseRow[];
  elapsedMs: number;
}

export interface QualityRow {
  caseId: string;
  reason: string;
  currency: string;
  decision: { outcome: string; amountMinor: number; decidedBy: string; decidedAt: string; reasons: string };
  sampledAt: string;
  review: { verdict: 'agree' | 'disagree'; note: string; by: string; at: string } | null;
  mayReview: boolean;
  /** A calibration sample: two supervisors score it independently (issue 18). */
  calibration: boolean;
  /** Scorecards given so far (contract/scorecards.ts); a supervisor sees others' only after giving their own. */
  scorecards: ScorecardView[];
  /** Scorecards given but hidden from the viewer until they score it too (calibration stays independent). */
  hiddenScorecards: number;
  /** The viewer may score it now (not handled by them, not yet scored by them). */
  mayScore: boolean;
}
export interface QualityListView {
  rows: QualityRow[];
  total: number;
  sampleRate: number;
}
