import { keysIn } from '../batch';
import { dialectOf } from '../dialect';
import type { WriteTx } from '../tx';

/**
 * Row locks on cases, so several desktops on one PostgreSQL take their turns instead of
 * undoing each other. The one lock order: a case row first, then its deadlines (commands,
 * the sweep, intake). On SQLite the single writer already serialises transactions: these
 * are plain reads there.
 */

/** Locks one case row for this transaction, waiting for whoever holds it; false when it does not exist. */
export async function lockCase(tx: WriteTx, caseId: string): Promise<boolean> {
  let query = tx.selectFrom('cases').select('id').where('id', '=', caseId);
  if (dialectOf(tx) === 'postgres') query = query.forUpdate();
  return !!(await query.executeTakeFirst());
}

/** Locks these case rows for this transaction in id order (the one order: no two writers deadlock), waiting. */
export async function lockCases(tx: WriteTx, caseIds: string[]): Promise<void> {
  const ids = [...new Set(caseIds)].sort();
  if (!ids.length || dialectOf(tx) !== 'postgres') return;
  await tx.selectFrom('cases').select('id').where('id', 'in', keysIn(tx, ids)).orderBy('id').forUpdate().execute();
}

/**
 * Locks those of these case rows no one else holds, in id order, without waiting (the
 * sweep: a case another transaction holds is left for the next run). SQLite: all of them.
 */
export async function lockFreeCases(tx: WriteTx, caseIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(caseIds)];
  if (!ids.length || dialectOf(tx) !== 'postgres') return new Set(ids);
  const rows = await tx
    .selectFrom('cases')
    .select('id')
    .where('id', 'in', keysIn(tx, ids))
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Take-next: the unassigned case escalated longest ago that no other transaction is
 * claiming, locked for this one (`FOR UPDATE SKIP LOCKED`: thirty mediators pressing at once
 * get thirty different cases instead of all racing for the first). Null when none is free.
 */
export async function lockOldestUnassignedCase(tx: WriteTx): Promise<string | null> {
  let query = tx
    .selectFrom('cases')
    .select('id')
    .where('status', '=', 'escalated')
    .where('assignee_id', 'is', null)
    .orderBy('escalated_at')
    .orderBy('id')
    .limit(1);
  if (dialectOf(tx) === 'postgres') query = query.forUpdate().skipLocked();
  return (await query.executeTakeFirst())?.id ?? null;
}
