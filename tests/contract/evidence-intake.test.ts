import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { damagedDispute } from '../fixtures/damaged-dispute';
import type { Role } from '../../src-main/contract/domain';
import type { Envelope } from '../../src-main/contract/errors';
import type { EvidenceVerifyView } from '../../src-main/contract/evidence';
import type { Db } from '../../src-main/db/connect';
import { reuseOfCase } from '../../src-main/db/repos/evidence';
import { MATCH_MAX_DISTANCE } from '../../src-main/app/evidence/reuse-index';
import { ManualClock } from '../../src-main/runtime/clock';
import { openEvidenceFiles, type EvidenceFiles } from '../../src-main/app/evidence/intake';
import type { ContentStore } from '../../src-main/files/store';
import type { ServiceContext } from '../../src-main/app/handlers';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { dispatch } from '../../src-main/app/dispatch';
import type { Identity } from '../../src-main/app/identity';
import { padJpeg, texturedJpeg, texturedPng } from '../fixtures/hostile-corpus';
import { isoVideo, webmVideo } from '../fixtures/video-files';
import { DIALECTS, openTestDb } from '../db/harness';
import { replayInWorker } from '../../src-main/app/replay/in-worker';
import { BUSY_MESSAGE, DEFAULT_LANE_LIMITS, EvidenceWorkers } from '../../src-main/files/workers';

/**
 * `party.submitEvidence` with the file's bytes, through dispatch as the feed calls it, on every
 * dialect: the type from the magic bytes, the size limit before decoding, the store, the
 * analysis, the rows in the command's transaction, reuse across accounts (flipped and
 * re-encoded copies) feeding the buyer score, refusals that write nothing, and "evidence intact".
 */

const NOW = Date.parse('2026-03-10T12:00:00Z');
const INTAKE: Identity = { kind: 'intake' };
const as = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = as('m1', 'mediator');
const A1 = as('a1', 'analyst');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

// Each account buys from a shop of its own: a picture several customers of ONE shop attach to
// disputes about its orders is that shop's listing photo, not a photo shared between buyers (model v9).
const dispute = (id: string, buyer: string) => damagedDispute(id, buyer, NOW, 'Vase', `S-${buyer}`);

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => join(d.parentPath, d.name))
    : [];

describe.each(DIALECTS)('party.submitEvidence with bytes on $name', ({ url }) => {
  let db: Db;
  let ctx: ServiceContext & { evidence: EvidenceFiles<ContentStore> };
  let dir: string;
  let photo: Buffer;
  let caseNo = 0;

  async function call<T = unknown>(method: string, input: unknown, who: Identity): Promise<Envelope<T>> {
    return (await dispatch(ctx, method, input, who)) as Envelope<T>;
  }
  async function ok<T = unknown>(method: string, input: unknown, who: Identity): Promise<T> {
    const r = await call<T>(method, input, who);
    if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
    return r.value;
  }
  /** A fresh case of `buyer`, claimed, with an open evidence request to the buyer. */
  async function openRequest(buyer: string): Promise<string> {
    const id = `C-${++caseNo}`;
    await ok('intake.dispute', dispute(id, buyer), INTAKE);
    await ok('case.claim', { caseId: id }, M1);
    await ok('case.requestEvidence', { caseId: id, party: 'buyer', request: 'A photo of the damage.' }, M1);
    return id;
  }
  const submit = (caseId: string, name: string, bytes: Uint8Array | string) =>
    call(
      'party.submitEvidence',
      { caseId, party: 'buyer', file: { name, contentBase64: typeof bytes === 'string' ? bytes : b64(bytes) } },
      INTAKE,
    );
  const evidenceOf = (caseId: string) => db.selectFrom('evidence').selectAll().where('case_id', '=', caseId).execute();
  const refusalsOf = async (caseId: string) =>
    (
      await db.selectFrom('case_events').select('details').where('case_id', '=', caseId).where('type', '=', 'command.refused').execute()
    ).map((r) => JSON.parse(r.details));
  const fileRow = (s: string) => db.selectFrom('evidence_files').selectAll().where('sha256', '=', s).executeTakeFirst();
  const statusOf = async (caseId: string) =>
    (await db.selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()).status;

  beforeAll(async () => {
    db = await openTestDb(url());
    dir = mkdtempSync(join(tmpdir(), 'md-ev-intake-'));
    await ensurePolicy(db, NOW);
    for (const [id, role] of [
      ['m1', 'mediator'],
      ['a1', 'analyst'],
    ] as const)
      await db
        .insertInto('users')
        .values({ id, name: id, role, password_hash: 'disabled', failed_attempts: 0, locked_until: null, created_at: NOW })
        .execute();
    ctx = {
      db,
      clock: new ManualClock(NOW),
      notify: () => {},
      replayCases: replayInWorker,
      evidence: openEvidenceFiles(join(dir, 'evidence')),
    };
    photo = await texturedJpeg(101, 640, 480);
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores, analyses and records a photo in the command transaction; the bytes decide the type, the name is only a label', async () => {
    const caseId = await openRequest('B-1');
    expect(
      await ok(
        'party.submitEvidence',
        { caseId, party: 'buyer', file: { name: '../../etc/IMG_0042.jpg', contentBase64: b64(photo) }, note: 'the crack' },
        INTAKE,
      ),
    ).toEqual({
      caseId,
      status: 'in_review',
    });
    const [row] = await evidenceOf(caseId);
    expect(row).toMatchObject({ name: 'IMG_0042.jpg', media_type: 'image/jpeg', sha256: sha(photo), note: 'the crack' });
    expect(Number(row!.size_bytes)).toBe(photo.length);
    const file = await fileRow(sha(photo));
    expect(file).toMatchObject({ kind: 'image', media_type: 'image/jpeg', variants: 'display,thumb', cluster_key: sha(photo) });
    expect([Number(file!.width), Number(file!.height)]).toEqual([640, 480]);
    expect(file!.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(file!.phash_hi) * 2 ** 32 + Number(file!.phash_lo)).toBe(Number(BigInt(`0x${file!.phash}`)));
    // The original byte for byte, and the derived copies, under the sha256.
    const store = ctx.evidence.store;
    expect(readFileSync(store.pathOf(sha(photo), 'original')).equals(photo)).toBe(true);
    expect((await sharp(readFileSync(store.pathOf(sha(photo), 'thumb'))).metadata()).format).toBe('jpeg');
    expect(await store.has(sha(photo), 'display')).toBe(true);
    // The case event carries what the bytes are.
    const events = await db
      .selectFrom('case_events')
      .select(['type', 'details'])
      .where('case_id', '=', caseId)
      .where('type', '=', 'evidence.submitted')
      .execute();
    expect(JSON.parse(events[0]!.details)).toMatchObject({
      name: 'IMG_0042.jpg',
      mediaType: 'image/jpeg',
      sizeBytes: photo.length,
      sha256: sha(photo),
    });

    // A PNG named .jpg is recorded as the PNG it is.
    const png = await texturedPng(7, 200, 150);
    const c2 = await openRequest('B-png');
    expect((await submit(c2, 'holiday.jpg', png)).ok).toBe(true);
    expect((await evidenceOf(c2))[0]).toMatchObject({ name: 'holiday.jpg', media_type: 'image/png', sha256: sha(png) });
  });

  it('finds a flipped, re-encoded copy sent by another account, records the match and counts it as a shared photo', async () => {
    const copy = await sharp(photo).flop().resize(560).jpeg({ quality: 60 }).toBuffer();
    expect(sha(copy)).not.toBe(sha(photo));
    const caseId = await openRequest('B-2');
    expect((await submit(caseId, 'mine.jpg', copy)).ok).toBe(true);
    const matches = await db.selectFrom('evidence_matches').selectAll().where('sha256', '=', sha(copy)).execute();
    expect(matches.map((m) => [m.other_sha256, m.transform])).toEqual([[sha(photo), 'flip_h']]);
    expect(Number(matches[0]!.distance)).toBeLessThanOrEqual(MATCH_MAX_DISTANCE);
    expect((await fileRow(sha(copy)))!.cluster_key).toBe(sha(photo));
    // The case shows where the picture was seen: B-1's case, another account.
    const reuse = await reuseOfCase(db, caseId);
    expect(reuse).toEqual([
      expect.objectContaining({ sha256: sha(copy), otherSha256: sha(photo), caseId: 'C-1', accountId: 'B-1', transform: 'flip_h' }),
    ]);

    // The buyer score: both accounts now have a photo another account submitted too.
    for (const buyer of ['B-1', 'B-2']) {
      const risk = await db
        .selectFrom('buyer_risk')
        .select(['n_photo_shared', 'reasons'])
        .where('buyer_id', '=', buyer)
        .executeTakeFirstOrThrow();
      expect(Number(risk.n_photo_shared)).toBe(1);
      expect((JSON.parse(risk.reasons) as Array<{ code: string }>).map((r) => r.code)).toContain('SHARED_PHOTO');
    }
    const disputes = await db
      .selectFrom('risk_disputes')
      .select(['case_id', 'photos'])
      .where('case_id', 'in', ['C-1', caseId])
      .orderBy('case_id')
      .execute();
    expect(disputes.map((d) => JSON.parse(d.photos))).toEqual([[sha(photo)], [sha(photo)]]);

    // Rebuilding every score from the source tables keys photos by the same clusters.
    await recomputeRisk(db, { asOf: ctx.clock.now() });
    for (const buyer of ['B-1', 'B-2']) {
      const risk = await db.selectFrom('buyer_risk').select('n_photo_shared').where('buyer_id', '=', buyer).executeTakeFirstOrThrow();
      expect(Number(risk.n_photo_shared)).toBe(1);
    }
    const rebuilt = await db
      .selectFrom('risk_disputes')
      .select(['case_id', 'photos'])
      .where('case_id', 'in', ['C-1', caseId])
      .orderBy('case_id')
      .execute();
    expect(rebuilt.map((d) => JSON.parse(d.photos))).toEqual([[sha(photo)], [sha(photo)]]);
  });

  it('leaves unrelated pictures alone', async () => {
    const other = await texturedJpeg(202, 640, 480);
    const caseId = await openRequest('B-3');
    expect((await submit(caseId, 'other.jpg', other)).ok).toBe(true);
    expect(await db.selectFrom('evidence_matches').selectAll().where('sha256', '=', sha(other)).execute()).toEqual([]);
    expect((await fileRow(sha(other)))!.cluster_key).toBe(sha(other));
    const risk = await db.selectFrom('buyer_risk').select('n_photo_shared').where('buyer_id', '=', 'B-3').executeTakeFirstOrThrow();
    expect(Number(risk.n_photo_shared)).toBe(0);
  });

  it('records the very same bytes once, and shows them on both cases', async () => {
    const caseId = await openRequest('B-4');
    expect((await submit(caseId, 'again.jpg', photo)).ok).toBe(true);
    expect(await db.selectFrom('evidence_files').select('seq').where('sha256', '=', sha(photo)).execute()).toHaveLength(1);
    const reuse = await reuseOfCase(db, caseId);
    expect(reuse.filter((r) => r.transform === 'identical').map((r) => r.caseId)).toEqual(['C-1']);
  });

  it('accepts a video by its container, with the video limit', async () => {
    const caseId = await openRequest('B-video');
    const video = isoVideo({ samples: 30_000, seed: 3 }); // over the image limit (about 3.3 MB), under the video one
    expect((await submit(caseId, 'unboxing.jpg', video)).ok).toBe(true);
    expect((await evidenceOf(caseId))[0]).toMatchObject({ name: 'unboxing.jpg', media_type: 'video/mp4' });
    expect(await fileRow(sha(video))).toMatchObject({ kind: 'video', phash: null, cluster_key: null, variants: '' });
  });

  it('walks a video to its end: a cut MP4 or WebM is refused and its bytes not kept; an old MOV without ftyp is accepted', async () => {
    const caseId = await openRequest('B-cut-video');
    const before = filesUnder(dir).length;
    for (const [name, cut] of [
      ['cut.mp4', isoVideo({ samples: 40 }).subarray(0, 2000)],
      ['cut.webm', webmVideo({ clusters: 4 }).subarray(0, 900)],
    ] as const) {
      const r = await submit(caseId, name, cut);
      expect(r).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_FILE' } });
      expect(!r.ok && r.error.message).toMatch(
        new RegExp(`^${name.replace('.', '\\.')}: This (MP4|WebM) video cannot be accepted: the file is incomplete`),
      );
      expect(await fileRow(sha(cut))).toBeUndefined();
      expect(await ctx.evidence.store.has(sha(cut))).toBe(false);
    }
    expect(filesUnder(dir).length).toBe(before);
    const old = isoVideo({ quicktime: true, brand: null, seed: 8 });
    expect((await submit(caseId, 'old.mov', old)).ok).toBe(true);
    expect(await fileRow(sha(old))).toMatchObject({ kind: 'video', media_type: 'video/quicktime', size_bytes: old.length });
  });

  it('the report: a description of a stored MP4 as "image/jpeg, 1 B" is refused', async () => {
    const caseId = await openRequest('B-mp4-lie');
    const clip = isoVideo({ samples: 18, seed: 2241 });
    expect((await submit(caseId, 'clip.mp4', clip)).ok).toBe(true);
    const c2 = await openRequest('B-mp4-lie-2');
    const r = await call(
      'party.submitEvidence',
      { caseId: c2, party: 'buyer', file: { name: 'x.jpg', mediaType: 'image/jpeg', sizeBytes: 1, sha256: sha(clip) } },
      INTAKE,
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'file.mediaType' } });
    expect(!r.ok && r.error.message).toContain(`it is video/mp4 of ${clip.length.toLocaleString('en-US')} bytes`);
    expect(await evidenceOf(c2)).toEqual([]);
  });

  it('a full image queue answers UNAVAILABLE with a sentence and records nothing; small photos still go through', async () => {
    const caseId = await openRequest('B-busy');
    const busy = new EvidenceWorkers(1, {
      laneLimits: { large: { maxWaiting: 0, maxWaitingPerSource: 0, maxWaitingBytes: 0 }, small: DEFAULT_LANE_LIMITS.small },
    });
    const saved = ctx.evidence;
    ctx = { ...ctx, evidence: openEvidenceFiles(saved.store, busy) };
    try {
      const huge = await sharp({ create: { width: 8000, height: 5000, channels: 3, background: '#555' } })
        .png()
        .toBuffer();
      const r = await submit(caseId, 'huge.png', huge);
      expect(r).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: `huge.png: ${BUSY_MESSAGE}` } });
      expect(await evidenceOf(caseId)).toEqual([]);
      expect(await fileRow(sha(huge))).toBeUndefined();
      expect((await submit(caseId, 'small.jpg', await texturedJpeg(808, 200, 150))).ok).toBe(true);
    } finally {
      ctx = { ...ctx, evidence: saved };
      await busy.close();
    }
  });

  it('several files (files) answer one request: all stored and analysed, all recorded in one transaction, the log keeps descriptions', async () => {
    const front = await texturedJpeg(404, 480, 360);
    const back = await texturedPng(505, 320, 240);
    const caseId = await openRequest('B-many');
    expect(
      await ok(
        'party.submitEvidence',
        {
          caseId,
          party: 'buyer',
          files: [
            { name: 'front.jpg', contentBase64: b64(front) },
            { name: 'back.png', contentBase64: b64(back) },
          ],
          note: 'all sides',
        },
        INTAKE,
      ),
    ).toEqual({ caseId, status: 'in_review' });
    const rows = (await evidenceOf(caseId)).sort((x, y) => Number(x.seq) - Number(y.seq));
    const requests = await db.selectFrom('evidence_requests').selectAll().where('case_id', '=', caseId).execute();
    expect(requests.map((r) => r.status)).toEqual(['fulfilled']);
    expect(rows.map((r) => [r.name, r.media_type, r.sha256, r.request_id, r.note])).toEqual([
      ['front.jpg', 'image/jpeg', sha(front), requests[0]!.id, 'all sides'],
      ['back.png', 'image/png', sha(back), requests[0]!.id, 'all sides'],
    ]);
    for (const bytes of [front, back]) {
      expect(readFileSync(ctx.evidence.store.pathOf(sha(bytes), 'original')).equals(bytes)).toBe(true);
      expect(await fileRow(sha(bytes))).toMatchObject({ kind: 'image', variants: 'display,thumb' });
    }
    const submitted = await db
      .selectFrom('case_events')
      .select('details')
      .where('case_id', '=', caseId)
      .where('type', '=', 'evidence.submitted')
      .orderBy('id')
      .execute();
    expect(submitted.map((e) => JSON.parse(e.details).sha256)).toEqual([sha(front), sha(back)]);

    // The command log holds the description form of both, and replaying it is accepted.
    const logged = await db
      .selectFrom('case_commands')
      .select(['method', 'input'])
      .where('case_id', '=', caseId)
      .where('method', '=', 'party.submitEvidence')
      .execute();
    const input = JSON.parse(logged[0]!.input);
    expect(logged).toHaveLength(1);
    expect(input).toEqual({
      caseId,
      party: 'buyer',
      files: [
        { name: 'front.jpg', mediaType: 'image/jpeg', sizeBytes: front.length, sha256: sha(front) },
        { name: 'back.png', mediaType: 'image/png', sizeBytes: back.length, sha256: sha(back) },
      ],
      note: 'all sides',
    });
    const again = await openRequest('B-many-replay');
    expect(await ok('party.submitEvidence', { ...input, caseId: again }, INTAKE)).toEqual({ caseId: again, status: 'in_review' });
    expect((await evidenceOf(again)).map((r) => r.sha256).sort()).toEqual([sha(front), sha(back)].sort());
  });

  describe('refusals write nothing but one refusal event', () => {
    const objectsDir = () => join(dir, 'evidence', 'objects');

    it('several files with one web page among them: the whole answer refused before any is stored, the field names its place', async () => {
      const caseId = await openRequest('B-many-bad');
      const before = filesUnder(objectsDir()).length;
      const good = await texturedJpeg(606, 320, 240);
      const r = await call(
        'party.submitEvidence',
        {
          caseId,
          party: 'buyer',
          files: [
            { name: 'good.jpg', contentBase64: b64(good) },
            { name: 'page.jpg', contentBase64: b64(Buffer.from('<html><body>not a photo</body></html>'.repeat(4))) },
            { name: 'good2.jpg', contentBase64: b64(photo) },
          ],
        },
        INTAKE,
      );
      expect(r).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_FILE', field: 'files.1.contentBase64' } });
      expect(!r.ok && r.error.message).toMatch(/^page\.jpg: /);
      expect(await evidenceOf(caseId)).toEqual([]);
      expect(await fileRow(sha(good))).toBeUndefined();
      expect(filesUnder(objectsDir())).toHaveLength(before);
      expect(await refusalsOf(caseId)).toEqual([expect.objectContaining({ code: 'UNSUPPORTED_FILE' })]);
      expect(await statusOf(caseId)).toBe('awaiting_evidence');
    });

    it('a photo over the image limit: FILE_TOO_LARGE before decoding, nothing stored', async () => {
      const caseId = await openRequest('B-big');
      const before = filesUnder(objectsDir()).length;
      const big = padJpeg(photo, Math.round(2.4 * 1_048_576));
      const r = await submit(caseId, 'IMG_0042.jpg', big);
      expect(r).toEqual({ ok: false, error: { code: 'FILE_TOO_LARGE', message: 'IMG_0042.jpg is 2.4 MB; images may be at most 2.0 MB.' } });
      expect(await evidenceOf(caseId)).toEqual([]);
      expect(await fileRow(sha(big))).toBeUndefined();
      expect(filesUnder(objectsDir())).toHaveLength(before);
      expect(filesUnder(join(dir, 'evidence', 'tmp'))).toEqual([]);
      expect(await refusalsOf(caseId)).toEqual([expect.objectContaining({ code: 'FILE_TOO_LARGE' })]);
      expect(await statusOf(caseId)).toBe('awaiting_evidence'); // the request is still open
      // Exactly at the limit it goes in.
      expect((await submit(caseId, 'IMG_0043.jpg', padJpeg(photo, 2 * 1_048_576))).ok).toBe(true);
    });

    it('a web page named photo.jpg: UNSUPPORTED_FILE, nothing stored', async () => {
      const caseId = await openRequest('B-html');
      const before = filesUnder(objectsDir()).length;
      const r = await submit(caseId, 'photo.jpg', Buffer.from('<html><script>fetch("/steal")</script></html>'.repeat(4)));
      expect(!r.ok && r.error.code).toBe('UNSUPPORTED_FILE');
      expect(!r.ok && r.error.message).toMatch(/^photo\.jpg: /);
      expect(await evidenceOf(caseId)).toEqual([]);
      expect(filesUnder(objectsDir())).toHaveLength(before);
      expect(await refusalsOf(caseId)).toHaveLength(1);
    });

    it('a damaged JPEG: UNSUPPORTED_FILE from the analysis, no rows', async () => {
      const caseId = await openRequest('B-cut');
      const cut = photo.subarray(0, Math.floor(photo.length / 2));
      const r = await submit(caseId, 'cut.jpg', cut);
      expect(!r.ok && r.error.code).toBe('UNSUPPORTED_FILE');
      expect(!r.ok && r.error.message).toMatch(/^cut\.jpg: /);
      expect(await evidenceOf(caseId)).toEqual([]);
      expect(await fileRow(sha(cut))).toBeUndefined();
      expect(await refusalsOf(caseId)).toHaveLength(1);
    });

    it('good bytes without an open request: the engine refuses, the file row is not recorded', async () => {
      const caseId = `C-${++caseNo}`;
      await ok('intake.dispute', dispute(caseId, 'B-noreq'), INTAKE);
      const fresh = await texturedJpeg(303, 320, 240);
      const r = await submit(caseId, 'late.jpg', fresh);
      expect(!r.ok && r.error.code).toBe('NO_OPEN_REQUEST');
      expect(await evidenceOf(caseId)).toEqual([]);
      expect(await fileRow(sha(fresh))).toBeUndefined();
      expect(await refusalsOf(caseId)).toHaveLength(1);
    });

    it('text that is not base64: VALIDATION naming the field', async () => {
      const caseId = await openRequest('B-b64');
      const r = await submit(caseId, 'x.jpg', 'not base64!');
      expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'file.contentBase64' } });
      expect(await evidenceOf(caseId)).toEqual([]);
    });
  });

  it('the description form still works (replay), and no store means descriptions only', async () => {
    const caseId = await openRequest('B-desc');
    const described = { name: 'p.jpg', mediaType: 'image/jpeg', sizeBytes: 1000, sha256: 'd'.repeat(64) };
    expect((await call('party.submitEvidence', { caseId, party: 'buyer', file: described }, INTAKE)).ok).toBe(true);
    const c2 = await openRequest('B-nostore');
    const bare = await dispatch(
      { db, clock: ctx.clock, notify: () => {}, replayCases: replayInWorker },
      'party.submitEvidence',
      { caseId: c2, party: 'buyer', file: { name: 'a.jpg', contentBase64: b64(photo) } },
      INTAKE,
    );
    expect(bare).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'file.contentBase64' } });
    // evidence.verify: only a description was recorded.
    const v = await call('evidence.verify', { sha256: 'd'.repeat(64) }, M1);
    expect(v).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(!v.ok && v.error.message).toMatch(/Only the description/);
  });

  it('a description of bytes the desk holds must tell their truth: a false size or type is refused, the true one accepted', async () => {
    const caseId = await openRequest('B-lie');
    const bytes = await texturedPng(606, 96, 64);
    expect((await submit(caseId, 'real.png', bytes)).ok).toBe(true);
    const c2 = await openRequest('B-lie-2');
    const truth = { name: 'copy.png', mediaType: 'image/png', sizeBytes: bytes.length, sha256: sha(bytes) };
    const before = await evidenceOf(c2);
    // The report's case: the sha256 of stored bytes, "image/jpeg, 1 B".
    const lie = await call(
      'party.submitEvidence',
      { caseId: c2, party: 'buyer', file: { ...truth, mediaType: 'image/jpeg', sizeBytes: 1 } },
      INTAKE,
    );
    expect(lie).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'file.mediaType' } });
    expect(!lie.ok && lie.error.message).toBe(
      `copy.png is described as image/jpeg of 1 byte, but the desk already holds the file with this sha256 and it is image/png of ${bytes.length.toLocaleString('en-US')} bytes. Describe it as it is, or send the file itself.`,
    );
    const wrongSize = await call(
      'party.submitEvidence',
      { caseId: c2, party: 'buyer', file: { ...truth, sizeBytes: bytes.length + 1 } },
      INTAKE,
    );
    expect(wrongSize).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'file.sizeBytes' } });
    // In a list, the field names the place; the bytes sent alongside are not stored either.
    const other = await texturedJpeg(607, 64, 48);
    const listed = await call(
      'party.submitEvidence',
      {
        caseId: c2,
        party: 'buyer',
        files: [
          { name: 'new.jpg', contentBase64: b64(other) },
          { ...truth, sizeBytes: 7 },
        ],
      },
      INTAKE,
    );
    expect(listed).toMatchObject({ ok: false, error: { code: 'VALIDATION', field: 'files.1.sizeBytes' } });
    expect(await fileRow(sha(other))).toBeUndefined();
    expect(await evidenceOf(c2)).toEqual(before);
    // The truth is accepted, and the case shows the file as the bytes are.
    expect((await call('party.submitEvidence', { caseId: c2, party: 'buyer', file: truth }, INTAKE)).ok).toBe(true);
    expect(await evidenceOf(c2)).toEqual([
      expect.objectContaining({ media_type: 'image/png', size_bytes: bytes.length, sha256: sha(bytes) }),
    ]);
  });

  it('evidence.verify re-hashes the stored bytes and notices tampering', async () => {
    const intact = await ok<EvidenceVerifyView>('evidence.verify', { sha256: sha(photo) }, A1);
    expect(intact).toMatchObject({ sha256: sha(photo), intact: true, sizeBytes: photo.length, checkedAt: new Date(NOW).toISOString() });
    expect(intact.message).toMatch(/^Evidence intact/);
    expect((await call('evidence.verify', { sha256: sha(photo) }, INTAKE)).ok).toBe(false);

    const path = ctx.evidence.store.pathOf(sha(photo), 'original');
    const tampered = Buffer.from(photo);
    tampered[tampered.length - 10] = tampered[tampered.length - 10]! ^ 0xff;
    writeFileSync(path, tampered);
    const broken = await ok<EvidenceVerifyView>('evidence.verify', { sha256: sha(photo) }, M1);
    expect(broken).toMatchObject({ intact: false, sizeBytes: photo.length });
    expect(broken.message).toMatch(/changed since it was received/);
    writeFileSync(path, photo);
    expect((await ok<EvidenceVerifyView>('evidence.verify', { sha256: sha(photo) }, M1)).intact).toBe(true);
  });
});
