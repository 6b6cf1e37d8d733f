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
} from '../../contract/domain';
import type { CaseState, Decision, ProposalOption } from '../../engine/state';
import type { Selectable } from 'kysely';
import { chunks, groupBy } from '../batch';
import { queryRows, textKeysIn, keysParam } from '../compiled';
import { dialectOf, type DialectName } from '../dialect';
import type { Database } from '../schema';
import type { Reader } from '../tx';
import { rememberStoredColumns } from './case-write';

/** Loads the engine's view of one case; null when it does not exist. */
export async function loadCaseState(tx: Reader, caseId: string): Promise<(CaseState & { version: number }) | null> {
  return (await loadCaseStates(tx, [caseId])).get(caseId) ?? null;
}

// IN lists stay well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const MAX_IDS = 500;

/**
 * Loads several cases at once (the sweep's batches): one query per table for all of them,
 * each case exactly as `loadCaseState` sees it. Ids that do not exist are absent from the map.
 */
export async function loadCaseStates(tx: Reader, caseIds: string[]): Promise<Map<string, CaseState & { version: number }>> {
  const out = new Map<string, CaseState & { version: number }>();
  for (const ids of chunks([...new Set(caseIds)], MAX_IDS)) await loadChunk(tx, ids, out);
  return out;
}

/**
 * loadChunk's statements as text, one per table and dialect, the ids bound as ONE value: the
 * sweep loads every chunk of defaults with them, and building them with kysely cost more than
 * SQLite's own work. Run straight on a SQLite transaction's connection (db/compiled.ts).
 */
const CASE_COLUMNS = `cases.id, cases.status, cases.assignee_id, cases.reason, cases.claim_remedy, cases.claim_amount_minor,
  cases.buyer_id, cases.seller_id, cases.escalated_at, cases.forced_decision, cases.evidence_round, cases.version,
  cases.next_due_at AS stored_next_due_at, cases.policy_version AS stored_policy_version, orders.currency,
  orders.item_price_minor, orders.shipping_minor, orders.total_minor, orders.delivery_status, buyer.label AS buyer_label`;
const loadTexts = (d: DialectName) => {
  const ids = textKeysIn(d);
  return {
    cases: `SELECT ${CASE_COLUMNS} FROM cases JOIN orders ON orders.id = cases.order_id
      JOIN accounts AS buyer ON buyer.id = cases.buyer_id WHERE cases.id IN ${ids}`,
    requests: `SELECT * FROM evidence_requests WHERE case_id IN ${ids} ORDER BY case_id, requested_at, id`,
    proposals: `SELECT * FROM proposals WHERE case_id IN ${ids}`,
    decisions: `SELECT * FROM decisions WHERE case_id IN ${ids} ORDER BY case_id, seq`,
    appeals: `SELECT * FROM appeals WHERE case_id IN ${ids}`,
    refunds: `SELECT * FROM refunds WHERE case_id IN ${ids}`,
  };
};
const LOAD_TEXTS = { sqlite: loadTexts('sqlite'), postgres: loadTexts('postgres') };

async function loadChunk(tx: Reader, ids: string[], out: Map<string, CaseState & { version: number }>): Promise<void> {
  const dialect = dialectOf(tx);
  const t = LOAD_TEXTS[dialect];
  const cases = await queryRows<CaseStateRow>(tx, t.cases, [keysParam(dialect, ids)]);
  if (!cases.length) return;
  const found = [
    keysParam(
      dialect,
      cases.map((c) => c.id),
    ),
  ];
  type Row<T extends keyof Database> = Selectable<Database[T]>;
  const [requestRows, proposalRows, decisionRows, appealRows, refundRows] = await Promise.all([
    queryRows<Row<'evidence_requests'>>(tx, t.requests, found),
    queryRows<Row<'proposals'>>(tx, t.proposals, found),
    queryRows<Row<'decisions'>>(tx, t.decisions, found),
    queryRows<Row<'appeals'>>(tx, t.appeals, found),
    queryRows<Row<'refunds'>>(tx, t.refunds, found),
  ]);
  const requestsOf = groupBy(requestRows, (r) => r.case_id);
  const decisionsOf = groupBy(decisionRows, (r) => r.case_id);
  const proposalOf = new Map(proposalRows.map((r) => [r.case_id, r]));
  const appealOf = new Map(appealRows.map((r) => [r.case_id, r]));
  const refundOf = new Map(refundRows.map((r) => [r.case_id, r]));
  for (const c of cases)
    out.set(
      c.id,
      caseStateFromRows(c, {
        requests: requestsOf.get(c.id) ?? [],
        proposal: proposalOf.get(c.id),
        decisions: decisionsOf.get(c.id) ?? [],
        appeal: appealOf.get(c.id),
        refund: refundOf.get(c.id),
      }),
    );
}

/** The case row's columns the engine's state needs (loadChunk's select; take-next's pick reads the same). */
export interface CaseStateRow {
  id: string;
  status: string;
  assignee_id: string | null;
  reason: string;
  claim_remedy: string;
  claim_amount_minor: number;
  buyer_id: string;
  seller_id: string;
  escalated_at: number;
  forced_decision: number;
  evidence_round: number;
  version: number;
  currency: string;
  item_price_minor: number;
  shipping_minor: number;
  total_minor: number;
  delivery_status: string;
  buyer_label: string | null;
  /**
   * The row's own next_due_at and policy_version as stored (not part of the engine's state):
   * when read, the case write sets only the columns that change (case-write.ts caseRowWrite).
   */
  stored_next_due_at?: number | null;
  stored_policy_version?: number | null;
}

/** A case's child rows; a case with none (no request, proposal, decision, appeal or refund yet) passes {}. */
export interface CaseChildRows {
  requests?: Array<Selectable<Database['evidence_requests']>>;
  proposal?: Selectable<Database['proposals']>;
  decisions?: Array<Selectable<Database['decisions']>>;
  appeal?: Selectable<Database['appeals']>;
  refund?: Selectable<Database['refunds']>;
}

/** The engine's state of one case from its rows. */
export function caseStateFromRows(c: CaseStateRow, kids: CaseChildRows): CaseState & { version: number } {
  const state = stateFromRows(c, kids);
  if (c.stored_next_due_at !== undefined && c.stored_policy_version !== undefined)
    rememberStoredColumns(state, {
      nextDueAt: c.stored_next_due_at === null ? null : Number(c.stored_next_due_at),
      policyVersion: c.stored_policy_version === null ? null : Number(c.stored_policy_version),
    });
  return state;
}

function stateFromRows(c: CaseStateRow, kids: CaseChildRows): CaseState & { version: number } {
  const { requests = [], proposal, decisions = [], appeal, refund } = kids;
  const toDecision = (d: (typeof decisions)[number]): Decision => ({
    outcome: d.outcome as Outcome,
    amountMinor: d.amount_minor,
    basis: d.basis as Basis,
    decidedBy: d.decided_by,
    decidedAt: d.decided_at,
    appealUntil: d.appeal_until,
    reasons: d.reasons,
    policyVersion: d.policy_version,
  });
  return {
    id: c.id,
    version: c.version,
    status: c.status as CaseStatus,
    assignee: c.assignee_id,
    reason: c.reason as Reason,
    claim: { remedy: c.claim_remedy as Remedy, amountMinor: c.claim_amount_minor },
    order: {
      currency: c.currency,
      itemPriceMinor: c.item_price_minor,
      shippingMinor: c.shipping_minor,
      totalMinor: c.total_minor,
      deliveryStatus: c.delivery_status as DeliveryStatus,
    },
    buyerId: c.buyer_id,
    sellerId: c.seller_id,
    buyerLabel: (c.buyer_label as AccountLabel | null) ?? null,
    escalatedAt: c.escalated_at,
    forcedDecision: c.forced_decision === 1,
    evidenceRound: c.evidence_round,
    evidenceRequests: requests.map((r) => ({
      id: r.id,
      party: r.party as Party,
      request: r.request,
      requestedBy: r.requested_by,
      requestedAt: r.requested_at,
      dueAt: r.due_at,
      status: r.status as 'open' | 'fulfilled' | 'expired',
      resolvedAt: r.resolved_at,
      round: r.round,
    })),
    proposal: proposal
      ? {
          options: JSON.parse(proposal.options) as ProposalOption[],
          recommended: proposal.recommended as OptionKind,
          recommendationReason: proposal.recommendation_reason,
          proposedBy: proposal.proposed_by,
          proposedAt: proposal.proposed_at,
          replyDueAt: proposal.reply_due_at,
          replies: { buyer: proposal.buyer_reply as ReplyChoice | null, seller: proposal.seller_reply as ReplyChoice | null },
          repliedAt: { buyer: proposal.buyer_replied_at, seller: proposal.seller_replied_at },
          overrideNote: proposal.override_note,
          policyVersion: proposal.policy_version,
          endedAt: proposal.ended_at,
        }
      : null,
    decision: decisions.length ? toDecision(decisions[decisions.length - 1]!) : null,
    supersededDecisions: decisions.slice(0, -1).map(toDecision),
    appeal: appeal
      ? {
          party: appeal.party as Party,
          grounds: appeal.grounds as AppealGrounds,
          text: appeal.text,
          filedAt: appeal.filed_at,
          status: appeal.status as 'pending' | 'upheld' | 'overturned',
          reviewedBy: appeal.reviewed_by,
          reviewedAt: appeal.reviewed_at,
          reviewReasons: appeal.review_reasons,
        }
      : null,
    refund: refund
      ? {
          status: refund.status as RefundStatus,
          amountMinor: refund.amount_minor,
          returnDueAt: refund.return_due_at,
          returnTrackingNumber: refund.return_tracking_number,
          updatedAt: refund.updated_at,
          reference: refund.reference,
          failureReason: refund.failure_reason,
        }
      : null,
  };
}

export { ConcurrentUpdate, saveCaseState, saveCaseStates, appendEvents, syncDeadlines, type CaseChange } from './case-write';
