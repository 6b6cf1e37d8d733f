import type { CaseView, Me } from '../../api/types';

export interface Allowed {
  claim: boolean;
  requestEvidence: boolean;
  propose: boolean;
  decide: boolean;
  release: boolean;
}

/**
 * Which actions to offer, from the state and the signed-in role (DOMAIN.md rules 2, 3, 5,
 * 7). Only a convenience: the engine decides, and a refusal is shown with its message.
 */
export function allowedActions(view: CaseView, me: Me): Allowed {
  const worker = me.role === 'mediator' || me.role === 'supervisor';
  const acts = worker && (me.role === 'supervisor' ? view.status !== 'escalated' : view.assignee === me.userId);
  return {
    claim: worker && view.status === 'escalated' && view.assignee === null,
    requestEvidence: acts && (view.status === 'in_review' || view.status === 'awaiting_evidence'),
    propose: acts && view.status === 'in_review' && !view.forcedDecision,
    decide: acts && view.status === 'in_review',
    // Back to the unassigned queue: the holder (or a supervisor) while nothing waits on the parties.
    release: acts && view.status === 'in_review' && view.assignee !== null,
  };
}

export interface AppealRights {
  /** A supervisor looking at a case whose appeal waits for review. */
  shown: boolean;
  may: boolean;
  whyNot: string | null;
}

/**
 * Whether the signed-in supervisor may review this case's appeal (DOMAIN.md rule 9). Main
 * answers it with the case (`view.appealReview`: the engine's SEPARATION_OF_DUTIES rule over
 * the whole history: decided, ever assignee, requested evidence, published a proposal);
 * without that answer, the decider and the assignee as the view shows them. The engine
 * refuses a review anyway: this only says so before the supervisor writes one.
 */
export function appealReview(view: CaseView, me: Me): AppealRights {
  const shown = me.role === 'supervisor' && view.status === 'appealed' && view.appeal?.status === 'pending';
  if (!shown) return { shown, may: false, whyNot: null };
  if (view.appealReview) return { shown, may: view.appealReview.mayReview, whyNot: view.appealReview.whyNot };
  if (view.decision?.decidedBy === me.userId)
    return {
      shown,
      may: false,
      whyNot: `You decided case ${view.id}, so another supervisor must review its appeal (separation of duties). You can still read everything here.`,
    };
  if (view.assignee === me.userId)
    return {
      shown,
      may: false,
      whyNot: `You handled case ${view.id} as its assignee, so another supervisor must review its appeal (separation of duties).`,
    };
  return { shown, may: true, whyNot: null };
}
