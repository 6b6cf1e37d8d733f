import { MAX_PRESENCE_PER_USER, PRESENCE_TTL_MS, type PresenceActivity } from '../../contract/presence';
import type { Reader, WriteTx } from '../tx';

/**
 * Presence rows (migrations/0011): one per (user, case), refreshed by heartbeats. Reads
 * ignore rows older than the time-to-live; writes delete them a while later. A beat that
 * only refreshes an existing row with the same activity is a single cheap upsert and tells
 * nobody; a new row, a new activity or a departure is a change other desktops hear of.
 */

/** Rows this much older than the time-to-live are deleted by the next beat (a crashed desktop's). */
const DELETE_AFTER_MS = 10 * PRESENCE_TTL_MS;

export interface PresenceRecord {
  userId: string;
  name: string;
  caseId: string;
  activity: string;
  since: number;
}

/** Records a heartbeat; true when others should hear of it (new, different activity, or back after expiring). */
export async function beat(tx: WriteTx, userId: string, caseId: string, activity: PresenceActivity, now: number): Promise<boolean> {
  const before = await tx
    .selectFrom('presence')
    .select(['activity', 'seen_at'])
    .where('user_id', '=', userId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  const same = before !== undefined && before.activity === activity && before.seen_at > now - PRESENCE_TTL_MS;
  await tx
    .insertInto('presence')
    .values({ user_id: userId, case_id: caseId, activity, since: now, seen_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'case_id']).doUpdateSet(same ? { seen_at: now } : { activity, since: now, seen_at: now }))
    .execute();
  if (!same) await keepBounded(tx, userId, now);
  return !same;
}

/** A person holds at most MAX_PRESENCE_PER_USER rows (the least recently seen go), and long-dead rows go. */
async function keepBounded(tx: WriteTx, userId: string, now: number): Promise<void> {
  const extra = await tx
    .selectFrom('presence')
    .select('case_id')
    .where('user_id', '=', userId)
    .orderBy('seen_at', 'desc')
    .orderBy('case_id')
    .offset(MAX_PRESENCE_PER_USER)
    .limit(1_000)
    .execute();
  if (extra.length)
    await tx
      .deleteFrom('presence')
      .where('user_id', '=', userId)
      .where(
        'case_id',
        'in',
        extra.map((r) => r.case_id),
      )
      .execute();
  await tx
    .deleteFrom('presence')
    .where('seen_at', '<', now - DELETE_AFTER_MS)
    .execute();
}

/** Removes one row; true when there was a live one (others should hear of it). */
export async function leave(tx: WriteTx, userId: string, caseId: string, now: number): Promise<boolean> {
  const r = await tx
    .deleteFrom('presence')
    .where('user_id', '=', userId)
    .where('case_id', '=', caseId)
    .returning('seen_at')
    .executeTakeFirst();
  return r !== undefined && r.seen_at > now - PRESENCE_TTL_MS;
}

/** Everyone currently on these cases (live rows only), with their display names. */
export async function presentOn(db: Reader, caseIds: readonly string[], now: number): Promise<PresenceRecord[]> {
  if (!caseIds.length) return [];
  const rows = await db
    .selectFrom('presence')
    .innerJoin('users', 'users.id', 'presence.user_id')
    .select(['presence.user_id', 'users.name', 'presence.case_id', 'presence.activity', 'presence.since'])
    .where('presence.case_id', 'in', [...new Set(caseIds)])
    .where('presence.seen_at', '>', now - PRESENCE_TTL_MS)
    .orderBy('presence.since')
    .execute();
  return rows.map((r) => ({ userId: r.user_id, name: r.name, caseId: r.case_id, activity: r.activity, since: r.since }));
}

/** The latest changes of a case's log (refusals left out), newest first: what the stale guard names. */
export async function latestCaseEvents(db: Reader, caseId: string, limit: number) {
  return (
    db
      .selectFrom('case_events')
      .leftJoin('users', 'users.id', 'case_events.actor')
      .select(['case_events.type', 'case_events.actor', 'case_events.details', 'case_events.at', 'users.name'])
      .where('case_events.case_id', '=', caseId)
      .where('case_events.type', '!=', 'command.refused')
      // Newest first along the chain's (case_id, seq) index (migration 0049); events written around the chain (no seq) last.
      .orderBy('case_events.seq', (ob) => ob.desc().nullsLast())
      .orderBy('case_events.id', 'desc')
      .limit(limit)
      .execute()
  );
}
