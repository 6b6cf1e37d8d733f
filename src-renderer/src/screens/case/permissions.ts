import type { CaseView, Me } from '../../types';

export interface Allowed {
  claim: boolean;
  requestEvidence: boolean;
  propose: boolean;
  decide: boolean;
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
  };
}
