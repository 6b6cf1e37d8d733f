import { AppFailure, type Envelope } from '../contract/errors';
import { isMethodName, methods, type Caller } from '../contract/methods';
import { appendEvents } from '../db/case-repo';
import { handlers, type ServiceContext } from '../services/handlers';
import type { Identity } from './types';

const callerOf = (identity: Identity): Caller | null =>
  identity.kind === 'user' ? identity.role : identity.kind === 'anonymous' ? null : identity.kind;

/**
 * The single entry point of every carrier: unknown method → NOT_FOUND, bad input →
 * VALIDATION naming the field, caller not allowed → FORBIDDEN, then the service.
 * Nothing thrown escapes: the result is always an envelope.
 */
export async function dispatch(ctx: ServiceContext, method: string, rawInput: unknown, identity: Identity): Promise<Envelope<unknown>> {
  const result = await dispatchUnlogged(ctx, method, rawInput, identity);
  if (!result.ok && (result.error.code === 'FORBIDDEN' || result.error.code === 'VALIDATION')) await logRefusal(ctx, method, rawInput, identity, result.error);
  return result;
}

/**
 * Refusals decided before the engine (wrong role, bad input) still belong in the case's
 * audit log when they name a case; the engine's own refusals are logged by the service.
 */
async function logRefusal(ctx: ServiceContext, method: string, rawInput: unknown, identity: Identity, error: { code: string; message: string }) {
  const caseId = (rawInput as { caseId?: unknown } | null)?.caseId;
  if (typeof caseId !== 'string' || caseId.length > 128) return;
  try {
    const exists = await ctx.db.selectFrom('cases').select('id').where('id', '=', caseId).executeTakeFirst();
    if (!exists) return;
    const actor = identity.kind === 'user' ? identity.userId : identity.kind;
    await appendEvents(ctx.db, caseId, [{ at: ctx.clock.now(), actor, type: 'command.refused', details: { method, code: error.code, message: error.message } }]);
  } catch (e) {
    console.error('[dispatch] could not log a refusal:', e);
  }
}

async function dispatchUnlogged(ctx: ServiceContext, method: string, rawInput: unknown, identity: Identity): Promise<Envelope<unknown>> {
  try {
    if (!isMethodName(method)) return failure('NOT_FOUND', `There is no method "${String(method).slice(0, 100)}".`);
    const spec = methods[method];
    const caller = callerOf(identity);
    if (caller === null) return failure('UNAUTHENTICATED', 'Sign in first.');
    if (!(spec.who as readonly Caller[]).includes(caller))
      return failure('FORBIDDEN', `A ${caller === 'intake' || caller === 'system' ? caller : `${caller}`} may not call ${method}; it is for: ${spec.who.join(', ')}.`);
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.');
      return { ok: false, error: { code: 'VALIDATION', message: `${field || 'input'}: ${issue.message}`, field } };
    }
    const handler = handlers[method] as (c: ServiceContext, i: unknown, id: Identity) => Promise<unknown>;
    return { ok: true, value: await handler(ctx, parsed.data, identity) };
  } catch (e) {
    if (e instanceof AppFailure) return { ok: false, error: e.toError() };
    console.error(`[dispatch] ${method} failed:`, e);
    return failure('INTERNAL', 'Something went wrong inside Mediation Desk; nothing was changed. The error is in the log.');
  }
}

const failure = (code: AppFailure['code'], message: string): Envelope<never> => ({ ok: false, error: { code, message } });
