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

/** Luma + chroma distance (0–255 scale, L1) between neighbouring pixels of one backdrop (or frame). */
const STEP = 10;
/** A layer is peeled only if it takes at least this share of what was left… */
const MIN_LAYER = 0.05;
/** …and leaves a box at least this share of the one before (else it ate the object itself). */
const MIN_KEPT = 0.05;
/**
 * The same on a new picture's larger thumb, looked up for a copy that shows the photo small: a
 * phone screenshot's white screen floods into the photo's light backdrop in one layer and
 * leaves the product alone, 2–4 % of the screen (a product shot's object fills far more).
 */
export const MIN_KEPT_SMALL_COPY = 0.02;
/** Pieces smaller than this share of the largest piece are specks (a screenshot's text, noise). */
const SPECK = 0.25;
const MAX_LAYERS = 4;

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The object's box, found by peeling layers from the outside in. Each layer is a flood from the
 * edge of what is left (at first the picture's border) through neighbouring pixels of nearly the
 * same colour: a frame (padding, a screenshot's screen, the fill a tilted copy leaves in its
 * corners) is one layer, the photo's own backdrop (plain or a smooth gradient, with its soft
 * shadow) the next. A layer is peeled only while it takes a real share of the picture and leaves
 * a box of a real size (a plain object is not a backdrop: flooding it leaves nothing). What is
 * left is the object's box, wherever a frame put the photo; pieces much smaller than the largest
 * (a screenshot's clock and captions) do not count. A copy with a frame takes one layer more
 * and ends at the same box.
 */
export function objectBox(t: Thumb): Box {
  return objectBoxes(t).at(-1)!;
}

/** The boxes of every layer peeled, the whole picture first, the object's last. */
export function objectBoxes(t: Thumb, minKept = MIN_KEPT): Box[] {
  return peel(t, minKept).boxes;
}

/**
 * At most this many pieces' own boxes a peeled layer gives (the largest first), beside the box
 * around all of them: each is two more signatures to scan a million with.
 */
const MAX_PIECES = 3;

/**
 * The own box of each piece (not a speck) that a peeled layer left when it left more than one,
 * the largest pieces first, at most MAX_PIECES a layer. A phone screenshot of a small product
 * leaves the product and the screenshot's caption under the photo ("Shared with you · 6 May"):
 * beside a product a few dozen thumb pixels in size the caption is no speck, and the box around
 * both is neither the product's nor anything stored; the product's own box is.
 */
export function pieceBoxes(t: Thumb, minKept = MIN_KEPT): Box[] {
  return peel(t, minKept).pieces;
}

function peel(t: Thumb, minKept: number): { boxes: Box[]; pieces: Box[] } {
  const { w, h } = t;
  const n = w * h;
  const dist = (i: number, j: number) => Math.abs(t.y[i]! - t.y[j]!) + Math.abs(t.cb[i]! - t.cb[j]!) + Math.abs(t.cr[i]! - t.cr[j]!);
  let left = new Uint8Array(n).fill(1); // 1: not peeled yet
  let box: Box = { x0: 0, y0: 0, x1: w, y1: h };
  const boxes = [box];
  const pieces: Box[] = [];
  const stack = new Int32Array(n);
  for (let layer = 0; layer < MAX_LAYERS; layer++) {
    const next = Uint8Array.from(left);
    let sp = 0;
    // Seeds: what is left on the edge of what is left (or of the picture).
    for (let y = box.y0; y < box.y1; y++)
      for (let x = box.x0; x < box.x1; x++) {
        const i = y * w + x;
        if (!left[i]) continue;
        const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !left[i - 1] || !left[i + 1] || !left[i - w] || !left[i + w];
        if (edge) {
          next[i] = 0;
          stack[sp++] = i;
        }
      }
    let eaten = sp;
    while (sp) {
      const i = stack[--sp]!;
      const x = i % w;
      const nb = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i >= w ? i - w : -1, i + w < n ? i + w : -1];
      for (const j of nb)
        if (j >= 0 && next[j] && dist(i, j) <= STEP) {
          next[j] = 0;
          stack[sp++] = j;
          eaten++;
        }
    }
    let before = 0;
    for (let i = 0; i < n; i++) before += left[i]!;
    if (eaten < MIN_LAYER * before) break;
    const found = boxOfPieces(next, w, h);
    if (!found) break;
    const kept = found.union;
    const area = (b: Box) => (b.x1 - b.x0) * (b.y1 - b.y0);
    if (area(kept) < minKept * area(box)) break;
    if (kept.x1 - kept.x0 <= 4 || kept.y1 - kept.y0 <= 4) break;
    left = next;
    box = kept;
    boxes.push(box);
    if (found.pieces.length > 1) for (const p of found.pieces.slice(0, MAX_PIECES)) if (p.x1 - p.x0 > 4 && p.y1 - p.y0 > 4) pieces.push(p);
  }
  return { boxes, pieces };
}

/**
 * The box around the pieces (4-connected) of `mask` that are not specks, and each such piece's
 * own box, the largest first; null when nothing is left.
 */
function boxOfPieces(mask: Uint8Array, w: number, h: number): { union: Box; pieces: Box[] } | null {
  const label = new Int32Array(w * h).fill(-1);
  const pieces: Box[] = [];
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (!mask[s] || label[s]! >= 0) continue;
    const id = pieces.length;
    const b: Box = { x0: w, y0: h, x1: 0, y1: 0 };
    let size = 0;
    label[s] = id;
    stack.push(s);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      size++;
      b.x0 = Math.min(b.x0, x);
      b.y0 = Math.min(b.y0, y);
      b.x1 = Math.max(b.x1, x + 1);
      b.y1 = Math.max(b.y1, y + 1);
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1])
        if (j >= 0 && mask[j] && label[j]! < 0) {
          label[j] = id;
          stack.push(j);
        }
    }
    pieces.push(b);
    sizes.push(size);
  }
  if (!pieces.length) return null;
  const largest = Math.max(...sizes);
  const union: Box = { x0: w, y0: h, x1: 0, y1: 0 };
  const kept: Array<{ b: Box; size: number }> = [];
  pieces.forEach((b, k) => {
    if (sizes[k]! < SPECK * largest) return;
    kept.push({ b, size: sizes[k]! });
    union.x0 = Math.min(union.x0, b.x0);
    union.y0 = Math.min(union.y0, b.y0);
    union.x1 = Math.max(union.x1, b.x1);
    union.y1 = Math.max(union.y1, b.y1);
  });
  kept.sort((a, b) => b.size - a.size);
  return { union, pieces: kept.map((k) => k.b) };
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

export function signaturesOfBox(t: Thumb, box: Box): Signature[] {
  const g = grid8(t, box);
  const c = boxChroma(t, box);
  return [0, 1].map((k) => ({ ...hashOf(transformed(g, k)), ...c }));
}

/**
 * What a new picture is looked up with: the signature of each layer's box (the whole picture,
 * then inside a frame, then the object…), each as it is and mirrored. A stored picture keeps
 * the innermost box only; a copy with a frame peels one layer more, and a copy whose frame
 * stopped the peeling one layer early still has a box that meets it. With `larger` (the new
 * picture's own thumb at twice the stored size), the boxes peeled from it too, but for the
 * whole picture: a framed or screenshotted copy shows the photo small, and the object that
 * is ~10 stored pixels across is twice that there, enough for its 8 × 8 grid. There, also each
 * piece's own box where a layer left more than one (`pieceBoxes`): a screenshot's caption
 * beside a small product joins it in one box that meets nothing stored (1056 of the tuning
 * seeds: 25–40 bits from its original, ranked 30th; with the product's own box, first).
 */
export function signatureVariants(t: Thumb, larger?: Thumb): Signature[] {
  const own = objectBoxes(t).flatMap((box) => signaturesOfBox(t, box));
  if (!larger) return own;
  const { boxes, pieces } = peel(larger, MIN_KEPT_SMALL_COPY);
  return own.concat(
    boxes
      .slice(1)
      .concat(pieces)
      .flatMap((box) => signaturesOfBox(larger, box)),
  );
}

/** The box stored: the first layer's (a product shot's backdrop peeled), the whole picture if nothing peeled. */
export function storedBox(t: Thumb): Box {
  const boxes = objectBoxes(t);
  return boxes[1] ?? boxes[0]!;
}

/** What is stored: the signature of the first layer's box, as it is. */
export const signatureOf = (t: Thumb): Signature => signaturesOfBox(t, storedBox(t))[0]!;

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
