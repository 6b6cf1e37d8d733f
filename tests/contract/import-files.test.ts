import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import { openDatabase } from '../../src-main/db/connect';
import { importStream, type ImportProblem, type ImportSummary } from '../../src-main/app/intake/bulk-import';
import { openEvidenceFiles, type EvidenceFiles } from '../../src-main/app/evidence/intake';
import type { ContentStore } from '../../src-main/files/store';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { dispatch } from '../../src-main/app/dispatch';
import { padJpeg, texturedJpeg } from '../fixtures/hostile-corpus';
import { DIALECTS, openTestDb } from '../db/harness';
import { replayInWorker } from '../../src-main/app/replay/in-worker';

/**
 * `import` with evidence files next to the NDJSON: each file is streamed into the store with
 * the policy's limits and analysed like an upload; its type, size and sha256 come from the
 * bytes (given ones must match); a bad file refuses its dispute whole with a problem line
 * naming the field; paths cannot leave the NDJSON's folder.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function dispute(id: string, buyer: string, evidence: unknown[]) {
  const placed = NOW - 40 * DAY;
  const at = (d: number) => new Date(placed + d * DAY).toISOString();
  return {
    id,
    openedAt: at(20),
    escalatedAt: at(25),
    reason: 'damaged',
    claim: { remedy: 'refund_only', amountMinor: 5_000 },
    order: {
      id: `O-${id}`,
      placedAt: at(0),
      currency: 'EUR',
      itemPriceMinor: 4_000,
      shippingMinor: 1_000,
      totalMinor: 5_000,
      item: { title: 'Vase', quantity: 1 },
      tracking: { number: `T${id}`, carrier: 'DHL', status: 'delivered', deliveredAt: at(10) },
    },
    buyer: { id: buyer, name: buyer, country: 'DE' },
    // A shop of each buyer's own: a photo two buyers of ONE seller share is that seller's listing
    // photo, not a shared photo (risk model v9).
    seller: { id: `S-${buyer}`, name: 'Shop', country: 'CN' },
    evidence: evidence.map((e) => ({ party: 'buyer', submittedAt: at(20), ...(e as object) })),
  };
}

describe.each(DIALECTS)('import with files on $name', ({ url }) => {
  let db: Db;
  let root: string;
  let base: string;
  let files: EvidenceFiles<ContentStore>;
  let photo: Buffer;
  let copy: Buffer;

  async function run(lines: unknown[], withFiles = true): Promise<{ summary: ImportSummary; problems: ImportProblem[] }> {
    const problems: ImportProblem[] = [];
    const summary = await importStream(
      db,
      lines.map((value, i) => ({ line: i + 1, value })),
      { now: NOW, onProblem: (p) => problems.push(p), ...(withFiles ? { files: { baseDir: base, evidence: files } } : {}) },
    );
    return { summary, problems };
  }
  const caseExists = async (id: string) => !!(await db.selectFrom('cases').select('id').where('id', '=', id).executeTakeFirst());
  const fileRow = (s: string) => db.selectFrom('evidence_files').selectAll().where('sha256', '=', s).executeTakeFirst();

  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW);
    root = mkdtempSync(join(tmpdir(), 'md-import-files-'));
    base = join(root, 'feed');
    mkdirSync(join(base, 'photos'), { recursive: true });
    files = openEvidenceFiles(join(root, 'evidence'));
    photo = await texturedJpeg(501, 640, 480);
    copy = await sharp(photo).flip().resize(600).jpeg({ quality: 65 }).toBuffer();
    writeFileSync(join(base, 'photos', 'IMG_1.jpg'), photo);
    writeFileSync(join(base, 'photos', 'IMG_1 (copy).jpg'), copy);
    writeFileSync(join(base, 'photos', 'big.jpg'), padJpeg(photo, Math.round(2.4 * 1_048_576)));
    writeFileSync(join(base, 'photos', 'page.jpg'), '<!doctype html><html><body>not a photo</body></html>');
    writeFileSync(join(root, 'outside.jpg'), photo);
    symlinkSync(join(root, 'outside.jpg'), join(base, 'photos', 'link.jpg'));
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores the files, describes the evidence by their bytes, and finds the flipped copy of another account in the same batch', async () => {
    const { summary, problems } = await run([
      dispute('F-1', 'B-1', [{ file: 'photos/IMG_1.jpg' }]),
      dispute('F-2', 'B-2', [
        {
          file: 'photos/IMG_1 (copy).jpg',
          name: 'C:\\Users\\me\\crack.jpg',
          mediaType: 'image/jpeg',
          sizeBytes: copy.length,
          sha256: sha(copy),
        },
      ]),
    ]);
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({ read: 2, created: 2, refused: 0 });
    const ev = await db
      .selectFrom('evidence')
      .select(['case_id', 'name', 'media_type', 'size_bytes', 'sha256'])
      .orderBy('case_id')
      .execute();
    expect(ev.map((e) => [e.case_id, e.name, e.media_type, Number(e.size_bytes), e.sha256])).toEqual([
      ['F-1', 'IMG_1.jpg', 'image/jpeg', photo.length, sha(photo)],
      ['F-2', 'crack.jpg', 'image/jpeg', copy.length, sha(copy)],
    ]);
    expect(existsSync(files.store.pathOf(sha(photo), 'original'))).toBe(true);
    expect(await files.store.has(sha(copy), 'thumb')).toBe(true);
    const match = await db.selectFrom('evidence_matches').selectAll().where('sha256', '=', sha(copy)).executeTakeFirstOrThrow();
    expect([match.other_sha256, match.transform]).toEqual([sha(photo), 'flip_v']);
    expect((await fileRow(sha(copy)))!.cluster_key).toBe(sha(photo));
    for (const buyer of ['B-1', 'B-2'])
      expect(
        Number(
          (await db.selectFrom('buyer_risk').select('n_photo_shared').where('buyer_id', '=', buyer).executeTakeFirstOrThrow())
            .n_photo_shared,
        ),
      ).toBe(1);
  });

  it('finds a later copy through the index in a later import, and re-importing the same lines changes nothing', async () => {
    const third = await sharp(photo).rotate(90).jpeg({ quality: 80 }).toBuffer();
    writeFileSync(join(base, 'photos', 'rotated.jpg'), third);
    const { summary } = await run([dispute('F-3', 'B-3', [{ file: 'photos/rotated.jpg' }])]);
    expect(summary.created).toBe(1);
    const m = await db
      .selectFrom('evidence_matches')
      .select(['other_sha256', 'transform'])
      .where('sha256', '=', sha(third))
      .orderBy('other_sha256')
      .execute();
    expect(m.map((x) => x.other_sha256).sort()).toEqual([sha(photo), sha(copy)].sort());
    expect((await fileRow(sha(third)))!.cluster_key).toBe(sha(photo));

    const before = await db.selectFrom('evidence_files').select('seq').execute();
    const again = await run([
      dispute('F-1', 'B-1', [{ file: 'photos/IMG_1.jpg' }]),
      dispute('F-3', 'B-3', [{ file: 'photos/rotated.jpg' }]),
    ]);
    expect(again.summary).toMatchObject({ unchanged: 2, created: 0, refused: 0 });
    expect(await db.selectFrom('evidence_files').select('seq').execute()).toHaveLength(before.length);
  });

  it.each([
    [
      'a file over the image limit',
      { file: 'photos/big.jpg' },
      'FILE_TOO_LARGE',
      'evidence.0.file',
      'evidence.0.file: big.jpg is 2.4 MB; images may be at most 2.0 MB.',
    ],
    ['a web page named .jpg', { file: 'photos/page.jpg' }, 'UNSUPPORTED_FILE', 'evidence.0.file', /^evidence\.0\.file: page\.jpg: /],
    ['a missing file', { file: 'photos/none.jpg' }, 'VALIDATION', 'evidence.0.file', /no file "photos\/none\.jpg"/],
    ['an absolute path', { file: '/etc/passwd' }, 'VALIDATION', 'evidence.0.file', /relative to the NDJSON's folder/],
    ['a Windows path', { file: 'C:\\photos\\IMG_1.jpg' }, 'VALIDATION', 'evidence.0.file', /relative to the NDJSON's folder/],
    ['a path up and out', { file: 'photos/../../outside.jpg' }, 'VALIDATION', 'evidence.0.file', /no "\.\."/],
    ['a link leading outside', { file: 'photos/link.jpg' }, 'VALIDATION', 'evidence.0.file', /link that leads outside/],
    ['a folder', { file: 'photos' }, 'VALIDATION', 'evidence.0.file', /is not a file/],
    [
      'a wrong sha256',
      { file: 'photos/IMG_1.jpg', sha256: 'a'.repeat(64) },
      'VALIDATION',
      'evidence.0.sha256',
      /does not match the file's bytes/,
    ],
    ['a wrong size', { file: 'photos/IMG_1.jpg', sizeBytes: 5 }, 'VALIDATION', 'evidence.0.sizeBytes', /but the file has/],
    ['a wrong type', { file: 'photos/IMG_1.jpg', mediaType: 'image/png' }, 'VALIDATION', 'evidence.0.mediaType', /are image\/jpeg/],
    ['neither a file nor a description', { name: 'x.jpg' }, 'VALIDATION', 'evidence.0.mediaType', /or give "file"/],
  ])('refuses the dispute whole for %s', async (_what, entry, code, field, message) => {
    const id = `BAD-${field}-${code}-${JSON.stringify(entry).length}`;
    const { summary, problems } = await run([dispute(id, 'B-bad', [entry])]);
    expect(summary).toMatchObject({ created: 0, refused: 1 });
    expect(problems).toEqual([{ line: 1, id, code, field, message: expect.anything() }]);
    if (typeof message === 'string') expect(problems[0]!.message).toBe(message);
    else expect(problems[0]!.message).toMatch(message);
    expect(await caseExists(id)).toBe(false);
  });

  it('a good file followed by a bad one: nothing of the dispute is recorded, the next line still goes in', async () => {
    const fresh = await texturedJpeg(777, 320, 240);
    writeFileSync(join(base, 'photos', 'fresh.jpg'), fresh);
    const { summary, problems } = await run([
      dispute('G-1', 'B-g', [{ file: 'photos/fresh.jpg' }, { file: 'photos/page.jpg' }]),
      dispute('G-2', 'B-g', [{ name: 'described.jpg', mediaType: 'image/jpeg', sizeBytes: 10, sha256: 'e'.repeat(64) }]),
    ]);
    expect(problems.map((p) => [p.line, p.code, p.field])).toEqual([[1, 'UNSUPPORTED_FILE', 'evidence.1.file']]);
    expect(summary).toMatchObject({ created: 1, refused: 1 });
    expect(await caseExists('G-1')).toBe(false);
    expect(await fileRow(sha(fresh))).toBeUndefined();
  });

  it('without a folder to read from (and through intake.dispute) a "file" is refused', async () => {
    const { problems } = await run([dispute('H-1', 'B-h', [{ file: 'photos/IMG_1.jpg' }])], false);
    expect(problems).toEqual([expect.objectContaining({ code: 'VALIDATION', field: expect.stringMatching(/^evidence\.0/) })]);
    const r = await dispatch(
      { db, clock: { now: () => NOW }, notify: () => {}, replayCases: replayInWorker },
      'intake.dispute',
      dispute('H-2', 'B-h', [{ file: 'photos/IMG_1.jpg' }]),
      { kind: 'intake' },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('cli import with files', () => {
  it('stores the files in evidence/ next to the database and prints a problem line per bad dispute', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-import-cli-files-'));
    try {
      const feed = join(dir, 'feed');
      mkdirSync(join(feed, 'photos'), { recursive: true });
      const photo = await texturedJpeg(900, 400, 300);
      writeFileSync(join(feed, 'photos', 'a.jpg'), photo);
      writeFileSync(join(feed, 'photos', 'b.jpg'), 'GIF87a but not really');
      const file = join(feed, 'in.ndjson');
      writeFileSync(
        file,
        [dispute('K-1', 'B-k', [{ file: 'photos/a.jpg' }]), dispute('K-2', 'B-k', [{ file: 'photos/b.jpg' }])]
          .map((d) => JSON.stringify(d))
          .join('\n') + '\n',
      );
      const dbPath = join(dir, 'data', 'desk.sqlite');
      mkdirSync(join(dir, 'data'));
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', 'import', file, '--db', dbPath], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: '', MEDIATION_DESK_DATA: join(dir, 'elsewhere') },
      });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ read: 2, created: 1, refused: 1 });
      const problems = run.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{') && !l.startsWith('{"progress"'))
        .map((l) => JSON.parse(l));
      expect(problems).toEqual([expect.objectContaining({ line: 2, id: 'K-2', code: 'UNSUPPORTED_FILE', field: 'evidence.0.file' })]);
      const s = sha(photo);
      expect(existsSync(join(dir, 'data', 'evidence', 'objects', s.slice(0, 2), s.slice(2, 4), s))).toBe(true);
      const db = await openDatabase({ url: dbPath });
      try {
        expect(await db.selectFrom('evidence_files').select(['sha256', 'variants']).execute()).toEqual([
          { sha256: s, variants: 'display,thumb' },
        ]);
      } finally {
        await db.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
