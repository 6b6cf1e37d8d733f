import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateBlobs } from '../../src-main/app/evidence/migrate-store';
import type { Db } from '../../src-main/db/connect';
import { blobChunksIn } from '../../src-main/db/repos/blobs';
import { ChunkedBlobStore, CHUNK_BYTES } from '../../src-main/files/chunked-store';
import { ContentStore } from '../../src-main/files/store';
import { DIALECTS, openTestDb } from './harness';

/**
 * `cli evidence migrate` (issue 12): a desktop's evidence folder into the team's PostgreSQL
 * blob store, every file checked by its sha256, resumable, the folder untouched.
 */
const LIMITS = { maxImageBytes: 50 * 1024 * 1024, maxVideoBytes: 50 * 1024 * 1024 };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** `size` bytes that sniff as a JPEG, different per seed. */
function jpegLike(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (Math.imul(i + 1, 2654435761) ^ Math.imul(seed + 1, 0x9e3779b1)) >>> 24;
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]).copy(b, 0);
  return b;
}

describe.each(DIALECTS.filter((d) => d.name !== 'sqlite'))('evidence migrate into $name', ({ name, url }) => {
  let db: Db;
  let dir: string;
  beforeEach(async () => {
    db = await openTestDb(url());
    dir = await mkdtemp(join(tmpdir(), 'md-migrate-'));
  });
  afterEach(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies every original and derived copy, verified; a second run copies nothing; bad bytes are reported, not stored', async () => {
    const folder = new ContentStore(dir);
    const target = new ChunkedBlobStore(blobChunksIn(db), 'the team database');
    // Sizes across the chunk boundary, varying per run.
    const seed = Math.floor(Math.random() * 1e6);
    const files = [10_000 + (seed % 5000), CHUNK_BYTES + 1 + (seed % 777), CHUNK_BYTES - 3].map((n, i) => jpegLike(n, seed + i));
    for (const f of files) await folder.put(f, LIMITS);
    await folder.putDerived(sha(files[0]!), 'thumb', jpegLike(900 + (seed % 50), seed + 9));
    // One already in the database (a run cut short before).
    await target.put(files[2]!, LIMITS);
    // A file whose bytes no longer match its name (disk damage): never copied.
    const named = jpegLike(4000 + (seed % 100), seed);
    const wrongName = sha(named);
    const damaged = Buffer.from(named);
    damaged[2000] = damaged[2000]! ^ 0x01;
    await mkdir(join(dir, 'objects', wrongName.slice(0, 2), wrongName.slice(2, 4)), { recursive: true });
    await writeFile(join(dir, 'objects', wrongName.slice(0, 2), wrongName.slice(2, 4), wrongName), damaged);

    const first = await migrateBlobs(folder, target);
    expect(first).toMatchObject({ originals: 4, copied: 2, alreadyThere: 1, derivedCopied: 1 });
    expect(first.bytesCopied).toBe(files[0]!.length + files[1]!.length);
    expect(first.failed.map((f) => f.sha256)).toEqual([wrongName]);
    expect(await target.has(wrongName)).toBe(false);
    for (const f of files) {
      expect(await target.readAll(sha(f), 'original')).toEqual(f);
      expect((await target.verify(sha(f))).intact).toBe(true);
    }
    expect(await target.readAll(sha(files[0]!), 'thumb')).toEqual(jpegLike(900 + (seed % 50), seed + 9));

    const again = await migrateBlobs(folder, target);
    expect(again).toMatchObject({ originals: 4, copied: 0, alreadyThere: 3, derivedCopied: 0, bytesCopied: 0 });
    // The folder is as it was.
    for (const f of files) expect(await folder.readAll(sha(f), 'original')).toEqual(f);
  }, 240_000);

  it.skipIf(name !== 'postgres')(
    'cli evidence migrate: copies, answers JSON, refuses a missing folder with exit 2',
    async () => {
      // Its own database on the server, named here so the CLI can be pointed at it.
      const base = new URL(process.env.TEST_DATABASE_URL!);
      const dbName = `md_test_migrate_${process.pid}_${Date.now()}`;
      const pg = await import('pg');
      const admin = new (pg.default ?? pg).Client({ connectionString: base.toString() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      base.pathname = `/${dbName}`;
      const dbUrl = base.toString();
      const folder = new ContentStore(dir);
      const file = jpegLike(5000, 42);
      await folder.put(file, LIMITS);
      const run = (args: string[]) =>
        promisify(execFile)('npx', ['tsx', 'src-main/cli/index.ts', 'evidence', 'migrate', ...args], {
          env: { ...process.env, DATABASE_URL: '' },
        })
          .then((r) => ({ code: 0, ...r }))
          .catch((e: { code: number; stdout: string; stderr: string }) => e);
      try {
        const ok = await run(['--from', dir, '--db', dbUrl]);
        expect(ok.code).toBe(0);
        expect(JSON.parse(ok.stdout)).toMatchObject({ originals: 1, copied: 1, failed: [] });
        const other = await openTestDb(dbUrl);
        expect(await new ChunkedBlobStore(blobChunksIn(other), 'db').readAll(sha(file), 'original')).toEqual(file);
        await other.destroy();
        const missing = await run(['--from', join(dir, 'nope'), '--db', dbUrl]);
        expect(missing.code).toBe(2);
        expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    },
    90_000,
  );
});
