import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import { insertEvidenceFiles } from '../../src-main/db/repos/evidence';
import { collectOrphans } from '../../src-main/app/evidence/gc';
import { ContentStore } from '../../src-main/files/store';
import { DIALECTS, openTestDb } from './harness';

const LIMITS = { maxImageBytes: 2 * 1_048_576, maxVideoBytes: 100 * 1_048_576 };
const NOW = Date.parse('2026-11-22T12:00:00Z');
const HOUR = 3_600_000;
/** A few bytes that sniff as a JPEG; `n` makes them distinct. */
const jpegLike = (n: number) =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.alloc(200, n)]);
const age = (path: string, ms: number) => utimesSync(path, new Date(NOW - ms), new Date(NOW - ms));

describe.each(DIALECTS)('evidence garbage collection on $name', ({ url }) => {
  let db: Db;
  let dir: string;
  let store: ContentStore;
  beforeAll(async () => {
    db = await openTestDb(url());
    dir = mkdtempSync(join(tmpdir(), 'md-gc-'));
    store = new ContentStore(dir);
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes old files no row refers to, keeps recorded ones and young ones', async () => {
    const kept = await store.put(jpegLike(1), LIMITS);
    const orphan = await store.put(jpegLike(2), LIMITS);
    const young = await store.put(jpegLike(3), LIMITS);
    await store.putDerived(orphan.sha256, 'thumb', Buffer.from('thumb'));
    await insertEvidenceFiles(db, [
      {
        sha256: kept.sha256,
        media_type: 'image/jpeg',
        kind: 'image',
        size_bytes: 211,
        width: null,
        height: null,
        frames: null,
        captured_at: null,
        captured_at_has_offset: 0,
        device: null,
        phash: null,
        phash_hi: null,
        phash_lo: null,
        cluster_key: kept.sha256,
        variants: '',
        stored_at: NOW - 5 * HOUR,
      },
    ]);
    for (const s of [kept, orphan]) age(store.pathOf(s.sha256, 'original'), 5 * HOUR);
    age(store.pathOf(young.sha256, 'original'), 10 * 60_000);
    // Something that is not an object name is never touched.
    const stray = join(dir, 'objects', 'ab', 'cd', 'notes.txt');
    mkdirSync(dirname(stray), { recursive: true });
    writeFileSync(stray, 'keep me');

    const dry = await collectOrphans(db, store, { now: NOW, dryRun: true });
    expect(dry).toMatchObject({ scanned: 3, orphans: 1, removed: 0, young: 1 });
    expect(existsSync(store.pathOf(orphan.sha256, 'original'))).toBe(true);

    const done = await collectOrphans(db, store, { now: NOW });
    expect(done).toMatchObject({ scanned: 3, orphans: 1, removed: 1, young: 1 });
    expect(done.removedBytes).toBe(211 + 5);
    expect(existsSync(store.pathOf(orphan.sha256, 'original'))).toBe(false);
    expect(existsSync(store.pathOf(orphan.sha256, 'thumb'))).toBe(false);
    expect(existsSync(store.pathOf(kept.sha256, 'original'))).toBe(true);
    expect(existsSync(store.pathOf(young.sha256, 'original'))).toBe(true);
    expect(existsSync(stray)).toBe(true);
    expect((await store.verify(kept.sha256)).intact).toBe(true);

    // An hour later the young one is old enough, and it is still unrecorded.
    const later = await collectOrphans(db, store, { now: NOW + HOUR });
    expect(later).toMatchObject({ scanned: 2, orphans: 1, removed: 1, young: 0 });
  });
});
