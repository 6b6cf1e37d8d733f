import type { FairnessView } from '../../contract/views';
import { fairnessSums } from '../../db/repos/risk/fairness';
import type { Reader } from '../../db/tx';
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
  };
}
