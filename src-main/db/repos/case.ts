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
import type { CaseEvent, Deadline, NewEvidence } from '../../engine/commands';
import type { CaseState, Decision, ProposalOption } from '../../engine/state';
import type { Insertable } from 'kysely';
import { recordCaseChangesRisk } from './risk';
import type { Database } from '../schema';
import type { Reader, WriteTx } from '../tx';

/**
 * Transitional: the case writes app/supervision shares (saveCaseStates, appendEvents, the
 * command log) also take what it hands them today, a kysely transaction or, for a refusal's
 * audit event, the connection. That area moves to inWriteTx on a parallel branch; once it
 * has, this becomes `WriteTx` and the type checker holds those callers to it as well.
 */
export type SharedWriteTx = WriteTx | Reader;

/** Loads the engine's view of one case; null when it does not exist. */
export async function loadCaseState(tx: Reader, caseId: string): Promise<(CaseState & { version: number }) | null> {
  return (await loadCaseStates(tx, [caseId])).get(caseId) ?? null;
}

// IN lists and multi-row inserts stay well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const MAX_IDS = 500;
const MAX_PARAMS = 30_000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Multi-row INSERTs in input order (so auto-numbered ids come out as row-by-row inserts would give them). */
async function insertRows<T extends Record<string, unknown>>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  if (!rows.length) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (const chunk of chunks(rows, per)) await write(chunk);
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

/**
 * Loads several cases at once (the sweep's batches): one query per table for all of them,
 * each case exactly as `loadCaseState` sees it. Ids that do not exist are absent from the map.
 */
export async function loadCaseStates(tx: Reader, caseIds: string[]): Promise<Map<string, CaseState & { version: number }>> {
  const out = new Map<string, CaseState & { version: number }>();
  for (const ids of chunks([...new Set(caseIds)], MAX_IDS)) await loadChunk(tx, ids, out);
  return out;
}

async function loadChunk(tx: Reader, ids: string[], out: Map<string, CaseState & { version: number }>): Promise<void> {
  const cases = await tx
    .selectFrom('cases')
    .innerJoin('orders', 'orders.id', 'cases.order_id')
    .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
    .select([
      'cases.id',
      'cases.status',
      'cases.assignee_id',
      'cases.reason',
      'cases.claim_remedy',
      'cases.claim_amount_minor',
      'cases.buyer_id',
      'cases.seller_id',
      'cases.escalated_at',
      'cases.forced_decision',
      'cases.evidence_round',
      'cases.version',
      'orders.currency',
      'orders.item_price_minor',
      'orders.shipping_minor',
      'orders.total_minor',
      'orders.delivery_status',
      'buyer.label as buyer_label',
    ])
    .where('cases.id', 'in', ids)
    .execute();
  if (!cases.length) return;
  const found = cases.map((c) => c.id);
  const [requestRows, proposalRows, decisionRows, appealRows, refundRows] = await Promise.all([
    tx
      .selectFrom('evidence_requests')
      .selectAll()
      .where('case_id', 'in', found)
      .orderBy('case_id')
      .orderBy('requested_at')
      .orderBy('id')
      .execute(),
    tx.selectFrom('proposals').selectAll().where('case_id', 'in', found).execute(),
    tx.selectFrom('decisions').selectAll().where('case_id', 'in', found).orderBy('case_id').orderBy('seq').execute(),
    tx.selectFrom('appeals').selectAll().where('case_id', 'in', found).execute(),
    tx.selectFrom('refunds').selectAll().where('case_id', 'in', found).execute(),
  ]);
  const requestsOf = groupBy(requestRows, (r) => r.case_id);
  const decisionsOf = groupBy(decisionRows, (r) => r.case_id);
  const proposalOf = new Map(proposalRows.map((r) => [r.case_id, r]));
  const appealOf = new Map(appealRows.map((r) => [r.case_id, r]));
  const refundOf = new Map(refundRows.map((r) => [r.case_id, r]));
  for (const c of cases) {
    const requests = requestsOf.get(c.id) ?? [];
    const proposal = proposalOf.get(c.id);
    const decisions = decisionsOf.get(c.id) ?? [];
    const appeal = appealOf.get(c.id);
    const refund = refundOf.get(c.id);
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
    out.set(c.id, {
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
    });
  }
}

export class ConcurrentUpdate extends Error {}

/**
 * Writes what the engine changed: the case row (guarded by its version, so two desktops
 * on one PostgreSQL cannot both win), child rows, new evidence, events, and the deadline
 * rows diffed against `deadlines`. Call inside the command's transaction.
 */
export async function saveCaseState(
  tx: WriteTx,
  prev: CaseState & { version: number },
  next: CaseState,
  effects: { events: CaseEvent[]; deadlines: Deadline[]; newEvidence: NewEvidence[] },
  now: number,
): Promise<void> {
  await saveCaseStates(tx, [{ prev, next, effects }], now);
}

export interface CaseChange {
  prev: CaseState & { version: number };
  next: CaseState;
  effects: { events: CaseEvent[]; deadlines: Deadline[]; newEvidence: NewEvidence[] };
}

/**
 * `saveCaseState` for several different cases in one go (the sweep's batches): the same rows
 * as saving them one after the other, in the same order (so event and deadline ids come out
 * the same), written with one statement per kind of change instead of one per case. Rows
 * that would get the same values share a statement; the version guard still covers each case.
 */
export async function saveCaseStates(tx: SharedWriteTx, changes: CaseChange[], now: number): Promise<void> {
  if (!changes.length) return;
  if (new Set(changes.map((c) => c.next.id)).size !== changes.length) throw new Error('saveCaseStates: one change per case');

  // The case rows, guarded by version; identical new values (and expected version) share one UPDATE.
  const caseGroups = groupBy(changes, ({ prev, next, effects }) =>
    JSON.stringify([
      next.status,
      next.assignee,
      next.forcedDecision,
      next.evidenceRound,
      next.decision?.policyVersion ?? null,
      effects.deadlines[0]?.dueAt ?? null,
      prev.version,
    ]),
  );
  for (const group of caseGroups.values()) {
    const { prev, next, effects } = group[0]!;
    for (const ids of chunks(
      group.map((c) => c.next.id),
      MAX_IDS,
    )) {
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
        .where('id', ids.length === 1 ? '=' : 'in', ids.length === 1 ? ids[0]! : ids)
        .where('version', '=', prev.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== ids.length) throw new ConcurrentUpdate(`case ${ids.join(', ')} changed under us`);
    }
  }

  // Evidence requests: new ones inserted, changed ones updated (same new status and time, one UPDATE).
  const newRequests: Array<Insertable<Database['evidence_requests']>> = [];
  const changedRequests: Array<{ id: string; status: string; resolved_at: number | null }> = [];
  for (const { prev, next } of changes) {
    const prevRequests = new Map(prev.evidenceRequests.map((r) => [r.id, r]));
    for (const r of next.evidenceRequests) {
      const old = prevRequests.get(r.id);
      if (!old)
        newRequests.push({
          id: r.id,
          case_id: next.id,
          party: r.party,
          request: r.request,
          requested_by: r.requestedBy,
          requested_at: r.requestedAt,
          due_at: r.dueAt,
          status: r.status,
          resolved_at: r.resolvedAt,
          round: r.round,
        });
      else if (old.status !== r.status || old.resolvedAt !== r.resolvedAt)
        changedRequests.push({ id: r.id, status: r.status, resolved_at: r.resolvedAt });
    }
  }
  await insertRows(newRequests, (rows) => tx.insertInto('evidence_requests').values(rows).execute());
  for (const group of groupBy(changedRequests, (r) => JSON.stringify([r.status, r.resolved_at])).values())
    for (const ids of chunks(
      group.map((r) => r.id),
      MAX_IDS,
    ))
      await tx
        .updateTable('evidence_requests')
        .set({ status: group[0]!.status, resolved_at: group[0]!.resolved_at })
        .where('id', ids.length === 1 ? '=' : 'in', ids.length === 1 ? ids[0]! : ids)
        .execute();

  // Proposals and appeals: one row per case, written whole when it changed (insert or replace).
  const proposals = changes
    .filter(({ prev, next }) => next.proposal && JSON.stringify(next.proposal) !== JSON.stringify(prev.proposal))
    .map(({ next }) => {
      const p = next.proposal!;
      return {
        case_id: next.id,
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
    });
  await insertRows(proposals, (rows) =>
    tx
      .insertInto('proposals')
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('case_id')
          .doUpdateSet(
            excludedOf([
              'options',
              'recommended',
              'recommendation_reason',
              'proposed_by',
              'proposed_at',
              'reply_due_at',
              'buyer_reply',
              'buyer_replied_at',
              'seller_reply',
              'seller_replied_at',
              'override_note',
              'policy_version',
              'ended_at',
            ]),
          ),
      )
      .execute(),
  );

  const decisions: Array<Insertable<Database['decisions']>> = [];
  for (const { prev, next } of changes) {
    const prevDecisions = prev.supersededDecisions.length + (prev.decision ? 1 : 0);
    const nextDecisions = [...next.supersededDecisions, ...(next.decision ? [next.decision] : [])];
    for (let seq = prevDecisions; seq < nextDecisions.length; seq++) {
      const d = nextDecisions[seq]!;
      decisions.push({
        case_id: next.id,
        seq: seq + 1,
        outcome: d.outcome,
        amount_minor: d.amountMinor,
        basis: d.basis,
        decided_by: d.decidedBy,
        decided_at: d.decidedAt,
        appeal_until: d.appealUntil,
        reasons: d.reasons,
        policy_version: d.policyVersion,
      });
    }
  }
  await insertRows(decisions, (rows) => tx.insertInto('decisions').values(rows).execute());

  const appeals = changes
    .filter(({ prev, next }) => next.appeal && JSON.stringify(next.appeal) !== JSON.stringify(prev.appeal))
    .map(({ next }) => {
      const a = next.appeal!;
      return {
        case_id: next.id,
        party: a.party,
        grounds: a.grounds,
        text: a.text,
        filed_at: a.filedAt,
        status: a.status,
        reviewed_by: a.reviewedBy,
        reviewed_at: a.reviewedAt,
        review_reasons: a.reviewReasons,
      };
    });
  await insertRows(appeals, (rows) =>
    tx
      .insertInto('appeals')
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('case_id')
          .doUpdateSet(excludedOf(['party', 'grounds', 'text', 'filed_at', 'status', 'reviewed_by', 'reviewed_at', 'review_reasons'])),
      )
      .execute(),
  );

  // Refunds: removed when the engine dropped it, else written whole.
  const refundChanges = changes.filter(({ prev, next }) => JSON.stringify(next.refund) !== JSON.stringify(prev.refund));
  const droppedRefunds = refundChanges.filter(({ next }) => !next.refund).map(({ next }) => next.id);
  for (const ids of chunks(droppedRefunds, MAX_IDS)) await tx.deleteFrom('refunds').where('case_id', 'in', ids).execute();
  const refunds = refundChanges
    .filter(({ next }) => next.refund)
    .map(({ next }) => {
      const r = next.refund!;
      return {
        case_id: next.id,
        status: r.status,
        amount_minor: r.amountMinor,
        currency: next.order.currency,
        return_due_at: r.returnDueAt,
        return_tracking_number: r.returnTrackingNumber,
        updated_at: r.updatedAt,
      };
    });
  await insertRows(refunds, (rows) =>
    tx
      .insertInto('refunds')
      .values(rows)
      .onConflict((oc) =>
        oc
          .column('case_id')
          .doUpdateSet(excludedOf(['status', 'amount_minor', 'currency', 'return_due_at', 'return_tracking_number', 'updated_at'])),
      )
      .execute(),
  );

  // New evidence, numbered after the case's last item.
  const withEvidence = changes.filter(({ effects }) => effects.newEvidence.length);
  if (withEvidence.length) {
    const lastSeq = new Map<string, number>();
    for (const ids of chunks(
      withEvidence.map(({ next }) => next.id),
      MAX_IDS,
    ))
      for (const r of await tx
        .selectFrom('evidence')
        .select(['case_id', (eb) => eb.fn.max('seq').as('seq')])
        .where('case_id', 'in', ids)
        .groupBy('case_id')
        .execute())
        lastSeq.set(r.case_id, Number(r.seq ?? 0));
    const rows: Array<Insertable<Database['evidence']>> = [];
    for (const { next, effects } of withEvidence) {
      let seq = lastSeq.get(next.id) ?? 0;
      for (const e of effects.newEvidence)
        rows.push({
          case_id: next.id,
          seq: ++seq,
          party: e.party,
          name: e.file.name,
          media_type: e.file.mediaType,
          size_bytes: e.file.sizeBytes,
          sha256: e.file.sha256,
          submitted_at: e.submittedAt,
          request_id: e.requestId,
          note: e.note,
        });
    }
    await insertRows(rows, (chunk) => tx.insertInto('evidence').values(chunk).execute());
  }

  await insertRows(
    changes.flatMap(({ next, effects }) => effects.events.map((e) => eventRow(next.id, e))),
    (rows) => tx.insertInto('case_events').values(rows).execute(),
  );
  await syncDeadlinesOf(
    tx,
    changes.map(({ next, effects }) => ({ caseId: next.id, wanted: effects.deadlines })),
    now,
  );
  // The buyer fraud-pattern score: new decisions and buyer evidence, in the same transaction.
  await recordCaseChangesRisk(tx, changes, now);
}

/** `SET col = excluded.col` for an upsert that replaces the whole row. */
function excludedOf<C extends string>(columns: C[]) {
  return (eb: { ref(r: string): unknown }) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])) as never;
}

const eventRow = (caseId: string, e: CaseEvent) => ({
  case_id: caseId,
  at: e.at,
  actor: e.actor,
  type: e.type,
  details: JSON.stringify(e.details),
});

export async function appendEvents(tx: SharedWriteTx, caseId: string, events: CaseEvent[]): Promise<void> {
  if (!events.length) return;
  await tx
    .insertInto('case_events')
    .values(events.map((e) => eventRow(caseId, e)))
    .execute();
}

/** Makes the pending deadline rows of a case equal the set the engine derived. */
export async function syncDeadlines(tx: WriteTx, caseId: string, wanted: Deadline[], now: number): Promise<void> {
  await syncDeadlinesOf(tx, [{ caseId, wanted }], now);
}

/** `syncDeadlines` for several different cases: one read, one cancel, one insert (in case order). */
async function syncDeadlinesOf(tx: SharedWriteTx, cases: Array<{ caseId: string; wanted: Deadline[] }>, now: number): Promise<void> {
  const pendingOf = new Map<string, Array<{ id: number; key: string; due_at: number }>>();
  for (const ids of chunks(
    cases.map((c) => c.caseId),
    MAX_IDS,
  )) {
    const rows = await tx
      .selectFrom('deadlines')
      .select(['id', 'case_id', 'key', 'due_at'])
      .where('case_id', ids.length === 1 ? '=' : 'in', ids.length === 1 ? ids[0]! : ids)
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .execute();
    for (const r of rows) {
      const list = pendingOf.get(r.case_id);
      if (list) list.push(r);
      else pendingOf.set(r.case_id, [r]);
    }
  }
  const stale: number[] = [];
  const missing: Array<Insertable<Database['deadlines']>> = [];
  for (const { caseId, wanted } of cases) {
    const pending = pendingOf.get(caseId) ?? [];
    const wantedKeys = new Set(wanted.map((w) => `${w.key}@${w.dueAt}`));
    for (const p of pending) if (!wantedKeys.has(`${p.key}@${p.due_at}`)) stale.push(p.id);
    const have = new Set(pending.map((p) => `${p.key}@${p.due_at}`));
    for (const w of wanted)
      if (!have.has(`${w.key}@${w.dueAt}`))
        missing.push({ case_id: caseId, key: w.key, kind: w.kind, due_at: w.dueAt, created_at: now, fired_at: null, cancelled_at: null });
  }
  for (const ids of chunks(stale, MAX_IDS)) await tx.updateTable('deadlines').set({ cancelled_at: now }).where('id', 'in', ids).execute();
  await insertRows(missing, (rows) => tx.insertInto('deadlines').values(rows).execute());
}
