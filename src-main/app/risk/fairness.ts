import type { FairnessView } from '../../contract/views';
import { fairnessSums } from '../../db/repos/risk/fairness';
import type { Reader } from '../../db/tx';
import { storedRiskModelVersion } from '../../db/repos/risk/updates';
import { RISK_MODEL } from '../../engine/risk';
import { FAIRNESS, fairnessGroups } from '../../engine/risk/fairness';

/** The analysts' fairness monitor: three aggregate queries, the tests in the engine. */
export async function riskFairness(db: Reader, now: number): Promise<FairnessView> {
  const groups = fairnessGroups(await fairnessSums(db, now, FAIRNESS.HIGH_SCORE));
  return {
    groups,
    highScore: FAIRNESS.HIGH_SCORE,
    rule:
      `A group of at least ${FAIRNESS.MIN_MEMBERS} buyers stands out when its mean score differs from the other buyers' by ` +
      `${FAIRNESS.MEAN_GAP} points or more, or its share scoring ${FAIRNESS.HIGH_SCORE}+ or flagged by analysts by ` +
      `${FAIRNESS.RATE_GAP * 100} percentage points or more, in both cases by at least ${FAIRNESS.Z_MIN} standard errors.`,
    scoresModel: await scoresModel(db),
  };
}

/**
 * The stored scores' model against this desk's. An older stored version is rescored before a
 * desk serves (app/risk/owed-scores.ts), so a serving desk sees one only for the moment another
 * desk's rescoring takes to commit; a newer one stays while this desk is not upgraded.
 */
async function scoresModel(db: Reader): Promise<FairnessView['scoresModel']> {
  const stored = await storedRiskModelVersion(db);
  const running = RISK_MODEL.version;
  const note =
    stored === null || stored === running
      ? null
      : stored > running
        ? `Scores were computed by risk model v${stored}; this desk runs v${running}, so the buyers it updates are scored by the older model until it is upgraded.`
        : `Scores are from risk model v${stored} and are being rescored under v${running} (by a desk starting or an import); they all change at once when that commits.`;
  return { stored, running, note };
}
