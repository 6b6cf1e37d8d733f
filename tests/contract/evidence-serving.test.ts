import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { insertEvidenceFiles } from '../../src-main/db/repos/evidence';
import { ContentStore } from '../../src-main/files/store';
import type { CoreApi } from '../../src-main/app/core-api';
import { withFakeSessions } from './fake-sessions';
import { parseRange, serveEvidence, type EvidenceResponse } from '../../src-main/app/evidence/serving';
import { startHttpServer } from '../../src-main/transport/http';
import type { Identity } from '../../src-main/app/identity';

/**
 * Serving stored evidence (issue 5 §5): ids only, no paths from the request, the content type
 * from the database, nosniff, ranges for video seeking, signed-in readers only. The function
 * is tested directly and through the HTTP carrier's route with a real store and database.
 */

const LIMITS = { maxImageBytes: 2 * 1024 * 1024, maxVideoBytes: 100 * 1024 * 1024 };
const MEDIATOR: Identity = { kind: 'user', userId: 'mira', name: 'Mira', role: 'mediator' };
const ANALYST: Identity = { kind: 'user', userId: 'hannah', name: 'Hannah', role: 'analyst' };

async function bodyOf(r: EvidenceResponse): Promise<Buffer> {
  if (r.body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(r.body)) return r.body;
  const chunks: Buffer[] = [];
  for await (const c of r.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function raw(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { Host: url.host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('evidence serving', () => {
  let dir: string;
  let db: Db;
  let store: ContentStore;
  let png: Buffer;
  let pngSha: string;
  let thumb: Buffer;
  /** Stored bytes whose row records a type no browser should render as a page. */
  let oddSha: string;
  /** Bytes in the store without a row (a refused command left them): never served. */
  let orphanSha: string;
  /** A row without bytes (a store copied without its files). */
  const missingSha = 'ab'.repeat(32);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'md-evserve-'));
    db = await openDatabase({ url: ':memory:' });
    store = new ContentStore(join(dir, 'evidence'));
    // Noise so the file is a few KB: ranges have something to cut.
    const noise = Buffer.alloc(64 * 48 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919) % 251;
    png = await sharp(noise, { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .toBuffer();
    const put = await store.put(png, LIMITS, { name: 'photo.jpg' });
    pngSha = put.sha256;
    thumb = await sharp(png).resize(32).jpeg().toBuffer();
    await store.putDerived(pngSha, 'thumb', thumb);
    const odd = await store.put(
      await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } })
        .png()
        .toBuffer(),
      LIMITS,
    );
    oddSha = odd.sha256;
    const orphan = await store.put(
      await sharp({ create: { width: 5, height: 5, channels: 3, background: '#123' } })
        .png()
        .toBuffer(),
      LIMITS,
    );
    orphanSha = orphan.sha256;
    const row = (sha256: string, media_type: string, size_bytes: number, variants: string) => ({
      sha256,
      media_type,
      kind: 'image',
      size_bytes,
      width: 64,
      height: 48,
      frames: null,
      captured_at: null,
      captured_at_has_offset: 0,
      device: null,
      phash: null,
      phash_hi: null,
      phash_lo: null,
      cluster_key: null,
      variants,
      stored_at: 0,
    });
    await insertEvidenceFiles(db, [
      row(pngSha, 'image/png', png.length, 'thumb'),
      row(oddSha, 'text/html', 100, ''),
      row(missingSha, 'image/jpeg', 10, 'display,thumb'),
    ]);
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (identity: Identity, sha256: string, variant?: string | null, range?: string | null, head?: boolean) =>
    serveEvidence(db, store, identity, { sha256, variant, range, head });

  describe('who may read', () => {
    it('refuses the anonymous (401), the intake feed and the system (403)', async () => {
      const anon = await get({ kind: 'anonymous' }, pngSha);
      expect(anon.status).toBe(401);
      expect(JSON.parse((await bodyOf(anon)).toString())).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
      expect((await get({ kind: 'intake' }, pngSha)).status).toBe(403);
      expect((await get({ kind: 'system' }, pngSha)).status).toBe(403);
    });
    it('serves mediators, supervisors and analysts', async () => {
      for (const role of ['mediator', 'supervisor', 'analyst'] as const) {
        const r = await get({ kind: 'user', userId: 'u', name: 'U', role }, pngSha);
        expect(r.status).toBe(200);
        expect((await bodyOf(r)).equals(png)).toBe(true);
      }
    });
  });

  describe('ids and variants only', () => {
    it('refuses anything but 64 lowercase hex digits', async () => {
      for (const bad of [
        '',
        pngSha.toUpperCase(),
        pngSha.slice(1),
        `${pngSha}0`,
        '../../etc/passwd',
        `../${pngSha}`,
        `${pngSha.slice(0, 62)}/.`,
        `${pngSha.slice(0, 63)}\u0000`,
      ]) {
        const r = await get(MEDIATOR, bad);
        expect(r.status, bad).toBe(400);
        expect(JSON.parse((await bodyOf(r)).toString()).error.code).toBe('VALIDATION');
      }
    });
    it('refuses an unknown variant; an absent one means the original', async () => {
      for (const bad of ['../original', 'original/../../x', 'ORIGINAL', 'raw', 'thumb.jpg'])
        expect((await get(MEDIATOR, pngSha, bad)).status, bad).toBe(400);
      const r = await get(MEDIATOR, pngSha, null);
      expect(r.status).toBe(200);
      expect((await bodyOf(r)).equals(png)).toBe(true);
    });
    it('serves only files with a row: bytes in the store without one are 404', async () => {
      expect(await store.has(orphanSha)).toBe(true);
      const r = await get(MEDIATOR, orphanSha);
      expect(r.status).toBe(404);
      await bodyOf(r);
    });
    it('answers 404 for a row whose bytes are missing and for a variant the file does not have', async () => {
      expect((await get(MEDIATOR, missingSha)).status).toBe(404);
      expect((await get(MEDIATOR, missingSha, 'thumb')).status).toBe(404);
      const noDisplay = await get(MEDIATOR, pngSha, 'display');
      expect(noDisplay.status).toBe(404);
      expect(JSON.parse((await bodyOf(noDisplay)).toString()).error.message).toMatch(/no display copy/);
    });
  });

  describe('headers', () => {
    it('takes the content type from the database, not the name the party gave', async () => {
      // Stored from "photo.jpg", recorded as PNG from its bytes: served as PNG.
      const r = await get(MEDIATOR, pngSha);
      expect(r.headers['Content-Type']).toBe('image/png');
      expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
      expect(r.headers['Content-Disposition']).toBe(`inline; filename="evidence-${pngSha.slice(0, 16)}.png"`);
      expect(r.headers['Cache-Control']).toBe('private, max-age=31536000, immutable');
      expect(r.headers['Accept-Ranges']).toBe('bytes');
      expect(r.headers['Content-Length']).toBe(String(png.length));
      await bodyOf(r);
    });
    it('serves derived copies as JPEG', async () => {
      const r = await get(ANALYST, pngSha, 'thumb');
      expect(r.status).toBe(200);
      expect(r.headers['Content-Type']).toBe('image/jpeg');
      expect(r.headers['Content-Disposition']).toBe(`inline; filename="evidence-${pngSha.slice(0, 16)}-thumb.jpg"`);
      expect((await bodyOf(r)).equals(thumb)).toBe(true);
    });
    it('never passes on a recorded type that is not an image or a video', async () => {
      const r = await get(MEDIATOR, oddSha);
      expect(r.status).toBe(200);
      expect(r.headers['Content-Type']).toBe('application/octet-stream');
      expect(r.headers['Content-Security-Policy']).toContain('sandbox');
      await bodyOf(r);
    });
    it('error answers are not cached', async () => {
      const r = await get(MEDIATOR, 'nope');
      expect(r.headers['Cache-Control']).toBe('no-store');
    });
  });

  describe('ranges', () => {
    it('parses one range of each form and ignores the rest', () => {
      expect(parseRange(null, 100)).toBeNull();
      expect(parseRange('bytes=0-9', 100)).toEqual([0, 9]);
      expect(parseRange('bytes=90-', 100)).toEqual([90, 99]);
      expect(parseRange('bytes=-10', 100)).toEqual([90, 99]);
      expect(parseRange('bytes=-1000', 100)).toEqual([0, 99]);
      expect(parseRange('bytes=50-5000', 100)).toEqual([50, 99]);
      expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
      expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
      expect(parseRange('bytes=99999999999999999999-', 100)).toBe('unsatisfiable');
      for (const ignored of ['bytes=', 'bytes=-', 'bytes=5-1', 'bytes=0-1,5-9', 'items=0-9', 'bytes=a-b', 'bytes=1.5-2'])
        expect(parseRange(ignored, 100), ignored).toBeNull();
    });
    it('answers 206 with Content-Range for one range', async () => {
      const r = await get(MEDIATOR, pngSha, 'original', 'bytes=0-9');
      expect(r.status).toBe(206);
      expect(r.headers['Content-Range']).toBe(`bytes 0-9/${png.length}`);
      expect(r.headers['Content-Length']).toBe('10');
      expect((await bodyOf(r)).equals(png.subarray(0, 10))).toBe(true);

      const tail = await get(MEDIATOR, pngSha, 'original', 'bytes=-16');
      expect(tail.status).toBe(206);
      expect(tail.headers['Content-Range']).toBe(`bytes ${png.length - 16}-${png.length - 1}/${png.length}`);
      expect((await bodyOf(tail)).equals(png.subarray(png.length - 16))).toBe(true);

      const rest = await get(MEDIATOR, pngSha, 'original', `bytes=${png.length - 3}-`);
      expect((await bodyOf(rest)).equals(png.subarray(png.length - 3))).toBe(true);
    });
    it('answers 416 with the size when the range starts past the end', async () => {
      const r = await get(MEDIATOR, pngSha, 'original', `bytes=${png.length}-`);
      expect(r.status).toBe(416);
      expect(r.headers['Content-Range']).toBe(`bytes */${png.length}`);
      expect(r.body).toBeNull();
    });
    it('serves the whole file for a malformed or multi-part range', async () => {
      for (const range of ['bytes=0-1,4-5', 'bytes=x-y', 'lines=1-2']) {
        const r = await get(MEDIATOR, pngSha, 'original', range);
        expect(r.status, range).toBe(200);
        expect((await bodyOf(r)).equals(png)).toBe(true);
      }
    });
    it('a HEAD request gets the headers and no body', async () => {
      const r = await get(MEDIATOR, pngSha, 'original', 'bytes=0-9', true);
      expect(r.status).toBe(206);
      expect(r.headers['Content-Length']).toBe('10');
      expect(r.body).toBeNull();
    });
  });

  describe('through the HTTP carrier', () => {
    let server: Awaited<ReturnType<typeof startHttpServer>>;
    let cookie = '';
    const seen: Identity[] = [];

    beforeAll(async () => {
      const web = join(dir, 'web');
      mkdirSync(web, { recursive: true });
      writeFileSync(join(web, 'index.html'), '<!doctype html><title>desk</title>');
      writeFileSync(join(dir, 'secret.txt'), 'outside every root');
      const core: CoreApi = withFakeSessions(
        {
          dispatch: async () => ({ ok: true, value: null }),
          onChange: () => () => {},
          isEmpty: async () => false,
          seedDemo: async () => ({ cases: 0, users: 0 }),
          close: async () => {},
          readEvidence: (identity, req) => {
            seen.push(identity);
            return serveEvidence(db, store, identity, req);
          },
        },
        (userId, password) => (userId === 'mira' && password === 'mira-demo' ? { userId: 'mira', name: 'Mira', role: 'mediator' } : null),
      );
      server = await startHttpServer(core, { port: 0, staticDir: web });
      const res = await new Promise<{ headers: Record<string, string | string[] | undefined> }>((ok, fail) => {
        const url = new URL(server.url);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/api/session/sign-in',
            headers: { Host: url.host, 'Content-Type': 'application/json' },
          },
          (r) => {
            r.resume();
            r.on('end', () => ok({ headers: r.headers }));
          },
        );
        req.on('error', fail);
        req.end(JSON.stringify({ userId: 'mira', password: 'mira-demo' }));
      });
      cookie = String(res.headers['set-cookie']).split(';')[0]!;
    });
    afterAll(async () => {
      await server.close();
    });

    it('requires the session cookie, and the identity comes from the session', async () => {
      const anon = await raw(server.url, `/api/evidence/${pngSha}`);
      expect(anon.status).toBe(401);
      expect(seen.at(-1)).toEqual({ kind: 'anonymous' });
      const forged = await raw(server.url, `/api/evidence/${pngSha}`, { Cookie: 'md_session=forged' });
      expect(forged.status).toBe(401);
      const ok = await raw(server.url, `/api/evidence/${pngSha}?variant=original`, { Cookie: cookie });
      expect(ok.status).toBe(200);
      expect(seen.at(-1)).toEqual(MEDIATOR);
      expect(ok.body.equals(png)).toBe(true);
      expect(ok.headers['content-type']).toBe('image/png');
      expect(ok.headers['x-content-type-options']).toBe('nosniff');
      expect(ok.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    });

    it('serves ranges and 416 over HTTP', async () => {
      const part = await raw(server.url, `/api/evidence/${pngSha}`, { Cookie: cookie, Range: 'bytes=2-5' });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe(`bytes 2-5/${png.length}`);
      expect(part.body.equals(png.subarray(2, 6))).toBe(true);
      const past = await raw(server.url, `/api/evidence/${pngSha}`, { Cookie: cookie, Range: `bytes=${png.length + 10}-` });
      expect(past.status).toBe(416);
      const head = await raw(server.url, `/api/evidence/${pngSha}?variant=thumb`, { Cookie: cookie }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(thumb.length));
      expect(head.body.length).toBe(0);
    });

    it('never turns the request into a path', async () => {
      const attempts = [
        '/api/evidence/..%2F..%2Fsecret.txt',
        '/api/evidence/%2e%2e%2f%2e%2e%2fsecret.txt',
        `/api/evidence/${pngSha}%2F..%2F..%2Fsecret.txt`,
        `/api/evidence/${pngSha}?variant=..%2F..%2Fsecret.txt`,
        `/api/evidence/${pngSha}?variant=original%00`,
        '/api/evidence/../../secret.txt',
        `/api/evidence/${pngSha}/../../secret.txt`,
      ];
      for (const path of attempts) {
        const r = await raw(server.url, path, { Cookie: cookie });
        expect([400, 404, 405], path).toContain(r.status);
        expect(r.body.toString(), path).not.toContain('outside every root');
      }
    });
  });
});
