import type { CaseState } from '../../engine/state';
import { prepared } from '../prepared';
import type { WriteTx } from '../tx';
import { caseStateFromRows, type CaseStateRow } from './case';
import type { ReadUnderLock } from './command-rows';
import { AROUND_LOCKED_CASE, LOCKED_CASE_COLUMNS } from './locked-read';
import { policyOfRow, type VersionedPolicy } from './policy';

/**
 * Take-next on a team's PostgreSQL server in two statements inside one short transaction
 * (issue 12: thirty mediators pressing at once). The pick locks the unassigned case
 * escalated longest ago that no one else is claiming (`FOR UPDATE SKIP LOCKED`) and reads, in
 * the same statement, all the claim needs: the engine's state of the case, its audit-chain
 * head, the policy in force, and whether anything about the case needs the general command
 * path (history rows, pending deadlines, a feed that imported it). The write is the shared
 * command write (command-rows.ts), which, given what the pick read under the lock, puts a
 * plain claim's rows in one statement.
 */

export interface PickedCase {
  caseId: string;
  /** Its engine state, or null when the case has history rows (the general path loads it whole). */
  state: (CaseState & { version: number }) | null;
  policy: VersionedPolicy;
  /** The chain head, pending deadlines and feed, read under the lock: what lets the write be one statement. */
  readUnderLock: ReadUnderLock;
  /** History rows, pending deadlines (one may be due) or a feed's outbox: the general command path writes this claim. */
  needsGeneralPath: boolean;
}

interface PickRow extends CaseStateRow {
  head_seq: number | null;
  head_hash: string | null;
  has_history: boolean;
  has_deadlines: boolean;
  in_feed: boolean;
  policy_version: number | null;
  policy_body: string | null;
}

/** Locks the next free unassigned case for this transaction and reads it; null when none is free. */
export async function pickNextUnassigned(tx: WriteTx): Promise<PickedCase | null> {
  // Kept prepared on each connection (db/prepared.ts): planning it cost as much as running it.
  const { rows } = await prepared<PickRow>`
    SELECT ${LOCKED_CASE_COLUMNS},
      h.seq AS head_seq, h.hash AS head_hash,
      (EXISTS (SELECT 1 FROM evidence_requests x WHERE x.case_id = c.id)
        OR EXISTS (SELECT 1 FROM proposals x WHERE x.case_id = c.id)
        OR EXISTS (SELECT 1 FROM decisions x WHERE x.case_id = c.id)
        OR EXISTS (SELECT 1 FROM appeals x WHERE x.case_id = c.id)
        OR EXISTS (SELECT 1 FROM refunds x WHERE x.case_id = c.id)) AS has_history,
      EXISTS (SELECT 1 FROM deadlines d WHERE d.case_id = c.id AND d.fired_at IS NULL AND d.cancelled_at IS NULL) AS has_deadlines,
      EXISTS (SELECT 1 FROM feed_cases f WHERE f.case_id = c.id) AS in_feed,
      p.version AS policy_version, p.body AS policy_body
    FROM (
      SELECT * FROM cases
      WHERE status = 'escalated' AND assignee_id IS NULL
      ORDER BY escalated_at, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ) c
    ${AROUND_LOCKED_CASE}`.execute(tx);
  const row = rows[0];
  if (!row) return null;
  return {
    caseId: row.id,
    state: row.has_history ? null : caseStateFromRows(row, {}),
    readUnderLock: {
      head: { seq: Number(row.head_seq ?? 0), hash: row.head_hash },
      pendingDeadlines: row.has_deadlines,
      inFeed: row.in_feed,
    },
    policy: policyOfRow(row.policy_version === null ? undefined : { version: row.policy_version, body: row.policy_body! }),
    needsGeneralPath: row.has_history || row.has_deadlines || row.in_feed,
  };
}
