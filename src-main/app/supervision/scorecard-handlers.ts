import type { scorecardMethods } from '../../contract/scorecards';
import type { Handler } from '../handlers';
import type { Identity } from '../identity';
import { AppFailure } from '../../contract/errors';
import { calibrationView, scoreSample } from './scorecards';
import { decideSecond, doubleAgreement, doubleMine } from './double-decisions';

type Name = keyof typeof scorecardMethods;

const me = (identity: Identity): string => {
  if (identity.kind !== 'user') throw new AppFailure('FORBIDDEN', 'Only a signed-in mediator or supervisor may do this.');
  return identity.userId;
};

/** Handlers of contract/scorecards.ts: quality scorecards, calibration and blind double decisions. */
export const scorecardHandlers: { [M in Name]: Handler<M> } = {
  'quality.score': async (ctx, input, identity) => {
    const result = await scoreSample(ctx.db, input, me(identity), ctx.clock.now());
    ctx.notify([input.caseId], 'command');
    return result;
  },
  'quality.calibration': (ctx, input) => calibrationView(ctx.db, input.days, ctx.clock.now()),
  'double.mine': (ctx, _input, identity) => doubleMine(ctx.db, me(identity)),
  'double.decide': async (ctx, input, identity) => {
    const result = await decideSecond(ctx.db, input, me(identity), ctx.clock.now());
    ctx.notify([input.caseId], 'command');
    return result;
  },
  'double.agreement': (ctx, input) => doubleAgreement(ctx.db, input.days, input.bandPct, ctx.clock.now()),
};
