import { z } from 'zod';

// A missing field says so in words ("claim.amountMinor: is required") instead of zod's
// "Invalid input: expected number, received undefined": the feed, the CLI, the windows and
// the scenarios all show these messages to people. A schema's own message still wins.
const MISSING_CODES = new Set(['invalid_type', 'invalid_value', 'invalid_union']);
z.config({ customError: (issue) => (issue.input === undefined && MISSING_CODES.has(issue.code ?? '') ? 'is required' : undefined) });

/** An instant on the wire: ISO-8601 in UTC ("Z" or an explicit offset), normalised to epoch ms by parsers. */
export const Instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO-8601 instant with a time zone, e.g. 2026-03-01T09:00:00Z',
  )
  .refine(isRealDate, 'is not a real date');

/**
 * The date's day exists in its month, and the instant parses. Date.parse alone is not enough: it
 * rolls 2026-02-30 over to 2 March instead of refusing it. Most lines take the hand-written path
 * (instantFastMs); whatever it leaves, the original check decides.
 */
function isRealDate(s: string): boolean {
  const ms = instantFastMs(s);
  return ms === ms || isRealDateSlow(s); // computed once: NaN is the only value unequal to itself
}

function isRealDateSlow(s: string): boolean {
  if (Number.isNaN(Date.parse(s))) return false;
  const [year, month, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

/**
 * Epoch ms of an instant of the wire's shape (`Instant`'s pattern) whose fields are all plainly in
 * range (month 1–12, a day its month has, hours 0–23, minutes and seconds 0–59, at most 3
 * fraction digits, an offset up to 23:59), computed by hand: the same number Date.parse gives
 * (tests/unit/instant.test.ts compares them over many generated strings), at a fraction of its
 * cost (an import reads ~15 instants a dispute). NaN for anything else: the caller asks Date.parse.
 */
export function instantFastMs(s: string): number {
  const n = s.length;
  if (n < 17 || n > 35) return NaN;
  const year = digits4(s, 0);
  const month = digits2(s, 5);
  const day = digits2(s, 8);
  const hour = digits2(s, 11);
  const minute = digits2(s, 14);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58) return NaN;
  let i = 16;
  let second = 0;
  let milli = 0;
  if (s.charCodeAt(i) === 58) {
    second = digits2(s, 17);
    i = 19;
    if (s.charCodeAt(i) === 46) {
      let scale = 100;
      for (i = 20; i < n && i < 23; i++) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        milli += c * scale;
        scale /= 10;
      }
      if (i === 20) return NaN;
      const c = s.charCodeAt(i) - 48;
      if (c >= 0 && c <= 9) return NaN; // more than 3 fraction digits: left to Date.parse
    }
  }
  let offset = 0;
  const z = s.charCodeAt(i);
  if (z === 90) {
    if (i + 1 !== n) return NaN;
  } else if ((z === 43 || z === 45) && i + 6 === n && s.charCodeAt(i + 3) === 58) {
    const oh = digits2(s, i + 1);
    const om = digits2(s, i + 4);
    if (!(oh <= 23 && om <= 59)) return NaN;
    offset = (z === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return NaN;
  // A NaN field (not a digit) fails every comparison below.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31)) return NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + milli - offset;
}

function digits2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

function digits4(s: string, at: number): number {
  return digits2(s, at) * 100 + digits2(s, at + 2);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Epoch ms of an ISO-8601 instant (Date.parse, by hand for the wire's usual shape: instantFastMs). */
export const toMs = (iso: string): number => {
  const ms = instantFastMs(iso);
  return ms === ms ? ms : Date.parse(iso);
};
export const toIso = (ms: number): string => new Date(ms).toISOString();

/**
 * Money: an integer count of minor units, never a float. The bound comes first: past 2^53 a JSON
 * number is no longer exact, and "must be a whole number" would be wrong for 10000000000000000000.
 */
const MONEY_TOO_LARGE = `is larger than ${Number.MAX_SAFE_INTEGER}, the largest amount a JSON number holds exactly`;
export const Minor = z
  .number()
  .max(Number.MAX_SAFE_INTEGER, MONEY_TOO_LARGE)
  .int('must be a whole number of minor units')
  .nonnegative('must not be negative');
export const PositiveMinor = z
  .number()
  .max(Number.MAX_SAFE_INTEGER, MONEY_TOO_LARGE)
  .int('must be a whole number of minor units')
  .min(1, 'must be at least 1');
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as USD');
/** A sha256 as the store and the screens name files: 64 lowercase hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
export const Sha256 = z.string().regex(SHA256_HEX, 'must be 64 lowercase hex digits');
/** PostgreSQL cannot store U+0000 in text (SQLite can): refused on the way in, on either database, with the field named. */
const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
export const Id = z.string().trim().min(1, 'is required').max(128, 'is longer than 128 characters').refine(noNul, NUL_MESSAGE);
export const Text = (max: number) => z.string().max(max, `is longer than ${max} characters`).refine(noNul, NUL_MESSAGE);
export const RequiredText = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `is longer than ${max} characters`).refine(noNul, NUL_MESSAGE);
