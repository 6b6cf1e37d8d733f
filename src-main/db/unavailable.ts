import { AppFailure } from '../contract/errors';
import { commitInDoubt } from './tx';

/**
 * The one place that decides whether an error means "the case database cannot be reached"
 * (a dropped connection, a server restarting or shut down, a network outage, a timeout) as
 * opposed to a bug or a refused statement. Such a failure is answered UNAVAILABLE and the
 * desk keeps running: the pool opens new connections by itself once the server is back.
 */

/** Socket-level codes of node:net / dns. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01 admin_shutdown
 * (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up, in recovery), 53300 too_many_connections.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What pg and pg-pool say when a socket dies or never opens (they set no code). */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i, // "Client has encountered a connection error and is not queryable"
  /Query read timeout/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (SOCKET_CODES.has(e.code) || SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  // Node's "happy eyeballs" connect fails with an AggregateError of one error per address.
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((x) => isDatabaseUnreachable(x, depth + 1))) return true;
  return isDatabaseUnreachable(e.cause, depth + 1);
}

export const UNAVAILABLE_MESSAGE = 'The case database cannot be reached; Mediation Desk keeps retrying. Nothing was changed.';
/** When the connection was lost at the COMMIT itself (db/tx.ts commitInDoubt): the change may have been saved. */
export const UNAVAILABLE_AT_COMMIT_MESSAGE =
  'The case database stopped answering while this change was being saved, so it may or may not have been made; Mediation Desk keeps retrying. Look at the case again once the database is back before repeating it.';

/** The refusal a command gets while the database cannot be reached (given the error: whether its change may have been saved). */
export const unavailable = (error?: unknown): AppFailure =>
  new AppFailure('UNAVAILABLE', commitInDoubt(error) ? UNAVAILABLE_AT_COMMIT_MESSAGE : UNAVAILABLE_MESSAGE);
