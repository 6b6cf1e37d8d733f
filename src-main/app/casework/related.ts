import type { RelatedCase, RelatedView, RelationKind } from '../../contract/casework';
import type { CaseStatus, Outcome, Reason } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import { caseFacts, relatedCaseIds, relatedRows } from '../../db/repos/casework';
import { MAX_RELATED } from '../../contract/casework';
import type { Reader } from '../../db/tx';

/**
 * Related cases (issue 17): the cases sharing this one's buyer, seller, a device / address /
 * payment link of the buyer, the tracking number or a photo cluster, with state and outcome.
 * Those open, unclaimed (or claimed by the person a supervisor assigns to) form the cluster a
 * supervisor may assign to one person.
 */

const OPEN: ReadonlySet<string> = new Set(['escalated', 'in_review', 'awaiting_evidence']);
/** A stronger tie lists first: shared identity before a shared seller. */
const ORDER: RelationKind[] = ['buyer', 'photo', 'tracking', 'device', 'payment', 'address', 'seller'];

export async function relatedCases(
  db: Reader,
  caseId: string,
): Promise<RelatedView & { self: { status: string; assignee: string | null } }> {
  const facts = await caseFacts(db, caseId);
  if (!facts) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
  const { via, truncated } = await relatedCaseIds(db, facts);
  const rank = (kinds: Set<RelationKind>) => Math.min(...[...kinds].map((k) => ORDER.indexOf(k)));
  const ids = [...via.keys()].sort((a, b) => rank(via.get(a)!) - rank(via.get(b)!) || b.length - a.length || (a < b ? -1 : 1));
  const rows = new Map((await relatedRows(db, ids.slice(0, MAX_RELATED))).map((r) => [r.id, r]));
  const cases: RelatedCase[] = ids
    .slice(0, MAX_RELATED)
    .filter((id) => rows.has(id))
    .map((id) => {
      const r = rows.get(id)!;
      return {
        caseId: id,
        status: r.status as CaseStatus,
        reason: r.reason as Reason,
        assignee: r.assignee_id,
        currency: r.currency,
        claimMinor: r.claim_amount_minor,
        outcome: (r.outcome as Outcome | null) ?? null,
        amountMinor: r.amount_minor,
        via: ORDER.filter((k) => via.get(id)!.has(k)),
      };
    });
  // The cluster: open cases nobody else is working on; a shared seller alone does not make a cluster.
  const assignable = [
    ...(OPEN.has(facts.status) ? [caseId] : []),
    ...cases.filter((c) => OPEN.has(c.status) && c.via.some((k) => k !== 'seller')).map((c) => c.caseId),
  ];
  return {
    caseId,
    cases,
    truncated: truncated || ids.length > MAX_RELATED,
    assignable,
    self: { status: facts.status, assignee: facts.assignee },
  };
}
