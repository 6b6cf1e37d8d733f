import { sql } from 'kysely';
import type { Reader, WriteTx } from '../tx';

/** Quality scorecards (quality_scorecards, migration 0015) and the calibration flag of a sample (app/supervision/scorecards.ts). */

export interface NewScorecard {
  caseId: string;
  decisionSeq: number;
  reviewer: string;
  marks: { evidence: number; reasons: number; policy: number; letters: number };
  causes: string;
  verdict: 'agree' | 'disagree';
  note: string;
  at: number;
}

/** False when this reviewer already scored the sample (a second press, another desktop). */
export async function insertScorecard(tx: WriteTx, s: NewScorecard): Promise<boolean> {
  const r = await tx
    .insertInto('quality_scorecards')
    .values({
      case_id: s.caseId,
      decision_seq: s.decisionSeq,
      reviewer_id: s.reviewer,
      evidence_score: s.marks.evidence,
      reasons_score: s.marks.reasons,
      policy_score: s.marks.policy,
      letters_score: s.marks.letters,
      causes: s.causes,
      verdict: s.verdict,
      note: s.note,
      scored_at: s.at,
    })
    .onConflict((oc) => oc.columns(['case_id', 'decision_seq', 'reviewer_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function markCalibration(tx: WriteTx, caseId: string, decisionSeq: number): Promise<void> {
  await tx
    .updateTable('quality_reviews')
    .set({ calibration: 1 })
    .where('case_id', '=', caseId)
    .where('decision_seq', '=', decisionSeq)
    .execute();
}

/** The scorecards of these cases' samples, in the order they were given. */
export async function scorecardsOfCases(db: Reader, caseIds: string[]) {
  if (!caseIds.length) return [];
  return db
    .selectFrom('quality_scorecards')
    .selectAll()
    .where('case_id', 'in', caseIds)
    .orderBy('scored_at')
    .orderBy('reviewer_id')
    .execute();
}

/** Scorecards given since `from` of samples with two or more scorecards (the calibration pairs), and all of them for root causes. */
export async function scorecardsSince(db: Reader, from: number, max: number) {
  return db.selectFrom('quality_scorecards').selectAll().where('scored_at', '>=', from).orderBy('scored_at', 'desc').limit(max).execute();
}

/**
 * Samples that still want a scorecard: not yet reviewed, or a calibration sample with fewer
 * than two scorecards. A count per sample, as SQL both dialects share.
 */
export const scorecardCount = sql<number>`(select count(*) from quality_scorecards s where s.case_id = q.case_id and s.decision_seq = q.decision_seq)`;
