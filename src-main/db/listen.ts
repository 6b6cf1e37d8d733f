import type { Client } from 'pg';
import type { Kysely } from 'kysely';
import type { Database } from './schema';
import { inWriteTx } from './tx';
import {
  CHANGE_CHANNEL,
  changeLogBounds,
  changeOrigin,
  parseChangePayload,
  pruneChanges,
  readChange,
  readChangesAfter,
  type ChangeReason,
} from './repos/changes';

/**
 * Hears the changes other desktops commit on the shared server: a dedicated connection
 * (a pg Client outside the pool, named LISTEN_APPLICATION_NAME in pg_stat_activity) that
 * LISTENs on the change channel. When it dies (the server restarts, pg_terminate_backend, a
 * network cut) it reconnects with backoff and reads the change log after the last sequence it
 * saw, so nothing is missed; when that part of the log was pruned it asks for "refresh
 * everything" (null). Its own process's rows are skipped: they were announced in process.
 * Nothing here throws into a timer or leaves a rejected promise behind.
 */

export const LISTEN_APPLICATION_NAME = 'mediation-desk-listen';

/** A change another desktop made, or null: "refresh everything" (too many, or missed). */
export type RemoteChange = { caseIds: string[]; reason: ChangeReason } | null;

export interface ChangeListener {
  /** Settles after the first attempt to listen (whether or not the server answered). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface ListenOptions {
  deliver(change: RemoteChange): void;
  /** The injected clock (pruning). */
  now(): number;
  log?: Pick<Console, 'warn' | 'info' | 'error'>;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 4_000;
/** Rows commit out of sequence order (concurrent transactions): re-read this far behind the last seen. */
const REORDER_MARGIN = 1_000;
/** More missed rows than this: one "refresh everything" instead. */
const MAX_CATCH_UP = 500;
/** Sequences remembered as delivered, so a notification and a catch-up read never deliver one twice. */
const SEEN_MAX = 5_000;
const KEEP_MS = 24 * 3_600_000;
/**
 * Notices are sent just after their commit (repos/changes.ts recordChange), so one can be
 * lost (the sending desktop ended between the two): the log is read this often anyway.
 */
const SWEEP_LOG_MS = 2_000;
const PRUNE_EVERY_MS = 3_600_000;

export function listenForChanges(db: Kysely<Database>, connectionString: string, opts: ListenOptions): ChangeListener {
  const log = opts.log ?? console;
  let current: Client | null = null;
  let connectedOnce = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  let delay = FIRST_RETRY_MS;
  let warned = false;
  /** The highest sequence seen; null until the first connection sets the baseline. */
  let last: number | null = null;
  /** Catch-up reads never go back before this: the log when this desktop started, or when it last refreshed everything. */
  let floor = 0;
  const seen = new Set<number>();

  const remember = (seq: number): boolean => {
    if (seen.has(seq)) return false;
    seen.add(seq);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value!);
    last = Math.max(last ?? 0, seq);
    return true;
  };
  const deliver = (change: RemoteChange) => {
    try {
      opts.deliver(change);
    } catch (e) {
      log.error('[notices] a change listener failed:', e);
    }
  };

  const onNotification = async (payload: string | undefined) => {
    const notice = parseChangePayload(payload);
    if (!notice) return deliver(null); // not ours to read: refresh to be safe
    if (!remember(notice.seq) || notice.origin === changeOrigin) return;
    if (notice.caseIds) return deliver({ caseIds: notice.caseIds, reason: notice.reason });
    const row = await readChange(db, notice.seq);
    deliver(row?.caseIds ? { caseIds: row.caseIds, reason: row.reason } : null);
  };

  /** After (re)connecting: everything committed since the last sequence seen. */
  const catchUp = async (): Promise<number> => {
    const { first, last: newest } = await changeLogBounds(db);
    if (last === null) {
      floor = last = newest ?? 0;
      return 0;
    }
    if (newest === null || newest <= floor) return 0;
    const refreshAll = () => {
      floor = last = newest;
      deliver(null);
      return -1;
    };
    // Pruned past what this desktop saw: it cannot tell what changed.
    if (first !== null && first > last + 1) return refreshAll();
    const rows = await readChangesAfter(db, Math.max(floor, last - REORDER_MARGIN), MAX_CATCH_UP + REORDER_MARGIN);
    const missed = rows.filter((r) => !seen.has(r.seq));
    if (missed.length > MAX_CATCH_UP || rows.length === MAX_CATCH_UP + REORDER_MARGIN) return refreshAll();
    let delivered = 0;
    for (const r of missed) {
      if (!remember(r.seq) || r.origin === changeOrigin) continue;
      deliver(r.caseIds ? { caseIds: r.caseIds, reason: r.reason } : null);
      delivered++;
    }
    return delivered;
  };

  /** The periodic read of the log: what no notice announced, heard within SWEEP_LOG_MS. */
  let reading = false;
  const readLog = () => {
    if (closed || reading || current === null || last === null) return;
    reading = true;
    catchUp()
      .catch((e: unknown) => log.warn(`[notices] the change log could not be read: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (reading = false));
  };
  const logTimer = setInterval(readLog, SWEEP_LOG_MS);
  logTimer.unref();

  const prune = () =>
    void inWriteTx(db, (tx) => pruneChanges(tx, opts.now() - KEEP_MS)).catch((e: unknown) =>
      log.warn(`[notices] the change log could not be pruned (next try in an hour): ${e instanceof Error ? e.message : String(e)}`),
    );
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref();

  const lost = (client: Client, error?: unknown) => {
    if (current !== client) return;
    current = null;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (!closed && !warned) {
      warned = true;
      log.warn(
        `[notices] the listening connection was lost${error instanceof Error ? `: ${error.message}` : ''}; reconnecting with backoff`,
      );
    }
    schedule();
  };

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      void start();
    }, delay);
    retry.unref();
    delay = Math.min(MAX_RETRY_MS, delay * 2);
  };

  const connect = async () => {
    const pg = await import('pg');
    const { Client: PgClient } = pg.default ?? pg;
    const client = new PgClient({
      connectionString,
      application_name: `${LISTEN_APPLICATION_NAME}:${process.pid}`,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    current = client;
    client.on('error', (e) => lost(client, e));
    client.on('end', () => lost(client));
    client.on('notification', (m) => {
      if (m.channel !== CHANGE_CHANNEL || current !== client) return;
      onNotification(m.payload).catch((e: unknown) => {
        log.warn(`[notices] a change could not be read: ${e instanceof Error ? e.message : String(e)}`);
        deliver(null);
      });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      // Listening first, then reading: a change committed in between is heard twice and delivered once.
      const caughtUp = await catchUp();
      if (current !== client) return;
      delay = FIRST_RETRY_MS;
      warned = false;
      if (connectedOnce)
        log.info(
          `[notices] listening again; caught up ${caughtUp < 0 ? 'by refreshing everything' : `on ${caughtUp} change${caughtUp === 1 ? '' : 's'}`}`,
        );
      else prune();
      connectedOnce = true;
    } catch (e) {
      lost(client, e);
    }
  };

  const start = () => {
    if (closed) return Promise.resolve();
    return connect().catch((e: unknown) => log.error('[notices] the listener failed to start:', e));
  };

  return {
    ready: start(),
    async close() {
      closed = true;
      clearInterval(pruneTimer);
      clearInterval(logTimer);
      if (retry) clearTimeout(retry);
      const client = current;
      current = null;
      if (client) {
        client.removeAllListeners('notification');
        await client.end().catch(() => undefined);
      }
    },
  };
}
