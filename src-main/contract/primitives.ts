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
 * rolls 2026-02-30 over to 2 March instead of refusing it.
 */
function isRealDate(s: string): boolean {
  if (Number.isNaN(Date.parse(s))) return false;
  const [year, month, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

export const toMs = (iso: string): number => Date.parse(iso);
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
