import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/app/dispatch';
import type { ServiceContext } from '../../src-main/app/handlers';
import { watchHealth } from '../../src-main/db/health';
import { markSharedServer, resilientPool, underStartupLock } from '../../src-main/db/server';
import { isDatabaseUnreachable, UNAVAILABLE_MESSAGE } from '../../src-main/db/unavailable';
import { ManualClock } from '../../src-main/runtime/clock';
import { startProxy, type TcpProxy } from '../team/harness-proxy';
import { openTestDb } from './harness';

/**
 * A pool whose server goes away: nothing is thrown at the process (no unhandled 'error'),
 * failures are classified as "cannot be reached", a command answers UNAVAILABLE, and the
 * pool and the health probe come back by themselves. The start-up lock serialises desktops.
 */

const SERVER = process.env.TEST_DATABASE_URL;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const poolDb = (url: string) => {
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: resilientPool(pg.Pool, url) }) });
  markSharedServer(db);
  cleanups.push(() => db.destroy());
  return db;
};
const quietly = { warn: () => undefined, info: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mediator = { kind: 'user', userId: 'mira', name: 'Mira', role: 'mediator' } as const;

describe('a database that cannot be reached', () => {
  it('answers a command UNAVAILABLE, with its sentence, never INTERNAL', async () => {
    // Nothing listens on port 1: every connection attempt is refused.
    const db = poolDb('postgres://postgres@127.0.0.1:1/nothing');
    const error = await sql`SELECT 1`.execute(db).catch((e: unknown) => e);
    expect(isDatabaseUnreachable(error)).toBe(true);
    const ctx = { db, clock: new ManualClock(0), notify: () => undefined } as unknown as ServiceContext;
    for (const [method, input] of [
      ['queue.counts', {}],
      ['views.save', { name: 'Mine', filter: { scope: 'mine' } }],
      ['case.claim', { caseId: 'C-1' }],
    ] as const) {
      const envelope = await dispatch(ctx, method, input, mediator);
      expect(envelope).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: UNAVAILABLE_MESSAGE } });
    }
  });

  it('watches with backoff and stays down while the server is away', async () => {
    const db = poolDb('postgres://postgres@127.0.0.1:1/nothing');
    const health = watchHealth(db, quietly);
    cleanups.push(async () => health.close());
    expect(health.failed(new Error('a bug'))).toBe(false);
    expect(health.down).toBe(false);
    expect(health.failed(await sql`SELECT 1`.execute(db).catch((e: unknown) => e))).toBe(true);
    expect(health.down).toBe(true);
    await sleep(1_000);
    expect(health.down).toBe(true);
  });
});

describe.skipIf(!SERVER)('a PostgreSQL server that drops its connections', () => {
  // openTestDb names the new database md_test_<md_fresh>; rebuild its URL.
  const dbUrl = (tag: string) => {
    const u = new URL(SERVER!);
    u.pathname = `/md_test_${tag}`;
    return u.toString();
  };
  async function freshDatabase(): Promise<string> {
    const tag = `loss_${process.pid}_${Date.now()}`;
    const db = await openTestDb(`${SERVER}?md_fresh=${tag}`);
    await db.destroy();
    return dbUrl(tag);
  }

  async function admin(text: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: SERVER });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  it('survives pg_terminate_backend on idle and busy connections and reconnects by itself', async () => {
    const url = await freshDatabase();
    const db = poolDb(url);
    await Promise.all([1, 2, 3].map(() => sql`SELECT pg_sleep(0.05)`.execute(db)));
    const busy = sql`SELECT pg_sleep(5)`.execute(db).catch((e: unknown) => e);
    await sleep(300);
    const killed = await admin(
      `WITH theirs AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid())
       SELECT pid FROM theirs WHERE pg_terminate_backend(pid)`,
      [new URL(url).pathname.slice(1)],
    );
    expect(killed.length).toBeGreaterThanOrEqual(2);
    expect(isDatabaseUnreachable(await busy)).toBe(true);
    await sleep(200);
    // The dead clients were dropped; the next statements get new connections.
    for (let i = 0; i < 5; i++) expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it('notices the server is back through its probe within a few seconds', async () => {
    const url = new URL(await freshDatabase());
    const proxy: TcpProxy = await startProxy({ host: url.hostname, port: Number(url.port || 5432) });
    cleanups.push(() => proxy.close());
    url.port = String(proxy.port);
    const db = poolDb(url.toString());
    const health = watchHealth(db, quietly);
    cleanups.push(async () => health.close());
    let recoveries = 0;
    health.onRecovered(() => recoveries++);
    await sql`SELECT 1`.execute(db);

    await proxy.refuse();
    const error = await sql`SELECT 1`.execute(db).catch((e: unknown) => e);
    expect(health.failed(error)).toBe(true);
    await sleep(3_000); // a few probes fail; the backoff grows
    expect(health.down).toBe(true);
    await proxy.accept();
    const back = Date.now();
    while (health.down && Date.now() - back < 6_000) await sleep(50);
    expect(health.down).toBe(false);
    expect(Date.now() - back).toBeLessThan(5_000);
    expect(recoveries).toBe(1);
  });

  it('runs start-up work of several desktops one after another', async () => {
    const url = await freshDatabase();
    const desks = [poolDb(url), poolDb(url), poolDb(url)];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      desks.map((db, i) =>
        underStartupLock(db, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(200);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order.sort()).toEqual([0, 1, 2]);
    // Released: one more taker does not wait.
    const started = Date.now();
    await underStartupLock(desks[0]!, async () => undefined);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
