import { describe, expect, it } from 'vitest';
import { analyseForMatching } from '../../src-main/bench/photo-match';
import { editPhoto, productPhoto, type PhotoEdit } from '../../src-main/bench/photo-set';
import { verifySamePhoto } from '../../src-main/files/match/verify';

/**
 * Copies verification refused on the tuning seeds (README "Photo matching"), each the generated
 * product shot and its edit, verified directly:
 * - brightened copies whose light backdrop (or a channel of a light product) burnt out at 255,
 *   so one gain and offset could not fit the luma (1076 by its corners, 1048 by its box);
 * - a brightened plain product whose box on the thumb was a pixel narrower, so its 8 × 8 hash
 *   was 17 bits from the stored one's (1073);
 * - watermarks across the product that broke the edge correlation (0.35–0.45) or the luma and
 *   colour percentiles with dozens of corners in agreement (1054, 1055, 1056, 1067);
 * - screenshot and padded copies of small plain products whose box, peeled from the 64-px
 *   thumb, was a pixel off on a product ~10 pixels across (2007, 2014);
 * - brightened copies whose light colours sharp's +15 % drained and turned (it scales CIE L*
 *   and clips), refused by the chroma alone with 11–149 corners agreeing (1080, 1118, 2018);
 * - a padded copy and a screenshot of small plain products with 4 corners agreeing, whose
 *   boxes' placement missed the 3 × 3 luma and the corners' own transform meets it (1155, 1154).
 */
const CASES: Array<[PhotoEdit, number]> = [
  ['brighter15', 1076],
  ['brighter15', 1048],
  ['brighter15', 1073],
  ['watermark', 1054],
  ['watermark', 1055],
  ['watermark', 1056],
  ['watermark', 1067],
  ['border', 2007],
  ['border', 2014],
  ['brighter15', 1080],
  ['brighter15', 1118],
  ['brighter15', 2018],
  ['border', 1155],
  ['border', 1154],
];

describe('verification of brightened, watermarked and framed copies', () => {
  for (const [edit, seed] of CASES)
    it(`verifies the ${edit} edit of product ${seed} as its original`, async () => {
      const original = await productPhoto(seed);
      const stored = await analyseForMatching(original);
      const copy = await analyseForMatching(await editPhoto(original, edit, seed));
      const verdict = verifySamePhoto(copy.query, stored.stored);
      expect(verdict.same, JSON.stringify(verdict)).toBe(true);
    }, 60_000);

  it('does not leave out a product of another colour as drawn over', async () => {
    // Two products of one shape and size (37 corners agree), one colour each: the whole product
    // differs, far more than a watermark's share.
    const a = await analyseForMatching(await productPhoto(3046));
    const b = await analyseForMatching(await productPhoto(3051));
    const verdict = verifySamePhoto(b.query, a.stored);
    expect(verdict.inliers).toBeGreaterThanOrEqual(30);
    expect(verdict.same, JSON.stringify(verdict)).toBe(false);
  }, 60_000);

  it('refuses a brightened copy of another product', async () => {
    // The stored photo read as brightened (by any of the factors tried) must not make another
    // colour of one shape agree.
    const a = await analyseForMatching(await productPhoto(3046));
    const b = await analyseForMatching(await editPhoto(await productPhoto(3051), 'brighter15', 3051));
    expect(verifySamePhoto(b.query, a.stored).same).toBe(false);
    const c = await analyseForMatching(await editPhoto(await productPhoto(3046), 'brighter15', 3046));
    const d = await analyseForMatching(await productPhoto(3051));
    expect(verifySamePhoto(c.query, d.stored).same).toBe(false);
  }, 60_000);

  it('refuses a watermarked copy of another product', async () => {
    const a = await analyseForMatching(await productPhoto(3046));
    const b = await analyseForMatching(await editPhoto(await productPhoto(3051), 'watermark', 3051));
    expect(verifySamePhoto(b.query, a.stored).same).toBe(false);
  }, 60_000);
});
