import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyseForMatching } from '../../src-main/bench/photo-match';
import { editPhoto, productPhoto } from '../../src-main/bench/photo-set';
import { verifySamePhoto } from '../../src-main/files/match/verify';

/**
 * Grayscale copies (README "Photo matching", session 22): the stored thumb holds BT.601 luma,
 * and a copy made by sharp (libvips) carries the sRGB luminance, lighter on a saturated red or
 * blue than BT.601 says, so a coloured product on a light backdrop missed the point-luma limit
 * (1037: 13.4 against 8). The stored photo's lightness is now also read as BT.709 luma and as
 * luminance, held to a clean copy's closeness.
 */
describe('verification of grayscale copies', () => {
  it('verifies the grayscale edit of product 1037 (luminance, made by sharp)', async () => {
    const original = await productPhoto(1037);
    const stored = await analyseForMatching(original);
    const copy = await analyseForMatching(await editPhoto(original, 'grayscale', 1037));
    const verdict = verifySamePhoto(copy.query, stored.stored);
    expect(verdict.same, JSON.stringify(verdict)).toBe(true);
    expect(verdict.luma, JSON.stringify(verdict)).toBeLessThanOrEqual(1);
  }, 60_000);

  it('verifies a grayscale copy by BT.601 and by BT.709 weights, and one made by sharp', async () => {
    const original = await productPhoto(1046);
    const stored = await analyseForMatching(original);
    const { data, info } = await sharp(original).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const byWeights = async (wr: number, wg: number, wb: number) => {
      const gray = Buffer.alloc(info.width * info.height);
      for (let i = 0, p = 0; i < gray.length; i++, p += 3) gray[i] = Math.round(wr * data[p]! + wg * data[p + 1]! + wb * data[p + 2]!);
      return sharp(gray, { raw: { width: info.width, height: info.height, channels: 1 } })
        .jpeg({ quality: 85 })
        .toBuffer();
    };
    for (const bytes of [
      await byWeights(0.299, 0.587, 0.114),
      await byWeights(0.2126, 0.7152, 0.0722),
      await sharp(original).grayscale().jpeg({ quality: 85 }).toBuffer(),
    ]) {
      const verdict = verifySamePhoto((await analyseForMatching(bytes)).query, stored.stored);
      expect(verdict.same, JSON.stringify(verdict)).toBe(true);
    }
  }, 60_000);

  it('does not link a grayscale copy to another product of its shape whose lightness another reading brings close', async () => {
    // Tuning seeds 2000…: both linked when any reading within the usual limits counted.
    for (const [seed, other] of [
      [2014, 2005],
      [2017, 2009],
    ] as const) {
      const copy = await analyseForMatching(await editPhoto(await productPhoto(seed), 'grayscale', seed));
      const verdict = verifySamePhoto(copy.query, (await analyseForMatching(await productPhoto(other))).stored);
      expect(verdict.same, `${seed} as ${other}: ${JSON.stringify(verdict)}`).toBe(false);
    }
  }, 60_000);
});
