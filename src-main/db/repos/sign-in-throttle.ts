import { sql, type RawBuilder } from 'kysely';
import type { Reader, WriteTx } from '../tx';

/**
 * The sign-in counters. Each attempt is counted BEFORE its password is hashed, by one
 * UPDATE that checks the lock in its WHERE clause and raises the count in its SET: two
 * attempts can never both read the same count, and once the lock holds no further attempt
 * is let through to the hash at all (the caller resets the count when the password was right).
 */

/** `lockAfter(failures)` as SQL over the row's count before this attempt: the lock an attempt sets, or NULL. */
function lockExpression(now: number, threshold: number, delays: readonly number[], current: RawBuilder<number>): RawBuilder<number | null> {
  // Literal integers in a cast: PostgreSQL types a parameter in a CASE branch as text.
  const int = (n: number) => sql.lit(Math.trunc(n));
  const whens = delays.map((ms, i) => sql`WHEN ${current} + 1 = ${int(threshold + i)} THEN ${int(now + ms)}`);
  const last = int(now + delays[delays.length - 1]!);
  return sql<
    number | null
  >`CAST(CASE WHEN ${current} + 1 < ${int(threshold)} THEN NULL ${sql.join(whens, sql` `)} ELSE ${last} END AS bigint)`;
}

export interface ThrottleRule {
  /** Failures before the lock. */
  threshold: number;
  /** The lock set by the threshold-th failure, the next, …; the last repeats. */
  delays: readonly number[];
}

/**
 * Counts one attempt for (user, source): answers the count including this attempt, or null
 * when the pair is locked (nothing counted, nothing to hash).
 */
export async function reserveSourceAttempt(
  tx: WriteTx,
  userId: string,
  source: string,
  now: number,
  rule: ThrottleRule,
): Promise<{ failures: number; lockedUntil: number | null } | null> {
  await tx
    .insertInto('sign_in_throttle')
    .values({ user_id: userId, source, failures: 0, locked_until: null, updated_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'source']).doNothing())
    .execute();
  const row = await tx
    .updateTable('sign_in_throttle')
    .set({
      failures: sql`failures + 1`,
      locked_until: lockExpression(now, rule.threshold, rule.delays, sql`failures`),
      updated_at: now,
    })
    .where('user_id', '=', userId)
    .where('source', '=', source)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning(['failures', 'locked_until'])
    .executeTakeFirst();
  return row ? { failures: row.failures, lockedUntil: row.locked_until } : null;
}

export async function sourceLock(
  db: Reader,
  userId: string,
  source: string,
): Promise<{ failures: number; lockedUntil: number | null } | undefined> {
  const row = await db
    .selectFrom('sign_in_throttle')
    .select(['failures', 'locked_until'])
    .where('user_id', '=', userId)
    .where('source', '=', source)
    .executeTakeFirst();
  return row && { failures: row.failures, lockedUntil: row.locked_until };
}

/** A right password: this pair starts again from zero. */
export async function clearSourceFailures(tx: WriteTx, userId: string, source: string, now: number): Promise<void> {
  await tx
    .updateTable('sign_in_throttle')
    .set({ failures: 0, locked_until: null, updated_at: now })
    .where('user_id', '=', userId)
    .where('source', '=', source)
    .execute();
}

/** Rows untouched for a day and not locked are forgotten (a stranger's sources do not pile up). */
export async function pruneThrottle(tx: WriteTx, olderThan: number): Promise<void> {
  await tx
    .deleteFrom('sign_in_throttle')
    .where('updated_at', '<', olderThan)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', olderThan)]))
    .execute();
}

/**
 * The account-wide counter for attempts from sources that never signed in as this user:
 * failures inside a window (a new window starts once the old one is over), one UPDATE like
 * above. Null when the account-wide lock holds.
 */
export async function reserveAccountAttempt(
  tx: WriteTx,
  userId: string,
  now: number,
  rule: { threshold: number; windowMs: number; lockMs: number },
): Promise<{ failures: number } | null> {
  const int = (n: number) => sql.lit(Math.trunc(n)); // typed literals: see lockExpression
  const expired = sql<boolean>`(failure_window_start IS NULL OR failure_window_start <= ${int(now - rule.windowMs)})`;
  const row = await tx
    .updateTable('users')
    .set({
      failed_attempts: sql`CASE WHEN ${expired} THEN 1 ELSE failed_attempts + 1 END`,
      failure_window_start: sql`CASE WHEN ${expired} THEN ${int(now)} ELSE failure_window_start END`,
      locked_until: sql`CASE WHEN NOT ${expired} AND failed_attempts + 1 >= ${int(rule.threshold)} THEN ${int(now + rule.lockMs)} ELSE NULL END`,
    })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning(['failed_attempts'])
    .executeTakeFirst();
  return row ? { failures: row.failed_attempts } : null;
}

export async function isKnownSource(db: Reader, userId: string, source: string): Promise<boolean> {
  return !!(await db
    .selectFrom('known_sources')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('source', '=', source)
    .executeTakeFirst());
}

/** Remembers a source a user signed in from; keeps the `keep` most recent per user. */
export async function rememberSource(tx: WriteTx, userId: string, source: string, now: number, keep: number): Promise<void> {
  await tx
    .insertInto('known_sources')
    .values({ user_id: userId, source, first_at: now, last_at: now })
    .onConflict((oc) => oc.columns(['user_id', 'source']).doUpdateSet({ last_at: now }))
    .execute();
  const stale = await tx
    .selectFrom('known_sources')
    .select('source')
    .where('user_id', '=', userId)
    .orderBy('last_at', 'desc')
    .orderBy('source')
    .offset(keep)
    .limit(1000)
    .execute();
  if (stale.length)
    await tx
      .deleteFrom('known_sources')
      .where('user_id', '=', userId)
      .where(
        'source',
        'in',
        stale.map((s) => s.source),
      )
      .execute();
}

/** A right password from an unknown source takes back its own count (the window keeps the others). */
export async function releaseAccountAttempt(tx: WriteTx, userId: string): Promise<void> {
  await tx
    .updateTable('users')
    .set({ failed_attempts: sql`CASE WHEN failed_attempts > 0 THEN failed_attempts - 1 ELSE 0 END` })
    .where('id', '=', userId)
    .execute();
}
