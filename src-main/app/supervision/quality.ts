import { createHmac, randomBytes } from 'node:crypto';
import { AppFailure } from '../../contract/errors';
import { toIso } from '../../contract/primitives';
import type { QualityListView, QualityRow } from '../../contract/supervision';
import { appendEvents } from '../../db/repos/case';
import type { Db } from '../../db/connect';
import type { CaseState } from '../../engine/state';
import { currentPolicy } from '../../db/repos/policy';

/**
 * Decision-quality sampling (issue 7.5): a share of mediators' decisions goes to a
 * supervisor for an agree/disagree review, as appellate bodies sample their lower courts.
 * Whether a decision is sampled is a keyed hash of (case, decision number) with a secret
 * of this installation: a mediator cannot predict it, yet it is reproducible and testable.
 */
export const SECRET_KEY = 'quality.secret';

/** The installation's sampling secret, created (random) on first use inside the caller's transaction. */
export async function samplingSecret(tx: Db): Promise<string> {
  const row = await tx.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirst();
  if (row) return row.value;
  // Two desktops may race on a shared database: the first insert wins and everyone reads it back.
  await tx
    .insertInto('settings')
    .values({ key: SECRET_KEY, value: randomBytes(32).toString('hex') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await tx.selectFrom('settings').select('value').where('key', '=', SECRET_KEY).executeTakeFirstOrThrow()).value;
}

/** A uniform number in [0, 1) from HMAC-SHA256(secret, "caseId#seq"): 48 bits, exact in a double. */
export function sampleDraw(secret: string, caseId: string, decisionSeq: number): number {
  const mac = createHmac('sha256', secret).update(`${caseId}#${decisionSeq}`).digest();
  return mac.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * After an accepted command (inside its transaction): when it made a new decision by a
 * mediator or supervisor (basis `mediator`), sample it with the policy's rate.
 */
export async function sampleDecisionForQuality(tx: Db, prev: CaseState, next: CaseState, rate: number, now: number): Promise<boolean> {
  const d = next.decision;
  const seq = next.supersededDecisions.length + (d ? 1 : 0);
  if (!d || seq === prev.supersededDecisions.length + (prev.decision ? 1 : 0)) return false; // no new decision
  if (d.basis !== 'mediator' || rate <= 0) return false;
  if (sampleDraw(await samplingSecret(tx), next.id, seq) >= rate) return false;
  await tx
    .insertInto('quality_reviews')
    .values({
      case_id: next.id,
      decision_seq: seq,
      decided_by: d.decidedBy,
      sampled_at: now,
      reviewer_id: null,
      verdict: null,
      note: null,
      reviewed_at: null,
    })
    .onConflict((oc) => oc.columns(['case_id', 'decision_seq']).doNothing())
    .execute();
  return true;
}

/** Pending samples (oldest first) or reviewed ones (newest review first). */
export async function qualityList(db: Db, status: 'pending' | 'reviewed', limit: number, me: string): Promise<QualityListView> {
  let page = db
    .selectFrom('quality_reviews as q')
    .innerJoin('cases', 'cases.id', 'q.case_id')
    .innerJoin('decisions as d', (j) => j.onRef('d.case_id', '=', 'q.case_id').onRef('d.seq', '=', 'q.decision_seq'))
    .select([
      'q.case_id',
      'q.decided_by',
      'q.sampled_at',
      'q.reviewer_id',
      'q.verdict',
      'q.note',
      'q.reviewed_at',
      'cases.reason',
      'cases.currency',
      'd.outcome',
      'd.amount_minor',
      'd.decided_at',
      'd.reasons',
    ]);
  page =
    status === 'pending'
      ? page.where('q.reviewed_at', 'is', null).orderBy('q.sampled_at').orderBy('q.case_id')
      : page.where('q.reviewed_at', 'is not', null).orderBy('q.reviewed_at', 'desc').orderBy('q.case_id');
  let total = db.selectFrom('quality_reviews').select((eb) => eb.fn.countAll<number>().as('n'));
  total = status === 'pending' ? total.where('reviewed_at', 'is', null) : total.where('reviewed_at', 'is not', null);
  const [rows, count, { policy }] = await Promise.all([page.limit(limit).execute(), total.executeTakeFirst(), currentPolicy(db)]);
  return {
    rows: rows.map((r): QualityRow => ({
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
      mayReview: r.reviewed_at === null && r.decided_by !== me,
    })),
    total: Number(count?.n ?? 0),
    sampleRate: policy.qualitySampleRate,
  };
}

/**
 * A supervisor's verdict on a sampled decision: refused to the one who made it
 * (SEPARATION_OF_DUTIES) and once reviewed (INVALID_STATE); written with an audit event on
 * the case in one transaction.
 */
export async function reviewQuality(
  db: Db,
  input: { caseId: string; verdict: 'agree' | 'disagree'; note: string },
  reviewer: string,
  now: number,
): Promise<{ caseId: string; verdict: 'agree' | 'disagree' }> {
  return db.transaction().execute(async (tx) => {
    const samples = await tx
      .selectFrom('quality_reviews')
      .selectAll()
      .where('case_id', '=', input.caseId)
      .orderBy('decision_seq', 'desc')
      .execute();
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
    if (pending.decided_by === reviewer)
      throw new AppFailure(
        'SEPARATION_OF_DUTIES',
        `You made the sampled decision on case ${input.caseId}; another supervisor must review its quality.`,
      );
    const note = input.note.trim();
    const updated = await tx
      .updateTable('quality_reviews')
      .set({ reviewer_id: reviewer, verdict: input.verdict, note, reviewed_at: now })
      .where('case_id', '=', pending.case_id)
      .where('decision_seq', '=', pending.decision_seq)
      .where('reviewed_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new AppFailure('INVALID_STATE', `The sampled decision on case ${input.caseId} was reviewed by someone else a moment ago.`);
    await appendEvents(tx, input.caseId, [
      {
        at: now,
        actor: reviewer,
        type: 'quality.reviewed',
        details: { decisionSeq: pending.decision_seq, decidedBy: pending.decided_by, verdict: input.verdict, note },
      },
    ]);
    return { caseId: input.caseId, verdict: input.verdict };
  });
}

/** Per decider: reviewed, agreed, disagreed (all time), for the team view. */
export async function qualityResultsOf(
  db: Db,
  userIds: string[],
): Promise<Map<string, { reviewed: number; agreed: number; disagreed: number }>> {
  const out = new Map(userIds.map((u) => [u, { reviewed: 0, agreed: 0, disagreed: 0 }]));
  if (!userIds.length) return out;
  const rows = await db
    .selectFrom('quality_reviews')
    .select(['decided_by', 'verdict', (eb) => eb.fn.countAll<number>().as('n')])
    .where('decided_by', 'in', userIds)
    .where('verdict', 'is not', null)
    .groupBy(['decided_by', 'verdict'])
    .execute();
  for (const r of rows) {
    const q = out.get(r.decided_by)!;
    const n = Number(r.n);
    q.reviewed += n;
    if (r.verdict === 'agree') q.agreed += n;
    else q.disagreed += n;
  }
  return out;
}
