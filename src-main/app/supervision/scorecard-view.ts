import { toIso } from '../../contract/primitives';
import { SCORE_CRITERIA, type RootCause, type ScorecardView, type ScoreCriterion } from '../../contract/scorecards';
import type { scorecardsOfCases } from '../../db/repos/scorecards';

/** A stored scorecard as the screens read it (quality.list, calibration). */

export type ScorecardRow = Awaited<ReturnType<typeof scorecardsOfCases>>[number];
export type StoredCauses = Partial<Record<ScoreCriterion, { cause: RootCause; note: string }>>;

export const marksOf = (r: ScorecardRow): Record<ScoreCriterion, number> => ({
  evidence: r.evidence_score,
  reasons: r.reasons_score,
  policy: r.policy_score,
  letters: r.letters_score,
});

export function causesOf(r: ScorecardRow): StoredCauses {
  try {
    return JSON.parse(r.causes) as StoredCauses;
  } catch {
    return {};
  }
}

export function scorecardView(r: ScorecardRow): ScorecardView {
  const marks = marksOf(r);
  const causes = causesOf(r);
  return {
    reviewer: r.reviewer_id,
    scores: Object.fromEntries(
      SCORE_CRITERIA.map((c) => [c, { score: marks[c], rootCause: causes[c]?.cause ?? null, note: causes[c]?.note ?? '' }]),
    ) as ScorecardView['scores'],
    verdict: r.verdict as 'agree' | 'disagree',
    note: r.note,
    at: toIso(r.scored_at),
  };
}
