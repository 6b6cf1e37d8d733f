import { sql } from 'kysely';
import type { Deadline } from '../../engine/commands';
import type { CaseState } from '../../engine/state';
import { handleOf, type StatementSource } from '../compiled';
import { dialectOf } from '../dialect';
import { prepared } from '../prepared';
import { LAST_STATEMENT } from '../pipelined-tx';
import type { WriteTx } from '../tx';
import { chainedRow, type ChainHead } from './audit-chain';
import {
  CANCEL_DEADLINE,
  CANCEL_DEADLINES,
  caseRowWrite,
  caseUpdateText,
  ConcurrentUpdate,
  eventToChain,
  saveCaseState,
  type CaseChange,
} from './case-write';
import { canNotifyAfterCommit, changeNoticeParts, notifyAfterCommit, recordChange } from './changes';
import { deadlinesChanged, headMoved, knownHeads, knownPendingDeadlines, type PendingDeadlineRow } from './locked-facts';
import { insertCaseCommand, type NewLoggedCommand } from './commands';

/**
 * The one step that writes an accepted command's rows, whoever calls it (the general command
 * path, take-next's fast path): the engine's change to the case (saveCaseState: case row,
 * child rows, chained events, deadlines, risk, feed outbox), the change notice for other
 * desktops and the command log row, all in the caller's transaction.
 *
 * A caller that read, under the case's row lock, its audit-chain head, its pending deadlines
 * and that it belongs to no feed (take-next's pick, repos/take-next.ts; a command's locked
 * read, repos/locked-read.ts) passes those facts: a change that touches the case row, its
 * evidence requests and deadlines and appends events (a claim, an evidence request, a
 * release, a reply…) is then written in ONE statement on PostgreSQL (case row, requests,
 * deadlines, chained events, command log row, change_log), the same rows the general steps
 * would write, in one round trip instead of six.
 */

/** What a writer read about the case under its row lock, in the statement that took the lock. */
export interface ReadUnderLock {
  head: ChainHead;
  pendingDeadlines: boolean;
  inFeed: boolean;
}

export interface CommandRows {
  change: CaseChange;
  /** The command log row; null when the command is not logged (app/case/command-log.ts). */
  logged: NewLoggedCommand | null;
  now: number;
  readUnderLock?: ReadUnderLock;
  /**
   * Nothing follows these rows in the transaction (take-next's claim, a command with no new
   * decision in a transaction of its own): the one statement, when
   * it is one, goes out with the COMMIT behind it (db/pipelined-tx.ts), one round trip less.
   */
  lastInTransaction?: boolean;
}

export async function writeCommandRows(tx: WriteTx, rows: CommandRows): Promise<void> {
  const { change, logged, now, readUnderLock: read } = rows;
  const plan = read && !read.inFeed ? oneStatementPlan(tx, change, read) : null;
  if (plan && dialectOf(tx) === 'postgres') {
    if (!(await writeInOneStatement(tx, change, plan, logged, read!.head, now, rows.lastInTransaction === true)))
      throw new ConcurrentUpdate(`case ${change.next.id} changed under us`);
    return;
  }
  const handle = plan && !plan.changedRequests.length ? handleOf(tx) : undefined;
  if (handle && writeOnSqlite(tx, handle, change, plan!, logged, now)) return;
  await saveCaseState(tx, change.prev, change.next, change.effects, now);
  // Other desktops hear of it when this commits (a shared server; nothing on SQLite).
  await recordChange(tx, [change.next.id], 'command', now);
  if (logged) await insertCaseCommand(tx, logged);
}

/**
 * The same plan on SQLite, run straight on the transaction's connection (db/compiled.ts), one
 * statement after another with no promise between them: the rows and their order are the
 * general steps' (saveCaseState, then the command log), without what those do for changes a
 * plan excludes (risk rows, proposals, decisions, appeals, refunds, evidence, feed outbox:
 * each a comparison or a read per command) or for many cases at once (grouping, one key per
 * statement text). A claim or an evidence request, the commands a mediator's day is made of,
 * went through all of that for nothing (issue 16, session 24; README: a command's main-thread
 * CPU on tmpfs fell by a quarter or more). False, having written nothing, when the chain head
 * is not known from the lock's read: then the general steps run.
 */
function writeOnSqlite(
  tx: WriteTx,
  h: StatementSource,
  change: CaseChange,
  plan: OneStatementPlan,
  logged: NewLoggedCommand | null,
  now: number,
): boolean {
  const { next, effects } = change;
  const id = next.id;
  let head = knownHeads(tx, [id])?.get(id);
  if (!head) return false;
  const write = caseRowWrite(change, now, 'sqlite');
  if (h.prepare(caseUpdateText('sqlite', write.columns, true)).run(...write.values, id, write.version).changes !== 1)
    throw new ConcurrentUpdate(`case ${id} changed under us`);
  for (const r of plan.newRequests)
    h.prepare(INSERT_REQUEST).run(r.id, id, r.party, r.request, r.requestedBy, r.requestedAt, r.dueAt, r.status, r.resolvedAt, r.round);
  for (const e of effects.events) {
    // No decision or refund changed (the plan's condition): nothing is bound into the event.
    const row = chainedRow(head, eventToChain(id, e, null));
    h.prepare(INSERT_EVENT).run(row.case_id, row.at, row.actor, row.type, row.details, row.seq, row.bound, row.prev_hash, row.hash);
    head = { seq: row.seq, hash: row.hash };
  }
  headMoved(tx, id, head);
  deadlinesChanged(tx, [id]);
  const stale = plan.staleDeadlines;
  if (stale.length === 1) h.prepare(CANCEL_DEADLINE.sqlite).run(now, stale[0]);
  else if (stale.length) h.prepare(CANCEL_DEADLINES.sqlite).run(now, JSON.stringify(stale));
  for (const w of plan.missingDeadlines) h.prepare(INSERT_DEADLINE).run(id, w.key, w.kind, w.dueAt, now, null, null);
  if (logged) h.prepare(INSERT_COMMAND).run(logged.case_id, logged.at, logged.actor_id, logged.actor_role, logged.method, logged.input);
  return true;
}

// The general steps' inserts of one row, column for column (db/batch.ts insertRows, as saveCaseStates and insertCaseCommand call it).
const INSERT_REQUEST =
  'INSERT INTO "evidence_requests" ("id","case_id","party","request","requested_by","requested_at","due_at","status","resolved_at","round") VALUES (?,?,?,?,?,?,?,?,?,?)';
const INSERT_EVENT =
  'INSERT INTO "case_events" ("case_id","at","actor","type","details","seq","bound","prev_hash","hash") VALUES (?,?,?,?,?,?,?,?,?)';
const INSERT_DEADLINE =
  'INSERT INTO "deadlines" ("case_id","key","kind","due_at","created_at","fired_at","cancelled_at") VALUES (?,?,?,?,?,?,?)';
const INSERT_COMMAND = 'INSERT INTO "case_commands" ("case_id","at","actor_id","actor_role","method","input") VALUES (?,?,?,?,?,?)';

/** What the one statement writes besides the case row, the chained events, the log row and the notice. */
interface OneStatementPlan {
  newRequests: CaseState['evidenceRequests'];
  changedRequests: CaseState['evidenceRequests'];
  /** Pending deadline rows the engine no longer wants: cancelled. */
  staleDeadlines: number[];
  /** Deadlines the engine wants that are not pending yet: inserted. */
  missingDeadlines: Deadline[];
}

/**
 * The change is one the statement writes exactly as saveCaseState would, or null: no new
 * evidence, no proposal, decision, appeal or refund row changed (those bind into the chain,
 * feed the risk score and the supervisors' desk: the general steps write them); evidence
 * requests new or changed; deadlines synced against the pending rows the lock's read took
 * (locked-facts.ts), or none pending and none wanted. No risk rows (they follow decisions and
 * evidence) and no feed outbox (the caller read that the case is in no feed).
 */
function oneStatementPlan(tx: WriteTx, { prev, next, effects }: CaseChange, read: ReadUnderLock): OneStatementPlan | null {
  if (effects.newEvidence.length) return null;
  const children = (s: CaseState) => JSON.stringify([s.proposal, s.decision, s.supersededDecisions, s.appeal, s.refund]);
  if (children(prev) !== children(next)) return null;
  let pending: PendingDeadlineRow[] = [];
  if (read.pendingDeadlines || effects.deadlines.length) {
    const known = knownPendingDeadlines(tx, [next.id]);
    if (!known) return null;
    pending = known.get(next.id) ?? [];
  }
  // As saveCaseStates and syncDeadlinesOf compare them.
  const prevRequests = new Map(prev.evidenceRequests.map((r) => [r.id, r]));
  const newRequests = next.evidenceRequests.filter((r) => !prevRequests.has(r.id));
  const changedRequests = next.evidenceRequests.filter((r) => {
    const old = prevRequests.get(r.id);
    return old && (old.status !== r.status || old.resolvedAt !== r.resolvedAt);
  });
  const wanted = new Set(effects.deadlines.map((w) => `${w.key}@${w.dueAt}`));
  const have = new Set(pending.map((p) => `${p.key}@${p.due_at}`));
  return {
    newRequests,
    changedRequests,
    staleDeadlines: pending.filter((p) => !wanted.has(`${p.key}@${p.due_at}`)).map((p) => Number(p.id)),
    missingDeadlines: effects.deadlines.filter((w) => !have.has(`${w.key}@${w.dueAt}`)),
  };
}

/**
 * The case row (version-guarded), its evidence requests and deadlines, its chained events,
 * the log row and the notice; false when the version moved. Every part waits for `changed`
 * (the parts of one statement all see the rows as they were before it, so none depends on
 * another's writes: each touches different rows).
 */
async function writeInOneStatement(
  tx: WriteTx,
  { prev, next, effects }: CaseChange,
  plan: OneStatementPlan,
  logged: NewLoggedCommand | null,
  start: ChainHead,
  now: number,
  last: boolean,
): Promise<boolean> {
  let head = start;
  const events = effects.events.map((e) => {
    const row = chainedRow(head, eventToChain(next.id, e, null));
    head = { seq: row.seq, hash: row.hash };
    return sql`(${row.case_id}::text, ${row.at}::bigint, ${row.actor}::text, ${row.type}::text, ${row.details}::text,
      ${row.seq}::integer, ${row.bound}::text, ${row.prev_hash}::text, ${row.hash}::text)`;
  });
  const notice = changeNoticeParts([next.id], 'command', now, 'changed');
  // The notice goes out after the commit (changes.ts recordChange: a NOTIFY in the transaction serialises every commit).
  const later = canNotifyAfterCommit(tx);
  const requested = plan.newRequests.length
    ? sql`requested AS (
      INSERT INTO evidence_requests (id, case_id, party, request, requested_by, requested_at, due_at, status, resolved_at, round)
      SELECT v.* FROM (VALUES ${sql.join(
        plan.newRequests.map(
          (r) => sql`(${r.id}::text, ${next.id}::text, ${r.party}::text, ${r.request}::text, ${r.requestedBy}::text,
            ${r.requestedAt}::bigint, ${r.dueAt}::bigint, ${r.status}::text, ${r.resolvedAt}::bigint, ${r.round}::integer)`,
        ),
      )}) AS v(id, case_id, party, request, requested_by, requested_at, due_at, status, resolved_at, round)
      WHERE EXISTS (SELECT 1 FROM changed)
    ),`
    : sql``;
  const resolved = plan.changedRequests.length
    ? sql`resolved AS (
      UPDATE evidence_requests r SET status = v.status, resolved_at = v.resolved_at
      FROM (VALUES ${sql.join(plan.changedRequests.map((r) => sql`(${r.id}::text, ${r.status}::text, ${r.resolvedAt}::bigint)`))})
        AS v(id, status, resolved_at)
      WHERE r.id = v.id AND EXISTS (SELECT 1 FROM changed)
    ),`
    : sql``;
  const cancelled = plan.staleDeadlines.length
    ? sql`cancelled AS (
      UPDATE deadlines SET cancelled_at = ${now}::bigint
      WHERE id = ANY(${plan.staleDeadlines}::integer[]) AND EXISTS (SELECT 1 FROM changed)
    ),`
    : sql``;
  const due = plan.missingDeadlines.length
    ? sql`due AS (
      INSERT INTO deadlines (case_id, key, kind, due_at, created_at, fired_at, cancelled_at)
      SELECT v.*, NULL::bigint, NULL::bigint FROM (VALUES ${sql.join(
        plan.missingDeadlines.map((w) => sql`(${next.id}::text, ${w.key}::text, ${w.kind}::text, ${w.dueAt}::bigint, ${now}::bigint)`),
      )}) AS v(case_id, key, kind, due_at, created_at)
      WHERE EXISTS (SELECT 1 FROM changed)
    ),`
    : sql``;
  const chained = events.length
    ? sql`chained AS (
      INSERT INTO case_events (case_id, at, actor, type, details, seq, bound, prev_hash, hash)
      SELECT v.* FROM (VALUES ${sql.join(events)}) AS v(case_id, at, actor, type, details, seq, bound, prev_hash, hash)
      WHERE EXISTS (SELECT 1 FROM changed)
    ),`
    : sql``;
  const commanded = logged
    ? sql`commanded AS (
      INSERT INTO case_commands (case_id, at, actor_id, actor_role, method, input)
      SELECT id, ${logged.at}::bigint, ${logged.actor_id}::text, ${logged.actor_role}::text, ${logged.method}::text, ${logged.input}::text
      FROM changed
    ),`
    : sql``;
  // Kept prepared on each connection (db/prepared.ts): a command's statement has one shape per
  // kind of change (how many events, requests and deadlines it writes).
  // A version that moved writes nothing (every part waits for `changed`), so committing it is harmless.
  const { rows } = await prepared<{ updated: number; notice: unknown }>`${last ? sql.raw(LAST_STATEMENT) : sql``}
    WITH changed AS (
      UPDATE cases SET status = ${next.status}, assignee_id = ${next.assignee}, forced_decision = ${next.forcedDecision ? 1 : 0},
        evidence_round = ${next.evidenceRound}, policy_version = ${next.decision?.policyVersion ?? null},
        next_due_at = ${effects.deadlines[0]?.dueAt ?? null}::bigint, version = ${prev.version + 1}, updated_at = ${now}
      WHERE id = ${next.id} AND version = ${prev.version}
        -- The chain is where the caller read it: take-next's pick reads the head in the statement
        -- that takes its lock, which sees other tables as of that statement's start; this one
        -- starts after the lock is held. A moved chain answers "changed under us" (retried).
        AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = ${next.id} AND e.seq > ${start.seq})
      RETURNING id
    ),
    ${requested}
    ${resolved}
    ${cancelled}
    ${due}
    ${chained}
    ${commanded}
    ${notice.logged}
    SELECT (SELECT count(*) FROM changed)::integer AS updated,
      ${later ? sql`(SELECT seq FROM logged)` : notice.notified} AS notice`.execute(tx);
  const updated = Number(rows[0]?.updated ?? 0) === 1;
  if (updated) {
    headMoved(tx, next.id, head);
    if (plan.staleDeadlines.length || plan.missingDeadlines.length) deadlinesChanged(tx, [next.id]);
  }
  if (updated && later) notifyAfterCommit(tx, notice, rows[0]?.notice as number | null);
  return updated;
}
