import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src-main/contract/errors';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';
import { analyzeImage, checkVideoHead, type ImageFacts } from '../../src-main/files/analyze';
import { readImageHeader } from '../../src-main/files/image-header';
import { checkVideoContainer } from '../../src-main/files/video-container';
import { memoryAccess } from '../fixtures/video-files';
import { sanitizeFileName } from '../../src-main/files/names';
import { SNIFF_BYTES, sniffType, UNSUPPORTED_TYPE_MESSAGE, type SniffedType } from '../../src-main/files/sniff';
import { EvidenceWorkers } from '../../src-main/files/workers';
import {
  buildHostileCorpus,
  cutWithEndMarker,
  IMAGE_LIMIT_BYTES,
  jpegWithExtraneousBytes,
  phoneLikeJpeg,
  progressiveWithoutLastScans,
  restartJpeg,
  texturedJpeg,
  type HostileFile,
} from '../fixtures/hostile-corpus';

/**
 * The hostile corpus of issue 5 through the same steps intake takes: name → sniff → size limit
 * counted while streaming (simulated here in 64 KiB chunks; the store does it for real) →
 * inspection in the worker pool (images) or the container walk (videos). Every file is refused with the expected code or accepted
 * with its danger neutralised, and the pool is still analysing good images afterwards.
 */

type Outcome =
  | { ok: true; name: string; sniffed: SniffedType; facts: ImageFacts | null }
  | { ok: false; name: string; stage: 'sniff' | 'size' | 'inspect'; code: string; message: string };

const CHUNK = 64 * 1024;

async function intake(file: HostileFile, pool: EvidenceWorkers): Promise<Outcome> {
  const name = sanitizeFileName(file.fileName);
  const sniffed = sniffType(file.bytes.subarray(0, SNIFF_BYTES));
  if (!sniffed) return { ok: false, name, stage: 'sniff', code: 'UNSUPPORTED_FILE', message: UNSUPPORTED_TYPE_MESSAGE };
  const limit = sniffed.kind === 'image' ? DEFAULT_POLICY.maxImageBytes : DEFAULT_POLICY.maxVideoBytes;
  let counted = 0;
  for (let at = 0; at < file.bytes.length; at += CHUNK) {
    counted += Math.min(CHUNK, file.bytes.length - at);
    if (counted > limit)
      return { ok: false, name, stage: 'size', code: 'FILE_TOO_LARGE', message: `The file is larger than ${limit} bytes.` };
  }
  try {
    if (sniffed.kind === 'video') {
      checkVideoHead(file.bytes.subarray(0, SNIFF_BYTES), sniffed);
      await checkVideoContainer(memoryAccess(file.bytes), sniffed);
      return { ok: true, name, sniffed, facts: null };
    }
    return { ok: true, name, sniffed, facts: await pool.analyze(file.bytes, sniffed) };
  } catch (e) {
    if (!(e instanceof AppFailure)) throw e;
    return { ok: false, name, stage: 'inspect', code: e.code, message: e.message };
  }
}

describe('hostile corpus', () => {
  const pool = new EvidenceWorkers(2);
  let corpus: HostileFile[] = [];
  const outcomes = new Map<string, Outcome>();

  beforeAll(async () => {
    corpus = await buildHostileCorpus();
    // One after another, as a stream of uploads would arrive; all through the same pool.
    for (const file of corpus) outcomes.set(file.id, await intake(file, pool));
  }, 120_000);
  afterAll(() => pool.close());

  it('has at least 30 files, each with a distinct id, built the same way every time', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(new Set(corpus.map((f) => f.id)).size).toBe(corpus.length);
    expect(corpus.filter((f) => f.expect.outcome === 'refused').length).toBeGreaterThanOrEqual(25);
    // Refusals after the sniff name their reason, so the test knows which defence caught them.
    for (const f of corpus) if (f.expect.outcome === 'refused' && f.expect.stage === 'inspect') expect(f.expect.reason, f.id).toBeDefined();
    const again = await buildHostileCorpus();
    for (const [i, f] of again.entries()) expect(f.bytes.equals(corpus[i]!.bytes), f.id).toBe(true);
  });

  it('covers what issue 5 lists', () => {
    const ids = corpus.map((f) => f.id).join(' ');
    for (const needle of [
      '2mb-plus-1',
      'png-bomb-20000x20000',
      '60000x60000',
      'bmp-declares',
      'gif-5000-frames',
      'truncated-png',
      'truncated-jpeg',
      'truncated-gif',
      'truncated-bmp',
      'empty',
      'three-bytes',
      'svg-as-jpg',
      'html-as-jpg',
      'pdf-as-jpg',
      'zip-as-jpg',
      'elf-as-jpg',
      'pe-as-jpg',
      'script-appended',
      'huge-text-chunk',
      'gifar',
      'animated-png',
      'mp4-bogus-box-size',
      'webm-header-only',
      'path-traversal',
      'control-chars',
      'bidi',
      'png-0x0',
      'wrong-crc',
      'cmyk-jpeg',
      'png-16-bit',
      'png-interlaced',
    ])
      expect(ids).toContain(needle);
    const bomb = corpus.find((f) => f.id === 'png-bomb-20000x20000')!;
    expect(bomb.bytes.length).toBeGreaterThan(500_000);
    expect(bomb.bytes.length).toBeLessThan(IMAGE_LIMIT_BYTES);
    expect(corpus.find((f) => f.id === 'jpeg-2mb-plus-1')!.bytes.length).toBe(IMAGE_LIMIT_BYTES + 1);
    expect(corpus.find((f) => f.id === 'three-bytes')!.bytes.length).toBe(3);
  });

  it('refuses or neutralises every file as expected', () => {
    for (const file of corpus) {
      const out = outcomes.get(file.id)!;
      const label = `${file.id}: ${JSON.stringify(out.ok ? { ok: true, name: out.name } : out)}`;
      if (file.expect.outcome === 'refused') {
        expect(out.ok, label).toBe(false);
        if (out.ok) continue;
        expect([out.stage, out.code], label).toEqual([file.expect.stage, file.expect.code]);
        if (file.expect.reason) expect(out.message, label).toMatch(file.expect.reason);
      } else {
        expect(out.ok, label).toBe(true);
        if (!out.ok) continue;
        expect(out.sniffed.kind, label).toBe(file.expect.kind);
        if (file.expect.name !== undefined) expect(out.name, label).toBe(file.expect.name);
        if (file.expect.frames !== undefined) expect(out.facts?.frames, label).toBe(file.expect.frames);
      }
    }
  });

  it('gives every refusal a message a support agent can pass on', () => {
    for (const file of corpus) {
      const out = outcomes.get(file.id)!;
      if (out.ok) continue;
      expect(out.message.length, file.id).toBeGreaterThan(30);
      expect(out.message.length, file.id).toBeLessThan(300);
      expect(out.message, file.id).toMatch(/^[A-Z].*\.$/s);
      // No internals: no decoder names, stack traces, paths or raw error text.
      expect(out.message, file.id).not.toMatch(/vips|sharp|spng|libjpeg|Error:|\bat \w+ \(|\/work\/|node_modules|undefined|NaN/i);
    }
  });

  it('serves only re-encoded copies: nothing hidden in the original reaches them', async () => {
    for (const file of corpus) {
      const out = outcomes.get(file.id)!;
      if (!out.ok || !out.facts) continue;
      const { display, thumb } = out.facts;
      for (const [what, copy] of Object.entries({ display, thumb })) {
        const label = `${file.id} ${what}`;
        const meta = await sharp(copy).metadata();
        expect(meta.format, label).toBe('jpeg');
        expect([meta.exif, meta.icc, meta.xmp, meta.iptc, meta.comments], label).toEqual([
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
        ]);
        // A JPEG that ends where it ends: FF D9 last, nothing trailing.
        expect([copy[copy.length - 2], copy[copy.length - 1]], label).toEqual([0xff, 0xd9]);
        if (file.expect.outcome === 'neutralised')
          for (const s of file.expect.absentFromDerived ?? [])
            expect(copy.includes(Buffer.from(s, 'latin1')), `${label} contains ${JSON.stringify(s)}`).toBe(false);
      }
      expect(out.facts.phash, file.id).toMatch(/^[0-9a-f]{16}$/);
    }
    // The originals did carry what the copies must not: the test is not vacuous.
    const script = corpus.find((f) => f.id === 'jpeg-with-script-appended')!;
    expect(script.bytes.includes(Buffer.from('<script'))).toBe(true);
  });

  it('is still alive afterwards: the same pool analyses a good photo', async () => {
    const good = await texturedJpeg(77, 800, 600);
    const facts = await pool.analyze(good, sniffType(good)!);
    expect([facts.width, facts.height]).toEqual([800, 600]);
    expect(pool.mode).toBe('workers');
  });
});

describe('damaged images made to look whole (issue 13)', () => {
  const JPG = sniffType(Buffer.from([0xff, 0xd8, 0xff]))!;
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (e) {
      return e instanceof AppFailure ? `${e.code}: ${e.message}` : String(e);
    }
    return 'accepted';
  };
  const analyzed = (bytes: Buffer) =>
    analyzeImage(bytes, JPG).then(
      (f) => `accepted ${f.width}x${f.height}`,
      (e: unknown) => (e instanceof AppFailure ? `${e.code}: ${e.message}` : String(e)),
    );

  it('the header walk alone refuses what a lenient decoder would paint grey or blurred', async () => {
    const progressive = await phoneLikeJpeg(31, 480, 360, true);
    const restart = restartJpeg(32, 320, 240, 8);
    const lenient = (b: Buffer) =>
      sharp(b, { failOn: 'error' })
        .raw()
        .toBuffer()
        .then(() => 'decoded');
    // Without the checks these decode (the defect): the test would catch their removal.
    expect(await lenient(progressiveWithoutLastScans(progressive))).toBe('decoded');
    expect(await lenient(cutWithEndMarker(restart, 0.5))).toBe('decoded');
    expect(refusal(() => readImageHeader(progressiveWithoutLastScans(progressive), JPG))).toMatch(/^UNSUPPORTED_FILE: .*incomplete/);
    expect(refusal(() => readImageHeader(cutWithEndMarker(restart, 0.5), JPG))).toMatch(/^UNSUPPORTED_FILE: .*incomplete/);
    expect(refusal(() => readImageHeader(restart, JPG))).toBe('accepted');
    expect(refusal(() => readImageHeader(progressive, JPG))).toBe('accepted');
  });

  it('a libjpeg warning about junk bytes is not a refusal; one about missing data is', async () => {
    const jpeg = await texturedJpeg(33, 320, 240);
    const junk = jpegWithExtraneousBytes(jpeg);
    await expect(sharp(junk, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow(/extraneous bytes/);
    expect(await analyzed(junk)).toBe('accepted 320x240');
    expect(await analyzed(cutWithEndMarker(jpeg, 0.5))).toMatch(
      /^UNSUPPORTED_FILE: This JPEG image cannot be read: the file is damaged or incomplete\./,
    );
  });

  it('any cut of a photo, with an end marker glued on, is refused; the whole photo is not', async () => {
    const photos = [await phoneLikeJpeg(34, 400, 300, false), await phoneLikeJpeg(35, 400, 300, true, 8), restartJpeg(36, 400, 300, 5)];
    for (const p of photos) expect(await analyzed(p)).toMatch(/^accepted/);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.double({ min: 0.1, max: 0.97, noNaN: true }), async (which, fraction) => {
        expect(await analyzed(cutWithEndMarker(photos[which]!, fraction))).toMatch(/^UNSUPPORTED_FILE: /);
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
