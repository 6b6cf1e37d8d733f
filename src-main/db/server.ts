import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';
import type { Client, Pool, PoolClient } from 'pg';
import { isDatabaseUnreachable } from './unavailable';
import { demoSeeding } from './repos/demo';

/**
 * The shared PostgreSQL server of a team: a pool that survives its connections dying (a
 * dropped connection, a server restart, an outage) and the start-up lock that lets several
 * desktops open one empty database at once.
 */

/** Databases on a shared server (not SQLite, not the single-session PGlite of the tests). */
const sharedServers = new WeakSet<object>();

export const sharesServer = (db: Kysely<Database>): boolean => sharedServers.has(db);
export const markSharedServer = (db: Kysely<Database>): void => void sharedServers.add(db);

/**
 * A pg Pool that never lets a connection's death take the process down. Without an `error`
 * listener, an idle client whose server went away (pg_terminate_backend, a restart) emits
 * an unhandled 'error' and Node exits; a checked-out client does the same. Here both are
 * logged; pg-pool drops the dead client (an idle one at once, a checked-out one on release,
 * as it is no longer queryable) and opens new ones on demand, so the pool reconnects by itself.
 */
export function resilientPool(PoolClass: typeof Pool, connectionString: string): Pool {
  const pool = new PoolClass({
    connectionString,
    max: 8,
    // A connection attempt to an unreachable server fails within this, so a command answers UNAVAILABLE.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
    // Notices a silently vanished server (no FIN: a network cut) on idle connections.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  const warn = rateLimited((e: unknown) =>
    console.warn(`[db] a connection to the case database was lost: ${e instanceof Error ? e.message : String(e)}`),
  );
  pool.on('error', (e) => warn(e)); // idle clients
  pool.on('connect', (client: PoolClient) => client.on('error', (e) => warn(e))); // checked-out clients
  return pool;
}

/** One line per outage, not one per connection. */
function rateLimited(log: (e: unknown) => void, everyMs = 5_000): (e: unknown) => void {
  let last = 0;
  return (e) => {
    const now = Date.now();
    if (now - last < everyMs && isDatabaseUnreachable(e)) return;
    last = now;
    log(e);
  };
}

/** pg_advisory_lock keys (arbitrary constants: "MD" 0001, 0002): the start-up work, and seeding the demo. */
const STARTUP_LOCK = 0x4d44_0001;
const SEEDING_LOCK = 0x4d44_0002;

/**
 * Runs `work` (migrations, the default policy, first-run seeding) while holding a
 * session-level advisory lock on a dedicated connection, so desktops starting together on
 * one server do it one after another; each checks what is already there and skips it. The
 * lock is released after, or by the server when the connection dies. SQLite and PGlite
 * have a single process (or session) per database: there `work` just runs.
 */
export async function underStartupLock<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  return underAdvisoryLock(db, STARTUP_LOCK, work);
}

/**
 * Seeds the demo (inside the start-up lock) while no deadline sweep runs on any desktop:
 * the demo writes a week of history at past instants, and a colleague's sweep at today's
 * time between two of its steps would apply the history's deadlines early and refuse its
 * next step (one desk crashed, the demo stayed half-seeded). Waits for a sweep already
 * running; sweeps starting meanwhile skip (unlessSeeding). A separate key from the start-up
 * lock, so a long catch-up sweep never holds up another desktop's migrations.
 */
export async function whileNoSweep<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  return underAdvisoryLock(db, SEEDING_LOCK, work);
}

/**
 * Runs `work` (a deadline sweep) unless a desktop is seeding the demo right now, or a seeding was
 * interrupted and not finished yet (its marker is there: see demo/seed.ts): then 'busy', at once.
 * A sweep at today's time between two steps of the demo's history would spoil the rest of it.
 */
export async function unlessSeeding<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T | 'busy'> {
  if (await demoSeeding(db)) return 'busy';
  if (!sharesServer(db)) return work();
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ got: boolean }>`SELECT pg_try_advisory_lock_shared(${sql.lit(SEEDING_LOCK)}) AS got`.execute(conn);
    if (!rows[0]?.got) return 'busy' as const;
    try {
      return await work();
    } finally {
      await sql`SELECT pg_advisory_unlock_shared(${sql.lit(SEEDING_LOCK)})`.execute(conn).catch(() => undefined);
    }
  });
}

async function underAdvisoryLock<T>(db: Kysely<Database>, key: number, work: () => Promise<T>): Promise<T> {
  if (!sharesServer(db)) return work();
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${sql.lit(key)})`.execute(conn);
    try {
      return await work();
    } finally {
      await sql`SELECT pg_advisory_unlock(${sql.lit(key)})`.execute(conn).catch(() => undefined);
    }
  });
}

/** The cheapest statement that proves the database answers. */
export async function probe(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/**
 * Whether the server answers on a NEW connection (`SELECT 1`) within `timeoutMs`, outside the
 * pool (whose connections may all be stuck on it): the stall guard's probe (stall-guard.ts).
 * The connection is closed either way, by force when the server did not answer.
 */
export async function probeNewConnection(ClientClass: typeof Client, connectionString: string, timeoutMs: number): Promise<void> {
  const client = new ClientClass({ connectionString, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  const timer = setTimeout(
    () => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy(),
    timeoutMs,
  );
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}
