import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../schema';
import type { Reader, WriteTx } from '../tx';
import { scorecardCount } from './scorecards';

/** Decision-quality samples (quality_reviews) and the settings row of their sampling secret (app/supervision/quality.ts). */

/**
 * The setting's value; when there is none yet, `create()`'s is inserted first. Two desktops may
 * race on a shared database: the first insert wins and everyone reads it back.
 */
export async function settingOrCreate(tx: WriteTx, key: string, create: () => string): Promise<string> {
  const row = await tx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  if (row) return row.value;
  await tx
    .insertInto('settings')
    .values({ key, value: create() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await tx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}

/** A decision sampled for review (once: a second sample of the same decision is ignored). */
export async function insertQualitySample(
  tx: WriteTx,
  s: { caseId: string; decisionSeq: number; decidedBy: string; sampledAt: number },
): Promise<void> {
  await tx
    .insertInto('quality_reviews')
    .values({
      case_id: s.caseId,
      decision_seq: s.decisionSeq,
      decided_by: s.decidedBy,
      sampled_at: s.sampledAt,
      reviewer_id: null,
      verdict: null,
      note: null,
      reviewed_at: null,
    })
    .onConflict((oc) => oc.columns(['case_id', 'decision_seq']).doNothing())
    .execute();
}

/** Pending samples (oldest first) or reviewed ones (newest review first), with their case and decision. */
export async function qualityPage(db: Reader, status: 'pending' | 'reviewed', limit: number) {
  const page = db
    .selectFrom('quality_reviews as q')
    .innerJoin('cases', 'cases.id', 'q.case_id')
    .innerJoin('decisions as d', (j) => j.onRef('d.case_id', '=', 'q.case_id').onRef('d.seq', '=', 'q.decision_seq'))
    .select([
      'q.case_id',
      'q.decision_seq',
      'q.decided_by',
      'q.sampled_at',
      'q.reviewer_id',
      'q.verdict',
      'q.note',
      'q.reviewed_at',
      'q.calibration',
      'cases.reason',
      'cases.currency',
      'd.outcome',
      'd.amount_minor',
      'd.decided_at',
      'd.reasons',
    ]);
  return (
    status === 'pending'
      ? page.where(stillWanted).orderBy('q.sampled_at').orderBy('q.case_id')
      : page.where('q.reviewed_at', 'is not', null).orderBy('q.reviewed_at', 'desc').orderBy('q.case_id')
  )
    .limit(limit)
    .execute();
}

/**
 * A sample still wants a review: none yet, or (a calibration sample, issue 18) fewer than
 * two scorecards. A calibration sample already reviewed is on both lists until then.
 */
const stillWanted = (eb: ExpressionBuilder<Database & { q: Database['quality_reviews'] }, 'q'>) =>
  eb.or([eb('q.reviewed_at', 'is', null), eb.and([eb('q.calibration', '=', 1), eb(scorecardCount, '<', 2)])]);

export async function qualityCount(db: Reader, status: 'pending' | 'reviewed'): Promise<number> {
  const total = db.selectFrom('quality_reviews as q').select((eb) => eb.fn.countAll<number>().as('n'));
  const row = await (status === 'pending' ? total.where(stillWanted) : total.where('q.reviewed_at', 'is not', null)).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A case's samples, latest decision first. */
export async function samplesOfCase(tx: Reader, caseId: string) {
  return tx.selectFrom('quality_reviews').selectAll().where('case_id', '=', caseId).orderBy('decision_seq', 'desc').execute();
}

/** Records the verdict on a sample still pending; false when someone reviewed it first. */
export async function recordQualityVerdict(
  tx: WriteTx,
  r: { caseId: string; decisionSeq: number; reviewer: string; verdict: 'agree' | 'disagree'; note: string; at: number },
): Promise<boolean> {
  const updated = await tx
    .updateTable('quality_reviews')
    .set({ reviewer_id: r.reviewer, verdict: r.verdict, note: r.note, reviewed_at: r.at })
    .where('case_id', '=', r.caseId)
    .where('decision_seq', '=', r.decisionSeq)
    .where('reviewed_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Reviewed samples per decider and verdict (all time). */
export async function verdictCountsOf(db: Reader, userIds: string[]) {
  return db
    .selectFrom('quality_reviews')
    .select(['decided_by', 'verdict', (eb) => eb.fn.countAll<number>().as('n')])
    .where('decided_by', 'in', userIds)
    .where('verdict', 'is not', null)
    .groupBy(['decided_by', 'verdict'])
    .execute();
}
