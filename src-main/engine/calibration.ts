import { SCORE_CRITERIA, type ScoreCriterion } from '../contract/scorecards';

/**
 * Calibration (issue 18): how far supervisors agree when two or more of them score the same
 * sampled decision. Every pair of scorecards of one sample is compared, per criterion (the
 * same mark; within one point) and on the verdict; each supervisor's distance from their peers
 * is the mean absolute difference of their marks over all their pairs and criteria.
 */

export interface CardForCalibration {
  /** The sample: case and decision number. */
  sample: string;
  reviewer: string;
  marks: Record<ScoreCriterion, number>;
  verdict: string;
}

export interface PairFigure {
  pairs: number;
  exact: number;
  withinOne: number;
}

export interface Calibration {
  samples: number;
  criteria: Record<ScoreCriterion, PairFigure>;
  verdict: PairFigure;
  supervisors: Map<string, { pairs: number; absDiffSum: number; marks: number; exactMarks: number }>;
}

const figure = (): PairFigure => ({ pairs: 0, exact: 0, withinOne: 0 });

export function calibrate(cards: readonly CardForCalibration[]): Calibration {
  const bySample = new Map<string, CardForCalibration[]>();
  for (const c of cards) bySample.set(c.sample, [...(bySample.get(c.sample) ?? []), c]);
  const out: Calibration = {
    samples: 0,
    criteria: Object.fromEntries(SCORE_CRITERIA.map((c) => [c, figure()])) as Record<ScoreCriterion, PairFigure>,
    verdict: figure(),
    supervisors: new Map(),
  };
  const supervisor = (id: string) => {
    let s = out.supervisors.get(id);
    if (!s) out.supervisors.set(id, (s = { pairs: 0, absDiffSum: 0, marks: 0, exactMarks: 0 }));
    return s;
  };
  for (const group of bySample.values()) {
    if (group.length < 2) continue;
    out.samples++;
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i]!, group[j]!];
        const same = a.verdict === b.verdict;
        out.verdict.pairs++;
        if (same) {
          out.verdict.exact++;
          out.verdict.withinOne++;
        }
        for (const who of [a.reviewer, b.reviewer]) supervisor(who).pairs++;
        for (const c of SCORE_CRITERIA) {
          const diff = Math.abs(a.marks[c] - b.marks[c]);
          const f = out.criteria[c];
          f.pairs++;
          if (diff === 0) f.exact++;
          if (diff <= 1) f.withinOne++;
          for (const who of [a.reviewer, b.reviewer]) {
            const s = supervisor(who);
            s.absDiffSum += diff;
            s.marks++;
            if (diff === 0) s.exactMarks++;
          }
        }
      }
  }
  return out;
}
