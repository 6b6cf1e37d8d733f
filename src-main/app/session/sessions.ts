import type { Role } from '../../contract/domain';
import type { SessionSummary } from '../../contract/outputs/accounts';
import { toIso } from '../../contract/primitives';
import type { Db } from '../../db/connect';
import {
  endSession,
  endStaleSessions,
  endUserSessions,
  insertSession,
  openSessions,
  sessionWithUser,
  touchSession,
} from '../../db/repos/sessions';
import { inWriteTx, type WriteTx } from '../../db/tx';
import type { Identity } from '../identity';

/**
 * Sessions are rows (db/repos/sessions.ts), named by the SHA-256 of their token: they survive
 * a restart of the app or the server, and a stolen database does not hold usable tokens.
 * A session ends after 12 h without use (idle) or 7 days after sign-in (absolute), when its
 * user signs out, is deactivated, has the password reset or changed (the others), or when a
 * user opens more than 10 (the oldest ends).
 */
export const IDLE_MS = 12 * 60 * 60_000;
export const LIFETIME_MS = 7 * 24 * 60 * 60_000;
export const MAX_SESSIONS_PER_USER = 10;
/** last_seen is written at most this often (a write per call would be a write per click). */
const TOUCH_EVERY_MS = 60_000;

export type UserIdentity = Extract<Identity, { kind: 'user' }>;

export async function startSession(
  tx: WriteTx,
  s: { id: string; userId: string; now: number; source: string; userAgent: string },
): Promise<void> {
  await endStaleSessions(tx, s.userId, s.now, IDLE_MS, LIFETIME_MS);
  await insertSession(tx, {
    id: s.id,
    user_id: s.userId,
    created_at: s.now,
    last_seen_at: s.now,
    source: s.source.slice(0, 200),
    user_agent: s.userAgent.slice(0, 300),
  });
  const open = await openSessions(tx, s.userId);
  for (const old of open.slice(MAX_SESSIONS_PER_USER)) await endSession(tx, old.id, s.now, 'cap');
}

/** Who holds this session now, or null (unknown, ended, idle, past its lifetime, user deactivated). */
export async function resolveSession(db: Db, sessionId: string, now: number): Promise<UserIdentity | null> {
  const row = await sessionWithUser(db, sessionId);
  if (!row || row.ended_at !== null) return null;
  const reason =
    row.active !== 1 ? 'deactivated' : now - row.last_seen_at > IDLE_MS ? 'idle' : now - row.created_at > LIFETIME_MS ? 'expired' : null;
  if (reason) {
    await inWriteTx(db, (tx) => endSession(tx, sessionId, now, reason));
    return null;
  }
  if (now - row.last_seen_at >= TOUCH_EVERY_MS) await inWriteTx(db, (tx) => touchSession(tx, sessionId, now));
  return { kind: 'user', userId: row.user_id, name: row.name, role: row.role as Role, sessionId };
}

export async function signOutSession(db: Db, sessionId: string, now: number): Promise<void> {
  await inWriteTx(db, (tx) => endSession(tx, sessionId, now, 'signed-out'));
}

export async function listSessions(db: Db, userId: string, currentId: string | undefined, now: number): Promise<SessionSummary[]> {
  const rows = await openSessions(db, userId);
  return rows
    .filter((r) => now - r.last_seen_at <= IDLE_MS && now - r.created_at <= LIFETIME_MS)
    .map((r) => ({
      id: r.id.slice(0, 8),
      createdAt: toIso(r.created_at),
      lastSeenAt: toIso(r.last_seen_at),
      expiresAt: toIso(Math.min(r.created_at + LIFETIME_MS, r.last_seen_at + IDLE_MS)),
      source: describeSource(r.source),
      userAgent: r.user_agent,
      current: r.id === currentId,
    }));
}

export async function signOutOthers(db: Db, userId: string, currentId: string | undefined, now: number): Promise<number> {
  return inWriteTx(db, (tx) => endUserSessions(tx, userId, now, 'signed-out-elsewhere', currentId));
}

function describeSource(source: string): string {
  if (source.startsWith('desktop:')) return 'Desktop app';
  if (source.startsWith('device:')) return 'Browser (known device)';
  if (source.startsWith('ip:')) return `Browser (${source.slice(3)})`;
  if (source === 'cli') return 'Terminal';
  return source;
}
