import { sql } from 'kysely';
import type { CaseState } from '../../engine/state';
import { dialectOf } from '../dialect';
import { prepared } from '../prepared';
import { LAST_STATEMENT } from '../pipelined-tx';
import type { WriteTx } from '../tx';
import { chainedRow, type ChainHead } from './audit-chain';
import { ConcurrentUpdate, eventToChain, saveCaseState, type CaseChange } from './case-write';
import { canNotifyAfterCommit, changeNoticeParts, notifyAfterCommit, recordChange } from './changes';
import { headMoved } from './locked-facts';
import { insertCaseCommand, type NewLoggedCommand } from './commands';

/**
 * The one step that writes an accepted command's rows, whoever calls it (the general command
 * path, take-next's fast path): the engine's change to the case (saveCaseState: case row,
 * child rows, chained events, deadlines, risk, feed outbox), the change notice for other
 * desktops and the command log row, all in the caller's transaction.
 *
 * A caller that read, under the case's row lock, its audit-chain head and that it has no
 * pending deadline and belongs to no feed (take-next's pick, repos/take-next.ts) passes
 * those facts: a change that touches only the case row and appends events is then written
 * in ONE statement on PostgreSQL (case row, chained events, command log row, change_log +
 * pg_notify), the same rows the general steps would write, in one round trip.
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
   * Nothing follows these rows in the transaction (take-next's claim): the one statement, when
   * it is one, goes out with the COMMIT behind it (db/pipelined-tx.ts), one round trip less.
   */
  lastInTransaction?: boolean;
}

export async function writeCommandRows(tx: WriteTx, rows: CommandRows): Promise<void> {
  const { change, logged, now, readUnderLock: read } = rows;
  if (read && !read.pendingDeadlines && !read.inFeed && dialectOf(tx) === 'postgres' && onlyCaseRowAndEvents(change)) {
    if (!(await writeInOneStatement(tx, change, logged, read.head, now, rows.lastInTransaction === true)))
      throw new ConcurrentUpdate(`case ${change.next.id} changed under us`);
    return;
  }
  await saveCaseState(tx, change.prev, change.next, change.effects, now);
  // Other desktops hear of it when this commits (a shared server; nothing on SQLite).
  await recordChange(tx, [change.next.id], 'command', now);
  if (logged) await insertCaseCommand(tx, logged);
}

/**
 * The change writes the case row and appends events, nothing else: no child rows (requests,
 * proposal, decisions, appeal, refund), no evidence, no deadlines. Then the one statement
 * writes exactly what saveCaseState would (no risk rows: those follow decisions and evidence).
 */
function onlyCaseRowAndEvents({ prev, next, effects }: CaseChange): boolean {
  const children = (s: CaseState) =>
    JSON.stringify([s.evidenceRequests, s.proposal, s.decision, s.supersededDecisions, s.appeal, s.refund]);
  return !effects.deadlines.length && !effects.newEvidence.length && children(prev) === children(next);
}

/** The case row (version-guarded), its chained events, the log row and the notice; false when the version moved. */
async function writeInOneStatement(
  tx: WriteTx,
  { prev, next, effects }: CaseChange,
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
  // Kept prepared on each connection (db/prepared.ts): a claim's statement has one shape.
  // A version that moved writes nothing (every part waits for `changed`), so committing it is harmless.
  const { rows } = await prepared<{ updated: number; notice: unknown }>`${last ? sql.raw(LAST_STATEMENT) : sql``}
    WITH changed AS (
      UPDATE cases SET status = ${next.status}, assignee_id = ${next.assignee}, forced_decision = ${next.forcedDecision ? 1 : 0},
        evidence_round = ${next.evidenceRound}, policy_version = ${next.decision?.policyVersion ?? null}, next_due_at = NULL,
        version = ${prev.version + 1}, updated_at = ${now}
      WHERE id = ${next.id} AND version = ${prev.version}
        -- The chain is where the caller read it: take-next's pick reads the head in the statement
        -- that takes its lock, which sees other tables as of that statement's start; this one
        -- starts after the lock is held. A moved chain answers "changed under us" (retried).
        AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = ${next.id} AND e.seq > ${start.seq})
      RETURNING id
    ),
    ${chained}
    ${commanded}
    ${notice.logged}
    SELECT (SELECT count(*) FROM changed)::integer AS updated,
      ${later ? sql`(SELECT seq FROM logged)` : notice.notified} AS notice`.execute(tx);
  const updated = Number(rows[0]?.updated ?? 0) === 1;
  if (updated) headMoved(tx, next.id, head);
  if (updated && later) notifyAfterCommit(tx, notice, rows[0]?.notice as number | null);
  return updated;
}
