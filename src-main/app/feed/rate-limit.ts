/**
 * A token bucket per feed (FEED.md: `429` with `Retry-After` when a feed sends too fast):
 * `burst` calls at once, refilled at `perSecond`. In memory, per process: each desktop of a
 * team limits what reaches it. The clock is injected: wall time (the sessions' clock), never the
 * case clock a test moves.
 */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Buckets of feeds not heard from for this long are forgotten (bounded memory). */
const FORGET_MS = 10 * 60_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Takes one call's token: null when allowed, else whole seconds until one is free. */
  take(key: string): number | null {
    const now = this.now();
    if (this.buckets.size > 1_000) for (const [k, b] of this.buckets) if (now - b.at > FORGET_MS) this.buckets.delete(k);
    const b = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond));
  }
}
