import { AppFailure } from '../../contract/errors';
import type { Outcome } from '../../contract/domain';
import { toIso } from '../../contract/primitives';
import type { DoubleAgreementRow, DoubleAgreementView, DoubleDecisionResult, DoubleMineRow } from '../../contract/scorecards';
import { appendEvents } from '../../db/repos/case';
import { recordChange } from '../../db/repos/changes';
import {
  activeMediatorIds,
  decidedPairsSince,
  doubleDecisionOf,
  insertDoubleDecision,
  pendingDoubleDecisionCount,
  pendingDoubleDecisionsOf,
  recordSecondDecision,
} from '../../db/repos/double-decisions';
import { handlingEventsOf } from '../../db/repos/handling';
import { listUsers } from '../../db/repos/users';
import { inWriteTx, type Reader, type WriteTx } from '../../db/tx';
import {
  countPair,
  decisionsAgree,
  pickSecondDecider,
  secondDecisionAmount,
  share,
  type AgreementCounts,
} from '../../engine/double-decision';
import { handlersOfCase } from '../../engine/handled';
import type { CaseState } from '../../engine/state';
import { sampleDraw, samplingSecret } from './quality';

/**
 * Blind double decisions (issue 18), a noise audit of the team: at a case's first mediator
 * decision, a keyed draw on the case id (the installation's secret, so nobody can predict or
 * steer it) picks a share of cases (policy.doubleDecisionRate); a second mediator who never
 * handled the case is drawn the same way and decides it again without seeing the first
 * decision (app/case/double-view.ts hides it in main). The second decision is only recorded:
 * the case's outcome, refund and letters stay the first decision's.
 */

/** Inside the accepted command's transaction: when it made the case's first decision by a mediator, maybe choose it. */
export async function selectForDoubleDecision(tx: WriteTx, prev: CaseState, next: CaseState, rate: number, now: number): Promise<boolean> {
  const d = next.decision;
  if (!d || prev.decision || prev.supersededDecisions.length || next.supersededDecisions.length) return false; // not the first decision
  if (d.basis !== 'mediator' || rate <= 0) return false;
  const secret = await samplingSecret(tx);
  if (sampleDraw(secret, `double:${next.id}`, 1) >= rate) return false;
  const history = (await handlingEventsOf(tx, [next.id])).get(next.id) ?? [];
  const handled = handlersOfCase(history, { decidedBy: d.decidedBy, assignee: next.assignee });
  const eligible = (await activeMediatorIds(tx)).filter((id) => !handled.has(id));
  const second = pickSecondDecider(eligible, sampleDraw(secret, `double-decider:${next.id}`, 1));
  if (!second) return false; // nobody left who has not handled it: the case is not audited
  // Like a quality sample, the choice leaves no case event (the first decider is not told); the row is the record.
  await insertDoubleDecision(tx, { caseId: next.id, firstSeq: 1, firstDecidedBy: d.decidedBy, secondDecider: second, at: now });
  return true;
}

/** The most blind decisions one mediator's list shows. */
const MINE_MAX = 100;

export async function doubleMine(db: Reader, me: string): Promise<DoubleMineRow[]> {
  return (await pendingDoubleDecisionsOf(db, me, MINE_MAX)).map((r) => ({
    caseId: r.case_id,
    reason: r.reason,
    currency: r.currency,
    totalMinor: r.total_minor,
    selectedAt: toIso(r.selected_at),
  }));
}

export async function decideSecond(
  db: Reader,
  input: { caseId: string; outcome: Outcome; amountMinor?: number | undefined; reasons: string },
  me: string,
  now: number,
): Promise<DoubleDecisionResult> {
  return inWriteTx(db, async (tx) => {
    const row = await doubleDecisionOf(tx, input.caseId);
    if (!row) throw new AppFailure('NOT_FOUND', `Case ${input.caseId} was not chosen for a blind second decision.`);
    if (row.second_decider !== me)
      throw new AppFailure('FORBIDDEN', `The blind second decision on case ${input.caseId} is for another mediator, not you.`);
    if (row.decided_at !== null)
      throw new AppFailure('INVALID_STATE', `You already made the blind second decision on case ${input.caseId}.`);
    const c = await tx
      .selectFrom('cases')
      .innerJoin('decisions as d', (j) => j.onRef('d.case_id', '=', 'cases.id').on('d.seq', '=', row.first_seq))
      .select(['cases.total_minor', 'cases.currency', 'd.outcome', 'd.amount_minor'])
      .where('cases.id', '=', input.caseId)
      .executeTakeFirstOrThrow();
    const amount = secondDecisionAmount(input.outcome, input.amountMinor, c.total_minor, c.currency);
    if (!amount.ok) throw new AppFailure(amount.code, amount.message, 'amountMinor');
    const reasons = input.reasons.trim();
    const recorded = await recordSecondDecision(tx, {
      caseId: input.caseId,
      by: me,
      outcome: input.outcome,
      amountMinor: amount.amountMinor,
      reasons,
      at: now,
    });
    if (!recorded) throw new AppFailure('INVALID_STATE', `The blind second decision on case ${input.caseId} was recorded a moment ago.`);
    await appendEvents(tx, input.caseId, [
      { at: now, actor: me, type: 'double.decided', details: { outcome: input.outcome, amountMinor: amount.amountMinor, reasons } },
    ]);
    await recordChange(tx, [input.caseId], 'command', now);
    return { caseId: input.caseId, outcome: input.outcome, amountMinor: amount.amountMinor, sameOutcome: c.outcome === input.outcome };
  });
}

const DAY = 86_400_000;
/** The most pairs one agreement view reads. */
const AGREEMENT_MAX_PAIRS = 50_000;

export async function doubleAgreement(db: Reader, days: number, bandPct: number, now: number): Promise<DoubleAgreementView> {
  const [pairs, pending, users] = await Promise.all([
    decidedPairsSince(db, now - days * DAY, AGREEMENT_MAX_PAIRS),
    pendingDoubleDecisionCount(db),
    listUsers(db),
  ]);
  const names = new Map(users.map((u) => [u.id, u.name]));
  const zero = (): AgreementCounts => ({ pairs: 0, sameOutcome: 0, amountWithinBand: 0 });
  const total = zero();
  const byReason = new Map<string, AgreementCounts>();
  const byMediator = new Map<string, AgreementCounts>();
  const into = (m: Map<string, AgreementCounts>, key: string) => m.get(key) ?? m.set(key, zero()).get(key)!;
  for (const p of pairs) {
    const agree = decisionsAgree(
      { outcome: p.first_outcome, amountMinor: p.first_amount },
      { outcome: p.second_outcome ?? '', amountMinor: p.second_amount ?? 0 },
      p.total_minor,
      bandPct,
    );
    countPair(total, agree);
    countPair(into(byReason, p.reason), agree);
    for (const who of new Set([p.first_decided_by, p.second_decider])) countPair(into(byMediator, who), agree);
  }
  const row = (key: string, label: string, c: AgreementCounts): DoubleAgreementRow => ({
    key,
    label,
    ...c,
    sameOutcomeShare: share(c.sameOutcome, c.pairs),
    amountWithinBandShare: share(c.amountWithinBand, c.pairs),
  });
  const rows = (m: Map<string, AgreementCounts>, label: (k: string) => string) =>
    [...m].map(([k, c]) => row(k, label(k), c)).sort((a, b) => b.pairs - a.pairs || a.key.localeCompare(b.key));
  return {
    days,
    bandPct,
    pending,
    total: row('all', 'All cases decided twice', total),
    byReason: rows(byReason, (k) => k.replaceAll('_', ' ')),
    byMediator: rows(byMediator, (k) => names.get(k) ?? k),
  };
}
