import type { Reader } from './tx';

/** 55P03: a `NOWAIT` lock found its row held (the buyer-score copy, db/repos/risk/case-scores.ts). */
export const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Transactions that lost a race on PostgreSQL, retried where they started: a serialization
 * failure (40001), a deadlock (40P01) or a refused `NOWAIT` lock (55P03) rolled the whole transaction back, so running it
 * again from the top is safe, and the user should never see it. Bounded, with a little
 * jitter so two desktops that collided do not collide again in step.
 */
const TRANSIENT = new Set(['40001', '40P01', LOCK_NOT_AVAILABLE]);

/** SQLSTATE of a driver error (pg and PGlite both put it on `code`), if it has one. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

export function isTransientTxFailure(e: unknown): boolean {
  const code = sqlState(e);
  return code !== undefined && TRANSIENT.has(code);
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts?: number;
  /** Other SQLSTATEs this caller knows to be safe to retry (intake: 23505, two feeds creating one case). */
  also?: readonly string[];
}

/**
 * Runs `attempt` (which opens and commits its own transaction) again when it failed
 * transiently. Inside a caller's transaction there is nothing to retry from (that
 * transaction is aborted): the error goes up to whoever opened it.
 */
export async function retryTransient<T>(db: Reader, attempt: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  // 8: about 0.6 s of pauses on average, 1.3 s at most (a NOWAIT loser waits out a desk's import batch).
  const attempts = opts.attempts ?? 8;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      const code = sqlState(e);
      const retryable = code !== undefined && (TRANSIENT.has(code) || (opts.also?.includes(code) ?? false));
      if (!retryable || db.isTransaction || i >= attempts) throw e;
      await pause(i);
    }
  }
}

/** A few milliseconds, growing with the attempt, randomised. */
function pause(attempt: number): Promise<void> {
  const ms = Math.random() * 10 * 2 ** Math.min(attempt, 5);
  return new Promise((r) => setTimeout(r, ms));
}
