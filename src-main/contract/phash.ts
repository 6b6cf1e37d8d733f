/**
 * Distances between 64-bit perceptual hashes (`Phash` in contract/history.ts: 16 hex digits). One
 * definition for both users: the risk engine's photo index (engine/risk/photos.ts) and
 * evidence inspection (files/phash.ts), which may not import each other. Pure bit counting.
 */

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Differing bits of two 64-bit values, each given as two unsigned 32-bit halves hi:lo. */
export const hamming = (hi1: number, lo1: number, hi2: number, lo2: number): number =>
  popcount32((hi1 ^ hi2) >>> 0) + popcount32((lo1 ^ lo2) >>> 0);

/** Differing bits of two 16-hex-digit perceptual hashes. */
export function phashDistance(a: string, b: string): number {
  return hamming(parseInt(a.slice(0, 8), 16), parseInt(a.slice(8), 16), parseInt(b.slice(0, 8), 16), parseInt(b.slice(8), 16));
}
