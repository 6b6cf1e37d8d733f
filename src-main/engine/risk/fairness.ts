/**
 * The fairness monitor of the analysts' screen: score distribution and flag / clear rates by
 * country, account age and order volume, and a warning when a group stands out from the rest
 * of the buyers. Pure: the sums come from one aggregate query per dimension.
 *
 * A group stands out when it has at least MIN_MEMBERS buyers and either
 * - its mean score differs from the rest's by at least MEAN_GAP points and by at least
 *   Z_MIN standard errors (Welch's z), or
 * - its share of high scores (≥ HIGH_SCORE) or of analysts' flags differs from the rest's by
 *   at least RATE_GAP and by at least Z_MIN standard errors (two-proportion z-test, pooled).
 * Both a size of effect and a significance: a big group with a trivial gap, or a tiny group
 * with a big one, says nothing.
 */
export const FAIRNESS = { MIN_MEMBERS: 30, MEAN_GAP: 10, RATE_GAP: 0.05, Z_MIN: 3, HIGH_SCORE: 60 } as const;

export type FairnessDimension = 'country' | 'accountAge' | 'orderVolume';

export interface GroupSums {
  dimension: FairnessDimension;
  group: string;
  members: number;
  sumScore: number;
  sumScore2: number;
  high: number;
  flagged: number;
  cleared: number;
}

export interface FairnessGroup {
  dimension: FairnessDimension;
  group: string;
  members: number;
  meanScore: number;
  highShare: number;
  flagRate: number;
  clearRate: number;
  /** Sentences naming the test that fired; empty when the group does not stand out. */
  warnings: string[];
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
const pctText = (x: number) => `${round(x * 100, 1)} %`;

function proportionZ(k1: number, n1: number, k2: number, n2: number): number {
  const p = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return se > 0 ? (k1 / n1 - k2 / n2) / se : 0;
}

export function fairnessGroups(sums: GroupSums[]): FairnessGroup[] {
  const out: FairnessGroup[] = [];
  const dims = [...new Set(sums.map((s) => s.dimension))];
  for (const dim of dims) {
    const rows = sums.filter((s) => s.dimension === dim && s.members > 0);
    const total = rows.reduce(
      (t, s) => ({
        members: t.members + s.members,
        sumScore: t.sumScore + s.sumScore,
        sumScore2: t.sumScore2 + s.sumScore2,
        high: t.high + s.high,
        flagged: t.flagged + s.flagged,
      }),
      { members: 0, sumScore: 0, sumScore2: 0, high: 0, flagged: 0 },
    );
    for (const s of rows) {
      const n = s.members;
      const mean = s.sumScore / n;
      const warnings: string[] = [];
      const restN = total.members - n;
      if (n >= FAIRNESS.MIN_MEMBERS && restN >= FAIRNESS.MIN_MEMBERS) {
        const restMean = (total.sumScore - s.sumScore) / restN;
        const varOf = (sum: number, sum2: number, m: number) => Math.max(0, sum2 / m - (sum / m) ** 2);
        const se = Math.sqrt(
          varOf(s.sumScore, s.sumScore2, n) / n + varOf(total.sumScore - s.sumScore, total.sumScore2 - s.sumScore2, restN) / restN,
        );
        const z = se > 0 ? (mean - restMean) / se : 0;
        if (Math.abs(mean - restMean) >= FAIRNESS.MEAN_GAP && Math.abs(z) >= FAIRNESS.Z_MIN)
          warnings.push(
            `mean score ${round(mean, 1)} against ${round(restMean, 1)} for the other ${restN} buyers (a gap of at least ${FAIRNESS.MEAN_GAP} points, z = ${round(z, 1)})`,
          );
        const rate = (label: string, k: number, kAll: number) => {
          const p1 = k / n;
          const p2 = (kAll - k) / restN;
          const zz = proportionZ(k, n, kAll - k, restN);
          if (Math.abs(p1 - p2) >= FAIRNESS.RATE_GAP && Math.abs(zz) >= FAIRNESS.Z_MIN)
            warnings.push(
              `${label} ${pctText(p1)} against ${pctText(p2)} for the other buyers (a gap of at least ${pctText(FAIRNESS.RATE_GAP)}, two-proportion z = ${round(zz, 1)})`,
            );
        };
        rate(`share scoring ${FAIRNESS.HIGH_SCORE} or more`, s.high, total.high);
        rate('flagged by analysts', s.flagged, total.flagged);
      }
      out.push({
        dimension: dim,
        group: s.group,
        members: n,
        meanScore: round(mean, 1),
        highShare: round(s.high / n, 4),
        flagRate: round(s.flagged / n, 4),
        clearRate: round(s.cleared / n, 4),
        warnings,
      });
    }
  }
  return out;
}
