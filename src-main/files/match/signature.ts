import type { Thumb } from './thumb';

/**
 * The candidate signature: cheap to store for every image (20 hex digits) and to compare with
 * a million of them, so that copies the whole-picture perceptual hash misses still reach
 * verification. Computed on the stored thumb:
 *
 * - the object's box: where the luma has edges (the backdrop of a product shot is plain or a
 *   smooth gradient), between the 3rd and 97th percentile of the edge pixels' positions, so
 *   a border, padding, a screenshot's bars or a crop move the box with the object instead of
 *   moving the object inside the frame;
 * - a 64-bit average hash of the box (8 × 8 luma means above their mean), which survives
 *   resizing, recompression, brightness and a few degrees of rotation;
 * - the box's mean chroma (Cb, Cr), which tells a red mug from a blue one (grayscale copies
 *   carry 128, 128: no colour, compared by shape alone).
 *
 * The 8 flips/rotations of the hash are tried at lookup time (`signatureVariants`).
 */

export interface Signature {
  hi: number;
  lo: number;
  cb: number;
  cr: number;
}

const EDGE_FLOOR = 24;

function objectBox(t: Thumb): { x0: number; y0: number; x1: number; y1: number } {
  const { w, h, y } = t;
  const xs: number[] = [];
  const ys: number[] = [];
  const mags: number[] = [];
  for (let yy = 1; yy < h - 1; yy++)
    for (let x = 1; x < w - 1; x++) {
      const gx = y[yy * w + x + 1]! - y[yy * w + x - 1]!;
      const gy = y[(yy + 1) * w + x]! - y[(yy - 1) * w + x]!;
      mags.push(Math.abs(gx) + Math.abs(gy));
      xs.push(x);
      ys.push(yy);
    }
  const sorted = Float32Array.from(mags).sort();
  const threshold = Math.max(EDGE_FLOOR, 0.3 * (sorted[Math.floor(sorted.length * 0.99)] ?? 0));
  const px: number[] = [];
  const py: number[] = [];
  for (let i = 0; i < mags.length; i++) {
    if (mags[i]! < threshold) continue;
    px.push(xs[i]!);
    py.push(ys[i]!);
  }
  if (px.length < 8) return { x0: 0, y0: 0, x1: w, y1: h };
  px.sort((a, b) => a - b);
  py.sort((a, b) => a - b);
  const q = (a: number[], f: number) => a[Math.min(a.length - 1, Math.floor(a.length * f))]!;
  const x0 = q(px, 0.03);
  const x1 = q(px, 0.97) + 1;
  const y0 = q(py, 0.03);
  const y1 = q(py, 0.97) + 1;
  return x1 - x0 >= 4 && y1 - y0 >= 4 ? { x0, y0, x1, y1 } : { x0: 0, y0: 0, x1: w, y1: h };
}

/** The 8 × 8 luma means of the box (area-nearest sampling: the thumb is already small). */
function grid8(t: Thumb, box: { x0: number; y0: number; x1: number; y1: number }): Float64Array {
  const out = new Float64Array(64);
  const counts = new Float64Array(64);
  for (let yy = box.y0; yy < box.y1; yy++)
    for (let x = box.x0; x < box.x1; x++) {
      const cell =
        Math.min(7, Math.floor(((yy - box.y0) * 8) / (box.y1 - box.y0))) * 8 +
        Math.min(7, Math.floor(((x - box.x0) * 8) / (box.x1 - box.x0)));
      out[cell]! += t.y[yy * t.w + x]!;
      counts[cell]!++;
    }
  for (let i = 0; i < 64; i++) out[i] = counts[i] ? out[i]! / counts[i]! : 0;
  return out;
}

function hashOf(g: Float64Array): { hi: number; lo: number } {
  let mean = 0;
  for (const v of g) mean += v / 64;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    const bit = g[i]! > mean ? 1 : 0;
    if (i < 32) hi = ((hi << 1) | bit) >>> 0;
    else lo = ((lo << 1) | bit) >>> 0;
  }
  return { hi, lo };
}

/** The 8 × 8 grid under a flip/rotation (the same 8 symmetries as the perceptual hash). */
function transformed(g: Float64Array, k: number): Float64Array {
  const out = new Float64Array(64);
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) {
      let sx = x;
      let sy = y;
      if (k & 4) [sx, sy] = [sy, sx]; // transpose
      if (k & 1) sx = 7 - sx;
      if (k & 2) sy = 7 - sy;
      out[y * 8 + x] = g[sy * 8 + sx]!;
    }
  return out;
}

function boxChroma(t: Thumb, box: { x0: number; y0: number; x1: number; y1: number }): { cb: number; cr: number } {
  let cb = 0;
  let cr = 0;
  let n = 0;
  for (let yy = box.y0; yy < box.y1; yy++)
    for (let x = box.x0; x < box.x1; x++) {
      cb += t.cb[yy * t.w + x]!;
      cr += t.cr[yy * t.w + x]!;
      n++;
    }
  return { cb: Math.round(cb / n), cr: Math.round(cr / n) };
}

/** The signature of a stored thumb, and of each of its 8 flips/rotations (the first as it is). */
export function signatureVariants(t: Thumb): Signature[] {
  const box = objectBox(t);
  const g = grid8(t, box);
  const c = boxChroma(t, box);
  return Array.from({ length: 8 }, (_, k) => ({ ...hashOf(transformed(g, k)), ...c }));
}

export const signatureOf = (t: Thumb): Signature => signatureVariants(t)[0]!;

/** 20 hex digits: hash (16), Cb (2), Cr (2). */
export function encodeSignature(s: Signature): string {
  const hex = (v: number, n: number) => (v >>> 0).toString(16).padStart(n, '0');
  return hex(s.hi, 8) + hex(s.lo, 8) + hex(s.cb, 2) + hex(s.cr, 2);
}

export function decodeSignature(text: string): Signature | null {
  if (!/^[0-9a-f]{20}$/.test(text)) return null;
  return {
    hi: parseInt(text.slice(0, 8), 16) >>> 0,
    lo: parseInt(text.slice(8, 16), 16) >>> 0,
    cb: parseInt(text.slice(16, 18), 16),
    cr: parseInt(text.slice(18, 20), 16),
  };
}
