import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { retryTransient } from '../../db/retry';
import { AppFailure } from '../../contract/errors';
import type { FeedView } from '../../contract/feed';
import { toIso } from '../../contract/primitives';
import type { Reader, WriteTx } from '../../db/tx';
import { inWriteTx } from '../../db/tx';
import { insertChainedEvents } from '../../db/repos/audit-chain';
import { countFeeds, feedByName, feedByTokenHash, insertFeed, listFeeds, outboxHead, revokeFeed, type FeedRow } from '../../db/repos/feeds';

/**
 * Feeds and their tokens (FEED.md "Feeds and tokens"). A token is 32 random bytes; only its
 * sha256 is stored (a high-entropy secret needs no slow hash: guessing is hopeless, and the
 * lookup is one indexed equality). The webhook secret signs deliveries, so it is kept as is.
 */

/** A feed as the rest of main knows it once its token was accepted. */
export interface Feed {
  id: string;
  name: string;
}

const TOKEN_PREFIX = 'mdf_';
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const FEED_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Connections an installation may hold, revoked ones included (each is listed and read on the Feeds screen). */
export const MAX_FEEDS = 200;

/**
 * Who created or revoked a feed, in its audit events: a signed-in supervisor's user id (the
 * Feeds screen), `cli` (the `feed` command, run by whoever may open the database), or
 * `demo` (the demo's own connection).
 */
export type FeedAdminActor = string;

/**
 * The audit chain of one feed (db/repos/audit-chain.ts): its creation and its revocation, each
 * chained after the last like a case's events, so `audit verify` names an altered or deleted
 * one. Keyed by the feed's random id, which no dispute id can be made to match by accident,
 * and which no one outside the desk sees.
 */
export const feedChainId = (feedId: string): string => `feed:${feedId}`;

async function chainFeedEvent(
  tx: WriteTx,
  feedId: string,
  type: 'feed.created' | 'feed.revoked',
  actor: FeedAdminActor,
  now: number,
  details: object,
) {
  // The feed's own row is locked by this transaction (inserted or updated just before), so two writers cannot fork its chain.
  await insertChainedEvents(tx, [
    { case_id: feedChainId(feedId), at: now, actor: actor.slice(0, 200), type, details: JSON.stringify(details), bound: null },
  ]);
}

export async function addFeed(
  db: Reader,
  name: string,
  webhookUrl: string | null,
  now: number,
  actor: FeedAdminActor = 'cli',
): Promise<{ feed: Feed; token: string; webhookSecret: string | null }> {
  if (!FEED_NAME.test(name))
    throw new AppFailure(
      'VALIDATION',
      `"${name.slice(0, 80)}" is not a usable feed name: use 1–64 letters, digits, ".", "_" or "-".`,
      'name',
    );
  if (webhookUrl !== null) checkWebhookUrl(webhookUrl);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const webhookSecret = webhookUrl === null ? null : randomBytes(32).toString('hex');
  const id = randomUUID();
  // Two desktops creating the same name at once: the loser fails on the unique name (23505)
  // and runs again from the top, where it finds the winner's feed and answers DUPLICATE.
  await retryTransient(
    db,
    () =>
      inWriteTx(db, async (tx) => {
        if (await feedByName(tx, name))
          throw new AppFailure('DUPLICATE', `There is already a feed named ${name}; revoke it or choose another name.`);
        if ((await countFeeds(tx)) >= MAX_FEEDS)
          throw new AppFailure('VALIDATION', `This desk already holds ${MAX_FEEDS} feeds; it takes no more.`);
        await insertFeed(tx, { id, name, tokenHash: hashToken(token), webhookUrl, webhookSecret, now });
        // The webhook's address is part of what was decided; its secret and the token never leave the feeds table.
        await chainFeedEvent(tx, id, 'feed.created', actor, now, { name, webhookUrl });
      }),
    { also: ['23505'] },
  );
  return { feed: { id, name }, token, webhookSecret };
}

function checkWebhookUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppFailure(
      'VALIDATION',
      `${url.slice(0, 200)} is not a URL; give the full address, e.g. https://market.example/desk-events.`,
      'webhook',
    );
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new AppFailure('VALIDATION', 'The webhook must be an http:// or https:// address.', 'webhook');
  if (url.length > 2_000) throw new AppFailure('VALIDATION', 'The webhook address is longer than 2000 characters.', 'webhook');
}

export async function revokeFeedByName(db: Reader, name: string, now: number, actor: FeedAdminActor = 'cli'): Promise<void> {
  const done = await inWriteTx(db, async (tx) => {
    if (!(await revokeFeed(tx, name, now))) return false;
    // The update holds the row: a concurrent revocation waits, then finds it revoked and writes no second event.
    const row = await feedByName(tx, name);
    await chainFeedEvent(tx, row!.id, 'feed.revoked', actor, now, { name });
    return true;
  });
  if (!done) {
    const row = await feedByName(db, name);
    throw new AppFailure('NOT_FOUND', row ? `The feed ${name} is already revoked.` : `There is no feed named ${name}.`);
  }
}

/** The feed a bearer token belongs to, or null (unknown or revoked: both 401, with no hint which). */
export async function authenticateFeed(db: Reader, token: string): Promise<Feed | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await feedByTokenHash(db, hashToken(token));
  if (!row || row.revoked_at !== null) return null;
  return { id: row.id, name: row.name };
}

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/** Each feed with its deliveries, lag and failures (the Feeds screen, `feed list`). */
export async function feedViews(db: Reader): Promise<FeedView[]> {
  const rows = await listFeeds(db);
  return Promise.all(rows.map((r) => feedView(db, r)));
}

async function feedView(db: Reader, r: FeedRow): Promise<FeedView> {
  const delivered = Number(r.delivered_seq);
  const cursor = Number(r.cursor_seq);
  const { head, pending, oldestUndeliveredAt } = await outboxHead(db, r.id, delivered);
  const unread = cursor === delivered ? { pending, oldestUndeliveredAt } : await outboxHead(db, r.id, cursor);
  const pushes = r.webhook_url !== null;
  return {
    name: r.name,
    createdAt: toIso(r.created_at),
    revokedAt: isoOrNull(r.revoked_at),
    lastSeenAt: isoOrNull(r.last_seen_at),
    webhook: pushes ? { url: r.webhook_url! } : null,
    headSeq: head,
    deliveredSeq: delivered,
    lag: pushes ? pending : 0,
    oldestUndeliveredAt: pushes ? isoOrNull(oldestUndeliveredAt) : null,
    lastDeliveredAt: isoOrNull(r.last_delivered_at),
    deliveredBatches: r.delivered_batches,
    attempts: r.delivery_attempts,
    failedAttemptsTotal: r.failed_attempts_total,
    lastError: r.delivery_error,
    lastAttemptAt: isoOrNull(r.last_attempt_at),
    nextAttemptAt: isoOrNull(r.next_attempt_at),
    cursorSeq: cursor,
    cursorReadAt: isoOrNull(r.cursor_read_at),
    cursorLag: unread.pending,
    oldestUnreadAt: isoOrNull(unread.oldestUndeliveredAt),
  };
}
