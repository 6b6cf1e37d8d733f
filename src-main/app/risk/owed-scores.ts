import { clearScoresOwed, scoresOwed } from '../../db/repos/bulk-load';
import { recordEverythingChanged } from '../../db/repos/changes';
import { anyBuyerRiskRow, storedRiskModelVersion } from '../../db/repos/risk/updates';
import { takeRiskTurn } from '../../db/repos/risk/turn';
import { inWriteTx, type Reader } from '../../db/tx';
import { RISK_MODEL } from '../../engine/risk';
import { recomputeRisk, type RecomputeOptions, type RecomputeReport } from './recompute';

/**
 * Why a full recompute is owed: a first load left its buyers unscored (db/repos/bulk-load.ts
 * `markScoresOwed`), or the stored scores were rebuilt by an older model than the one running
 * (`stored`: the model row's version; null when buyers have rows but no model row says which).
 */
export type OwedRecompute = { kind: 'first load' } | { kind: 'older model'; stored: number | null; running: number };

/**
 * What is owed, or null. A model row NEWER than the running model is not a debt: a desk not yet
 * upgraded, on a team's server that an upgraded desk has rescored, must not rebuild every row
 * back under its older model (two desks of two versions would each pay one at every start);
 * its per-event updates rescore the buyers it touches, as any desk's do, until it is upgraded.
 */
export async function owedRecompute(db: Reader): Promise<OwedRecompute | null> {
  if (await scoresOwed(db)) return { kind: 'first load' };
  const stored = await storedRiskModelVersion(db);
  if (stored !== null ? stored < RISK_MODEL.version : await anyBuyerRiskRow(db))
    return { kind: 'older model', stored, running: RISK_MODEL.version };
  return null;
}

/** The sentence the start and the import log before paying it. */
export function owedSentence(owed: OwedRecompute): string {
  if (owed.kind === 'first load')
    return 'an import left its buyers unscored (a first load, or one into owed scores): scoring every buyer now';
  const from = owed.stored === null ? 'an unrecorded model' : `model v${owed.stored}`;
  return `the stored buyer scores are from ${from}; rescoring every buyer under model v${owed.running} now (one transaction: until it commits, readers see the old scores)`;
}

/**
 * Pays an owed recompute (`owedRecompute`): the full recompute as of `asOf`, and the first
 * load's marker deleted and the model row's version raised (the recompute writes it) in the
 * same commit, so the debt is gone exactly when every risk row and case score is final. A
 * process that dies in the recompute commits nothing of it and leaves the debt for the next
 * caller. Null when nothing was owed.
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
  recompute: Pick<RecomputeOptions, 'betweenPages' | 'pageCacheMiB'> = {},
): Promise<RecomputeReport | null> {
  if (!(await owedRecompute(db))) return null;
  return inWriteTx(db, async (tx) => {
    // Read again once this transaction has the risk writers' turn (PostgreSQL's advisory lock;
    // SQLite's write lock is the transaction's own): another desk starting at the same moment
    // waits here for this one's commit, then finds nothing owed, instead of paying it again.
    await takeRiskTurn(tx);
    const owed = await owedRecompute(tx);
    if (!owed) return null;
    onProgress?.(owedSentence(owed));
    const report = await recomputeRisk(tx, { asOf, ...(onProgress ? { onProgress } : {}), ...recompute });
    await clearScoresOwed(tx);
    // Every case's score copy was rewritten: desks already running on a team's server (an older
    // desk beside the upgraded one that paid this) refresh everything once it commits, instead of
    // showing the old scores until each case's next change.
    await recordEverythingChanged(tx, 'import', asOf); // a refresh-all notice carries no reason to the windows
    return report;
  });
}
