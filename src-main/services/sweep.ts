import { loadCaseState, saveCaseState } from '../db/case-repo';
import type { Db } from '../db/connect';
import { decide } from '../engine/decide';
import { currentPolicy } from './policy-store';

export interface SweepReport {
  applied: number;
  stale: number;
  caseIds: string[];
}

const BATCH = 500;

/**
 * Applies every deadline due at or before `now`, oldest first. Each row is claimed
 * (`fired_at` set where still null) inside the transaction that applies it, so two sweeps
 * (two windows, two desktops on one PostgreSQL, a crash and a restart) never apply it twice.
 * Each default is dated at its own deadline, not at the time the sweep happens to run.
 */
export async function sweep(db: Db, now: number): Promise<SweepReport> {
  const report: SweepReport = { applied: 0, stale: 0, caseIds: [] };
  for (;;) {
    const due = await db
      .selectFrom('deadlines')
      .select(['id', 'case_id', 'key', 'due_at'])
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (!due.length) return report;
    for (const row of due) {
      const applied = await db.transaction().execute(async (tx) => {
        const claimed = await tx
          .updateTable('deadlines')
          .set({ fired_at: now })
          .where('id', '=', row.id)
          .where('fired_at', 'is', null)
          .where('cancelled_at', 'is', null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) !== 1) return null; // someone else took it
        const state = await loadCaseState(tx, row.case_id);
        if (!state) return false;
        const { version, policy } = await currentPolicy(tx);
        const result = decide(state, { type: 'deadline', key: row.key, dueAt: row.due_at }, { now: row.due_at, policy, policyVersion: version, actor: { kind: 'system' } });
        if (!result.ok) throw new Error(`the engine refused deadline ${row.key} of ${row.case_id}: ${result.message}`);
        if (!result.events.length) return false;
        await saveCaseState(tx, state, result.next, result, now);
        return { spawnedDue: result.deadlines.some((d) => d.dueAt <= now) };
      });
      if (applied === null) continue;
      if (!applied) {
        report.stale++;
        continue;
      }
      report.applied++;
      report.caseIds.push(row.case_id);
      // The default created a deadline that is itself already due (catch-up after days
      // closed): fetch again so it is applied in due order among the rest.
      if (applied.spawnedDue) break;
    }
  }
}

/** When the next deadline falls due, for the timer that wakes the sweep; null when none is pending. */
export async function nextDueAt(db: Db): Promise<number | null> {
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
