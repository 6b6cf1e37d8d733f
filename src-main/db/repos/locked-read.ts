import { sql } from 'kysely';
import type { CaseState } from '../../engine/state';
import { prepared } from '../prepared';
import { WITH_NEXT } from '../pipelined-tx';
import type { WriteTx } from '../tx';
import { caseStateFromRows, type CaseChildRows, type CaseStateRow } from './case';
import type { ReadUnderLock } from './command-rows';
import { rememberLockedFacts, type PendingDeadlineRow } from './locked-facts';
import { policyOfRow, type VersionedPolicy } from './policy';
import { dialectOf } from '../dialect';
import { queryRows } from '../compiled';
import { APPEAL_COLUMNS, PROPOSAL_COLUMNS, REFUND_COLUMNS } from './case-write';

/**
 * A command on a named case on a team's PostgreSQL server: once the case's row lock is held,
 * ONE statement reads the engine's state of the case with its child rows, the policy
 * in force, its audit-chain head, its pending deadlines (and whether one is already due) and
 * the feed that imported it. The general path needs a dozen round trips for the same facts
 * (lock, due deadlines, case, five child tables, policy, then the chain head, deadlines and
 * feed again while writing), each one while the lock is held and thirty colleagues wait.
 * The facts the writes need are kept for the transaction (locked-facts.ts).
 */
export interface LockedCase {
  state: CaseState & { version: number };
  policy: VersionedPolicy;
  readUnderLock: ReadUnderLock;
  /** A pending deadline of the case is due at `now`: the sweep's default applies before the command. */
  hasDue: boolean;
}

interface LockedRow extends CaseStateRow {
  requests: CaseChildRows['requests'] | null;
  proposal: CaseChildRows['proposal'] | null;
  decisions: CaseChildRows['decisions'] | null;
  appeal: CaseChildRows['appeal'] | null;
  refund: CaseChildRows['refund'] | null;
  pending: PendingDeadlineRow[] | null;
  head_seq: number | null;
  head_hash: string | null;
  feed_id: string | null;
  policy_version: number | null;
  policy_body: string | null;
}

/**
 * The columns of a locked case `c` the engine's state needs (CaseStateRow), and what joins
 * them: its order `o`, its buyer `b`, its chain head `h` and the policy in force `p`. Shared
 * with take-next's pick (take-next.ts), which locks its case differently.
 */
export const LOCKED_CASE_COLUMNS = sql`c.id, c.status, c.assignee_id, c.reason, c.claim_remedy, c.claim_amount_minor,
  c.buyer_id, c.seller_id, c.escalated_at, c.forced_decision, c.evidence_round, c.version, o.currency, o.item_price_minor,
  o.shipping_minor, o.total_minor, o.delivery_status, b.label AS buyer_label`;
export const AROUND_LOCKED_CASE = sql`JOIN orders o ON o.id = c.order_id
    JOIN accounts b ON b.id = c.buyer_id
    LEFT JOIN LATERAL (SELECT e.seq, e.hash FROM case_events e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1) h ON true
    LEFT JOIN LATERAL (SELECT version, body FROM policies ORDER BY version DESC LIMIT 1) p ON true`;

/** The row's next_due_at and policy_version as stored: the write then sets only what changes (case-write.ts caseRowWrite). */
const STORED_COLUMNS = sql`c.next_due_at AS stored_next_due_at, c.policy_version AS stored_policy_version`;

/** Locks the case (waiting for whoever holds it), then reads it; null when there is no such case. */
export async function lockAndReadCase(tx: WriteTx, caseId: string, now: number): Promise<LockedCase | null> {
  if (dialectOf(tx) === 'sqlite') return readLockedCaseSqlite(tx, caseId, now);
  // The lock first, in a statement of its own: a statement that waits for a row lock still
  // reads every other table as of when it began (READ COMMITTED), so it would miss what the
  // holder wrote. The read after it starts after the holder committed. Both go out together
  // (with the BEGIN: one round trip, db/pipelined-tx.ts WITH_NEXT): the server runs them in
  // order. The lock's answer is not awaited; the read says whether the case exists, and takes
  // the lock again (`FOR UPDATE OF c`, at once: this transaction holds it) so a case row that
  // appeared between the two statements (a re-import replacing it) is locked all the same.
  await prepared`${sql.raw(WITH_NEXT)} SELECT id FROM cases WHERE id = ${caseId} FOR UPDATE`.execute(tx);
  // Child rows come back as JSON (row_to_json keeps each column's name; integers stay numbers).
  const { rows } = await prepared<LockedRow>`
    SELECT ${LOCKED_CASE_COLUMNS}, ${STORED_COLUMNS},
      (SELECT json_agg(r ORDER BY r.requested_at, r.id) FROM evidence_requests r WHERE r.case_id = c.id) AS requests,
      (SELECT row_to_json(p) FROM proposals p WHERE p.case_id = c.id) AS proposal,
      (SELECT json_agg(d ORDER BY d.seq) FROM decisions d WHERE d.case_id = c.id) AS decisions,
      (SELECT row_to_json(a) FROM appeals a WHERE a.case_id = c.id) AS appeal,
      (SELECT row_to_json(f) FROM refunds f WHERE f.case_id = c.id) AS refund,
      (SELECT json_agg(json_build_object('id', d.id, 'case_id', d.case_id, 'key', d.key, 'due_at', d.due_at) ORDER BY d.id)
        FROM deadlines d WHERE d.case_id = c.id AND d.fired_at IS NULL AND d.cancelled_at IS NULL) AS pending,
      h.seq AS head_seq, h.hash AS head_hash,
      (SELECT fc.feed_id FROM feed_cases fc WHERE fc.case_id = c.id) AS feed_id,
      p.version AS policy_version, p.body AS policy_body
    FROM cases c
    ${AROUND_LOCKED_CASE}
    WHERE c.id = ${caseId}
    FOR UPDATE OF c`.execute(tx);
  return lockedCaseOfRow(tx, caseId, rows[0], now);
}

/** The engine's state and the facts read under the lock, from the one row; the facts are kept for the transaction. */
function lockedCaseOfRow(tx: WriteTx, caseId: string, row: LockedRow | undefined, now: number): LockedCase | null {
  if (!row) return null;
  const pending = row.pending ?? [];
  const hasDue = pending.some((d) => Number(d.due_at) <= now);
  const head = { seq: Number(row.head_seq ?? 0), hash: row.head_hash };
  // A due deadline is applied first by the general path, which reads and writes these again.
  if (!hasDue) rememberLockedFacts(tx, caseId, { head, pending, feed: row.feed_id });
  return {
    state: caseStateFromRows(row, {
      requests: row.requests ?? [],
      proposal: row.proposal ?? undefined,
      decisions: row.decisions ?? [],
      appeal: row.appeal ?? undefined,
      refund: row.refund ?? undefined,
    }),
    policy: policyOfRow(row.policy_version === null ? undefined : { version: row.policy_version, body: row.policy_body! }),
    readUnderLock: { head, pendingDeadlines: pending.length > 0, inFeed: row.feed_id !== null },
    hasDue,
  };
}

/** A child table's columns as SQLite's json_object arguments (`'col', alias.col, …`): the row as row_to_json gives it on PostgreSQL. */
const jsonObject = (alias: string, columns: readonly string[]) =>
  sql.raw(`json_object(${columns.map((c) => `'${c}', ${alias}.${c}`).join(', ')})`);
const REQUEST_COLUMNS = ['id', 'case_id', 'party', 'request', 'requested_by', 'requested_at', 'due_at', 'status', 'resolved_at', 'round'];
const DECISION_COLUMNS = [
  'case_id',
  'seq',
  'outcome',
  'amount_minor',
  'basis',
  'decided_by',
  'decided_at',
  'appeal_until',
  'reasons',
  'policy_version',
];
/**
 * The same read on SQLite, where the write transaction (BEGIN IMMEDIATE) is the lock: one
 * statement instead of the general path's twelve (the existence check, the due deadlines,
 * the case and its five child tables, the policy, then the chain head, the pending deadlines
 * and the feed while writing). Each statement costs more in building, binding and stepping
 * than the rows it reads; a command opens one durable transaction and runs a few dozen.
 * Child rows come back as JSON arrays and objects, in the order their index gives them:
 * sorted in JavaScript (sortLockedRows), as PostgreSQL's aggregates sort them. An ORDER BY in
 * a subquery made each one a co-routine (the requests' also a sorter, their index being on
 * case_id alone), and the chain head and the policy as LEFT JOINs on LIMIT subqueries were
 * materialised into temporary tables: ~12 µs more CPU warm, 15–20 µs more as a command's
 * first statement after the previous commit's fsync (cold caches), for the same row (issue
 * 16, session 22; README). Its one parameter is the case id.
 */
const lockedSqliteQuery = (caseId: string) =>
  sql<Record<keyof LockedRow, unknown>>`
    SELECT ${LOCKED_CASE_COLUMNS}, ${STORED_COLUMNS},
      (SELECT json_group_array(${jsonObject('r', REQUEST_COLUMNS)}) FROM evidence_requests r WHERE r.case_id = c.id) AS requests,
      (SELECT ${jsonObject('p', ['case_id', ...PROPOSAL_COLUMNS])} FROM proposals p WHERE p.case_id = c.id) AS proposal,
      (SELECT json_group_array(${jsonObject('d', DECISION_COLUMNS)}) FROM decisions d WHERE d.case_id = c.id) AS decisions,
      (SELECT ${jsonObject('a', ['case_id', ...APPEAL_COLUMNS])} FROM appeals a WHERE a.case_id = c.id) AS appeal,
      (SELECT ${jsonObject('f', ['case_id', ...REFUND_COLUMNS])} FROM refunds f WHERE f.case_id = c.id) AS refund,
      (SELECT json_group_array(json_object('id', d.id, 'case_id', d.case_id, 'key', d.key, 'due_at', d.due_at)) FROM deadlines d
        WHERE d.case_id = c.id AND d.fired_at IS NULL AND d.cancelled_at IS NULL) AS pending,
      (SELECT e.seq FROM case_events e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1) AS head_seq,
      (SELECT e.hash FROM case_events e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1) AS head_hash,
      (SELECT fc.feed_id FROM feed_cases fc WHERE fc.case_id = c.id) AS feed_id,
      (SELECT version FROM policies ORDER BY version DESC LIMIT 1) AS policy_version,
      (SELECT body FROM policies ORDER BY version DESC LIMIT 1) AS policy_body
    FROM cases c
    JOIN orders o ON o.id = c.order_id
    JOIN accounts b ON b.id = c.buyer_id
    WHERE c.id = ${caseId}`;

/**
 * The child rows in the order of the general loaders (and of PostgreSQL's read): requests by
 * time then id, decisions by seq, pending deadlines by id. Ids compare as strings as SQLite's
 * BINARY collation does for them: a request's id is its case's id and `/R<n>`, so two of one
 * case first differ in ASCII, where UTF-16 and UTF-8 order agree. Nearly always 0 to 2 rows.
 */
function sortLockedRows(row: LockedRow): void {
  if (row.requests && row.requests.length > 1)
    row.requests.sort((a, b) =>
      a.requested_at !== b.requested_at ? Number(a.requested_at) - Number(b.requested_at) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
  if (row.decisions && row.decisions.length > 1) row.decisions.sort((a, b) => a.seq - b.seq);
  if (row.pending && row.pending.length > 1) row.pending.sort((a, b) => Number(a.id) - Number(b.id));
}
/** lockedSqliteQuery's text, the same for every SQLite database: built once. */
let lockedSqliteText: string | undefined;

async function readLockedCaseSqlite(tx: WriteTx, caseId: string, now: number): Promise<LockedCase | null> {
  // Built by kysely once, then run as compiled text straight on the transaction's connection
  // (db/compiled.ts): building it per command, and the driver's path, cost ~25 µs a command.
  lockedSqliteText ??= lockedSqliteQuery(caseId).compile(tx).sql;
  const [raw] = await queryRows<Record<keyof LockedRow, unknown>>(tx, lockedSqliteText, [caseId]);
  if (!raw) return null;
  const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(v as string) as T));
  const row = {
    ...raw,
    requests: json(raw.requests),
    proposal: json(raw.proposal),
    decisions: json(raw.decisions),
    appeal: json(raw.appeal),
    refund: json(raw.refund),
    pending: json(raw.pending),
  } as LockedRow;
  sortLockedRows(row);
  return lockedCaseOfRow(tx, caseId, row, now);
}
