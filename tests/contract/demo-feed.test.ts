import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCasesToDemoFeed } from '../../src-main/demo/marketplace/demo-feed';
import { addFeed } from '../../src-main/app/feed/admin';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { startHttpServer, type HttpServerHandle } from '../../src-main/transport/http';

/**
 * Issue 13 (left over): the demo's cases belong to a demo feed, so its parties act through the
 * feed API (FEED.md "Calls in") with a token the demo writes where tests and the simulator read
 * it, and not through a route without a credential.
 */
describe('the demo feed', () => {
  let dir: string;
  let core: Core;
  let server: HttpServerHandle;
  const now = Date.parse('2026-03-10T12:00:00Z');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'md-demo-feed-'));
    core = await openCore({
      dataDir: dir,
      clock: new ManualClock(now),
      demoIfEmpty: 40,
      feedRateLimit: { perSecond: 1_000, burst: 1_000 },
    });
    server = await startHttpServer(core, { port: 0, staticDir: dir });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (token: string, method: string, input: unknown, key: string) => {
    const res = await fetch(`${server.url}/feed/v1/call/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string } } };
  };

  it('owns every demo case, writes its token for this user only, and is the same feed on the next start', async () => {
    const feed = await demoCasesToDemoFeed(core.db, dir, now);
    const all = await core.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(feed.cases).toBe(Number(all.n));
    expect(feed.cases).toBeGreaterThanOrEqual(40);
    expect(JSON.parse(readFileSync(feed.tokenFile, 'utf8'))).toEqual({ name: 'demo-marketplace', token: feed.token });
    expect(statSync(feed.tokenFile).mode & 0o077).toBe(0);
    const again = await demoCasesToDemoFeed(core.db, dir, now);
    expect(again).toMatchObject({ name: feed.name, token: feed.token, cases: 0, owned: feed.cases });
    // A second desk on the same database with its own data folder makes its own feed, which owns
    // none of the cases (serve says so instead of naming it as the demo's owner).
    const second = await demoCasesToDemoFeed(core.db, join(dir, 'second-desk'), now);
    expect(second.name).not.toBe(feed.name);
    expect(second).toMatchObject({ cases: 0, owned: 0 });
  });

  it("lets the demo's parties act through the feed API with that token, and no other feed", async () => {
    const { token } = JSON.parse(readFileSync(join(dir, 'demo-marketplace.token'), 'utf8')) as { token: string };
    const open = await core.db.selectFrom('cases').select('id').orderBy('id').executeTakeFirstOrThrow();
    const input = { caseId: open.id, trackingNumber: 'RT-DEMO-1' };
    // The case is found (a rule may refuse the action, never "no such case").
    const mine = await call(token, 'party.shipReturn', input, 'demo-1');
    expect(mine.body.error?.code).not.toBe('NOT_FOUND');
    expect(mine.status).not.toBe(404);
    const other = await addFeed(core.db, 'someone-else', null, now);
    const theirs = await call(other.token, 'party.shipReturn', input, 'demo-2');
    expect([theirs.status, theirs.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });
});
