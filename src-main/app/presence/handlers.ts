import type { presenceMethods, PresenceActivity, PresenceEntry } from '../../contract/presence';
import { AppFailure } from '../../contract/errors';
import { caseExists } from '../../db/repos/case-reads';
import { recordChange } from '../../db/repos/changes';
import { beat, leave, presentOn } from '../../db/repos/presence';
import { inWriteTx } from '../../db/tx';
import type { Db } from '../../db/connect';
import type { Handler, ServiceContext } from '../handlers';
import type { Identity } from '../identity';

type Name = keyof typeof presenceMethods;

const userOf = (identity: Identity) => {
  if (identity.kind !== 'user') throw new AppFailure('FORBIDDEN', 'Presence is for signed-in people.');
  return identity.userId;
};

/** The others on a case (the asker left out), oldest arrival first. */
async function othersOn(db: Db, caseId: string, me: string, now: number): Promise<PresenceEntry[]> {
  return (await presentOn(db, [caseId], now))
    .filter((p) => p.userId !== me)
    .map((p) => ({ userId: p.userId, name: p.name, activity: p.activity as PresenceActivity, since: new Date(p.since).toISOString() }));
}

/** A presence change: other desktops hear of it like a change to the case (reason 'presence'), this one in process. */
async function announce(ctx: ServiceContext, caseId: string, write: (now: number) => Promise<boolean>) {
  if (await write(ctx.clock.now())) ctx.notify([caseId], 'presence');
}

/** Handlers of contract/presence.ts. */
export const presenceHandlers: { [M in Name]: Handler<M> } = {
  'presence.beat': async (ctx, input, identity) => {
    const me = userOf(identity);
    // Only existing cases: a caller cannot fill the table with made-up ids (and one person holds at most 20 rows).
    if (!(await caseExists(ctx.db, input.caseId))) throw new AppFailure('NOT_FOUND', `There is no case ${input.caseId}.`);
    await announce(ctx, input.caseId, (now) =>
      inWriteTx(ctx.db, async (tx) => {
        const changed = await beat(tx, me, input.caseId, input.activity, now);
        if (changed) await recordChange(tx, [input.caseId], 'presence', now);
        return changed;
      }),
    );
    return { others: await othersOn(ctx.db, input.caseId, me, ctx.clock.now()) };
  },
  'presence.leave': async (ctx, input, identity) => {
    const me = userOf(identity);
    let left = false;
    await announce(ctx, input.caseId, (now) =>
      inWriteTx(ctx.db, async (tx) => {
        left = await leave(tx, me, input.caseId, now);
        if (left) await recordChange(tx, [input.caseId], 'presence', now);
        return left;
      }),
    );
    return { left };
  },
  'presence.get': async (ctx, input, identity) => ({ others: await othersOn(ctx.db, input.caseId, userOf(identity), ctx.clock.now()) }),
};
