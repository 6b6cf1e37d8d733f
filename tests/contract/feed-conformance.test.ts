import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M1, deskCall, dispute, feedPost, newKey, openDesk, type Desk } from './feed-harness';
import { startFeedServer } from '../../src-main/transport/feed-http';

/**
 * The feed API as a marketplace's own test suite meets it from outside (FEED.md): what the
 * OpenAPI document says against what the server really answers, the content types a call
 * takes, and the webhook's "until a 2xx" when the receiver answers with a redirect. Checked on
 * `serve`'s carrier and, where the two could differ, on the desktop's own feed listener.
 */

type Schema = Record<string, unknown>;
interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: unknown }> }>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * The few JSON Schema (2020-12) keywords the document uses, checked strictly: a keyword this does
 * not know fails the check rather than passing silently. Returns the problems found.
 */
function validate(doc: OpenApiDoc, schema: Schema, value: unknown, at = '$'): string[] {
  const problems: string[] = [];
  const known = new Set([
    '$ref',
    'type',
    'properties',
    'required',
    'additionalProperties',
    'propertyNames',
    'items',
    'enum',
    'const',
    'minimum',
    'maximum',
    'description',
    'default',
  ]);
  for (const k of Object.keys(schema)) if (!known.has(k)) problems.push(`${at}: the check does not know the keyword ${k}`);
  if (typeof schema.$ref === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? doc.components.schemas[name] : undefined;
    if (!target) return [...problems, `${at}: unresolved ${schema.$ref}`];
    return [...problems, ...validate(doc, target, value, at)];
  }
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  if (schema.type !== undefined) {
    const t = typeOf(value);
    const ok = schema.type === t || (schema.type === 'number' && t === 'integer');
    if (!ok) return [...problems, `${at}: expected ${JSON.stringify(schema.type)}, got ${t}`];
  }
  if ('const' in schema && value !== schema.const) problems.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not in the enum`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: below the minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: above the maximum`);
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => problems.push(...validate(doc, schema.items as Schema, v, `${at}[${i}]`)));
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) problems.push(`${at}: ${r} is required`);
    for (const [k, v] of Object.entries(o)) {
      if (props[k]) problems.push(...validate(doc, props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) problems.push(`${at}: ${k} is not allowed by the document`);
      else if (typeof schema.additionalProperties === 'object')
        problems.push(...validate(doc, schema.additionalProperties as Schema, v, `${at}.${k}`));
    }
  }
  return problems;
}

interface Seen {
  path: string;
  method: 'get' | 'post';
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Every answer must have its status in the document for its operation, and a body the document's schema takes. */
function conforms(doc: OpenApiDoc, seen: Seen): string[] {
  const operation = doc.paths[seen.path]?.[seen.method];
  if (!operation) return [`${seen.method} ${seen.path} is not in the document`];
  const response = operation.responses[String(seen.status)];
  if (!response) return [`${seen.method} ${seen.path}: status ${seen.status} is not in the document (${JSON.stringify(seen.body)})`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return [`${seen.method} ${seen.path} ${seen.status}: the document gives no schema for the JSON answer`];
  return validate(doc, schema, seen.body).map((p) => `${seen.method} ${seen.path} ${seen.status}: ${p}`);
}

function raw(
  base: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: unknown }> {
  return new Promise((ok, fail) => {
    const u = new URL(base);
    const r = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text, and the schema check says so
        }
        ok({ status: res.statusCode!, headers: res.headers, body });
      });
    });
    r.on('error', fail);
    if (opts.body !== undefined) r.write(opts.body);
    r.end();
  });
}

const multipart = (parts: Array<{ name: string; filename?: string; content: string | Buffer }>) => {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--BOUNDARY\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from('--BOUNDARY--\r\n'));
  return Buffer.concat(chunks);
};

/** A tiny real PNG (1×1, opaque): what the upload route takes. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64');

describe('the feed API from outside', () => {
  let desk: Desk;
  let listener: Awaited<ReturnType<typeof startFeedServer>>;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    desk = await openDesk(undefined);
    listener = await startFeedServer(desk.core.feed!, { host: '127.0.0.1', port: 0 });
    doc = (await (await fetch(`${desk.server.url}/feed/v1/openapi.json`)).json()) as OpenApiDoc;
    expect((await feedPost(desk, 'intake.dispute', dispute('C-1'), newKey())).status).toBe(200);
    expect((await feedPost(desk, 'intake.dispute', dispute('C-2'), newKey())).status).toBe(200);
  });
  afterAll(async () => {
    await listener?.close();
    await desk?.close();
  });

  it('answers only statuses the OpenAPI document lists for the operation, with bodies its schemas take (serve and the desktop listener)', async () => {
    await deskCall(desk, 'case.claim', { caseId: 'C-1' }, M1);
    await deskCall(desk, 'case.requestEvidence', { caseId: 'C-1', party: 'buyer', request: 'A photo of the fault.' }, M1);
    for (const base of [desk.server.url, listener.url]) {
      const auth = { Authorization: `Bearer ${desk.token}` };
      const json = { ...auth, 'Content-Type': 'application/json' };
      const seen: Seen[] = [];
      const see = async (
        path: string,
        method: 'get' | 'post',
        opts: { url: string; headers?: Record<string, string>; body?: string | Buffer },
      ): Promise<void> => {
        const r = await raw(base, { method: method.toUpperCase(), path: opts.url, headers: opts.headers, body: opts.body });
        seen.push({ path, method, status: r.status, body: r.body, headers: r.headers });
      };
      const events = '/feed/v1/events';
      await see(events, 'get', { url: `${events}?after=0&limit=10`, headers: auth }); // 200 with events
      await see(events, 'get', { url: `${events}?after=99999&limit=10`, headers: auth }); // 200, none
      await see(events, 'get', { url: `${events}?after=-1`, headers: auth }); // 400
      await see(events, 'get', { url: events, headers: { Authorization: 'Bearer md_feed_unknown' } }); // 401

      const reply = '/feed/v1/call/party.reply';
      await see(reply, 'post', { url: reply, headers: { ...json, 'Idempotency-Key': newKey() }, body: '{"caseId":"C-1"}' }); // 400
      await see(reply, 'post', {
        url: reply,
        headers: { ...json, 'Idempotency-Key': newKey() },
        body: JSON.stringify({ caseId: 'C-404', party: 'buyer', choice: 'reject' }),
      }); // 404
      await see(reply, 'post', {
        url: reply,
        headers: { ...json, 'Idempotency-Key': newKey() },
        body: JSON.stringify({ caseId: 'C-1', party: 'buyer', choice: 'reject' }),
      }); // 409: no resolutions published
      const intake = '/feed/v1/call/intake.dispute';
      const key = newKey();
      await see(intake, 'post', { url: intake, headers: { ...json, 'Idempotency-Key': key }, body: JSON.stringify(dispute('C-3')) }); // 200
      await see(intake, 'post', { url: intake, headers: { ...json, 'Idempotency-Key': key }, body: JSON.stringify(dispute('C-4')) }); // 409 CONFLICT

      const upload = '/feed/v1/evidence/{caseId}/{party}';
      const form = { ...auth, 'Content-Type': 'multipart/form-data; boundary=BOUNDARY' };
      const png = multipart([{ name: 'file', filename: 'fault.png', content: PNG }]);
      await see(upload, 'post', { url: '/feed/v1/evidence/C-404/buyer', headers: { ...form, 'Idempotency-Key': newKey() }, body: png }); // 404
      await see(upload, 'post', { url: '/feed/v1/evidence/C-2/buyer', headers: { ...form, 'Idempotency-Key': newKey() }, body: png }); // 409 NO_OPEN_REQUEST
      await see(upload, 'post', {
        url: '/feed/v1/evidence/C-1/buyer',
        headers: { ...form, 'Idempotency-Key': newKey() },
        body: multipart([{ name: 'file', filename: 'empty.jpg', content: '' }]),
      }); // 415
      await see(upload, 'post', { url: '/feed/v1/evidence/C-1/judge', headers: { ...form, 'Idempotency-Key': newKey() }, body: png }); // 400
      if (base === desk.server.url)
        await see(upload, 'post', { url: '/feed/v1/evidence/C-1/buyer', headers: { ...form, 'Idempotency-Key': newKey() }, body: png }); // 200

      const statuses = seen.map((s) => `${s.method} ${s.path} ${s.status}`);
      expect(statuses).toEqual(
        expect.arrayContaining([
          `get ${events} 200`,
          `get ${events} 400`,
          `get ${events} 401`,
          `post ${reply} 400`,
          `post ${reply} 404`,
          `post ${reply} 409`,
          `post ${intake} 200`,
          `post ${intake} 409`,
          `post ${upload} 404`,
          `post ${upload} 409`,
          `post ${upload} 415`,
          `post ${upload} 400`,
        ]),
      );
      expect(seen.flatMap((s) => conforms(doc, s))).toEqual([]);
    }
  });

  it('does not list 404 for intake.dispute, which names no existing case: a dispute id of another feed is 409 DUPLICATE', async () => {
    const other = await desk.addFeed('conformance-other');
    const r = await feedPost(desk, 'intake.dispute', dispute('C-1'), newKey(), other.token);
    expect([r.status, r.body.error?.code]).toEqual([409, 'DUPLICATE']);
    expect(Object.keys(doc.paths['/feed/v1/call/intake.dispute']!.post!.responses)).not.toContain('404');
  });

  it("documents the Idempotency-Key the server takes: the document's pattern accepts exactly the keys the server accepts", async () => {
    const param = (
      doc.paths['/feed/v1/call/party.reply']!.post as unknown as { parameters: Array<{ name: string; schema: Schema }> }
    ).parameters.find((p) => p.name === 'Idempotency-Key')!.schema;
    expect(typeof param.pattern).toBe('string');
    const pattern = new RegExp(param.pattern as string);
    for (const key of ['a', 'a b', 'x'.repeat(200), 'x'.repeat(201), '~!@#$%^&*()', 'k\u00e9y', 'tab\there', 'a\u007f']) {
      const r = await raw(desk.server.url, {
        method: 'POST',
        path: '/feed/v1/call/party.reply',
        headers: {
          Authorization: `Bearer ${desk.token}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': Buffer.from(key, 'latin1').toString('latin1'),
        },
        body: JSON.stringify({ caseId: 'C-404', party: 'buyer', choice: 'reject' }),
      }).catch(() => ({ status: 400 })); // a client may refuse to send some of these itself
      const documented = pattern.test(key) && key.length <= 200;
      expect(r.status === 400 ? 'refused' : 'taken', JSON.stringify(key)).toBe(documented ? 'taken' : 'refused');
    }
  });

  it('lists 503 (busy, with Retry-After) for every operation, as it may answer it to any of them', () => {
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        expect(op.responses['503'], `${method} ${path}`).toBeDefined();
        expect(op.responses['503']!.headers, `${method} ${path}`).toMatchObject({ 'Retry-After': expect.anything() });
      }
  });

  it('takes a call as application/json only (parameters allowed), not another JSON-looking media type', async () => {
    const send = (contentType: string) =>
      raw(desk.server.url, {
        method: 'POST',
        path: '/feed/v1/call/intake.dispute',
        headers: { Authorization: `Bearer ${desk.token}`, 'Content-Type': contentType, 'Idempotency-Key': newKey() },
        body: JSON.stringify(dispute('C-5')),
      });
    for (const ok of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset=UTF-8'])
      expect((await send(ok)).status, ok).toBe(200);
    for (const refused of ['application/json-patch+json', 'application/jsonlines', 'application/json5', 'text/json', 'text/plain'])
      expect((await send(refused)).status, refused).toBe(415);
  });

  it('answers a method an endpoint does not take with 405 and an Allow header naming the one it does (RFC 9110)', async () => {
    const auth = { Authorization: `Bearer ${desk.token}` };
    for (const [method, path, allow] of [
      ['GET', '/feed/v1/call/party.reply', 'POST'],
      ['PUT', '/feed/v1/evidence/C-1/buyer', 'POST'],
      ['POST', '/feed/v1/events', 'GET'],
    ] as const) {
      const r = await raw(desk.server.url, { method, path, headers: auth });
      expect([r.status, r.headers.allow], `${method} ${path}`).toEqual([405, allow]);
    }
  });
});

describe('rate limit', () => {
  it("a feed that waits the Retry-After it was told is served again, while the desk's own clock stands still", async () => {
    // The desk runs on a test clock that does not move by itself (`serve --test-clock`, the e2e tests).
    const slow = await openDesk(undefined, { rateLimit: { perSecond: 2, burst: 2 } });
    try {
      const events = () => fetch(`${slow.server.url}/feed/v1/events`, { headers: { Authorization: `Bearer ${slow.token}` } });
      expect([(await events()).status, (await events()).status]).toEqual([200, 200]);
      const refused = await events();
      expect(refused.status).toBe(429);
      const wait = Number(refused.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, wait * 1_000));
      expect((await events()).status).toBe(200);
    } finally {
      await slow.close();
    }
  });
});

describe('webhook push and redirects', () => {
  let desk: Desk;
  let hook: Server;
  const got: Array<{ method: string; url: string; signature?: string }> = [];
  beforeAll(async () => {
    desk = await openDesk(undefined);
    hook = createServer((req, res) => {
      got.push({ method: req.method!, url: req.url!, signature: req.headers['x-desk-signature'] as string | undefined });
      req.resume();
      req.on('end', () => {
        if (req.url === '/hook') {
          res.writeHead(302, { Location: '/elsewhere' });
          return res.end();
        }
        res.writeHead(200).end('a page');
      });
    });
    await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', ok));
  });
  afterAll(async () => {
    await desk?.close();
    hook?.close();
  });

  it('signs with t = the real unix time, so a receiver that refuses stale signatures takes it (the desk runs on a test clock)', async () => {
    const port = (hook.address() as { port: number }).port;
    const { token } = await desk.addFeed('fresh-signature', `http://127.0.0.1:${port}/fresh`);
    expect((await feedPost(desk, 'intake.dispute', dispute('F-1'), newKey(), token)).status).toBe(200);
    await desk.core.webhooks.runOnce();
    const signed = got.filter((g) => g.url === '/fresh');
    expect(signed.length).toBeGreaterThan(0);
    for (const g of signed) {
      const t = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(g.signature ?? '')?.[1]);
      // A receiver's usual tolerance is five minutes; the desk's clock is months away from now.
      expect(Math.abs(t - Date.now() / 1000), g.signature).toBeLessThan(300);
    }
    expect(Math.abs(desk.clock.now() - Date.now())).toBeGreaterThan(86_400_000);
  });

  it('a webhook answering 302 has not taken the batch: no redirect is followed, the batch is retried', async () => {
    const { token } = await desk.addFeed('redirected', `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`);
    expect((await feedPost(desk, 'intake.dispute', dispute('R-1'), newKey(), token)).status).toBe(200);
    await desk.core.webhooks.runOnce();
    // FEED.md: POSTed to the URL, retried until a 2xx. A redirect is not a 2xx, and following it
    // would turn the POST into a GET of another page (fetch's rule for 302) whose 200 says nothing.
    expect(got.filter((g) => g.url !== '/fresh').map(({ method, url }) => ({ method, url }))).toEqual([{ method: 'POST', url: '/hook' }]);
    const state = await desk.core.db
      .selectFrom('feeds')
      .select(['delivered_seq', 'delivery_attempts', 'delivery_error'])
      .where('name', '=', 'redirected')
      .executeTakeFirstOrThrow();
    expect(Number(state.delivered_seq)).toBe(0);
    expect(state.delivery_attempts).toBe(1);
    expect(state.delivery_error).toMatch(/302/);
  });
});
