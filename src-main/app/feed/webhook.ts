import { createHmac, randomUUID } from 'node:crypto';
import type { Clock } from '../../runtime/clock';
import type { Db } from '../../db/connect';
import { inWriteTx } from '../../db/tx';
import {
  feedById,
  pruneAnswers,
  readOutbox,
  recordDelivered,
  recordDeliveryFailure,
  releaseDeliveryLease,
  takeDeliveryLease,
  webhookFeeds,
  type FeedRow,
} from '../../db/repos/feeds';

/**
 * Webhook push (FEED.md "Events out"): each feed with a webhook gets its outbox rows POSTed in
 * batches, in seq order, signed `X-Desk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
 * retried with exponential backoff until a 2xx. The delivered seq, attempts and last error are
 * rows (they survive a restart); a lease on the feed row keeps two desktops of a team from
 * delivering one feed at once. A background task: every error is caught and recorded, never thrown.
 */

export interface WebhookOptions {
  clock: Clock;
  /** Injected for tests; default the global fetch. */
  fetch?: typeof fetch;
  /** Events per POST. */
  batchSize?: number;
  /** How often idle feeds are looked at (new rows also wake it through `kick`). */
  pollMs?: number;
  /** Backoff: first retry after baseMs, doubling up to maxMs. */
  baseMs?: number;
  maxMs?: number;
  /** A POST that has not answered by then counts as failed. */
  timeoutMs?: number;
  /**
   * The signature's `t` (unix seconds): real time, default Date.now, not `clock`. A receiver checks
   * it against its own clock to refuse replayed deliveries; a desk on a test clock signed with
   * the test's instant (days off), which such a receiver refused as stale or from the future.
   */
  wallClock?: () => number;
}

export interface WebhookDelivery {
  /** Look at every feed now (after a commit that wrote outbox rows). */
  kick(): void;
  /** Runs one pass over all feeds and resolves when it is done (tests, shutdown). */
  runOnce(): Promise<void>;
  close(): Promise<void>;
}

/** Idempotency keys are kept at least 7 days (FEED.md); pruned a day after that. */
const KEEP_KEYS_MS = 8 * 24 * 3_600_000;

export function signature(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

export function startWebhookDelivery(db: Db, opts: WebhookOptions): WebhookDelivery {
  const send = opts.fetch ?? fetch;
  const batchSize = opts.batchSize ?? 100;
  const pollMs = opts.pollMs ?? 5_000;
  const baseMs = opts.baseMs ?? 1_000;
  const maxMs = opts.maxMs ?? 10 * 60_000;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const owner = randomUUID();
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let lastPrune = 0;

  const deliverFeed = async (feed: FeedRow): Promise<boolean> => {
    const now = opts.clock.now();
    if (feed.next_attempt_at !== null && feed.next_attempt_at > now) return false;
    // The lease outlives one POST with room to spare; a crashed desktop's lease runs out.
    if (!(await inWriteTx(db, (tx) => takeDeliveryLease(tx, feed.id, owner, now, timeoutMs * 2 + 5_000)))) return false;
    try {
      const fresh = await feedById(db, feed.id); // another desktop may have delivered meanwhile
      if (!fresh?.webhook_url || !fresh.webhook_secret || fresh.revoked_at !== null) return false;
      const rows = await readOutbox(db, feed.id, Number(fresh.delivered_seq), batchSize);
      if (!rows.length) return false;
      const body = JSON.stringify({
        feed: fresh.name,
        events: rows.map((r) => ({ seq: r.seq, at: new Date(r.at).toISOString(), type: r.type, caseId: r.caseId, data: r.data })),
        next: rows.at(-1)!.seq,
      });
      const t = Math.floor((opts.wallClock ?? Date.now)() / 1000);
      let error: string | null = null;
      try {
        const res = await send(fresh.webhook_url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Desk-Signature': signature(fresh.webhook_secret, t, body) },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          // FEED.md: retried until a 2xx from the URL. A redirect is not one: followed, a 302/303 would
          // turn the POST into a GET of another page whose 200 would mark a batch nobody took as delivered.
          redirect: 'manual',
        });
        await res.body?.cancel().catch(() => {});
        if (res.status < 200 || res.status > 299) error = `The webhook answered HTTP ${res.status}.`;
      } catch (e) {
        error = `The webhook could not be reached: ${(e as Error).message}`;
      }
      const done = opts.clock.now();
      if (error === null) {
        await inWriteTx(db, (tx) => recordDelivered(tx, feed.id, rows.at(-1)!.seq, done));
        return rows.length === batchSize; // more waiting: go on at once
      }
      const wait = Math.min(maxMs, baseMs * 2 ** Math.min(fresh.delivery_attempts, 20));
      await inWriteTx(db, (tx) => recordDeliveryFailure(tx, feed.id, error, done, done + wait));
      return false;
    } finally {
      await inWriteTx(db, (tx) => releaseDeliveryLease(tx, feed.id, owner)).catch(() => {});
    }
  };

  const pass = async (): Promise<void> => {
    try {
      for (const feed of await webhookFeeds(db)) {
        if (closed) return;
        try {
          while (!closed && (await deliverFeed(feed))) {
            /* the next batch of this feed */
          }
        } catch (e) {
          console.warn(`[feed] webhook delivery of ${feed.name} failed; it is retried:`, (e as Error).message);
        }
      }
      const now = opts.clock.now();
      if (now - lastPrune > 3_600_000) {
        lastPrune = now;
        await inWriteTx(db, (tx) => pruneAnswers(tx, now - KEEP_KEYS_MS));
      }
    } catch (e) {
      console.warn('[feed] webhook delivery pass failed; it runs again:', (e as Error).message);
    }
  };

  const runOnce = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !closed);
      running = null;
      schedule();
    })();
    return running;
  };

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void runOnce(), pollMs);
    timer.unref();
  };

  schedule();
  return {
    kick: () => void runOnce(),
    runOnce,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
