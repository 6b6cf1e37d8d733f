import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import { blobChunksIn } from '../../src-main/db/repos/blobs';
import { insertEvidenceFiles } from '../../src-main/db/repos/evidence';
import { collectOrphans } from '../../src-main/app/evidence/gc';
import { serveEvidence } from '../../src-main/app/evidence/serving';
import { ChunkedBlobStore, CHUNK_BYTES } from '../../src-main/files/chunked-store';
import { DIALECTS, openTestDb } from './harness';

/**
 * The PostgreSQL blob store (files/chunked-store.ts over db/repos/blobs.ts, migrations/0007):
 * 1 MiB chunks, whole-or-absent blobs, ranges that read only their chunks, sha256 checked.
 * The tables exist on SQLite too, so the matrix covers it, though a SQLite desk uses its folder.
 */
const LIMITS = { maxImageBytes: 10 * 1_048_576, maxVideoBytes: 100 * 1_048_576 };
const NOW = Date.parse('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** `size` bytes that sniff as a JPEG, distinct per seed and position (so a shifted chunk would show). */
function jpegLike(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (Math.imul(i + 1, 2654435761) ^ seed) >>> 24;
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(b, 0);
  return b;
}
async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}
async function* trickle(b: Buffer, step: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += step) yield b.subarray(i, i + step);
}

describe.each(DIALECTS)('the database blob store on $name', ({ url }) => {
  let db: Db;
  let store: ChunkedBlobStore;
  let now = NOW;
  const chunkRows = async () =>
    Number(
      (
        await db
          .selectFrom('evidence_blob_chunks')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    db = await openTestDb(url());
    store = new ChunkedBlobStore(blobChunksIn(db), 'test', () => now);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('stores a multi-chunk file streamed in odd pieces, reads it back whole and by ranges across chunk boundaries', async () => {
    const bytes = jpegLike(2 * CHUNK_BYTES + 12_345, 1);
    const put = await store.put(trickle(bytes, 300_001), LIMITS, { name: 'big.jpg' });
    expect(put).toMatchObject({ sha256: sha(bytes), sizeBytes: bytes.length, created: true });
    expect(put.sniffed.mediaType).toBe('image/jpeg');
    const head = await blobChunksIn(db).headOf(put.sha256, 'original');
    expect(head).toMatchObject({ sizeBytes: bytes.length, chunkBytes: CHUNK_BYTES, chunkCount: 3 });

    expect((await store.readAll(put.sha256, 'original'))!.equals(bytes)).toBe(true);
    for (const [start, end] of [
      [CHUNK_BYTES - 10, CHUNK_BYTES + 9], // across the first boundary
      [CHUNK_BYTES - 1, 2 * CHUNK_BYTES], // touches three chunks
      [0, 0],
      [bytes.length - 5, bytes.length - 1],
      [CHUNK_BYTES, CHUNK_BYTES + 100], // starts exactly on a chunk
    ] as const)
      expect((await collect(store.read(put.sha256, 'original', { start, end }))).equals(bytes.subarray(start, end + 1))).toBe(true);
    expect(await store.verify(put.sha256)).toEqual({ intact: true, present: true, sizeBytes: bytes.length });
  });

  it('a range reads only the chunks it needs', async () => {
    const bytes = jpegLike(3 * CHUNK_BYTES, 2);
    const backend = blobChunksIn(db);
    const read: number[] = [];
    const counting = new ChunkedBlobStore(
      {
        ...backend,
        readChunk: (id, n) => {
          read.push(n);
          return backend.readChunk(id, n);
        },
      },
      'test',
      () => now,
    );
    const put = await counting.put(bytes, LIMITS);
    await collect(counting.read(put.sha256, 'original', { start: 2 * CHUNK_BYTES - 3, end: 2 * CHUNK_BYTES + 3 }));
    expect(read).toEqual([1, 2]);
  });

  it('putting the same bytes again is idempotent: one blob, no extra chunks', async () => {
    const bytes = jpegLike(CHUNK_BYTES + 7, 3);
    const first = await store.put(bytes, LIMITS);
    const rows = await chunkRows();
    const again = await store.put(trickle(bytes, 65_536), LIMITS);
    expect(again).toMatchObject({ sha256: first.sha256, sizeBytes: bytes.length, created: false });
    expect(await chunkRows()).toBe(rows);
    expect((await store.readAll(first.sha256, 'original'))!.equals(bytes)).toBe(true);
  });

  it('refuses bytes that do not match the announced sha256, an unsupported type and an oversized file, keeping nothing', async () => {
    const rows = await chunkRows();
    const bytes = jpegLike(CHUNK_BYTES + 99, 4);
    const wrong = sha(Buffer.from('something else'));
    await expect(store.put(bytes, LIMITS, { name: 'x.jpg', expectSha256: wrong })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await store.has(sha(bytes))).toBe(false);
    expect(await store.has(wrong)).toBe(false);
    await expect(store.put(Buffer.alloc(5000, 7), LIMITS)).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE' });
    await expect(store.put(jpegLike(3 * CHUNK_BYTES, 5), { ...LIMITS, maxImageBytes: 2 * CHUNK_BYTES })).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
    });
    expect(await chunkRows()).toBe(rows);
    // The announced sha256, when right, is accepted.
    expect((await store.put(bytes, LIMITS, { expectSha256: sha(bytes) })).created).toBe(true);
  });

  it('verify tells a changed or missing chunk from intact bytes', async () => {
    const bytes = jpegLike(CHUNK_BYTES + 500, 6);
    const put = await store.put(bytes, LIMITS);
    const head = (await blobChunksIn(db).headOf(put.sha256, 'original'))!;
    await db
      .updateTable('evidence_blob_chunks')
      .set({ bytes: Buffer.alloc(500, 1) })
      .where('blob_id', '=', head.blobId)
      .where('n', '=', 1)
      .execute();
    expect(await store.verify(put.sha256)).toEqual({ intact: false, present: true, sizeBytes: bytes.length });
    await db.deleteFrom('evidence_blob_chunks').where('blob_id', '=', head.blobId).where('n', '=', 1).execute();
    expect((await store.verify(put.sha256)).intact).toBe(false);
    expect(await store.verify(sha(Buffer.from('never stored')))).toEqual({ intact: false, present: false, sizeBytes: 0 });
  });

  it('derived copies replace the previous one and drop its chunks', async () => {
    const original = await store.put(jpegLike(4000, 7), LIMITS);
    await store.putDerived(original.sha256, 'thumb', Buffer.from([1, 2, 3]));
    const rows = await chunkRows();
    await store.putDerived(original.sha256, 'thumb', Buffer.from([4, 5]));
    expect(await chunkRows()).toBe(rows);
    expect(await store.readAll(original.sha256, 'thumb')).toEqual(Buffer.from([4, 5]));
    expect(await store.sizeOf(original.sha256, 'thumb')).toBe(2);
    expect(await store.has(original.sha256, 'display')).toBe(false);
  });

  it('serving answers a byte range from the chunks, with the recorded type', async () => {
    const bytes = jpegLike(CHUNK_BYTES + 4096, 8);
    const put = await store.put(bytes, LIMITS);
    await insertEvidenceFiles(db, [
      {
        sha256: put.sha256,
        media_type: 'image/jpeg',
        kind: 'image',
        size_bytes: bytes.length,
        captured_at_has_offset: 0,
        variants: '',
        stored_at: NOW,
      },
    ]);
    const who = { kind: 'user', userId: 'm1', name: 'm1', role: 'mediator' } as const;
    const res = await serveEvidence(db, store, who, { sha256: put.sha256, range: `bytes=${CHUNK_BYTES - 2}-${CHUNK_BYTES + 1}` });
    expect(res.status).toBe(206);
    expect(res.headers['Content-Range']).toBe(`bytes ${CHUNK_BYTES - 2}-${CHUNK_BYTES + 1}/${bytes.length}`);
    expect(await collect(res.body as AsyncIterable<Uint8Array>)).toEqual(bytes.subarray(CHUNK_BYTES - 2, CHUNK_BYTES + 2));
    const missing = await serveEvidence(db, store, who, { sha256: sha(Buffer.from('recorded only')) });
    expect(missing.status).toBe(404);
  });

  it('gc removes blobs no row refers to after the grace period, and the chunks of an interrupted upload', async () => {
    now = NOW + 10 * HOUR;
    const orphan = await store.put(jpegLike(CHUNK_BYTES + 1, 9), LIMITS);
    await store.putDerived(orphan.sha256, 'thumb', Buffer.from('t'));
    // An upload a crash interrupted: chunks, never named.
    await blobChunksIn(db).writeChunk('crashed-upload', 0, Buffer.from('half'), now);
    now += 2 * HOUR;
    const young = await store.put(jpegLike(100, 10), LIMITS);
    const report = await collectOrphans(db, store, { now });
    expect(report.removed).toBeGreaterThanOrEqual(1);
    expect(report.young).toBe(1);
    expect(await store.has(orphan.sha256)).toBe(false);
    expect(await store.has(orphan.sha256, 'thumb')).toBe(false);
    expect(await store.has(young.sha256)).toBe(true);
    expect(await blobChunksIn(db).readChunk('crashed-upload', 0)).toBeNull();
    // Every chunk left belongs to a named blob.
    const stray = await db
      .selectFrom('evidence_blob_chunks')
      .select('blob_id')
      .where('blob_id', 'not in', (q) => q.selectFrom('evidence_blobs').select('blob_id'))
      .execute();
    expect(stray).toEqual([]);
  });
});
