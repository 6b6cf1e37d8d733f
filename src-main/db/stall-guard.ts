import type { PostgresPool } from 'kysely';

/**
 * A server that stops answering without closing its connections (a frozen or paused server
 * process, a virtual machine suspended, a network that drops packets instead of refusing them)
 * gives the driver nothing to fail on: a statement sent on an open connection waits for as
 * long as the server is away, and so does the person who pressed the button (a 20 s pause of
 * the server held every command for 20 s, then answered as if nothing had happened). A
 * connection attempt has its own timeout (server.ts); this covers statements on open ones.
 *
 * When a statement has waited STALL_MS, a probe opens a NEW connection and runs `SELECT 1`
 * within PROBE_TIMEOUT_MS. If the server answers, the statement is only slow (a large report,
 * a bulk COPY) and keeps waiting. If it does not, every connection with a statement waiting
 * since STALL_MS is closed: the driver fails those statements as a lost connection, the
 * command answers UNAVAILABLE and rolls back (the server drops a transaction whose connection
 * closed), and the pool opens new connections once the server is back.
 */
export const STALL_MS = 5_000;
const PROBE_TIMEOUT_MS = 5_000;
const CHECK_EVERY_MS = 1_000;
const GUARDED = Symbol('md-stall-guard');

interface GuardedClient {
  query: (...args: unknown[]) => unknown;
  /** pg's Connection; its socket is what a stalled statement waits on. */
  connection?: { stream?: { destroy(): void } };
  [GUARDED]?: true;
}

export interface StallGuardOptions {
  /** Resolves when a new connection to the server answers a statement; rejects (or never settles) otherwise. */
  probe: () => Promise<void>;
  log?: Pick<Console, 'warn'>;
  stallMs?: number;
  probeTimeoutMs?: number;
}

/** Wraps a pg Pool so statements stalled on a server that stopped answering fail as a lost connection (see above). */
export function poolWithStallGuard<P extends PostgresPool>(pool: P, opts: StallGuardOptions): P {
  const stallMs = opts.stallMs ?? STALL_MS;
  const probeTimeoutMs = opts.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  const log = opts.log ?? console;
  const waiting = new Map<object, { client: GuardedClient; since: number }>();
  let probing = false;

  const check = () => {
    if (probing) return;
    const since = Date.now() - stallMs;
    if (![...waiting.values()].some((w) => w.since <= since)) return;
    probing = true;
    void withTimeout(opts.probe(), probeTimeoutMs)
      .then(
        () => undefined, // the server answers: those statements are slow, not stalled
        () => {
          const cut = new Set<GuardedClient>();
          for (const w of waiting.values()) if (w.since <= since) cut.add(w.client);
          for (const client of cut) client.connection?.stream?.destroy();
          if (cut.size)
            log.warn(
              `[db] the case database stopped answering; closed ${cut.size} connection(s) waiting on it for ${stallMs / 1000} s or more`,
            );
        },
      )
      .finally(() => (probing = false));
  };
  const timer = setInterval(check, CHECK_EVERY_MS);
  timer.unref();

  const connect = pool.connect.bind(pool);
  (pool as { connect: () => Promise<unknown> }).connect = async () => {
    const client = (await connect()) as unknown as GuardedClient;
    if (!client[GUARDED]) {
      const query = client.query.bind(client);
      client.query = (...args: unknown[]) => {
        const answer = query(...args);
        if (answer instanceof Promise) {
          const token = {};
          waiting.set(token, { client, since: Date.now() });
          const done = () => void waiting.delete(token);
          answer.then(done, done);
        }
        return answer;
      };
      client[GUARDED] = true;
    }
    return client;
  };
  const end = pool.end.bind(pool);
  (pool as { end: () => Promise<void> }).end = async () => {
    clearInterval(timer);
    await end();
  };
  return pool;
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((ok, ko) => {
    const t = setTimeout(() => ko(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      () => (clearTimeout(t), ok()),
      (e: unknown) => (clearTimeout(t), ko(e)),
    );
  });
}
