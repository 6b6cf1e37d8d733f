/** The stable refusal codes of DOMAIN.md. A refused command is answered with one of these. */
export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'NOT_ASSIGNEE',
  'INVALID_STATE',
  'DUPLICATE',
  'DEADLINE_PASSED',
  'NO_OPEN_REQUEST',
  'UNSUPPORTED_FILE',
  'FILE_TOO_LARGE',
  'EVIDENCE_PENDING',
  'REPLY_PERIOD_OPEN',
  'ALREADY_REPLIED',
  'OUTCOME_NOT_OFFERED',
  'AMOUNT_OUT_OF_RANGE',
  'APPEAL_WINDOW_CLOSED',
  'NOT_APPEALABLE',
  'ALREADY_APPEALED',
  'SEPARATION_OF_DUTIES',
  // Not in DOMAIN.md's list: the only infrastructure outcomes a caller can see.
  'CONFLICT',
  // The case changed since the dialog was filled in (basedOnVersion): look at it, then send again.
  'STALE',
  'UNAUTHENTICATED',
  // A feed sent more calls than its rate limit (HTTP 429 with Retry-After).
  'RATE_LIMITED',
  // Too many attempts (sign-in, one-time codes) or too many at once: wait and try again.
  'THROTTLED',
  // The case database cannot be reached right now (HTTP 503 where a status is sent); retry.
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
  /** The input path a VALIDATION error is about, e.g. "order.totalMinor". */
  field?: string;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Thrown inside main only; dispatch turns it into an envelope. Never crosses a process boundary. */
export class AppFailure extends Error {
  /** Set when the refusal is already in the case's audit log, so dispatch does not log it twice. */
  logged = false;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  toError(): AppError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export const fail = (code: ErrorCode, message: string, field?: string): never => {
  throw new AppFailure(code, message, field);
};
