import exifr from 'exifr';
import type { SniffedType } from './sniff';

/**
 * What the original file says about where and when it was taken: capture time and device.
 * Read from the original bytes, because the display copies are stripped of all metadata.
 * EXIF is written by the party's device or software, so it is a claim, not a fact: it is
 * parsed defensively (anything malformed reads as "unknown", never as a refusal) and shown
 * as what the file says. Dates are parsed here, not by exifr, because exifr would read a
 * time without offset in the local time zone of the machine that runs the desk.
 */

export interface ExifFacts {
  /** ISO 8601; UTC when the file carries an offset, else the naive time as if it were UTC. */
  capturedAt: string | null;
  capturedAtHasOffset: boolean;
  /** "Make Model", e.g. "Apple iPhone 13". */
  device: string | null;
  /** EXIF orientation 1..8 as written in the file. */
  orientation: number | null;
}

const NONE: ExifFacts = { capturedAt: null, capturedAtHasOffset: false, device: null, orientation: null };

const TAGS = [
  'DateTimeOriginal',
  'OffsetTimeOriginal',
  'SubSecTimeOriginal',
  'CreateDate',
  'OffsetTimeDigitized',
  'SubSecTimeDigitized',
  'OffsetTime',
  'Make',
  'Model',
  'Orientation',
];

/** EXIF of a JPEG or PNG (BMP and GIF carry none). Never throws. */
export async function readExif(bytes: Buffer, sniffed: SniffedType): Promise<ExifFacts> {
  if (sniffed.ext !== 'jpg' && sniffed.ext !== 'png') return NONE;
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(bytes, {
      pick: TAGS,
      reviveValues: false,
      translateValues: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      makerNote: false,
      userComment: false,
    })) as Record<string, unknown> | undefined; // exifr's typings say any
  } catch {
    return NONE;
  }
  if (!tags) return NONE;
  // OffsetTime (the offset of the file's DateTime) stands in when a device writes only that
  // one: it is the same clock, set the same day, in every camera seen writing it.
  const original = captureTime(tags.DateTimeOriginal, tags.SubSecTimeOriginal, tags.OffsetTimeOriginal ?? tags.OffsetTime);
  const digitized = original ?? captureTime(tags.CreateDate, tags.SubSecTimeDigitized, tags.OffsetTimeDigitized ?? tags.OffsetTime);
  const orientation = typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8 ? tags.Orientation : null;
  return {
    capturedAt: digitized?.iso ?? null,
    capturedAtHasOffset: digitized?.hasOffset ?? false,
    device: deviceName(tags.Make, tags.Model),
    orientation,
  };
}

/**
 * "2024:05:01 14:30:00" (+ sub-seconds "123", + offset "+02:00") as ISO UTC. Without an
 * offset the wall-clock time is returned as if it were UTC, and `hasOffset` says so.
 */
export function captureTime(value: unknown, subSec: unknown, offset: unknown): { iso: string; hasOffset: boolean } | null {
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms =
    typeof subSec === 'string' || typeof subSec === 'number'
      ? Number(`0.${String(subSec).replace(/\D/g, '').slice(0, 3) || '0'}`) * 1000
      : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, Math.round(ms));
  if (new Date(t).getUTCDate() !== day) return null; // 31 February
  const off = typeof offset === 'string' ? /^\s*([+-])(\d{2}):(\d{2})\s*$/.exec(offset) : null;
  const hasOffset = !!off && Number(off[2]) <= 14 && Number(off[3]) < 60;
  if (off && hasOffset) t -= (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) * 60_000;
  return { iso: new Date(t).toISOString(), hasOffset };
}

const clean = (v: unknown): string =>
  typeof v === 'string'
    ? v
        // eslint-disable-next-line no-control-regex -- stripping control characters is the point
        .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, '')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 64)
    : '';

/** "Make Model", without repeating the make when the model already starts with it ("Canon Canon EOS R5"). */
export function deviceName(make: unknown, model: unknown): string | null {
  const mk = clean(make);
  const md = clean(model);
  if (!mk && !md) return null;
  if (!mk) return md;
  if (!md) return mk;
  return md.toLowerCase().startsWith(mk.toLowerCase()) ? md : `${mk} ${md}`;
}
