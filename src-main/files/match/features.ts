/**
 * Local features of a photo, for verifying that two pictures really are the same photo (issue
 * 15). ORB-like, computed from raw grayscale pixels (sharp hands them over; no native code):
 *
 * - a pyramid of LEVELS images, each 1/SCALE_STEP of the one before, so a copy shown smaller
 *   (a screenshot, a padded or cropped copy) meets the original at some pair of levels;
 * - FAST-9 corners on each level, the strongest kept through a grid so they spread over the
 *   picture instead of piling up on one printed label;
 * - an orientation per corner (intensity centroid) and a 256-bit BRIEF descriptor steered by
 *   it, so a rotated copy (90°, or 3° by hand) gives the same bits at the same corner.
 *
 * A mirrored copy is the one thing steering does not undo: the query side also describes its
 * mirror image (`mirrored: true`), which the stored side need not keep.
 */

export const LEVELS = 5;
export const SCALE_STEP = 1.25;
/** Longest side of the pyramid's first level. */
export const BASE_SIDE = 400;
/** At most this many keypoints per image (what is stored: 36 bytes each). */
export const MAX_KEYPOINTS = 300;
const FAST_THRESHOLD = 12;
const PATCH_RADIUS = 13;
/** Corners closer than this to an edge have no whole patch (radius × √2, rotated). */
const MARGIN = 20;
const ANGLE_BINS = 32;
const WORDS = 8; // 256 bits

export interface Features {
  /** Keypoint count. */
  n: number;
  /** Positions in first-level pixels. */
  x: Float32Array;
  y: Float32Array;
  /** Orientation in radians (−π, π]. */
  angle: Float32Array;
  /** Pyramid level of each keypoint. */
  level: Uint8Array;
  /** WORDS unsigned 32-bit words per keypoint. */
  desc: Uint32Array;
  /** The first level's width and height. */
  width: number;
  height: number;
}

/** The 256 BRIEF point pairs (Gaussian around the corner, clipped to the patch), fixed forever. */
const PAIRS: Int8Array = (() => {
  let s = 0x2545f491;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const gauss = () => {
    const u = Math.max(rnd(), 1e-9);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const clip = (v: number) => Math.max(-PATCH_RADIUS, Math.min(PATCH_RADIUS, Math.round(v)));
  const out = new Int8Array(WORDS * 32 * 4);
  for (let i = 0; i < WORDS * 32; i++) for (let k = 0; k < 4; k++) out[i * 4 + k] = clip((gauss() * PATCH_RADIUS) / 2.2);
  return out;
})();

/** The pairs rotated to each of ANGLE_BINS orientations (as offsets relative to the corner). */
const STEERED: Int8Array[] = Array.from({ length: ANGLE_BINS }, (_, b) => {
  const a = (2 * Math.PI * b) / ANGLE_BINS;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const out = new Int8Array(PAIRS.length);
  for (let i = 0; i < PAIRS.length; i += 2) {
    const x = PAIRS[i]!;
    const y = PAIRS[i + 1]!;
    out[i] = Math.round(c * x - s * y);
    out[i + 1] = Math.round(s * x + c * y);
  }
  return out;
});

const CIRCLE: Array<[number, number]> = [
  [0, -3], [1, -3], [2, -2], [3, -1], [3, 0], [3, 1], [2, 2], [1, 3],
  [0, 3], [-1, 3], [-2, 2], [-3, 1], [-3, 0], [-3, -1], [-2, -2], [-1, -3],
]; // prettier-ignore

/** Area-average downscale of a grayscale image by `f` (> 1). */
function downscale(src: Uint8Array, w: number, h: number, f: number): { data: Uint8Array; w: number; h: number } {
  const nw = Math.max(1, Math.round(w / f));
  const nh = Math.max(1, Math.round(h / f));
  const out = new Uint8Array(nw * nh);
  for (let y = 0; y < nh; y++) {
    const y0 = Math.floor((y * h) / nh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / nh));
    for (let x = 0; x < nw; x++) {
      const x0 = Math.floor((x * w) / nw);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / nw));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += src[yy * w + xx]!;
      out[y * nw + x] = Math.round(s / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { data: out, w: nw, h: nh };
}

/** 5 × 5 box blur (BRIEF compares smoothed values, not single noisy pixels). */
function blur(src: Uint8Array, w: number, h: number): Uint8Array {
  const tmp = new Uint16Array(w * h);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -2; k <= 2; k++) s += src[y * w + Math.min(w - 1, Math.max(0, x + k))]!;
      tmp[y * w + x] = s;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -2; k <= 2; k++) s += tmp[Math.min(h - 1, Math.max(0, y + k)) * w + x]!;
      out[y * w + x] = Math.round(s / 25);
    }
  return out;
}

interface Corner {
  x: number;
  y: number;
  score: number;
}

/** FAST-9 corners with a contrast score, non-maximum suppressed over 3 × 3. */
function fastCorners(img: Uint8Array, w: number, h: number): Corner[] {
  const scores = new Float32Array(w * h);
  const offs = CIRCLE.map(([dx, dy]) => dy * w + dx);
  for (let y = MARGIN; y < h - MARGIN; y++)
    for (let x = MARGIN; x < w - MARGIN; x++) {
      const p = y * w + x;
      const c = img[p]!;
      const hi = c + FAST_THRESHOLD;
      const lo = c - FAST_THRESHOLD;
      // Quick rejection on the four compass points: a 9-arc needs 2 of them beyond one side... or 3.
      const a = img[p + offs[0]!]!;
      const b = img[p + offs[4]!]!;
      const d = img[p + offs[8]!]!;
      const e = img[p + offs[12]!]!;
      const brighter = +(a > hi) + +(b > hi) + +(d > hi) + +(e > hi);
      const darker = +(a < lo) + +(b < lo) + +(d < lo) + +(e < lo);
      if (brighter < 2 && darker < 2) continue;
      let runB = 0;
      let runD = 0;
      let bestB = 0;
      let bestD = 0;
      let sum = 0;
      for (let k = 0; k < 25; k++) {
        const v = img[p + offs[k % 16]!]!;
        if (v > hi) {
          runB++;
          runD = 0;
          if (k < 16) sum += v - hi;
        } else if (v < lo) {
          runD++;
          runB = 0;
          if (k < 16) sum += lo - v;
        } else runB = runD = 0;
        if (runB > bestB) bestB = runB;
        if (runD > bestD) bestD = runD;
      }
      if (bestB >= 9 || bestD >= 9) scores[p] = sum;
    }
  const out: Corner[] = [];
  for (let y = MARGIN; y < h - MARGIN; y++)
    for (let x = MARGIN; x < w - MARGIN; x++) {
      const p = y * w + x;
      const s = scores[p]!;
      if (!s) continue;
      if (
        s < scores[p - 1]! || s < scores[p + 1]! || s < scores[p - w]! || s < scores[p + w]! ||
        s < scores[p - w - 1]! || s <= scores[p - w + 1]! || s <= scores[p + w - 1]! || s <= scores[p + w + 1]!
      ) continue; // prettier-ignore
      out.push({ x, y, score: s });
    }
  return out;
}

/** The strongest corners, at most `perCell` in each cell of an 8 × 8 grid, then the strongest overall up to `max`. */
function spread(corners: Corner[], w: number, h: number, max: number): Corner[] {
  const perCell = Math.max(2, Math.ceil(max / 24));
  const counts = new Uint16Array(64);
  const kept: Corner[] = [];
  for (const c of [...corners].sort((a, b) => b.score - a.score)) {
    const cell = Math.min(7, Math.floor((c.y * 8) / h)) * 8 + Math.min(7, Math.floor((c.x * 8) / w));
    if (counts[cell]! >= perCell) continue;
    counts[cell]!++;
    kept.push(c);
    if (kept.length >= max) break;
  }
  return kept;
}

/**
 * The features of a grayscale image (one byte per pixel, row-major). The image is first
 * brought to BASE_SIDE on its longest side (area average), so features of the same photo at
 * any resolution line up.
 */
export function extractFeatures(gray: Uint8Array, width: number, height: number): Features {
  let level = { data: gray, w: width, h: height };
  const f0 = Math.max(width, height) / BASE_SIDE;
  if (f0 > 1) level = downscale(gray, width, height, f0);
  const baseW = level.w;
  const baseH = level.h;
  const levels: Array<{ data: Uint8Array; w: number; h: number; scale: number }> = [];
  for (let l = 0; l < LEVELS; l++) {
    if (l > 0) level = downscale(level.data, level.w, level.h, SCALE_STEP);
    if (level.w < 2 * MARGIN + 8 || level.h < 2 * MARGIN + 8) break;
    levels.push({ ...level, scale: baseW / level.w });
  }
  // Budget per level by area, so a smaller level is not drowned out by the first.
  const areas = levels.map((l) => l.w * l.h);
  const total = areas.reduce((a, b) => a + b, 0);
  const picked: Array<{ c: Corner; l: number; img: Uint8Array; w: number }> = [];
  levels.forEach((lv, l) => {
    const budget = Math.ceil((MAX_KEYPOINTS * areas[l]!) / total);
    for (const c of spread(fastCorners(lv.data, lv.w, lv.h), lv.w, lv.h, budget)) picked.push({ c, l, img: lv.data, w: lv.w });
  });
  const blurred = levels.map((lv) => blur(lv.data, lv.w, lv.h));
  const n = Math.min(picked.length, MAX_KEYPOINTS);
  const out: Features = {
    n,
    x: new Float32Array(n),
    y: new Float32Array(n),
    angle: new Float32Array(n),
    level: new Uint8Array(n),
    desc: new Uint32Array(n * WORDS),
    width: baseW,
    height: baseH,
  };
  for (let i = 0; i < n; i++) {
    const { c, l } = picked[i]!;
    const lv = levels[l]!;
    const img = blurred[l]!;
    const w = lv.w;
    // Intensity centroid over a disc of radius PATCH_RADIUS: the corner's orientation.
    let m10 = 0;
    let m01 = 0;
    for (let dy = -PATCH_RADIUS; dy <= PATCH_RADIUS; dy++)
      for (let dx = -PATCH_RADIUS; dx <= PATCH_RADIUS; dx++) {
        if (dx * dx + dy * dy > PATCH_RADIUS * PATCH_RADIUS) continue;
        const v = img[(c.y + dy) * w + c.x + dx]!;
        m10 += dx * v;
        m01 += dy * v;
      }
    const angle = Math.atan2(m01, m10);
    const bin = ((Math.round((angle / (2 * Math.PI)) * ANGLE_BINS) % ANGLE_BINS) + ANGLE_BINS) % ANGLE_BINS;
    const pairs = STEERED[bin]!;
    const centre = c.y * w + c.x;
    for (let word = 0; word < WORDS; word++) {
      let bits = 0;
      for (let b = 0; b < 32; b++) {
        const k = (word * 32 + b) * 4;
        const p = img[centre + pairs[k + 1]! * w + pairs[k]!]!;
        const q = img[centre + pairs[k + 3]! * w + pairs[k + 2]!]!;
        if (p < q) bits |= 1 << b;
      }
      out.desc[i * WORDS + word] = bits >>> 0;
    }
    out.x[i] = c.x * lv.scale;
    out.y[i] = c.y * lv.scale;
    out.angle[i] = angle;
    out.level[i] = l;
  }
  return out;
}

/** The mirror image (left ↔ right) of a grayscale image. */
export function mirrorGray(gray: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(gray.length);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = gray[y * width + (width - 1 - x)]!;
  return out;
}

/**
 * Features as bytes, for the database: a 12-byte header (format 1, count, width, height) then
 * per keypoint x, y (uint16, in 1/8 pixel), angle (int16, 1/10,000 rad), level (uint8), a spare
 * byte and the 32 descriptor bytes: 40 bytes a keypoint, ~12 kB for a full set.
 */
export function encodeFeatures(f: Features): Uint8Array {
  const buf = new Uint8Array(12 + f.n * 40);
  const v = new DataView(buf.buffer);
  v.setUint32(0, 1);
  v.setUint32(4, f.n);
  v.setUint16(8, f.width);
  v.setUint16(10, f.height);
  for (let i = 0; i < f.n; i++) {
    const o = 12 + i * 40;
    v.setUint16(o, Math.round(f.x[i]! * 8));
    v.setUint16(o + 2, Math.round(f.y[i]! * 8));
    v.setInt16(o + 4, Math.round(f.angle[i]! * 10_000));
    v.setUint8(o + 6, f.level[i]!);
    for (let k = 0; k < WORDS; k++) v.setUint32(o + 8 + k * 4, f.desc[i * WORDS + k]!);
  }
  return buf;
}

export function decodeFeatures(buf: Uint8Array): Features {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < 12 || v.getUint32(0) !== 1) throw new Error('stored photo features: unknown format');
  const n = v.getUint32(4);
  if (buf.byteLength !== 12 + n * 40) throw new Error('stored photo features: wrong length');
  const f: Features = {
    n,
    x: new Float32Array(n),
    y: new Float32Array(n),
    angle: new Float32Array(n),
    level: new Uint8Array(n),
    desc: new Uint32Array(n * WORDS),
    width: v.getUint16(8),
    height: v.getUint16(10),
  };
  for (let i = 0; i < n; i++) {
    const o = 12 + i * 40;
    f.x[i] = v.getUint16(o) / 8;
    f.y[i] = v.getUint16(o + 2) / 8;
    f.angle[i] = v.getInt16(o + 4) / 10_000;
    f.level[i] = v.getUint8(o + 6);
    for (let k = 0; k < WORDS; k++) f.desc[i * WORDS + k] = v.getUint32(o + 8 + k * 4);
  }
  return f;
}
