import { spawn } from 'node:child_process';
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { checkpointOffThread, openDatabase, type Db } from '../../src-main/db/connect';
import { inWriteTx } from '../../src-main/db/tx';
import { withRelaxedCommits } from '../../src-main/db/repos/bulk-load';
import BetterSqlite3 from 'better-sqlite3';
import { backgroundCheckpointsOf, startBackgroundCheckpoints } from '../../src-main/db/background-checkpoint';
import { blobChunksIn } from '../../src-main/db/repos/blobs';
import { tempSqliteFiles } from './temp-sqlite';

const tempFile = tempSqliteFiles('md-ckpt-');

/** The wal-index header's frame count and how many of them a checkpoint copied (walformat.html). */
function walIndex(file: string): { mxFrame: number; nBackfill: number } {
  const fd = openSync(`${file}-shm`, 'r');
  try {
    const b = Buffer.alloc(100);
    readSync(fd, b, 0, 100, 0);
    return { mxFrame: b.readUInt32LE(16), nBackfill: b.readUInt32LE(96) };
  } finally {
    closeSync(fd);
  }
}

const pragma = async (db: Db, name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(db)).rows[0] as object)[0];

/** Commits that each write a few pages: `n` transactions of 20 blobs of 2 KB. */
async function write(db: Db, n: number) {
  await sql`CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, b BLOB)`.execute(db);
  for (let i = 0; i < n; i++)
    await inWriteTx(db, async (tx) => {
      for (let j = 0; j < 20; j++) await sql`INSERT INTO filler (b) VALUES (randomblob(2000))`.execute(tx);
    });
}

const until = async (ok: () => boolean, ms = 5_000) => {
  for (const end = Date.now() + ms; !ok() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  return ok();
};

/** A database file of one table on a raw connection, with the checkpoint worker started on it as given; its RESTART cell. */
function rawWithWorker(pages: number, pollMs: number) {
  const file = tempFile();
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)');
  const checkpoints = startBackgroundCheckpoints(raw, file, undefined, pages, pollMs)!;
  const insert = () => raw.prepare('INSERT INTO filler (b) VALUES (randomblob(100))').run();
  const close = async () => {
    checkpoints.stop();
    await checkpoints.ended;
    raw.close();
  };
  return { raw, checkpoints, cell: new Int32Array(checkpoints.control), insert, close };
}

describe('WAL checkpoints on a worker thread (db/background-checkpoint.ts)', () => {
  it('the commits of this thread do not checkpoint; the worker copies the WAL once it holds 1,000 frames', async () => {
    const file = tempFile();
    const db = await openDatabase({ url: file });
    expect(checkpointOffThread(db)).toBe(true);
    expect(checkpointOffThread(db)).toBe(true); // idempotent
    expect(Number(await pragma(db, 'wal_autocheckpoint'))).toBe(0);
    await write(db, 100); // ~1,100 frames
    expect(await until(() => walIndex(file).nBackfill >= 1_000)).toBe(true);
    // A burst of commits with no pause (a catch-up) still lets the WAL start over: it does not grow without bound.
    await write(db, 600); // ~6,600 frames
    expect(statSync(`${file}-wal`).size).toBeLessThan(5.5 * 1_000 * 4_120);
    const worker = backgroundCheckpointsOf(db)!;
    await db.destroy();
    // Closing the database ends the worker (its connection closed with it).
    expect(await Promise.race([worker.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still running'), 10_000))])).toBe(
      'ended',
    );
    // Everything committed is there after a reopen.
    const again = await openDatabase({ url: file });
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(again)).rows[0]!.n)).toBe(700 * 20);
    await again.destroy();
  });

  it('a first bulk load raises the worker threshold as it raised wal_autocheckpoint, and puts it back', async () => {
    const db = await openDatabase({ url: tempFile() });
    checkpointOffThread(db);
    const seen: number[] = [];
    await withRelaxedCommits(db, async () => {
      seen.push(backgroundCheckpointsOf(db)!.pages(), Number(await pragma(db, 'wal_autocheckpoint')));
    });
    expect(seen).toEqual([65_536, 0]);
    expect(backgroundCheckpointsOf(db)!.pages()).toBe(1_000);
    await db.destroy();
  });

  it("a write waiting at the gate for the worker's RESTART waits for the copy, not for the worker's next read of the WAL", async () => {
    // The worker reads the WAL every 5 s here (20 ms in the app), and never checkpoints by itself (threshold out of reach).
    const { raw, checkpoints, cell, insert, close } = rawWithWorker(1e9, 5_000);
    // The RESTART as the worker asks for it (cell 2 = 1); writeGate grants it and waits until the worker is done.
    const gated = async () => {
      Atomics.store(cell, 2, 1);
      const start = performance.now();
      await checkpoints.writeGate();
      const waited = performance.now() - start;
      insert();
      checkpoints.writeDone();
      return waited;
    };
    // The first one also waits for the worker's start; the next ones find it asleep between two reads.
    await gated();
    const waits = [await gated(), await gated(), await gated()];
    // Woken by the grant: milliseconds; woken by its next read: up to 5 s, 2.5 s on average (each under 1 s by chance: 1 in 125).
    expect(Math.max(...waits), `waits ${waits.map((w) => w.toFixed(1)).join(', ')} ms`).toBeLessThan(1_000);
    expect(Number((raw.prepare('SELECT count(*) AS n FROM filler').get() as { n: number }).n)).toBe(4);
    await close();
  }, 60_000);

  it('a write waiting at the gate while another is open goes on as soon as a checkpoint copied the whole WAL after all', async () => {
    // Every frame starts a checkpoint; the worker reads the WAL every 10 ms.
    const { checkpoints, cell, insert, close } = rawWithWorker(1, 10);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await checkpoints.writeGate(); // a first write transaction of this thread, still open
      insert();
      // The worker asked for a RESTART; it cannot be granted while the first one is open.
      Atomics.store(cell, 2, 1);
      const start = performance.now();
      await checkpoints.writeGate(); // the second: waits until the worker's PASSIVE copied the frame and lowered the flag
      waits.push(performance.now() - start);
      checkpoints.writeDone();
      checkpoints.writeDone();
    }
    // Woken when the flag is lowered: the worker's next read and a copy; not woken: the gate's own 200 ms timeout every time.
    expect(Math.min(...waits), `waits ${waits.map((w) => w.toFixed(1)).join(', ')} ms`).toBeLessThan(120);
    await close();
  }, 60_000);

  it('does not apply to a database in memory', async () => {
    const db = await openDatabase({ url: ':memory:' });
    expect(checkpointOffThread(db)).toBe(false);
    await db.destroy();
  });
  it('a process killed between its commits and their checkpoint loses none of them', async () => {
    const file = tempFile();
    // A child process with the worker: 50 commits, then no checkpoint (threshold out of reach), then SIGKILL.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `
        const { openDatabase, checkpointOffThread } = await import('./src-main/db/connect.ts');
        const { backgroundCheckpointsOf } = await import('./src-main/db/background-checkpoint.ts');
        const { inWriteTx } = await import('./src-main/db/tx.ts');
        const { sql } = await import('kysely');
        const db = await openDatabase({ url: ${JSON.stringify(file)} });
        checkpointOffThread(db);
        backgroundCheckpointsOf(db).setPages(1e9);
        await sql\`CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)\`.execute(db);
        for (let i = 0; i < 50; i++)
          await inWriteTx(db, async (tx) => { for (let j = 0; j < 20; j++) await sql\`INSERT INTO filler (b) VALUES (randomblob(2000))\`.execute(tx); });
        console.log('committed');
        setInterval(() => {}, 1000);
        `,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise((done) => child.once('exit', done));
    expect(await until(() => out.includes('committed') || child.exitCode !== null, 60_000), out).toBe(true);
    expect(out).toContain('committed');
    child.kill('SIGKILL');
    await exited;
    // The commits are in the WAL only: nothing was copied into the database file.
    const { mxFrame, nBackfill } = walIndex(file);
    expect(mxFrame).toBeGreaterThan(500);
    expect(nBackfill).toBe(0);
    const again = await openDatabase({ url: file });
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(again)).rows[0]!.n)).toBe(50 * 20);
    expect(String(Object.values((await sql.raw('PRAGMA integrity_check').execute(again)).rows[0] as object)[0])).toBe('ok');
    await again.destroy();
  }, 90_000);

  it('while the worker starts the WAL over, a transaction that reads before it writes and another process that writes both go through', async () => {
    const file = tempFile();
    const db = await openDatabase({ url: file });
    checkpointOffThread(db);
    await sql`CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)`.execute(db);
    // Another process writing the same file (a second desktop or the CLI), waiting for the lock as the app does (busy_timeout).
    const other = spawn(
      process.execPath,
      [
        '-e',
        `
        const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
        db.pragma('busy_timeout = 5000');
        const insert = db.prepare('INSERT INTO filler (b) VALUES (randomblob(100))');
        let n = 0;
        const next = () => { insert.run(); if (++n < 200) setTimeout(next, 10); else console.log('wrote ' + n); };
        next();
        `,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let otherOut = '';
    other.stdout.on('data', (d) => (otherOut += String(d)));
    other.stderr.on('data', (d) => (otherOut += String(d)));
    const otherExit = new Promise<number | null>((done) => other.once('exit', done));
    const blobs = blobChunksIn(db);
    let replaced = 0;
    let stop = false;
    // The blob store's replace reads the old head, then writes: an upgrade SQLite refuses at once (SQLITE_BUSY) if the worker holds the write lock.
    const replacing = (async () => {
      for (let i = 0; !stop; i++) {
        await blobs.replaceBlob({
          sha256: 'a'.repeat(64),
          variant: 'original',
          blobId: `b${i}`,
          sizeBytes: 1,
          chunkBytes: 1,
          chunkCount: 1,
          storedAt: i,
        });
        replaced++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await write(db, 900); // ~10,000 frames: the worker starts the WAL over a few times
    stop = true;
    await replacing;
    expect(await otherExit, otherOut).toBe(0);
    expect(otherOut).toContain('wrote 200');
    expect(replaced).toBeGreaterThan(0);
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(db)).rows[0]!.n)).toBe(900 * 20 + 200);
    await db.destroy();
  }, 120_000);
});
