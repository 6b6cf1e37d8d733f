import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../src-main/app/identity';
import type { ChangeNotice, TaskProgress } from '../../src-main/contract/bridge';
import type { Envelope } from '../../src-main/contract/errors';
import { IMPORT_CHUNK_BYTES, type ImportView } from '../../src-main/contract/imports';
import type { Role } from '../../src-main/contract/domain';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';

/**
 * Issue 16 item 3: a dispute file imported from the Feeds screen, uploaded in chunks through the
 * contract (the same for IPC and HTTP), imported in the background with its progress announced
 * to every window, counted and refused line by line as `cli import` does.
 */
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const S1 = user('s1', 'supervisor');
const M1 = user('m1', 'mediator');

let core: Core | null = null;
let dir = '';
afterEach(async () => {
  await core?.close();
  core = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<Core> {
  dir = mkdtempSync(join(tmpdir(), 'md-imports-'));
  core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock: new ManualClock(T0), fullIntegrityWalk: false });
  return core;
}
async function call<T>(method: string, input: unknown, who: Identity = S1): Promise<Envelope<T>> {
  return (await core!.dispatch(method, input, who)) as Envelope<T>;
}
async function ok<T>(method: string, input: unknown, who: Identity = S1): Promise<T> {
  const r = await call<T>(method, input, who);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/** A file of `n` demo disputes (varied seed) with `bad` broken lines spread through it. */
function disputeFile(n: number, seed: number, bad: number[]): Buffer {
  const lines = [...generateDemoDisputes({ cases: n, now: T0, seed })].map((d) => JSON.stringify(d));
  for (const at of bad) lines.splice(at, 0, at % 2 ? '{"disputeId": 12' : JSON.stringify({ disputeId: `BAD-${at}` }));
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** Uploads in chunks of `chunk` bytes (the last may be short), sending each chunk twice when `retry`. */
async function upload(bytes: Buffer, chunk = IMPORT_CHUNK_BYTES, retry = false): Promise<string> {
  const begun = await ok<ImportView>('imports.begin', { fileName: 'disputes.ndjson', sizeBytes: bytes.length });
  expect(begun.state).toBe('uploading');
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    const piece = { importId: begun.importId, offset, dataBase64: bytes.subarray(offset, offset + chunk).toString('base64') };
    await ok('imports.append', piece);
    if (retry) await ok('imports.append', piece);
  }
  return begun.importId;
}

async function finished(c: Core): Promise<ImportView> {
  for (let i = 0; i < 600; i++) {
    const { current } = await ok<{ current: ImportView | null }>('imports.status', {});
    if (current && current.state !== 'importing' && current.state !== 'uploading') return current;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the import did not end: ${JSON.stringify((await ok<{ current: ImportView }>('imports.status', {})).current)}`);
  void c;
}

describe('imports from the screen', () => {
  it('uploads in chunks (retries harmless), imports in the background, counts and refuses lines as cli import, announces progress', async () => {
    const c = await open();
    const seed = 1 + Math.floor(Math.random() * 1000);
    const n = 600 + (seed % 300);
    const bad = [3, 250, 251, 590];
    const bytes = disputeFile(n, seed, bad);
    const notices: ChangeNotice[] = [];
    c.onChange((x) => x && notices.push(x));

    const id = await upload(bytes, 7_000 + (seed % 5_000), true);
    const started = await ok<ImportView>('imports.start', { importId: id });
    expect(started.state).toBe('importing');
    const end = await finished(c);

    expect(end, `seed ${seed}`).toMatchObject({ state: 'done', error: null, receivedBytes: bytes.length, startedBy: 's1' });
    expect(end.counts).toEqual({ read: n + bad.length, created: n, updated: 0, unchanged: 0, refused: bad.length });
    expect(end.problems.map((p) => p.line)).toEqual(bad.map((b) => b + 1));
    expect(end.problems.every((p) => p.code === 'VALIDATION' && p.message.length > 0)).toBe(true);
    expect(end.progress.percent).toBe(100);
    const cases = await c.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(cases.n)).toBe(n);
    // Every window heard of it: import notices with progress, the last one finished.
    const progress = notices.filter((x) => x.reason === 'import').map((x) => x.progress as TaskProgress);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatchObject({ task: 'import', finished: true, remainingAtLeast: 0 });
    // The uploaded file does not stay on the desk's disk.
    expect(readdirSync(join(dir, 'imports'))).toEqual([]);

    // The same file again: every dispute unchanged (idempotent), nothing created.
    await ok('imports.start', { importId: await upload(bytes) });
    expect((await finished(c)).counts).toMatchObject({ created: 0, unchanged: n, refused: bad.length });
  });

  it('refuses what does not fit: roles, gaps, overruns, a second import, starting early, bad base64', async () => {
    await open();
    const bytes = disputeFile(20, 5, []);
    const refused = async (method: string, input: unknown, code: string, who: Identity = S1) => {
      const r = await call(method, input, who);
      expect(r.ok, `${method} ${JSON.stringify(input).slice(0, 80)}`).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(r.error.message.length).toBeGreaterThan(10);
      }
    };
    await refused('imports.begin', { fileName: 'x.ndjson', sizeBytes: 10 }, 'FORBIDDEN', M1);
    await refused('imports.status', {}, 'FORBIDDEN', M1);
    await refused('imports.begin', { fileName: 'x.ndjson', sizeBytes: 0 }, 'VALIDATION');
    await refused('imports.begin', { fileName: 'x.ndjson', sizeBytes: 5 * 1024 ** 3 }, 'VALIDATION');
    const { importId } = await ok<ImportView>('imports.begin', { fileName: 'x.ndjson', sizeBytes: bytes.length });
    const b64 = (from: number, to: number) => bytes.subarray(from, to).toString('base64');
    await refused('imports.append', { importId, offset: 100, dataBase64: b64(100, 200) }, 'VALIDATION'); // a gap
    await refused('imports.append', { importId, offset: 0, dataBase64: 'not base64!' }, 'VALIDATION');
    await refused(
      'imports.append',
      { importId, offset: 0, dataBase64: Buffer.alloc(IMPORT_CHUNK_BYTES + 3).toString('base64') },
      'VALIDATION',
    );
    await refused('imports.append', { importId: 'imp-nope', offset: 0, dataBase64: b64(0, 10) }, 'NOT_FOUND');
    await ok('imports.append', { importId, offset: 0, dataBase64: b64(0, 100) });
    await refused('imports.start', { importId }, 'VALIDATION'); // 100 of N bytes
    await refused('imports.begin', { fileName: 'y.ndjson', sizeBytes: 10 }, 'CONFLICT'); // one at a time
    await refused('imports.append', { importId, offset: 100, dataBase64: Buffer.alloc(bytes.length).toString('base64') }, 'VALIDATION'); // past the size
    const cancelled = await ok<ImportView>('imports.cancel', { importId });
    expect(cancelled.state).toBe('cancelled');
    expect(existsSync(join(dir, 'imports', `${importId}.ndjson`))).toBe(false);
    await refused('imports.start', { importId }, 'INVALID_STATE');
    // A new upload may begin once the last one ended.
    await ok('imports.begin', { fileName: 'z.ndjson', sizeBytes: 10 });
  });

  it('a file that is not NDJSON: each line refused with a sentence, and the desk stays usable', async () => {
    const c = await open();
    const bytes = Buffer.from(`${'x'.repeat(3000)}\n{"disputeId":1}\n`);
    await ok('imports.start', { importId: await upload(bytes, 1000) });
    const end = await finished(c);
    expect(end.state).toBe('done');
    expect(end.counts).toMatchObject({ read: 2, created: 0, refused: 2 });
    expect(end.problems.map((p) => p.line)).toEqual([1, 2]);
    expect((await call('queue.counts', {}, M1)).ok).toBe(true);
  });
});
