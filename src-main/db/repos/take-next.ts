import { sql } from 'kysely';
import type { CaseState } from '../../engine/state';
import type { WriteTx } from '../tx';
import { chainedRow, type ChainHead, type EventToChain } from './audit-chain';
import { caseStateFromRows, type CaseStateRow } from './case';
import { changeNoticeParts } from './changes';
import { policyOfRow, type VersionedPolicy } from './policy';

/**
 * Take-next on a team's PostgreSQL server in two statements inside one short transaction
 * (issue 12: thirty mediators pressing at once). The pick locks the unassigned case
 * escalated longest ago that no one else is claiming (`FOR UPDATE SKIP LOCKED`) and reads, in
 * the same statement, all the claim needs: the engine's state of the case, its audit-chain
 * head, the policy in force, and whether anything about the case needs the general command
 * path (history rows, pending deadlines, a feed that imported it). The write is one statement
 * too: the case row (version-guarded; the queue_counts triggers keep the tab counters in it),
 * the chained event, the command log row and the change notice (change_log + pg_notify).
 * Both are the same rows runCaseCommand writes for a claim; only the round trips differ.
 */

export interface PickedCase {
  caseId: string;
  /** Its engine state, or null when the case has history rows (the general path loads it whole). */
  state: (CaseState & { version: number }) | null;
  head: ChainHead;
  policy: VersionedPolicy;
  /** Pending deadlines (one may be due) or a feed's outbox: the general command path writes this claim. */
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
  const { rows } = await sql<PickRow>`
    SELECT c.id, c.status, c.assignee_id, c.reason, c.claim_remedy, c.claim_amount_minor, c.buyer_id, c.seller_id,
      c.escalated_at, c.forced_decision, c.evidence_round, c.version,
      o.currency, o.item_price_minor, o.shipping_minor, o.total_minor, o.delivery_status, b.label AS buyer_label,
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
    JOIN orders o ON o.id = c.order_id
    JOIN accounts b ON b.id = c.buyer_id
    LEFT JOIN LATERAL (SELECT e.seq, e.hash FROM case_events e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1) h ON true
    LEFT JOIN LATERAL (SELECT version, body FROM policies ORDER BY version DESC LIMIT 1) p ON true`.execute(tx);
  const row = rows[0];
  if (!row) return null;
  return {
    caseId: row.id,
    state: row.has_history ? null : caseStateFromRows(row, {}),
    head: { seq: Number(row.head_seq ?? 0), hash: row.head_hash },
    policy: policyOfRow(row.policy_version === null ? undefined : { version: row.policy_version, body: row.policy_body! }),
    needsGeneralPath: row.has_history || row.has_deadlines || row.in_feed,
  };
}

export interface PlainClaim {
  prev: CaseState & { version: number };
  next: CaseState;
  head: ChainHead;
  events: EventToChain[];
  command: { actor_id: string; actor_role: string; method: string; input: string };
  now: number;
}

/**
 * Writes a claim that changes only the case row and appends events (no child rows, no
 * deadlines, no feed): one statement. Answers false when the case's version moved (it
 * cannot while the pick's lock is held; the caller treats it as a lost race all the same).
 */
export async function writePlainClaim(tx: WriteTx, c: PlainClaim): Promise<boolean> {
  let head = c.head;
  const events = c.events.map((e) => {
    const row = chainedRow(head, e);
    head = { seq: row.seq, hash: row.hash };
    return sql`(${row.case_id}::text, ${row.at}::bigint, ${row.actor}::text, ${row.type}::text, ${row.details}::text,
      ${row.seq}::integer, ${row.bound}::text, ${row.prev_hash}::text, ${row.hash}::text)`;
  });
  const { next, prev, now } = c;
  const { logged, notified } = changeNoticeParts([next.id], 'command', now, 'claimed');
  const { rows } = await sql<{ updated: number }>`
    WITH claimed AS (
      UPDATE cases SET status = ${next.status}, assignee_id = ${next.assignee}, forced_decision = ${next.forcedDecision ? 1 : 0},
        evidence_round = ${next.evidenceRound}, policy_version = ${next.decision?.policyVersion ?? null}, next_due_at = NULL,
        version = ${prev.version + 1}, updated_at = ${now}
      WHERE id = ${next.id} AND version = ${prev.version}
      RETURNING id
    ),
    chained AS (
      INSERT INTO case_events (case_id, at, actor, type, details, seq, bound, prev_hash, hash)
      SELECT v.* FROM (VALUES ${sql.join(events)}) AS v(case_id, at, actor, type, details, seq, bound, prev_hash, hash)
      WHERE EXISTS (SELECT 1 FROM claimed)
    ),
    commanded AS (
      INSERT INTO case_commands (case_id, at, actor_id, actor_role, method, input)
      SELECT id, ${now}::bigint, ${c.command.actor_id}::text, ${c.command.actor_role}::text, ${c.command.method}::text, ${c.command.input}::text
      FROM claimed
    ),
    ${logged}
    SELECT (SELECT count(*) FROM claimed)::integer AS updated, ${notified} AS notified`.execute(tx);
  return Number(rows[0]?.updated ?? 0) === 1;
}
