import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src-main/contract/errors';
import { SNIFF_BYTES, sniffType, type SniffedType } from '../../src-main/files/sniff';
import { checkVideoContainer, fileAccess } from '../../src-main/files/video-container';
import {
  isoBox,
  isoBoxes,
  isoVideo,
  memoryAccess,
  webmElements,
  webmVideo,
  type IsoOptions,
  type WebmOptions,
} from '../fixtures/video-files';
import { ebmlHead, mp4Head } from '../fixtures/hostile-corpus';

/**
 * Issue 13: videos were checked in their first 64 bytes only, so truncated MP4/WebM/MOV files
 * were accepted and an old MOV without `ftyp` was refused. The whole container is walked now.
 */

const verdict = async (bytes: Buffer, sniffed?: SniffedType): Promise<string> => {
  const type = sniffed ?? sniffType(bytes.subarray(0, SNIFF_BYTES));
  if (!type) return 'not a video';
  try {
    await checkVideoContainer(memoryAccess(bytes), type);
    return `accepted ${type.ext}`;
  } catch (e) {
    if (e instanceof AppFailure) return `${e.code}: ${e.message}`;
    throw e;
  }
};

const ISO_SHAPES: Array<[string, IsoOptions]> = [
  ['mp4, moov first', {}],
  ['mp4, mdat first', { moovFirst: false }],
  ['mp4, 64-bit mdat size', { largeSize: true, moovFirst: false }],
  ['mp4, mdat to the end (size 0)', { mdatToEnd: true }],
  ['mov with ftyp', { quicktime: true }],
  ['mov without ftyp (old QuickTime)', { quicktime: true, brand: null }],
];
const WEBM_SHAPES: Array<[string, WebmOptions]> = [
  ['webm, sizes known', {}],
  ['webm, one cluster', { clusters: 1, blocksPerCluster: 1 }],
];

describe('valid videos are accepted', () => {
  it.each(ISO_SHAPES)('%s', async (_, o) => {
    const file = isoVideo(o);
    expect(await verdict(file)).toBe(`accepted ${o.quicktime ? 'mov' : 'mp4'}`);
  });
  it.each([
    ...WEBM_SHAPES,
    ['webm, live recording (unknown sizes)', { unknownSizeSegment: true, unknownSizeClusters: true }] as [string, WebmOptions],
  ])('%s', async (_, o) => {
    expect(await verdict(webmVideo(o))).toBe('accepted webm');
  });
});

describe('refusals, each with a sentence', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['an ftyp and mdat, no movie header', mp4Head(), /no movie header \(moov box\)/],
    ['sound only (M4A-like, mp42 brand)', isoVideo({ brand: 'mp42', handler: 'soun' }), /no video track/],
    ['webm with an audio track only', webmVideo({ trackType: 2 }), /no video track/],
    ['webm header and a segment of garbage', ebmlHead('webm'), /damaged/],
    ['a box smaller than its header', Buffer.concat([isoVideo(), Buffer.from([0, 0, 0, 4, 0x66, 0x72, 0x65, 0x65])]), /impossible size/],
    [
      'two movie headers',
      (() => {
        const f = isoVideo();
        const moov = isoBoxes(f).find((b) => b.type === 'moov')!;
        return Buffer.concat([f, f.subarray(moov.at, moov.at + moov.size)]);
      })(),
      /two movie headers/,
    ],
    ['ftyp not first', Buffer.concat([isoBox('free', Buffer.alloc(8)), isoVideo()]), /file type box is not at the start/],
  ];
  it.each(cases)('%s', async (_, bytes, reason) => {
    const out = await verdict(bytes, sniffType(bytes.subarray(0, SNIFF_BYTES)) ?? sniffType(isoVideo().subarray(0, SNIFF_BYTES))!);
    expect(out).toMatch(
      /^UNSUPPORTED_FILE: This (MP4|MOV|WebM) video cannot be accepted: .*\. Please ask for the original video to be sent again\.$/,
    );
    expect(out).toMatch(reason);
  });

  it('HEIC, AVIF and M4A stay refused by their brand', () => {
    for (const brand of ['heic', 'mif1', 'avif', 'M4A ']) expect(sniffType(isoVideo({ brand }).subarray(0, SNIFF_BYTES)), brand).toBeNull();
  });
});

describe('any truncation of a valid file is refused', () => {
  // Exhaustive over every prefix of small files: every structural boundary and everything between.
  const ALL_SHAPES: Array<[string, () => Buffer]> = [
    ...ISO_SHAPES.map(([label, o]): [string, () => Buffer] => [label, () => isoVideo(o)]),
    ...WEBM_SHAPES.map(([label, o]): [string, () => Buffer] => [label, () => webmVideo(o)]),
  ];
  it.each(ALL_SHAPES)('%s: every prefix', async (_, build) => {
    const file = build();
    const type = sniffType(file.subarray(0, SNIFF_BYTES))!;
    const accepted: number[] = [];
    for (let n = 0; n < file.length; n++) if ((await verdict(file.subarray(0, n), type)).startsWith('accepted')) accepted.push(n);
    expect(accepted).toEqual([]);
  });

  it('property: varied files, cut anywhere, are refused as incomplete or damaged', async () => {
    const isoArb = fc
      .record({
        quicktime: fc.boolean(),
        moovFirst: fc.boolean(),
        largeSize: fc.boolean(),
        mdatToEnd: fc.boolean(),
        samples: fc.integer({ min: 1, max: 40 }),
        seed: fc.integer({ min: 1, max: 1e6 }),
      })
      .map((o) => isoVideo({ ...o, ...(o.quicktime && o.seed % 2 ? { brand: null } : {}) }));
    const webmArb = fc
      .record({
        clusters: fc.integer({ min: 1, max: 5 }),
        blocksPerCluster: fc.integer({ min: 1, max: 6 }),
        seed: fc.integer({ min: 1, max: 1e6 }),
      })
      .map((o) => webmVideo(o));
    await fc.assert(
      fc.asyncProperty(fc.oneof(isoArb, webmArb), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), async (file, where) => {
        const type = sniffType(file.subarray(0, SNIFF_BYTES))!;
        expect(await verdict(file, type)).toMatch(/^accepted/);
        const cut = Math.floor(where * file.length);
        expect(await verdict(file.subarray(0, cut), type)).toMatch(
          /^UNSUPPORTED_FILE: .*(incomplete|damaged|no movie header|no video|contains no video)/,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('corrupt sizes at every boundary are refused', () => {
  it('ISO boxes: a size running past the box around it, or smaller than a header', async () => {
    for (const [label, o] of ISO_SHAPES) {
      const file = isoVideo(o);
      const type = sniffType(file.subarray(0, SNIFF_BYTES))!;
      for (const box of isoBoxes(file)) {
        if (file.readUInt32BE(box.at) <= 1) continue; // 64-bit and to-the-end sizes: patched below
        for (const size of [box.parentEnd - box.at + 1, 0xfffffff0, 7, 3]) {
          const bad = Buffer.from(file);
          bad.writeUInt32BE(size, box.at);
          expect(await verdict(bad, type), `${label}: ${box.type} at ${box.at} size ${size}`).toMatch(/^UNSUPPORTED_FILE: /);
        }
      }
    }
    const large = isoVideo({ largeSize: true, moovFirst: false });
    const mdat = isoBoxes(large).find((b) => b.type === 'mdat')!;
    for (const size of [BigInt(mdat.size + 1), 15n, 2n ** 60n]) {
      const bad = Buffer.from(large);
      bad.writeBigUInt64BE(size, mdat.at + 8);
      expect(await verdict(bad), `largesize ${size}`).toMatch(/^UNSUPPORTED_FILE: /);
    }
  });

  it('WebM elements: a size running past the element around it', async () => {
    for (const [label, o] of WEBM_SHAPES) {
      const file = webmVideo(o);
      for (const el of webmElements(file)) {
        const bad = Buffer.from(file);
        const over = el.parentEnd - (el.sizeAt + el.sizeLen) + 1;
        if (over >= 2 ** (7 * el.sizeLen) - 1) continue; // does not fit this size field
        let v = over;
        for (let i = el.sizeLen - 1; i >= 0; i--, v = Math.floor(v / 256)) bad[el.sizeAt + i] = v & 0xff;
        bad[el.sizeAt]! |= 0x80 >> (el.sizeLen - 1);
        expect(await verdict(bad, sniffType(file.subarray(0, SNIFF_BYTES))!), `${label}: element at ${el.at}`).toMatch(
          /^UNSUPPORTED_FILE: /,
        );
      }
    }
  });
});

describe('streaming over a file on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'md-video-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks a 100 MB MP4 reading only its headers, and refuses it cut by one byte', async () => {
    // A valid small MP4 whose mdat is grown to 100 MB (the chunk offsets stay inside it).
    const small = isoVideo({ moovFirst: true, mdatToEnd: false });
    const mdat = isoBoxes(small).find((b) => b.type === 'mdat')!;
    const total = 100 * 1024 * 1024;
    const grownMdat = total - mdat.at;
    const head = Buffer.from(small.subarray(0, mdat.at + mdat.size));
    head.writeUInt32BE(grownMdat, mdat.at);
    const path = join(dir, 'big.mp4');
    const h = await open(path, 'w');
    await h.write(head, 0, head.length, 0);
    await h.truncate(total); // the rest of the media data: zeros, written sparse
    await h.close();

    const counted = async (p: string) => {
      const f = await fileAccess(p);
      let bytesRead = 0;
      let largest = 0;
      try {
        await checkVideoContainer(
          {
            size: f.size,
            read: async (at, length) => {
              const out = await f.read(at, length);
              bytesRead += out.length;
              largest = Math.max(largest, out.length);
              return out;
            },
          },
          sniffType(head)!,
        );
        return { ok: true, bytesRead, largest };
      } catch (e) {
        return { ok: false, message: (e as Error).message, bytesRead, largest };
      } finally {
        await f.close();
      }
    };
    const whole = await counted(path);
    expect(whole).toMatchObject({ ok: true });
    expect(whole.largest).toBeLessThanOrEqual(256 * 1024);
    expect(whole.bytesRead).toBeLessThan(1024 * 1024);

    const h2 = await open(path, 'r+');
    await h2.truncate(total - 1);
    await h2.close();
    expect(await counted(path)).toMatchObject({ ok: false, message: expect.stringMatching(/incomplete/) });
  });

  it('walks a WebM of many clusters in bounded windows', async () => {
    const file = webmVideo({ clusters: 400, blocksPerCluster: 8, seed: 9 });
    const access = memoryAccess(file);
    await checkVideoContainer(access, sniffType(file.subarray(0, SNIFF_BYTES))!);
    expect(access.largestRead).toBeLessThanOrEqual(256 * 1024);
  });
});
