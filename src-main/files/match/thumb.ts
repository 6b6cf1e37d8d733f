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

/** True when the picture has (almost) no colour: a grayscale copy, or a grey product on a grey backdrop. */
function colourless(t: Thumb): boolean {
  let s = 0;
  for (let i = 0; i < t.cb.length; i++) s += Math.abs(t.cb[i]! - 128) + Math.abs(t.cr[i]! - 128);
  return s / t.cb.length < 2;
}

export interface Agreement {
  /** Correlation of the two pictures' edge maps where they overlap (−1 … 1). */
  edges: number;
  /**
   * 90th percentile of the chroma difference where they overlap, or over the stored object's box
   * (`focus`) if that is worse: the backdrop must agree, and so must the product, however small
   * a share of the frame it fills. Null when either picture has no colour.
   */
  chroma: number | null;
  /** The same for luma, after one gain and offset (0–255). */
  luma: number;
  /** Share of the stored thumb the new picture covers. */
  overlap: number;
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
): Agreement {
  const eq = edges(q);
  const es = edges(s);
  const kq = q.w / qBaseW;
  const ks = s.w / sBaseW;
  const det = sim.a * sim.a + sim.b * sim.b;
  const n = s.w * s.h;
  // Where each stored pixel lands in the new picture (NaN: outside it).
  const QX = new Float32Array(n).fill(NaN);
  const QY = new Float32Array(n).fill(NaN);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let inside = 0;
  // Luma of both at each overlapping pixel, for the gain and offset.
  let lq = 0;
  let ls = 0;
  let lqq = 0;
  let lqs = 0;
  for (let v = 2; v < s.h - 2; v++)
    for (let u = 2; u < s.w - 2; u++) {
      const bx = (u + 0.5) / ks - sim.tx;
      const by = (v + 0.5) / ks - sim.ty;
      const qx = ((sim.a * bx + sim.b * by) / det) * kq - 0.5;
      const qy = ((-sim.b * bx + sim.a * by) / det) * kq - 0.5;
      if (qx < 2 || qy < 2 || qx > q.w - 3 || qy > q.h - 3) continue;
      const i = v * s.w + u;
      QX[i] = qx;
      QY[i] = qy;
      inside++;
      const a = bilinear(eq, q.w, q.h, qx, qy);
      const b = es[i]!;
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
      const yq = bilinear(q.y, q.w, q.h, qx, qy);
      lq += yq;
      ls += s.y[i]!;
      lqq += yq * yq;
      lqs += yq * s.y[i]!;
    }
  const overlap = inside / ((s.w - 4) * (s.h - 4));
  if (inside < 16) return { edges: 0, chroma: null, luma: 255, overlap };
  const m = inside;
  const cov = sxy / m - (sx / m) * (sy / m);
  const vq = sxx / m - (sx / m) ** 2;
  const vs = syy / m - (sy / m) ** 2;
  // s ≈ gain · q + offset (a brighter or darker copy), the gain kept to what an edit does.
  const varQ = lqq / m - (lq / m) ** 2;
  const gain = varQ > 1 ? Math.max(0.6, Math.min(1.6, (lqs / m - (lq / m) * (ls / m)) / varQ)) : 1;
  const offset = ls / m - gain * (lq / m);
  const chromaOk = !colourless(q) && !colourless(s);
  const cgain = chromaOk ? chromaGain(q, s, QX, QY) : 1;
  const lumaDiffs: number[] = [];
  const chromaDiffs: number[] = [];
  const focusLuma: number[] = [];
  const focusChroma: number[] = [];
  for (let v = 2; v < s.h - 2; v++)
    for (let u = 2; u < s.w - 2; u++) {
      const i = v * s.w + u;
      if (Number.isNaN(QX[i]!)) continue;
      const inFocus = !focus || (u >= focus.x0 - 1 && u <= focus.x1 && v >= focus.y0 - 1 && v <= focus.y1);
      let bestL = Infinity;
      let bestC = Infinity;
      for (let dv = -1; dv <= 1; dv++)
        for (let du = -1; du <= 1; du++) {
          const j = i + dv * s.w + du;
          const qx = QX[j]!;
          if (Number.isNaN(qx)) continue;
          const qy = QY[j]!;
          const dl = Math.abs(gain * bilinear(q.y, q.w, q.h, qx, qy) + offset - s.y[i]!);
          if (dl < bestL) bestL = dl;
          if (chromaOk) {
            const dc = Math.hypot(
              cgain * (bilinear(q.cb, q.w, q.h, qx, qy) - 128) - (s.cb[i]! - 128),
              cgain * (bilinear(q.cr, q.w, q.h, qx, qy) - 128) - (s.cr[i]! - 128),
            );
            if (dc < bestC) bestC = dc;
          }
        }
      lumaDiffs.push(bestL);
      if (chromaOk) chromaDiffs.push(bestC);
      if (inFocus) {
        focusLuma.push(bestL);
        if (chromaOk) focusChroma.push(bestC);
      }
    }
  return {
    edges: vq > 0 && vs > 0 ? cov / Math.sqrt(vq * vs) : 0,
    chroma: chromaOk ? Math.max(percentile(chromaDiffs, 0.9), percentile(focusChroma, 0.9)) : null,
    luma: Math.max(percentile(lumaDiffs, 0.9), percentile(focusLuma, 0.9)),
    overlap,
  };
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
