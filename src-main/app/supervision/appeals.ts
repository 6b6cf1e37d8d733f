import { toIso } from '../../contract/primitives';
import type { AppealRow, AppealsListView } from '../../contract/supervision';
import type { CaseView } from '../../contract/outputs/case';
import { decisionsOfCases, evidenceCountsOf, pendingAppealsCount, pendingAppealsPage } from '../../db/repos/appeals';
import type { Reader } from '../../db/tx';
import { handlingEventsOf } from '../../db/repos/handling';
import { handlersOfCase, separationRefusal, type HandlingEvent } from '../../engine/handled';

/**
 * Why this supervisor may not review an appeal, in the engine's own words
 * (engine/handled.ts, enforced in engine/decide.ts reviewAppeal: SEPARATION_OF_DUTIES); null
 * when they may. The engine enforces it again when the review arrives: this only tells the
 * screen in advance.
 */
export function whyNotReviewer(
  me: string,
  caseId: string,
  history: HandlingEvent[],
  current: { decidedBy: string; assignee: string | null },
): string | null {
  return separationRefusal(handlersOfCase(history, current), me, caseId, 'its appeal');
}

/**
 * The same answer for one case's view (case.get), for a supervisor while its appeal waits:
 * the review panel shows the refusal before the supervisor writes a review.
 */
export async function appealReviewFor(
  db: Reader,
  view: CaseView,
  viewer: { userId: string; role: string } | null,
): Promise<CaseView['appealReview']> {
  if (viewer?.role !== 'supervisor' || view.status !== 'appealed' || view.appeal?.status !== 'pending' || !view.decision) return undefined;
  const history = (await handlingEventsOf(db, [view.id])).get(view.id) ?? [];
  const whyNot = whyNotReviewer(viewer.userId, view.id, history, { decidedBy: view.decision.decidedBy, assignee: view.assignee });
  return { mayReview: whyNot === null, whyNot };
}

/** Appealed cases waiting for review, oldest appeal first, each with the decision it contests. */
export async function appealsList(db: Reader, limit: number, me: string, now: number): Promise<AppealsListView> {
  const [rows, total] = await Promise.all([pendingAppealsPage(db, limit), pendingAppealsCount(db)]);
  const ids = rows.map((r) => r.case_id);
  // The contested decision is the case's latest one (a review adds the next).
  const decisions = await decisionsOfCases(db, ids);
  const latest = new Map(decisions.map((d) => [d.case_id, d])); // ordered by seq: the last one wins
  const evidenceCounts = await evidenceCountsOf(db, ids);
  const evidenceOf = new Map(evidenceCounts.map((e) => [e.case_id, Number(e.n)]));
  const histories = await handlingEventsOf(db, ids);
  const out: AppealRow[] = [];
  for (const r of rows) {
    const d = latest.get(r.case_id);
    if (!d) continue; // an appeal always contests a decision; a row without one is not reviewable
    const whyNot = whyNotReviewer(me, r.case_id, histories.get(r.case_id) ?? [], { decidedBy: d.decided_by, assignee: r.assignee_id });
    out.push({
      caseId: r.case_id,
      reason: r.reason,
      currency: r.currency,
      claimAmountMinor: r.claim_amount_minor,
      totalMinor: r.total_minor,
      buyerId: r.buyer_id,
      buyerName: r.buyer_name,
      appeal: {
        party: r.party as 'buyer' | 'seller',
        grounds: r.grounds as AppealRow['appeal']['grounds'],
        text: r.text,
        filedAt: toIso(r.filed_at),
      },
      ageMs: Math.max(0, now - r.filed_at),
      decision: {
        outcome: d.outcome,
        amountMinor: d.amount_minor,
        basis: d.basis,
        decidedBy: d.decided_by,
        decidedAt: toIso(d.decided_at),
        reasons: d.reasons,
        policyVersion: d.policy_version,
      },
      mayReview: whyNot === null,
      whyNot,
      assignee: r.assignee_id,
      evidenceCount: evidenceOf.get(r.case_id) ?? 0,
    });
  }
  return { rows: out, total };
}
