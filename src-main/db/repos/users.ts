import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../schema';
import { dialectOf } from '../dialect';
import type { Reader, WriteTx } from '../tx';

/** The desk's users (mediators, supervisors, analysts) and their sign-in state. */
export type UserRow = Selectable<Database['users']>;
export type NewUser = Insertable<Database['users']>;

export async function userById(db: Reader, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
}

/** A user's id and role (who a case may be assigned to); undefined when there is no such user. */
export async function userRole(db: Reader, userId: string): Promise<{ id: string; role: string } | undefined> {
  return db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
}

export async function userExists(db: Reader, userId: string): Promise<boolean> {
  return !!(await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst());
}

/** Which of these ids are users. */
export async function existingUserIds(db: Reader, userIds: string[]): Promise<string[]> {
  return (await db.selectFrom('users').select('id').where('id', 'in', userIds).execute()).map((r) => r.id);
}

export async function insertUser(tx: WriteTx, user: NewUser): Promise<void> {
  await tx.insertInto('users').values(user).execute();
}

/** Every user, deactivated ones too (history names them), by id. */
export async function listUsers(db: Reader): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('id').execute();
}

export async function countUsers(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Locks the active supervisors' rows for this transaction, in id order, and counts them. Two
 * supervisors on two desktops demoting (or deactivating) each other at once each counted two
 * active supervisors under a plain read and both went ahead, leaving the desk with none (write
 * skew). Locked, the second waits for the first, and READ COMMITTED re-checks each locked row
 * against the condition, so it counts what the first left. On SQLite the write transaction
 * already serialises: a plain count.
 */
export async function lockActiveSupervisors(tx: WriteTx): Promise<number> {
  let query = tx.selectFrom('users').select('id').where('role', '=', 'supervisor').where('active', '=', 1).orderBy('id');
  if (dialectOf(tx) === 'postgres') query = query.forUpdate();
  return (await query.execute()).length;
}

/**
 * Claims the one first-run slot (primary key 'first-supervisor') in the caller's transaction:
 * false when another submission holds it. On PostgreSQL the second INSERT waits for the first
 * transaction and then finds the key taken; on SQLite writers are serialised.
 */
export async function claimFirstRun(tx: WriteTx, userId: string, now: number): Promise<boolean> {
  const inserted = await tx
    .insertInto('first_run')
    .values({ id: 'first-supervisor', user_id: userId, at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function setRole(tx: WriteTx, userId: string, role: string): Promise<void> {
  await tx.updateTable('users').set({ role }).where('id', '=', userId).execute();
}

export async function setPasswordHash(tx: WriteTx, userId: string, passwordHash: string, at: number | null): Promise<void> {
  await tx.updateTable('users').set({ password_hash: passwordHash, password_set_at: at }).where('id', '=', userId).execute();
}

/** Re-hash at a higher cost only if the stored hash is still the one that was checked (a concurrent change wins). */
export async function upgradePasswordHash(tx: WriteTx, userId: string, oldHash: string, newHash: string): Promise<void> {
  await tx.updateTable('users').set({ password_hash: newHash }).where('id', '=', userId).where('password_hash', '=', oldHash).execute();
}

export async function deactivateUser(tx: WriteTx, userId: string, by: string, at: number): Promise<boolean> {
  const r = await tx
    .updateTable('users')
    .set({ active: 0, deactivated_at: at, deactivated_by: by })
    .where('id', '=', userId)
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// One-time codes (a new user without a password, a reset): one outstanding per user, hashed.

export async function putResetCode(tx: WriteTx, code: { userId: string; codeHash: string; by: string; at: number; expiresAt: number }) {
  await tx.deleteFrom('reset_codes').where('user_id', '=', code.userId).execute();
  await tx
    .insertInto('reset_codes')
    .values({ user_id: code.userId, code_hash: code.codeHash, issued_by: code.by, issued_at: code.at, expires_at: code.expiresAt })
    .execute();
}

/**
 * Counts one attempt at a user's code and answers its hash, in one statement, unless the
 * code is used, expired or out of attempts (then undefined): parallel guesses cannot
 * exceed `maxAttempts` checks between them.
 */
export async function takeResetCodeAttempt(tx: WriteTx, userId: string, now: number, maxAttempts: number) {
  return tx
    .updateTable('reset_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', maxAttempts)
    .returning(['code_hash'])
    .executeTakeFirst();
}

/** Marks the code used; false when another redemption got there first. */
export async function useResetCode(tx: WriteTx, userId: string, codeHash: string, now: number): Promise<boolean> {
  const r = await tx
    .updateTable('reset_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function dropResetCode(tx: WriteTx, userId: string): Promise<void> {
  await tx.deleteFrom('reset_codes').where('user_id', '=', userId).execute();
}

export async function pendingResetCodes(db: Reader, now: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('reset_codes')
    .select(['user_id', 'expires_at'])
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
  return new Map(rows.map((r) => [r.user_id, r.expires_at]));
}
