import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src-main/demo/demo-data';
import type { CaseView } from '../../src-main/contract/views';
import type { Db } from '../../src-main/db/connect';
import { insertEvidenceFiles } from '../../src-main/db/repos/evidence';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { caseView } from '../../src-main/app/case/view';
import { seedDemoEvidence } from '../../src-main/demo/evidence';
import { openEvidenceFiles } from '../../src-main/app/evidence/intake';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { createUser } from '../../src-main/app/session/users';
import { DIALECTS, openTestDb } from '../db/harness';

/**
 * What the case view says about each evidence file (app/evidence/view.ts): the stored
 * file's facts, reuse across cases and accounts, and the capture-time warnings. Run on the
 * demo's evidence stories (real files through import-with-files and party.submitEvidence),
 * and on hand-made rows for the edges of the capture-time rules.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-03-20T12:00:00Z');

const file = (v: CaseView, name: string) => {
  const e = v.evidence.find((x) => x.name === name);
  if (!e) throw new Error(`${v.id} has no file ${name}`);
  return e;
};
const codes = (e: CaseView['evidence'][number]) => (e.warnings ?? []).map((w) => w.code).sort();

/**
 * The stories take real pictures through the worker that analyses them (~15 s): once, on
 * SQLite. The SQL they exercise is evidence-repo's, which its own tests run on every dialect;
 * the capture-time edges below run on every dialect.
 */
describe('evidence in the case view: the demo stories', () => {
  let db: Db;
  let dir: string;
  let views: Record<string, CaseView>;

  beforeAll(async () => {
    db = await openTestDb(DIALECTS[0]!.url());
    dir = mkdtempSync(join(tmpdir(), 'md-evview-'));
    await ensurePolicy(db, NOW - 400 * DAY);
    await createUser(
      db,
      DEMO_USERS.find((u) => u.id === 'lena')!,
      NOW - 400 * DAY,
    );
    const summary = await seedDemoEvidence({ db, evidence: openEvidenceFiles(join(dir, 'evidence')) }, NOW);
    expect(summary).toEqual({ cases: 3, files: 13 });
    // Once only.
    expect(await seedDemoEvidence({ db, evidence: openEvidenceFiles(join(dir, 'evidence')) }, NOW)).toEqual({ cases: 0, files: 0 });
    views = {};
    for (const id of ['D-900001', 'D-900002', 'D-900003']) views[id] = (await caseView(db, id))!;
  }, 120_000);
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the demo cases in review with every request answered', () => {
    for (const v of Object.values(views)) {
      expect(v.status).toBe('in_review');
      expect(v.assignee).toBe('lena');
      expect(v.evidenceRequests.every((r) => r.status === 'fulfilled')).toBe(true);
      for (const e of v.evidence) expect(e.file?.stored, `${v.id} ${e.name}`).toBe(true);
    }
  });

  it('gives each stored file its facts from the bytes and the EXIF', () => {
    const cracked = file(views['D-900001']!, 'IMG_20260312_181702.jpg').file!;
    expect(cracked).toMatchObject({
      mediaType: 'image/jpeg',
      kind: 'image',
      width: 1280,
      height: 960,
      device: 'Xiaomi Redmi Note 12',
      variants: ['display', 'thumb'],
    });
    // The phone wrote +03:00: the instant is in UTC, three hours after delivery.
    const delivered = Date.parse(views['D-900001']!.order.tracking.deliveredAt!);
    expect(cracked.capturedAt).toMatch(/Z$/);
    expect(Date.parse(cracked.capturedAt!) - delivered).toBe(3 * HOUR);
    expect(cracked.phash).toMatch(/^[0-9a-f]{16}$/);
    const chat = file(views['D-900001']!, 'Screenshot_chat_seller.png');
    expect(chat.file).toMatchObject({ mediaType: 'image/png', capturedAt: null, device: null });
    expect(chat.requestId).toBeNull();
    const bmp = file(views['D-900002']!, 'warehouse_scan.bmp');
    expect(bmp.file).toMatchObject({ mediaType: 'image/bmp', width: 560, height: 420, variants: ['display', 'thumb'] });
    const video = file(views['D-900003']!, 'VID_20260318_2011.webm');
    expect(video.file).toMatchObject({ mediaType: 'video/webm', kind: 'video', variants: [], phash: null });
    expect(video.warnings).toEqual([]);
  });

  it('names the other account and case of a mirrored copy, on both cases', () => {
    const original = file(views['D-900001']!, 'IMG_20260312_181544.jpg');
    expect(codes(original)).toEqual(['reused_other_account']);
    expect(original.warnings![0]!.text).toBe('The same picture (mirrored) was sent by another account, B-900002, in case D-900002.');
    expect(original.reuse).toEqual([
      expect.objectContaining({ caseId: 'D-900002', accountId: 'B-900002', party: 'buyer', transform: 'flip_h', sameAccount: false }),
    ]);
    expect(original.reuse![0]!.distance).toBeLessThanOrEqual(6);
    const copy = file(views['D-900002']!, 'parcel_damage.jpg');
    // The copy lost its EXIF on the way (a messenger): a quiet note besides the reuse.
    expect(codes(copy)).toEqual(['no_capture_time', 'reused_other_account']);
    expect(copy.reuse).toEqual([
      expect.objectContaining({ caseId: 'D-900001', accountId: 'B-900001', sha256: original.sha256, sameAccount: false }),
    ]);
  });

  it('tells a seller re-using its own picture in another case apart from another account', () => {
    const stock = file(views['D-900001']!, 'phone_before_packing.jpg');
    expect(codes(stock)).toEqual(['captured_before_order', 'reused_other_case']);
    expect(stock.warnings!.find((w) => w.code === 'reused_other_case')!.text).toBe(
      'The seller sent the same picture in case D-900003 too.',
    );
    expect(stock.reuse).toEqual([expect.objectContaining({ caseId: 'D-900003', accountId: 'S-900001', sameAccount: true })]);
    expect(codes(file(views['D-900001']!, 'packed_O-900001.jpg'))).toEqual([]);
  });

  it('warns about a buyer photo taken before the delivery of a received item', () => {
    const early = file(views['D-900003']!, 'IMG_4471.jpg');
    expect(codes(early)).toEqual(['captured_before_delivery']);
    expect(early.warnings![0]!.text).toBe('Taken 2 days before the parcel was delivered: it cannot show the item as received.');
  });
});

describe.each(DIALECTS)('evidence in the case view on $name: capture-time edges', ({ url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW - 400 * DAY);
  });
  afterAll(async () => {
    await db.destroy();
  });

  {
    const delivered = NOW - 10 * DAY;
    const placed = NOW - 20 * DAY;
    const shas: Record<string, string> = {
      offsetHourBefore: 'a1'.repeat(32),
      naive10hBefore: 'a2'.repeat(32),
      naive20hBefore: 'a3'.repeat(32),
      sellerBefore: 'a4'.repeat(32),
      beforeOrder: 'a5'.repeat(32),
      nrBefore: 'a6'.repeat(32),
    };
    const taken: Record<string, [number, 0 | 1]> = {
      offsetHourBefore: [delivered - HOUR, 1],
      naive10hBefore: [delivered - 10 * HOUR, 0],
      naive20hBefore: [delivered - 20 * HOUR, 0],
      sellerBefore: [delivered - 5 * DAY, 1],
      beforeOrder: [placed - 3 * DAY, 1],
      nrBefore: [delivered - 2 * DAY, 1],
    };
    const dispute = (id: string, reason: string, evidence: Array<{ party: 'buyer' | 'seller'; key: string }>) => ({
      id,
      openedAt: new Date(NOW - 5 * DAY).toISOString(),
      escalatedAt: new Date(NOW - 4 * DAY).toISOString(),
      reason,
      claim: { remedy: 'refund_only', amountMinor: 1_000 },
      order: {
        id: `O-${id}`,
        placedAt: new Date(placed).toISOString(),
        currency: 'EUR',
        itemPriceMinor: 1_000,
        shippingMinor: 0,
        totalMinor: 1_000,
        item: { title: 'Lamp', quantity: 1 },
        tracking: { number: `T-${id}`, carrier: 'DHL', status: 'delivered', deliveredAt: new Date(delivered).toISOString() },
      },
      buyer: { id: `B-${id}`, name: 'Buyer', country: 'DE' },
      seller: { id: `S-${id}`, name: 'Seller', country: 'CN' },
      evidence: evidence.map((e) => ({
        party: e.party,
        name: `${e.key}.jpg`,
        mediaType: 'image/jpeg',
        sizeBytes: 1000,
        sha256: shas[e.key]!,
        submittedAt: new Date(NOW - 5 * DAY).toISOString(),
      })),
    });

    beforeAll(async () => {
      await insertEvidenceFiles(
        db,
        Object.entries(shas).map(([key, sha256]) => ({
          sha256,
          media_type: 'image/jpeg',
          kind: 'image',
          size_bytes: 1000,
          width: 10,
          height: 10,
          frames: null,
          captured_at: taken[key]![0],
          captured_at_has_offset: taken[key]![1],
          device: 'Cam',
          phash: null,
          phash_hi: null,
          phash_lo: null,
          cluster_key: null,
          variants: '',
          stored_at: NOW,
        })),
      );
      const lines = [
        dispute('E-1', 'damaged', [
          { party: 'buyer', key: 'offsetHourBefore' },
          { party: 'buyer', key: 'naive10hBefore' },
          { party: 'buyer', key: 'naive20hBefore' },
          { party: 'seller', key: 'sellerBefore' },
          { party: 'buyer', key: 'beforeOrder' },
        ]),
        dispute('E-2', 'not_received.no_tracking_info', [{ party: 'buyer', key: 'nrBefore' }]),
      ];
      await importStream(
        db,
        lines.map((value, i) => ({ line: i + 1, value })),
        {
          now: NOW,
          onProblem: (p) => {
            throw new Error(p.message);
          },
        },
      );
    });

    it('judges a time with an offset exactly, and allows 14 h either way for one without', async () => {
      const v = (await caseView(db, 'E-1'))!;
      expect(codes(file(v, 'offsetHourBefore.jpg'))).toEqual(['captured_before_delivery']);
      expect(file(v, 'offsetHourBefore.jpg').warnings![0]!.text).toBe(
        'Taken 1 hour before the parcel was delivered: it cannot show the item as received.',
      );
      expect(codes(file(v, 'naive10hBefore.jpg'))).toEqual([]);
      expect(codes(file(v, 'naive20hBefore.jpg'))).toEqual(['captured_before_delivery']);
      expect(file(v, 'naive20hBefore.jpg').warnings![0]!.text).toContain('no time zone');
      // Without an offset the wall-clock time goes out without a zone.
      expect(file(v, 'naive10hBefore.jpg').file!.capturedAt).toBe(new Date(delivered - 10 * HOUR).toISOString().slice(0, 19));
    });

    it('does not hold a seller’s packing photo against delivery, but does against the order', async () => {
      const v = (await caseView(db, 'E-1'))!;
      expect(codes(file(v, 'sellerBefore.jpg'))).toEqual([]);
      expect(codes(file(v, 'beforeOrder.jpg'))).toEqual(['captured_before_order']);
      expect(file(v, 'beforeOrder.jpg').warnings![0]!.text).toBe(
        'Taken 3 days before the order was placed: this photo cannot show the item that was delivered.',
      );
    });

    it('has no delivery warning for an item that was not received', async () => {
      const v = (await caseView(db, 'E-2'))!;
      expect(codes(file(v, 'nrBefore.jpg'))).toEqual([]);
    });
  }
});
