import { clearScoresOwed, scoresOwed } from '../../db/repos/bulk-load';
import { inWriteTx, type Reader } from '../../db/tx';
import { recomputeRisk, type RecomputeReport } from './recompute';

/**
 * Pays a first load's owed buyer scores (db/repos/bulk-load.ts `markScoresOwed`): the full
 * recompute as of `asOf`, and the marker deleted in the same commit, so the marker is gone
 * exactly when every risk row and case score is final. A process that dies in the recompute
 * commits nothing of it and leaves the marker for the next caller. Null when nothing was owed.
 *
 * Callers: the import (at its end, and a first load's own), and the desk's start before it
 * serves anything that reads scores (runtime/core.ts). Not openDatabase: the database layer
 * cannot call the model, and the tools that open a file without reading scores (bench,
 * evidence gc, users) need not pay a recompute.
 */
export async function settleOwedScores(
  db: Reader,
  asOf: number,
  onProgress?: (message: string) => void,
  betweenPages?: () => void,
): Promise<RecomputeReport | null> {
  if (!(await scoresOwed(db))) return null;
  return inWriteTx(db, async (tx) => {
    // Read again under the write lock: another process may have paid it since.
    if (!(await scoresOwed(tx))) return null;
    const report = await recomputeRisk(tx, { asOf, ...(onProgress ? { onProgress } : {}), ...(betweenPages ? { betweenPages } : {}) });
    await clearScoresOwed(tx);
    return report;
  });
}
