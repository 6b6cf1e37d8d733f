import { toIso } from '../../contract/primitives';
import type { RefundStatus } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import type { Identity } from '../identity';
import { runCaseCommand } from '../case/commands';
import type { Handler } from '../handlers';
import { addFeed, feedViews, revokeFeedByName } from './admin';

/** The supervisor behind a Feeds-screen change, as its audit event names them (dispatch lets only supervisors here). */
const actorOf = (identity: Identity): string => (identity.kind === 'user' ? identity.userId : identity.kind);

/** The feed's own methods (contract/feed.ts), spread into the handler registry. */
export const feedHandlers: {
  'refund.update': Handler<'refund.update'>;
  'feeds.list': Handler<'feeds.list'>;
  'feeds.create': Handler<'feeds.create'>;
  'feeds.revoke': Handler<'feeds.revoke'>;
} = {
  'refund.update': async (ctx, input, identity: Identity) => {
    if (identity.kind !== 'intake') throw new AppFailure('FORBIDDEN', 'Only the marketplace feed reports refunds.');
    const now = ctx.clock.now();
    let refund: RefundStatus | null = null;
    const result = await runCaseCommand(
      ctx.db,
      input.caseId,
      { type: 'refundUpdate', status: input.status, reference: input.reference, reason: input.reason },
      { kind: 'intake' },
      now,
      { alsoInTransaction: async (_tx, r) => void (refund = r.next.refund?.status ?? null) },
    );
    ctx.notify([input.caseId], 'command');
    return { ...result, refund: refund! };
  },
  'feeds.list': async (ctx) => ({ feeds: await feedViews(ctx.db), at: toIso(ctx.clock.now()), listener: ctx.feedListener?.() ?? null }),
  'feeds.create': async (ctx, input, identity: Identity) => {
    const { feed, token, webhookSecret } = await addFeed(ctx.db, input.name, input.webhookUrl ?? null, ctx.clock.now(), actorOf(identity));
    return { name: feed.name, token, webhookSecret };
  },
  'feeds.revoke': async (ctx, input, identity: Identity) => {
    const now = ctx.clock.now();
    await revokeFeedByName(ctx.db, input.name, now, actorOf(identity));
    return { name: input.name, revokedAt: toIso(now) };
  },
};
