import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispute, freshDatabase, Marketplace, SERVER_URL, Session, startDesk, type Desk } from './harness';

/**
 * Evidence bytes live in the team database: a file received on desktop A is served, byte for
 * byte, by desktop B on the same PostgreSQL (original, derived copies, byte ranges), and
 * `evidence.verify` on B re-reads and re-hashes it there. Before the PostgreSQL blob store, B
 * answered 404 "bytes are missing" (each desk kept its own evidence folder).
 */
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MiB = 1 << 20;

describe.skipIf(!SERVER_URL)('team: evidence bytes in the shared database', () => {
  let dbUrl = '';
  let deskA: Desk;
  let deskB: Desk;
  let onA: Session;
  let onB: Session;
  let shop: Marketplace;

  beforeAll(async () => {
    dbUrl = await freshDatabase('evidence_bytes');
    // A seeds the demo (with D-900001's pictures) and creates the schema; B joins it.
    deskA = await startDesk('A', dbUrl, ['--demo', '--demo-cases', '20']);
    deskB = await startDesk('B', dbUrl);
    shop = await Marketplace.connect(dbUrl);
    onA = await Session.signIn(deskA, 'mira', 'mira-demo');
    onB = await Session.signIn(deskB, 'diego', 'diego-demo');
  });

  afterAll(async () => {
    await Promise.all([deskA?.stop(), deskB?.stop()]);
  });

  const bytesOf = async (s: Session, hash: string, variant: string, headers: Record<string, string> = {}) => {
    const res = await s.get(`/api/evidence/${hash}?variant=${variant}`, headers);
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body, headers: res.headers, text: () => body.toString('utf8') };
  };

  it('a photo submitted on A (more than one MiB) is served byte-identical by B, with its copies and a range across 1 MiB', async () => {
    // Random pixels do not compress: a PNG of about 1.4 MB, so the blob spans two 1 MiB chunks.
    const raw = Buffer.alloc(700 * 700 * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
    const photo = await sharp(raw, { raw: { width: 700, height: 700, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(photo.length).toBeGreaterThan(MiB);
    expect(photo.length).toBeLessThan(2_000_000);

    expect((await shop.call(deskA, 'intake.dispute', dispute(1, '2026-11-02T09:00:00Z'))).ok).toBe(true);
    const claimed = await onA.call('case.claim', { caseId: 'T-1' });
    expect(claimed.ok, JSON.stringify(claimed.error)).toBe(true);
    const requested = await onA.call('case.requestEvidence', { caseId: 'T-1', party: 'buyer', request: 'A photo of the label.' });
    expect(requested.ok, JSON.stringify(requested.error)).toBe(true);
    const submitted = await shop.call(deskA, 'party.submitEvidence', {
      caseId: 'T-1',
      party: 'buyer',
      file: { name: 'label.png', contentBase64: photo.toString('base64') },
    });
    expect(submitted.ok, JSON.stringify(submitted.error)).toBe(true);
    const hash = sha(photo);

    const original = await bytesOf(onB, hash, 'original');
    expect(original.status, original.text().slice(0, 300)).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.body.equals(photo)).toBe(true);

    // A range across the first chunk boundary reads only the chunks it needs.
    const [from, to] = [MiB - 1000, MiB + 999];
    const range = await bytesOf(onB, hash, 'original', { range: `bytes=${from}-${to}` });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes ${from}-${to}/${photo.length}`);
    expect(range.body.equals(photo.subarray(from, to + 1))).toBe(true);
    const tail = await bytesOf(onB, hash, 'original', { range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(photo.subarray(photo.length - 10))).toBe(true);

    for (const variant of ['display', 'thumb']) {
      const [a, b] = [await bytesOf(onA, hash, variant), await bytesOf(onB, hash, variant)];
      expect([a.status, b.status], b.text().slice(0, 300)).toEqual([200, 200]);
      expect(b.headers.get('content-type')).toBe('image/jpeg');
      expect(b.body.equals(a.body)).toBe(true);
      expect((await sharp(b.body).metadata()).format).toBe('jpeg');
    }

    const verified = await onB.call<{ intact: boolean; sizeBytes: number; message: string }>('evidence.verify', { sha256: hash });
    expect(verified.ok, JSON.stringify(verified.error)).toBe(true);
    expect(verified.value).toMatchObject({ intact: true, sizeBytes: photo.length });
  });

  it("the demo's D-900001 pictures, seeded by A, are served by B and verify intact there", async () => {
    const got = await onB.call<{ evidence: Array<{ sha256: string; sizeBytes: number; file?: unknown }> }>('case.get', {
      caseId: 'D-900001',
    });
    expect(got.ok, JSON.stringify(got.error)).toBe(true);
    const stored = got.value!.evidence.filter((e) => e.file);
    expect(stored.length).toBeGreaterThan(0);
    for (const e of stored) {
      const original = await bytesOf(onB, e.sha256, 'original');
      expect(original.status, original.text().slice(0, 300)).toBe(200);
      expect(sha(original.body)).toBe(e.sha256);
      expect(original.body.length).toBe(e.sizeBytes);
      const thumb = await bytesOf(onB, e.sha256, 'thumb');
      expect(thumb.status).toBe(200);
      const verified = await onB.call<{ intact: boolean }>('evidence.verify', { sha256: e.sha256 });
      expect(verified.value?.intact, JSON.stringify(verified)).toBe(true);
    }
  });
});
