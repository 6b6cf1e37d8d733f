import type { Deadline } from './commands';
import type { CaseState } from './state';

/**
 * The deadlines a case must have, derived from its state alone (Zammad's "recomputed on
 * every change"): the service diffs this set against the stored rows after each command.
 */
export function deadlinesOf(state: CaseState): Deadline[] {
  const out: Deadline[] = [];
  for (const r of state.evidenceRequests) if (r.status === 'open') out.push({ key: `evidence:${r.id}`, kind: 'evidence', dueAt: r.dueAt });
  if (state.status === 'awaiting_replies' && state.proposal) out.push({ key: 'reply', kind: 'reply', dueAt: state.proposal.replyDueAt });
  if (state.status === 'closed' && state.decision?.appealUntil != null)
    out.push({ key: 'appeal', kind: 'appeal', dueAt: state.decision.appealUntil });
  if (state.refund?.status === 'awaiting_return' && state.refund.returnDueAt != null)
    out.push({ key: 'return', kind: 'return', dueAt: state.refund.returnDueAt });
  return out.sort((a, b) => a.dueAt - b.dueAt || a.key.localeCompare(b.key));
}

/** What happens when each deadline passes, for the case screen. */
export function deadlineConsequence(d: Deadline, state: CaseState): string {
  switch (d.kind) {
    case 'evidence': {
      const party = state.evidenceRequests.find((r) => `evidence:${r.id}` === d.key)?.party ?? 'the party';
      return `The request expires; if ${party} stays silent and no other request is open, the missed-evidence default applies.`;
    }
    case 'reply':
      return 'The reply period ends: an option accepted by one party and not answered by the other is decided by default; otherwise the mediator must decide.';
    case 'appeal':
      return 'The appeal window closes and the decision becomes final.';
    case 'return':
      return 'If the buyer has not shipped the item back, the refund is cancelled.';
  }
}
