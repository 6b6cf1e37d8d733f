import { createHmac, randomBytes } from 'node:crypto';
import { AppFailure } from '../../contract/errors';
import { toIso } from '../../contract/primitives';
import type { QualityListView, QualityRow } from '../../contract/supervision';
import type { Policy } from '../../contract/policy';
import { appendEvents } from '../../db/repos/case';
import {
  insertQualitySample,
  qualityCount,
  qualityPage,
  recordQualityVerdict,
  samplesOfCase,
  settingOrCreate,
  verdictCountsOf,
} from '../../db/repos/quality';
import { markCalibration, scorecardsOfCases } from '../../db/repos/scorecards';
import { scorecardView } from './scorecard-view';
import { inWriteTx, type Reader, type WriteTx } from '../../db/tx';
import { recordChange } from '../../db/repos/changes';
import type { CaseState } from '../../engine/state';
import { currentPolicy } from '../../db/repos/policy';
import { handlingEventsOf } from '../../db/repos/handling';
import { handlersOfCase, separationRefusal } from '../../engine/handled';

/**
 * Decision-quality sampling (issue 7.5): a share of mediators' decisions goes to a
 * supervisor for an agree/disagree review, as appellate bodies sample their lower courts.
 * Whether a decision is sampled is a keyed hash of (case, decision number) with a secret
 * of this installation: a mediator cannot predict it, yet it is reproducible and testable.
 */
export const SECRET_KEY = 'quality.secret';

/** The installation's sampling secret, created (random) on first use inside the caller's transaction. */
export async function samplingSecret(tx: WriteTx): Promise<string> {
  // Two desktops may race on a shared database: the first insert wins and everyone reads it back.
  return settingOrCreate(tx, SECRET_KEY, () => randomBytes(32).toString('hex'));
}

/** A uniform number in [0, 1) from HMAC-SHA256(secret, "caseId#seq"): 48 bits, exact in a double. */
export function sampleDraw(secret: string, caseId: string, decisionSeq: number): number {
  const mac = createHmac('sha256', secret).update(`${caseId}#${decisionSeq}`).digest();
  return mac.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * After an accepted command (inside its transaction, joined: the case command still hands it
 * over as a plain handle): when it made a new decision by a mediator or supervisor (basis
 * `mediator`), sample it with the policy's rate, and mark the policy's share of the samples
 * for calibration.
 */
export async function sampleDecisionForQuality(
  tx: WriteTx,
  prev: CaseState,
  next: CaseState,
  policy: Pick<Policy, 'qualitySampleRate' | 'calibrationShare'>,
  now: number,
): Promise<boolean> {
  const rate = policy.qualitySampleRate;
  const d = next.decision;
  const seq = next.supersededDecisions.length + (d ? 1 : 0);
  if (!d || seq === prev.supersededDecisions.length + (prev.decision ? 1 : 0)) return false; // no new decision
  if (d.basis !== 'mediator' || rate <= 0) return false;
  const secret = await samplingSecret(tx);
  if (sampleDraw(secret, next.id, seq) >= rate) return false;
  await insertQualitySample(tx, { caseId: next.id, decisionSeq: seq, decidedBy: d.decidedBy, sampledAt: now });
  // A share of the samples is scored by two supervisors independently (calibration, issue 18).
  if (isCalibrationSample(secret, next.id, seq, policy.calibrationShare)) await markCalibration(tx, next.id, seq);
  return true;
}

/** Whether sample (case, decision) is also scored by a second supervisor: its own keyed draw, below the policy's share. */
export const isCalibrationSample = (secret: string, caseId: string, decisionSeq: number, share: number): boolean =>
  sampleDraw(secret, `calibration#${caseId}`, decisionSeq) < share;

/**
 * Pending samples (oldest first: unreviewed, or calibration samples wanting a second
 * scorecard) or reviewed ones (newest review first), each with its scorecards. While the
 * viewer may still score a sample, the other supervisors' scorecards and verdict are hidden
 * from them, so a calibration scorecard is given independently.
 */
export async function qualityList(db: Reader, status: 'pending' | 'reviewed', limit: number, me: string): Promise<QualityListView> {
  const [rows, total, { policy }] = await Promise.all([qualityPage(db, status, limit), qualityCount(db, status), currentPolicy(db)]);
  const caseIds = [...new Set(rows.map((r) => r.case_id))];
  const [histories, cards] = await Promise.all([handlingEventsOf(db, caseIds), scorecardsOfCases(db, caseIds)]);
  const handledByMe = (r: (typeof rows)[number]) => handlersOfCase(histories.get(r.case_id) ?? [], { decidedBy: r.decided_by }).has(me);
  return {
    rows: rows.map((r): QualityRow => {
      const cardsOf = cards.filter((c) => c.case_id === r.case_id && c.decision_seq === r.decision_seq);
      const wanted = r.reviewed_at === null || (r.calibration === 1 && cardsOf.length < 2);
      // Whoever gave the sample's verdict (a scorecard, or an agree/disagree review) has had their say.
      const mayScore = wanted && !handledByMe(r) && r.reviewer_id !== me && !cardsOf.some((c) => c.reviewer_id === me);
      const row = qualityRowOf(r, handledByMe(r));
      return mayScore
        ? {
            ...row,
            // Another supervisor's marks, and the verdict that came with them, wait until the viewer scored too.
            review: cardsOf.length ? null : row.review,
            calibration: r.calibration === 1,
            scorecards: [],
            hiddenScorecards: cardsOf.length,
            mayScore,
          }
        : { ...row, calibration: r.calibration === 1, scorecards: cardsOf.map(scorecardView), hiddenScorecards: 0, mayScore };
    }),
    total,
    sampleRate: policy.qualitySampleRate,
  };
}

function qualityRowOf(r: Awaited<ReturnType<typeof qualityPage>>[number], handledByMe: boolean) {
  return {
    caseId: r.case_id,
    reason: r.reason,
    currency: r.currency,
    decision: {
      outcome: r.outcome,
      amountMinor: r.amount_minor,
      decidedBy: r.decided_by,
      decidedAt: toIso(r.decided_at),
      reasons: r.reasons,
    },
    sampledAt: toIso(r.sampled_at),
    review:
      r.reviewed_at !== null
        ? { verdict: r.verdict as 'agree' | 'disagree', note: r.note ?? '', by: r.reviewer_id ?? '', at: toIso(r.reviewed_at) }
        : null,
    mayReview: r.reviewed_at === null && !handledByMe,
  };
}

/**
 * A supervisor's verdict on a sampled decision: refused to whoever decided or handled the
 * case (engine/handled.ts, SEPARATION_OF_DUTIES) and once reviewed (INVALID_STATE); written with an audit event on
 * the case in one transaction.
 */
export async function reviewQuality(
  db: Reader,
  input: { caseId: string; verdict: 'agree' | 'disagree'; note: string },
  reviewer: string,
  now: number,
): Promise<{ caseId: string; verdict: 'agree' | 'disagree' }> {
  return inWriteTx(db, async (tx) => {
    const samples = await samplesOfCase(tx, input.caseId);
    const pending = samples.find((s) => s.reviewed_at === null);
    if (!pending) {
      if (samples.length) {
        const last = samples[0]!;
        throw new AppFailure(
          'INVALID_STATE',
          `The sampled decision on case ${input.caseId} was already reviewed by ${last.reviewer_id} (${last.verdict}).`,
        );
      }
      throw new AppFailure('NOT_FOUND', `No decision on case ${input.caseId} was sampled for a quality review.`);
    }
    await refuseIfHandled(tx, input.caseId, pending.decided_by, reviewer);
    const note = input.note.trim();
    const recorded = await recordQualityVerdict(tx, {
      caseId: pending.case_id,
      decisionSeq: pending.decision_seq,
      reviewer,
      verdict: input.verdict,
      note,
      at: now,
    });
    if (!recorded)
      throw new AppFailure('INVALID_STATE', `The sampled decision on case ${input.caseId} was reviewed by someone else a moment ago.`);
    await appendEvents(tx, input.caseId, [
      {
        at: now,
        actor: reviewer,
        type: 'quality.reviewed',
        details: { decisionSeq: pending.decision_seq, decidedBy: pending.decided_by, verdict: input.verdict, note },
      },
    ]);
    await recordChange(tx, [input.caseId], 'command', now);
    return { caseId: input.caseId, verdict: input.verdict };
  });
}

/** SEPARATION_OF_DUTIES when the reviewer decided or handled the case (engine/handled.ts). */
export async function refuseIfHandled(db: Reader, caseId: string, decidedBy: string, reviewer: string): Promise<void> {
  const history = (await handlingEventsOf(db, [caseId])).get(caseId)!;
  const notYou = separationRefusal(handlersOfCase(history, { decidedBy }), reviewer, caseId, 'the quality of its decision');
  if (notYou) throw new AppFailure('SEPARATION_OF_DUTIES', notYou);
}

/** Per decider: reviewed, agreed, disagreed (all time), for the team view. */
export async function qualityResultsOf(
  db: Reader,
  userIds: string[],
): Promise<Map<string, { reviewed: number; agreed: number; disagreed: number }>> {
  const out = new Map(userIds.map((u) => [u, { reviewed: 0, agreed: 0, disagreed: 0 }]));
  if (!userIds.length) return out;
  const rows = await verdictCountsOf(db, userIds);
  for (const r of rows) {
    const q = out.get(r.decided_by)!;
    const n = Number(r.n);
    q.reviewed += n;
    if (r.verdict === 'agree') q.agreed += n;
    else q.disagreed += n;
  }
  return out;
}
