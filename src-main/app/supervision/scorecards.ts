import { AppFailure } from '../../contract/errors';
import {
  CRITERION_LABELS,
  LOW_MARK,
  ROOT_CAUSE_LABELS,
  ROOT_CAUSES,
  SCORE_CRITERIA,
  type CalibrationView,
  type RootCause,
  type ScoreCriterion,
  type ScoreResult,
  type Scores,
} from '../../contract/scorecards';
import { appendEvents } from '../../db/repos/case';
import { recordChange } from '../../db/repos/changes';
import { recordQualityVerdict, samplesOfCase } from '../../db/repos/quality';
import { insertScorecard, scorecardsOfCases, scorecardsSince } from '../../db/repos/scorecards';
import { listUsers } from '../../db/repos/users';
import { inWriteTx, type Reader } from '../../db/tx';
import { calibrate } from '../../engine/calibration';
import { refuseIfHandled } from './quality';
import { causesOf, marksOf, type StoredCauses } from './scorecard-view';
import { share } from '../../engine/double-decision';

/**
 * Quality scorecards (issue 18): a supervisor marks a sampled decision 1–5 on evidence
 * handling, quality of reasons, policy adherence and letter clarity, with a root cause for each
 * low mark. The first scorecard of a sample settles its agree/disagree verdict (the team view's
 * figures); a calibration sample takes a second supervisor's scorecard, and calibration
 * compares the two. Separation of duties as for any review (engine/handled.ts).
 */

/** The root causes (and their notes) of the low marks; notes of higher marks are kept too. */
function storedCauses(scores: Scores): StoredCauses {
  const out: StoredCauses = {};
  for (const c of SCORE_CRITERIA) {
    const s = scores[c];
    if (s.score <= LOW_MARK && s.rootCause) out[c] = { cause: s.rootCause, note: s.note?.trim() ?? '' };
  }
  return out;
}

export async function scoreSample(
  db: Reader,
  input: { caseId: string; scores: Scores; verdict: 'agree' | 'disagree'; note: string },
  reviewer: string,
  now: number,
): Promise<ScoreResult> {
  return inWriteTx(db, async (tx) => {
    const samples = await samplesOfCase(tx, input.caseId);
    if (!samples.length) throw new AppFailure('NOT_FOUND', `No decision on case ${input.caseId} was sampled for a quality review.`);
    const cards = await scorecardsOfCases(tx, [input.caseId]);
    const cardsOf = (seq: number) => cards.filter((c) => c.decision_seq === seq);
    // The latest sample still wanting a scorecard: unreviewed, or a calibration sample with fewer than two.
    const target = samples.find((s) => s.reviewed_at === null || (s.calibration === 1 && cardsOf(s.decision_seq).length < 2));
    if (!target) {
      const last = samples[0]!;
      throw new AppFailure(
        'INVALID_STATE',
        `The sampled decision on case ${input.caseId} was already reviewed by ${last.reviewer_id} (${last.verdict}) and needs no further scorecard.`,
      );
    }
    await refuseIfHandled(tx, input.caseId, target.decided_by, reviewer);
    if (target.reviewer_id === reviewer || cardsOf(target.decision_seq).some((c) => c.reviewer_id === reviewer))
      throw new AppFailure(
        'INVALID_STATE',
        `You already scored the sampled decision on case ${input.caseId}; a second supervisor gives the other scorecard.`,
      );

    const note = input.note.trim();
    const causes = storedCauses(input.scores);
    const marks = Object.fromEntries(SCORE_CRITERIA.map((c) => [c, input.scores[c].score])) as Record<ScoreCriterion, number>;
    const inserted = await insertScorecard(tx, {
      caseId: input.caseId,
      decisionSeq: target.decision_seq,
      reviewer,
      marks,
      causes: JSON.stringify(causes),
      verdict: input.verdict,
      note,
      at: now,
    });
    if (!inserted) throw new AppFailure('INVALID_STATE', `You already scored the sampled decision on case ${input.caseId}.`);
    const first = target.reviewed_at === null;
    if (first) {
      const recorded = await recordQualityVerdict(tx, {
        caseId: input.caseId,
        decisionSeq: target.decision_seq,
        reviewer,
        verdict: input.verdict,
        note,
        at: now,
      });
      if (!recorded)
        throw new AppFailure(
          'INVALID_STATE',
          `The sampled decision on case ${input.caseId} was reviewed by someone else a moment ago; open it again.`,
        );
    }
    await appendEvents(tx, input.caseId, [
      {
        at: now,
        actor: reviewer,
        type: 'quality.scored',
        details: {
          decisionSeq: target.decision_seq,
          decidedBy: target.decided_by,
          marks,
          causes,
          verdict: input.verdict,
          note,
          calibration: !first,
        },
      },
    ]);
    await recordChange(tx, [input.caseId], 'command', now);
    return { caseId: input.caseId, decisionSeq: target.decision_seq, calibration: !first };
  });
}

const DAY = 86_400_000;
/** The most scorecards one calibration view reads: far more than a team gives in a year. */
const CALIBRATION_MAX_CARDS = 20_000;

export async function calibrationView(db: Reader, days: number, now: number): Promise<CalibrationView> {
  const [rows, users] = await Promise.all([scorecardsSince(db, now - days * DAY, CALIBRATION_MAX_CARDS), listUsers(db)]);
  const names = new Map(users.map((u) => [u.id, u.name]));
  const c = calibrate(
    rows.map((r) => ({ sample: `${r.case_id}#${r.decision_seq}`, reviewer: r.reviewer_id, marks: marksOf(r), verdict: r.verdict })),
  );
  const causeCounts = new Map<RootCause, number>();
  for (const r of rows) for (const x of Object.values(causesOf(r))) if (x) causeCounts.set(x.cause, (causeCounts.get(x.cause) ?? 0) + 1);
  return {
    days,
    samples: c.samples,
    criteria: SCORE_CRITERIA.map((k) => ({
      criterion: k,
      label: CRITERION_LABELS[k],
      pairs: c.criteria[k].pairs,
      exact: share(c.criteria[k].exact, c.criteria[k].pairs),
      withinOne: share(c.criteria[k].withinOne, c.criteria[k].pairs),
    })),
    verdict: { pairs: c.verdict.pairs, exact: share(c.verdict.exact, c.verdict.pairs), withinOne: share(c.verdict.exact, c.verdict.pairs) },
    supervisors: [...c.supervisors]
      .map(([userId, s]) => ({
        userId,
        name: names.get(userId) ?? userId,
        pairs: s.pairs,
        meanAbsDiff: s.marks ? s.absDiffSum / s.marks : null,
        exact: share(s.exactMarks, s.marks),
      }))
      .sort((a, b) => a.userId.localeCompare(b.userId)),
    rootCauses: ROOT_CAUSES.map((cause) => ({ cause, label: ROOT_CAUSE_LABELS[cause], count: causeCounts.get(cause) ?? 0 })).filter(
      (x) => x.count > 0,
    ),
  };
}
