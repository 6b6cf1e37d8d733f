import sharp from 'sharp';
import { AppFailure } from '../contract/errors';
import { decodeBmp, tooManyPixelsMessage } from './bmp';
import { readExif } from './exif';
import { DEFAULT_IMAGE_LIMITS, readImageHeader, type ImageLimits } from './image-header';
import { grayMatrix, phashOfGray, phashVariantsOfGray, type PhashTransform } from './phash';
import { encodePrint } from './match/codec';
import { printOfPixels } from './match/print';
import { encodeSignature, signatureOf } from './match/signature';
import { storedPrint, type QueryPrint } from './match/verify';
import { ebmlHeaderElements, readVint, SNIFF_BYTES, sniffType, type SniffedType } from './sniff';

export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-header';

/**
 * Everything the desk derives from an accepted image, in one pass over the original bytes.
 * The original is only ever read here (and kept, byte for byte, in the store); what a person
 * sees is the display copy and the thumbnail, which are decoded-then-re-encoded JPEGs: no
 * EXIF/GPS, no text chunks, no trailing bytes (a script appended to a JPEG is simply not in
 * them), orientation applied. Runs in a worker thread (workers.ts): decoding is CPU work.
 *
 * Order of defences: the bytes must be what the caller sniffed; the format's own header is
 * walked (image-header.ts) and a bomb, a truncated or damaged file is refused there; only then
 * does libvips decode, still behind `limitInputPixels`, failing on damage (`failOnFor`) so a
 * file that is cut short fails instead of showing a grey half.
 */

export interface ImageFacts {
  /** After orientation. */
  width: number;
  height: number;
  frames: number;
  /** ISO; UTC when EXIF carries an offset (OffsetTimeOriginal), else the naive time as if UTC. */
  capturedAt: string | null;
  capturedAtHasOffset: boolean;
  /** "Make Model" from EXIF. */
  device: string | null;
  orientation: number | null;
  /** 16 lowercase hex digits, of the upright image. */
  phash: string;
  /** 8 entries, 'same' first: the hash the image would have as that transform of itself. */
  phashVariants: Array<{ transform: PhashTransform; phash: string }>;
  /**
   * What photo matching needs (issue 15): the print a new picture is checked with, the print
   * stored for later pictures (encoded) and the candidate signature. Absent only from facts
   * made by hand (tests of other parts).
   */
  match?: PhotoMatchFacts;
  /** JPEG, orientation applied, all metadata stripped, longest side ≤ DISPLAY_MAX_SIDE. */
  display: Buffer;
  /** JPEG, longest side ≤ THUMB_MAX_SIDE, metadata stripped. */
  thumb: Buffer;
}

export interface PhotoMatchFacts {
  query: QueryPrint;
  /** evidence_prints.print */
  print: string;
  /** evidence_files.match_sig */
  sig: string;
}

export const DISPLAY_MAX_SIDE = 1600;
export const THUMB_MAX_SIDE = 320;
const DISPLAY_QUALITY = 85;
const THUMB_QUALITY = 80;
const HASH_SIZE = 32;

const FORMAT_NAME: Record<string, string> = { jpg: 'JPEG', png: 'PNG', gif: 'GIF', bmp: 'BMP' };
const SHARP_FORMAT: Record<string, string> = { jpg: 'jpeg', png: 'png', gif: 'gif' };

/** Decodes, checks and derives; throws AppFailure('UNSUPPORTED_FILE') for anything it will not decode. */
export async function analyzeImage(bytes: Buffer, sniffed: SniffedType, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<ImageFacts> {
  if (sniffed.kind !== 'image') throw new AppFailure('UNSUPPORTED_FILE', 'This file is a video, not a photo.');
  const format = FORMAT_NAME[sniffed.ext]!;
  // The caller's sniff is trusted for nothing: a mismatch means the wrong bytes or a bug upstream.
  if (sniffType(bytes.subarray(0, SNIFF_BYTES))?.ext !== sniffed.ext)
    throw new AppFailure(
      'UNSUPPORTED_FILE',
      `This file is not the ${format} image it was taken for. Please ask for the original file to be sent again.`,
    );

  const header = readImageHeader(bytes, sniffed, limits);
  try {
    let orientation: number | null = null;
    let width = header.width;
    let height = header.height;
    let input: sharp.Sharp;
    if (sniffed.ext === 'bmp') {
      // libvips has no BMP loader: our own decoder (checked, limited) hands over raw RGBA.
      const bmp = decodeBmp(bytes, limits.maxPixels);
      input = sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: 4 }, limitInputPixels: limits.maxPixels });
    } else {
      input = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: failOnFor(sniffed), pages: 1, page: 0 });
      const meta = await input.metadata();
      if (meta.format !== SHARP_FORMAT[sniffed.ext]) throw damagedFailure(format);
      orientation = meta.orientation ?? null;
      width = meta.autoOrient?.width ?? meta.width ?? width;
      height = meta.autoOrient?.height ?? meta.height ?? height;
    }

    // One decode to an upright, sRGB, 8-bit, opaque copy no larger than the display copy;
    // the display copy, the thumbnail and the hash matrix all come from it.
    const upright = await uprightCopy(input).catch(async (e: unknown) => {
      // A JPEG warning that says nothing about missing picture data: decode again, failing on errors only.
      if (sniffed.ext !== 'jpg' || !BENIGN_JPEG_WARNING.test(e instanceof Error ? e.message : '')) throw e;
      return uprightCopy(sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' }));
    });
    const raw = { raw: { width: upright.info.width, height: upright.info.height, channels: upright.info.channels } };

    const gray = grayMatrix(upright.data, upright.info.width, upright.info.height, upright.info.channels, HASH_SIZE);
    const [display, thumb, exif, query] = await Promise.all([
      sharp(upright.data, raw).jpeg({ quality: DISPLAY_QUALITY }).toBuffer(),
      sharp(upright.data, raw)
        .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: THUMB_QUALITY })
        .toBuffer(),
      readExif(bytes, sniffed),
      printOfPixels(upright.data, upright.info.width, upright.info.height, upright.info.channels),
    ]);
    const stored = storedPrint(query);

    return {
      width,
      height,
      frames: header.frames,
      capturedAt: exif.capturedAt,
      capturedAtHasOffset: exif.capturedAtHasOffset,
      device: exif.device,
      // What was applied (libvips reads the same EXIF tag), not a second opinion from exifr.
      orientation,
      phash: phashOfGray(gray, HASH_SIZE),
      phashVariants: phashVariantsOfGray(gray, HASH_SIZE),
      match: { query, print: encodePrint(stored), sig: encodeSignature(signatureOf(stored.thumb)) },
      display,
      thumb,
    };
  } catch (e) {
    if (e instanceof AppFailure) throw e;
    const message = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(message))
      throw new AppFailure('UNSUPPORTED_FILE', tooManyPixelsMessage(format, header.width, header.height, limits.maxPixels));
    throw damagedFailure(format);
  }
}

/**
 * How strictly libvips decodes. JPEG: on warnings too, because libjpeg only WARNS when the
 * compressed data stops early ("premature end of data segment") and then paints the rest of
 * the picture grey; a JPEG cut in half with an end marker glued on would be accepted. PNG and
 * GIF: on errors (their loaders report missing data as errors; our header walk has already
 * checked chunk CRCs, IEND and the GIF trailer).
 */
const failOnFor = (sniffed: SniffedType): 'warning' | 'error' => (sniffed.ext === 'jpg' ? 'warning' : 'error');

/**
 * libjpeg warnings that real cameras and editors trigger on whole pictures: junk bytes between
 * segments, odd scan parameters in a sequential file. Anything else (premature end, bad
 * Huffman code, corrupt data) means pixels are missing.
 */
const BENIGN_JPEG_WARNING = /extraneous bytes before marker|Invalid SOS parameters for sequential JPEG/i;

/** One decode to an upright, sRGB, 8-bit, opaque copy no larger than the display copy. */
const uprightCopy = (input: sharp.Sharp) =>
  input
    .autoOrient()
    .resize(DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });

const damagedFailure = (format: string): AppFailure =>
  new AppFailure(
    'UNSUPPORTED_FILE',
    `This ${format} image cannot be read: the file is damaged or incomplete. Please ask for the original file to be sent again.`,
  );

/**
 * Sanity of a video's container header, from its first SNIFF_BYTES bytes (or the whole file
 * if shorter), so a hopeless upload is refused before the rest of it arrives: an MP4/MOV whose
 * first box lies about its size, a WebM whose EBML header is broken, or a file that is nothing
 * but a header. The whole container is walked once the file is in (video-container.ts).
 */
export function checkVideoHead(head: Uint8Array, sniffed: SniffedType): void {
  const name = sniffed.ext === 'mov' ? 'MOV' : sniffed.ext === 'mp4' ? 'MP4' : 'WebM';
  const refuse = (why: string): never => {
    throw new AppFailure(
      'UNSUPPORTED_FILE',
      `This ${name} video cannot be accepted: ${why} Please ask for the original video to be sent again.`,
    );
  };
  if (sniffed.kind !== 'video') refuse('it is not a video.');
  if (sniffType(head)?.ext !== sniffed.ext) refuse('it is not the kind of video it was taken for.');
  const whole = head.length < SNIFF_BYTES; // the head IS the file

  // An old QuickTime file without ftyp: its atoms are walked whole afterwards (video-container.ts).
  if (sniffed.ext === 'mov' && String.fromCharCode(...head.subarray(4, 8)) !== 'ftyp') return;
  if (sniffed.ext === 'mp4' || sniffed.ext === 'mov') {
    // ftyp: 4-byte size, 'ftyp', major brand, minor version, then 4-byte compatible brands.
    const size = head[0]! * 2 ** 24 + ((head[1]! << 16) | (head[2]! << 8) | head[3]!);
    if (size < 16 || size > 4096 || (size - 16) % 4 !== 0) refuse('its first box has an impossible size (the file is damaged).');
    if (whole && size > head.length) refuse('the file is incomplete.');
    if (size + 8 <= head.length) {
      const next = head[size]! * 2 ** 24 + ((head[size + 1]! << 16) | (head[size + 2]! << 8) | head[size + 3]!);
      const type = String.fromCharCode(...head.subarray(size + 4, size + 8));
      if (!/^[\x20-\x7e]{4}$/.test(type) || (next !== 0 && next !== 1 && next < 8)) refuse('its second box is damaged.');
      if (whole && next > 1 && size + next > head.length) refuse('the file is incomplete.');
    } else if (whole) {
      refuse('it contains no video, only a file header.');
    }
    return;
  }

  // WebM: the EBML header must parse, declare DocType webm, and be followed by the Segment.
  const segmentAt = ebmlHeaderEnd(head);
  if (segmentAt === null) return refuse('its header is damaged.');
  let sawDocType = false;
  for (const el of ebmlHeaderElements(head)) {
    if (el.size > 64) refuse('its header is damaged.');
    if (el.id === 0x4282) sawDocType = true;
  }
  if (!sawDocType) refuse('its header is damaged.');
  if (segmentAt + 4 <= head.length) {
    const isSegment =
      head[segmentAt] === 0x18 && head[segmentAt + 1] === 0x53 && head[segmentAt + 2] === 0x80 && head[segmentAt + 3] === 0x67;
    // EBML Void/CRC elements may sit between; anything else is not a WebM.
    if (!isSegment && head[segmentAt] !== 0xec && head[segmentAt] !== 0xbf) refuse('its header is damaged.');
  } else if (whole) {
    refuse('it contains no video, only a file header.');
  }
}

/** Offset just after the EBML header element, or null if its size field is broken. */
function ebmlHeaderEnd(head: Uint8Array): number | null {
  const size = readVint(head, 4);
  // An EBML header is a few dozen bytes; anything larger is not one.
  return size && size.value <= 256 ? 4 + size.len + size.value : null;
}
