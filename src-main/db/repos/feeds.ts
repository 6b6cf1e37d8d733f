import { sql } from 'kysely';
import { dialectOf } from '../dialect';
import type { Reader, WriteTx } from '../tx';
import type { FeedsTable } from '../schema';
import type { Selectable } from 'kysely';

/** Feeds, their idempotency keys and the outbox read side (migrations/0008_feeds_outbox). */

export type FeedRow = Selectable<FeedsTable>;

export async function insertFeed(
  tx: WriteTx,
  feed: { id: string; name: string; tokenHash: string; webhookUrl: string | null; webhookSecret: string | null; now: number },
): Promise<void> {
  await tx
    .insertInto('feeds')
    .values({
      id: feed.id,
      name: feed.name,
      token_hash: feed.tokenHash,
      webhook_url: feed.webhookUrl,
      webhook_secret: feed.webhookSecret,
      created_at: feed.now,
      revoked_at: null,
      last_seen_at: null,
      delivery_error: null,
      last_attempt_at: null,
      next_attempt_at: null,
      last_delivered_at: null,
    })
    .execute();
}

export const feedByName = (db: Reader, name: string) => db.selectFrom('feeds').selectAll().where('name', '=', name).executeTakeFirst();
export const feedByTokenHash = (db: Reader, hash: string) =>
  db.selectFrom('feeds').selectAll().where('token_hash', '=', hash).executeTakeFirst();
export const listFeeds = (db: Reader) => db.selectFrom('feeds').selectAll().orderBy('name').execute();

export async function countFeeds(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('feeds')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Where the feed's consumer has read the event cursor to (migrations/0014): `after` is the last
 * seq it handled. The position only grows (a consumer re-reading from 0 is catching up, not
 * losing its place); the read time is written at most every 10 s, not on every poll.
 */
export async function recordCursorRead(tx: WriteTx, feedId: string, after: number, now: number): Promise<void> {
  // What the consumer can have handled is this feed's last event at or before `after`: an `after`
  // past the head (a typo, another installation's cursor) must not pin the position above events to come.
  const reached =
    after > 0
      ? Number(
          (
            await tx
              .selectFrom('feed_outbox')
              .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
              .where('feed_id', '=', feedId)
              .where('seq', '<=', after)
              .executeTakeFirst()
          )?.seq ?? 0,
        )
      : 0;
  if (reached > 0)
    await tx
      .updateTable('feeds')
      .set({ cursor_seq: reached, cursor_read_at: now })
      .where('id', '=', feedId)
      .where('cursor_seq', '<', reached)
      .execute();
  await tx
    .updateTable('feeds')
    .set({ cursor_read_at: now })
    .where('id', '=', feedId)
    .where((eb) => eb.or([eb('cursor_read_at', 'is', null), eb('cursor_read_at', '<', now - 10_000)]))
    .execute();
}

export async function revokeFeed(tx: WriteTx, name: string, now: number): Promise<boolean> {
  const r = await tx
    .updateTable('feeds')
    .set({ revoked_at: now })
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** "Last seen" for `feed list`, at most once a minute per feed (not a write per call). */
export async function touchFeed(tx: WriteTx, id: string, now: number): Promise<void> {
  await tx
    .updateTable('feeds')
    .set({ last_seen_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', now - 60_000)]))
    .execute();
}

// ---------------------------------------------------------------- ownership

export async function caseOwner(db: Reader, caseId: string): Promise<string | null | undefined> {
  const exists = await db.selectFrom('cases').select('id').where('id', '=', caseId).executeTakeFirst();
  if (!exists) return undefined;
  const row = await db.selectFrom('feed_cases').select('feed_id').where('case_id', '=', caseId).executeTakeFirst();
  return row?.feed_id ?? null;
}

export async function claimCaseForFeed(tx: WriteTx, caseId: string, feedId: string): Promise<void> {
  await tx
    .insertInto('feed_cases')
    .values({ case_id: caseId, feed_id: feedId })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .execute();
}

/**
 * Gives every case that belongs to no feed to this one (the demo's cases to the demo's
 * marketplace, so its parties act through the feed API). One statement; returns how many.
 */
/** How many cases a feed owns (the demo's start-up line says whether this desk's feed has them). */
export async function casesOwnedByFeed(db: Reader, feedId: string): Promise<number> {
  const r = await db
    .selectFrom('feed_cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('feed_id', '=', feedId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function claimUnownedCasesForFeed(tx: WriteTx, feedId: string): Promise<number> {
  const r = await tx
    .insertInto('feed_cases')
    .columns(['case_id', 'feed_id'])
    .expression((eb) =>
      eb
        .selectFrom('cases')
        .select((x) => ['cases.id', x.val(feedId).as('feed_id')])
        .where('cases.id', 'not in', eb.selectFrom('feed_cases').select('feed_cases.case_id')),
    )
    // Another desktop claiming at the same moment got there first: those cases stay its feed's.
    .onConflict((oc) => oc.column('case_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

// ---------------------------------------------------------------- idempotency keys

export interface StoredAnswer {
  bodyHash: string;
  status: number;
  answer: string;
}

export async function storedAnswer(db: Reader, feedId: string, key: string): Promise<StoredAnswer | null> {
  const row = await db
    .selectFrom('feed_idempotency')
    .select(['body_hash', 'status', 'answer'])
    .where('feed_id', '=', feedId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { bodyHash: row.body_hash, status: row.status, answer: row.answer } : null;
}

/**
 * Twin calls with one key (a marketplace retrying while the first try still runs) wait for each
 * other on PostgreSQL: the second then reads the first one's answer instead of running the
 * call against the state the first one left. SQLite runs one transaction at a time anyway.
 */
export async function lockKey(tx: WriteTx, feedId: string, key: string): Promise<void> {
  if (dialectOf(tx) === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${`${feedId}\n${key}`}))`.execute(tx);
}

/** Inserted in the transaction of the call's effect; a concurrent twin's insert fails on the key and rolls its effect back. */
export async function storeAnswer(tx: WriteTx, feedId: string, key: string, a: StoredAnswer, now: number): Promise<void> {
  await tx
    .insertInto('feed_idempotency')
    .values({ feed_id: feedId, key, body_hash: a.bodyHash, status: a.status, answer: a.answer, created_at: now })
    .execute();
}

/** Keys older than `before` (FEED.md keeps them at least 7 days), a bounded batch at a time. */
export async function pruneAnswers(tx: WriteTx, before: number): Promise<number> {
  const r = await tx.deleteFrom('feed_idempotency').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---------------------------------------------------------------- outbox, read side

export interface OutboxRow {
  seq: number;
  at: number;
  type: string;
  caseId: string;
  data: unknown;
}

export async function readOutbox(db: Reader, feedId: string, after: number, limit: number): Promise<OutboxRow[]> {
  const rows = await db
    .selectFrom('feed_outbox')
    .select(['seq', 'at', 'type', 'case_id', 'data'])
    .where('feed_id', '=', feedId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), at: r.at, type: r.type, caseId: r.case_id, data: JSON.parse(r.data) as unknown }));
}

/** The newest seq of a feed, how many of its events come after `after`, and the oldest of those (the Feeds screen's lag). */
export async function outboxHead(
  db: Reader,
  feedId: string,
  after: number,
): Promise<{ head: number; pending: number; oldestUndeliveredAt: number | null }> {
  const head = await db
    .selectFrom('feed_outbox')
    .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
    .where('feed_id', '=', feedId)
    .executeTakeFirst();
  const pending = await db
    .selectFrom('feed_outbox')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number | null>('at').as('oldest')])
    .where('feed_id', '=', feedId)
    .where('seq', '>', after)
    .executeTakeFirst();
  return { head: Number(head?.seq ?? 0), pending: Number(pending?.n ?? 0), oldestUndeliveredAt: pending?.oldest ?? null };
}

// ---------------------------------------------------------------- webhook delivery state

/**
 * A lease on a feed's webhook delivery: only the desktop holding it delivers (a team's
 * desktops share one PostgreSQL; without it two would post the same batch at once). Taken
 * with one conditional UPDATE, so it works the same on both dialects and no transaction
 * stays open across the HTTP request. A desktop that died lets its lease run out.
 */
export async function takeDeliveryLease(tx: WriteTx, feedId: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
  const r = await tx
    .updateTable('feeds')
    .set({ lease_owner: owner, lease_until: now + leaseMs })
    .where('id', '=', feedId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function releaseDeliveryLease(tx: WriteTx, feedId: string, owner: string): Promise<void> {
  await tx
    .updateTable('feeds')
    .set({ lease_owner: null, lease_until: null })
    .where('id', '=', feedId)
    .where('lease_owner', '=', owner)
    .execute();
}

export const feedById = (db: Reader, id: string) => db.selectFrom('feeds').selectAll().where('id', '=', id).executeTakeFirst();

export async function webhookFeeds(db: Reader): Promise<FeedRow[]> {
  return db.selectFrom('feeds').selectAll().where('webhook_url', 'is not', null).where('revoked_at', 'is', null).execute();
}

export async function recordDelivered(tx: WriteTx, feedId: string, seq: number, now: number): Promise<void> {
  await tx
    .updateTable('feeds')
    .set((eb) => ({
      delivered_seq: seq,
      delivery_attempts: 0,
      delivery_error: null,
      last_attempt_at: now,
      next_attempt_at: null,
      last_delivered_at: now,
      delivered_batches: eb('delivered_batches', '+', 1),
    }))
    .where('id', '=', feedId)
    .execute();
}

export async function recordDeliveryFailure(tx: WriteTx, feedId: string, error: string, now: number, retryAt: number): Promise<void> {
  await tx
    .updateTable('feeds')
    .set((eb) => ({
      delivery_attempts: eb('delivery_attempts', '+', 1),
      failed_attempts_total: eb('failed_attempts_total', '+', 1),
      delivery_error: error.slice(0, 1_000),
      last_attempt_at: now,
      next_attempt_at: retryAt,
    }))
    .where('id', '=', feedId)
    .execute();
}
