import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import sharp from 'sharp';
import { isoVideoHead } from '../fixtures/video-files';
import { evidenceDirFor } from '../../src-main/files/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M1, deskCall, dispute, feedPost, newKey, openDesk, type Desk } from './feed-harness';

/**
 * FEED.md "Evidence files": multipart streamed through busboy into the store while it arrives;
 * the policy's limits enforced as bytes arrive (100 MB + 1 refused before the body ends); the
 * type from the bytes; all files of a request or none; memory flat for a 100 MB video.
 */

const MB = 1024 * 1024;
const BOUNDARY = 'deskboundary7d9a';

/** A whole MP4 of exactly `total` bytes: ftyp, moov, and one mdat holding one sample of the rest (written as `fill` bytes). */
function mp4Parts(total: number): { head: Buffer; fill: number } {
  const headLength = isoVideoHead(0).length;
  return { head: isoVideoHead(total - headLength), fill: total - headLength };
}

interface Part {
  name: 'file' | 'note' | string;
  filename?: string;
  /** Bytes, or a generated MP4 of this size streamed in 64 KiB chunks (never held whole). */
  body: Buffer | { mp4Bytes: number };
}

/** Streams a multipart body; resolves with the answer even when the server answers (and closes) before the end. */
function upload(
  desk: Desk,
  caseId: string,
  party: string,
  parts: Part[],
  key = newKey(),
): Promise<{ status: number; body: any; sent: number }> {
  const url = new URL(`${desk.server.url}/feed/v1/evidence/${caseId}/${party}`);
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          Authorization: `Bearer ${desk.token}`,
          'Idempotency-Key': key,
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
          'Transfer-Encoding': 'chunked',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), sent }));
      },
    );
    req.on('error', (e) => (sent > 0 ? undefined : reject(e))); // the server may close mid-upload after answering
    const write = (b: Buffer) =>
      new Promise<void>((ok) => {
        sent += b.length;
        if (req.destroyed) return ok();
        if (req.write(b)) ok();
        else req.once('drain', ok).once('close', ok);
      });
    void (async () => {
      for (const p of parts) {
        const disp = p.filename !== undefined ? `form-data; name="${p.name}"; filename="${p.filename}"` : `form-data; name="${p.name}"`;
        const type = p.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : '';
        await write(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disp}\r\n${type}\r\n`));
        if (Buffer.isBuffer(p.body)) await write(p.body);
        else {
          const { head, fill } = mp4Parts(p.body.mp4Bytes);
          await write(head);
          const chunk = Buffer.alloc(64 * 1024, 0x11);
          for (let left = fill; left > 0 && !req.destroyed; left -= chunk.length)
            await write(left >= chunk.length ? chunk : chunk.subarray(0, left));
        }
        await write(Buffer.from('\r\n'));
      }
      await write(Buffer.from(`--${BOUNDARY}--\r\n`));
      if (!req.destroyed) req.end();
    })();
  });
}

const jpeg = (seed: number) =>
  sharp({ create: { width: 80, height: 60, channels: 3, background: { r: seed, g: 200 - seed, b: 40 } } })
    .jpeg()
    .toBuffer();

describe('streamed evidence uploads', () => {
  let desk: Desk;
  let n = 0;
  beforeAll(async () => {
    desk = await openDesk(undefined);
  });
  afterAll(async () => desk?.close());

  async function caseWithRequest(): Promise<string> {
    const id = `U-${++n}`;
    expect((await feedPost(desk, 'intake.dispute', dispute(id), newKey())).status).toBe(200);
    await deskCall(desk, 'case.claim', { caseId: id }, M1);
    await deskCall(desk, 'case.requestEvidence', { caseId: id, party: 'buyer', request: 'Photos and a video of the phone.' }, M1);
    return id;
  }
  const evidenceOf = (id: string) =>
    desk.core.db.selectFrom('evidence').select(['name', 'media_type', 'size_bytes']).where('case_id', '=', id).orderBy('seq').execute();

  it('takes several files and a note as one answer; the type comes from the bytes; a repeat under the key is the same answer', async () => {
    const id = await caseWithRequest();
    const key = newKey();
    const parts: Part[] = [
      { name: 'file', filename: 'front.png', body: await jpeg(10) },
      { name: 'file', filename: 'clip.bin', body: { mp4Bytes: 300_000 } },
      { name: 'note', body: Buffer.from('Both sides, and it not charging.') },
    ];
    const r = await upload(desk, id, 'buyer', parts, key);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ ok: true, value: { caseId: id, status: 'in_review' } });
    expect(await evidenceOf(id)).toEqual([
      { name: 'front.png', media_type: 'image/jpeg', size_bytes: (await jpeg(10)).length },
      { name: 'clip.bin', media_type: 'video/mp4', size_bytes: 300_000 },
    ]);
    const again = await upload(desk, id, 'buyer', parts, key);
    expect(again.body).toEqual(r.body);
    expect(await evidenceOf(id)).toHaveLength(2);
  });

  it('all or none: one bad file refuses the answer and records nothing (415, 413, 400)', async () => {
    const id = await caseWithRequest();
    const bad = await upload(desk, id, 'buyer', [
      { name: 'file', filename: 'ok.jpg', body: await jpeg(20) },
      { name: 'file', filename: 'notes.txt', body: Buffer.from('just words, no picture') },
    ]);
    expect([bad.status, bad.body.error.code]).toEqual([415, 'UNSUPPORTED_FILE']);
    const big = await upload(desk, id, 'buyer', [
      { name: 'file', filename: 'big.jpg', body: Buffer.concat([await jpeg(30), Buffer.alloc(2 * MB)]) },
    ]);
    expect([big.status, big.body.error.code]).toEqual([413, 'FILE_TOO_LARGE']);
    const none = await upload(desk, id, 'buyer', [{ name: 'note', body: Buffer.from('no files') }]);
    expect([none.status, none.body.error.code]).toEqual([400, 'VALIDATION']);
    const eleven = await upload(
      desk,
      id,
      'buyer',
      await Promise.all(Array.from({ length: 11 }, async (_, i) => ({ name: 'file', filename: `${i}.jpg`, body: await jpeg(i) }))),
    );
    expect(eleven.status).toBe(400);
    expect(await evidenceOf(id)).toEqual([]);
    const seller = await upload(desk, id, 'seller', [{ name: 'file', filename: 'ok.jpg', body: await jpeg(21) }]);
    expect([seller.status, seller.body.error.code]).toEqual([409, 'NO_OPEN_REQUEST']);
    const missing = await upload(desk, 'NOPE', 'buyer', [{ name: 'file', filename: 'ok.jpg', body: await jpeg(22) }]);
    expect(missing.status).toBe(404);
  });

  it('a body that ends before its closing boundary is refused (400) and the server keeps serving', async () => {
    const id = await caseWithRequest();
    const send = (body: Buffer) =>
      fetch(`${desk.server.url}/feed/v1/evidence/${id}/buyer`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${desk.token}`,
          'Idempotency-Key': newKey(),
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`);
    // The whole file, then nothing: no closing boundary (a client cut off, a proxy's truncation).
    for (const body of [
      Buffer.concat([head, await jpeg(40), Buffer.from('\r\n')]),
      Buffer.concat([head, (await jpeg(41)).subarray(0, 100)]),
    ]) {
      const cut = await send(body);
      expect([cut.status, cut.body.error.code]).toEqual([400, 'VALIDATION']);
      expect(cut.body.error.message).toMatch(/closing boundary/);
    }
    expect(await evidenceOf(id)).toEqual([]);
    // Still serving: the same answer, whole, is taken.
    const whole = await upload(desk, id, 'buyer', [{ name: 'file', filename: 'a.jpg', body: await jpeg(40) }]);
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
  });

  it('an upload cut off by the client mid-file leaves no open temp file behind', async () => {
    const id = await caseWithRequest();
    const tmp = join(evidenceDirFor(undefined, desk.dir), 'tmp');
    const parts = () => (existsSync(tmp) ? readdirSync(tmp).filter((f) => f.endsWith('.part')) : []);
    const url = new URL(desk.server.url);
    for (let i = 0; i < 3; i++) {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      socket.write(
        `POST /feed/v1/evidence/${id}/buyer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${desk.token}\r\n` +
          `Idempotency-Key: ${newKey()}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: 100000\r\n\r\n`,
      );
      socket.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n`);
      socket.write((await jpeg(50 + i)).subarray(0, 300));
      await new Promise((r) => setTimeout(r, 300));
      socket.destroy();
    }
    // The store drops what it was writing once the upload is gone (it waited forever, its file open).
    const deadline = Date.now() + 5_000;
    while (parts().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(parts()).toEqual([]);
    expect(await evidenceOf(id)).toEqual([]);
  });

  it('takes a 100 MB video with memory staying flat, and refuses 100 MB + 1 before the body ends', async () => {
    const id = await caseWithRequest();
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const r = await upload(desk, id, 'buyer', [{ name: 'file', filename: 'long.mp4', body: { mp4Bytes: 100 * MB } }]);
    clearInterval(sample);
    const growth = (peak - before) / MB;
    console.log(`[feed-upload] 100 MB video: peak RSS growth ${growth.toFixed(1)} MB (client and server in one process)`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(growth).toBeLessThanOrEqual(64);
    expect(await evidenceOf(id)).toEqual([{ name: 'long.mp4', media_type: 'video/mp4', size_bytes: 100 * MB }]);

    const id2 = await caseWithRequest();
    const over = await upload(desk, id2, 'buyer', [{ name: 'file', filename: 'long.mp4', body: { mp4Bytes: 100 * MB + 1 } }]);
    expect([over.status, over.body.error.code]).toEqual([413, 'FILE_TOO_LARGE']);
    // Refused when the limit was passed, not after the whole body: the client had not sent it all.
    expect(over.sent).toBeLessThan(100 * MB + 1 + 400);
    expect(await evidenceOf(id2)).toEqual([]);
  }, 120_000);
});
