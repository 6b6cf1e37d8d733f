/**
 * What a file IS, decided from its first bytes, never from its name or a declared content type
 * (DOMAIN.md: "the type is decided from the file's bytes"). A party's software can name a
 * file anything; an SVG or an HTML page renamed `photo.jpg` must not reach a viewer as an image.
 *
 * Only the formats the policy accepts are recognised; everything else (SVG, HTML, PDF, ZIP,
 * executables, TIFF, WebP, HEIC, Matroska that is not WebM, 3GP, audio-only MP4) is `null`,
 * which the caller turns into UNSUPPORTED_FILE with `unsupportedTypeMessage`. A video's type
 * is only where its check starts: video-container.ts walks the whole file before it is kept.
 */

/** How many leading bytes `sniffType` and `checkVideoHead` look at. */
export const SNIFF_BYTES = 64;

export type EvidenceMediaType = 'image/jpeg' | 'image/png' | 'image/bmp' | 'image/gif' | 'video/mp4' | 'video/webm' | 'video/quicktime';

export interface SniffedType {
  mediaType: EvidenceMediaType;
  kind: 'image' | 'video';
  ext: 'jpg' | 'png' | 'bmp' | 'gif' | 'mp4' | 'webm' | 'mov';
}

export const SNIFFED: Record<SniffedType['ext'], SniffedType> = {
  jpg: { mediaType: 'image/jpeg', kind: 'image', ext: 'jpg' },
  png: { mediaType: 'image/png', kind: 'image', ext: 'png' },
  bmp: { mediaType: 'image/bmp', kind: 'image', ext: 'bmp' },
  gif: { mediaType: 'image/gif', kind: 'image', ext: 'gif' },
  mp4: { mediaType: 'video/mp4', kind: 'video', ext: 'mp4' },
  webm: { mediaType: 'video/webm', kind: 'video', ext: 'webm' },
  mov: { mediaType: 'video/quicktime', kind: 'video', ext: 'mov' },
};

/** The sentence a support agent can pass on when `sniffType` returns null. */
export const UNSUPPORTED_TYPE_MESSAGE =
  'This file is not a photo or video we accept. Accepted: JPEG, PNG, BMP or GIF photos and MP4, WebM or MOV videos. ' +
  'Renaming a file does not change its type; please send the original photo or video.';

/**
 * ISO base-media major brands that are an MP4 video. HEIC/AVIF ('heic', 'mif1', 'avif'),
 * audio ('M4A ') and 3GPP share the container and are deliberately absent.
 */
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'iso7',
  'iso8',
  'iso9',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'M4V ',
  'M4VH',
  'M4VP',
  'dash',
  'msnv',
  'MSNV',
  'f4v ',
  'XAVC',
  'mmp4',
]);
const QUICKTIME_BRAND = 'qt  ';

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);

const ascii = (head: Uint8Array, from: number, len: number): string =>
  head.length < from + len ? '' : String.fromCharCode(...head.subarray(from, from + len));

const u32le = (h: Uint8Array, at: number): number => (h[at]! | (h[at + 1]! << 8) | (h[at + 2]! << 16)) + h[at + 3]! * 2 ** 24;

/** Header sizes of the BMP info headers in the wild (core, info, V2, V3, OS/2 v2, V4, V5). */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

/** The type of a file from its first `SNIFF_BYTES` bytes (fewer if the file is shorter). */
export function sniffType(head: Uint8Array): SniffedType | null {
  const h = head.subarray(0, SNIFF_BYTES);
  if (startsWith(h, [0xff, 0xd8, 0xff])) return SNIFFED.jpg;
  if (startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return SNIFFED.png;
  if (ascii(h, 0, 6) === 'GIF87a' || ascii(h, 0, 6) === 'GIF89a') return SNIFFED.gif;
  // "BM" alone is two printable letters (a text file can start with them): also require a
  // known info-header size where the header says it is.
  if (ascii(h, 0, 2) === 'BM' && h.length >= 18 && BMP_DIB_SIZES.has(u32le(h, 14))) return SNIFFED.bmp;
  if (ascii(h, 4, 4) === 'ftyp') {
    const brand = ascii(h, 8, 4);
    if (brand === QUICKTIME_BRAND) return SNIFFED.mov;
    if (MP4_BRANDS.has(brand)) return SNIFFED.mp4;
    return null;
  }
  if (startsWith(h, [0x1a, 0x45, 0xdf, 0xa3]) && ebmlDocType(h) === 'webm') return SNIFFED.webm;
  if (isQuickTimeWithoutFtyp(h)) return SNIFFED.mov;
  return null;
}

/**
 * QuickTime files written before `ftyp` existed (and some cameras since) start straight with
 * one of these atoms. The whole container is walked before such a file is accepted
 * (video-container.ts), so four letters here are only the first hint.
 */
const QUICKTIME_FIRST_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function isQuickTimeWithoutFtyp(h: Uint8Array): boolean {
  if (h.length < 8 || !QUICKTIME_FIRST_ATOMS.has(ascii(h, 4, 4))) return false;
  const size = h[0]! * 2 ** 24 + ((h[1]! << 16) | (h[2]! << 8) | h[3]!);
  return size === 0 || size === 1 || size >= 8;
}

/** An EBML variable-length integer at `at`: its byte length and value, or null. */
export function readVint(h: Uint8Array, at: number, keepMarker = false): { len: number; value: number } | null {
  const first = h[at];
  if (first === undefined || first === 0) return null;
  let len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
  if (len > 8 || at + len > h.length) return null;
  let value = keepMarker ? first : first & (0xff >> len);
  for (let i = 1; i < len; i++) value = value * 256 + h[at + i]!;
  return { len, value };
}

/** EBML header elements, as (id with marker bits, offset of data, data length). */
export function* ebmlHeaderElements(h: Uint8Array): Generator<{ id: number; at: number; size: number }> {
  const headerSize = readVint(h, 4);
  if (!headerSize) return;
  const end = Math.min(h.length, 4 + headerSize.len + headerSize.value);
  let at = 4 + headerSize.len;
  while (at < end) {
    const id = readVint(h, at, true);
    if (!id) return;
    const size = readVint(h, at + id.len);
    if (!size) return;
    const dataAt = at + id.len + size.len;
    yield { id: id.value, at: dataAt, size: size.value };
    at = dataAt + size.value;
  }
}

/** The DocType string of an EBML header ('webm', 'matroska'), if it lies within `h`. */
export function ebmlDocType(h: Uint8Array): string | null {
  for (const el of ebmlHeaderElements(h))
    if (el.id === 0x4282) return el.size <= 16 && el.at + el.size <= h.length ? ascii(h, el.at, el.size).replace(/\0+$/, '') : null;
  return null;
}
