import { z } from 'zod';
import { Role } from './domain';
import { Id, RequiredText } from './primitives';

/**
 * Accounts, first-run setup, passwords and sessions (issue 14). Spread into the one method
 * table in methods.ts. 'anonymous' marks the few methods a caller without a session may use.
 */

/**
 * The password policy (after NIST SP 800-63B): at least 12 characters, a passphrase of a few
 * words being the easy way there; no composition rules; at most 200 characters; never the
 * user id (nor the user id with a short tail) and not one character repeated.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

export function passwordProblem(password: string, userId: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters (a few words with spaces make a good passphrase)`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  const plain = password.toLowerCase().replace(/\s+/g, '');
  const id = userId.trim().toLowerCase();
  if (id.length > 0 && plain.includes(id) && plain.length - id.length < PASSWORD_MIN)
    return 'must not be the user id (or the user id with a few characters added)';
  if (new Set(plain).size < 4) return 'must not repeat the same few characters';
  return null;
}

const RESERVED_ACTORS: readonly string[] = ['system', 'parties', 'intake', 'buyer', 'seller'];
/** A user id people type at sign-in: letters, digits, dot, dash, underscore. */
export const UserId = Id.pipe(
  z
    .string()
    .max(64, 'is longer than 64 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits, dots, dashes and underscores, starting with a letter or digit')
    // Case histories name these actors by the same word (decidedBy "system" is the deadline sweep): a user may not take one.
    .refine(
      (id) => !RESERVED_ACTORS.includes(id.toLowerCase()),
      "is reserved for the desk's own actors (system, parties, intake, buyer, seller); choose another",
    ),
);
const Password = z.string().min(1, 'is required').max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const checkPolicy =
  (pwKey: 'password' | 'newPassword') =>
  (i: { userId?: string; password?: string; newPassword?: string }, ctx: z.RefinementCtx, userId: string) => {
    const pw = i[pwKey];
    if (pw === undefined) return;
    const problem = passwordProblem(pw, userId);
    if (problem) ctx.addIssue({ code: 'custom', path: [pwKey], message: problem });
  };

/** A one-time code as printed: 12 letters and digits in groups of four; case and dashes do not matter. */
export const OneTimeCode = z
  .string()
  .trim()
  .max(40, 'is longer than a one-time code')
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[0-9A-Z]{12}$/, 'must be the 12-character code a supervisor gave you, e.g. 7K3M-Q9XD-2HPA'));

const Empty = z.object({}).strict();
const SIGNED_IN = ['mediator', 'supervisor', 'analyst'] as const;

export const accountsMethods = {
  /** Whether the installation still needs its first supervisor (no user exists yet). */
  'setup.status': { input: Empty, who: ['anonymous', ...SIGNED_IN] },
  /** First-run: creates the first supervisor while no user exists; exactly one of two parallel submissions succeeds. */
  'setup.createFirstSupervisor': {
    input: z
      .object({ userId: UserId, name: RequiredText(120), password: Password })
      .strict()
      .superRefine((i, ctx) => checkPolicy('password')(i, ctx, i.userId)),
    who: ['anonymous'],
  },
  'users.list': { input: Empty, who: ['supervisor'] },
  /** Adds a user; without a password the answer carries a one-time code the user sets a password with. */
  'users.add': {
    input: z
      .object({ userId: UserId, name: RequiredText(120), role: Role, password: Password.optional() })
      .strict()
      .superRefine((i, ctx) => checkPolicy('password')(i, ctx, i.userId)),
    who: ['supervisor'],
  },
  'users.setRole': { input: z.object({ userId: Id, role: Role }).strict(), who: ['supervisor'] },
  /** Deactivates a user (the row and its history stay): no more sign-ins, every session ends. */
  'users.deactivate': { input: z.object({ userId: Id }).strict(), who: ['supervisor'] },
  /** Disables the user's password, ends their sessions and answers a one-time code (expires, single use). */
  'users.issueResetCode': { input: z.object({ userId: Id }).strict(), who: ['supervisor'] },
  /** Sets a new password with a one-time code (no session needed: the user cannot sign in yet). */
  'password.redeemCode': {
    input: z
      .object({ userId: Id, code: OneTimeCode, newPassword: Password })
      .strict()
      .superRefine((i, ctx) => checkPolicy('newPassword')(i, ctx, i.userId)),
    who: ['anonymous', ...SIGNED_IN],
  },
  /** Changes one's own password (needs the current one); one's other sessions end. */
  'password.change': {
    input: z.object({ currentPassword: Password, newPassword: Password }).strict(),
    who: SIGNED_IN,
  },
  /** One's open sessions, newest first, the calling one marked. */
  'session.list': { input: Empty, who: SIGNED_IN },
  /** Ends every open session of the caller but the calling one. */
  'session.signOutOthers': { input: Empty, who: SIGNED_IN },
} as const;
