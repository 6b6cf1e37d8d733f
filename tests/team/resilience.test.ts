import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src-main/demo/demo-data';
import { SERVER_URL, Session, adminQuery, freshDatabase, startDesk, waitFor, type Desk, type Envelope } from './harness';
import { startProxy, type TcpProxy } from './harness-proxy';

/**
 * A desktop keeps running when its database goes away (a dropped connection, a server
 * restart, an outage): commands answer UNAVAILABLE meanwhile and work again by themselves
 * once the server is back. Several desktops opened at once on an empty database set it
 * up exactly once.
 */

const RECOVERY_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const desks: Desk[] = [];
const proxies: TcpProxy[] = [];

afterAll(async () => {
  await Promise.all(desks.map((d) => d.stop()));
  await Promise.all(proxies.map((p) => p.close()));
});

const dbName = (url: string) => new URL(url).pathname.slice(1);

/** pg_terminate_backend on every connection a desk holds to its database. */
async function dropConnections(url: string): Promise<number> {
  const rows = await adminQuery<{ pid: number }>(
    SERVER_URL!,
    `WITH theirs AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid())
     SELECT pid FROM theirs WHERE pg_terminate_backend(pid)`,
    [dbName(url)],
  );
  return rows.length;
}

/** A call that reports a dead desk (the fetch fails) as a code too, so the test says what happened. */
async function attempt(s: Session, method: string, input: unknown = {}): Promise<Envelope> {
  try {
    return await s.call(method, input);
  } catch (e) {
    return { ok: false, error: { code: 'NO_ANSWER', message: String(e) } };
  }
}

const codeOf = (e: Envelope) => (e.ok ? 'ok' : e.error!.code);

/** The demo feed's token, from the file the desk named when it started (`its token is in …`). */
function feedTokenOf(desk: Desk): string {
  const file = /its token is in (\S+)/.exec(desk.output())?.[1];
  if (!file) throw new Error(`desk ${desk.name} named no demo feed token:\n${desk.output()}`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { token: string }).token;
}

/** Waits until a call succeeds; the time it took. */
const recovers = (s: Session) => waitFor('a call to succeed again', async () => (await attempt(s, 'queue.counts')).ok, RECOVERY_MS);

/** A desk (with the demo) reaching a fresh database through a TCP proxy the test controls; Mira signed in on it. */
async function deskBehindProxy(tag: string, cases: number) {
  const url = await freshDatabase(tag);
  const server = new URL(SERVER_URL!);
  const proxy = await startProxy({ host: server.hostname, port: Number(server.port || 5432) });
  proxies.push(proxy);
  const viaProxy = new URL(url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const desk = await startDesk(tag, viaProxy.toString(), ['--demo', '--demo-cases', String(cases)]);
  desks.push(desk);
  const mira = await Session.signIn(desk, 'mira', 'mira-demo');
  expect((await mira.call('queue.counts')).ok).toBe(true);
  return { url, proxy, desk, mira };
}

describe.skipIf(!SERVER_URL)('a desktop on a database that goes away', () => {
  it('survives pg_terminate_backend while idle and during a burst of calls, and recovers', async () => {
    const url = await freshDatabase('drop');
    const desk = await startDesk('drop', url, ['--demo', '--demo-cases', '20']);
    desks.push(desk);
    const mira = await Session.signIn(desk, 'mira', 'mira-demo');
    expect((await mira.call('queue.counts')).ok).toBe(true);

    // Idle: the pool's idle connections die under it.
    expect(await dropConnections(url)).toBeGreaterThan(0);
    await sleep(1_000);
    expect(desk.exited(), desk.output()).toBe(false);
    const idleRecovery = await recovers(mira);

    // Busy: connections die while calls (reads and writes) are running.
    const codes: string[] = [];
    let running = true;
    // Eight names per worker: saving a name again rewrites it (a write every time) and stays
    // under the 50 views a user may keep, however long the burst runs on a fast machine.
    const worker = async (n: number) => {
      for (let i = 0; running; i++) {
        const r =
          i % 3 === 0
            ? await attempt(mira, 'views.save', { name: `Burst ${n}-${i % 8}`, filter: { scope: 'mine' } })
            : await attempt(mira, i % 3 === 1 ? 'queue.counts' : 'queue.list', i % 3 === 1 ? {} : { scope: 'all', limit: 20 });
        codes.push(codeOf(r));
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    await sleep(400);
    await dropConnections(url);
    await sleep(600);
    await dropConnections(url);
    await sleep(1_000);
    running = false;
    await Promise.all(workers);
    expect(desk.exited(), desk.output()).toBe(false);
    expect(codes.length).toBeGreaterThan(0);
    expect(
      codes.filter((c) => c !== 'ok' && c !== 'UNAVAILABLE'),
      desk.output().slice(-4000),
    ).toEqual([]);
    const busyRecovery = await recovers(mira);
    console.log(
      `[resilience] recovery after pg_terminate_backend: idle ${idleRecovery} ms, busy ${busyRecovery} ms; burst codes`,
      count(codes),
    );
  });

  it('answers UNAVAILABLE through a 20 s outage and recovers within 10 s after it', async () => {
    const { proxy, desk, mira } = await deskBehindProxy('outage', 20);

    await proxy.refuse();
    const during: Envelope[] = [];
    const outageEnds = Date.now() + 20_000;
    while (Date.now() < outageEnds) {
      during.push(await attempt(mira, 'queue.counts'));
      expect(desk.exited(), desk.output()).toBe(false);
      await sleep(500);
    }
    // A sign-in during the outage is refused the same way (not a 500).
    const signIn = await fetch(`${desk.url}/api/session/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'oleg', password: 'oleg-demo' }),
    }).then((r) => r.json() as Promise<Envelope>);
    expect(codeOf(signIn)).toBe('UNAVAILABLE');
    // The marketplace's feed API says the same, as FEED.md promises: 503 with Retry-After, never a 500.
    const token = feedTokenOf(desk);
    const feedAnswers = await Promise.all([
      fetch(`${desk.url}/feed/v1/events?after=0&limit=5`, { headers: { authorization: `Bearer ${token}` } }),
      fetch(`${desk.url}/feed/v1/call/party.reply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'outage-reply', 'content-type': 'application/json' },
        body: JSON.stringify({ caseId: 'D-100001', party: 'buyer', choice: 'partial' }),
      }),
    ]);
    for (const res of feedAnswers) {
      const body = (await res.json()) as Envelope;
      expect([res.status, codeOf(body), res.headers.get('retry-after')]).toEqual([503, 'UNAVAILABLE', '30']);
      expect(body.error!.message).toMatch(/cannot be reached/);
    }
    // Signing out while the database is away is refused in words too (the session row is still there).
    const signOut = await mira.post('/api/session/sign-out');
    expect([signOut.status, codeOf((await signOut.json()) as Envelope)]).toEqual([503, 'UNAVAILABLE']);

    expect(during.map(codeOf).filter((c) => c !== 'UNAVAILABLE')).toEqual([]);
    expect(during[0]!.error!.message).toMatch(/cannot be reached.*keeps retrying.*Nothing was changed/);

    await proxy.accept();
    const recovery = await recovers(mira);
    expect(desk.exited(), desk.output()).toBe(false);
    console.log(
      `[resilience] outage of 20 s: ${during.length} calls answered UNAVAILABLE; recovered ${recovery} ms after the server returned`,
    );
  });

  it('answers UNAVAILABLE within seconds when the server stops answering without closing its connections, and recovers', async () => {
    const { url, proxy, desk, mira } = await deskBehindProxy('frozen', 5);

    // A paused server: open connections stay open, new ones are accepted, nothing answers.
    proxy.freeze();
    // The server comes back by itself after 15 s, whether or not the calls meanwhile were answered.
    let thawedAt = Infinity;
    const thawed = sleep(15_000).then(() => {
      thawedAt = Date.now();
      proxy.thaw();
    });
    const during: Array<{ code: string; ms: number; what: string; beforeThaw: boolean }> = [];
    const frozenUntil = Date.now() + 15_000;
    for (let i = 0; Date.now() < frozenUntil; i++) {
      const started = Date.now();
      const what = i % 2 ? 'queue.counts' : `views.save Frozen ${i}`;
      const r =
        i % 2 ? await attempt(mira, 'queue.counts') : await attempt(mira, 'views.save', { name: `Frozen ${i}`, filter: { scope: 'mine' } });
      during.push({ code: codeOf(r), ms: Date.now() - started, what, beforeThaw: Date.now() < thawedAt });
    }
    await thawed;
    const recovery = await recovers(mira);
    expect(desk.exited(), desk.output()).toBe(false);
    console.log(
      `[resilience] a frozen server for 15 s: answers ${JSON.stringify(during)}; recovered ${recovery} ms after it answered again`,
    );
    // Every call answered while the server was away was UNAVAILABLE, each within the stall guard's
    // bound (5 s, then a probe of up to 5 s), never held for the whole pause; one still waiting
    // when the server came back may have gone through.
    const answeredMeanwhile = during.filter((d) => d.beforeThaw);
    expect(answeredMeanwhile.length).toBeGreaterThan(0);
    expect(answeredMeanwhile.map((d) => d.code)).toEqual(answeredMeanwhile.map(() => 'UNAVAILABLE'));
    expect(Math.max(...during.map((d) => d.ms))).toBeLessThan(12_000);
    // Nothing a refused call sent was applied when the server resumed.
    const refused = during.filter((d) => d.code === 'UNAVAILABLE' && d.what.startsWith('views.save')).map((d) => d.what.slice(11));
    const views = await adminQuery<{ name: string }>(url, `SELECT name FROM saved_views WHERE name = ANY($1)`, [refused]);
    expect(views).toEqual([]);
  });

  it('three desktops opened at once on an empty database set it up exactly once', async () => {
    const url = await freshDatabase('cold');
    // Enough cases for the demo's history (a week of decisions, appeals and deadlines at past
    // instants): while one desk writes it, the others' sweeps must not apply its deadlines at today's time.
    const started = await Promise.all(['cold-a', 'cold-b', 'cold-c'].map((n) => startDesk(n, url, ['--demo', '--demo-cases', '200'])));
    desks.push(...started);
    const [history] = await adminQuery<{ n: string }>(url, "SELECT count(*) AS n FROM settings WHERE key = 'demo.history'");
    expect(Number(history!.n), started.map((d) => d.output()).join('\n')).toBe(1);
    for (const desk of started) {
      const s = await Session.signIn(desk, 'oleg', 'oleg-demo');
      expect((await s.call('queue.counts')).ok, desk.output()).toBe(true);
    }
    const policies = await adminQuery<{ version: number; note: string }>(url, 'SELECT version, note FROM policies ORDER BY version');
    // Version 1 is the defaults, created once; the demo history publishes one change (version 2), once.
    expect(policies.filter((p) => p.note === 'The default policy').map((p) => Number(p.version))).toEqual([1]);
    expect(policies.map((p) => Number(p.version))).toEqual([1, 2]);
    const [users] = await adminQuery<{ n: string }>(url, 'SELECT count(*) AS n FROM users');
    expect(Number(users!.n)).toBe(DEMO_USERS.length);
    const [cases] = await adminQuery<{ n: string }>(url, 'SELECT count(*) AS n FROM cases');
    // The 200 generated disputes and the 3 demo cases whose evidence is real files (demo/evidence.ts), once.
    expect(Number(cases!.n)).toBe(200 + 3);
  });
});

function count(codes: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}
