import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Party } from '../contract/domain';
import { dispatch } from '../app/dispatch';
import type { Identity } from '../app/identity';
import { importStream } from '../app/intake/bulk-import';
import {
  chargerVideo,
  chatScreenshot,
  crackedScreenPhoto,
  crushedParcelPhoto,
  mirroredCopy,
  packingPhoto,
  phoneOnChargerPhoto,
  phoneWorkingPhoto,
  toBmp,
  trackingScreenshot,
  type CameraExif,
} from './pictures';
import type { EvidenceFiles } from '../app/evidence/intake';
import type { ServiceContext } from '../app/handlers';
import { replayInWorker } from '../app/replay/in-worker';
import { caseExists } from '../db/repos/case-reads';
import { userExists } from '../db/repos/users';
import { commandCounts, insertSetting, settingExists } from '../db/repos/demo';
import { inWriteTx } from '../db/tx';

/**
 * Demo cases whose evidence is real files, taken in through the real intake paths: the
 * import of an escalated dispute with its files (bulk-import, as `import` does), then a
 * mediator's evidence requests and the parties' answers as `party.submitEvidence` with the
 * bytes (dispatch, as the marketplace feed sends them). The pictures are synthetic
 * (demo-pictures.ts) but carry what real ones do: EXIF capture time and device, PNG
 * screenshots without either, a BMP, a short WebM video.
 *
 * The stories show what the evidence review is for:
 * - D-900001: a crushed parcel and a cracked phone; the seller's "before packing" photo was
 *   taken weeks before the order (a stock photo), the packing photo fits.
 * - D-900002: another buyer account sends the first buyer's parcel photo, mirrored: a reuse
 *   warning on both cases.
 * - D-900003: "video of the phone on its charger": a video, and a photo whose capture time
 *   is two days before the parcel was delivered.
 * All three are Lena's (a demo mediator with history), in review, every request answered, so
 * no deadline runs on them. Escalated within the last day and a half: the oldest cases of the
 * queue, which "Take next case" hands out, stay untouched.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MEDIATOR_ID = 'lena';
const MEDIATOR: Identity = { kind: 'user', userId: MEDIATOR_ID, name: 'Lena Hoffmann', role: 'mediator' };
const INTAKE: Identity = { kind: 'intake' };
/** Written once every story is told; a run killed before it is resumed by the next (see seedDemoEvidence). */
const DONE_KEY = 'demo.evidence';
const STORY_CASES = ['D-900001', 'D-900002', 'D-900003'];

export interface DemoEvidenceSummary {
  cases: number;
  files: number;
}

/**
 * Adds the stories once (does nothing when they are all told or the demo mediator is missing).
 * Resumable: a run killed half-way is finished by the next one, which skips the imports of
 * cases that exist and, on each case, as many calls as its command log has accepted (every
 * call of a story is one accepted command, in order).
 */
export async function seedDemoEvidence(
  base: { db: ServiceContext['db']; evidence: EvidenceFiles },
  now: number,
): Promise<DemoEvidenceSummary> {
  const { db } = base;
  if (await settingExists(db, DONE_KEY)) return { cases: 0, files: 0 };
  if (!(await userExists(db, MEDIATOR_ID))) return { cases: 0, files: 0 };
  const accepted = await commandCounts(db, STORY_CASES);
  const calls = new Map<string, number>();

  // Every step happens at its own instant in the past, oldest first.
  let at = now;
  const ctx: ServiceContext = { db, evidence: base.evidence, clock: { now: () => at }, notify: () => {}, replayCases: replayInWorker };
  const run = async (when: number, identity: Identity, method: string, input: unknown): Promise<unknown> => {
    const caseId = (input as { caseId: string }).caseId;
    const n = calls.get(caseId) ?? 0;
    calls.set(caseId, n + 1);
    if (n < (accepted.get(caseId) ?? 0)) return null; // done by a run that was interrupted later
    at = when;
    const r = await dispatch(ctx, method, input, identity);
    if (!r.ok)
      throw new Error(
        `demo evidence: ${method} on ${JSON.stringify((input as { caseId?: string }).caseId ?? '')} was refused: ${r.error.code} ${r.error.message}`,
      );
    return r.value;
  };
  const send = (when: number, caseId: string, party: Party, name: string, bytes: Buffer, note?: string) =>
    run(when, INTAKE, 'party.submitEvidence', {
      caseId,
      party,
      file: { name, contentBase64: bytes.toString('base64') },
      ...(note ? { note } : {}),
    });
  let files = 0;
  const counted = async (p: Promise<unknown>) => {
    await p;
    files++;
  };

  const dir = await mkdtemp(join(tmpdir(), 'md-demo-evidence-'));
  try {
    const t = (days: number, hours = 0) => now - days * DAY - hours * HOUR;
    const cam = (make: string, model: string, taken: number, offsetHours: number | null): CameraExif => ({
      make,
      model,
      // EXIF holds the phone's wall clock: UTC shifted by the zone the phone was in.
      taken: new Date(taken + (offsetHours ?? 0) * HOUR),
      offset: offsetHours === null ? null : `${offsetHours < 0 ? '-' : '+'}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`,
    });

    // ------------------------------------------------------------ D-900001
    const e1 = { id: 'D-900001', placed: t(21), shipped: t(19), delivered: t(9, 5), opened: t(8), escalated: t(1, 6) };
    const crushed = await crushedParcelPhoto(cam('Xiaomi', 'Redmi Note 12', e1.delivered + 2 * HOUR, 3), 'LP00 4471 2290 73');
    const e1Chat = await chatScreenshot('Shenzhen Mobile Store', [
      { from: 'me', text: 'The parcel came crushed and the phone screen is cracked. It does not switch on.', time: '18:21' },
      { from: 'them', text: 'Hello friend, the phone was perfect when we ship it.', time: '19:02' },
      { from: 'them', text: 'Please cancel the dispute and we send you 5 USD by PayPal.', time: '19:03' },
    ]);
    await writeFile(join(dir, 'd1-chat.png'), e1Chat);
    await writeFile(join(dir, 'd1-parcel.jpg'), crushed);
    await writeFile(
      join(dir, 'd1-tracking.png'),
      await trackingScreenshot('LP00447122907', 'Cainiao', [
        { when: formatDay(e1.delivered), what: 'Delivered, signed by the recipient' },
        { when: formatDay(e1.delivered - 5 * HOUR), what: 'Out for delivery' },
        { when: formatDay(e1.shipped + 6 * DAY), what: 'Arrived in the destination country' },
        { when: formatDay(e1.shipped), what: 'Accepted by the carrier' },
      ]),
    );
    await importWithFiles(base, dir, e1.escalated, {
      id: e1.id,
      openedAt: iso(e1.opened),
      escalatedAt: iso(e1.escalated),
      reason: 'damaged',
      claim: { remedy: 'refund_only', amountMinor: 21_900 },
      description: 'The box arrived crushed on one corner. The phone screen is cracked and the phone does not switch on.',
      order: {
        id: 'O-900001',
        placedAt: iso(e1.placed),
        shippedAt: iso(e1.shipped),
        currency: 'USD',
        itemPriceMinor: 21_900,
        shippingMinor: 0,
        totalMinor: 21_900,
        item: { title: 'Smartphone X12 Pro 8/256 GB, midnight blue', quantity: 1 },
        tracking: { number: 'LP00447122907', carrier: 'Cainiao', status: 'delivered', deliveredAt: iso(e1.delivered) },
      },
      buyer: { id: 'B-900001', name: 'Dmitri Volkov', country: 'RU', createdAt: iso(t(900)), links: { device: ['dv-demo-ev-1'] } },
      seller: { id: 'S-900001', name: 'Shenzhen Mobile Store', country: 'CN', createdAt: iso(t(2200)) },
      negotiation: [
        {
          at: iso(e1.opened + 20 * HOUR),
          by: 'seller',
          remedy: 'refund_only',
          amountMinor: 2_000,
          comment: 'We can offer 20 USD for the inconvenience.',
        },
      ],
      messages: [
        { at: iso(e1.opened + HOUR), by: 'buyer', text: 'The box was crushed and the screen is cracked. The phone does not switch on.' },
        { at: iso(e1.opened + 19 * HOUR), by: 'seller', text: 'The phone was tested before shipping. Please send a video.' },
      ],
      evidence: [
        { party: 'buyer', file: 'd1-parcel.jpg', name: 'IMG_20260312_181544.jpg', submittedAt: iso(e1.opened + 90 * 60_000) },
        { party: 'buyer', file: 'd1-chat.png', name: 'Screenshot_chat_seller.png', submittedAt: iso(e1.opened + 2 * HOUR) },
        { party: 'seller', file: 'd1-tracking.png', name: 'tracking_delivered.png', submittedAt: iso(e1.opened + 21 * HOUR) },
      ],
    });
    files += 3;
    await run(e1.escalated + HOUR, MEDIATOR, 'case.claim', { caseId: e1.id });
    await run(e1.escalated + 90 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e1.id,
      party: 'buyer',
      request: 'A clear photo of the phone’s screen in daylight, switched on if it can be.',
    });
    await run(e1.escalated + 95 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e1.id,
      party: 'seller',
      request: 'A photo of this phone before it was packed.',
    });
    await run(e1.escalated + 100 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e1.id,
      party: 'seller',
      request: 'A photo of the packed parcel showing the order number.',
    });
    await counted(
      send(
        e1.escalated + 4 * HOUR,
        e1.id,
        'buyer',
        'IMG_20260312_181702.jpg',
        await crackedScreenPhoto(cam('Xiaomi', 'Redmi Note 12', e1.delivered + 3 * HOUR, 3)),
        'It does not switch on at all.',
      ),
    );
    await counted(
      send(
        e1.escalated + 11 * HOUR,
        e1.id,
        'seller',
        'phone_before_packing.jpg',
        await phoneWorkingPhoto(cam('Canon', 'EOS 250D', e1.placed - 48 * DAY, 8)),
        'Tested and working before packing.',
      ),
    );
    await counted(
      send(
        e1.escalated + 11 * HOUR + 60_000,
        e1.id,
        'seller',
        'packed_O-900001.jpg',
        await packingPhoto(cam('HUAWEI', 'P30', e1.placed + 30 * HOUR, 8), 'O-900001'),
      ),
    );

    // ------------------------------------------------------------ D-900002
    const e2 = { id: 'D-900002', placed: t(25), shipped: t(23), delivered: t(12, 2), opened: t(10), escalated: t(1, 2) };
    await writeFile(
      join(dir, 'd2-chat.png'),
      await chatScreenshot('Jingdezhen Home Deco', [
        { from: 'me', text: 'The vase is broken. I want my money back.', time: '09:14' },
        { from: 'them', text: 'So sorry. Please send photo of the pieces inside the box.', time: '09:40' },
        { from: 'me', text: 'I threw it away already.', time: '09:41' },
      ]),
    );
    await writeFile(
      join(dir, 'd2-tracking.png'),
      await trackingScreenshot('RR447190012CN', 'China Post', [
        { when: formatDay(e2.delivered), what: 'Delivered' },
        { when: formatDay(e2.shipped + 9 * DAY), what: 'Customs cleared' },
        { when: formatDay(e2.shipped), what: 'Posted' },
      ]),
    );
    await importWithFiles(base, dir, e2.escalated, {
      id: e2.id,
      openedAt: iso(e2.opened),
      escalatedAt: iso(e2.escalated),
      reason: 'damaged',
      claim: { remedy: 'refund_only', amountMinor: 6_450 },
      description: 'The parcel was crushed, the vase inside is broken into pieces.',
      order: {
        id: 'O-900002',
        placedAt: iso(e2.placed),
        shippedAt: iso(e2.shipped),
        currency: 'EUR',
        itemPriceMinor: 5_950,
        shippingMinor: 500,
        totalMinor: 6_450,
        item: { title: 'Hand-painted ceramic floor vase, 45 cm', quantity: 1 },
        tracking: { number: 'RR447190012CN', carrier: 'China Post', status: 'delivered', deliveredAt: iso(e2.delivered) },
      },
      buyer: { id: 'B-900002', name: 'Marek Nowak', country: 'PL', createdAt: iso(t(40)), links: { device: ['dv-demo-ev-2'] } },
      seller: { id: 'S-900002', name: 'Jingdezhen Home Deco', country: 'CN', createdAt: iso(t(1500)) },
      negotiation: [
        {
          at: iso(e2.opened + 30 * HOUR),
          by: 'seller',
          remedy: 'return_and_refund',
          amountMinor: 6_450,
          comment: 'Please return the pieces and we refund.',
        },
      ],
      messages: [
        {
          at: iso(e2.opened + 2 * HOUR),
          by: 'buyer',
          text: 'Everything is broken, I will not send broken glass back. Refund me now or I leave 1 star.',
        },
      ],
      evidence: [
        { party: 'buyer', file: 'd2-chat.png', name: 'chat.png', submittedAt: iso(e2.opened + 3 * HOUR) },
        { party: 'seller', file: 'd2-tracking.png', name: 'tracking.png', submittedAt: iso(e2.opened + 28 * HOUR) },
      ],
    });
    files += 2;
    await run(e2.escalated + HOUR, MEDIATOR, 'case.claim', { caseId: e2.id });
    await run(e2.escalated + 70 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e2.id,
      party: 'buyer',
      request: 'Photos of the damaged parcel and of the broken vase inside it.',
    });
    await run(e2.escalated + 75 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e2.id,
      party: 'seller',
      request: 'Proof of how the vase was packed for shipping.',
    });
    // The first buyer's picture, mirrored and re-encoded; a messenger stripped its EXIF.
    await counted(send(e2.escalated + 3 * HOUR, e2.id, 'buyer', 'parcel_damage.jpg', await mirroredCopy(crushed, null)));
    await counted(
      send(
        e2.escalated + 9 * HOUR,
        e2.id,
        'seller',
        'warehouse_scan.bmp',
        await toBmp(await packingPhoto(null, 'O-900002', 'vase'), 560),
        'Export of our packing station camera.',
      ),
    );

    // ------------------------------------------------------------ D-900003
    const e3 = { id: 'D-900003', placed: t(30), shipped: t(28), delivered: t(14, 3), opened: t(12), escalated: t(0, 22) };
    await importWithFiles(base, dir, e3.escalated, {
      id: e3.id,
      openedAt: iso(e3.opened),
      escalatedAt: iso(e3.escalated),
      reason: 'defective',
      claim: { remedy: 'return_and_refund', amountMinor: 18_900 },
      description: 'The phone does not charge with any cable or charger.',
      order: {
        id: 'O-900003',
        placedAt: iso(e3.placed),
        shippedAt: iso(e3.shipped),
        currency: 'USD',
        itemPriceMinor: 17_900,
        shippingMinor: 1_000,
        totalMinor: 18_900,
        item: { title: 'Smartphone X12 Lite 6/128 GB', quantity: 1 },
        tracking: { number: 'LP00447139981', carrier: 'Cainiao', status: 'delivered', deliveredAt: iso(e3.delivered) },
      },
      buyer: { id: 'B-900003', name: 'Ana Souza', country: 'BR', createdAt: iso(t(1300)) },
      seller: { id: 'S-900001', name: 'Shenzhen Mobile Store', country: 'CN', createdAt: iso(t(2200)) },
      negotiation: [
        {
          at: iso(e3.opened + 26 * HOUR),
          by: 'seller',
          remedy: 'refund_only',
          amountMinor: 1_500,
          comment: 'Maybe the cable is broken, we send new cable.',
        },
      ],
      messages: [
        { at: iso(e3.opened + 3 * HOUR), by: 'buyer', text: 'I tried three chargers. The phone stays black.' },
        { at: iso(e3.opened + 25 * HOUR), by: 'seller', text: 'Please try another cable, the phone is tested.' },
      ],
      evidence: [],
    });
    await run(e3.escalated + HOUR, MEDIATOR, 'case.claim', { caseId: e3.id });
    await run(e3.escalated + 80 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e3.id,
      party: 'buyer',
      request: 'A video of the phone on its charger next to a second device that charges from the same charger.',
    });
    await run(e3.escalated + 82 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e3.id,
      party: 'buyer',
      request: 'A photo of the phone connected to the charger, with the screen visible.',
    });
    await run(e3.escalated + 85 * 60_000, MEDIATOR, 'case.requestEvidence', {
      caseId: e3.id,
      party: 'seller',
      request: 'Your quality-check record for this phone (a photo or video of it charging before dispatch).',
    });
    await counted(send(e3.escalated + 5 * HOUR, e3.id, 'buyer', 'VID_20260318_2011.webm', await chargerVideo()));
    // Taken two days before the parcel was delivered: it cannot show the phone that came.
    await counted(
      send(
        e3.escalated + 5 * HOUR + 60_000,
        e3.id,
        'buyer',
        'IMG_4471.jpg',
        await phoneOnChargerPhoto(cam('samsung', 'Galaxy A54 5G', e3.delivered - 2 * DAY - 4 * HOUR, -3)),
      ),
    );
    await counted(
      send(
        e3.escalated + 12 * HOUR,
        e3.id,
        'seller',
        'qc_check.bmp',
        await toBmp(await phoneWorkingPhoto(null), 480),
        'QC station picture, charging test passed.',
      ),
    );
    await inWriteTx(db, (tx) => insertSetting(tx, DONE_KEY, new Date(now).toISOString(), { keepExisting: true }));
    return { cases: 3, files };
  } finally {
    await rm(dir, { recursive: true, force: true });
    at = now;
  }
}

async function importWithFiles(
  base: { db: ServiceContext['db']; evidence: EvidenceFiles },
  dir: string,
  now: number,
  dispute: Record<string, unknown>,
): Promise<void> {
  // One transaction writes the case with its files: if it exists, this import was done.
  if (await caseExists(base.db, String(dispute.id))) return;
  await importStream(base.db, [{ line: 1, value: dispute }], {
    now,
    files: { baseDir: dir, evidence: base.evidence },
    onProblem: (p) => {
      throw new Error(`demo evidence: dispute ${String(dispute.id)} is invalid: ${p.field ?? ''} ${p.message}`);
    },
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
const formatDay = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
