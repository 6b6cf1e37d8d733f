import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import type { IssuedCode, UserSummary } from '../../contract/outputs/accounts';
import { passwordProblem } from '../../contract/accounts';
import { toIso } from '../../contract/primitives';
import type { Db } from '../../db/connect';
import { recordAccountEvent } from '../../db/repos/account-audit';
import { endUserSessions } from '../../db/repos/sessions';
import { reserveSourceAttempt, clearSourceFailures } from '../../db/repos/sign-in-throttle';
import {
  claimFirstRun,
  lockActiveSupervisors,
  countUsers,
  deactivateUser,
  dropResetCode,
  insertUser,
  listUsers,
  pendingResetCodes,
  putResetCode,
  setPasswordHash,
  setRole,
  takeResetCodeAttempt,
  useResetCode,
  userById,
  type UserRow,
} from '../../db/repos/users';
import { inWriteTx, type Reader, type WriteTx } from '../../db/tx';
import { hashPassword, NO_PASSWORD, verifyPassword } from './passwords';
import { SOURCE_RULE } from './sign-in';

/**
 * The desk's accounts (issue 14): first-run setup, supervisors adding users, changing roles,
 * deactivating (the row stays, sessions end), one-time codes for a new user or a reset, and
 * everyone's own password change. Every change writes an account_audit row in its transaction.
 * `actor` is the signed-in user's id, 'first-run' or 'cli:<os user>'.
 */
export const CODE_LIFETIME_MS = 24 * 60 * 60_000;
/** Wrong tries a one-time code survives; then it is void and a supervisor issues a new one. */
export const CODE_ATTEMPTS = 5;
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'; // no 0/O, 1/I/L: read aloud and typed by people

const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

function summary(u: UserRow, codes: Map<string, number>): UserSummary {
  return {
    userId: u.id,
    name: u.name,
    role: u.role as Role,
    active: u.active === 1,
    createdAt: toIso(u.created_at),
    deactivatedAt: u.deactivated_at === null ? null : toIso(u.deactivated_at),
    deactivatedBy: u.deactivated_by,
    passwordSet: u.password_hash !== NO_PASSWORD,
    codeExpiresAt: codes.has(u.id) ? toIso(codes.get(u.id)!) : null,
  };
}

async function summaryOf(db: Reader, userId: string, now: number): Promise<UserSummary> {
  const u = await userById(db, userId);
  if (!u) throw new AppFailure('NOT_FOUND', `There is no user ${userId}.`);
  return summary(u, await pendingResetCodes(db, now));
}

export async function usersList(db: Db, now: number): Promise<UserSummary[]> {
  const codes = await pendingResetCodes(db, now);
  return (await listUsers(db)).map((u) => summary(u, codes));
}

export async function needsFirstSupervisor(db: Reader): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

/** First-run: only while no user exists, and only once even when two submissions race (first_run's key). */
export async function createFirstSupervisor(db: Db, input: { userId: string; name: string; password: string }, now: number) {
  const closed = () =>
    new AppFailure('CONFLICT', 'Mediation Desk already has its first supervisor: sign in, or ask a supervisor to add you.');
  if (!(await needsFirstSupervisor(db))) throw closed();
  const password_hash = await hashPassword(input.password);
  await inWriteTx(db, async (tx) => {
    if ((await countUsers(tx)) > 0 || !(await claimFirstRun(tx, input.userId, now))) throw closed();
    await insertUser(tx, newUserRow(input.userId, input.name, 'supervisor', password_hash, now));
    await recordAccountEvent(tx, {
      at: now,
      actor: 'first-run',
      event: 'user.added',
      subject: input.userId,
      details: { role: 'supervisor' },
    });
  });
  return { userId: input.userId };
}

const newUserRow = (id: string, name: string, role: Role, password_hash: string, now: number) => ({
  id,
  name,
  role,
  password_hash,
  failed_attempts: 0,
  locked_until: null,
  created_at: now,
  password_set_at: password_hash === NO_PASSWORD ? null : now,
});

function newCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

async function issueCode(tx: WriteTx, userId: string, by: string, now: number): Promise<IssuedCode> {
  const code = newCode();
  const expiresAt = now + CODE_LIFETIME_MS;
  await putResetCode(tx, { userId, codeHash: hashCode(code.replace(/-/g, '')), by, at: now, expiresAt });
  return { userId, code, expiresAt: toIso(expiresAt) };
}

/** Adds a user with a password, or without one and with a one-time code to set it. */
export async function addUser(
  db: Db,
  input: { userId: string; name: string; role: Role; password?: string | undefined },
  actor: string,
  now: number,
) {
  if (await userById(db, input.userId))
    throw new AppFailure('DUPLICATE', `There is already a user ${input.userId} (deactivated users keep their id).`, 'userId');
  const password_hash = input.password === undefined ? NO_PASSWORD : await hashPassword(input.password);
  const code = await inWriteTx(db, async (tx) => {
    const inserted = await tx
      .insertInto('users')
      .values(newUserRow(input.userId, input.name, input.role, password_hash, now))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1)
      throw new AppFailure('DUPLICATE', `There is already a user ${input.userId}.`, 'userId');
    await recordAccountEvent(tx, {
      at: now,
      actor,
      event: 'user.added',
      subject: input.userId,
      details: { role: input.role, withCode: input.password === undefined },
    });
    return input.password === undefined ? issueCode(tx, input.userId, actor, now) : null;
  });
  return { user: await summaryOf(db, input.userId, now), code };
}

/**
 * Refuses leaving the desk without an active supervisor (nobody could manage users any more).
 * `activeSupervisors` is the count taken under lockActiveSupervisors at the transaction's start.
 */
function keepOneSupervisor(activeSupervisors: number, target: UserRow, what: string) {
  if (target.role === 'supervisor' && target.active === 1 && activeSupervisors <= 1)
    throw new AppFailure('INVALID_STATE', `${target.id} is the only active supervisor; add another supervisor before you ${what}.`);
}

async function loadTarget(tx: Reader, userId: string): Promise<UserRow> {
  const u = await userById(tx, userId);
  if (!u) throw new AppFailure('NOT_FOUND', `There is no user ${userId}.`, 'userId');
  return u;
}

export async function changeRole(db: Db, input: { userId: string; role: Role }, actor: string, now: number) {
  await inWriteTx(db, async (tx) => {
    // The supervisors' rows first (also the target's, when it is one), then the target read after them.
    const supervisors = await lockActiveSupervisors(tx);
    const u = await loadTarget(tx, input.userId);
    if (u.active !== 1) throw new AppFailure('INVALID_STATE', `${input.userId} is deactivated; their role no longer matters.`);
    if (u.role === input.role) return;
    if (input.role !== 'supervisor') keepOneSupervisor(supervisors, u, 'change their role');
    await setRole(tx, input.userId, input.role);
    await recordAccountEvent(tx, {
      at: now,
      actor,
      event: 'user.role-changed',
      subject: input.userId,
      details: { from: u.role, to: input.role },
    });
  });
  return { user: await summaryOf(db, input.userId, now) };
}

export async function deactivate(db: Db, userId: string, actor: string, now: number) {
  if (userId === actor) throw new AppFailure('INVALID_STATE', 'You cannot deactivate yourself; ask another supervisor.');
  const sessionsEnded = await inWriteTx(db, async (tx) => {
    const supervisors = await lockActiveSupervisors(tx);
    const u = await loadTarget(tx, userId);
    if (u.active !== 1) throw new AppFailure('INVALID_STATE', `${userId} is already deactivated.`);
    keepOneSupervisor(supervisors, u, 'deactivate them');
    await deactivateUser(tx, userId, actor, now);
    await dropResetCode(tx, userId);
    const ended = await endUserSessions(tx, userId, now, 'deactivated');
    await recordAccountEvent(tx, { at: now, actor, event: 'user.deactivated', subject: userId, details: { sessionsEnded: ended } });
    return ended;
  });
  return { user: await summaryOf(db, userId, now), sessionsEnded };
}

/** A reset: the old password stops working, the user's sessions end, a one-time code sets a new one. */
export async function issueResetCode(db: Db, userId: string, actor: string, now: number) {
  const { code, sessionsEnded } = await inWriteTx(db, async (tx) => {
    const u = await loadTarget(tx, userId);
    if (u.active !== 1) throw new AppFailure('INVALID_STATE', `${userId} is deactivated; a deactivated user cannot sign in.`);
    await setPasswordHash(tx, userId, NO_PASSWORD, null);
    const ended = await endUserSessions(tx, userId, now, 'password-reset');
    const issued = await issueCode(tx, userId, actor, now);
    await recordAccountEvent(tx, { at: now, actor, event: 'password.reset-issued', subject: userId, details: { sessionsEnded: ended } });
    return { code: issued, sessionsEnded: ended };
  });
  return { user: await summaryOf(db, userId, now), code, sessionsEnded };
}

/** Sets a password with a one-time code: each try is counted in one UPDATE before it is compared. */
export async function redeemCode(db: Db, input: { userId: string; code: string; newPassword: string }, now: number) {
  const invalid = () =>
    new AppFailure(
      'VALIDATION',
      'code: is not valid for this user (wrong, used, expired or tried too often); ask a supervisor for a new one.',
      'code',
    );
  const attempt = await inWriteTx(db, (tx) => takeResetCodeAttempt(tx, input.userId, now, CODE_ATTEMPTS));
  if (!attempt) throw invalid();
  const given = Buffer.from(hashCode(input.code), 'hex');
  if (!timingSafeEqual(given, Buffer.from(attempt.code_hash, 'hex'))) throw invalid();
  const user = await userById(db, input.userId);
  if (!user || user.active !== 1) throw invalid();
  const password_hash = await hashPassword(input.newPassword);
  await inWriteTx(db, async (tx) => {
    if (!(await useResetCode(tx, input.userId, attempt.code_hash, now))) throw invalid();
    await setPasswordHash(tx, input.userId, password_hash, now);
    await recordAccountEvent(tx, { at: now, actor: input.userId, event: 'password.set-with-code', subject: input.userId });
  });
  return { userId: input.userId };
}

/** One's own password: the current one is checked under the same counter as sign-in (source "password-change"). */
export async function changeOwnPassword(
  db: Db,
  userId: string,
  input: { currentPassword: string; newPassword: string },
  currentSession: string | undefined,
  now: number,
) {
  const problem = passwordProblem(input.newPassword, userId);
  if (problem) throw new AppFailure('VALIDATION', `newPassword: ${problem}`, 'newPassword');
  if (input.newPassword === input.currentPassword)
    throw new AppFailure('VALIDATION', 'newPassword: must differ from the current password', 'newPassword');
  const user = await loadTarget(db, userId);
  const source = 'password-change';
  if (!(await inWriteTx(db, (tx) => reserveSourceAttempt(tx, userId, source, now, SOURCE_RULE))))
    throw new AppFailure('THROTTLED', 'Too many wrong current passwords: wait a few minutes and try again.');
  if (!(await verifyPassword(input.currentPassword, user.password_hash)))
    throw new AppFailure('VALIDATION', 'currentPassword: is wrong.', 'currentPassword');
  const password_hash = await hashPassword(input.newPassword);
  return inWriteTx(db, async (tx) => {
    await clearSourceFailures(tx, userId, source, now);
    await setPasswordHash(tx, userId, password_hash, now);
    const ended = await endUserSessions(tx, userId, now, 'password-changed', currentSession);
    await recordAccountEvent(tx, { at: now, actor: userId, event: 'password.changed', subject: userId, details: { sessionsEnded: ended } });
    return { sessionsEnded: ended };
  });
}
