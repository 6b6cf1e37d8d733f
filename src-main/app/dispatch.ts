import { AppFailure, type Envelope } from '../contract/errors';
import { isMethodName, methods, type Caller } from '../contract/methods';
import { appendEvents } from '../db/repos/case';
import { caseExists } from '../db/repos/case-reads';
import { countSecurityEvent } from '../db/repos/security-log';
import { isTransientTxFailure } from '../db/retry';
import { inWriteTx } from '../db/tx';
import { isDatabaseUnreachable, unavailable } from '../db/unavailable';
import { handlers, type ServiceContext } from './handlers';
import type { Identity } from './identity';

const callerOf = (identity: Identity): Caller => (identity.kind === 'user' ? identity.role : identity.kind);

/**
 * The single entry point of every carrier: unknown method → NOT_FOUND, bad input →
 * VALIDATION naming the field, caller not allowed → FORBIDDEN, then the service.
 * Nothing thrown escapes: the result is always an envelope.
 */
export async function dispatch(ctx: ServiceContext, method: string, rawInput: unknown, identity: Identity): Promise<Envelope<unknown>> {
  const { envelope, logged } = await dispatchUnlogged(ctx, method, rawInput, identity);
  // UNAVAILABLE: the database is away, so there is no audit log to write to.
  if (envelope.ok || logged || envelope.error.code === 'UNAVAILABLE') return envelope;
  // Without a session nobody is accountable: a counter in the bounded security log, never a row in a case history.
  if (identity.kind === 'anonymous') await countAnonymousRefusal(ctx, method);
  else if (CASE_COMMANDS.has(method)) await logRefusal(ctx, method, rawInput, identity, envelope.error);
  return envelope;
}

async function countAnonymousRefusal(ctx: ServiceContext, method: string): Promise<void> {
  try {
    await inWriteTx(ctx.db, (tx) =>
      countSecurityEvent(tx, 'refused.unauthenticated', isMethodName(method) ? method : '(unknown method)', ctx.clock.now()),
    );
  } catch (e) {
    console.error('[dispatch] could not count a refusal:', e);
  }
}

/** Commands whose refusals belong in the named case's audit log (queries are not logged). */
const CASE_COMMANDS = new Set([
  'intake.dispute',
  'case.claim',
  'case.assign',
  'case.release',
  'case.requestEvidence',
  'party.submitEvidence',
  'case.propose',
  'party.reply',
  'case.decide',
  'party.shipReturn',
  'party.confirmReturn',
  'party.appeal',
  'appeal.review',
]);

/**
 * Refusals decided outside the engine (wrong role, bad input, DUPLICATE at intake, an
 * unknown assignee) still belong in the case's audit log when the case exists; the
 * engine's own refusals were already logged by the service in their transaction.
 */
async function logRefusal(
  ctx: ServiceContext,
  method: string,
  rawInput: unknown,
  identity: Identity,
  error: { code: string; message: string },
) {
  const input = rawInput as { caseId?: unknown; id?: unknown } | null;
  const caseId = method === 'intake.dispute' ? input?.id : input?.caseId;
  if (typeof caseId !== 'string' || caseId.length > 128) return;
  try {
    if (!(await caseExists(ctx.db, caseId))) return;
    const actor = identity.kind === 'user' ? identity.userId : identity.kind;
    await inWriteTx(ctx.db, (tx) =>
      appendEvents(tx, caseId, [
        { at: ctx.clock.now(), actor, type: 'command.refused', details: { method, code: error.code, message: error.message } },
      ]),
    );
  } catch (e) {
    console.error('[dispatch] could not log a refusal:', e);
  }
}

async function dispatchUnlogged(
  ctx: ServiceContext,
  method: string,
  rawInput: unknown,
  identity: Identity,
): Promise<{ envelope: Envelope<unknown>; logged: boolean }> {
  try {
    if (!isMethodName(method)) return refused('NOT_FOUND', `There is no method "${String(method).slice(0, 100)}".`);
    const spec = methods[method];
    const caller = callerOf(identity);
    if (!(spec.who as readonly Caller[]).includes(caller))
      return caller === 'anonymous'
        ? refused('UNAUTHENTICATED', 'Sign in first.')
        : refused('FORBIDDEN', forbiddenSentence(caller, spec.who));
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const { field, message } = validationMessage(parsed.error.issues[0]!);
      return refused('VALIDATION', message, field);
    }
    const handler = handlers[method] as (c: ServiceContext, i: unknown, id: Identity) => Promise<unknown>;
    return { envelope: { ok: true, value: await handler(ctx, parsed.data, identity) }, logged: false };
  } catch (e) {
    if (e instanceof AppFailure) return { envelope: { ok: false, error: e.toError() }, logged: e.logged };
    if (isDatabaseUnreachable(e)) {
      console.warn(`[dispatch] ${method}: the database cannot be reached (${e instanceof Error ? e.message : String(e)})`);
      return { envelope: { ok: false, error: unavailable(e).toError() }, logged: false };
    }
    if (isTransientTxFailure(e)) {
      // Retried already (db/retry.ts) and lost every time: busy desks, not a defect.
      console.warn(`[dispatch] ${method}: gave up after repeated lock conflicts (${e instanceof Error ? e.message : String(e)})`);
      return refused('CONFLICT', 'Other desks kept changing the same cases; nothing was changed. Try again in a moment.');
    }
    console.error(`[dispatch] ${method} failed:`, e);
    return refused('INTERNAL', 'Something went wrong inside Mediation Desk; nothing was changed. The error is in the log.');
  }
}

/** Longest piece of a caller's own input (a key, a path segment) a refusal repeats. */
const ECHO_MAX = 40;
/** Unknown keys a refusal names; the rest are counted. */
const KEYS_NAMED = 3;
const echo = (s: string) => (s.length > ECHO_MAX ? `${s.slice(0, ECHO_MAX)}…` : s);

/**
 * A zod issue as a sentence that never repeats unbounded input: zod's own message for
 * unknown keys quotes every key in full (a 900 KB key made a 900 KB refusal, written to the
 * case's log), so those are named here, a few of them, each shortened; path segments too.
 */
export function validationMessage(issue: { code: string; path: PropertyKey[]; message: string; keys?: string[] }): {
  field: string;
  message: string;
} {
  const field = issue.path
    .slice(0, 8)
    .map((p) => echo(String(p)))
    .join('.');
  const where = field || 'input';
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const named = issue.keys.slice(0, KEYS_NAMED).map((k) => JSON.stringify(echo(k)));
    const more = issue.keys.length > KEYS_NAMED ? ` and ${issue.keys.length - KEYS_NAMED} more` : '';
    return { field, message: `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${named.join(', ')}${more}; remove them.` };
  }
  return { field, message: `${where}: ${issue.message.slice(0, 300)}` };
}

const refused = (code: AppFailure['code'], message: string, field?: string) => ({
  envelope: { ok: false as const, error: field === undefined ? { code, message } : { code, message, field } },
  logged: false,
});

/** A refusal by role in words a person reads (no method names): "Analysts cannot do this; only mediators and supervisors can." */
function forbiddenSentence(caller: string, who: readonly string[]): string {
  // 'system' is the desk's own clock and sweep, not a kind of person: 'systems' read oddly.
  const plural = (r: string) => (r === 'intake' ? 'the marketplace intake' : r === 'system' ? 'the desk itself' : `${r}s`);
  const allowed = who.map(plural);
  const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} and ${allowed.at(-1)}` : (allowed[0] ?? 'nobody');
  const them = plural(caller);
  return `${them.charAt(0).toUpperCase()}${them.slice(1)} cannot do this; only ${list} can.`;
}
