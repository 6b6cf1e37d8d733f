/**
 * A tiny colour copy of a photo (THUMB_SIDE on its longest side, as luma and two chroma
 * planes) for the last check of a match: once the corners have given a transform, the new
 * picture is laid over the stored one through it and the two must agree everywhere they
 * overlap, not only at the corners. Two plain mugs of different sizes or colours can share a
 * dozen corner patches; their outlines and their colours do not line up.
 */

/** The stored thumb's longest side; a new picture is checked at twice that (a screenshot shows the photo small). */
export const THUMB_SIDE = 64;

export interface Thumb {
  w: number;
  h: number;
  /** Luma, Cb, Cr (BT.601, 0–255, chroma centred on 128), row-major. */
  y: Uint8Array;
  cb: Uint8Array;
  cr: Uint8Array;
}

/** A similarity from the new picture's feature frame to the stored one's: s = [a −b; b a] q + t. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** The thumb of an interleaved 8-bit RGB(A) image already reduced to THUMB_SIDE (sharp does the reduce). */
export function thumbOfRgb(pixels: Uint8Array, w: number, h: number, channels: number): Thumb {
  const n = w * h;
  const t: Thumb = { w, h, y: new Uint8Array(n), cb: new Uint8Array(n), cr: new Uint8Array(n) };
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const r = pixels[p]!;
    const g = channels >= 3 ? pixels[p + 1]! : r;
    const b = channels >= 3 ? pixels[p + 2]! : r;
    t.y[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    t.cb[i] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
    t.cr[i] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
  }
  return t;
}

export function mirrorThumb(t: Thumb): Thumb {
  const flip = (a: Uint8Array) => {
    const out = new Uint8Array(a.length);
    for (let y = 0; y < t.h; y++) for (let x = 0; x < t.w; x++) out[y * t.w + x] = a[y * t.w + (t.w - 1 - x)]!;
    return out;
  };
  return { w: t.w, h: t.h, y: flip(t.y), cb: flip(t.cb), cr: flip(t.cr) };
}

/**
 * The thumb blurred so that, sampled bilinearly, it averages about as much of the photo as a
 * stored pixel does (`f` of its pixels a side): a box of width f has the variance f²/12,
 * bilinear sampling gives ~1/6 of it, a 3-tap [c, 1 − 2c, c] pass (c ≤ 1/4) the rest.
 * Unchanged when a stored pixel covers about two of the new picture's pixels or fewer.
 */
export function footprintAveraged(t: Thumb, f: number): Thumb {
  let v = (f * f) / 12 - 1 / 6;
  if (!(v > 0.1)) return t;
  const passes: number[] = [];
  while (v > 1e-3) {
    const c = Math.min(0.25, v / 2);
    passes.push(c);
    v -= 2 * c;
  }
  const pass = (a: Uint8Array, c: number, along: 'x' | 'y') => {
    const out = new Uint8Array(a.length);
    for (let y = 0; y < t.h; y++)
      for (let x = 0; x < t.w; x++) {
        const i = y * t.w + x;
        const lo = along === 'x' ? (x > 0 ? i - 1 : i) : y > 0 ? i - t.w : i;
        const hi = along === 'x' ? (x < t.w - 1 ? i + 1 : i) : y < t.h - 1 ? i + t.w : i;
        out[i] = Math.round(c * a[lo]! + (1 - 2 * c) * a[i]! + c * a[hi]!);
      }
    return out;
  };
  const blur = (a: Uint8Array) => passes.reduce((acc, c) => pass(pass(acc, c, 'x'), c, 'y'), a);
  return { w: t.w, h: t.h, y: blur(t.y), cb: blur(t.cb), cr: blur(t.cr) };
}

/** Gradient magnitude of the luma (Sobel), lightly smoothed so a pixel of misregistration costs little. */
function edges(t: Thumb): Float32Array {
  const { w, h, y } = t;
  const g = new Float32Array(w * h);
  const at = (x: number, yy: number) => y[Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, x))]!;
  for (let yy = 0; yy < h; yy++)
    for (let x = 0; x < w; x++) {
      const gx = at(x + 1, yy - 1) + 2 * at(x + 1, yy) + at(x + 1, yy + 1) - at(x - 1, yy - 1) - 2 * at(x - 1, yy) - at(x - 1, yy + 1);
      const gy = at(x - 1, yy + 1) + 2 * at(x, yy + 1) + at(x + 1, yy + 1) - at(x - 1, yy - 1) - 2 * at(x, yy - 1) - at(x + 1, yy - 1);
      g[yy * w + x] = Math.hypot(gx, gy);
    }
  const out = new Float32Array(w * h);
  for (let yy = 0; yy < h; yy++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) s += g[Math.min(h - 1, Math.max(0, yy + dy)) * w + Math.min(w - 1, Math.max(0, x + dx))]!;
      out[yy * w + x] = s / 9;
    }
  return out;
}

function bilinear(a: ArrayLike<number>, w: number, h: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const x1 = Math.min(w - 1, x0 + 1);
  const y1 = Math.min(h - 1, y0 + 1);
  return (a[y0 * w + x0]! * (1 - fx) + a[y0 * w + x1]! * fx) * (1 - fy) + (a[y1 * w + x0]! * (1 - fx) + a[y1 * w + x1]! * fx) * fy;
}

/** Mean |Cb − 128| + |Cr − 128| below which a picture counts as having no colour. */
const COLOURLESS_MEAN_CHROMA = 2;

/** True when the picture has (almost) no colour: a grayscale copy, or a grey product on a grey backdrop. */
function colourless(t: Thumb): boolean {
  let s = 0;
  for (let i = 0; i < t.cb.length; i++) s += Math.abs(t.cb[i]! - 128) + Math.abs(t.cr[i]! - 128);
  return s / t.cb.length < COLOURLESS_MEAN_CHROMA;
}

/** `colourless` over the places of `q` where stored pixels land (QX/QY, NaN outside). */
function colourlessWhere(q: Thumb, QX: Float32Array, QY: Float32Array): boolean {
  let s = 0;
  let n = 0;
  for (let i = 0; i < QX.length; i++) {
    const x = QX[i]!;
    if (Number.isNaN(x)) continue;
    const y = QY[i]!;
    s += Math.abs(bilinear(q.cb, q.w, q.h, x, y) - 128) + Math.abs(bilinear(q.cr, q.w, q.h, x, y) - 128);
    n++;
  }
  return n === 0 || s / n < COLOURLESS_MEAN_CHROMA;
}

/** sRGB (0–255) to linear light (0–1) and back. */
const toLinear = (c: number) => (c <= 10.31475 ? c / 3294.6 : ((c / 255 + 0.055) / 1.055) ** 2.4);
const fromLinear = (v: number) => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

/**
 * How editors turn colour into gray, besides the BT.601 luma the thumb holds (PIL, OpenCV): the
 * BT.709 weights on the encoded values (ImageMagick's Rec709Luma, CSS), and the same weights on
 * linear light, encoded back (the luminance: libvips and so sharp, GIMP's default). They differ
 * most on saturated colours: a pure red is 76 by BT.601 and 127 as luminance, so a red product
 * on a white backdrop turns lighter against it than any one gain and offset can follow (the
 * generated set's grayscale copies, made by sharp, missed the point-luma limit by 8.7–13.4).
 */
const GRAY_CONVERSIONS: ReadonlyArray<(r: number, g: number, b: number) => number> = [
  (r, g, b) => 0.2126 * r + 0.7152 * g + 0.0722 * b,
  (r, g, b) => fromLinear(0.2126 * toLinear(r) + 0.7152 * toLinear(g) + 0.0722 * toLinear(b)),
];

/**
 * The point luma and 3 × 3 luma a grayscale copy must meet when it is judged by another reading
 * than the thumb's own (against 8 and 12 by that one). Choosing the conversion is a freedom
 * two look-alikes could use: a grayscale copy of one product of a shape read against another of
 * that shape and another colour (2014 as 2005 on the tuning seeds: 3 × 3 luma 10.7; 2017 as
 * 2009: point luma 4.1, 3 × 3 luma 5.5). The editor's own conversion reproduces its gray but for
 * the recompression: sharp's copies read as luminance at point luma ≤ 0.1, 3 × 3 luma ≤ 1.5
 * (a JPEG 60 copy with its colour ≤ 2.8).
 */
const GRAY_READING_MAX_LUMA = 4;

const grayReadingsCache = new WeakMap<Thumb, Thumb[]>();

/** The stored thumb with its luma read by each of GRAY_CONVERSIONS (RGB recovered from Y, Cb, Cr; chroma kept). */
function grayReadings(t: Thumb): Thumb[] {
  const cached = grayReadingsCache.get(t);
  if (cached) return cached;
  const clamp = (v: number) => Math.max(0, Math.min(255, v));
  const out = GRAY_CONVERSIONS.map((convert) => {
    const y = new Uint8Array(t.y.length);
    for (let i = 0; i < y.length; i++) {
      const l = t.y[i]!;
      const cb = t.cb[i]! - 128;
      const cr = t.cr[i]! - 128;
      y[i] = Math.round(clamp(convert(clamp(l + 1.402 * cr), clamp(l - 0.344136 * cb - 0.714136 * cr), clamp(l + 1.772 * cb))));
    }
    return { ...t, y };
  });
  grayReadingsCache.set(t, out);
  return out;
}

/**
 * How a brightened copy was made, as a factor on CIE L* (libvips' and so sharp's `modulate`,
 * Photoshop's and GIMP's lightness): colours keep their a*, b*, and those the lighter L* puts
 * outside sRGB are clipped channel by channel, so a light product's chroma drains (× 0.2–0.8 at
 * luma ≥ 160 for sharp's +15 %) and its hue turns (6–110°) while a dark one's stays: no one
 * chroma gain fits both (the generated set's brightened copies missed the chroma limits by
 * 2.1–7.2 or 6.1–8.1 over 3 × 3, with 24–149 corners agreeing and luma ≤ 1.4).
 */
const BRIGHTENINGS = [1.1, 1.15, 1.2, 1.3];
/**
 * The chroma (half-pixel range, and the 3 × 3 as judged) a brightened copy must meet when it is
 * judged by a brightened reading of the stored photo, against 6 and 6 by the thumb's own: the
 * factor is a freedom a look-alike could use. sharp's +15 % copies read at × 1.15 are at
 * chroma ≤ 0.5 and 3 × 3 ≤ 4.7.
 */
const BRIGHT_READING_MAX_CHROMA = 3;
/**
 * …tried only for a copy the thumb's own reading leaves over the chroma limits verification
 * judges by (verify.ts: MAX_CHROMA_DIFFERENCE, MAX_COARSE_CHROMA_DIFFERENCE), so a copy those
 * limits let through is judged as before (a reading's luma may be worse than the own's).
 */
const BRIGHT_READING_WHEN_CHROMA = 6;

const brightenedCache = new WeakMap<Thumb, Thumb[]>();

/** CIE L*a*b* (D65) of linear sRGB and back: f and its inverse. */
const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
const labFInverse = (t: number) => (t * t * t > 216 / 24389 ? t * t * t : (116 * t - 16) / (24389 / 27));

/** The stored thumb as each of BRIGHTENINGS would have made it (RGB recovered from Y, Cb, Cr). */
function brightenedReadings(t: Thumb): Thumb[] {
  const cached = brightenedCache.get(t);
  if (cached) return cached;
  const clamp = (v: number) => Math.max(0, Math.min(255, v));
  const n = t.y.length;
  const L = new Float32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const l = t.y[i]!;
    const cb = t.cb[i]! - 128;
    const cr = t.cr[i]! - 128;
    const r = toLinear(clamp(l + 1.402 * cr));
    const g = toLinear(clamp(l - 0.344136 * cb - 0.714136 * cr));
    const b = toLinear(clamp(l + 1.772 * cb));
    const fx = labF((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
    const fy = labF(0.2126 * r + 0.7152 * g + 0.0722 * b);
    const fz = labF((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
    L[i] = 116 * fy - 16;
    A[i] = 500 * (fx - fy);
    B[i] = 200 * (fy - fz);
  }
  const out = BRIGHTENINGS.map((k) => {
    const u: Thumb = { w: t.w, h: t.h, y: new Uint8Array(n), cb: new Uint8Array(n), cr: new Uint8Array(n) };
    for (let i = 0; i < n; i++) {
      const fy = (k * L[i]! + 16) / 116;
      const x = 0.95047 * labFInverse(fy + A[i]! / 500);
      const y = labFInverse(fy);
      const z = 1.08883 * labFInverse(fy - B[i]! / 200);
      const r = clamp(fromLinear(Math.max(0, 3.2406 * x - 1.5372 * y - 0.4986 * z)));
      const g = clamp(fromLinear(Math.max(0, -0.9689 * x + 1.8758 * y + 0.0415 * z)));
      const b = clamp(fromLinear(Math.max(0, 0.0557 * x - 0.204 * y + 1.057 * z)));
      u.y[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      u.cb[i] = Math.round(clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b));
      u.cr[i] = Math.round(clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b));
    }
    return u;
  });
  brightenedCache.set(t, out);
  return out;
}

/**
 * Where each stored pixel (its centre, 2 pixels in from the edge) lands in the new picture
 * through the similarity (the backward warp), in the new thumb's pixels; NaN where it falls
 * outside the new picture's inner part (2 pixels in from its edge, for the 3 × 3 measures).
 * `kq` and `ks` are each thumb's pixels per pixel of its base picture.
 */
function storedInNew(q: Thumb, kq: number, s: Thumb, ks: number, sim: Similarity): { QX: Float32Array; QY: Float32Array } {
  const det = sim.a * sim.a + sim.b * sim.b;
  const n = s.w * s.h;
  const QX = new Float32Array(n).fill(NaN);
  const QY = new Float32Array(n).fill(NaN);
  for (let v = 2; v < s.h - 2; v++)
    for (let u = 2; u < s.w - 2; u++) {
      const bx = (u + 0.5) / ks - sim.tx;
      const by = (v + 0.5) / ks - sim.ty;
      const qx = ((sim.a * bx + sim.b * by) / det) * kq - 0.5;
      const qy = ((-sim.b * bx + sim.a * by) / det) * kq - 0.5;
      if (qx < 2 || qy < 2 || qx > q.w - 3 || qy > q.h - 3) continue;
      QX[v * s.w + u] = qx;
      QY[v * s.w + u] = qy;
    }
  return { QX, QY };
}

/**
 * The new picture's luma resampled on the stored thumb's grid through the similarity (each
 * stored pixel's place in it, clamped to the picture), so that both edge maps are taken by one
 * operator at one scale.
 */
function resampledOnStored(q: Thumb, kq: number, s: Thumb, ks: number, sim: Similarity): Thumb {
  const det = sim.a * sim.a + sim.b * sim.b;
  const y = new Uint8Array(s.w * s.h);
  for (let v = 0; v < s.h; v++)
    for (let u = 0; u < s.w; u++) {
      const bx = (u + 0.5) / ks - sim.tx;
      const by = (v + 0.5) / ks - sim.ty;
      const qx = Math.min(q.w - 1, Math.max(0, ((sim.a * bx + sim.b * by) / det) * kq - 0.5));
      const qy = Math.min(q.h - 1, Math.max(0, ((-sim.b * bx + sim.a * by) / det) * kq - 0.5));
      y[v * s.w + u] = Math.round(bilinear(q.y, q.w, q.h, qx, qy));
    }
  return { w: s.w, h: s.h, y, cb: y, cr: y };
}

/**
 * A difference of 3 × 3 luma averages (0–255, after the gain and offset, the nearest of the
 * new picture's 9 places) taken for ink in one picture and not in the other.
 */
const INK_DIFFERENCE = 12;

/**
 * How far an edge spreads into an edge map: the Sobel's pixel and the 3 × 3 smoothing's (in
 * stored pixels, on the grid both maps are taken on), and the bilinear sample's and the
 * footprint blur's (in the new picture's pixels).
 */
const EDGE_FRAME_REACH = 2;
const EDGE_FRAME_REACH_NEW = 1.5;

export interface Agreement {
  /** Correlation of the two pictures' edge maps where they overlap (−1 … 1). */
  edges: number;
  /**
   * 90th percentile of the chroma difference where they overlap, or over the stored object's box
   * (`focus`) if that is worse: the backdrop must agree, and so must the product, however small
   * a share of the frame it fills. Null when either picture has no colour.
   */
  chroma: number | null;
  /**
   * The same for luma, after one gain and offset (0–255). Both measure how far the new
   * picture's value lies outside the range the stored photo takes within half a pixel of each
   * stored pixel (`halfPixelRange`): on a plain area the pixel's own value.
   */
  luma: number;
  /** The luma difference from the stored pixel's own value (no half-pixel range). */
  pointLuma: number;
  /**
   * The same two over 3 × 3 averages of both (no half-pixel ranges): what a fine print
   * averages to, its colour and lightness, must agree too (stripes of one colour are not checks
   * of two however well each pixel falls within its neighbours' range).
   */
  coarseLuma: number;
  coarseChroma: number | null;
  /**
   * The 3 × 3 chroma difference with a fine print's aliasing forgiven (PRINT_ALIASING), what the
   * limit judges; `coarseChroma` as measured is what ranks placements, so a placement is chosen
   * as before and only its verdict can change, from refused to verified.
   */
  printChroma: number | null;
  /** Share of the stored thumb the new picture covers. */
  overlap: number;
  /**
   * Shares of the overlap where the new picture's 3 × 3 averages are, beyond a pixel of
   * misregistration, much lighter (`lighter`: ink of the stored photo missing) or much darker
   * (`darker`: ink added) than the stored photo's, after the gain and offset.
   */
  lighter: number;
  darker: number;
  /** Median ratio of the new picture's luma to the stored one's where no channel is burnt out (a brightened copy: ≥ BRIGHTENED_MIN). */
  brightened: number;
}

/**
 * How well the new picture (`q`, in its feature frame of width `qBaseW`) laid over the stored
 * one (`s`, feature frame width `sBaseW`) through `sim` agrees with it. The differences of
 * luma and chroma forgive a pixel of misregistration (each stored pixel is compared with the
 * new picture at its own and its 8 neighbours' places, the closest counts), so only what
 * differs over an area (another colour, another print, another outline) counts.
 */
export function alignedAgreement(
  q: Thumb,
  qBaseW: number,
  s: Thumb,
  sBaseW: number,
  sim: Similarity,
  focus?: { x0: number; y0: number; x1: number; y1: number },
  ignore?: Uint8Array,
): Agreement {
  const first = agreementOnce(q, qBaseW, s, sBaseW, sim, focus, ignore);
  // A brightened copy whose colour does not follow one chroma gain: the stored photo is also
  // read as brightened by each of BRIGHTENINGS, and one that reproduces the copy's colour as a
  // clean copy does (BRIGHT_READING_MAX_CHROMA) counts instead, the closest first.
  if (
    first.chroma !== null &&
    first.brightened >= BRIGHTENED_MIN &&
    Math.max(first.chroma, first.printChroma ?? 0) > BRIGHT_READING_WHEN_CHROMA
  ) {
    let best = first;
    for (const other of brightenedReadings(s)) {
      const a = agreementOnce(q, qBaseW, other, sBaseW, sim, focus, ignore);
      if (a.chroma === null || a.chroma > BRIGHT_READING_MAX_CHROMA || (a.printChroma ?? 0) > BRIGHT_READING_MAX_CHROMA) continue;
      if (best === first || a.chroma + (a.printChroma ?? 0) < best.chroma! + (best.printChroma ?? 0)) best = a;
    }
    return best;
  }
  // No chroma compared although the stored photo has colour: the new picture has none where
  // they overlap (a grayscale copy). Its gray is whichever conversion its editor used, so the
  // stored photo's lightness is read by each common one too, and one that reproduces the copy's
  // gray as a clean copy does (GRAY_READING_MAX_LUMA) counts instead, the closest first.
  if (first.chroma !== null || first.luma === 255 || colourless(s)) return first;
  let best = first;
  for (const other of grayReadings(s)) {
    const a = agreementOnce(q, qBaseW, other, sBaseW, sim, focus, ignore);
    if (a.pointLuma > GRAY_READING_MAX_LUMA || a.coarseLuma > GRAY_READING_MAX_LUMA) continue;
    if (best === first || a.pointLuma + a.coarseLuma < best.pointLuma + best.coarseLuma) best = a;
  }
  return best;
}

function agreementOnce(
  q: Thumb,
  qBaseW: number,
  s: Thumb,
  sBaseW: number,
  sim: Similarity,
  focus?: { x0: number; y0: number; x1: number; y1: number },
  /** Stored pixels left out of every measure (what `drawnOver` found drawn over the photo). */
  ignore?: Uint8Array,
): Agreement {
  const kq = q.w / qBaseW;
  const ks = s.w / sBaseW;
  const det = sim.a * sim.a + sim.b * sim.b;
  // A stored pixel averages an area of the photo; the new picture is sampled over the same
  // area (else a striped or dotted product aliases differently in the two and differs).
  const newPerStored = kq / (ks * Math.sqrt(det));
  q = footprintAveraged(q, newPerStored);
  const bright = brightestChannel(q);
  // The stored thumb has no edge at its own frame (its gradients are taken clamped there); a
  // copy shown inside a frame (a phone screenshot, padding, a tilt's filled corners) has one
  // where the photo meets the frame. Sampled for the stored pixels next to their frame, it
  // reaches EDGE_FRAME_REACH stored pixels in, and further where a stored pixel covers fewer
  // than two of the new picture's (a screenshot shows the photo at ~0.9 of the stored size).
  // Those pixels are left out of the edge correlation (every other measure keeps them).
  const frameReach = EDGE_FRAME_REACH + EDGE_FRAME_REACH_NEW / newPerStored;
  const nearFrame = (u: number, v: number) => Math.min(u + 0.5, s.w - u - 0.5, v + 0.5, s.h - v - 0.5) < frameReach;
  const es = edges(s);
  // Where each stored pixel lands in the new picture (NaN: outside it, or left out).
  const { QX, QY } = storedInNew(q, kq, s, ks, sim);
  // Both edge maps by one operator on one grid: the new picture's luma is first resampled where
  // the stored pixels land. A print near the stored thumb's resolution (stripes or dots ~2
  // stored pixels apart) has next to no gradient there (a central difference of a period-2
  // pattern is 0) and strong ones on the larger new thumb: taken on each picture's own grid,
  // the edge maps of a fine print disagreed on any copy, edited or not.
  const eq = edges(resampledOnStored(q, kq, s, ks, sim));
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let inside = 0;
  let ignored = 0;
  /** Pixels in the edge correlation (`inside` less those near the stored frame). */
  let compared = 0;
  // Luma of both at each overlapping pixel, for the gain and offset.
  let lq = 0;
  let ls = 0;
  let lqq = 0;
  let lqs = 0;
  // The same over the pixels with no channel at the clip (for a brightened copy's fit).
  let cq = 0;
  let cs = 0;
  let cqq = 0;
  let cqs = 0;
  let fitted = 0;
  const ratios: number[] = [];
  for (let v = 2; v < s.h - 2; v++)
    for (let u = 2; u < s.w - 2; u++) {
      const i = v * s.w + u;
      const qx = QX[i]!;
      const qy = QY[i]!;
      if (Number.isNaN(qx)) continue;
      if (ignore?.[i]) {
        ignored++;
        QX[i] = NaN;
        QY[i] = NaN;
        continue;
      }
      inside++;
      if (!nearFrame(u, v)) {
        const a = eq[i]!;
        const b = es[i]!;
        compared++;
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
      }
      const yq = bilinear(q.y, q.w, q.h, qx, qy);
      lq += yq;
      ls += s.y[i]!;
      lqq += yq * yq;
      lqs += yq * s.y[i]!;
      if (bilinear(bright, q.w, q.h, qx, qy) >= CLIPPED) continue;
      fitted++;
      if (s.y[i]! >= 16) ratios.push(yq / s.y[i]!);
      cq += yq;
      cs += s.y[i]!;
      cqq += yq * yq;
      cqs += yq * s.y[i]!;
    }
  const overlap = (inside + ignored) / ((s.w - 4) * (s.h - 4));
  if (inside < 16)
    return {
      edges: 0,
      chroma: null,
      luma: 255,
      pointLuma: 255,
      coarseLuma: 255,
      coarseChroma: null,
      printChroma: null,
      overlap,
      lighter: 0,
      darker: 0,
      brightened: 1,
    };
  const m = inside;
  const e = Math.max(1, compared);
  const cov = sxy / e - (sx / e) * (sy / e);
  const vq = sxx / e - (sx / e) ** 2;
  const vs = syy / e - (sy / e) ** 2;
  // s ≈ gain · q + offset (a brighter or darker copy), the gain kept to what an edit does.
  const fit = (k: number, q1: number, s1: number, qq: number, qs: number) => {
    const varQ = qq / k - (q1 / k) ** 2;
    const g = varQ > 1 ? Math.max(0.6, Math.min(1.6, (qs / k - (q1 / k) * (s1 / k)) / varQ)) : 1;
    return { gain: g, offset: s1 / k - g * (q1 / k) };
  };
  let { gain, offset } = fit(m, lq, ls, lqq, lqs);
  // A channel burnt out in the new picture says only that the photo was at least that light
  // there — if the new picture is a brightened copy (its unclipped pixels lighter than the
  // stored ones by a median ratio ≥ BRIGHTENED_MIN: +15 % gives ~1.17). A picture light by
  // itself (paper at 248–250, a screenshot's white) has nothing burnt out: taking its white for a
  // bound let a line on one receipt and not on the other count for nothing (two of the
  // simulated marketplace's receipts were linked so).
  const brighter = ratios.length >= 16 ? percentile(ratios, 0.5) : 1;
  const top = m - fitted > 0 && brighter >= BRIGHTENED_MIN ? bright : null;
  if (top) ({ gain, offset } = fit(fitted, cq, cs, cqq, cqs));
  const burntAt = (x: number, y: number) => top !== null && bilinear(top, q.w, q.h, x, y) >= CLIPPED;
  // The new picture's colour is judged where it overlaps the stored one: a phone screenshot's
  // black or white frame around a small copy must not make a coloured product colourless.
  const chromaOk = !colourlessWhere(q, QX, QY) && !colourless(s);
  const cgain = chromaOk ? chromaGain(q, s, QX, QY) : 1;
  const lumaDiffs: number[] = [];
  const chromaDiffs: number[] = [];
  const focusLuma: number[] = [];
  const focusChroma: number[] = [];
  const pointLuma: number[] = [];
  const focusPointLuma: number[] = [];
  const ry = halfPixelRange(s.y, s.w, s.h);
  const rb = halfPixelRange(s.cb, s.w, s.h);
  const rr = halfPixelRange(s.cr, s.w, s.h);
  for (let v = 2; v < s.h - 2; v++)
    for (let u = 2; u < s.w - 2; u++) {
      const i = v * s.w + u;
      if (Number.isNaN(QX[i]!)) continue;
      const inFocus = !focus || (u >= focus.x0 - 1 && u <= focus.x1 && v >= focus.y0 - 1 && v <= focus.y1);
      let bestL = Infinity;
      let bestC = Infinity;
      let bestPL = Infinity;
      for (let dv = -1; dv <= 1; dv++)
        for (let du = -1; du <= 1; du++) {
          const j = i + dv * s.w + du;
          const qx = QX[j]!;
          if (Number.isNaN(qx)) continue;
          const qy = QY[j]!;
          const ql = gain * bilinear(q.y, q.w, q.h, qx, qy) + offset;
          // Where a channel is burnt out, the photo may be lighter than the new picture says, not darker.
          const burnt = burntAt(qx, qy);
          const dl = burnt ? Math.max(0, ql - ry.hi[i]!) : outside(ql, ry.lo[i]!, ry.hi[i]!);
          if (dl < bestL) bestL = dl;
          const pl = burnt ? Math.max(0, ql - s.y[i]!) : Math.abs(ql - s.y[i]!);
          if (pl < bestPL) bestPL = pl;
          if (chromaOk) {
            const qb = cgain * (bilinear(q.cb, q.w, q.h, qx, qy) - 128) + 128;
            const qr = cgain * (bilinear(q.cr, q.w, q.h, qx, qy) - 128) + 128;
            const dc = Math.hypot(outside(qb, rb.lo[i]!, rb.hi[i]!), outside(qr, rr.lo[i]!, rr.hi[i]!));
            if (dc < bestC) bestC = dc;
          }
        }
      lumaDiffs.push(bestL);
      pointLuma.push(bestPL);
      if (chromaOk) chromaDiffs.push(bestC);
      if (inFocus) {
        focusLuma.push(bestL);
        focusPointLuma.push(bestPL);
        if (chromaOk) focusChroma.push(bestC);
      }
    }
  const chroma = chromaOk ? Math.max(percentile(chromaDiffs, 0.9), percentile(focusChroma, 0.9)) : null;
  return {
    edges: vq > 0 && vs > 0 ? cov / Math.sqrt(vq * vs) : 0,
    chroma,
    luma: Math.max(percentile(lumaDiffs, 0.9), percentile(focusLuma, 0.9)),
    pointLuma: Math.max(percentile(pointLuma, 0.9), percentile(focusPointLuma, 0.9)),
    ...coarseDifference(
      q,
      s,
      QX,
      QY,
      { gain, offset, cgain: chromaOk ? cgain : null, top },
      focus,
      chroma !== null && chroma <= PRINT_MAX_CHROMA,
      {
        // One stored pixel to the right and one down, in the new thumb's pixels (for PRINT_ALIASING).
        ux: ((sim.a / det) * kq) / ks,
        uy: ((-sim.b / det) * kq) / ks,
        vx: ((sim.b / det) * kq) / ks,
        vy: ((sim.a / det) * kq) / ks,
      },
    ),
    overlap,
    brightened: brighter,
  };
}

/**
 * 90th percentiles of the differences of the 3 × 3 averages of both pictures (each stored
 * pixel's against the new picture's at its own or a neighbour's place, the closest), over the
 * overlap or the focus box, whichever is worse.
 */
function coarseDifference(
  q: Thumb,
  s: Thumb,
  QX: Float32Array,
  QY: Float32Array,
  fit: { gain: number; offset: number; cgain: number | null; top: Float32Array | null },
  focus: { x0: number; y0: number; x1: number; y1: number } | undefined,
  /** Whether a fine print's aliasing is forgiven (PRINT_ALIASING): the pixels agree as a copy's do. */
  aliasing: boolean,
  step: { ux: number; uy: number; vx: number; vy: number },
): { coarseLuma: number; coarseChroma: number | null; printChroma: number | null; lighter: number; darker: number } {
  const { w, h } = s;
  const n = w * h;
  const planes = fit.cgain === null ? 1 : 3;
  // The aligned new picture (gain applied) and the stored one, plane by plane.
  const A = Array.from({ length: planes }, () => new Float32Array(n));
  const S = Array.from({ length: planes }, () => new Float32Array(n));
  const valid = new Uint8Array(n);
  const burnt = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const qx = QX[i]!;
    if (Number.isNaN(qx)) continue;
    const qy = QY[i]!;
    valid[i] = 1;
    if (fit.top && bilinear(fit.top, q.w, q.h, qx, qy) >= CLIPPED) burnt[i] = 1;
    A[0]![i] = fit.gain * bilinear(q.y, q.w, q.h, qx, qy) + fit.offset;
    S[0]![i] = s.y[i]!;
    if (fit.cgain !== null) {
      A[1]![i] = fit.cgain * (bilinear(q.cb, q.w, q.h, qx, qy) - 128);
      A[2]![i] = fit.cgain * (bilinear(q.cr, q.w, q.h, qx, qy) - 128);
      S[1]![i] = s.cb[i]! - 128;
      S[2]![i] = s.cr[i]! - 128;
    }
  }
  // 3 × 3 means where the whole window overlaps (NaN elsewhere).
  const mean = (a: Float32Array) => {
    const out = new Float32Array(n).fill(NaN);
    for (let v = 1; v < h - 1; v++)
      for (let u = 1; u < w - 1; u++) {
        const i = v * w + u;
        let sum = 0;
        let k = 0;
        for (let dv = -1; dv <= 1; dv++)
          for (let du = -1; du <= 1; du++) {
            const j = i + dv * w + du;
            if (!valid[j]) continue;
            sum += a[j]!;
            k++;
          }
        if (k === 9) out[i] = sum / 9;
      }
    return out;
  };
  const Am = A.map(mean);
  const Sm = S.map(mean);
  // How far the new picture's 3 × 3 chroma averages move when it is sampled half a stored pixel
  // to either side: what a fine print's averages are known to (PRINT_ALIASING).
  let phase: Float32Array | null = null;
  if (fit.cgain !== null && aliasing) {
    phase = new Float32Array(n);
    for (const [du, dv] of [
      [-0.5, 0],
      [0.5, 0],
      [0, -0.5],
      [0, 0.5],
    ] as const) {
      const B = [new Float32Array(n), new Float32Array(n)];
      for (let i = 0; i < n; i++) {
        if (!valid[i]) continue;
        const x = Math.min(q.w - 1, Math.max(0, QX[i]! + du * step.ux + dv * step.vx));
        const y = Math.min(q.h - 1, Math.max(0, QY[i]! + du * step.uy + dv * step.vy));
        B[0]![i] = fit.cgain * (bilinear(q.cb, q.w, q.h, x, y) - 128);
        B[1]![i] = fit.cgain * (bilinear(q.cr, q.w, q.h, x, y) - 128);
      }
      const [Bb, Br] = B.map(mean);
      for (let i = 0; i < n; i++) {
        const d = Math.hypot(Bb![i]! - Am[1]![i]!, Br![i]! - Am[2]![i]!);
        if (d > phase[i]!) phase[i] = d;
      }
    }
  }
  // 3 × 3 windows of the new picture holding a burnt-out pixel: the photo may be lighter there, not darker.
  const burntNear = new Uint8Array(n);
  for (let v = 1; v < h - 1; v++)
    for (let u = 1; u < w - 1; u++) {
      const i = v * w + u;
      for (let dv = -1; dv <= 1 && !burntNear[i]; dv++) for (let du = -1; du <= 1; du++) if (burnt[i + dv * w + du]) burntNear[i] = 1;
    }
  const luma: number[] = [];
  const chroma: number[] = [];
  const focusLuma: number[] = [];
  const focusChroma: number[] = [];
  const printChroma: number[] = [];
  const focusPrintChroma: number[] = [];
  let lighter = 0;
  let darker = 0;
  for (let v = 2; v < h - 2; v++)
    for (let u = 2; u < w - 2; u++) {
      const i = v * w + u;
      if (Number.isNaN(Sm[0]![i]!)) continue;
      let bestL = Infinity;
      let bestSign = 0;
      let bestC = Infinity;
      for (let dv = -1; dv <= 1; dv++)
        for (let du = -1; du <= 1; du++) {
          const j = i + dv * w + du;
          if (Number.isNaN(Am[0]![j]!)) continue;
          const dl = Am[0]![j]! - Sm[0]![i]!;
          const d = burntNear[j] ? Math.max(0, dl) : Math.abs(dl);
          if (d < bestL) {
            bestL = d;
            bestSign = Math.sign(dl);
          }
          if (planes === 3) bestC = Math.min(bestC, Math.hypot(Am[1]![j]! - Sm[1]![i]!, Am[2]![j]! - Sm[2]![i]!));
        }
      if (bestL === Infinity) continue;
      const printC = phase ? Math.max(0, bestC - PRINT_ALIASING * phase[i]!) : bestC;
      const inFocus = !focus || (u >= focus.x0 - 1 && u <= focus.x1 && v >= focus.y0 - 1 && v <= focus.y1);
      luma.push(bestL);
      if (bestL > INK_DIFFERENCE) {
        if (bestSign > 0) lighter++;
        else darker++;
      }
      chroma.push(bestC);
      printChroma.push(printC);
      if (inFocus) {
        focusLuma.push(bestL);
        focusChroma.push(bestC);
        focusPrintChroma.push(printC);
      }
    }
  return {
    coarseLuma: Math.max(percentile(luma, 0.9), percentile(focusLuma, 0.9)),
    coarseChroma: planes === 1 ? null : Math.max(percentile(chroma, 0.9), percentile(focusChroma, 0.9)),
    printChroma: planes === 1 ? null : Math.max(percentile(printChroma, 0.9), percentile(focusPrintChroma, 0.9)),
    lighter: lighter / Math.max(1, luma.length),
    darker: darker / Math.max(1, luma.length),
  };
}

/**
 * The share of the phase spread (how far the new picture's 3 × 3 chroma averages move when it is
 * sampled half a stored pixel to either side) by which the two pictures' 3 × 3 chroma averages
 * may differ. A print finer than two stored pixels (1007's dots: a period of ~1.6) is aliased by
 * the stored thumb's 2 × 2 reduction into a slow false pattern, and the new picture, laid over
 * through a transform known to half a stored pixel, aliases it at another phase: the 3 × 3
 * chroma of 1007's padded copy varies from 5.4 to 15.7 over shifts of a stored pixel and 2 % of
 * scale (7.3 as placed, against MAX_COARSE_CHROMA_DIFFERENCE 6; 0.1 with this share forgiven).
 * A plain area averages alike at every phase and keeps the full limit.
 */
const PRINT_ALIASING = 0.5;
/**
 * …only where the pixels agree as a copy's do: the half-pixel-range chroma (`Agreement.chroma`)
 * at most this. 1007's padded copy: 0.4. Two striped balls of other colours (3037 and 3043,
 * 9 corners agreeing at scale 0.69) are at 3.7, and their 3 × 3 chroma, 6.4, just over the
 * limit, is all that refuses them: a phase spread forgiven there links them.
 */
const PRINT_MAX_CHROMA = 1.5;

/** A channel (0–255) at or above this in the new picture is taken as burnt out (a brightened copy clips). */
const CLIPPED = 250;
/** …and only in a copy whose unclipped pixels are this much lighter than the stored ones (median ratio: a brightened copy). */
const BRIGHTENED_MIN = 1.06;

/** Per pixel, the largest of the R, G, B values the luma and chroma stand for. */
function brightestChannel(t: Thumb): Float32Array {
  const out = new Float32Array(t.w * t.h);
  for (let i = 0; i < out.length; i++) {
    const y = t.y[i]!;
    const cb = t.cb[i]! - 128;
    const cr = t.cr[i]! - 128;
    out[i] = Math.max(y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb);
  }
  return out;
}

/** How far `x` lies outside [lo, hi]. */
const outside = (x: number, lo: number, hi: number): number => (x < lo ? lo - x : x > hi ? x - hi : 0);

/**
 * Per stored pixel, the range of values the photo takes within half a pixel of its centre
 * (itself and the midpoints to its 4 neighbours): a new picture sampled at another phase of a
 * fine print (stripes, checks a few stored pixels wide) lands in it; on a plain area it is the
 * pixel's own value.
 */
function halfPixelRange(a: Uint8Array, w: number, h: number): { lo: Float32Array; hi: Float32Array } {
  const lo = new Float32Array(a.length);
  const hi = new Float32Array(a.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let mn = a[i]!;
      let mx = mn;
      for (const j of [x > 0 ? i - 1 : i, x < w - 1 ? i + 1 : i, y > 0 ? i - w : i, y < h - 1 ? i + w : i]) {
        const mid = (a[i]! + a[j]!) / 2;
        if (mid < mn) mn = mid;
        if (mid > mx) mx = mid;
      }
      lo[i] = mn;
      hi[i] = mx;
    }
  return { lo, hi };
}

const percentile = (a: number[], p: number): number => {
  const sorted = Float64Array.from(a).sort();
  return sorted[Math.floor(sorted.length * p)] ?? 0;
};

/**
 * The one gain that best fits the new picture's chroma to the stored one's (a brighter or
 * more saturated copy scales chroma, it does not turn a hue), kept to what such an edit does.
 */
function chromaGain(q: Thumb, s: Thumb, QX: Float32Array, QY: Float32Array): number {
  let qs = 0;
  let qq = 0;
  for (let i = 0; i < QX.length; i++) {
    const qx = QX[i]!;
    if (Number.isNaN(qx)) continue;
    const qy = QY[i]!;
    const qb = bilinear(q.cb, q.w, q.h, qx, qy) - 128;
    const qr = bilinear(q.cr, q.w, q.h, qx, qy) - 128;
    qs += qb * (s.cb[i]! - 128) + qr * (s.cr[i]! - 128);
    qq += qb * qb + qr * qr;
  }
  return qq > 0 ? Math.max(0.75, Math.min(1.35, qs / qq)) : 1;
}

/** Half the size (2 × 2 area average): the stored thumb from the new picture's larger one. */
export function halveThumb(t: Thumb): Thumb {
  const w = Math.max(1, t.w >> 1);
  const h = Math.max(1, t.h >> 1);
  const half = (a: Uint8Array) => {
    const out = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = 2 * y * t.w + 2 * x;
        out[y * w + x] = (a[i]! + a[i + 1]! + a[i + t.w]! + a[i + t.w + 1]! + 2) >> 2;
      }
    return out;
  };
  return { w, h, y: half(t.y), cb: half(t.cb), cr: half(t.cr) };
}

/** A stored pixel whose colour (luma, Cb, Cr distance, 0–255) differs by more than this may be drawn over. */
const DRAWN_MIN_DIFFERENCE = 8;
/** How far (same scale) the line from a stored pixel through the new one may pass from the overlay's colour. */
const DRAWN_MAX_MISS = 10;

export interface DrawnOver {
  /** Stored pixels (a dilated mask) whose difference one translucent colour drawn over the photo explains. */
  mask: Uint8Array;
  /** The mask's share of the overlap, and of the stored object's box within it. */
  share: number;
  focusShare: number;
  /** The overlay's colour (luma, Cb, Cr). */
  colour: [number, number, number];
}

/**
 * What a watermark or a caption drawn over the photo covers: the stored pixels where the new
 * picture differs by one translucent colour laid over it. Each differing pixel's new colour
 * lies on the line from its stored colour towards the overlay's (q = (1 − α)·s + α·W, α the
 * ink's opacity times its coverage of the pixel), so the lines from all of them meet near W;
 * W is the point nearest to all those lines (reweighted three times so that a stray pixel of
 * misregistration does not pull it), and the pixels whose line passes close to it, with W
 * beyond the new colour, are the drawn-over ones (dilated by two pixels: the edges of the
 * ink spread that far in the edge map). A picture without colour has no such test (null).
 */
export function drawnOver(
  q: Thumb,
  qBaseW: number,
  s: Thumb,
  sBaseW: number,
  sim: Similarity,
  focus: { x0: number; y0: number; x1: number; y1: number },
): DrawnOver | null {
  const kq = q.w / qBaseW;
  const ks = s.w / sBaseW;
  const det = sim.a * sim.a + sim.b * sim.b;
  q = footprintAveraged(q, kq / (ks * Math.sqrt(det)));
  const n = s.w * s.h;
  const { QX, QY } = storedInNew(q, kq, s, ks, sim);
  if (colourlessWhere(q, QX, QY) || colourless(s)) return null;
  // One gain and offset for the luma, fitted on the pixels that fit best (the ink left out).
  const qy = new Float32Array(n);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(QX[i]!)) continue;
    qy[i] = bilinear(q.y, q.w, q.h, QX[i]!, QY[i]!);
    idx.push(i);
  }
  if (idx.length < 16) return null;
  let gain = 1;
  let offset = 0;
  let use = idx;
  for (let round = 0; round < 2; round++) {
    let a = 0;
    let b = 0;
    let aa = 0;
    let ab = 0;
    for (const i of use) {
      a += qy[i]!;
      b += s.y[i]!;
      aa += qy[i]! * qy[i]!;
      ab += qy[i]! * s.y[i]!;
    }
    const m = use.length;
    const va = aa / m - (a / m) ** 2;
    gain = va > 1 ? Math.max(0.6, Math.min(1.6, (ab / m - (a / m) * (b / m)) / va)) : 1;
    offset = b / m - gain * (a / m);
    const res = idx.map((i) => Math.abs(gain * qy[i]! + offset - s.y[i]!));
    const cut = percentile(res, 0.8);
    use = idx.filter((_, k) => res[k]! <= cut);
  }
  const cgain = chromaGain(q, s, QX, QY);
  // The differing pixels: stored colour S and the direction U from it to the new colour.
  const S: number[][] = [];
  const U: number[][] = [];
  const D: number[] = [];
  const at: number[] = [];
  for (const i of idx) {
    const sv = [s.y[i]!, s.cb[i]! - 128, s.cr[i]! - 128];
    const qv = [
      gain * qy[i]! + offset,
      cgain * (bilinear(q.cb, q.w, q.h, QX[i]!, QY[i]!) - 128),
      cgain * (bilinear(q.cr, q.w, q.h, QX[i]!, QY[i]!) - 128),
    ];
    const d = [qv[0]! - sv[0]!, qv[1]! - sv[1]!, qv[2]! - sv[2]!];
    const len = Math.hypot(d[0]!, d[1]!, d[2]!);
    if (len <= DRAWN_MIN_DIFFERENCE) continue;
    S.push(sv);
    U.push(d.map((x) => x / len));
    D.push(len);
    at.push(i);
  }
  if (at.length < 8) return null;
  // The point nearest to all the lines (weighted least squares, reweighted by the miss).
  const weight = new Float64Array(at.length).fill(1);
  let W = [0, 0, 0];
  const miss = (k: number) => {
    const e = [W[0]! - S[k]![0]!, W[1]! - S[k]![1]!, W[2]! - S[k]![2]!];
    const t = e[0]! * U[k]![0]! + e[1]! * U[k]![1]! + e[2]! * U[k]![2]!;
    return { t, r: Math.hypot(e[0]! - t * U[k]![0]!, e[1]! - t * U[k]![1]!, e[2]! - t * U[k]![2]!) };
  };
  for (let round = 0; round < 4; round++) {
    const A = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const B = [0, 0, 0];
    for (let k = 0; k < at.length; k++) {
      const u = U[k]!;
      const w = weight[k]!;
      for (let r = 0; r < 3; r++)
        for (let c = 0; c < 3; c++) {
          const p = w * ((r === c ? 1 : 0) - u[r]! * u[c]!);
          A[3 * r + c]! += p;
          B[r]! += p * S[k]![c]!;
        }
    }
    const solved = solve3(A, B);
    if (!solved) return null;
    W = solved;
    for (let k = 0; k < at.length; k++) {
      const { r } = miss(k);
      weight[k] = 1 / (1 + (r / DRAWN_MAX_MISS) ** 2);
    }
  }
  const drawn = new Uint8Array(n);
  for (let k = 0; k < at.length; k++) {
    const { t, r } = miss(k);
    // The new colour between the stored one and the ink's (α ≤ 1, a little slack for noise).
    if (r <= DRAWN_MAX_MISS && t >= 0.8 * D[k]!) drawn[at[k]!] = 1;
  }
  const mask = new Uint8Array(n);
  for (let v = 0; v < s.h; v++)
    for (let u = 0; u < s.w; u++) {
      if (!drawn[v * s.w + u]) continue;
      for (let dv = -2; dv <= 2; dv++)
        for (let du = -2; du <= 2; du++) {
          const x = u + du;
          const y = v + dv;
          if (x >= 0 && y >= 0 && x < s.w && y < s.h) mask[y * s.w + x] = 1;
        }
    }
  let inMask = 0;
  let focusAll = 0;
  let focusMask = 0;
  for (const i of idx) {
    const u = i % s.w;
    const v = (i - u) / s.w;
    const inFocus = u >= focus.x0 - 1 && u <= focus.x1 && v >= focus.y0 - 1 && v <= focus.y1;
    inMask += mask[i]!;
    if (inFocus) {
      focusAll++;
      focusMask += mask[i]!;
    }
  }
  return {
    mask,
    share: inMask / idx.length,
    focusShare: focusAll ? focusMask / focusAll : 1,
    colour: [Math.round(W[0]!), Math.round(W[1]! + 128), Math.round(W[2]! + 128)],
  };
}

/** The solution of a 3 × 3 linear system (row-major), null when it is (nearly) singular. */
function solve3(A: number[], b: number[]): number[] | null {
  const [a, b1, c, d, e, f, g, h, k] = A as [number, number, number, number, number, number, number, number, number];
  const det = a * (e * k - f * h) - b1 * (d * k - f * g) + c * (d * h - e * g);
  if (Math.abs(det) < 1e-9) return null;
  const inv = [
    e * k - f * h,
    c * h - b1 * k,
    b1 * f - c * e,
    f * g - d * k,
    a * k - c * g,
    c * d - a * f,
    d * h - e * g,
    b1 * g - a * h,
    a * e - b1 * d,
  ];
  return [0, 1, 2].map((r) => (inv[3 * r]! * b[0]! + inv[3 * r + 1]! * b[1]! + inv[3 * r + 2]! * b[2]!) / det);
}
