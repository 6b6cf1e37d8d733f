import { deadlinesChanged, knownPendingDeadlines } from './locked-facts';
import type { Insertable } from 'kysely';
import type { CaseEvent, Deadline, NewEvidence } from '../../engine/commands';
import type { CaseState } from '../../engine/state';
import { OPEN_STATUSES } from '../../contract/domain';
import { chunks, groupBy, insertChunked, insertObjects, keysIn } from '../batch';
import type { Database } from '../schema';
import type { WriteTx } from '../tx';
import { execute, executeCount, queryRows, textKeysIn, keysParam } from '../compiled';
import { dialectOf, type DialectName } from '../dialect';
import { insertChainedEvents, type Bound, type EventToChain } from './audit-chain';
import { recordCaseChangesRisk } from './risk/updates';
import { writeFeedOutbox } from './feed-outbox';

/**
 * The engine's changes to cases, written: the case rows (version-guarded), their child rows,
 * new evidence, events and deadline rows. Loading is repos/case.ts's (which re-exports these).
 */

// IN lists and multi-row inserts stay well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const MAX_IDS = 500;

export class ConcurrentUpdate extends Error {}

/** The columns of a case's one proposal, appeal and refund row besides case_id (written whole; read whole by locked-read.ts). */
export const PROPOSAL_COLUMNS = [
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
] as const;
export const APPEAL_COLUMNS = ['party', 'grounds', 'text', 'filed_at', 'status', 'reviewed_by', 'reviewed_at', 'review_reasons'] as const;
export const REFUND_COLUMNS = [
  'status',
  'amount_minor',
  'currency',
  'return_due_at',
  'return_tracking_number',
  'updated_at',
  'reference',
  'failure_reason',
] as const;

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
export async function saveCaseStates(tx: WriteTx, changes: CaseChange[], now: number): Promise<void> {
  if (!changes.length) return;
  if (new Set(changes.map((c) => c.next.id)).size !== changes.length) throw new Error('saveCaseStates: one change per case');

  // The buyer fraud-pattern score (new decisions and buyer evidence), in the same transaction and
  // FIRST: the one lock order on PostgreSQL is case rows (the caller's), then risk rows, then the
  // tab counters that the case UPDATEs below lock until COMMIT (intake's risk flush also precedes
  // its case writes). A transaction holding a counter row never waits for a risk row, so two
  // desks' sweeps cannot deadlock over a shared buyer or seller (tests/team/concurrency.test.ts).
  await recordCaseChangesRisk(tx, changes, now);

  // The case rows, guarded by version; the same columns with the same new values (and expected version) share one UPDATE.
  const dialect = dialectOf(tx);
  const caseGroups = groupBy(
    changes.map((change) => ({ id: change.next.id, write: caseRowWrite(change, now, dialect) })),
    ({ write }) => JSON.stringify(write),
  );
  for (const group of caseGroups.values()) {
    const { columns, values, version } = group[0]!.write;
    for (const ids of chunks(
      group.map((c) => c.id),
      MAX_IDS,
    )) {
      const one = ids.length === 1;
      const text = caseUpdateText(dialect, columns, one);
      const updated = await executeCount(tx, text, [...values, one ? ids[0]! : keysParam(dialect, ids), version]);
      if (updated !== ids.length) throw new ConcurrentUpdate(`case ${ids.join(', ')} changed under us`);
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
  await insertObjects(tx, 'evidence_requests', newRequests);
  for (const group of groupBy(changedRequests, (r) => JSON.stringify([r.status, r.resolved_at])).values())
    for (const ids of chunks(
      group.map((r) => r.id),
      MAX_IDS,
    ))
      // Every sweep chunk expires requests: a precompiled statement (db/compiled.ts).
      await execute(tx, REQUEST_UPDATE[dialect], [group[0]!.status, group[0]!.resolved_at, keysParam(dialect, ids)]);

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
  await insertChunked(proposals, (rows) =>
    tx
      .insertInto('proposals')
      .values(rows)
      .onConflict((oc) => oc.column('case_id').doUpdateSet(excludedOf(PROPOSAL_COLUMNS)))
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
  await insertDecisions(tx, decisions, dialect);

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
  await insertChunked(appeals, (rows) =>
    tx
      .insertInto('appeals')
      .values(rows)
      .onConflict((oc) => oc.column('case_id').doUpdateSet(excludedOf(APPEAL_COLUMNS)))
      .execute(),
  );

  // Refunds: removed when the engine dropped it, else written whole.
  const refundChanges = changes.filter(({ prev, next }) => JSON.stringify(next.refund) !== JSON.stringify(prev.refund));
  const droppedRefunds = refundChanges.filter(({ next }) => !next.refund).map(({ next }) => next.id);
  for (const ids of chunks(droppedRefunds, MAX_IDS)) await tx.deleteFrom('refunds').where('case_id', 'in', keysIn(tx, ids)).execute();
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
        reference: r.reference ?? null,
        failure_reason: r.failureReason ?? null,
      };
    });
  await insertChunked(refunds, (rows) =>
    tx
      .insertInto('refunds')
      .values(rows)
      .onConflict((oc) => oc.column('case_id').doUpdateSet(excludedOf(REFUND_COLUMNS)))
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
        .where('case_id', 'in', keysIn(tx, ids))
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
    await insertChunked(rows, (chunk) => tx.insertInto('evidence').values(chunk).execute());
  }

  await insertChainedEvents(
    tx,
    changes.flatMap((change) => {
      const bound = boundBy(change);
      const events = change.effects.events;
      if (bound && !events.length) throw new Error(`case ${change.next.id}: a decision or refund changed without an event to bind it to`);
      // What the change created is bound into its last event (the one that completes it).
      return events.map((e, i) => eventToChain(change.next.id, e, i === events.length - 1 ? bound : null));
    }),
  );
  await syncDeadlinesOf(
    tx,
    changes.map(({ next, effects }) => ({ caseId: next.id, wanted: effects.deadlines })),
    now,
  );
  // What the marketplace must act on (FEED.md events), in the same transaction: last, so the outbox lock is held briefly.
  await writeFeedOutbox(tx, changes);
}

/**
 * What a save writes into the case row: only the columns whose value changes, then the
 * version and updated_at. SQLite rewrites an index entry for every index that holds a
 * column named in the SET list, or whose WHERE does, even when the value is the same
 * (`cases` has 16 secondary indexes, 8 of them partial on status): a claim that names
 * next_due_at rewrote cases_by_deadline for nothing. status, assignee, forced decision and
 * evidence round are compared with the state read (the version guard says the row still
 * holds them); next_due_at and policy_version with the row's own values when the read took
 * them (rememberStoredColumns), else they are written.
 */
export function caseRowWrite({ prev, next, effects }: CaseChange, now: number, dialect: DialectName) {
  const stored = storedCaseColumns(prev);
  const policyVersion = next.decision?.policyVersion ?? null;
  const nextDueAt = effects.deadlines[0]?.dueAt ?? null;
  const columns: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    columns.push(column);
    values.push(value);
  };
  if (next.status !== prev.status) set('status', next.status);
  // SQLite: a case that opens or closes says so itself, sparing the trigger's second UPDATE of the row
  // (migrations/0037); PostgreSQL computes the column.
  if (dialect === 'sqlite' && isOpen(next.status) !== isOpen(prev.status)) set('is_open', isOpen(next.status) ? 1 : 0);
  if (next.assignee !== prev.assignee) set('assignee_id', next.assignee);
  if (next.forcedDecision !== prev.forcedDecision) set('forced_decision', next.forcedDecision ? 1 : 0);
  if (next.evidenceRound !== prev.evidenceRound) set('evidence_round', next.evidenceRound);
  if (!stored || stored.policyVersion !== policyVersion) set('policy_version', policyVersion);
  if (!stored || stored.nextDueAt !== nextDueAt) set('next_due_at', nextDueAt);
  set('version', prev.version + 1);
  set('updated_at', now);
  return { columns, values, version: prev.version };
}

const isOpen = (status: string) => (OPEN_STATUSES as readonly string[]).includes(status);

/** A loaded state's case-row columns that the engine's state does not carry, as they were read. */
interface StoredCaseColumns {
  nextDueAt: number | null;
  policyVersion: number | null;
}
const storedColumns = new WeakMap<object, StoredCaseColumns>();

/** Called by the reads that take them (case.ts caseStateFromRows): kept beside the loaded state object. */
export function rememberStoredColumns(state: object, stored: StoredCaseColumns): void {
  storedColumns.set(state, stored);
}
const storedCaseColumns = (state: object): StoredCaseColumns | undefined => storedColumns.get(state);

const pendingDeadlinesText = (dialect: DialectName) =>
  `SELECT id, case_id, "key", due_at FROM deadlines WHERE case_id IN ${textKeysIn(dialect)} AND fired_at IS NULL AND cancelled_at IS NULL`;
const PENDING_DEADLINES = { sqlite: pendingDeadlinesText('sqlite'), postgres: pendingDeadlinesText('postgres') } as const;

/** Pending deadlines no longer wanted (syncDeadlinesOf): the time, then one id or the ids as one value. */
export const CANCEL_DEADLINE = {
  sqlite: 'UPDATE deadlines SET cancelled_at = ? WHERE id = ?',
  postgres: 'UPDATE deadlines SET cancelled_at = $1 WHERE id = $2',
} as const;
export const CANCEL_DEADLINES = {
  sqlite: 'UPDATE deadlines SET cancelled_at = ? WHERE id IN (SELECT value FROM json_each(?))',
  postgres: 'UPDATE deadlines SET cancelled_at = $1 WHERE id IN (SELECT unnest(CAST($2 AS bigint[])))',
} as const;

/**
 * From this many first decisions in one save (the sweep's chunks), on SQLite, their report rows
 * are refreshed by one statement for the set rather than by 0028's trigger once a row
 * (migrations/0050: report_writer's row tells the trigger to stand aside). A command's single
 * decision keeps the trigger: two statements more would cost it what the set saves.
 */
export const REPORT_ROWS_BY_WRITER = 4;

/** The report rows of these cases, recomputed as the trigger would (the view is its SELECT). */
const REPORT_ROWS_DELETE = `DELETE FROM report_cases WHERE case_id IN ${textKeysIn('sqlite')}`;
const REPORT_ROWS_INSERT = `INSERT INTO report_cases (case_id, day, decided_at, decided_by, reason, country, basis, bucket, appealed,
  overturned, ev_requests, ev_expired, reply_periods, reply_missed, refund_currency, refund_amount)
  SELECT case_id, day, decided_at, decided_by, reason, country, basis, bucket, appealed, overturned, ev_requests, ev_expired,
  reply_periods, reply_missed, refund_currency, refund_amount FROM report_case_rows WHERE case_id IN ${textKeysIn('sqlite')}`;

/**
 * The decisions' rows; on SQLite, many first decisions get their report rows from one DELETE and
 * one INSERT … SELECT over the set, the same rows in the same transaction as the trigger's
 * refresh of each (which reads only the case's own rows, so the order within the set changes nothing).
 */
async function insertDecisions(tx: WriteTx, decisions: Array<Insertable<Database['decisions']>>, dialect: DialectName): Promise<void> {
  const first = decisions.filter((d) => d.seq === 1).map((d) => d.case_id);
  if (dialect !== 'sqlite' || first.length < REPORT_ROWS_BY_WRITER) {
    await insertObjects(tx, 'decisions', decisions);
    return;
  }
  await execute(tx, 'INSERT INTO report_writer (one) VALUES (1)', []);
  try {
    await insertObjects(tx, 'decisions', decisions);
  } finally {
    await execute(tx, 'DELETE FROM report_writer', []);
  }
  for (const ids of chunks(first, MAX_IDS)) {
    const keys = keysParam(dialect, ids);
    await execute(tx, REPORT_ROWS_DELETE, [keys]);
    await execute(tx, REPORT_ROWS_INSERT, [keys]);
  }
}

const caseUpdateTexts = new Map<string, string>();

/** A group of requests expired or answered alike (saveCaseStates): status, resolved_at, then the ids as one value. */
const REQUEST_UPDATE = {
  sqlite: `UPDATE evidence_requests SET status = ?, resolved_at = ? WHERE id IN ${textKeysIn('sqlite')}`,
  postgres: `UPDATE evidence_requests SET status = $1, resolved_at = $2 WHERE id IN ${textKeysIn('postgres', 3)}`,
} as const;

/** `UPDATE cases SET … WHERE id … AND version = …`, written once per dialect, column list and one / many ids. */
export function caseUpdateText(dialect: DialectName, columns: string[], one: boolean): string {
  const key = `${dialect} ${one ? 1 : 0} ${columns.join(',')}`;
  let text = caseUpdateTexts.get(key);
  if (!text) {
    const p = (i: number) => (dialect === 'sqlite' ? '?' : `$${i}`);
    const set = columns.map((c, i) => `"${c}" = ${p(i + 1)}`).join(', ');
    const n = columns.length;
    const id = one ? `id = ${p(n + 1)}` : `id IN ${textKeysIn(dialect, n + 1)}`;
    text = `UPDATE cases SET ${set} WHERE ${id} AND version = ${p(n + 2)}`;
    caseUpdateTexts.set(key, text);
  }
  return text;
}

/** `SET col = excluded.col` for an upsert that replaces the whole row. */
function excludedOf<C extends string>(columns: readonly C[]) {
  return (eb: { ref(r: string): unknown }) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])) as never;
}

/** One engine event as the audit chain takes it (command-rows.ts writes plain changes itself). */
export const eventToChain = (caseId: string, e: CaseEvent, bound: Bound | null): EventToChain => ({
  case_id: caseId,
  at: e.at,
  actor: e.actor,
  type: e.type,
  details: JSON.stringify(e.details),
  bound,
});

/** The decisions a change added and its refund, when it changed: bound into the change's event. */
function boundBy({ prev, next }: CaseChange): Bound | null {
  const bound: Bound = {};
  const before = prev.supersededDecisions.length + (prev.decision ? 1 : 0);
  const all = [...next.supersededDecisions, ...(next.decision ? [next.decision] : [])];
  if (all.length > before)
    bound.decisions = all
      .slice(before)
      .map((d, i) => ({ seq: before + i + 1, outcome: d.outcome, amountMinor: d.amountMinor, basis: d.basis }));
  if (JSON.stringify(next.refund) !== JSON.stringify(prev.refund))
    bound.refund = next.refund ? { amountMinor: next.refund.amountMinor, status: next.refund.status } : null;
  return bound.decisions || 'refund' in bound ? bound : null;
}

/** Events outside an engine change (refusals, supervision notes): chained, the case locked first. */
export async function appendEvents(tx: WriteTx, caseId: string, events: CaseEvent[]): Promise<void> {
  await insertChainedEvents(
    tx,
    events.map((e) => eventToChain(caseId, e, null)),
    { lockCases: true },
  );
}

/** Makes the pending deadline rows of a case equal the set the engine derived. */
export async function syncDeadlines(tx: WriteTx, caseId: string, wanted: Deadline[], now: number): Promise<void> {
  await syncDeadlinesOf(tx, [{ caseId, wanted }], now);
}

/** `syncDeadlines` for several different cases: one read, one cancel, one insert (in case order). */
async function syncDeadlinesOf(tx: WriteTx, cases: Array<{ caseId: string; wanted: Deadline[] }>, now: number): Promise<void> {
  const caseIds = cases.map((c) => c.caseId);
  // Pending rows read with the case's lock (locked-facts.ts) need no second read.
  const known = knownPendingDeadlines(tx, caseIds);
  deadlinesChanged(tx, caseIds);
  const pendingOf = known ?? new Map<string, Array<{ id: number; key: string; due_at: number }>>();
  for (const ids of known ? [] : chunks(caseIds, MAX_IDS)) {
    // Precompiled text (db/compiled.ts): read in every sweep transaction.
    const dialect = dialectOf(tx);
    const rows = await queryRows<{ id: number; case_id: string; key: string; due_at: number }>(tx, PENDING_DEADLINES[dialect], [
      keysParam(dialect, ids),
    ]);
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
  // Precompiled (db/compiled.ts): a claim or request cancels one in every command, and building it with kysely cost ~20 µs.
  const dialect = dialectOf(tx);
  for (const ids of chunks(stale, MAX_IDS))
    if (ids.length === 1) await execute(tx, CANCEL_DEADLINE[dialect], [now, ids[0]!]);
    else await execute(tx, CANCEL_DEADLINES[dialect], [now, keysParam(dialect, ids)]);
  await insertObjects(tx, 'deadlines', missing);
}
