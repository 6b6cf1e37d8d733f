import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import type { Db } from '../../db/connect';
import { upgradePasswordHash, userById } from '../../db/repos/users';
import {
  clearSourceFailures,
  isKnownSource,
  pruneThrottle,
  releaseAccountAttempt,
  rememberSource,
  reserveAccountAttempt,
  reserveSourceAttempt,
  sourceLock,
  type ThrottleRule,
} from '../../db/repos/sign-in-throttle';
import { inWriteTx } from '../../db/tx';
import { hashPassword, needsRehash, verifyPassword } from './passwords';
import { startSession } from './sessions';

/**
 * Sign-in that holds against a burst and against a stranger (issue 14).
 *
 * Every attempt is counted before its password is hashed, by one UPDATE that also checks
 * the lock (db/repos/sign-in-throttle.ts): 400 parallel guesses let exactly THRESHOLD of them
 * reach the password hash and the rest are refused unhashed; a right password inside the burst is
 * refused like the others once the lock holds. A right password resets its own counter.
 *
 * Counters are per (account, source): a source is this desktop installation, a browser that
 * signed in as this user before (its device cookie), or else the caller's address. A stranger
 * locks only their own (account, source) pair, for growing delays (30 s, 1, 2, 4, 8, 15 min).
 * Sources that never signed in as this user also share an account-wide counter: 20 failures
 * inside 15 minutes (evidence of guessing from many places) lock out unknown sources for
 * 5 minutes, while the user's known desktops and browsers still sign in.
 */
export const SOURCE_RULE: ThrottleRule = { threshold: 5, delays: [30_000, 60_000, 120_000, 240_000, 480_000, 900_000] };
export const ACCOUNT_RULE = { threshold: 20, windowMs: 15 * 60_000, lockMs: 5 * 60_000 };
/** How many sources per user are remembered as known (the most recent). */
const KNOWN_SOURCES_KEPT = 20;
const DAY_MS = 24 * 60 * 60_000;

export interface SignInFrom {
  /** `desktop:<installation id>`, `device:<hash of the browser's device cookie>` or `ip:<address>`. */
  source: string;
  userAgent: string;
}

export interface SignedIn {
  userId: string;
  name: string;
  role: Role;
  /** The session token for the carrier to hold (cookie, main's per-window map); only its hash is stored. */
  token: string;
}

const WRONG = 'The user id or the password is wrong.';
/** A lock's end as a time a person can act on: the next whole minute (a lock until 12:00:30 says 12:01, not 12:00). */
const at = (ms: number) => `${new Date(Math.ceil(ms / 60_000) * 60_000).toISOString().slice(11, 16)} UTC`;

export async function signIn(db: Db, userId: string, password: string, now: number, from: SignInFrom): Promise<SignedIn> {
  const user = await userById(db, userId);
  if (!user) {
    await verifyPassword(password, ''); // same cost as a real check, so timing does not reveal which ids exist
    throw new AppFailure('UNAUTHENTICATED', WRONG);
  }
  const known = await isKnownSource(db, userId, from.source);
  if (!known && user.locked_until !== null && now < user.locked_until) throw accountLocked(user.locked_until);

  const reserved = await inWriteTx(db, (tx) => reserveSourceAttempt(tx, userId, from.source, now, SOURCE_RULE));
  if (!reserved) throw sourceLocked(now, await lockOf(db, userId, from.source));
  if (!known) {
    const account = await inWriteTx(db, (tx) => reserveAccountAttempt(tx, userId, now, ACCOUNT_RULE));
    if (!account) throw accountLocked((await userById(db, userId))?.locked_until ?? now);
  }

  if (!(await verifyPassword(password, user.password_hash))) throw new AppFailure('UNAUTHENTICATED', WRONG);
  if (user.active !== 1) throw new AppFailure('UNAUTHENTICATED', 'This account was deactivated; ask a supervisor if you need it again.');

  const upgraded = needsRehash(user.password_hash) ? await hashPassword(password) : null;
  const token = randomBytes(32).toString('base64url');
  await inWriteTx(db, async (tx) => {
    await clearSourceFailures(tx, userId, from.source, now);
    if (!known) await releaseAccountAttempt(tx, userId);
    await rememberSource(tx, userId, from.source, now, KNOWN_SOURCES_KEPT);
    if (upgraded) await upgradePasswordHash(tx, userId, user.password_hash, upgraded);
    await startSession(tx, { id: sessionIdOf(token), userId, now, source: from.source, userAgent: from.userAgent });
    await pruneThrottle(tx, now - DAY_MS);
  });
  return { userId: user.id, name: user.name, role: user.role as Role, token };
}

/** The stored name of a session: the SHA-256 of its token (a 256-bit random value needs no slow hash). */
export const sessionIdOf = (token: string): string => createHash('sha256').update(token).digest('hex');

async function lockOf(db: Db, userId: string, source: string): Promise<number | null> {
  return (await sourceLock(db, userId, source))?.lockedUntil ?? null;
}

function sourceLocked(now: number, until: number | null): AppFailure {
  return new AppFailure(
    'THROTTLED',
    `Too many sign-in attempts for this account from here: try again after ${at(until ?? now + SOURCE_RULE.delays[0]!)}.`,
  );
}

function accountLocked(until: number): AppFailure {
  return new AppFailure(
    'THROTTLED',
    `Too many sign-in attempts for this account from several places: new places may try again after ${at(until)}; a desktop or browser that signed in as this user before still can.`,
  );
}
