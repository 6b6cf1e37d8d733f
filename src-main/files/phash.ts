/**
 * The 64-bit perceptual hash that tells "the same photo" apart from "the same bytes": a
 * re-saved, re-compressed or resized copy keeps its low spatial frequencies, so it keeps
 * (almost all of) its hash. Classic pHash: the image as a 32 × 32 grayscale matrix, a 2-D
 * DCT-II, the top-left 8 × 8 coefficients (lowest frequencies), one bit per coefficient:
 * above the median of the 64 or not. Row-major, first coefficient = most significant bit.
 *
 * Flipped and rotated copies change the hash completely, so each stored image also gets the
 * hashes it WOULD have under the 8 symmetries of a square, computed by permuting its 32 × 32
 * matrix (no second decode). Looking a new photo's hash up among all stored variants finds a
 * mirrored or rotated copy. The 32 × 32 matrix is made with the aspect ratio ignored, so a
 * rotated non-square image gives exactly the rotated matrix.
 */

export { phashDistance } from '../contract/phash';

export const PHASH_TRANSFORMS = ['same', 'flip_h', 'flip_v', 'rot90', 'rot180', 'rot270', 'transpose', 'transverse'] as const;
export type PhashTransform = (typeof PHASH_TRANSFORMS)[number];

const HASH_SIDE = 8;
const cosTables = new Map<number, Float64Array>();

/** cos((2x + 1) u π / 2N) for u < 8, x < N. */
function cosTable(n: number): Float64Array {
  let t = cosTables.get(n);
  if (!t) {
    t = new Float64Array(HASH_SIDE * n);
    for (let u = 0; u < HASH_SIDE; u++) for (let x = 0; x < n; x++) t[u * n + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n));
    cosTables.set(n, t);
  }
  return t;
}

/** The lowest 8 × 8 DCT-II coefficients of a size × size matrix (row-major, [v][u]). */
function lowDct(gray: ArrayLike<number>, size: number): Float64Array {
  const c = cosTable(size);
  // Along rows first (u: horizontal frequency), then along columns (v: vertical frequency).
  const rows = new Float64Array(size * HASH_SIDE);
  for (let y = 0; y < size; y++)
    for (let u = 0; u < HASH_SIDE; u++) {
      let s = 0;
      for (let x = 0; x < size; x++) s += gray[y * size + x]! * c[u * size + x]!;
      rows[y * HASH_SIDE + u] = s;
    }
  const out = new Float64Array(HASH_SIDE * HASH_SIDE);
  for (let v = 0; v < HASH_SIDE; v++)
    for (let u = 0; u < HASH_SIDE; u++) {
      let s = 0;
      for (let y = 0; y < size; y++) s += rows[y * HASH_SIDE + u]! * c[v * size + y]!;
      out[v * HASH_SIDE + u] = s;
    }
  return out;
}

/** 16 lowercase hex digits: bit i (MSB first) = coefficient i above the median of all 64. */
function bitsAboveMedian(coefficients: Float64Array): string {
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[31]! + sorted[32]!) / 2;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    const bit = coefficients[i]! > median ? 1 : 0;
    if (i < 32) hi = ((hi << 1) | bit) >>> 0;
    else lo = ((lo << 1) | bit) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** pHash of a size × size grayscale matrix (row-major, any scale). */
export function phashOfGray(gray32: Float64Array | Uint8Array, size = 32): string {
  if (gray32.length !== size * size) throw new RangeError(`phashOfGray: expected ${size * size} values, got ${gray32.length}`);
  return bitsAboveMedian(lowDct(gray32, size));
}

/**
 * The matrix of the image transformed by `t` (clockwise rotations; flip_h mirrors left and
 * right; transpose mirrors along the main diagonal, transverse along the other).
 */
export function transformGray(gray: Float64Array | Uint8Array, size: number, t: PhashTransform): Float64Array {
  const n = size - 1;
  const src: (y: number, x: number) => number = {
    same: (y: number, x: number) => y * size + x,
    flip_h: (y: number, x: number) => y * size + (n - x),
    flip_v: (y: number, x: number) => (n - y) * size + x,
    rot90: (y: number, x: number) => (n - x) * size + y,
    rot180: (y: number, x: number) => (n - y) * size + (n - x),
    rot270: (y: number, x: number) => x * size + (n - y),
    transpose: (y: number, x: number) => x * size + y,
    transverse: (y: number, x: number) => (n - x) * size + (n - y),
  }[t];
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = gray[src(y, x)]!;
  return out;
}

/** (source index, cell, weight) triples of an area average of `n` samples into `m` cells. */
function areaWeights(n: number, m: number): { src: Int32Array; dst: Int32Array; w: Float64Array } {
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  const cell = n / m; // source samples per cell
  for (let c = 0; c < m; c++) {
    const from = c * cell;
    const to = (c + 1) * cell;
    for (let i = Math.floor(from); i < Math.min(n, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 1e-12) {
        src.push(i);
        dst.push(c);
        w.push(overlap / cell);
      }
    }
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst), w: Float64Array.from(w) };
}

/**
 * The size × size luma matrix of an interleaved 8-bit image, each cell the exact area average
 * of the pixels under it, the aspect ratio ignored. An area average is what makes the hash
 * indifferent to the image's resolution, and it commutes with flips and rotations, which the
 * variants rely on. (Done here rather than by libvips: a 1600 → 32 Lanczos reduce costs more.)
 */
export function grayMatrix(pixels: Uint8Array, width: number, height: number, channels: number, size = 32): Float64Array {
  const xs = areaWeights(width, size);
  const ys = areaWeights(height, size);
  const rows = new Float64Array(height * size);
  const luma = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    let p = y * width * channels;
    for (let x = 0; x < width; x++, p += channels)
      luma[x] = channels >= 3 ? 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]! : pixels[p]!;
    const row = y * size;
    for (let k = 0; k < xs.src.length; k++) rows[row + xs.dst[k]!]! += luma[xs.src[k]!]! * xs.w[k]!;
  }
  const out = new Float64Array(size * size);
  for (let k = 0; k < ys.src.length; k++) {
    const from = ys.src[k]! * size;
    const to = ys.dst[k]! * size;
    const w = ys.w[k]!;
    for (let x = 0; x < size; x++) out[to + x]! += rows[from + x]! * w;
  }
  return out;
}

/** The hash of each of the 8 flips/rotations of the image, 'same' first. */
export function phashVariantsOfGray(gray32: Float64Array | Uint8Array, size = 32): Array<{ transform: PhashTransform; phash: string }> {
  return PHASH_TRANSFORMS.map((transform) => ({ transform, phash: phashOfGray(transformGray(gray32, size, transform), size) }));
}
