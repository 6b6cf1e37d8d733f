import { AppFailure } from '../../contract/errors';
import type { supervisionMethods } from '../../contract/supervision';
import type { Identity } from '../identity';
import { appealsList } from './appeals';
import type { Handler } from '../handlers';
import { policyGet, policyHistory, policyPublish } from './policy-admin';
import { previewPolicy } from './policy-preview';
import { qualityList, reviewQuality } from './quality';
import { queuePage } from '../queue/queue';
import { assignMany, teamOverview } from './team';

type Name = keyof typeof supervisionMethods;

/** The signed-in user (every supervision method is for signed-in roles; dispatch checked which). */
const me = (identity: Identity): { id: string; role: 'mediator' | 'supervisor' | 'analyst' } => {
  if (identity.kind !== 'user') throw new AppFailure('FORBIDDEN', 'Only a signed-in supervisor may do this.');
  return { id: identity.userId, role: identity.role };
};

/** Handlers of contract/supervision.ts. */
export const supervisionHandlers: { [M in Name]: Handler<M> } = {
  'appeals.list': (ctx, input, identity) => appealsList(ctx.db, input.limit, me(identity).id, ctx.clock.now()),
  'team.overview': (ctx, input) => teamOverview(ctx.db, input.days, ctx.clock.now()),
  // The queue's own assignee walk ("mine" for someone else), one bounded page.
  'team.memberCases': (ctx, input) =>
    queuePage(ctx.db, { scope: 'all', assignee: input.userId, limit: input.limit, after: input.after }, null, ctx.clock.now()),
  'case.assignMany': async (ctx, input, identity) => {
    const now = ctx.clock.now();
    const user = me(identity);
    // Each case's own due deadlines are applied first, in the transaction (assignMany); other cases' are the timer's.
    const result = await assignMany(ctx.db, input.caseIds, input.userId, { kind: 'user', id: user.id, role: user.role }, now);
    ctx.notify(result.caseIds, 'command');
    return result;
  },
  'policy.get': (ctx) => policyGet(ctx.db),
  'policy.history': (ctx) => policyHistory(ctx.db),
  'policy.preview': (ctx, input) => previewPolicy(ctx.db, input.draft, input.lastN, ctx.clock.now(), ctx.replayCases),
  'policy.publish': (ctx, input, identity) => policyPublish(ctx.db, input, me(identity).id, ctx.clock.now()),
  'quality.list': (ctx, input, identity) => qualityList(ctx.db, input.status, input.limit, me(identity).id),
  'quality.review': async (ctx, input, identity) => {
    const result = await reviewQuality(ctx.db, input, me(identity).id, ctx.clock.now());
    ctx.notify([input.caseId], 'command');
    return result;
  },
};
