import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { FeedApi, FeedUpload } from '../app/feed/api';
import type { Feed } from '../app/feed/admin';
import type { AppError } from '../contract/errors';
import type { FeedListenerView } from '../contract/feed';
import { isDatabaseUnreachable, unavailable } from '../db/unavailable';
import { keepIdleSockets, timeoutOptions } from './timeouts';

/**
 * The feed API's carrier (FEED.md): `/feed/v1/…` on the `serve` server, or on its own
 * listener (the desktop's setting, loopback by default). Bearer tokens, not cookies, so the
 * browser-session defences of transport/http.ts (Host, Origin) do not apply here; a browser
 * page cannot send an Authorization header across origins without a CORS answer, and there
 * is none. Bodies are bounded; evidence files stream through busboy into the store.
 */

/** JSON calls: a policy-sized image as base64 (2 MB → 2.7 MB of text) and the rest of the input. */
export const MAX_FEED_JSON_BYTES = 4 * 1024 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** What a 503 (UNAVAILABLE) tells the marketplace to wait before sending again, in seconds. */
const BUSY_RETRY_AFTER_S = 30;
/** A multipart body's non-file parts: the note and the part headers. */
const MAX_NOTE_BYTES = 8 * 1024;

class FeedFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: AppError,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.message);
  }
}

const failure = (status: number, code: AppError['code'], message: string, field?: string) =>
  new FeedFailure(status, field === undefined ? { code, message } : { code, message, field });

/** 405 names the method the endpoint takes in `Allow`, as RFC 9110 §15.5.6 requires. */
const notAllowed = (allow: string, message: string) => new FeedFailure(405, { code: 'VALIDATION', message }, { Allow: allow });

/** Handles a request whose path starts with /feed/; answers everything itself. */
export async function handleFeedRequest(api: FeedApi, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    await route(api, req, res, path);
  } catch (e) {
    if (e instanceof FeedFailure) return sendFeedJson(res, e.status, { ok: false, error: e.error }, e.headers, req);
    if (isRefusal(e)) return sendFeedJson(res, e.status, e.body, {}, req);
    // The database away (reading the token, the cursor, a case's owner, an upload's chunks): 503 with
    // Retry-After (FEED.md), so the marketplace waits and retries, rather than a 500 it may give up on.
    if (isDatabaseUnreachable(e)) return sendFeedJson(res, 503, { ok: false, error: unavailable(e).toError() }, {}, req);
    console.error('[feed] unexpected error', e);
    sendFeedJson(
      res,
      500,
      { ok: false, error: { code: 'INTERNAL', message: 'Internal error; nothing was changed. Retry with the same Idempotency-Key.' } },
      {},
      req,
    );
  }
}

/** A refusal the feed API answered with (FeedUpload.take rejects with one). */
const isRefusal = (e: unknown): e is { status: number; body: unknown } =>
  typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' && 'body' in e;

async function route(api: FeedApi, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (path === '/feed/v1/openapi.json' && (req.method === 'GET' || req.method === 'HEAD')) return sendFeedJson(res, 200, api.openApi());
  const feed = await authenticate(api, req);
  const wait = api.throttle(feed);
  if (wait !== null)
    throw new FeedFailure(
      429,
      { code: 'RATE_LIMITED', message: `This feed sends faster than its limit; wait ${wait} s and send again (same Idempotency-Key).` },
      { 'Retry-After': String(wait) },
    );

  if (path === '/feed/v1/events') {
    if (req.method !== 'GET') throw notAllowed('GET', 'Read events with GET.');
    const q = new URL(req.url ?? '/', 'http://desk').searchParams;
    const answer = await api.events(feed, { after: q.get('after') ?? undefined, limit: q.get('limit') ?? undefined });
    return sendFeedJson(res, answer.status, answer.body);
  }
  const call = /^\/feed\/v1\/call\/([A-Za-z0-9_.-]{1,100})$/.exec(path);
  if (call?.[1] !== undefined) {
    if (req.method !== 'POST') throw notAllowed('POST', 'Call methods with POST.');
    const key = idempotencyKey(req);
    // application/json itself (parameters allowed): not application/json-patch+json, application/jsonlines, …
    if (!/^application\/json\s*(?:;|$)/i.test(req.headers['content-type'] ?? ''))
      throw failure(415, 'UNSUPPORTED_FILE', 'Send the input as Content-Type: application/json.');
    const raw = await readBody(req, MAX_FEED_JSON_BYTES);
    let text: string;
    try {
      // Strict: Buffer.toString would store U+FFFD for every byte that is not UTF-8 (a Latin-1 "é").
      // A leading byte-order mark is skipped (RFC 8259 §8.1 lets a parser ignore it).
      text = utf8.decode(raw);
    } catch {
      throw failure(400, 'VALIDATION', 'The request body is not UTF-8 text; send JSON encoded as UTF-8.');
    }
    let input: unknown;
    try {
      input = raw.length ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      throw failure(400, 'VALIDATION', 'The request body is not valid JSON.');
    }
    const answer = await api.call(feed, call[1], input, key, raw);
    return sendFeedJson(res, answer.status, answer.body);
  }
  const evidence = /^\/feed\/v1\/evidence\/([^/]{1,400})\/([^/]{1,20})$/.exec(path);
  if (evidence?.[1] !== undefined && evidence[2] !== undefined) {
    if (req.method !== 'POST') throw notAllowed('POST', 'Upload evidence with POST.');
    const key = idempotencyKey(req);
    if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? ''))
      throw failure(415, 'UNSUPPORTED_FILE', 'Send the files as Content-Type: multipart/form-data (one to ten `file` parts).');
    const upload = await api.beginUpload(feed, decode(evidence[1]), decode(evidence[2]));
    if (!('take' in upload)) return sendFeedJson(res, upload.status, upload.body, {}, req);
    const note = await streamParts(req, upload);
    const answer = await upload.finish(note, key);
    return sendFeedJson(res, answer.status, answer.body);
  }
  throw failure(404, 'NOT_FOUND', 'No such feed endpoint; see /feed/v1/openapi.json.');
}

async function authenticate(api: FeedApi, req: IncomingMessage): Promise<Feed> {
  const m = /^Bearer\s+(\S{1,400})$/i.exec(req.headers.authorization ?? '');
  const feed = m?.[1] ? await api.authenticate(m[1]) : null;
  if (!feed)
    throw new FeedFailure(
      401,
      { code: 'UNAUTHENTICATED', message: 'Send the feed token as Authorization: Bearer <token>; this one is unknown or revoked.' },
      { 'WWW-Authenticate': 'Bearer' },
    );
  return feed;
}

function idempotencyKey(req: IncomingMessage): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(key) || key.trim() !== key || key === '')
    throw failure(
      400,
      'VALIDATION',
      'Send an Idempotency-Key header of 1–200 printable characters, unique per intended effect.',
      'Idempotency-Key',
    );
  return key;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > max) throw tooLarge(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const tooLarge = (max: number) =>
  failure(
    413,
    'FILE_TOO_LARGE',
    `The request body is larger than ${max / (1024 * 1024)} MB; send large files to POST /feed/v1/evidence/<caseId>/<party> as multipart.`,
  );

/**
 * Streams the multipart body: each `file` part goes to the store as it arrives (one at a time,
 * in order; the parser waits while a file is being written), the `note` field is kept. The
 * first refusal (a file over the policy's limit, a wrong type) stops reading at once.
 */
function streamParts(req: IncomingMessage, upload: FeedUpload): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let note: string | undefined;
    let failed = false;
    let pending: Promise<void> = Promise.resolve();
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: {
          files: 10,
          fields: 1,
          parts: 11,
          fieldSize: MAX_NOTE_BYTES,
          // A backstop only: the store refuses at the policy's limit for the sniffed kind, before this.
          fileSize: Math.max(upload.limits.maxImageBytes, upload.limits.maxVideoBytes) + 1,
        },
      });
    } catch {
      return reject(failure(400, 'VALIDATION', 'The multipart body has no boundary.'));
    }
    /** File parts not yet read to their end: the store waits on each while it holds a temp file. */
    const unfinished = new Set<Readable>();
    const stop = (e: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      // No more bytes will come: a store still reading one of these would wait forever with its file open.
      for (const stream of unfinished) stream.destroy(new Error('the upload stopped'));
      reject(e);
    };
    parser.on('file', (field, stream, info) => {
      // At once, before anything awaits: busboy errors a file stream whose body ends before the
      // closing boundary, and an 'error' nobody listens to would take the whole process down.
      // The parser reports the same error (below); the store's reading of the stream sees it too.
      stream.on('error', () => undefined);
      unfinished.add(stream);
      stream.once('close', () => unfinished.delete(stream));
      if (failed) return void stream.resume();
      if (field !== 'file') {
        stream.resume();
        return stop(
          failure(
            400,
            'VALIDATION',
            `Unexpected part "${field.slice(0, 50)}": send files as \`file\` parts and the note as \`note\`.`,
            field,
          ),
        );
      }
      pending = pending
        .then(() => (failed ? void stream.resume() : upload.take(info.filename, stream)))
        .catch((e: unknown) => {
          stream.resume();
          stop(e);
        });
    });
    parser.on('field', (field, value, info) => {
      if (field !== 'note')
        return stop(failure(400, 'VALIDATION', `Unexpected field "${field.slice(0, 50)}": only \`note\` is read.`, field));
      if (info.valueTruncated) return stop(failure(400, 'VALIDATION', `note is longer than ${MAX_NOTE_BYTES} bytes.`, 'note'));
      note = value;
    });
    parser.on('filesLimit', () =>
      stop(failure(400, 'VALIDATION', 'An upload holds at most 10 files; send the rest as their own answer.', 'file')),
    );
    parser.on('partsLimit', () => stop(failure(400, 'VALIDATION', 'Too many parts: one to ten `file` parts and an optional `note`.')));
    parser.on('fieldsLimit', () => stop(failure(400, 'VALIDATION', 'Only one `note` field is read.', 'note')));
    parser.on('error', (e: unknown) => stop(unreadable(e)));
    parser.on('close', () => {
      void pending.then(() => {
        if (!failed) resolve(note);
      });
    });
    req.on('aborted', () => stop(failure(400, 'VALIDATION', 'The upload was interrupted.')));
    req.on('close', () => {
      if (!req.complete) stop(failure(400, 'VALIDATION', 'The upload was interrupted.'));
    });
    req.pipe(parser);
  });
}

/** A multipart body busboy could not read; a cut-off body (the usual case) said in words. */
const unreadable = (e: unknown) =>
  (e as Error).message === 'Unexpected end of form'
    ? failure(
        400,
        'VALIDATION',
        'The multipart body ended before its closing boundary (--<boundary>--); nothing was recorded. Send the whole body again with the same Idempotency-Key.',
      )
    : failure(400, 'VALIDATION', `The multipart body cannot be read: ${(e as Error).message}`);

export function sendFeedJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  req?: IncomingMessage,
): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  // Busy (a full image queue, the database away): say when to come back, as a 429 does.
  const busy = status === 503 && !('Retry-After' in headers) ? { 'Retry-After': String(BUSY_RETRY_AFTER_S) } : {};
  // A refusal before the body was read whole: answer, then close rather than read the rest.
  const unread = req !== undefined && !req.complete;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...(unread ? { Connection: 'close' } : {}),
    ...busy,
    ...headers,
  });
  res.end(text);
  if (unread) res.on('finish', () => req.destroy());
}

/** The feed API on its own listener (the desktop: a setting chooses the interface and port; loopback by default). */
export async function startFeedServer(
  api: FeedApi,
  opts: { host: string; port: number },
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(timeoutOptions(), (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/feed/'))
      return sendFeedJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: 'Only /feed/v1/… is served here.' } });
    void handleFeedRequest(api, req, res, path);
  });
  // A marketplace's keep-alive agent reuses its sockets: Node's 5 s default closed them under its calls.
  keepIdleSockets(server);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : opts.port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * The desktop's feed listener (MEDIATION_DESK_FEED_LISTEN): started, or what stopped it as the
 * Feeds screen says it: a port another program holds is the usual case, and has its own
 * sentence with what to do, like `serve` says it for its own port.
 */
export async function listenForFeed(
  api: FeedApi,
  opts: { host: string; port: number },
): Promise<{ server: Awaited<ReturnType<typeof startFeedServer>> | null; view: FeedListenerView }> {
  const { host, port } = opts;
  try {
    const server = await startFeedServer(api, opts);
    return { server, view: { host, port, state: 'listening', url: `${server.url}/feed/v1/`, problem: null } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const elsewhere = `set MEDIATION_DESK_FEED_LISTEN to another port (for example ${host}:${port === 65535 ? port - 1 : port + 1}) and restart Mediation Desk, then give the marketplace the new address`;
    const view: FeedListenerView =
      code === 'EADDRINUSE'
        ? {
            host,
            port,
            state: 'port_in_use',
            url: null,
            problem: `Port ${port} is in use by another program, so the marketplace cannot reach this desk's feed API. Close that program, or ${elsewhere}.`,
          }
        : code === 'EACCES'
          ? {
              host,
              port,
              state: 'not_permitted',
              url: null,
              problem: `This user may not listen on port ${port}, so the marketplace cannot reach this desk's feed API; ${elsewhere} (above 1023).`,
            }
          : {
              host,
              port,
              state: 'failed',
              url: null,
              problem: `The feed API cannot listen on ${host}:${port} (${(e as Error).message}); ${elsewhere}.`,
            };
    return { server: null, view };
  }
}
