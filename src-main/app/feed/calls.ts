import { createHash } from 'node:crypto';
import { AppFailure, type AppError, type Envelope, type ErrorCode } from '../../contract/errors';
import { FEED_CALL_METHODS, type FeedCallMethod } from '../../contract/feed';
import { methods, type MethodInput } from '../../contract/methods';
import { appendEvents } from '../../db/repos/case';
import { appendFeedEvents } from '../../db/repos/feed-outbox';
import { caseOwner, claimCaseForFeed, lockKey, storeAnswer, storedAnswer, touchFeed } from '../../db/repos/feeds';
import { retryTransient } from '../../db/retry';
import { inWriteTx, type WriteTx } from '../../db/tx';
import { isDatabaseUnreachable, unavailable } from '../../db/unavailable';
import type { FileDescription } from '../../engine/commands';
import { recordSubmittedEvidence, takeSentFiles, type NamedFile } from '../evidence/intake';
import { handlers, type ServiceContext } from '../handlers';
import { validationMessage } from '../dispatch';
import type { Feed } from './admin';

/**
 * `POST /feed/v1/call/<method>` (FEED.md "Calls in"): one call of the marketplace, kept under
 * its idempotency key. The key, the body's hash and the answer are written in the SAME
 * transaction as the call's effect (and its outbox rows), so a crash can never leave an
 * effect without its key: a retry either finds the answer or runs the call for the first time.
 * A refused call changes nothing; its answer is kept with its audit event the same way.
 */

export interface FeedAnswer {
  status: number;
  body: Envelope<unknown>;
  /** The answer was stored earlier under this key: nothing ran now. */
  replayed: boolean;
}

/** HTTP status of an answer (FEED.md "Answers"): rule refusals are 409. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'FILE_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_FILE':
      return 415;
    case 'RATE_LIMITED':
      return 429;
    case 'UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
    default:
      return 409;
  }
}

/** Answers worth keeping: a transient failure (database away, a lost race) must run again when retried. */
const KEPT = (code: ErrorCode) => code !== 'UNAVAILABLE' && code !== 'INTERNAL' && code !== 'CONFLICT' && code !== 'RATE_LIMITED';

export const isFeedCallMethod = (m: string): m is FeedCallMethod => (FEED_CALL_METHODS as readonly string[]).includes(m);

/** The hash a key's first body is remembered by: the method and the exact bytes. */
export const bodyHashOf = (method: string, raw: Buffer | string): string =>
  createHash('sha256').update(method).update('\n').update(raw).digest('hex');

export const IDEMPOTENCY_KEY = /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/;

const fail = (code: ErrorCode, message: string, field?: string): FeedAnswer => ({
  status: statusOf(code),
  body: { ok: false, error: field === undefined ? { code, message } : { code, message, field } },
  replayed: false,
});

/** Evidence files already stored by the caller (the streamed upload), recorded by the call's transaction. */
export interface PreparedFiles {
  described: FileDescription[];
  taken: NamedFile[];
}

/** Thrown inside the call's transaction to roll its writes back and keep only the refusal. */
class Refused extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

export async function feedCall(
  ctx: ServiceContext,
  feed: Feed,
  method: string,
  rawInput: unknown,
  key: string,
  bodyHash: string,
  prepared?: PreparedFiles,
): Promise<FeedAnswer> {
  if (!isFeedCallMethod(method))
    return fail('NOT_FOUND', `A feed cannot call "${method.slice(0, 100)}"; it may call ${FEED_CALL_METHODS.join(', ')}.`);
  if (!IDEMPOTENCY_KEY.test(key)) return fail('VALIDATION', 'Idempotency-Key must be 1–200 printable characters.', 'Idempotency-Key');
  try {
    const earlier = await storedAnswer(ctx.db, feed.id, key);
    if (earlier) return replay(earlier, bodyHash, key);
    const parsed = methods[method].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      // The app's sentence (dispatch.ts): unknown keys named a few at a time and shortened, never echoed whole.
      const { field, message } = validationMessage(parsed.error.issues[0]!);
      return fail('VALIDATION', message, field || undefined);
    }
    const input = parsed.data as MethodInput<FeedCallMethod>;
    // Files sent as base64 are stored before the transaction (content-addressed; unrecorded ones are collected).
    const files =
      prepared ??
      (method === 'party.submitEvidence' ? await takeSentFiles(ctx, input as MethodInput<'party.submitEvidence'>, feed.id) : undefined);
    return await runKept(ctx, feed, method, input, key, bodyHash, files);
  } catch (e) {
    if (e instanceof AppFailure) return fail(e.code, e.message, e.field);
    if (isDatabaseUnreachable(e)) return { status: 503, body: { ok: false, error: unavailable(e).toError() }, replayed: false };
    console.error(`[feed] ${feed.name} ${method} failed:`, e);
    return fail('INTERNAL', 'Something went wrong inside Mediation Desk; nothing was changed. Retry with the same Idempotency-Key.');
  }
}

function replay(earlier: { bodyHash: string; status: number; answer: string }, bodyHash: string, key: string): FeedAnswer {
  if (earlier.bodyHash !== bodyHash)
    return fail(
      'CONFLICT',
      `The Idempotency-Key ${key.slice(0, 80)} was already used for a different call; use a new key for a new effect.`,
      'Idempotency-Key',
    );
  return { status: earlier.status, body: JSON.parse(earlier.answer) as Envelope<unknown>, replayed: true };
}

async function runKept(
  ctx: ServiceContext,
  feed: Feed,
  method: FeedCallMethod,
  input: MethodInput<FeedCallMethod>,
  key: string,
  bodyHash: string,
  files: PreparedFiles | undefined,
): Promise<FeedAnswer> {
  const now = ctx.clock.now();
  const caseId = method === 'intake.dispute' ? (input as MethodInput<'intake.dispute'>).id : (input as { caseId: string }).caseId;
  // Change notices wait for the commit: a screen that reloads on one must see the change.
  const notices: Array<Parameters<ServiceContext['notify']>> = [];
  let answer: FeedAnswer;
  try {
    // A twin call with the same key racing on another connection fails on the key's primary key (23505)
    // and runs again from the top, where it finds this call's answer.
    answer = await retryTransient(
      ctx.db,
      () =>
        inWriteTx(ctx.db, async (tx) => {
          await lockKey(tx, feed.id, key);
          const earlier = await storedAnswer(tx, feed.id, key);
          if (earlier) return replay(earlier, bodyHash, key);
          await checkOwnership(tx, feed, method, caseId);
          const txCtx: ServiceContext = { ...ctx, db: tx, notify: (...n) => void notices.push(n) };
          const value = await effect(txCtx, feed, method, input, files, now);
          if (method === 'intake.dispute' && (value as { result: string }).result === 'created') {
            await claimCaseForFeed(tx, caseId, feed.id);
            await appendFeedEvents(tx, [
              { feedId: feed.id, caseId, event: { type: 'case.accepted', at: now, data: { disputeId: caseId } } },
            ]);
          }
          const body: Envelope<unknown> = { ok: true, value };
          await storeAnswer(tx, feed.id, key, { bodyHash, status: 200, answer: JSON.stringify(body) }, now);
          await touchFeed(tx, feed.id, now);
          return { status: 200, body, replayed: false };
        }),
      { also: ['23505'] },
    );
  } catch (e) {
    if (!(e instanceof Refused) && !(e instanceof AppFailure)) throw e;
    notices.length = 0; // rolled back: nothing changed
    const error = e instanceof Refused ? e.error : e.toError();
    answer = { status: statusOf(error.code), body: { ok: false, error }, replayed: false };
    if (KEPT(error.code)) answer = await keepRefusal(ctx, feed, method, caseId, key, bodyHash, answer, now);
  }
  for (const n of notices) ctx.notify(...n);
  return answer;
}

/** A feed acts on the cases it imported; another feed's (or the desk's own) cases do not exist for it. */
async function checkOwnership(tx: WriteTx, feed: Feed, method: FeedCallMethod, caseId: string): Promise<void> {
  const owner = await caseOwner(tx, caseId);
  if (method === 'intake.dispute') {
    if (owner !== undefined && owner !== feed.id)
      throw new AppFailure(
        'DUPLICATE',
        `Case ${caseId} already exists and was not imported by this feed; choose another dispute id.`,
        'id',
      );
    return;
  }
  if (owner !== feed.id) throw new AppFailure('NOT_FOUND', `There is no case ${caseId} in this feed.`, 'caseId');
}

async function effect(
  ctx: ServiceContext,
  feed: Feed,
  method: FeedCallMethod,
  input: MethodInput<FeedCallMethod>,
  files: PreparedFiles | undefined,
  now: number,
): Promise<unknown> {
  try {
    if (method === 'party.submitEvidence' && files) {
      const i = input as MethodInput<'party.submitEvidence'>;
      return await recordSubmittedEvidence(ctx, i, files.described, files.taken, { kind: 'intake' }, now);
    }
    const handler = handlers[method] as (c: ServiceContext, i: unknown, id: { kind: 'intake'; feedId: string }) => Promise<unknown>;
    return await handler(ctx, input, { kind: 'intake', feedId: feed.id });
  } catch (e) {
    // The engine already wrote its refusal's audit event in this transaction: it rolls back with
    // everything else, and keepRefusal writes it again with the stored answer.
    if (e instanceof AppFailure) throw new Refused(e.toError());
    throw e;
  }
}

/** The refusal's answer under its key, and its audit event in the case's log, in one transaction; a twin's answer kept first wins. */
async function keepRefusal(
  ctx: ServiceContext,
  feed: Feed,
  method: string,
  caseId: string,
  key: string,
  bodyHash: string,
  answer: FeedAnswer,
  now: number,
): Promise<FeedAnswer> {
  const error = (answer.body as { error: AppError }).error;
  try {
    return await retryTransient(ctx.db, () =>
      inWriteTx(ctx.db, async (tx) => {
        await lockKey(tx, feed.id, key);
        const earlier = await storedAnswer(tx, feed.id, key);
        if (earlier) return replay(earlier, bodyHash, key);
        await storeAnswer(tx, feed.id, key, { bodyHash, status: answer.status, answer: JSON.stringify(answer.body) }, now);
        if ((await caseOwner(tx, caseId)) === feed.id)
          await appendEvents(tx, caseId, [
            { at: now, actor: 'intake', type: 'command.refused', details: { method, code: error.code, message: error.message } },
          ]);
        return answer;
      }),
    );
  } catch (e) {
    // The refusal stands either way; only its memory under the key is lost, and a retry refuses again.
    console.error('[feed] could not keep a refusal under its key:', e);
    return answer;
  }
}
