import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { AppError, Envelope } from '../contract/errors';
import type { CoreApi } from '../app/core-api';
import { sessionInfo, type DemoAccount } from './session-info';
import { contentTypeFor, resolveStaticFile } from './static-files';
import type { Identity } from '../app/identity';
import type { ChangeNotice } from '../contract/bridge';
import { handleFeedRequest } from './feed-http';
import { keepIdleSockets, timeoutOptions } from './timeouts';
import { isDatabaseUnreachable, unavailable } from '../db/unavailable';

/**
 * The local HTTP carrier behind `npm run serve`: the same dispatch as IPC, reached over
 * 127.0.0.1 from a browser. It holds the signed-in identity server-side (cookie → session);
 * nothing in a request body or header is ever taken as "who is calling".
 */

export interface HttpServerOptions {
  port: number;
  host?: '127.0.0.1';
  /** The built renderer (out/web). */
  staticDir: string;
  /** Only with `serve --test-clock`: routes that move the core's clock for e2e tests. */
  testControls?: TestControls;
  /** Tells the sign-in screen to show the demo accounts hint. */
  demo?: boolean;
  /** The demo sign-ins the hint lists (demo-only, deliberately public passwords). */
  demoAccounts?: readonly DemoAccount[];
  /** How long a request may take to arrive whole (timeouts.ts REQUEST_TIMEOUT_MS; tests shorten it). */
  requestTimeoutMs?: number;
}

export interface TestControls {
  advanceClock(ms: number): Promise<void>;
  now(): number;
}

export interface HttpServerHandle {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** The test intake carries a party's file as base64: room for a policy-sized image (2 MB → 2.7 MB of text). */
const MAX_TEST_INTAKE_BYTES = 4 * 1024 * 1024;
const COOKIE = 'md_session';
/**
 * A browser that signed in before carries this (a year): its sign-in attempts are counted
 * under its own source, so a stranger's failures elsewhere do not lock it out.
 */
const DEVICE_COOKIE = 'md_device';
const DEVICE_MAX_AGE_S = 365 * 24 * 60 * 60;
const SSE_HEARTBEAT_MS = 25_000;
/** Event streams one session may hold open at once (one per tab or window). */
const MAX_STREAMS_PER_SESSION = 20;
const UNAVAILABLE_MESSAGE = 'The case database cannot be reached right now; try again shortly.';

/**
 * Mantine writes CSS variables into <style> tags and inline style attributes, hence
 * 'unsafe-inline' for styles only; scripts are strictly same-origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: AppError,
  ) {
    super(error.message);
  }
}

export async function startHttpServer(core: CoreApi, opts: HttpServerOptions): Promise<HttpServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const staticRoot = resolve(opts.staticDir);
  /** Open event streams per session token, so a sign-out closes them. The sessions themselves are rows in the core. */
  const streams = new Map<string, Set<ServerResponse>>();
  let port = opts.port;

  const server = createServer(timeoutOptions(opts.requestTimeoutMs), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpFailure) return sendJson(res, err.status, { ok: false, error: err.error });
      // The database away on a path that reads it outside a command (signing out): said as UNAVAILABLE, not a 500.
      if (isDatabaseUnreachable(err)) return sendJson(res, 503, { ok: false, error: unavailable(err).toError() });
      // Thrown errors never reach the page; only a generic envelope does.
      console.error('[http] unexpected error', err);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
      else res.destroy();
    });
  });

  // Idle keep-alive sockets are kept 10 minutes; a request must still arrive whole within 5 (timeouts.ts).
  keepIdleSockets(server);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The marketplace's feed API authenticates every call with its bearer token (no cookie, no session):
    // it is answered before the browser-session checks below, which would refuse a marketplace's Host.
    const feedPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (feedPath.startsWith('/feed/') && core.feed) return handleFeedRequest(core.feed, req, res, feedPath);
    setCommonHeaders(res);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(req.headers.host ?? '')) return refuse(res, 'Unexpected Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`)) {
      return refuse(res, 'Cross-origin requests are not accepted');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.headers['sec-fetch-site'] === 'cross-site') {
      return refuse(res, 'Cross-site requests are not accepted');
    }

    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (rawPath.startsWith('/api/')) return handleApi(req, res, rawPath);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, errorEnvelope('VALIDATION', 'Method not allowed'));
    return serveStatic(req, res, rawPath);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const token = readCookie(req.headers.cookie, COOKIE);

    if (path === '/api/events' && req.method === 'GET') return openEventStream(res, token);
    if (path === '/api/session/info' && req.method === 'GET')
      return sendJson(res, 200, { ok: true, value: sessionInfo(opts.demo, opts.demoAccounts) });
    if (path.startsWith('/api/test/')) return handleTestControl(req, res, path);
    const evidence = /^\/api\/evidence\/([^/]*)$/.exec(path);
    if (evidence?.[1] !== undefined && (req.method === 'GET' || req.method === 'HEAD')) return sendEvidence(req, res, token, evidence[1]);
    const known = path === '/api/session/sign-in' || path === '/api/session/sign-out' || path.startsWith('/api/call/');
    if (!known) return sendJson(res, 404, errorEnvelope('NOT_FOUND', 'No such endpoint'));
    if (req.method !== 'POST') return sendJson(res, 405, errorEnvelope('VALIDATION', 'Method not allowed'));

    const body = await readJsonBody(req);
    if (path === '/api/session/sign-in') return signIn(req, res, token, body);
    if (path === '/api/session/sign-out') {
      if (token) await endSession(token);
      res.setHeader('Set-Cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      return sendJson(res, 200, { ok: true, value: null });
    }
    const call = /^\/api\/call\/([A-Za-z0-9_.%-]{1,100})$/.exec(path);
    if (call?.[1] !== undefined) {
      const method = safeDecode(call[1]);
      if (method === null) return sendJson(res, 200, errorEnvelope('NOT_FOUND', 'Unknown method'));
      return sendJson(res, 200, await core.callAs(token, method, body));
    }
    return sendJson(res, 404, errorEnvelope('NOT_FOUND', 'No such endpoint'));
  }

  /** `GET /api/evidence/<sha256>?variant=original|display|thumb`: the bytes of a stored file, for the signed-in session only. */
  async function sendEvidence(req: IncomingMessage, res: ServerResponse, token: string | null, id: string): Promise<void> {
    if (!core.readEvidence) return sendJson(res, 404, errorEnvelope('NOT_FOUND', 'No such endpoint'));
    const variant = new URL(req.url ?? '/', 'http://desk').searchParams.get('variant');
    const identity = await identityOf(token);
    if (identity === 'unavailable') return sendJson(res, 503, errorEnvelope('UNAVAILABLE', UNAVAILABLE_MESSAGE));
    const range = typeof req.headers.range === 'string' ? req.headers.range : null;
    const answer = await core.readEvidence(identity, { sha256: safeDecode(id) ?? '', variant, range, head: req.method === 'HEAD' });
    res.writeHead(answer.status, answer.headers);
    const body = answer.body;
    if (body === null || Buffer.isBuffer(body)) return void res.end(body ?? undefined);
    body.on('error', () => res.destroy()).pipe(res);
    // A video element that seeks closes its connection mid-file: stop reading the file too.
    res.on('close', () => body.destroy());
  }

  /** Absent unless the server was started with a test clock: then 404 like any unknown path. */
  async function handleTestControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const controls = opts.testControls;
    if (!controls) return sendJson(res, 404, errorEnvelope('NOT_FOUND', 'No such endpoint'));
    const now = () => ({ ok: true as const, value: { now: new Date(controls.now()).toISOString() } });
    if (path === '/api/test/now' && req.method === 'GET') return sendJson(res, 200, now());
    if (path === '/api/test/advance-clock' && req.method === 'POST') {
      const ms = ((await readJsonBody(req)) as { ms?: unknown } | undefined)?.ms;
      if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
        return sendJson(res, 200, errorEnvelope('VALIDATION', 'ms must be a non-negative whole number of milliseconds'));
      }
      await controls.advanceClock(ms);
      return sendJson(res, 200, now());
    }
    // The marketplace feed's party actions (evidence, replies, appeals) for e2e tests: the
    // same dispatch, as the intake identity. Exists only with the test clock.
    const intake = /^\/api\/test\/intake\/([A-Za-z0-9_.-]{1,100})$/.exec(path);
    if (intake?.[1] !== undefined && req.method === 'POST') {
      const body = await readJsonBody(req, MAX_TEST_INTAKE_BYTES);
      return sendJson(res, 200, await core.dispatch(intake[1], body, { kind: 'intake' }));
    }
    return sendJson(res, 404, errorEnvelope('NOT_FOUND', 'No such endpoint'));
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, previous: string | null, body: unknown): Promise<void> {
    const input = body as { userId?: unknown; password?: unknown } | undefined;
    if (typeof input?.userId !== 'string' || typeof input.password !== 'string') {
      return sendJson(res, 200, errorEnvelope('VALIDATION', 'User id and password are required'));
    }
    // A new token on every sign-in: a cookie planted before sign-in never becomes a session.
    if (previous) await endSession(previous).catch(() => undefined);
    const device = readCookie(req.headers.cookie, DEVICE_COOKIE);
    const source = device
      ? `device:${createHash('sha256').update(device).digest('hex').slice(0, 32)}`
      : `ip:${req.socket.remoteAddress ?? 'unknown'}`;
    const userAgent = String(req.headers['user-agent'] ?? 'unknown browser').slice(0, 300);
    const result = await core.signIn(input.userId, input.password, { source, userAgent });
    if (!result.ok) return sendJson(res, 200, result);
    const { userId, name, role, token, serverTime } = result.value;
    const cookies = [`${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`];
    if (!device)
      cookies.push(
        `${DEVICE_COOKIE}=${randomBytes(32).toString('base64url')}; HttpOnly; SameSite=Strict; Path=/api/session; Max-Age=${DEVICE_MAX_AGE_S}`,
      );
    res.setHeader('Set-Cookie', cookies);
    return sendJson(res, 200, { ok: true, value: { userId, name, role, serverTime } });
  }

  /** The session's user, anonymous without one, or 'unavailable' when the database cannot say. */
  async function identityOf(token: string | null): Promise<Identity | 'unavailable'> {
    if (!token) return { kind: 'anonymous' };
    try {
      return (await core.identify(token)) ?? { kind: 'anonymous' };
    } catch (e) {
      console.warn('[http] the session could not be read:', e instanceof Error ? e.message : String(e));
      return 'unavailable';
    }
  }

  async function endSession(token: string): Promise<void> {
    const open = streams.get(token);
    streams.delete(token);
    for (const stream of open ?? []) stream.end();
    await core.signOut(token);
  }

  async function openEventStream(res: ServerResponse, token: string | null): Promise<void> {
    const identity = await identityOf(token);
    if (identity === 'unavailable') return sendJson(res, 503, errorEnvelope('UNAVAILABLE', UNAVAILABLE_MESSAGE));
    if (!token || identity.kind !== 'user') return sendJson(res, 401, errorEnvelope('UNAUTHENTICATED', 'Sign in to receive updates'));
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    // `data: null` is "refresh everything" (src-renderer/src/api/client.ts subscribe).
    const send = (notice: ChangeNotice | null) => res.write(`event: change\ndata: ${JSON.stringify(notice)}\n\n`);
    const unsubscribe = core.onChange(send);
    // Comments keep idle proxies and the browser from timing the stream out; each beat also
    // checks the session still holds (ended elsewhere, deactivated, past its lifetime).
    const heartbeat = setInterval(() => {
      void identityOf(token).then((who) => (who !== 'unavailable' && who.kind !== 'user' ? res.end() : res.write(': ping\n\n')));
    }, SSE_HEARTBEAT_MS);
    const own = streams.get(token) ?? new Set<ServerResponse>();
    // A tab holds one stream; past MAX_STREAMS_PER_SESSION the oldest ends (its page reconnects if still
    // open), so one session cannot hold thousands, each a listener and a session read every beat.
    for (const oldest of own) {
      if (own.size < MAX_STREAMS_PER_SESSION) break;
      own.delete(oldest);
      oldest.end();
    }
    streams.set(token, own.add(res));
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      own.delete(res);
      if (own.size === 0 && streams.get(token) === own) streams.delete(token);
    });
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
    const found = await resolveStaticFile(staticRoot, rawPath);
    if (!found) return notFound(res);
    res.writeHead(200, {
      'Content-Type': contentTypeFor(found.file),
      'Content-Length': found.size,
      'Cache-Control': found.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  if (address && typeof address === 'object') port = address.port;

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        for (const open of streams.values()) for (const stream of open) stream.end();
        streams.clear();
        server.close(() => ok());
        // Event streams and keep-alive sockets would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/** Reads at most 1 MB (or `max`) and parses it; an empty body is `undefined` so dispatch can validate it. */
async function readJsonBody(req: IncomingMessage, max = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw tooLarge(req, max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge(req, max);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpFailure(400, { code: 'VALIDATION', message: 'The request body is not valid JSON' });
  }
}

function tooLarge(req: IncomingMessage, max: number): HttpFailure {
  // Stop reading; the connection is closed once the 413 has been written.
  req.pause();
  return new HttpFailure(413, { code: 'VALIDATION', message: `The request body is larger than ${max / (1024 * 1024)} MB` });
}

function sendJson(res: ServerResponse, status: number, body: Envelope<unknown> | { ok: true; value: unknown }): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.setHeader('Cache-Control', 'no-store');
  if (status === 413) res.setHeader('Connection', 'close');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function refuse(res: ServerResponse, message: string): void {
  sendJson(res, 403, errorEnvelope('FORBIDDEN', message));
}

function notFound(res: ServerResponse): void {
  const text = 'Not found';
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': text.length, 'Cache-Control': 'no-store' });
  res.end(text);
}

function errorEnvelope(code: AppError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function safeDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
