/**
 * Separation of duties (DOMAIN.md, SEPARATION_OF_DUTIES): who handled a case may not review
 * its appeal or its quality sample. "Handled" is read from the case's own history, so it
 * covers everyone, not only the decider and whoever holds the case now: whoever decided it,
 * was ever its assignee (claimed it or had it assigned, even if later reassigned), requested
 * evidence on it or published a proposal on it. Refused attempts handled nothing; assigning
 * the case to someone else (a supervisor's act) or reviewing it is not handling it either.
 */

export type HowHandled = 'decided' | 'requested evidence on' | 'published a proposal on' | 'were an assignee of';

/** The part of a case event this rule reads. */
export interface HandlingEvent {
  type: string;
  actor: string;
  details: Record<string, unknown>;
}

/** The strongest reason first: the message names the one that matters most. */
const RANK: HowHandled[] = ['decided', 'requested evidence on', 'published a proposal on', 'were an assignee of'];

/** Who handled the case, each with the strongest way they did. Non-user actors (parties, system, intake) never appear. */
export function handlersOfCase(events: readonly HandlingEvent[], current?: CurrentHands): Map<string, HowHandled> {
  const out = new Map<string, HowHandled>();
  const note = (userId: unknown, how: HowHandled) => {
    if (typeof userId !== 'string' || !userId || NOT_USERS.has(userId)) return;
    const known = out.get(userId);
    if (!known || RANK.indexOf(how) < RANK.indexOf(known)) out.set(userId, how);
  };
  for (const e of events)
    switch (e.type) {
      case 'case.decided':
        // Decided by the parties' agreement or a default: the mediator who published the options handled it.
        note(e.details.decidedBy, 'decided');
        break;
      case 'appeal.reviewed':
        // Overturning replaces the decision: that reviewer decided the case as it now stands.
        if (e.details.verdict === 'overturn') note(e.actor, 'decided');
        break;
      case 'evidence.requested':
        note(e.actor, 'requested evidence on');
        break;
      case 'proposal.published':
        note(e.actor, 'published a proposal on');
        break;
      case 'case.claimed':
      case 'case.assigned':
      case 'case.reassigned':
        note(e.details.assignee, 'were an assignee of');
        break;
    }
  // The case row's own word counts too (a history loaded partially, or none: the rule only widens).
  if (current?.decidedBy) note(current.decidedBy, 'decided');
  if (current?.assignee) note(current.assignee, 'were an assignee of');
  return out;
}

/** Who the case's current rows name: the latest decision's maker and the assignee. */
export interface CurrentHands {
  decidedBy?: string | null | undefined;
  assignee?: string | null | undefined;
}

const NOT_USERS = new Set(['parties', 'system', 'intake', 'buyer', 'seller', 'anonymous', 'default']);

/**
 * Why `userId` may not review the case's appeal or quality sample, naming who may instead;
 * null when they may. `what`: "its appeal" / "the quality of its decision".
 */
export function separationRefusal(handlers: ReadonlyMap<string, HowHandled>, userId: string, caseId: string, what: string): string | null {
  const how = handlers.get(userId);
  if (!how) return null;
  const others = [...handlers.keys()].sort().join(', ');
  return `${SENTENCE[how](caseId)}; ${what} must be reviewed by a supervisor who has not decided or handled it (anyone but ${others}).`;
}

const SENTENCE: Record<HowHandled, (caseId: string) => string> = {
  decided: (id) => `You decided case ${id}`,
  'requested evidence on': (id) => `You handled case ${id} (you requested evidence on it)`,
  'published a proposal on': (id) => `You handled case ${id} (you published a proposal on it)`,
  'were an assignee of': (id) => `You handled case ${id} as its assignee`,
};
