import { describe, expect, it } from 'vitest';
import { analyseForMatching } from '../../src-main/bench/photo-match';
import { editPhoto, productPhoto } from '../../src-main/bench/photo-set';
import { objectBoxes, signatureOf, signatureVariants } from '../../src-main/files/match/signature';
import { verifySamePhoto } from '../../src-main/files/match/verify';

/**
 * Framed copies of small products that verification refused (tuning seeds, README "Photo
 * matching"): a phone screenshot whose black or white frame made a coloured product look
 * colourless (1023), products with too few corners whose box overlay was a pixel off (1009,
 * 1077, 2015), a padded copy of a fine dotted print whose 3 × 3 colour averages alias at
 * another phase than the stored thumb's (1007: 7.3 against 6 before PRINT_ALIASING). Each is
 * the generated product shot and its 'border' edit, verified directly.
 */
describe('verification of bordered and screenshot copies', () => {
  for (const seed of [1023, 1009, 1077, 2015, 1007])
    it(`verifies the border edit of product ${seed} as its original`, async () => {
      const original = await productPhoto(seed);
      const stored = await analyseForMatching(original);
      const copy = await analyseForMatching(await editPhoto(original, 'border', seed));
      const verdict = verifySamePhoto(copy.query, stored.stored);
      expect(verdict.same, JSON.stringify(verdict)).toBe(true);
    }, 60_000);

  it('peels the product out of a phone screenshot that shows it at 2–4 % of the screen (1034)', async () => {
    // The screen and the photo's light backdrop flood as one layer and leave the product alone:
    // its box must be looked up (the signature scan ranks the original first) and laid over.
    const original = await productPhoto(1034);
    const stored = await analyseForMatching(original);
    const copy = await analyseForMatching(await editPhoto(original, 'border', 1034));
    expect(objectBoxes(copy.query.thumb).length).toBe(1);
    const s = signatureOf(stored.stored.thumb);
    const bits = (a: number, b: number) => [...((a ^ b) >>> 0).toString(2)].filter((c) => c === '1').length;
    const nearest = Math.min(...signatureVariants(copy.stored.thumb, copy.query.thumb).map((v) => bits(v.hi, s.hi) + bits(v.lo, s.lo)));
    expect(nearest).toBeLessThanOrEqual(12);
    const verdict = verifySamePhoto(copy.query, stored.stored);
    expect(verdict.same, JSON.stringify(verdict)).toBe(true);
  }, 60_000);

  it('refuses the framed copy of another product', async () => {
    // The box fallback now runs after any failed corner match: it must not link two products.
    const a = await analyseForMatching(await productPhoto(1009));
    const b = await analyseForMatching(await editPhoto(await productPhoto(1077), 'border', 1077));
    expect(verifySamePhoto(b.query, a.stored).same).toBe(false);
  }, 60_000);
});
