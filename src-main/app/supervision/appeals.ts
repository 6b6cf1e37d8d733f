import { toIso } from '../../contract/primitives';
import type { AppealRow, AppealsListView } from '../../contract/supervision';
import type { Db } from '../../db/connect';

/**
 * Why this supervisor may not review an appeal, in the engine's own words
 * (engine/decide.ts reviewAppeal: SEPARATION_OF_DUTIES); null when they may. The engine
 * enforces it again when the review arrives: this only tells the screen in advance.
 */
export function whyNotReviewer(me: string, caseId: string, decidedBy: string, assignee: string | null): string | null {
  if (decidedBy === me) return `You decided case ${caseId}; another supervisor must review its appeal.`;
  if (assignee === me) return `You handled case ${caseId}; another supervisor must review its appeal.`;
  return null;
}

/** Appealed cases waiting for review, oldest appeal first, each with the decision it contests. */
export async function appealsList(db: Db, limit: number, me: string, now: number): Promise<AppealsListView> {
  const [rows, total] = await Promise.all([
    db
      .selectFrom('appeals')
      .innerJoin('cases', 'cases.id', 'appeals.case_id')
      .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
      .select([
        'appeals.case_id',
        'appeals.party',
        'appeals.grounds',
        'appeals.text',
        'appeals.filed_at',
        'cases.reason',
        'cases.currency',
        'cases.claim_amount_minor',
        'cases.total_minor',
        'cases.buyer_id',
        'cases.assignee_id',
        'cases.status',
        'buyer.name as buyer_name',
      ])
      .where('appeals.status', '=', 'pending')
      .orderBy('appeals.filed_at')
      .orderBy('appeals.case_id')
      .limit(limit)
      .execute(),
    db
      .selectFrom('appeals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirst(),
  ]);
  const ids = rows.map((r) => r.case_id);
  // The contested decision is the case's latest one (a review adds the next).
  const decisions = ids.length
    ? await db
        .selectFrom('decisions')
        .select(['case_id', 'seq', 'outcome', 'amount_minor', 'basis', 'decided_by', 'decided_at', 'reasons', 'policy_version'])
        .where('case_id', 'in', ids)
        .orderBy('case_id')
        .orderBy('seq')
        .execute()
    : [];
  const latest = new Map(decisions.map((d) => [d.case_id, d])); // ordered by seq: the last one wins
  const evidenceCounts = ids.length
    ? await db
        .selectFrom('evidence')
        .select(['case_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('case_id', 'in', ids)
        .groupBy('case_id')
        .execute()
    : [];
  const evidenceOf = new Map(evidenceCounts.map((e) => [e.case_id, Number(e.n)]));
  const out: AppealRow[] = [];
  for (const r of rows) {
    const d = latest.get(r.case_id);
    if (!d) continue; // an appeal always contests a decision; a row without one is not reviewable
    const whyNot = whyNotReviewer(me, r.case_id, d.decided_by, r.assignee_id);
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
  return { rows: out, total: Number(total?.n ?? 0) };
}
