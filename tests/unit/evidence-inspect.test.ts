import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src-main/contract/errors';
import { analyzeImage, checkVideoHead, DEFAULT_IMAGE_LIMITS } from '../../src-main/files/analyze';
import { decodeBmp, readBmpHeader } from '../../src-main/files/bmp';
import { captureTime, deviceName } from '../../src-main/files/exif';
import { readImageHeader } from '../../src-main/files/image-header';
import { sanitizeFileName } from '../../src-main/files/names';
import { SNIFF_BYTES, SNIFFED, sniffType, type SniffedType } from '../../src-main/files/sniff';
import { EvidenceWorkers, workerEntry } from '../../src-main/files/workers';
import {
  animatedPng,
  blockRgba,
  ebmlHead,
  encodeBmp,
  ihdr,
  manyFrameGif,
  mp4Head,
  patchJpegSize,
  PNG_SIGNATURE,
  pngBomb,
  pngChunk,
  storedZip,
  texturedJpeg,
  texturedPng,
  texturedRgb,
} from '../fixtures/hostile-corpus';

const sniff = (b: Uint8Array): SniffedType => {
  const s = sniffType(b.subarray(0, SNIFF_BYTES));
  if (!s) throw new Error('not sniffed');
  return s;
};

/** The AppFailure a promise or call fails with (the test fails if it does not). */
async function failure(run: () => unknown): Promise<AppFailure> {
  try {
    await run();
  } catch (e) {
    if (e instanceof AppFailure) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const rgbaOf = (rgb: Buffer, n: number): Uint8Array => {
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) out.set([rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, 255], i * 4);
  return out;
};

describe('sniffType: the type comes from the bytes', () => {
  it('recognises every accepted type', async () => {
    const jpeg = await texturedJpeg(1, 32, 24);
    const png = await texturedPng(2, 32, 24);
    const gif = await sharp(texturedRgb(3, 32, 24), { raw: { width: 32, height: 24, channels: 3 } })
      .gif()
      .toBuffer();
    expect(sniffType(jpeg)).toEqual(SNIFFED.jpg);
    expect(sniffType(png)).toEqual({ mediaType: 'image/png', kind: 'image', ext: 'png' });
    expect(sniffType(gif)?.ext).toBe('gif');
    expect(sniffType(Buffer.from('GIF87a\x01\x00\x01\x00'))?.ext).toBe('gif');
    for (const headerSize of [40, 56, 108, 124] as const)
      expect(sniffType(encodeBmp(4, 4, blockRgba(4, 4, 2), { bpp: 24, headerSize }))).toEqual({
        mediaType: 'image/bmp',
        kind: 'image',
        ext: 'bmp',
      });
    for (const brand of ['isom', 'mp42', 'avc1', 'iso5', 'M4V '])
      expect(sniffType(mp4Head(brand))).toEqual({ mediaType: 'video/mp4', kind: 'video', ext: 'mp4' });
    expect(sniffType(mp4Head('qt  ', ['qt  ']))).toEqual({ mediaType: 'video/quicktime', kind: 'video', ext: 'mov' });
    expect(sniffType(ebmlHead('webm'))).toEqual({ mediaType: 'video/webm', kind: 'video', ext: 'webm' });
  });

  it('refuses every look-alike', () => {
    const lookAlikes: Record<string, Uint8Array> = {
      empty: new Uint8Array(),
      'two bytes of a jpeg': Buffer.from([0xff, 0xd8]),
      'jpeg-ish without the third marker byte': Buffer.from([0xff, 0xd8, 0x00, 0x10]),
      'png signature with a broken line ending': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x00]),
      GIF88a: Buffer.from('GIF88a\x01\x00\x01\x00'),
      'text starting with BM': Buffer.from('BMW owners manual, chapter 1'),
      'BM with an unknown header size': (() => {
        const b = encodeBmp(4, 4, blockRgba(4, 4, 2), { bpp: 24 });
        b.writeUInt32LE(41, 14);
        return b;
      })(),
      HEIC: mp4Head('heic', ['mif1', 'heic']),
      AVIF: mp4Head('avif', ['avif', 'mif1']),
      'MPEG-4 audio': mp4Head('M4A ', ['M4A ', 'isom']),
      '3GPP': mp4Head('3gp4', ['3gp4']),
      Matroska: ebmlHead('matroska'),
      'EBML without a DocType': Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x84, 0x42, 0x86, 0x81, 0x01]),
      'WebP (RIFF)': Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '),
      TIFF: Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]),
      SVG: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'SVG after whitespace': Buffer.from('  \n<?xml version="1.0"?><svg/>'),
      HTML: Buffer.from('<!doctype html><html><script>alert(1)</script>'),
      PDF: Buffer.from('%PDF-1.7\n'),
      ZIP: storedZip({ 'a.txt': 'a' }),
      ELF: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
      'PE (MZ)': Buffer.from('MZ\x90\x00\x03\x00'),
      'UTF-8 BOM then a JPEG': Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xd8, 0xff]),
    };
    for (const [what, bytes] of Object.entries(lookAlikes)) expect(sniffType(bytes), what).toBeNull();
  });

  it('looks at the first SNIFF_BYTES bytes only', () => {
    // The DocType of this EBML header starts past byte 64: the sniff must not read on.
    const padded = Buffer.concat([
      Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0xc0]),
      Buffer.from([0xec, 0xb8]),
      Buffer.alloc(56),
      Buffer.from([0x42, 0x82, 0x84]),
      Buffer.from('webm'),
    ]);
    expect(padded.length).toBeGreaterThan(SNIFF_BYTES);
    expect(sniffType(padded)).toBeNull();
  });
});

describe('sanitizeFileName: the name is metadata only', () => {
  const cases: Array<[string, string]> = [
    ['../../etc/passwd.jpg', 'passwd.jpg'],
    ['C:\\x\\y.png', 'y.png'],
    ['photo\u202Egpj.exe', 'photogpj.exe'],
    ['\u2067report\u2069\u200E\u200F\u061C.png', 'report.png'],
    ['a\u0000b\nc\rd\te\u0085.jpg', 'abcde.jpg'],
    ['', 'file'],
    ['   ', 'file'],
    ['..', 'file'],
    ['/', 'file'],
    ['dir/', 'dir'],
    ['.jpg', 'file.jpg'],
    ['...hidden.png', 'file.hidden.png'],
    ['photo.jpg. . .', 'photo.jpg'],
    ['a<b>c:d"e|f?g*.png', 'a_b_c_d_e_f_g_.png'],
    ['Cafe\u0301.jpg', 'Caf\u00e9.jpg'], // NFC
    ['  spaced   out  name .jpg ', 'spaced out name .jpg'],
    ['\u200Bzero\uFEFFwidth\u2028.gif', 'zerowidth.gif'],
  ];
  it.each(cases)('%j → %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('keeps the extension of a 1000-character name within 255 bytes', () => {
    const out = sanitizeFileName('x'.repeat(1000) + '.jpeg');
    expect(out.endsWith('.jpeg')).toBe(true);
    expect(Buffer.byteLength(out)).toBe(255);
  });

  it('never splits a character when shortening multi-byte names', () => {
    const out = sanitizeFileName('фото-😀'.repeat(100) + '.png');
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(255);
    expect(out.length).toBeLessThanOrEqual(255);
    expect(out.endsWith('.png')).toBe(true);
    expect(out).toBe(out.normalize('NFC'));
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/); // no lone high surrogate
    expect(out.startsWith('фото-😀фото-😀')).toBe(true);
  });

  it('never returns anything with a separator, a control or a bidi character', () => {
    const nasty = [
      '\\',
      '/',
      '\u0000',
      '\u001b',
      '\u007f',
      '\u009f',
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200e',
      '\u200f',
      '\u061c',
      '..',
    ];
    for (let i = 0; i < 500; i++) {
      const raw = Array.from({ length: 12 }, (_, k) =>
        (k * 7 + i) % 3 === 0 ? nasty[(i + k) % nasty.length] : String.fromCharCode(97 + ((i * k) % 26)),
      ).join('');
      const out = sanitizeFileName(raw);
      // eslint-disable-next-line no-control-regex -- no control character may survive
      expect(out).not.toMatch(/[/\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
      expect(out.length).toBeGreaterThan(0);
      expect(out === '.' || out === '..').toBe(false);
    }
  });
});

describe('readImageHeader: sizes and frames before any decode', () => {
  it('reads the size of each format', async () => {
    const jpeg = await texturedJpeg(4, 300, 200);
    const progressive = await sharp(texturedRgb(5, 120, 90), { raw: { width: 120, height: 90, channels: 3 } })
      .jpeg({ progressive: true })
      .toBuffer();
    const png = await texturedPng(6, 70, 50);
    const gif = await sharp(texturedRgb(7, 40, 30), { raw: { width: 40, height: 30, channels: 3 } })
      .gif()
      .toBuffer();
    const bmp = encodeBmp(9, 5, blockRgba(9, 5, 3), { bpp: 8, topDown: true });
    expect(readImageHeader(jpeg, sniff(jpeg))).toEqual({ width: 300, height: 200, frames: 1 });
    expect(readImageHeader(progressive, sniff(progressive))).toEqual({ width: 120, height: 90, frames: 1 });
    expect(readImageHeader(png, sniff(png))).toEqual({ width: 70, height: 50, frames: 1 });
    expect(readImageHeader(gif, sniff(gif))).toEqual({ width: 40, height: 30, frames: 1 });
    expect(readImageHeader(bmp, sniff(bmp))).toEqual({ width: 9, height: 5, frames: 1 });
    expect(readImageHeader(manyFrameGif(7), SNIFFED.gif).frames).toBe(7);
    expect(readImageHeader(animatedPng(4), SNIFFED.png).frames).toBe(4);
  });

  it('refuses above the limits given, naming the numbers', async () => {
    const png = await texturedPng(8, 100, 100);
    const e = await failure(() => readImageHeader(png, SNIFFED.png, { maxPixels: 9_999, maxFrames: 10 }));
    expect(e.code).toBe('UNSUPPORTED_FILE');
    expect(e.message).toMatch(/100 × 100 pixels/);
    const f = await failure(() => readImageHeader(manyFrameGif(11), SNIFFED.gif, { maxPixels: 100, maxFrames: 10 }));
    expect(f.message).toMatch(/more than 10 frames/);
    expect(readImageHeader(manyFrameGif(10), SNIFFED.gif, { maxPixels: 100, maxFrames: 10 }).frames).toBe(10);
    const a = await failure(() => readImageHeader(animatedPng(12), SNIFFED.png, { maxPixels: 1000, maxFrames: 10 }));
    expect(a.message).toMatch(/frames/);
  });

  it('refuses a JPEG declaring 60000 × 60000 without decoding, and sharp would too', async () => {
    const huge = patchJpegSize(await texturedJpeg(9, 64, 48), 60_000, 60_000);
    const e = await failure(() => readImageHeader(huge, SNIFFED.jpg));
    expect(e.message).toMatch(/60000 × 60000/);
    // Defence in depth: libvips' own limit refuses it as well.
    await expect(sharp(huge, { limitInputPixels: DEFAULT_IMAGE_LIMITS.maxPixels }).raw().toBuffer()).rejects.toThrow(/pixel limit/);
  });

  it('refuses the 20000 × 20000 PNG bomb from its header alone', async () => {
    const bomb = pngBomb();
    const e = await failure(() => readImageHeader(bomb, SNIFFED.png));
    expect(e.message).toMatch(/20000 × 20000 pixels \(400 megapixels\)/);
    // Refused before the chunk walk: a damaged body past IHDR is never even looked at.
    const damagedBody = Buffer.concat([bomb.subarray(0, 33), Buffer.alloc(100, 0xee)]);
    expect((await failure(() => readImageHeader(damagedBody, SNIFFED.png))).message).toMatch(/400 megapixels/);
  });

  it('accepts a normal progressive JPEG and refuses thousands of scans', async () => {
    const progressive = await sharp(texturedRgb(12, 200, 150), { raw: { width: 200, height: 150, channels: 3 } })
      .jpeg({ progressive: true })
      .toBuffer();
    expect(readImageHeader(progressive, SNIFFED.jpg).width).toBe(200);
    const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
    const flood = (n: number) =>
      Buffer.concat([progressive.subarray(0, -2), ...Array.from({ length: n }, () => sos), progressive.subarray(-2)]);
    expect((await failure(() => readImageHeader(flood(200), SNIFFED.jpg))).message).toMatch(/more than 100 passes/);
    // Scan markers after the end of the image (an appended file) are not the image's.
    const appended = Buffer.concat([progressive, ...Array.from({ length: 200 }, () => sos)]);
    expect(readImageHeader(appended, SNIFFED.jpg).height).toBe(150);
  });

  it('refuses a PNG whose chunks are damaged, short or missing', async () => {
    const png = await texturedPng(10, 20, 20);
    const noData = Buffer.concat([PNG_SIGNATURE, ihdr(20, 20), pngChunk('IEND', new Uint8Array())]);
    expect((await failure(() => readImageHeader(noData, SNIFFED.png))).message).toMatch(/no picture data/);
    const noIend = png.subarray(0, png.length - 12);
    expect((await failure(() => readImageHeader(noIend, SNIFFED.png))).message).toMatch(/incomplete/);
    const badCrc = Buffer.from(png);
    badCrc[29] = badCrc[29]! ^ 1; // IHDR's CRC
    expect((await failure(() => readImageHeader(badCrc, SNIFFED.png))).message).toMatch(/checksum of its IHDR chunk/);
    const badIhdr = Buffer.from(png);
    badIhdr[24] = 3; // bit depth 3 does not exist
    expect((await failure(() => readImageHeader(badIhdr, SNIFFED.png))).message).toMatch(/damaged/);
  });

  it('finds the end of a JPEG despite bytes appended after it', async () => {
    const jpeg = await texturedJpeg(11, 50, 40);
    const tail = Buffer.concat([jpeg, Buffer.from('<script>alert(1)</script>')]);
    expect(readImageHeader(tail, SNIFFED.jpg)).toEqual({ width: 50, height: 40, frames: 1 });
    const noEnd = jpeg.subarray(0, jpeg.length - 2);
    expect((await failure(() => readImageHeader(noEnd, SNIFFED.jpg))).message).toMatch(/incomplete/);
  });
});

describe('BMP decoder', () => {
  const W = 13; // odd width: every row is padded
  const H = 7;

  it('decodes 1, 4 and 8 bits per pixel exactly, bottom-up and top-down', () => {
    for (const [bpp, colours] of [
      [1, 2],
      [4, 11],
      [8, 200],
    ] as const)
      for (const topDown of [false, true]) {
        const rgba = blockRgba(W, H, Math.min(colours, W * H), bpp * 10 + (topDown ? 1 : 0));
        const bmp = encodeBmp(W, H, rgba, { bpp, topDown });
        const out = decodeBmp(bmp, 1_000);
        expect([out.width, out.height]).toEqual([W, H]);
        expect(Buffer.from(out.data).equals(Buffer.from(rgba)), `${bpp} bpp topDown=${topDown}`).toBe(true);
      }
  });

  it('decodes a short palette (colorsUsed) and treats out-of-range indices as black', () => {
    const rgba = blockRgba(W, H, 3, 5);
    const bmp = encodeBmp(W, H, rgba, { bpp: 8, colorsUsed: 3 });
    expect(Buffer.from(decodeBmp(bmp, 1_000).data).equals(Buffer.from(rgba))).toBe(true);
    const h = readBmpHeader(bmp);
    bmp[h.dataOffset] = 250; // index 250 of a 3-colour palette, bottom-left pixel
    const out = decodeBmp(bmp, 1_000).data;
    const bottomLeft = (H - 1) * W * 4;
    expect([...out.subarray(bottomLeft, bottomLeft + 4)]).toEqual([0, 0, 0, 255]);
  });

  it('decodes 24 and 32 bits per pixel exactly, 32-bit BI_RGB as opaque', () => {
    const rgb = texturedRgb(21, W, H);
    const rgba = rgbaOf(rgb, W * H);
    for (const topDown of [false, true]) {
      const out24 = decodeBmp(encodeBmp(W, H, rgba, { bpp: 24, topDown }), 1_000);
      expect(Buffer.from(out24.data).equals(Buffer.from(rgba))).toBe(true);
      const withAlpha = Uint8Array.from(rgba);
      for (let i = 3; i < withAlpha.length; i += 4) withAlpha[i] = 17;
      // BI_RGB: the fourth byte is "reserved", not alpha; the decoder says opaque.
      const out32 = decodeBmp(encodeBmp(W, H, withAlpha, { bpp: 32, topDown }), 1_000);
      expect(Buffer.from(out32.data).equals(Buffer.from(rgba))).toBe(true);
    }
  });

  it('decodes bit fields: 5-6-5, 5-5-5 default, 8-8-8-8 with alpha in V4/V5 headers', () => {
    const rgba = rgbaOf(texturedRgb(22, W, H), W * H);
    const q = (v: number, bits: number) => Math.round((Math.round((v * (2 ** bits - 1)) / 255) * 255) / (2 ** bits - 1));
    const out565 = decodeBmp(
      encodeBmp(W, H, rgba, { bpp: 16, compression: 'bitfields', masks: { r: 0xf800, g: 0x07e0, b: 0x001f } }),
      1_000,
    ).data;
    const out555 = decodeBmp(encodeBmp(W, H, rgba, { bpp: 16 }), 1_000).data;
    for (let i = 0; i < W * H; i++) {
      expect([out565[i * 4], out565[i * 4 + 1], out565[i * 4 + 2], out565[i * 4 + 3]]).toEqual([
        q(rgba[i * 4]!, 5),
        q(rgba[i * 4 + 1]!, 6),
        q(rgba[i * 4 + 2]!, 5),
        255,
      ]);
      expect([out555[i * 4], out555[i * 4 + 1], out555[i * 4 + 2]]).toEqual([
        q(rgba[i * 4]!, 5),
        q(rgba[i * 4 + 1]!, 5),
        q(rgba[i * 4 + 2]!, 5),
      ]);
    }
    const translucent = Uint8Array.from(rgba);
    for (let i = 0; i < W * H; i++) translucent[i * 4 + 3] = (i * 37) % 256;
    for (const headerSize of [56, 108, 124] as const) {
      const bmp = encodeBmp(W, H, translucent, {
        bpp: 32,
        compression: 'bitfields',
        headerSize,
        masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 },
        topDown: headerSize === 108,
      });
      expect(Buffer.from(decodeBmp(bmp, 1_000).data).equals(Buffer.from(translucent)), `V${headerSize}`).toBe(true);
    }
    const alphaBitfields = encodeBmp(W, H, translucent, {
      bpp: 32,
      compression: 'alphabitfields',
      masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 },
    });
    expect(Buffer.from(decodeBmp(alphaBitfields, 1_000).data).equals(Buffer.from(translucent))).toBe(true);
    // Unusual channel order (BGRA masks) reads the same picture.
    const swapped = encodeBmp(W, H, rgba, { bpp: 32, compression: 'bitfields', masks: { r: 0xff00, g: 0xff0000, b: 0xff000000 } });
    expect(Buffer.from(decodeBmp(swapped, 1_000).data).equals(Buffer.from(rgba))).toBe(true);
  });

  it('shows an alpha channel that is all zero as opaque', () => {
    const rgba = rgbaOf(texturedRgb(23, W, H), W * H);
    const invisible = Uint8Array.from(rgba);
    for (let i = 3; i < invisible.length; i += 4) invisible[i] = 0;
    const bmp = encodeBmp(W, H, invisible, {
      bpp: 32,
      compression: 'bitfields',
      headerSize: 124,
      masks: { r: 0xff0000, g: 0xff00, b: 0xff, a: 0xff000000 },
    });
    expect(Buffer.from(decodeBmp(bmp, 1_000).data).equals(Buffer.from(rgba))).toBe(true);
  });

  it('refuses before allocating: too many pixels, short files, RLE, OS/2, broken masks', async () => {
    const bmp = encodeBmp(W, H, blockRgba(W, H, 4), { bpp: 24 });
    expect((await failure(() => decodeBmp(bmp, W * H - 1))).message).toMatch(/13 × 7 pixels/);
    const huge = Buffer.from(bmp.subarray(0, 60));
    huge.writeInt32LE(200_000, 18);
    huge.writeInt32LE(-200_000, 22);
    expect((await failure(() => decodeBmp(huge, 40_000_000))).message).toMatch(/200000 × 200000/);
    expect((await failure(() => decodeBmp(bmp.subarray(0, bmp.length - 50), 1_000))).message).toMatch(/incomplete/);
    const rle = Buffer.from(bmp);
    rle.writeUInt32LE(2, 30);
    expect((await failure(() => decodeBmp(rle, 1_000))).message).toMatch(/RLE/);
    const os2 = Buffer.from(bmp);
    os2.writeUInt32LE(12, 14);
    expect((await failure(() => decodeBmp(os2, 1_000))).message).toMatch(/OS\/2/);
    const badMask = encodeBmp(W, H, blockRgba(W, H, 4), { bpp: 32, compression: 'bitfields', masks: { r: 0xf0f000, g: 0xff00, b: 0xff } });
    expect((await failure(() => decodeBmp(badMask, 1_000))).message).toMatch(/masks/);
    const zeroWidth = Buffer.from(bmp);
    zeroWidth.writeInt32LE(0, 18);
    expect((await failure(() => decodeBmp(zeroWidth, 1_000))).message).toMatch(/0 × 7/);
  });

  it('goes through analyzeImage: display copy of the decoded pixels', async () => {
    const rgba = rgbaOf(texturedRgb(24, 90, 60), 90 * 60);
    const bmp = encodeBmp(90, 60, rgba, { bpp: 24 });
    const facts = await analyzeImage(bmp, sniff(bmp));
    expect([facts.width, facts.height, facts.frames, facts.capturedAt, facts.device]).toEqual([90, 60, 1, null, null]);
    const shown = await sharp(facts.display).raw().toBuffer({ resolveWithObject: true });
    expect([shown.info.width, shown.info.height]).toEqual([90, 60]);
    // Same picture, up to JPEG loss: mean absolute difference per channel is small.
    let diff = 0;
    for (let i = 0; i < 90 * 60; i++) for (let k = 0; k < 3; k++) diff += Math.abs(shown.data[i * 3 + k]! - rgba[i * 4 + k]!);
    expect(diff / (90 * 60 * 3)).toBeLessThan(12);
  });
});

describe('EXIF and orientation', () => {
  const exifJpeg = (orientation: number, ifd2: Record<string, string>, ifd0: Record<string, string> = { Make: 'Acme', Model: 'Snap 3' }) =>
    sharp(texturedRgb(30, 400, 300), { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg({ quality: 90 })
      .withMetadata({ orientation })
      .withExif({ IFD0: ifd0, IFD2: ifd2 })
      .toBuffer();

  it('applies orientation 6: facts and display are upright (width and height swapped)', async () => {
    const jpeg = await exifJpeg(6, { DateTimeOriginal: '2024:05:01 14:30:00', OffsetTimeOriginal: '+02:00' });
    const facts = await analyzeImage(jpeg, sniff(jpeg));
    expect([facts.width, facts.height, facts.orientation]).toEqual([300, 400, 6]);
    const display = await sharp(facts.display).metadata();
    expect([display.width, display.height]).toEqual([300, 400]);
    const thumb = await sharp(facts.thumb).metadata();
    expect([thumb.width, thumb.height]).toEqual([240, 320]);
    // Stripped: no EXIF, no orientation tag (it is applied), no ICC, no XMP.
    for (const m of [display, thumb]) {
      expect(m.exif).toBeUndefined();
      expect(m.orientation).toBeUndefined();
      expect(m.icc).toBeUndefined();
      expect(m.xmp).toBeUndefined();
    }
    expect(facts.display.includes(Buffer.from('Acme'))).toBe(false);
    // The upright picture's hash does not depend on how the file stored it.
    const upright = await sharp(texturedRgb(30, 400, 300), { raw: { width: 400, height: 300, channels: 3 } })
      .rotate(90)
      .jpeg({ quality: 90 })
      .toBuffer();
    const { phashDistance } = await import('../../src-main/files/phash');
    expect(phashDistance((await analyzeImage(upright, SNIFFED.jpg)).phash, facts.phash)).toBeLessThanOrEqual(4);
  });

  it('reads capture time in UTC when the offset is known, naive otherwise, and the device', async () => {
    const withOffset = await analyzeImage(
      await exifJpeg(1, { DateTimeOriginal: '2024:05:01 14:30:00', OffsetTimeOriginal: '+02:00' }),
      SNIFFED.jpg,
    );
    expect([withOffset.capturedAt, withOffset.capturedAtHasOffset, withOffset.device]).toEqual([
      '2024-05-01T12:30:00.000Z',
      true,
      'Acme Snap 3',
    ]);
    const west = await analyzeImage(
      await exifJpeg(1, { DateTimeOriginal: '2024:12:31 22:15:10', OffsetTimeOriginal: '-05:30' }),
      SNIFFED.jpg,
    );
    expect(west.capturedAt).toBe('2025-01-01T03:45:10.000Z');
    const naive = await analyzeImage(await exifJpeg(1, { DateTimeOriginal: '2023:02:03 04:05:06' }), SNIFFED.jpg);
    expect([naive.capturedAt, naive.capturedAtHasOffset]).toEqual(['2023-02-03T04:05:06.000Z', false]);
    const digitized = await analyzeImage(await exifJpeg(1, { DateTimeDigitized: '2022:01:02 03:04:05' }), SNIFFED.jpg);
    expect(digitized.capturedAt).toBe('2022-01-02T03:04:05.000Z');
    const none = await analyzeImage(await texturedJpeg(31, 50, 40), SNIFFED.jpg);
    expect([none.capturedAt, none.capturedAtHasOffset, none.device, none.orientation]).toEqual([null, false, null, null]);
    const brandTwice = await analyzeImage(await exifJpeg(1, {}, { Make: 'Canon', Model: 'Canon EOS R5' }), SNIFFED.jpg);
    expect(brandTwice.device).toBe('Canon EOS R5');
  });

  it('reads EXIF from a PNG (eXIf chunk)', async () => {
    const png = await sharp(texturedRgb(32, 60, 40), { raw: { width: 60, height: 40, channels: 3 } })
      .png()
      .withExif({ IFD0: { Make: 'Pixel', Model: '8' }, IFD2: { DateTimeOriginal: '2025:06:07 08:09:10', OffsetTimeOriginal: '+00:00' } })
      .toBuffer();
    const facts = await analyzeImage(png, sniff(png));
    expect([facts.capturedAt, facts.capturedAtHasOffset, facts.device]).toEqual(['2025-06-07T08:09:10.000Z', true, 'Pixel 8']);
  });

  it('parses EXIF dates defensively', () => {
    expect(captureTime('2024:02:29 23:59:59', '5', null)).toEqual({ iso: '2024-02-29T23:59:59.500Z', hasOffset: false });
    expect(captureTime('2024:02:29 23:59:59', '123456', '+14:00')).toEqual({ iso: '2024-02-29T09:59:59.123Z', hasOffset: true });
    expect(captureTime('2023:02:29 10:00:00', null, null)).toBeNull(); // no 29 Feb in 2023
    expect(captureTime('0000:00:00 00:00:00', null, null)).toBeNull();
    expect(captureTime('2024:13:01 10:00:00', null, null)).toBeNull();
    expect(captureTime('yesterday', null, null)).toBeNull();
    expect(captureTime(20240101, null, null)).toBeNull();
    expect(captureTime('2024:01:01 10:00:00', null, '+99:00')).toEqual({ iso: '2024-01-01T10:00:00.000Z', hasOffset: false });
    expect(deviceName(' Apple\u0000 ', 'iPhone\u202E 13\n')).toBe('Apple iPhone 13');
    expect(deviceName(undefined, 'X100V')).toBe('X100V');
    expect(deviceName('', '')).toBeNull();
    expect(deviceName('A'.repeat(500), 'B')!.length).toBeLessThanOrEqual(64 + 1 + 1);
  });
});

describe('analyzeImage', () => {
  it('derives display and thumbnail within their bounds and keeps small images small', async () => {
    const big = await texturedJpeg(40, 2400, 1000, 80);
    const facts = await analyzeImage(big, SNIFFED.jpg);
    const d = await sharp(facts.display).metadata();
    const t = await sharp(facts.thumb).metadata();
    expect([d.format, d.width, d.height]).toEqual(['jpeg', 1600, 667]);
    expect([t.format, t.width, t.height]).toEqual(['jpeg', 320, 133]);
    expect(facts.phash).toMatch(/^[0-9a-f]{16}$/);
    expect(facts.phashVariants.map((v) => v.transform)).toEqual([
      'same',
      'flip_h',
      'flip_v',
      'rot90',
      'rot180',
      'rot270',
      'transpose',
      'transverse',
    ]);
    expect(facts.phashVariants[0]!.phash).toBe(facts.phash);
    const small = await analyzeImage(await texturedPng(41, 100, 80), SNIFFED.png);
    expect([(await sharp(small.display).metadata()).width, (await sharp(small.thumb).metadata()).width]).toEqual([100, 100]);
  });

  it('accepts greyscale JPEGs, palette PNGs with transparency and greyscale+alpha PNGs', async () => {
    const grey = await sharp(texturedRgb(43, 80, 60), { raw: { width: 80, height: 60, channels: 3 } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const palette = await sharp(texturedRgb(44, 80, 60), { raw: { width: 80, height: 60, channels: 3 } })
      .ensureAlpha(0.5)
      .png({ palette: true })
      .toBuffer();
    const greyAlpha = await sharp(texturedRgb(45, 80, 60), { raw: { width: 80, height: 60, channels: 3 } })
      .greyscale()
      .ensureAlpha(0.7)
      .png()
      .toBuffer();
    for (const b of [grey, palette, greyAlpha]) {
      const facts = await analyzeImage(b, sniff(b));
      expect([facts.width, facts.height]).toEqual([80, 60]);
      expect((await sharp(facts.display).metadata()).channels).toBe(3);
    }
  });

  it('flattens transparency onto white for the JPEG copies', async () => {
    const transparent = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const facts = await analyzeImage(transparent, SNIFFED.png);
    const { data } = await sharp(facts.display).raw().toBuffer({ resolveWithObject: true });
    expect(Math.min(...data)).toBeGreaterThan(245);
  });

  it('decodes only the first frame of an animated GIF and reports the frame count', async () => {
    const facts = await analyzeImage(manyFrameGif(40, [1, 1]), SNIFFED.gif);
    expect([facts.width, facts.height, facts.frames]).toEqual([1, 1, 40]);
  });

  it('refuses bytes that are not what the caller sniffed, and videos', async () => {
    const png = await texturedPng(42, 20, 20);
    expect((await failure(() => analyzeImage(png, SNIFFED.jpg))).code).toBe('UNSUPPORTED_FILE');
    expect((await failure(() => analyzeImage(mp4Head(), SNIFFED.mp4))).message).toMatch(/video/);
  });
});

describe('checkVideoHead', () => {
  it('accepts sound MP4, MOV and WebM heads (and a head cut at SNIFF_BYTES of a longer file)', () => {
    checkVideoHead(mp4Head(), SNIFFED.mp4);
    checkVideoHead(mp4Head('qt  ', ['qt  ']), SNIFFED.mov);
    checkVideoHead(
      mp4Head('mp42', ['mp42', 'isom', 'avc1', 'iso2', 'mp41', 'dash', 'M4V ', 'iso6', 'iso5', 'iso4']).subarray(0, SNIFF_BYTES),
      SNIFFED.mp4,
    );
    checkVideoHead(ebmlHead('webm'), SNIFFED.webm);
    checkVideoHead(ebmlHead('webm').subarray(0, SNIFF_BYTES), SNIFFED.webm);
  });

  it('refuses impossible box sizes, header-only files and broken EBML', async () => {
    const bogus = (size: number) => {
      const b = mp4Head();
      b.writeUInt32BE(size, 0);
      return b;
    };
    for (const size of [0, 1, 7, 15, 17, 0xfffffff0])
      expect((await failure(() => checkVideoHead(bogus(size), SNIFFED.mp4))).code).toBe('UNSUPPORTED_FILE');
    const badNext = mp4Head();
    badNext.writeUInt32BE(3, 24);
    expect((await failure(() => checkVideoHead(badNext, SNIFFED.mp4))).message).toMatch(/damaged/);
    expect((await failure(() => checkVideoHead(mp4Head().subarray(0, 24), SNIFFED.mp4))).message).toMatch(/only a file header/);
    expect((await failure(() => checkVideoHead(ebmlHead('webm', false), SNIFFED.webm))).message).toMatch(/only a file header/);
    const notSegment = Buffer.concat([ebmlHead('webm', false), Buffer.alloc(40, 0x55)]);
    expect((await failure(() => checkVideoHead(notSegment, SNIFFED.webm))).message).toMatch(/damaged/);
    const hugeHeader = Buffer.from(ebmlHead('webm'));
    hugeHeader[4] = 0x01; // an 8-byte size field follows: an absurd header size
    expect((await failure(() => checkVideoHead(hugeHeader, SNIFFED.webm))).code).toBe('UNSUPPORTED_FILE');
    expect((await failure(() => checkVideoHead(mp4Head(), SNIFFED.webm))).code).toBe('UNSUPPORTED_FILE');
    expect((await failure(() => checkVideoHead(mp4Head(), SNIFFED.jpg))).code).toBe('UNSUPPORTED_FILE');
  });
});

describe('EvidenceWorkers: analysis off the main thread', () => {
  const pool = new EvidenceWorkers(2);
  afterAll(() => pool.close());

  it('starts workers from the TypeScript source under vitest', () => {
    expect(workerEntry()?.how).toBe('tsx');
  });

  it('gives the same facts as in-process analysis, for parallel jobs', async () => {
    const inputs = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => (i % 2 ? texturedPng(50 + i, 120 + i * 10, 90) : texturedJpeg(50 + i, 120 + i * 10, 90))),
    );
    const viaPool = await Promise.all(inputs.map((b) => pool.analyze(b, sniff(b))));
    expect(pool.mode).toBe('workers');
    for (let i = 0; i < inputs.length; i++) {
      const local = await analyzeImage(inputs[i]!, sniff(inputs[i]!));
      expect(viaPool[i]!.phash).toBe(local.phash);
      expect(viaPool[i]!.phashVariants).toEqual(local.phashVariants);
      expect([viaPool[i]!.width, viaPool[i]!.height]).toEqual([local.width, local.height]);
      expect(Buffer.isBuffer(viaPool[i]!.display)).toBe(true);
      expect(viaPool[i]!.display.equals(local.display)).toBe(true);
      expect(viaPool[i]!.thumb.equals(local.thumb)).toBe(true);
    }
  });

  it('passes refusals through with their code and message', async () => {
    const e = await failure(() => pool.analyze(manyFrameGif(501), SNIFFED.gif));
    expect(e).toBeInstanceOf(AppFailure);
    expect(e.code).toBe('UNSUPPORTED_FILE');
    expect(e.message).toMatch(/more than 500 frames/);
    const limited = await failure(() => pool.analyze(manyFrameGif(5), SNIFFED.gif, { maxPixels: 100, maxFrames: 4 }));
    expect(limited.message).toMatch(/more than 4 frames/);
  });

  it('refuses a job that takes too long, replaces the worker, and carries on', async () => {
    const slow = new EvidenceWorkers(1);
    try {
      const jpeg = await texturedJpeg(60, 1200, 900);
      expect((await slow.analyze(jpeg, SNIFFED.jpg)).width).toBe(1200); // worker up
      slow.jobTimeoutMs = 1;
      const e = await failure(() => slow.analyze(jpeg, SNIFFED.jpg));
      expect([e.code, e.message]).toEqual(['UNSUPPORTED_FILE', expect.stringMatching(/too long/)]);
      slow.jobTimeoutMs = 60_000;
      expect((await slow.analyze(jpeg, SNIFFED.jpg)).width).toBe(1200);
      expect(slow.mode).toBe('workers');
    } finally {
      await slow.close();
    }
    await expect(slow.analyze(Buffer.alloc(0), SNIFFED.jpg)).rejects.toThrow(/shut down/);
  });

  it('can run in-process (the fallback) with the same results', async () => {
    const local = new EvidenceWorkers(1, { inProcess: true });
    const png = await texturedPng(61, 64, 64);
    expect(local.mode).toBe('in-process');
    expect((await local.analyze(png, SNIFFED.png)).phash).toBe((await pool.analyze(png, SNIFFED.png)).phash);
    await local.close();
  });
});
