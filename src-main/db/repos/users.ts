import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../schema';
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

/** Sets the failed sign-in count and the lock (null: not locked). */
export async function setSignInFailures(tx: WriteTx, userId: string, failedAttempts: number, lockedUntil: number | null): Promise<void> {
  await tx.updateTable('users').set({ failed_attempts: failedAttempts, locked_until: lockedUntil }).where('id', '=', userId).execute();
}
