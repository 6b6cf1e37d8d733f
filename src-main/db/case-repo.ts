import type { AccountLabel, AppealGrounds, Basis, CaseStatus, DeliveryStatus, OptionKind, Outcome, Party, Reason, RefundStatus, Remedy, ReplyChoice } from '../contract/domain';
import type { CaseEvent, Deadline, NewEvidence } from '../engine/commands';
import type { CaseState, Decision, ProposalOption } from '../engine/state';
import type { Db } from './connect';

type Tx = Db; // a kysely Transaction is a Kysely

/** Loads the engine's view of one case; null when it does not exist. */
export async function loadCaseState(tx: Tx, caseId: string): Promise<(CaseState & { version: number }) | null> {
  const c = await tx
    .selectFrom('cases')
    .innerJoin('orders', 'orders.id', 'cases.order_id')
    .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
    .select([
      'cases.id', 'cases.status', 'cases.assignee_id', 'cases.reason', 'cases.claim_remedy', 'cases.claim_amount_minor',
      'cases.buyer_id', 'cases.seller_id', 'cases.escalated_at', 'cases.forced_decision', 'cases.evidence_round', 'cases.version',
      'orders.currency', 'orders.item_price_minor', 'orders.shipping_minor', 'orders.total_minor', 'orders.delivery_status',
      'buyer.label as buyer_label',
    ])
    .where('cases.id', '=', caseId)
    .executeTakeFirst();
  if (!c) return null;
  const [requests, proposal, decisions, appeal, refund] = await Promise.all([
    tx.selectFrom('evidence_requests').selectAll().where('case_id', '=', caseId).orderBy('requested_at').orderBy('id').execute(),
    tx.selectFrom('proposals').selectAll().where('case_id', '=', caseId).executeTakeFirst(),
    tx.selectFrom('decisions').selectAll().where('case_id', '=', caseId).orderBy('seq').execute(),
    tx.selectFrom('appeals').selectAll().where('case_id', '=', caseId).executeTakeFirst(),
    tx.selectFrom('refunds').selectAll().where('case_id', '=', caseId).executeTakeFirst(),
  ]);
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
        }
      : null,
  };
}

export class ConcurrentUpdate extends Error {}

/**
 * Writes what the engine changed: the case row (guarded by its version, so two desktops
 * on one PostgreSQL cannot both win), child rows, new evidence, events, and the deadline
 * rows diffed against `deadlines`. Call inside the command's transaction.
 */
export async function saveCaseState(
  tx: Tx,
  prev: CaseState & { version: number },
  next: CaseState,
  effects: { events: CaseEvent[]; deadlines: Deadline[]; newEvidence: NewEvidence[] },
  now: number,
): Promise<void> {
  const id = next.id;
  const updated = await tx
    .updateTable('cases')
    .set({
      status: next.status,
      assignee_id: next.assignee,
      forced_decision: next.forcedDecision ? 1 : 0,
      evidence_round: next.evidenceRound,
      policy_version: next.decision?.policyVersion ?? null,
      next_due_at: effects.deadlines[0]?.dueAt ?? null,
      version: prev.version + 1,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('version', '=', prev.version)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new ConcurrentUpdate(`case ${id} changed under us`);

  const prevRequests = new Map(prev.evidenceRequests.map((r) => [r.id, r]));
  for (const r of next.evidenceRequests) {
    const old = prevRequests.get(r.id);
    if (!old)
      await tx
        .insertInto('evidence_requests')
        .values({ id: r.id, case_id: id, party: r.party, request: r.request, requested_by: r.requestedBy, requested_at: r.requestedAt, due_at: r.dueAt, status: r.status, resolved_at: r.resolvedAt, round: r.round })
        .execute();
    else if (old.status !== r.status || old.resolvedAt !== r.resolvedAt)
      await tx.updateTable('evidence_requests').set({ status: r.status, resolved_at: r.resolvedAt }).where('id', '=', r.id).execute();
  }

  if (next.proposal && JSON.stringify(next.proposal) !== JSON.stringify(prev.proposal)) {
    const p = next.proposal;
    const row = {
      options: JSON.stringify(p.options),
      recommended: p.recommended,
      recommendation_reason: p.recommendationReason,
      proposed_by: p.proposedBy,
      proposed_at: p.proposedAt,
      reply_due_at: p.replyDueAt,
      buyer_reply: p.replies.buyer,
      buyer_replied_at: p.repliedAt.buyer,
      seller_reply: p.replies.seller,
      seller_replied_at: p.repliedAt.seller,
      override_note: p.overrideNote,
      policy_version: p.policyVersion,
      ended_at: p.endedAt,
    };
    if (prev.proposal) await tx.updateTable('proposals').set(row).where('case_id', '=', id).execute();
    else await tx.insertInto('proposals').values({ case_id: id, ...row }).execute();
  }

  const prevDecisions = prev.supersededDecisions.length + (prev.decision ? 1 : 0);
  const nextDecisions = [...next.supersededDecisions, ...(next.decision ? [next.decision] : [])];
  for (let seq = prevDecisions; seq < nextDecisions.length; seq++) {
    const d = nextDecisions[seq]!;
    await tx
      .insertInto('decisions')
      .values({ case_id: id, seq: seq + 1, outcome: d.outcome, amount_minor: d.amountMinor, basis: d.basis, decided_by: d.decidedBy, decided_at: d.decidedAt, appeal_until: d.appealUntil, reasons: d.reasons, policy_version: d.policyVersion })
      .execute();
  }

  if (next.appeal && JSON.stringify(next.appeal) !== JSON.stringify(prev.appeal)) {
    const a = next.appeal;
    const row = { party: a.party, grounds: a.grounds, text: a.text, filed_at: a.filedAt, status: a.status, reviewed_by: a.reviewedBy, reviewed_at: a.reviewedAt, review_reasons: a.reviewReasons };
    if (prev.appeal) await tx.updateTable('appeals').set(row).where('case_id', '=', id).execute();
    else await tx.insertInto('appeals').values({ case_id: id, ...row }).execute();
  }

  if (JSON.stringify(next.refund) !== JSON.stringify(prev.refund)) {
    if (!next.refund) await tx.deleteFrom('refunds').where('case_id', '=', id).execute();
    else {
      const r = next.refund;
      const row = { status: r.status, amount_minor: r.amountMinor, currency: next.order.currency, return_due_at: r.returnDueAt, return_tracking_number: r.returnTrackingNumber, updated_at: r.updatedAt };
      if (prev.refund) await tx.updateTable('refunds').set(row).where('case_id', '=', id).execute();
      else await tx.insertInto('refunds').values({ case_id: id, ...row }).execute();
    }
  }

  if (effects.newEvidence.length) {
    const last = await tx.selectFrom('evidence').select((eb) => eb.fn.max('seq').as('seq')).where('case_id', '=', id).executeTakeFirst();
    let seq = Number(last?.seq ?? 0);
    await tx
      .insertInto('evidence')
      .values(
        effects.newEvidence.map((e) => ({
          case_id: id,
          seq: ++seq,
          party: e.party,
          name: e.file.name,
          media_type: e.file.mediaType,
          size_bytes: e.file.sizeBytes,
          sha256: e.file.sha256,
          submitted_at: e.submittedAt,
          request_id: e.requestId,
          note: e.note,
        })),
      )
      .execute();
  }

  await appendEvents(tx, id, effects.events);
  await syncDeadlines(tx, id, effects.deadlines, now);
}

export async function appendEvents(tx: Tx, caseId: string, events: CaseEvent[]): Promise<void> {
  if (!events.length) return;
  await tx
    .insertInto('case_events')
    .values(events.map((e) => ({ case_id: caseId, at: e.at, actor: e.actor, type: e.type, details: JSON.stringify(e.details) })))
    .execute();
}

/** Makes the pending deadline rows of a case equal the set the engine derived. */
export async function syncDeadlines(tx: Tx, caseId: string, wanted: Deadline[], now: number): Promise<void> {
  const pending = await tx
    .selectFrom('deadlines')
    .select(['id', 'key', 'due_at'])
    .where('case_id', '=', caseId)
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .execute();
  const wantedKeys = new Set(wanted.map((w) => `${w.key}@${w.dueAt}`));
  const stale = pending.filter((p) => !wantedKeys.has(`${p.key}@${p.due_at}`)).map((p) => p.id);
  if (stale.length) await tx.updateTable('deadlines').set({ cancelled_at: now }).where('id', 'in', stale).execute();
  const have = new Set(pending.map((p) => `${p.key}@${p.due_at}`));
  const missing = wanted.filter((w) => !have.has(`${w.key}@${w.dueAt}`));
  if (missing.length)
    await tx
      .insertInto('deadlines')
      .values(missing.map((w) => ({ case_id: caseId, key: w.key, kind: w.kind, due_at: w.dueAt, created_at: now, fired_at: null, cancelled_at: null })))
      .execute();
}
