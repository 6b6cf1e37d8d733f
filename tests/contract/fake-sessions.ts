import { randomBytes } from 'node:crypto';
import type { CoreApi, SignedInUser, UserIdentity } from '../../src-main/app/core-api';

type SessionParts = 'signIn' | 'callAs' | 'identify' | 'signOut';

/**
 * The session half of a stand-in core for carrier tests: tokens in a map, the password check
 * given by the test. The real core keeps sessions as rows (tests/contract/accounts-*.test.ts).
 */
export function withFakeSessions(
  base: Omit<CoreApi, SessionParts>,
  check: (userId: string, password: string) => SignedInUser | null,
): CoreApi {
  const sessions = new Map<string, UserIdentity>();
  return {
    ...base,
    signIn: async (userId, password) => {
      const user = check(userId, password);
      if (!user) return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Wrong user id or password' } };
      const token = randomBytes(32).toString('base64url');
      sessions.set(token, { kind: 'user', ...user });
      return { ok: true, value: { ...user, token, serverTime: new Date().toISOString() } };
    },
    callAs: (token, method, input) => base.dispatch(method, input, (token && sessions.get(token)) || { kind: 'anonymous' }),
    identify: async (token) => sessions.get(token) ?? null,
    signOut: async (token) => void sessions.delete(token),
  };
}
