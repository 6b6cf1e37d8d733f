import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src-main/contract/errors';
import type { Db } from '../../src-main/db/connect';
import { insertEvidenceFiles, type NewEvidenceFile } from '../../src-main/db/repos/evidence';
import { ContentStore, evidenceDirFor } from '../../src-main/files/store';
import { MATCH_MAX_DISTANCE, PhashIndex, ReuseIndex, splitPhash } from '../../src-main/app/evidence/reuse-index';
import { SeededRandom } from '../../src-main/util/seeded-random';
import { DIALECTS, openTestDb } from './harness';

/**
 * The evidence store (content-addressed, atomic, verifiable) and the reuse index (multi-index
 * hashing over perceptual hashes, synced from evidence_files on every dialect).
 */

const LIMITS = { maxImageBytes: 2 * 1_048_576, maxVideoBytes: 100 * 1_048_576 };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A byte sequence that sniffs as a JPEG (SOI + APP0), padded to `size` with deterministic noise. */
function jpegLike(size: number, seed = 1): Buffer {
  const r = new SeededRandom(seed);
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = r.u32() & 0xff;
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(b, 0);
  return b;
}
/** An MP4 head (ftyp isom) padded to `size`. */
function mp4Like(size: number): Buffer {
  const b = Buffer.alloc(size, 7);
  Buffer.from([0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0]).copy(b, 0);
  return b;
}
async function* inChunks(b: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
async function failure(p: Promise<unknown>): Promise<AppFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppFailure) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name))
    : [];

describe('ContentStore', () => {
  let root: string;
  let store: ContentStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'md-store-'));
    store = new ContentStore(join(root, 'evidence'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores a file under its sha256 in a two-level fan-out, once for the same bytes', async () => {
    const bytes = jpegLike(300_000);
    const a = await store.put(inChunks(bytes, 4096), LIMITS, { name: 'IMG_0042.jpg' });
    expect(a).toMatchObject({ sha256: sha(bytes), sizeBytes: 300_000, sniffed: { mediaType: 'image/jpeg', kind: 'image' }, created: true });
    const path = store.pathOf(a.sha256, 'original');
    expect(path).toBe(join(root, 'evidence', 'objects', a.sha256.slice(0, 2), a.sha256.slice(2, 4), a.sha256));
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const again = await store.put(bytes, LIMITS);
    expect(again).toMatchObject({ sha256: a.sha256, created: false });
    expect(filesUnder(join(root, 'evidence', 'objects'))).toEqual([path]);
    expect(filesUnder(join(root, 'evidence', 'tmp'))).toEqual([]);
  });

  it('decides the type from the bytes even when the first chunks are tiny', async () => {
    const bytes = mp4Like(5_000);
    const r = await store.put(inChunks(bytes, 3), LIMITS, { name: 'clip.jpg' });
    expect(r.sniffed).toMatchObject({ mediaType: 'video/mp4', kind: 'video' });
    expect(r.sizeBytes).toBe(5_000);
  });

  it('refuses an image past the limit mid-stream and leaves no object and no temp file', async () => {
    const bytes = jpegLike(LIMITS.maxImageBytes + 1);
    const e = await failure(store.put(inChunks(bytes, 65_536), LIMITS, { name: 'IMG_0042.jpg' }));
    expect(e.code).toBe('FILE_TOO_LARGE');
    expect(e.message).toBe('IMG_0042.jpg is larger than 2.0 MB; images may be at most 2.0 MB.');
    expect(filesUnder(join(root, 'evidence'))).toEqual([]);
    // With the size known up front the message says how big it is.
    const big = jpegLike(Math.round(2.4 * 1_048_576));
    const e2 = await failure(store.put(big, LIMITS, { name: 'IMG_0042.jpg', totalBytes: big.length }));
    expect(e2.message).toBe('IMG_0042.jpg is 2.4 MB; images may be at most 2.0 MB.');
    expect(filesUnder(join(root, 'evidence'))).toEqual([]);
    // Exactly the limit is accepted; the video limit applies to videos.
    expect((await store.put(jpegLike(LIMITS.maxImageBytes), LIMITS)).sizeBytes).toBe(LIMITS.maxImageBytes);
    expect((await store.put(mp4Like(LIMITS.maxImageBytes + 10), LIMITS)).sniffed.kind).toBe('video');
  });

  it('refuses what is not an accepted type before keeping anything, whatever its name', async () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'.repeat(3));
    const e = await failure(store.put(html, LIMITS, { name: 'photo.jpg' }));
    expect(e.code).toBe('UNSUPPORTED_FILE');
    expect(e.message).toMatch(/^photo\.jpg: /);
    expect((await failure(store.put(new Uint8Array(0), LIMITS, { name: 'x.png' }))).message).toBe('x.png is empty.');
    // Shorter than the sniff window, still recognised (and still refused when it is text).
    expect((await failure(store.put(Buffer.from('hello'), LIMITS))).code).toBe('UNSUPPORTED_FILE');
    expect(filesUnder(join(root, 'evidence'))).toEqual([]);
  });

  it('runs extra head checks before storing', async () => {
    const e = await failure(
      store.put(mp4Like(1000), LIMITS, {
        checkHead: (_h, s) => {
          if (s.kind === 'video') throw new AppFailure('UNSUPPORTED_FILE', 'no videos today');
        },
      }),
    );
    expect(e.message).toBe('no videos today');
    expect(filesUnder(join(root, 'evidence'))).toEqual([]);
  });

  it('cleans up the temp file when the source fails mid-way', async () => {
    async function* broken() {
      yield jpegLike(100_000);
      throw new Error('connection reset');
    }
    await expect(store.put(broken(), LIMITS)).rejects.toThrow('connection reset');
    expect(filesUnder(join(root, 'evidence'))).toEqual([]);
  });

  it('verifies a stored file and notices tampering or loss', async () => {
    const bytes = jpegLike(50_000, 9);
    const { sha256 } = await store.put(bytes, LIMITS);
    expect(await store.verify(sha256)).toEqual({ intact: true, present: true, sizeBytes: 50_000 });
    const path = store.pathOf(sha256, 'original');
    const tampered = Buffer.from(bytes);
    tampered[40_000] = tampered[40_000]! ^ 1;
    writeFileSync(path, tampered);
    expect(await store.verify(sha256)).toEqual({ intact: false, present: true, sizeBytes: 50_000 });
    rmSync(path);
    expect(await store.verify(sha256)).toEqual({ intact: false, present: false, sizeBytes: 0 });
  });

  it('writes derived copies atomically next to the fan-out and names paths only from a sha256', async () => {
    const { sha256 } = await store.put(jpegLike(1000), LIMITS);
    await store.putDerived(sha256, 'thumb', Buffer.from([1, 2, 3]));
    await store.putDerived(sha256, 'thumb', Buffer.from([4, 5]));
    expect(readFileSync(store.pathOf(sha256, 'thumb'))).toEqual(Buffer.from([4, 5]));
    expect(store.pathOf(sha256, 'display')).toBe(
      join(root, 'evidence', 'derived', sha256.slice(0, 2), sha256.slice(2, 4), `${sha256}.display.jpg`),
    );
    expect(await store.has(sha256, 'thumb')).toBe(true);
    expect(await store.has(sha256, 'display')).toBe(false);
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), `${'a'.repeat(63)}/`, ''])
      expect(() => store.pathOf(bad, 'original')).toThrow(/64 lowercase hex/);
  });

  it('keeps evidence next to the SQLite file, or in the data folder', () => {
    expect(evidenceDirFor('/srv/desk/cases.sqlite', '/data')).toBe(join('/srv/desk', 'evidence'));
    expect(evidenceDirFor('sqlite:/srv/x/y.sqlite', '/data')).toBe(join('/srv/x', 'evidence'));
    expect(evidenceDirFor(':memory:', '/data')).toBe(join('/data', 'evidence'));
    expect(evidenceDirFor('postgres://u@h/db', '/data')).toBe(join('/data', 'evidence'));
    expect(evidenceDirFor(undefined, '/data')).toBe(join('/data', 'evidence'));
  });
});

/** A random 64-bit hash as 16 hex digits, and a copy with `bits` distinct bits flipped. */
const hex = (hi: number, lo: number) => hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
function flipBits(phash: string, bits: number, r: SeededRandom): string {
  let { hi, lo } = splitPhash(phash);
  const chosen = new Set<number>();
  while (chosen.size < bits) chosen.add(r.below(64));
  for (const b of chosen)
    if (b < 32) lo = (lo ^ (1 << b)) >>> 0;
    else hi = (hi ^ (1 << (b - 32))) >>> 0;
  return hex(hi, lo);
}

/** The brute-force answer the index is checked against: bits that differ, counted one by one. */
function bitsApart(a: { hi: number; lo: number }, b: { hi: number; lo: number }): number {
  let c = 0;
  for (let x = (a.hi ^ b.hi) >>> 0; x; x >>>= 1) c += x & 1;
  for (let x = (a.lo ^ b.lo) >>> 0; x; x >>>= 1) c += x & 1;
  return c;
}

describe('PhashIndex (multi-index hashing)', () => {
  it('finds exactly the hashes within the distance, against a brute-force scan, in main rows, recent rows and the tail', () => {
    const r = new SeededRandom(42);
    const idx = new PhashIndex();
    const stored: Array<{ hi: number; lo: number }> = [];
    const anchors: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      // Every 100th a near copy of an earlier one, so there is something to find.
      const h = i % 100 === 99 ? splitPhash(flipBits(anchors[r.below(anchors.length)]!, r.int(0, 9), r)) : { hi: r.u32(), lo: r.u32() };
      if (i % 100 === 0) anchors.push(hex(h.hi, h.lo));
      stored.push(h);
      idx.add(i + 1, h.hi, h.lo);
      if (i === 30_000)
        idx.rebuild(); // the main rows…
      else if (i % 997 === 0) idx.settle(); // …recent rows settled after syncs…
    }
    idx.add(60_001, 0, 0); // …and a tail
    stored.push({ hi: 0, lo: 0 });
    for (let q = 0; q < 120; q++) {
      const probe = splitPhash(flipBits(anchors[r.below(anchors.length)]!, r.int(0, 8), r));
      for (const maxD of [MATCH_MAX_DISTANCE, 7]) {
        const got = idx
          .lookup([{ transform: 'same', ...probe }], maxD)
          .map((c) => `${c.seq}:${c.distance}`)
          .sort();
        const want = stored
          .map((s, i) => ({ seq: i + 1, d: bitsApart(s, probe) }))
          .filter((x) => x.d <= maxD)
          .map((x) => `${x.seq}:${x.d}`)
          .sort();
        expect(got).toEqual(want);
      }
    }
    expect(() => idx.lookup([{ transform: 'same', hi: 0, lo: 0 }], 8)).toThrow(/within 7 bits/);
  });

  it('reports the best variant and its transform, closest first', () => {
    const idx = new PhashIndex();
    const r = new SeededRandom(3);
    const original = hex(r.u32(), r.u32());
    idx.add(7, ...(Object.values(splitPhash(original)) as [number, number]));
    idx.add(8, r.u32(), r.u32());
    const flipped = splitPhash(flipBits(original, 2, r));
    const got = idx.lookup([
      { transform: 'same', hi: r.u32(), lo: r.u32() },
      { transform: 'flip_h', ...flipped },
    ]);
    expect(got).toEqual([{ seq: 7, distance: 2, transform: 'flip_h' }]);
  });

  it('nearest: the k closest hashes beyond the probing distance, against a brute-force scan (closest first, ties by entry)', () => {
    const r = new SeededRandom(11);
    const idx = new PhashIndex();
    const stored: Array<{ hi: number; lo: number }> = [];
    const anchors: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      const h = i % 50 === 49 ? splitPhash(flipBits(anchors[r.below(anchors.length)]!, r.int(6, 22), r)) : { hi: r.u32(), lo: r.u32() };
      if (i % 50 === 0) anchors.push(hex(h.hi, h.lo));
      stored.push(h);
      idx.add(i + 1, h.hi, h.lo);
      if (i === 2_500) idx.rebuild();
    }
    for (let q = 0; q < 60; q++) {
      const probe = splitPhash(flipBits(anchors[r.below(anchors.length)]!, r.int(0, 16), r));
      for (const [k, maxD] of [
        [4, 20],
        [16, 24],
        [4, 64],
      ] as const) {
        const got = idx.nearest(probe.hi, probe.lo, k, maxD).map((c) => `${c.seq}:${c.distance}`);
        const want = stored
          .map((s, i) => ({ seq: i + 1, d: bitsApart(s, probe) }))
          .filter((x) => x.d <= maxD)
          .sort((a, b) => a.d - b.d || a.seq - b.seq)
          .slice(0, k)
          .map((x) => `${x.seq}:${x.d}`);
        expect(got).toEqual(want);
      }
    }
  });

  it('costs about 28 bytes per hash', () => {
    const idx = new PhashIndex();
    const r = new SeededRandom(5);
    idx.reserve(200_000);
    for (let i = 0; i < 200_000; i++) idx.add(i + 1, r.u32(), r.u32());
    idx.rebuild();
    // 3 × 4 bytes of columns + 4 bands × 4 bytes of entries + the fixed bucket offsets (1 MB).
    expect(idx.memoryBytes()).toBeLessThan(200_000 * 28 + 4 * 65_537 * 4 + 1024);
  });
});

const row = (sha256: string, phash: string | null, at = 1, extra: Partial<NewEvidenceFile> = {}): NewEvidenceFile => {
  const halves = phash ? splitPhash(phash) : null;
  return {
    sha256,
    media_type: phash ? 'image/jpeg' : 'video/mp4',
    kind: phash ? 'image' : 'video',
    size_bytes: 1000,
    width: null,
    height: null,
    frames: null,
    captured_at: null,
    captured_at_has_offset: 0,
    device: null,
    phash,
    phash_hi: halves?.hi ?? null,
    phash_lo: halves?.lo ?? null,
    cluster_key: phash ? sha256 : null,
    variants: '',
    stored_at: at,
    ...extra,
  };
};
const shaOf = (n: number) => n.toString(16).padStart(64, '0');

describe.each(DIALECTS)('ReuseIndex synced from evidence_files on $name', ({ url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('loads lazily, catches up incrementally, and names matches with their cluster', async () => {
    const r = new SeededRandom(11);
    const base = hex(r.u32(), r.u32());
    const near = flipBits(base, 3, r);
    // Hashes with the top bit set: the unsigned halves must survive PostgreSQL's signed integers.
    const high = 'f' + hex(r.u32(), r.u32()).slice(1);
    await insertEvidenceFiles(db, [row(shaOf(1), base), row(shaOf(2), null), row(shaOf(3), high)]);

    const index = new ReuseIndex();
    expect(await index.sync(db)).toEqual({ added: 2 });
    expect(await index.sync(db)).toEqual({ added: 0 });
    const m = await index.lookup(db, [{ transform: 'same', phash: near }]);
    expect(m).toEqual([{ seq: expect.any(Number), sha256: shaOf(1), clusterKey: shaOf(1), distance: 3, transform: 'same' }]);
    expect((await index.lookup(db, [{ transform: 'rot90', phash: high }]))[0]).toMatchObject({
      sha256: shaOf(3),
      distance: 0,
      transform: 'rot90',
    });

    // Another desktop adds a near copy that joined the first one's cluster: the next lookup sees it.
    await insertEvidenceFiles(db, [row(shaOf(4), near, 2, { cluster_key: shaOf(1) })]);
    const again = await index.lookup(db, [{ transform: 'same', phash: base }]);
    expect(again.map((x) => [x.sha256, x.clusterKey, x.distance])).toEqual([
      [shaOf(1), shaOf(1), 0],
      [shaOf(4), shaOf(1), 3],
    ]);
    expect(await index.lookup(db, [{ transform: 'same', phash: base }], { exclude: shaOf(1) })).toHaveLength(1);
    // Unrelated pictures match nothing.
    for (let i = 0; i < 50; i++) expect(await index.lookup(db, [{ transform: 'same', phash: hex(r.u32(), r.u32()) }])).toEqual([]);
  });

  it('picks up a row committed after a later one (seq gap) on a later sync', async () => {
    const r = new SeededRandom(12);
    const index = new ReuseIndex();
    await index.sync(db);
    const late = hex(r.u32(), r.u32());
    // Simulate PostgreSQL handing out seq N to a slow transaction and N+1 to a fast one.
    const top = await db
      .selectFrom('evidence_files')
      .select((eb) => eb.fn.max('seq').as('m'))
      .executeTakeFirstOrThrow();
    const next = Number(top.m) + 1;
    await db
      .insertInto('evidence_files')
      .values({ ...row(shaOf(100), hex(r.u32(), r.u32())), seq: next + 1 })
      .execute();
    await index.sync(db);
    await db
      .insertInto('evidence_files')
      .values({ ...row(shaOf(101), late), seq: next })
      .execute();
    expect((await index.lookup(db, [{ transform: 'same', phash: late }])).map((x) => x.sha256)).toEqual([shaOf(101)]);
  });
});
