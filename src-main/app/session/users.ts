import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Role } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import type { Db } from '../../db/connect';
import { insertUser, setSignInFailures, userById } from '../../db/repos/users';
import { inWriteTx } from '../../db/tx';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number }) => Promise<Buffer>;
const PARAMS = { N: 16_384, r: 8, p: 1 };
export const MAX_FAILED_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60_000;

/** `scrypt$N$r$p$salt$hash`, so the cost can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [tag, n, r, p, salt, hash] = stored.split('$');
  if (tag !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

export async function createUser(db: Db, u: { id: string; name: string; role: Role; password: string }, now: number): Promise<void> {
  const password_hash = await hashPassword(u.password);
  await inWriteTx(db, (tx) =>
    insertUser(tx, { id: u.id, name: u.name, role: u.role, password_hash, failed_attempts: 0, locked_until: null, created_at: now }),
  );
}

export interface SignedIn {
  userId: string;
  name: string;
  role: Role;
}

/** Checks a password; five failures in a row lock the account for 15 minutes. */
export async function signIn(db: Db, userId: string, password: string, now: number): Promise<SignedIn> {
  const user = await userById(db, userId);
  const wrong = new AppFailure('UNAUTHENTICATED', 'The user id or the password is wrong.');
  if (!user) {
    await hashPassword(password); // same cost as a real check, so timing does not reveal which ids exist
    throw wrong;
  }
  if (user.locked_until !== null && now < user.locked_until)
    throw new AppFailure(
      'UNAUTHENTICATED',
      `Too many failed sign-ins: the account is locked until ${new Date(user.locked_until).toISOString()}.`,
    );
  if (!(await verifyPassword(password, user.password_hash))) {
    const failed = user.failed_attempts + 1;
    await inWriteTx(db, (tx) =>
      setSignInFailures(tx, userId, failed >= MAX_FAILED_ATTEMPTS ? 0 : failed, failed >= MAX_FAILED_ATTEMPTS ? now + LOCKOUT_MS : null),
    );
    throw wrong;
  }
  if (user.failed_attempts !== 0 || user.locked_until !== null) await inWriteTx(db, (tx) => setSignInFailures(tx, userId, 0, null));
  return { userId: user.id, name: user.name, role: user.role as Role };
}
