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
 * A lookup tries the hash as it is and mirrored (`signatureVariants`): quarter turns are what the
 * perceptual hash's own variants already find, and each variant costs a pass over every image.
 */

export interface Signature {
  hi: number;
  lo: number;
  cb: number;
  cr: number;
}

/** Luma + chroma distance (0–255 scale, L1) within which two pixels count as the same colour. */
const SAME_COLOUR = 14;
/** A line is backdrop when at most this share of its pixels is neither frame nor its own backdrop colour. */
const OBJECT_SHARE = 0.08;
/** Total colour change along an outermost line below which it is a smooth backdrop (a gradient). */
const SMOOTH_LINE = 90;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The object's box: lines (rows, columns) are peeled off from each side while (almost) every
 * pixel of the line is the frame's colour (the corner's: padding, a screenshot's bars, the fill
 * a tilted copy leaves in its corners) or close to the pixel beside it in the line peeled just
 * before (a plain or gradient backdrop changes slowly). The outermost line must itself look like
 * backdrop (one colour, or smooth). What stops the peeling is the object, wherever the frame
 * put it; a crop through the object stops at once.
 */
export function objectBox(t: Thumb): Box {
  const { w, h } = t;
  const colourDist = (i: number, j: number) => Math.abs(t.y[i]! - t.y[j]!) + Math.abs(t.cb[i]! - t.cb[j]!) + Math.abs(t.cr[i]! - t.cr[j]!);
  const median = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!;
  const isFrame = (i: number) => colourDist(i, 0) <= SAME_COLOUR;
  const outerLooksLikeBackdrop = (idx: number[]): boolean => {
    const rest = idx.filter((i) => !isFrame(i));
    if (rest.length <= OBJECT_SHARE * idx.length) return true;
    const c = { y: median(rest.map((i) => t.y[i]!)), cb: median(rest.map((i) => t.cb[i]!)), cr: median(rest.map((i) => t.cr[i]!)) };
    let odd = 0;
    let variation = 0;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const far = Math.abs(t.y[i]! - c.y) + Math.abs(t.cb[i]! - c.cb) + Math.abs(t.cr[i]! - c.cr) > SAME_COLOUR;
      if (far && !isFrame(i)) odd++;
      if (k) variation += colourDist(i, idx[k - 1]!);
    }
    return odd <= OBJECT_SHARE * idx.length || variation <= SMOOTH_LINE;
  };
  const box: Box = { x0: 0, y0: 0, x1: w, y1: h };
  // One peeler per side: `line(d)` is the d-th line from that side, `at(d, k)` its k-th pixel (full length).
  const sides = [
    { len: w, count: () => box.y1 - box.y0, at: (d: number, k: number) => d * w + k, take: () => box.y0++ },
    { len: w, count: () => box.y1 - box.y0, at: (d: number, k: number) => (h - 1 - d) * w + k, take: () => box.y1-- },
    { len: h, count: () => box.x1 - box.x0, at: (d: number, k: number) => k * w + d, take: () => box.x0++ },
    { len: h, count: () => box.x1 - box.x0, at: (d: number, k: number) => k * w + (w - 1 - d), take: () => box.x1-- },
  ].map((side) => ({ ...side, depth: 0, done: false }));
  for (let moved = true; moved;) {
    moved = false;
    for (const side of sides) {
      if (side.done || side.count() <= 4) continue;
      const d = side.depth;
      const idx = Array.from({ length: side.len }, (_, k) => side.at(d, k));
      let ok: boolean;
      if (d === 0) ok = outerLooksLikeBackdrop(idx);
      else {
        let odd = 0;
        for (let k = 0; k < side.len; k++) if (!isFrame(idx[k]!) && colourDist(idx[k]!, side.at(d - 1, k)) > SAME_COLOUR) odd++;
        // A line unlike the one before may start a new backdrop (a padded or screenshotted photo's own).
        ok = odd <= OBJECT_SHARE * side.len || outerLooksLikeBackdrop(idx);
      }
      if (!ok) {
        side.done = true;
        continue;
      }
      side.take();
      side.depth++;
      moved = true;
    }
  }
  return box.x1 - box.x0 > 4 && box.y1 - box.y0 > 4 ? box : { x0: 0, y0: 0, x1: w, y1: h };
}

/** The 8 × 8 luma means of the box (area-nearest sampling: the thumb is already small). */
function grid8(t: Thumb, box: Box): Float64Array {
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

function boxChroma(t: Thumb, box: Box): { cb: number; cr: number } {
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

/** The signature of a stored thumb as it is, then mirrored left ↔ right. */
export function signatureVariants(t: Thumb): Signature[] {
  const box = objectBox(t);
  const g = grid8(t, box);
  const c = boxChroma(t, box);
  return [0, 1].map((k) => ({ ...hashOf(transformed(g, k)), ...c }));
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
