import type { Db } from '../db/connect';
import { isDatabaseUnreachable } from '../db/unavailable';
import { sweep, type SweepReport } from './sweep/sweep';

/**
 * The sweep that follows a committed command (it may have created or cancelled deadlines).
 * The command stands even when the database goes away just after its commit: answering
 * UNAVAILABLE ("nothing was changed") then would be untrue, and the deadline timer (or the
 * recovery of the connection) runs the same sweep later, as it is idempotent.
 */
export async function sweepAfterCommit(db: Db, now: number): Promise<SweepReport> {
  try {
    return await sweep(db, now);
  } catch (e) {
    if (!isDatabaseUnreachable(e)) throw e;
    console.warn('[sweep] after a committed command: the database cannot be reached; the timer sweeps once it answers');
    return { applied: 0, stale: 0, caseIds: [] };
  }
}
