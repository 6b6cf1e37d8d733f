import { z } from 'zod';

/** An instant on the wire: ISO-8601 in UTC ("Z" or an explicit offset), normalised to epoch ms by parsers. */
export const Instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'must be an ISO-8601 instant with a time zone, e.g. 2026-03-01T09:00:00Z',
  )
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date');

export const toMs = (iso: string): number => Date.parse(iso);
export const toIso = (ms: number): string => new Date(ms).toISOString();

/** Money: an integer count of minor units, never a float. */
export const Minor = z
  .number()
  .int('must be a whole number of minor units')
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER);
export const PositiveMinor = z
  .number()
  .int('must be a whole number of minor units')
  .min(1, 'must be at least 1')
  .max(Number.MAX_SAFE_INTEGER);
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
