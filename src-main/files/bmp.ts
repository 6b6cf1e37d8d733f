import { AppFailure } from '../contract/errors';

/**
 * A small BMP decoder, because sharp (libvips) cannot read BMP and the policy accepts it.
 * Everything the header declares is checked against the file's real length and the pixel
 * limit BEFORE anything is allocated: a 40-byte "BMP" claiming 100000 × 100000 pixels costs
 * nothing. Supported: BITMAPINFOHEADER and its V2/V3/V4/V5 extensions; 1, 4, 8, 16, 24 and
 * 32 bits per pixel; BI_RGB, BI_BITFIELDS and BI_ALPHABITFIELDS; bottom-up and top-down.
 * Refused with a message: RLE compression, embedded JPEG/PNG, OS/2 headers.
 * The output is RGBA, 8 bits per channel, top row first, ready for sharp's raw input.
 */

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  /** 0 BI_RGB, 3 BI_BITFIELDS, 6 BI_ALPHABITFIELDS (the others are refused). */
  compression: number;
  dataOffset: number;
  /** Bytes per stored row (rows are padded to 4 bytes). */
  stride: number;
  /** Palette entries (B, G, R, reserved) for ≤ 8 bits per pixel, else 0. */
  paletteOffset: number;
  paletteCount: number;
  /** Channel masks for 16/32 bits per pixel (alpha 0 = opaque image). */
  masks: { r: number; g: number; b: number; a: number } | null;
}

const FILE_HEADER = 14;
const INFO_SIZES = new Set([40, 52, 56, 108, 124]);
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

const refuse = (why: string): never => {
  throw new AppFailure('UNSUPPORTED_FILE', `This BMP image cannot be read: ${why}`);
};
const TRUNCATED = 'the file is incomplete (it ends before the picture does). Please ask for the file to be sent again.';

const u16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 2 ** 24;
const i32 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);

/**
 * The header of a BMP file, every declared offset and size checked against the file's length.
 * With `maxPixels`, a picture above the limit is refused as such, before the length checks
 * (a bomb's tiny body is not the point to make to the party).
 */
export function readBmpHeader(bytes: Uint8Array, maxPixels = Infinity): BmpHeader {
  if (bytes.length < FILE_HEADER + 4 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) refuse(TRUNCATED);
  const headerSize = u32(bytes, 14);
  if (headerSize === 12 || headerSize === 64) refuse('it uses the old OS/2 bitmap format. Please ask for a JPEG or PNG instead.');
  if (!INFO_SIZES.has(headerSize)) refuse('its header is damaged.');
  if (bytes.length < FILE_HEADER + headerSize) refuse(TRUNCATED);

  const width = i32(bytes, 18);
  const rawHeight = i32(bytes, 22);
  const planes = u16(bytes, 26);
  const bitsPerPixel = u16(bytes, 28);
  const compression = u32(bytes, 30);
  const colorsUsed = u32(bytes, 46);
  const dataOffset = u32(bytes, 10);

  if (width <= 0 || rawHeight === 0 || rawHeight === -(2 ** 31))
    refuse(`it says the picture is ${width} × ${Math.abs(rawHeight)} pixels, which is not a picture.`);
  if (width * Math.abs(rawHeight) > maxPixels)
    throw new AppFailure('UNSUPPORTED_FILE', tooManyPixelsMessage('BMP', width, Math.abs(rawHeight), maxPixels));
  if (planes !== 1) refuse('its header is damaged.');
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) refuse(`it uses ${bitsPerPixel} bits per pixel, which is not a standard BMP.`);
  if (compression === 1 || compression === 2)
    refuse('it uses run-length (RLE) compression, which is not supported. Please ask for a JPEG or PNG instead.');
  if (compression === 4 || compression === 5)
    refuse('it wraps a JPEG or PNG inside a BMP, which is not supported. Please ask for the JPEG or PNG itself.');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS)
    refuse('its compression method is unknown.');
  if (compression !== BI_RGB && bitsPerPixel !== 16 && bitsPerPixel !== 32)
    refuse('its header is damaged (bit fields with a palette image).');

  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);

  // Masks sit right after the 40-byte info header: inside the V2+ headers, or as 3 (4 with
  // alpha) extra words after a plain BITMAPINFOHEADER; either way they start at byte 54.
  let masks: BmpHeader['masks'] = null;
  let afterHeader = FILE_HEADER + headerSize;
  if (compression === BI_RGB) {
    if (bitsPerPixel === 16) masks = { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
    if (bitsPerPixel === 32) masks = { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 };
  } else {
    const words = compression === BI_ALPHABITFIELDS ? 4 : 3;
    if (headerSize === 40) afterHeader += words * 4;
    if (bytes.length < 54 + words * 4) refuse(TRUNCATED);
    const hasAlpha = compression === BI_ALPHABITFIELDS || headerSize >= 56;
    masks = { r: u32(bytes, 54), g: u32(bytes, 58), b: u32(bytes, 62), a: hasAlpha ? u32(bytes, 66) : 0 };
    const limit = bitsPerPixel === 16 ? 0xffff : 0xffffffff;
    for (const m of [masks.r, masks.g, masks.b]) if (m === 0 || m > limit || !contiguous(m)) refuse('its colour masks are damaged.');
    if (masks.a > limit || (masks.a !== 0 && !contiguous(masks.a))) refuse('its colour masks are damaged.');
  }

  let paletteCount = 0;
  if (bitsPerPixel <= 8) {
    const max = 2 ** bitsPerPixel;
    paletteCount = colorsUsed === 0 || colorsUsed > max ? max : colorsUsed;
    if (afterHeader + paletteCount * 4 > bytes.length) refuse(TRUNCATED);
  }
  if (dataOffset < afterHeader || dataOffset > bytes.length) refuse('its header is damaged (the picture data is not where it says).');

  const stride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  // The last row's padding is often missing in files written by sloppy encoders: not required.
  const needed = dataOffset + stride * (height - 1) + Math.ceil((bitsPerPixel * width) / 8);
  if (needed > bytes.length) refuse(TRUNCATED);

  return { width, height, topDown, bitsPerPixel, compression, dataOffset, stride, paletteOffset: afterHeader, paletteCount, masks };
}

function contiguous(mask: number): boolean {
  let m = mask >>> 0;
  while ((m & 1) === 0) m >>>= 1;
  return (m & (m + 1)) === 0;
}

/** Shift and 8-bit scale table of one channel mask. */
function channel(mask: number): { shift: number; scale: Uint8Array | null } {
  if (mask === 0) return { shift: 0, scale: null };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  // Masks wider than 8 bits (rare) are scaled arithmetically instead of through a table.
  if (max > 0xffff) return { shift, scale: null };
  const scale = new Uint8Array(max + 1);
  for (let v = 0; v <= max; v++) scale[v] = Math.round((v * 255) / max);
  return { shift, scale };
}

/**
 * Decoded BMP pixels as RGBA rows, top row first. Throws UNSUPPORTED_FILE (before allocating)
 * when the picture has more than `maxPixels` pixels or the file is shorter than it says.
 */
export function decodeBmp(bytes: Uint8Array, maxPixels: number): { width: number; height: number; data: Buffer } {
  const h = readBmpHeader(bytes, maxPixels);
  const { width, height, bitsPerPixel: bpp, stride, dataOffset } = h;

  const out = Buffer.alloc(width * height * 4);
  let o = 0;
  if (bpp <= 8) {
    const palette = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) palette[i * 4 + 3] = 255; // out-of-range indices: opaque black
    for (let i = 0; i < h.paletteCount; i++) {
      const p = h.paletteOffset + i * 4;
      palette[i * 4] = bytes[p + 2]!;
      palette[i * 4 + 1] = bytes[p + 1]!;
      palette[i * 4 + 2] = bytes[p]!;
    }
    const perByte = 8 / bpp;
    const mask = (1 << bpp) - 1;
    for (let y = 0; y < height; y++) {
      const row = dataOffset + (h.topDown ? y : height - 1 - y) * stride;
      for (let x = 0; x < width; x++) {
        const byte = bytes[row + Math.floor(x / perByte)]!;
        const index = bpp === 8 ? byte : (byte >> (8 - bpp * ((x % perByte) + 1))) & mask;
        out[o++] = palette[index * 4]!;
        out[o++] = palette[index * 4 + 1]!;
        out[o++] = palette[index * 4 + 2]!;
        out[o++] = 255;
      }
    }
    return { width, height, data: out };
  }
  if (bpp === 24) {
    for (let y = 0; y < height; y++) {
      let p = dataOffset + (h.topDown ? y : height - 1 - y) * stride;
      for (let x = 0; x < width; x++, p += 3) {
        out[o++] = bytes[p + 2]!;
        out[o++] = bytes[p + 1]!;
        out[o++] = bytes[p]!;
        out[o++] = 255;
      }
    }
    return { width, height, data: out };
  }

  const masks = h.masks!;
  const [r, g, b, a] = [channel(masks.r), channel(masks.g), channel(masks.b), channel(masks.a)];
  const value = (c: { shift: number; scale: Uint8Array | null }, mask: number, v: number): number => {
    const raw = (v & mask) >>> c.shift;
    return c.scale ? c.scale[raw]! : Math.round((raw * 255) / (mask >>> c.shift));
  };
  let anyAlpha = false;
  const bytesPerPixel = bpp / 8;
  for (let y = 0; y < height; y++) {
    let p = dataOffset + (h.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++, p += bytesPerPixel) {
      const v = bpp === 16 ? u16(bytes, p) : u32(bytes, p);
      out[o++] = value(r, masks.r, v);
      out[o++] = value(g, masks.g, v);
      out[o++] = value(b, masks.b, v);
      const alpha = masks.a ? value(a, masks.a, v) : 255;
      if (alpha !== 0) anyAlpha = true;
      out[o++] = alpha;
    }
  }
  // An alpha mask over an all-zero alpha channel is a writer that never filled it in:
  // showing an invisible picture would be wrong, so it is opaque (as browsers do).
  if (masks.a && !anyAlpha) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  return { width, height, data: out };
}

/** The refusal text for a picture above the pixel limit (shared by every format). */
export function tooManyPixelsMessage(format: string, width: number, height: number, maxPixels: number): string {
  const mp = (n: number) => (n >= 10_000_000 ? Math.round(n / 1_000_000) : Math.round(n / 100_000) / 10);
  return (
    `This ${format} image says it is ${width} × ${height} pixels (${mp(width * height)} megapixels); ` +
    `the limit is ${mp(maxPixels)} megapixels. Please ask for a smaller photo or a screenshot.`
  );
}
