import type { Kysely } from 'kysely';
import type { Database } from './schema';
import { probe } from './server';
import { isDatabaseUnreachable } from './unavailable';

/**
 * Whether the case database answers. A failure that means "cannot be reached" marks it
 * down and starts a probe (`SELECT 1`) with backoff; the first probe or command that
 * succeeds marks it up again and tells the listeners (the sweep catches up). Nothing here
 * throws or leaves a rejected promise behind.
 */
export interface DatabaseHealth {
  readonly down: boolean;
  /** Reports a failure; returns whether it means the database cannot be reached. */
  failed(error: unknown): boolean;
  /** Reports that a command was answered UNAVAILABLE. */
  lost(): void;
  /** Reports a success (a command answered). */
  succeeded(): void;
  onRecovered(listener: () => void): void;
  close(): void;
}

const FIRST_PROBE_MS = 250;
/** The longest pause between probes: the desk notices the server is back within this. */
const MAX_PROBE_MS = 4_000;

export function watchHealth(db: Kysely<Database>, log: Pick<Console, 'warn' | 'info'> = console): DatabaseHealth {
  let downSince: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = FIRST_PROBE_MS;
  let closed = false;
  const listeners: Array<() => void> = [];

  const up = () => {
    if (downSince === null) return;
    log.info(`[db] the case database answers again (unreachable for ${((Date.now() - downSince) / 1000).toFixed(1)} s)`);
    downSince = null;
    if (timer) clearTimeout(timer);
    timer = null;
    for (const l of listeners) {
      try {
        l();
      } catch (e) {
        console.error('[db] a recovery listener failed:', e);
      }
    }
  };
  const lost = () => {
    if (downSince !== null || closed) return;
    downSince = Date.now();
    delay = FIRST_PROBE_MS;
    log.warn('[db] the case database cannot be reached; retrying with backoff');
    schedule();
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      probe(db).then(up, () => {
        delay = Math.min(MAX_PROBE_MS, delay * 2);
        if (downSince !== null) schedule();
      });
    }, delay);
    timer.unref();
  };

  return {
    get down() {
      return downSince !== null;
    },
    failed(error) {
      if (!isDatabaseUnreachable(error)) return false;
      lost();
      return true;
    },
    lost,
    succeeded: up,
    onRecovered(listener) {
      listeners.push(listener);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
