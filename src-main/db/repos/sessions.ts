import type { Selectable } from 'kysely';
import type { SessionsTable } from '../schema-accounts';
import type { Reader, WriteTx } from '../tx';

/** Sign-in sessions as rows, named by the hash of their token (the token is never stored). */
export type SessionRow = Selectable<SessionsTable>;

export async function insertSession(tx: WriteTx, row: Omit<SessionRow, 'ended_at' | 'end_reason'>): Promise<void> {
  await tx.insertInto('sessions').values(row).execute();
}

/** The session and its user's current role, name and state (a role change applies to the next call). */
export async function sessionWithUser(db: Reader, id: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.user_id',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.ended_at',
      'users.name',
      'users.role',
      'users.active',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(tx: WriteTx, id: string, now: number): Promise<void> {
  await tx.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

export async function endSession(tx: WriteTx, id: string, now: number, reason: string): Promise<void> {
  await tx.updateTable('sessions').set({ ended_at: now, end_reason: reason }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** Ends every open session of a user except `keep`; answers how many ended. */
export async function endUserSessions(tx: WriteTx, userId: string, now: number, reason: string, keep?: string): Promise<number> {
  let q = tx.updateTable('sessions').set({ ended_at: now, end_reason: reason }).where('user_id', '=', userId).where('ended_at', 'is', null);
  if (keep !== undefined) q = q.where('id', '!=', keep);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A user's open sessions, newest first. */
export async function openSessions(db: Reader, userId: string): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

/** Marks sessions idle or past their lifetime as ended (the rows stay: who was signed in when). */
export async function endStaleSessions(tx: WriteTx, userId: string, now: number, idleMs: number, lifetimeMs: number): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ ended_at: now, end_reason: 'expired' })
    .where('user_id', '=', userId)
    .where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('last_seen_at', '<', now - idleMs), eb('created_at', '<', now - lifetimeMs)]))
    .execute();
}
