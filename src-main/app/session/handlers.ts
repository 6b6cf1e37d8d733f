import { AppFailure } from '../../contract/errors';
import type { Handler, ServiceContext } from '../handlers';
import type { Identity } from '../identity';
import {
  addUser,
  changeOwnPassword,
  changeRole,
  createFirstSupervisor,
  deactivate,
  issueResetCode,
  needsFirstSupervisor,
  redeemCode,
  usersList,
} from './accounts';
import { listSessions, signOutOthers } from './sessions';

/** Accounts, passwords and sessions follow wall time (sessionClock), not the test clock that moves deadlines. */
const nowOf = (ctx: ServiceContext) => (ctx.sessionClock ?? ctx.clock).now();

function signedIn(identity: Identity) {
  if (identity.kind !== 'user') throw new AppFailure('UNAUTHENTICATED', 'Sign in first.');
  return identity;
}

export const accountsHandlers: {
  [
    M in
      | 'setup.status'
      | 'setup.createFirstSupervisor'
      | 'users.list'
      | 'users.add'
      | 'users.setRole'
      | 'users.deactivate'
      | 'users.issueResetCode'
      | 'password.redeemCode'
      | 'password.change'
      | 'session.list'
      | 'session.signOutOthers'
  ]: Handler<M>;
} = {
  'setup.status': async (ctx) => ({ needsFirstSupervisor: await needsFirstSupervisor(ctx.db) }),
  'setup.createFirstSupervisor': (ctx, input) => createFirstSupervisor(ctx.db, input, nowOf(ctx)),
  'users.list': async (ctx) => ({ users: await usersList(ctx.db, nowOf(ctx)) }),
  'users.add': (ctx, input, id) => addUser(ctx.db, input, signedIn(id).userId, nowOf(ctx)),
  'users.setRole': (ctx, input, id) => changeRole(ctx.db, input, signedIn(id).userId, nowOf(ctx)),
  'users.deactivate': (ctx, input, id) => deactivate(ctx.db, input.userId, signedIn(id).userId, nowOf(ctx)),
  'users.issueResetCode': (ctx, input, id) => issueResetCode(ctx.db, input.userId, signedIn(id).userId, nowOf(ctx)),
  'password.redeemCode': (ctx, input) => redeemCode(ctx.db, input, nowOf(ctx)),
  'password.change': (ctx, input, id) => {
    const me = signedIn(id);
    return changeOwnPassword(ctx.db, me.userId, input, me.sessionId, nowOf(ctx));
  },
  'session.list': async (ctx, _input, id) => {
    const me = signedIn(id);
    return { sessions: await listSessions(ctx.db, me.userId, me.sessionId, nowOf(ctx)) };
  },
  'session.signOutOthers': async (ctx, _input, id) => {
    const me = signedIn(id);
    return { sessionsEnded: await signOutOthers(ctx.db, me.userId, me.sessionId, nowOf(ctx)) };
  },
};
