import { crc32 } from 'node:zlib';
import { AppFailure } from '../contract/errors';
import { readBmpHeader, tooManyPixelsMessage } from './bmp';
import type { SniffedType } from './sniff';

/**
 * Reading an image's own header before any decoder sees it: the declared size, the frame
 * count, and whether the file is whole. This is where pixel bombs stop (a 1 MB PNG declaring
 * 20000 × 20000 pixels, a JPEG declaring 60000 × 60000, a GIF with 5000 frames): the walk
 * touches only headers and chunk lengths, allocates nothing in proportion to what is declared,
 * and refuses before libvips is asked to decode. sharp's `limitInputPixels` stays on behind it.
 */

export interface ImageLimits {
  maxPixels: number;
  maxFrames: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 40_000_000, maxFrames: 500 };

export interface ImageHeader {
  width: number;
  height: number;
  /** Frames of an animation (GIF image descriptors, APNG acTL), 1 for a still. */
  frames: number;
}

const FORMAT_NAME: Record<string, string> = { jpg: 'JPEG', png: 'PNG', gif: 'GIF', bmp: 'BMP' };

const unsupported = (format: string, why: string): AppFailure =>
  new AppFailure('UNSUPPORTED_FILE', `This ${format} image cannot be read: ${why}`);
const truncated = (format: string): AppFailure =>
  unsupported(format, 'the file is incomplete (it ends before the picture does). Please ask for the file to be sent again.');
const damaged = (format: string, what: string): AppFailure =>
  unsupported(format, `the file is damaged (${what}). Please ask for the original file to be sent again.`);

/** The checked header of an image; throws UNSUPPORTED_FILE for anything that must not be decoded. */
export function readImageHeader(bytes: Uint8Array, sniffed: SniffedType, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): ImageHeader {
  const format = FORMAT_NAME[sniffed.ext];
  if (sniffed.kind !== 'image' || !format) throw new AppFailure('UNSUPPORTED_FILE', 'This file is a video, not a photo.');
  const header =
    sniffed.ext === 'png'
      ? pngHeader(bytes, limits)
      : sniffed.ext === 'jpg'
        ? jpegHeader(bytes)
        : sniffed.ext === 'gif'
          ? gifHeader(bytes, limits)
          : bmpHeader(bytes, limits);
  if (header.width <= 0 || header.height <= 0)
    throw unsupported(format, `it says the picture is ${header.width} × ${header.height} pixels, which is not a picture.`);
  if (header.width * header.height > limits.maxPixels)
    throw new AppFailure('UNSUPPORTED_FILE', tooManyPixelsMessage(format, header.width, header.height, limits.maxPixels));
  if (header.frames > limits.maxFrames) throw tooManyFrames(format, limits.maxFrames);
  return header;
}

// The GIF walk stops counting one frame past the limit, so the count is "more than".
const tooManyFrames = (format: string, max: number): AppFailure =>
  new AppFailure(
    'UNSUPPORTED_FILE',
    `This animated ${format} has more than ${max} frames; at most ${max} are accepted. Please ask for a photo or a video instead.`,
  );

const be32 = (b: Uint8Array, at: number): number => b[at]! * 2 ** 24 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
const be16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const le16 = (b: Uint8Array, at: number): number => b[at]! | (b[at + 1]! << 8);
const typeOf = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/**
 * PNG: IHDR must come first; every chunk must fit in the file and carry a correct CRC (a
 * damaged file is refused rather than shown half-decoded); IEND must be reached. acTL gives
 * the frame count of an animated PNG (only its default image is ever decoded).
 */
function pngHeader(b: Uint8Array, limits: ImageLimits): ImageHeader {
  const PNG = 'PNG';
  if (b.length < 8 + 12 + 13) throw truncated(PNG);
  if (be32(b, 8) !== 13 || typeOf(b, 12) !== 'IHDR') throw damaged(PNG, 'its first chunk is not the image header');
  const width = be32(b, 16);
  const height = be32(b, 20);
  const bitDepth = b[24]!;
  const colorType = b[25]!;
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!depths[colorType]?.includes(bitDepth) || b[26] !== 0 || b[27] !== 0 || b[28]! > 1) throw damaged(PNG, 'its image header is invalid');
  if (width > 2 ** 31 - 1 || height > 2 ** 31 - 1) throw damaged(PNG, 'its image header is invalid');
  // Refuse a bomb before the (linear but not free) CRC walk over the rest of the file.
  if (width * height > limits.maxPixels || width === 0 || height === 0) return { width, height, frames: 1 };

  let frames = 1;
  let sawData = false;
  let at = 8;
  for (;;) {
    if (at + 12 > b.length) throw truncated(PNG);
    const length = be32(b, at);
    if (length > 2 ** 31 - 1) throw damaged(PNG, 'a chunk has an impossible length');
    const type = typeOf(b, at + 4);
    if (at + 12 + length > b.length) throw truncated(PNG);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== be32(b, at + 8 + length))
      throw damaged(PNG, `the checksum of its ${printable(type)} chunk does not match`);
    if (type === 'IDAT') sawData = true;
    if (type === 'acTL' && length >= 8) {
      frames = Math.max(1, be32(b, at + 8));
      if (frames > limits.maxFrames) return { width, height, frames };
    }
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (!sawData) throw damaged(PNG, 'it has no picture data');
  return { width, height, frames };
}

const printable = (type: string): string => (/^[A-Za-z]{4}$/.test(type) ? type : 'a');

/**
 * JPEG: walk the marker segments up to the first scan; the frame header (SOFn) gives the size.
 * The compressed data must be followed by an end-of-image marker somewhere: without it the
 * file was cut short. Bytes after that marker (an appended script, a ZIP) are ignored: only
 * re-encoded copies are ever served, so they go nowhere.
 */
function jpegHeader(b: Uint8Array): ImageHeader {
  const JPEG = 'JPEG';
  let at = 2;
  let size: { width: number; height: number } | null = null;
  for (;;) {
    if (at + 2 > b.length) throw truncated(JPEG);
    if (b[at] !== 0xff) throw damaged(JPEG, 'a marker is missing');
    while (b[at + 1] === 0xff && at + 2 < b.length) at++; // fill bytes
    const marker = b[at + 1]!;
    at += 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // standalone markers
    if (marker === 0xd9) throw damaged(JPEG, 'it ends before any picture data');
    if (at + 2 > b.length) throw truncated(JPEG);
    const length = be16(b, at);
    if (length < 2) throw damaged(JPEG, 'a segment has an impossible length');
    if (at + length > b.length) throw truncated(JPEG);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) throw damaged(JPEG, 'its frame header is too short');
      if (!size) size = { height: be16(b, at + 3), width: be16(b, at + 5) };
    }
    if (marker === 0xda) {
      if (!size) throw damaged(JPEG, 'the picture data comes before the frame header');
      // Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the
      // first FF D9 after the scan header is the real end of the image.
      const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      const end = buf.indexOf(EOI, at + length);
      if (end < 0) throw truncated(JPEG);
      // A progressive JPEG makes one pass over the whole picture per scan; real encoders
      // write about ten. Thousands of tiny scans are a way to make decoding take minutes.
      let scans = 1;
      for (let s = buf.indexOf(SOS, at + length); s >= 0 && s < end; s = buf.indexOf(SOS, s + 2))
        if (++scans > MAX_JPEG_SCANS)
          throw unsupported(
            JPEG,
            `it is split into more than ${MAX_JPEG_SCANS} passes, far more than a camera or editor writes. Please ask for the original photo.`,
          );
      return { ...size, frames: 1 };
    }
    at += length;
  }
}
const EOI = Buffer.from([0xff, 0xd9]);
const SOS = Buffer.from([0xff, 0xda]);
const MAX_JPEG_SCANS = 100;

/**
 * GIF: logical screen size, then every block up to the trailer, counting image descriptors
 * (frames) and checking each frame's own size: a GIF is decoded frame by frame, and a frame
 * may claim more pixels than the screen. Stops counting as soon as the frame limit is passed.
 * A missing trailer after a complete last frame is tolerated (common, harmless).
 */
function gifHeader(b: Uint8Array, limits: ImageLimits): ImageHeader {
  const GIF = 'GIF';
  if (b.length < 13) throw truncated(GIF);
  const width = le16(b, 6);
  const height = le16(b, 8);
  const flags = b[10]!;
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  let frames = 0;
  const skipSubBlocks = (): void => {
    for (;;) {
      if (at >= b.length) throw truncated(GIF);
      const n = b[at]!;
      at += 1 + n;
      if (n === 0) return;
    }
  };
  for (;;) {
    if (at >= b.length) {
      if (frames === 0) throw truncated(GIF);
      break;
    }
    const block = b[at]!;
    if (block === 0x3b) break;
    if (block === 0x21) {
      at += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      if (at + 10 > b.length) throw truncated(GIF);
      const fw = le16(b, at + 5);
      const fh = le16(b, at + 7);
      const fflags = b[at + 9]!;
      if (fw * fh > limits.maxPixels) throw new AppFailure('UNSUPPORTED_FILE', tooManyPixelsMessage('GIF', fw, fh, limits.maxPixels));
      at += 10 + (fflags & 0x80 ? 3 * 2 ** ((fflags & 7) + 1) : 0);
      at += 1; // LZW minimum code size
      skipSubBlocks();
      if (++frames > limits.maxFrames) return { width, height, frames };
    } else {
      throw damaged(GIF, 'an unknown block was found');
    }
  }
  if (frames === 0) throw damaged(GIF, 'it contains no picture');
  return { width, height, frames };
}

function bmpHeader(b: Uint8Array, limits: ImageLimits): ImageHeader {
  const h = readBmpHeader(b, limits.maxPixels);
  return { width: h.width, height: h.height, frames: 1 };
}
