import { NEAREST_DECISIONS, type ConsistencyView, type MediatorConsistency } from '../../contract/casework';
import type { Outcome } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import { caseFacts, consistencyCandidates, decisionsSince, deskMembers, type CaseFacts } from '../../db/repos/casework';
import type { Reader } from '../../db/tx';
import { judgeConsistency, nearestDecisions, teamConsistency, type PastDecision } from '../../engine/consistency';
import { evidencePattern } from '../../engine/evidence-checklist';

/**
 * Consistency at decision time (issue 17): the nearest past decisions of the same reason
 * (delivery status, claim band, evidence pattern, seller), shown in the Decide dialog; a
 * decision none of them agrees with needs a consistency note, which `case.decide` enforces.
 */

const profileOf = (f: Pick<CaseFacts, 'caseId' | 'reason' | 'tracking' | 'evidence' | 'claimMinor' | 'totalMinor' | 'sellerId'>) => ({
  caseId: f.caseId,
  deliveryStatus: f.tracking.status,
  claimShare: f.totalMinor > 0 ? f.claimMinor / f.totalMinor : 0,
  evidencePattern: evidencePattern(f),
  sellerId: f.sellerId,
});

/** The planned decision's amount: the total for a full refund or a return, 0 for none. */
export function plannedAmount(outcome: Outcome, amountMinor: number | undefined, totalMinor: number): number {
  if (outcome === 'partial') return amountMinor ?? 0;
  return outcome === 'none' ? 0 : totalMinor;
}

export async function consistencyOf(
  db: Reader,
  caseId: string,
  planned: { outcome: Outcome; amountMinor?: number | undefined } | null,
): Promise<ConsistencyView> {
  return (await consistencyAt(db, caseId, planned)).view;
}

/** consistencyOf with the version of the case it judged (decide re-validates it in its transaction). */
export async function consistencyAt(
  db: Reader,
  caseId: string,
  planned: { outcome: Outcome; amountMinor?: number | undefined } | null,
): Promise<{ view: ConsistencyView; caseVersion: number }> {
  const facts = await caseFacts(db, caseId);
  if (!facts) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
  const rows = await consistencyCandidates(db, facts.reason, facts.sellerId, caseId);
  const past: PastDecision[] = rows.map((r) => ({
    ...profileOf({
      caseId: r.caseId,
      reason: facts.reason,
      tracking: {
        number: r.trackingNumber,
        status: r.deliveryStatus,
        deliveredAt: r.deliveredAt === null ? null : new Date(r.deliveredAt).toISOString(),
      },
      evidence: r.evidence,
      claimMinor: r.claimMinor,
      totalMinor: r.totalMinor,
      sellerId: r.sellerId,
    }),
    outcome: r.outcome,
    amountMinor: r.amountMinor,
    totalMinor: r.totalMinor,
    currency: r.currency,
    decidedAt: r.decidedAt,
    decidedBy: r.decidedBy,
  }));
  const nearest = nearestDecisions(profileOf(facts), past, NEAREST_DECISIONS);
  const judged = judgeConsistency(
    planned
      ? {
          outcome: planned.outcome,
          amountMinor: plannedAmount(planned.outcome, planned.amountMinor, facts.totalMinor),
          totalMinor: facts.totalMinor,
        }
      : null,
    nearest,
  );
  return { view: { caseId, nearest, compared: past.length, ...judged }, caseVersion: facts.version };
}

/** The most decisions the team view compares (newest first). */
const TEAM_WINDOW_LIMIT = 20_000;

export async function teamConsistencyView(
  db: Reader,
  days: number,
  now: number,
): Promise<{ days: number; members: MediatorConsistency[] }> {
  const [decisions, members] = await Promise.all([decisionsSince(db, now - days * 86_400_000, TEAM_WINDOW_LIMIT), deskMembers(db)]);
  return { days, members: teamConsistency(decisions, new Map(members.map((m) => [m.id, m.name]))) };
}
