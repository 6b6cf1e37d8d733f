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
 * Then every scan to the end-of-image marker (jpegScansComplete): without it the file was cut
 * short. Bytes after that marker (an appended script, a ZIP) are ignored: only re-encoded
 * copies are ever served, so they go nowhere.
 */
function jpegHeader(b: Uint8Array): ImageHeader {
  const JPEG = 'JPEG';
  let at = 2;
  let frame: JpegFrame | null = null;
  let restartInterval = 0;
  for (;;) {
    // Junk bytes between segments are skipped, as libjpeg does (it warns; analyze.ts lets that warning pass).
    if (b[at] !== 0xff) at = indexOfFF(b, at);
    if (at < 0 || at + 2 > b.length) throw truncated(JPEG);
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
    if (isFrame && !frame) frame = readFrame(b, at, length, marker);
    if (marker === 0xdd && length >= 4) restartInterval = be16(b, at + 2);
    if (marker === 0xda) {
      if (!frame) throw damaged(JPEG, 'the picture data comes before the frame header');
      jpegScansComplete(b, at - 2, frame, restartInterval);
      return { width: frame.width, height: frame.height, frames: 1 };
    }
    at += length;
  }
}
const MAX_JPEG_SCANS = 100;

interface JpegFrame {
  width: number;
  height: number;
  progressive: boolean;
  components: Map<number, { h: number; v: number }>;
  hMax: number;
  vMax: number;
}

function readFrame(b: Uint8Array, at: number, length: number, marker: number): JpegFrame {
  if (length < 8) throw damaged('JPEG', 'its frame header is too short');
  const count = b[at + 7]!;
  if (count < 1 || length < 8 + 3 * count) throw damaged('JPEG', 'its frame header is too short');
  const components = new Map<number, { h: number; v: number }>();
  let hMax = 1;
  let vMax = 1;
  for (let i = 0; i < count; i++) {
    const sampling = b[at + 9 + 3 * i]!;
    const h = Math.max(1, sampling >> 4);
    const v = Math.max(1, sampling & 15);
    components.set(b[at + 8 + 3 * i]!, { h, v });
    hMax = Math.max(hMax, h);
    vMax = Math.max(vMax, v);
  }
  // SOF2, SOF6, SOF10, SOF14 are the progressive ones.
  const progressive = (marker & 0x03) === 0x02;
  return { height: be16(b, at + 3), width: be16(b, at + 5), progressive, components, hMax, vMax };
}

/**
 * Every scan from `at` (an SOS marker) to the end-of-image marker, checked for being whole.
 * A JPEG cut in half with FF D9 glued on is otherwise a "valid" file whose bottom half a
 * decoder paints grey; libjpeg only warns (analyze.ts fails on that warning too). Here:
 *
 * - the end-of-image marker must be reached (inside entropy-coded data FF is always followed
 *   by 00 or a restart marker, so the markers between scans are found without decoding);
 * - with restart markers, a scan must carry all of them (the count follows from the picture
 *   size and the interval), so a scan cut short is caught without decoding its data;
 * - a progressive JPEG's scans must together deliver every coefficient of every component to
 *   full precision: a file ending after its first passes decodes, blurred, without a warning;
 * - a sequential JPEG must scan every component.
 * Thousands of tiny scans (a way to make decoding take minutes) are refused.
 */
function jpegScansComplete(b: Uint8Array, at: number, frame: JpegFrame, restartIntervalAtStart: number): void {
  const JPEG = 'JPEG';
  const incomplete = () => truncated(JPEG);
  // Per component, the lowest successive-approximation bit delivered per coefficient (64 = none yet).
  const precision = new Map([...frame.components.keys()].map((id) => [id, new Uint8Array(64).fill(64)]));
  let restartInterval = restartIntervalAtStart;
  let scans = 0;
  for (;;) {
    if (at + 4 > b.length) throw incomplete();
    const marker = b[at + 1]!;
    const length = be16(b, at + 2);
    if (length < 2 || at + 2 + length > b.length) throw incomplete();
    const body = at + 4;
    if (marker === 0xdd && length >= 4) restartInterval = be16(b, body);
    if (marker !== 0xda) {
      at += 2 + length;
    } else {
      if (++scans > MAX_JPEG_SCANS)
        throw unsupported(
          JPEG,
          `it is split into more than ${MAX_JPEG_SCANS} passes, far more than a camera or editor writes. Please ask for the original photo.`,
        );
      const count = b[body]!;
      if (count < 1 || count > 4 || length < 6 + 2 * count) throw damaged(JPEG, 'a scan header is invalid');
      const ids = Array.from({ length: count }, (_, i) => b[body + 1 + 2 * i]!);
      const ss = b[body + 1 + 2 * count]!;
      const se = b[body + 2 + 2 * count]!;
      const al = b[body + 3 + 2 * count]! & 15;
      for (const id of ids) {
        const p = precision.get(id);
        if (!p) throw damaged(JPEG, 'a scan names a colour component the frame does not have');
        const [from, to] = frame.progressive ? [ss, Math.min(63, se)] : [0, 63];
        for (let k = from; k <= to; k++) p[k] = Math.min(p[k]!, frame.progressive ? al : 0);
      }
      // The entropy-coded data: up to the next marker that is neither a stuffed FF 00 nor a restart.
      let restarts = 0;
      let i = at + 2 + length;
      for (;;) {
        i = indexOfFF(b, i);
        if (i < 0 || i + 1 >= b.length) throw incomplete();
        const next = b[i + 1]!;
        if (next === 0x00 || next === 0xff) i += next === 0xff ? 1 : 2;
        else if (next >= 0xd0 && next <= 0xd7) {
          restarts++;
          i += 2;
        } else break;
      }
      if (restartInterval > 0 && restarts < expectedRestarts(frame, ids, restartInterval)) throw incomplete();
      at = i;
    }
    if (at + 2 > b.length) throw incomplete();
    if (b[at] !== 0xff) throw damaged(JPEG, 'a marker is missing');
    while (b[at + 1] === 0xff && at + 2 < b.length) at++;
    if (b[at + 1] === 0xd9) break;
  }
  for (const p of precision.values()) if (p.some((bit) => bit !== 0)) throw incomplete();
}

function indexOfFF(b: Uint8Array, from: number): number {
  return from >= b.length ? -1 : b.indexOf(0xff, from);
}

/** Restart markers in a whole scan: one between every `interval` MCUs. */
function expectedRestarts(frame: JpegFrame, ids: number[], interval: number): number {
  let mcus: number;
  if (ids.length > 1) {
    mcus = Math.ceil(frame.width / (8 * frame.hMax)) * Math.ceil(frame.height / (8 * frame.vMax));
  } else {
    // A single-component scan is not interleaved: its MCU is one 8 × 8 block of that component.
    const c = frame.components.get(ids[0]!)!;
    mcus = Math.ceil(Math.ceil((frame.width * c.h) / frame.hMax) / 8) * Math.ceil(Math.ceil((frame.height * c.v) / frame.vMax) / 8);
  }
  return Math.ceil(mcus / interval) - 1;
}

/**
 * GIF: logical screen size, then every block up to the trailer, counting image descriptors
 * (frames) and checking each frame's own size: a GIF is decoded frame by frame, and a frame
 * may claim more pixels than the screen. Stops counting as soon as the frame limit is passed.
 * The trailer (3B) must be reached: a GIF cut between frames, or cut where a data sub-block
 * happens to end, looks whole otherwise, and every encoder writes it.
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
    if (at >= b.length) throw truncated(GIF);
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

/**
 * What decoding an image will cost, in pixels, from its header alone (the worker pool's lanes,
 * fair-queue.ts). A header that is refused costs nothing to refuse: 0. A JPEG is decoded
 * shrunk while loading (libjpeg scales by up to 1/8 per side towards the display size), so it
 * counts a quarter of its pixels; PNG, GIF and BMP are decoded whole.
 */
export function decodeCost(bytes: Uint8Array, sniffed: SniffedType, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): number {
  try {
    const h = readImageHeader(bytes, sniffed, limits);
    return (h.width * h.height) / (sniffed.ext === 'jpg' ? 4 : 1);
  } catch {
    return 0;
  }
}
