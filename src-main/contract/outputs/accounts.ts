import { z } from 'zod';
import { Role } from '../domain';

/** A user as the Users screen lists them (never the password hash). */
export const UserSummary = z.object({
  userId: z.string(),
  name: z.string(),
  role: Role,
  active: z.boolean(),
  createdAt: z.string(),
  deactivatedAt: z.string().nullable(),
  deactivatedBy: z.string().nullable(),
  /** False until the user set a password (a new user with a code, or after a reset). */
  passwordSet: z.boolean(),
  /** When an outstanding one-time code expires, if there is one. */
  codeExpiresAt: z.string().nullable(),
});
export type UserSummary = z.output<typeof UserSummary>;

export const IssuedCode = z.object({ userId: z.string(), code: z.string(), expiresAt: z.string() });
export type IssuedCode = z.output<typeof IssuedCode>;

export const SessionSummary = z.object({
  /** The first characters of the session's hash: enough to tell sessions apart, useless as a token. */
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  /** Ends at the latest then (the absolute lifetime), or earlier when idle. */
  expiresAt: z.string(),
  /** Where it signed in from: "This desktop", "Browser (127.0.0.1)", … */
  source: z.string(),
  userAgent: z.string(),
  current: z.boolean(),
});
export type SessionSummary = z.output<typeof SessionSummary>;

export interface AccountsOutputs {
  'setup.status': { needsFirstSupervisor: boolean };
  'setup.createFirstSupervisor': { userId: string };
  'users.list': { users: UserSummary[] };
  'users.add': { user: UserSummary; code: IssuedCode | null };
  'users.setRole': { user: UserSummary };
  'users.deactivate': { user: UserSummary; sessionsEnded: number };
  'users.issueResetCode': { user: UserSummary; code: IssuedCode; sessionsEnded: number };
  'password.redeemCode': { userId: string };
  'password.change': { sessionsEnded: number };
  'session.list': { sessions: SessionSummary[] };
  'session.signOutOthers': { sessionsEnded: number };
}
