import { keysIn } from '../batch';
import { keysParam, queryRows } from '../compiled';
import { dialectOf } from '../dialect';
import type { Reader, WriteTx } from '../tx';

/**
 * The sweep's side of the deadline rows (written by saveCaseState in repos/case.ts): the
 * due rows in due order from the `deadlines_pending` index, and the claims that make
 * applying one a once-only act (`fired_at` set where still null, in the applying transaction).
 */
export type DueDeadline = { id: number; case_id: string; key: string; due_at: number };

/** Pending rows due at or before `now`, oldest first (one case's only, when `caseId` is given). */
export async function dueDeadlines(db: Reader, now: number, limit: number, caseId?: string): Promise<DueDeadline[]> {
  let query = db
    .selectFrom('deadlines')
    .select(['id', 'case_id', 'key', 'due_at'])
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('due_at', '<=', now);
  if (caseId !== undefined) query = query.where('case_id', '=', caseId);
  return query.orderBy('due_at').orderBy('id').limit(limit).execute();
}

/**
 * Claims these rows where still pending; the ids this transaction claimed. On PostgreSQL the
 * rows are locked first in id order, skipping any another transaction holds, so two
 * desktops' sweeps never wait on each other (call it holding the rows' case locks: the one
 * lock order is case row, then its deadlines).
 */
export async function claimDeadlines(tx: WriteTx, ids: number[], now: number): Promise<Set<number>> {
  if (!ids.length) return new Set();
  if (dialectOf(tx) === 'postgres') {
    ids = (
      await tx
        .selectFrom('deadlines')
        .select('id')
        .where('id', 'in', keysIn(tx, ids))
        .where('fired_at', 'is', null)
        .where('cancelled_at', 'is', null)
        .orderBy('id')
        .forUpdate()
        .skipLocked()
        .execute()
    ).map((r) => r.id);
    if (!ids.length) return new Set();
  }
  return new Set((await queryRows<{ id: number }>(tx, CLAIM[dialectOf(tx)], [now, keysParam(dialectOf(tx), ids)])).map((r) => r.id));
}

/** claimDeadlines' UPDATE as text (run on every sweep chunk: no query building), the ids bound as one value. */
const CLAIM = {
  sqlite: `UPDATE deadlines SET fired_at = ? WHERE id IN (SELECT value FROM json_each(?))
    AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id`,
  postgres: `UPDATE deadlines SET fired_at = $1 WHERE id IN (SELECT unnest(CAST($2 AS bigint[])))
    AND fired_at IS NULL AND cancelled_at IS NULL RETURNING id`,
} as const;

/** Claims one row where still pending; false when someone else took it. */
export async function claimDeadline(tx: WriteTx, id: number, now: number): Promise<boolean> {
  const claimed = await tx
    .updateTable('deadlines')
    .set({ fired_at: now })
    .where('id', '=', id)
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/** Gives claims back (rows this transaction claimed but leaves for the next fetch). */
export async function releaseDeadlineClaims(tx: WriteTx, ids: number[]): Promise<void> {
  await tx.updateTable('deadlines').set({ fired_at: null }).where('id', 'in', keysIn(tx, ids)).execute();
}

/** When the next pending deadline falls due; null when none is pending. */
export async function nextDueAt(db: Reader): Promise<number | null> {
  const row = await db
    .selectFrom('deadlines')
    .select('due_at')
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .orderBy('due_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.due_at ?? null;
}
