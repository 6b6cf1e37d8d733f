import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage, type ImageFacts } from '../../src-main/files/analyze';
import {
  grayMatrix,
  PHASH_TRANSFORMS,
  phashDistance,
  phashOfGray,
  phashVariantsOfGray,
  transformGray,
  type PhashTransform,
} from '../../src-main/files/phash';
import { sniffType } from '../../src-main/files/sniff';
import { SeededRandom } from '../../src-main/util/seeded-random';
import { texturedRgb } from '../fixtures/hostile-corpus';

/** Tolerances of issue 5: a copy within 6 bits, different pictures typically ≥ 20 apart. */
const SAME = 6;
const DIFFERENT = 20;

const analyze = (b: Buffer): Promise<ImageFacts> => analyzeImage(b, sniffType(b)!);

describe('phashOfGray', () => {
  const r = new SeededRandom(3);
  const gray = Float64Array.from({ length: 32 * 32 }, (_, i) => (((i % 32) * 3 + Math.floor(i / 32) * 5) % 200) + r.next() * 40);

  it('is 16 lowercase hex digits, deterministic, and needs a size × size matrix', () => {
    expect(phashOfGray(gray)).toMatch(/^[0-9a-f]{16}$/);
    expect(phashOfGray(gray)).toBe(phashOfGray(Float64Array.from(gray)));
    expect(() => phashOfGray(new Float64Array(100))).toThrow(RangeError);
  });

  it('ignores brightness and contrast (an affine change of every value)', () => {
    expect(phashOfGray(gray.map((v) => v * 0.5 + 30))).toBe(phashOfGray(gray));
    expect(phashOfGray(Uint8Array.from(gray, (v) => Math.round(v)))).toBe(phashOfGray(Float64Array.from(gray, (v) => Math.round(v))));
  });

  it('sets about half the bits (median split)', () => {
    const h = BigInt('0x' + phashOfGray(gray));
    const ones = h
      .toString(2)
      .split('')
      .filter((c) => c === '1').length;
    expect(ones).toBeGreaterThanOrEqual(31);
    expect(ones).toBeLessThanOrEqual(33);
  });

  it('transforms the matrix as the picture would be transformed', () => {
    const n = 32;
    const t = (g: Float64Array, x: PhashTransform) => transformGray(g, n, x);
    const eq = (a: Float64Array, b: Float64Array) => expect(Array.from(a)).toEqual(Array.from(b));
    eq(t(gray, 'same'), gray);
    eq(t(t(gray, 'flip_h'), 'flip_h'), gray);
    eq(t(t(gray, 'rot90'), 'rot270'), gray);
    eq(t(t(gray, 'rot90'), 'rot90'), t(gray, 'rot180'));
    eq(t(t(gray, 'flip_h'), 'flip_v'), t(gray, 'rot180'));
    eq(t(t(gray, 'rot90'), 'flip_h'), t(gray, 'transpose'));
    eq(t(t(gray, 'rot270'), 'flip_h'), t(gray, 'transverse'));
    // rot90 is clockwise: the bottom-left corner comes to the top-left.
    expect(t(gray, 'rot90')[0]).toBe(gray[31 * 32]);
    expect(t(gray, 'rot270')[0]).toBe(gray[31]);
    const variants = phashVariantsOfGray(gray);
    expect(variants.map((v) => v.transform)).toEqual([...PHASH_TRANSFORMS]);
    for (const v of variants) expect(v.phash).toBe(phashOfGray(t(gray, v.transform)));
  });

  it('averages areas exactly (a matrix of a 64 × 64 picture of 2 × 2 blocks is the blocks)', () => {
    const px = new Uint8Array(64 * 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) px[y * 64 + x] = (Math.floor(x / 2) * 7 + Math.floor(y / 2) * 3) % 256;
    const m = grayMatrix(px, 64, 64, 1);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) expect(m[y * 32 + x]).toBeCloseTo((x * 7 + y * 3) % 256, 9);
    const odd = grayMatrix(new Uint8Array(45 * 17).fill(99), 45, 17, 1);
    for (const v of odd) expect(v).toBeCloseTo(99, 9);
  });

  it('re-exports the distance of the risk model', () => {
    expect(phashDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(phashDistance('00000000000000f0', '0000000000000000')).toBe(4);
  });
});

describe('perceptual hash of real images', () => {
  const SIZES: Array<[number, number]> = [
    [640, 480],
    [800, 600],
    [500, 700],
    [720, 720],
    [900, 500],
  ];
  const pictures = SIZES.map(([w, h], i) => ({ w, h, raw: texturedRgb(100 + i, w, h) }));
  const image = (p: (typeof pictures)[number]) => sharp(p.raw, { raw: { width: p.w, height: p.h, channels: 3 } });
  let stored: ImageFacts[] = [];

  beforeAll(async () => {
    stored = await Promise.all(pictures.map(async (p) => analyze(await image(p).jpeg({ quality: 92 }).toBuffer())));
  });

  it('survives JPEG re-encoding at quality 60 to 95', async () => {
    for (const [i, p] of pictures.entries())
      for (const quality of [60, 70, 80, 95]) {
        const copy = await analyze(await image(p).jpeg({ quality }).toBuffer());
        expect(phashDistance(copy.phash, stored[i]!.phash), `picture ${i} q${quality}`).toBeLessThanOrEqual(SAME);
      }
  });

  it('survives resizing to 50 % and 200 %, and a PNG of the same picture', async () => {
    for (const [i, p] of pictures.entries()) {
      const half = await analyze(
        await image(p)
          .resize(Math.round(p.w / 2))
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
      const double = await analyze(
        await image(p)
          .resize(p.w * 2)
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
      const quarterLowQuality = await analyze(
        await image(p)
          .resize(Math.round(p.w / 4))
          .jpeg({ quality: 60 })
          .toBuffer(),
      );
      const png = await analyze(await image(p).png().toBuffer());
      for (const [what, copy] of Object.entries({ half, double, quarterLowQuality, png }))
        expect(phashDistance(copy.phash, stored[i]!.phash), `picture ${i} ${what}`).toBeLessThanOrEqual(SAME);
    }
  });

  it('keeps different pictures far apart', () => {
    const distances: number[] = [];
    for (let i = 0; i < stored.length; i++)
      for (let j = i + 1; j < stored.length; j++) distances.push(phashDistance(stored[i]!.phash, stored[j]!.phash));
    expect(Math.min(...distances)).toBeGreaterThanOrEqual(DIFFERENT);
  });

  it('finds flipped and rotated copies through the stored variants', async () => {
    const ops: Record<Exclude<PhashTransform, 'same'>, (s: sharp.Sharp) => Promise<Buffer>> = {
      flip_h: (s) => s.flop().jpeg({ quality: 85 }).toBuffer(),
      flip_v: (s) => s.flip().jpeg({ quality: 85 }).toBuffer(),
      rot90: (s) => s.rotate(90).jpeg({ quality: 85 }).toBuffer(),
      rot180: (s) => s.rotate(180).jpeg({ quality: 85 }).toBuffer(),
      rot270: (s) => s.rotate(270).jpeg({ quality: 85 }).toBuffer(),
      // Two passes so the order of operations is ours, not the pipeline's.
      transpose: async (s) =>
        sharp(await s.rotate(90).png().toBuffer())
          .flop()
          .jpeg({ quality: 85 })
          .toBuffer(),
      transverse: async (s) =>
        sharp(await s.rotate(270).png().toBuffer())
          .flop()
          .jpeg({ quality: 85 })
          .toBuffer(),
    };
    for (const [i, p] of pictures.entries())
      for (const [transform, op] of Object.entries(ops)) {
        const copy = await analyze(await op(image(p)));
        const variant = stored[i]!.phashVariants.find((v) => v.transform === transform)!;
        const label = `picture ${i} ${transform}`;
        expect(phashDistance(variant.phash, copy.phash), label).toBeLessThanOrEqual(SAME);
        // Without the variants the copy would not be found: it is far from the stored hash.
        expect(phashDistance(stored[i]!.phash, copy.phash), label).toBeGreaterThan(SAME * 2);
        // And it does not match any other picture's variants.
        for (const [j, other] of stored.entries())
          if (j !== i)
            for (const v of other.phashVariants) expect(phashDistance(v.phash, copy.phash), `${label} vs ${j}`).toBeGreaterThan(SAME);
      }
  });

  it('hashes the upright picture: an EXIF-rotated file matches the physically rotated one', async () => {
    const p = pictures[0]!;
    const stored90 = await analyze(await image(p).rotate(90).jpeg({ quality: 90 }).toBuffer());
    // Same pixels stored sideways, with orientation 6 ("rotate 90° clockwise to view").
    const tagged = await analyze(await image(p).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer());
    expect(phashDistance(tagged.phash, stored90.phash)).toBeLessThanOrEqual(2);
    expect([tagged.width, tagged.height]).toEqual([p.h, p.w]);
  });

  it('survives the palette reduction of a GIF', async () => {
    const p = pictures[1]!;
    const gif = await analyze(await image(p).resize(400).gif().toBuffer());
    expect(phashDistance(gif.phash, stored[1]!.phash)).toBeLessThanOrEqual(SAME);
  });
});
