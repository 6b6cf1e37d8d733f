import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../src-main/app/core-api';
import { startHttpServer } from '../../src-main/transport/http';
import { withFakeSessions } from './fake-sessions';
import { twoCallsOnOneSocket } from './keep-alive';
import type { ChangeNotice, Identity } from '../../src-main/app/identity';

/** A stand-in core: records what the carrier hands to dispatch, so the carrier alone is tested. */
function fakeCore() {
  const calls: Array<{ method: string; input: unknown; identity: Identity }> = [];
  const listeners = new Set<(n: ChangeNotice) => void>();
  const core: CoreApi = withFakeSessions(
    {
      dispatch: async (method, input, identity) => {
        calls.push({ method, input, identity });
        if (identity.kind === 'anonymous') return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } };
        return { ok: true, value: { echo: method } };
      },
      onChange: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      isEmpty: async () => false,
      seedDemo: async () => ({ cases: 0, users: 0 }),
      close: async () => {},
    },
    (userId, password) => (userId === 'mira' && password === 'mira-demo' ? { userId: 'mira', name: 'Mira', role: 'mediator' } : null),
  );
  const emit = (n: ChangeNotice) => listeners.forEach((l) => l(n));
  return { core, calls, emit, listenerCount: () => listeners.size };
}

/** Raw requests: fetch would normalise paths and forbid setting Host/Origin. */
function raw(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((ok, fail) => {
    const req = request(
      { host: url.hostname, port: url.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', fail);
    req.end(opts.body);
  });
}

describe('HTTP carrier', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  let fake: ReturnType<typeof fakeCore>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'md-http-'));
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>desk</title>');
    writeFileSync(join(web, 'assets', 'app-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the static root');
    fake = fakeCore();
    server = await startHttpServer(fake.core, {
      port: 0,
      staticDir: web,
      demo: true,
      demoAccounts: [{ id: 'mira', name: 'Mira', role: 'mediator', password: 'mira-demo' }],
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    fake.calls.length = 0;
  });

  const host = () => new URL(server.url).host;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    raw(server.url, {
      method: 'POST',
      path,
      headers: { Host: host(), 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const signIn = async () => {
    const res = await post('/api/session/sign-in', { userId: 'mira', password: 'mira-demo' });
    const setCookie = String(res.headers['set-cookie']);
    return { res, cookie: setCookie.split(';')[0]!, setCookie };
  };

  it('binds to 127.0.0.1', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('passes an anonymous identity when there is no session', async () => {
    const res = await post('/api/call/queue.list', { scope: 'unassigned' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(fake.calls).toEqual([{ method: 'queue.list', input: { scope: 'unassigned' }, identity: { kind: 'anonymous' } }]);
  });

  it('sets an HttpOnly SameSite=Strict cookie on sign-in and uses the server-side identity', async () => {
    const { res, cookie, setCookie } = await signIn();
    expect(JSON.parse(res.body)).toMatchObject({ ok: true, value: { userId: 'mira', role: 'mediator', serverTime: expect.any(String) } });
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(cookie.split('=')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url

    // An identity in the body is just input: the session decides who calls.
    await post('/api/call/session.me', { identity: { kind: 'user', userId: 'boss', role: 'supervisor' } }, { Cookie: cookie });
    expect(fake.calls[0]?.identity).toEqual({ kind: 'user', userId: 'mira', name: 'Mira', role: 'mediator' });
  });

  it('refuses a wrong password without a cookie', async () => {
    const res = await post('/api/session/sign-in', { userId: 'mira', password: 'nope' });
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('forgets the session on sign-out', async () => {
    const { cookie } = await signIn();
    const out = await post('/api/session/sign-out', {}, { Cookie: cookie });
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    await post('/api/call/session.me', {}, { Cookie: cookie });
    expect(fake.calls[0]?.identity).toEqual({ kind: 'anonymous' });
  });

  it('answers an unknown /api/ path 404 whatever the method, and 405 only for a known path', async () => {
    const host = { host: new URL(server.url).host };
    for (const [method, path] of [
      ['GET', '/api/nothing'],
      ['POST', '/api/nothing'],
      ['GET', `/api/evidence/${'a'.repeat(64)}/`],
    ] as const) {
      const res = await raw(server.url, { method, path, headers: host });
      expect([method, path, res.status, (JSON.parse(res.body) as { error: { code: string } }).error.code]).toEqual([
        method,
        path,
        404,
        'NOT_FOUND',
      ]);
    }
    const wrongMethod = await raw(server.url, { method: 'GET', path: '/api/call/queue.counts', headers: host });
    expect(wrongMethod.status).toBe(405);
  });

  it('refuses a foreign Host (DNS rebinding) with 403', async () => {
    const res = await raw(server.url, { path: '/', headers: { Host: `evil.example:${new URL(server.url).port}` } });
    expect(res.status).toBe(403);
  });

  it('refuses a foreign Origin with 403 and accepts the own origin', async () => {
    const bad = await post('/api/call/session.me', {}, { Origin: 'http://evil.example' });
    expect(bad.status).toBe(403);
    expect(fake.calls).toHaveLength(0);
    const good = await post('/api/call/session.me', {}, { Origin: `http://localhost:${new URL(server.url).port}` });
    expect(good.status).toBe(200);
  });

  it('answers unparseable JSON with 400 VALIDATION', async () => {
    const res = await raw(server.url, { method: 'POST', path: '/api/call/session.me', headers: { Host: host() }, body: '{nope' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('refuses bodies over 1 MB with 413', async () => {
    const body = JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) });
    const res = await raw(server.url, { method: 'POST', path: '/api/call/session.me', headers: { Host: host() }, body });
    expect(res.status).toBe(413);
    expect(fake.calls).toHaveLength(0);
  });

  it('refuses a chunked body that grows over 1 MB with 413', async () => {
    const url = new URL(server.url);
    const status = await new Promise<number>((ok, fail) => {
      const req = request(
        { host: url.hostname, port: url.port, method: 'POST', path: '/api/call/session.me', headers: { Host: host() } },
        (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        },
      );
      req.on('error', fail);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('serves static files with content type, nosniff and CSP', async () => {
    const res = await raw(server.url, { path: '/assets/app-abc.js', headers: { Host: host() } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('falls back to index.html for SPA routes but not for missing assets', async () => {
    const route = await raw(server.url, { path: '/cases/C-1', headers: { Host: host() } });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>desk</title>');
    const missing = await raw(server.url, { path: '/assets/missing.js', headers: { Host: host() } });
    expect(missing.status).toBe(404);
  });

  it.each(['/../package.json', '/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt'])(
    'refuses traversal %s with 404',
    async (path) => {
      const res = await raw(server.url, { path, headers: { Host: host() } });
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('outside the static root');
    },
  );

  it('reports demo mode', async () => {
    const res = await raw(server.url, { path: '/api/session/info', headers: { Host: host() } });
    expect(JSON.parse(res.body)).toEqual({
      ok: true,
      value: { demo: true, accounts: [{ userId: 'mira', name: 'Mira', role: 'mediator', password: 'mira-demo' }] },
    });
  });

  it('has no test-control routes unless started with a test clock', async () => {
    const res = await post('/api/test/advance-clock', { ms: 1000 });
    expect(res.status).toBe(404);
  });

  it('moves the test clock when started with test controls', async () => {
    let now = Date.parse('2026-03-01T09:00:00Z');
    const other = await startHttpServer(fakeCore().core, {
      port: 0,
      staticDir: dir,
      testControls: { advanceClock: async (ms) => void (now += ms), now: () => now },
    });
    try {
      const res = await raw(other.url, {
        method: 'POST',
        path: '/api/test/advance-clock',
        headers: { Host: new URL(other.url).host },
        body: JSON.stringify({ ms: 3_600_000 }),
      });
      expect(JSON.parse(res.body)).toEqual({ ok: true, value: { now: '2026-03-01T10:00:00.000Z' } });
    } finally {
      await other.close();
    }
  });

  it('refuses the event stream without a session', async () => {
    const res = await raw(server.url, { path: '/api/events', headers: { Host: host() } });
    expect(res.status).toBe(401);
    expect(fake.listenerCount()).toBe(0);
  });

  it('delivers change notices over server-sent events to a signed-in session', async () => {
    const { cookie } = await signIn();
    const url = new URL(server.url);
    const notice: ChangeNotice = { caseIds: ['C-1'], reason: 'command', at: '2026-03-01T09:00:00.000Z' };
    const received = await new Promise<string>((ok, fail) => {
      const req = request({ host: url.hostname, port: url.port, path: '/api/events', headers: { Host: host(), Cookie: cookie } }, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString('utf8');
          if (text.includes(': connected')) fake.emit(notice);
          if (text.includes('event: change')) {
            req.destroy();
            ok(text);
          }
        });
      });
      req.on('error', fail);
      req.end();
    });
    expect(received).toContain(`data: ${JSON.stringify(notice)}`);
    // The subscription ends with the stream.
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.listenerCount()).toBe(0);
  });

  it("keeps at most 20 event streams per session: the 21st ends the session's oldest, so one session cannot hold thousands", async () => {
    const { cookie } = await signIn();
    const url = new URL(server.url);
    const ended: number[] = [];
    const open = (n: number) =>
      new Promise<ReturnType<typeof request>>((ok, fail) => {
        const req = request(
          { host: url.hostname, port: url.port, path: '/api/events', headers: { Host: host(), Cookie: cookie } },
          (res) => {
            res.on('data', (c: Buffer) => c.toString('utf8').includes(': connected') && ok(req));
            res.on('end', () => ended.push(n));
          },
        );
        req.on('error', fail);
        req.end();
      });
    const streams = [];
    for (let n = 0; n < 20; n++) streams.push(await open(n));
    expect([fake.listenerCount(), ended]).toEqual([20, []]);
    streams.push(await open(20));
    await new Promise((r) => setTimeout(r, 100));
    expect([fake.listenerCount(), ended]).toEqual([20, [0]]);
    for (const req of streams) req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.listenerCount()).toBe(0);
  });

  it('keeps an idle keep-alive socket open past the 5 s Node default, so a reused socket is not closed under a request', async () => {
    // A client that keeps sockets (Playwright's request context, a browser) writes its next
    // request on the idle one; had the server closed it at 5 s, a request written at that
    // moment dies with ECONNRESET (the e2e suite's rare "socket hang up").
    expect(await twoCallsOnOneSocket(server.url, '/api/session/info')).toEqual([
      { status: 200, reused: false },
      { status: 200, reused: true },
    ]);
  }, 20_000);

  it('cuts off a client that trickles its body past the request timeout (408), instead of holding its socket for ever', async () => {
    // serve keeps idle keep-alive sockets 10 minutes; the headers' timeout must still not pass the
    // request's, or Node checks neither and a body sent a byte every few seconds is read for days.
    const slowFake = fakeCore();
    const slowServer = await startHttpServer(slowFake.core, { port: 0, staticDir: dir, requestTimeoutMs: 1_500 });
    const url = new URL(slowServer.url);
    const started = Date.now();
    try {
      const outcome = await new Promise<{ firstLine: string; closedAfterMs: number }>((ok, fail) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /api/call/queue.counts HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
          );
        });
        const drip = setInterval(() => socket.write(' '), 200);
        let firstLine = '';
        socket.on('data', (d: Buffer) => (firstLine ||= d.toString('latin1').split('\r\n')[0]!));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          ok({ firstLine, closedAfterMs: Date.now() - started });
        });
        setTimeout(() => {
          clearInterval(drip);
          socket.destroy();
          fail(new Error('the server still read the trickled body after 8 s'));
        }, 8_000);
      });
      expect(outcome.firstLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(1_500);
      expect(slowFake.calls).toEqual([]);
    } finally {
      await slowServer.close();
    }
  }, 15_000);
});
