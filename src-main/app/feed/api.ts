import type { Readable } from 'node:stream';
import { AppFailure } from '../../contract/errors';
import { EventsQuery, type EventsPage } from '../../contract/feed';
import { Party } from '../../contract/domain';
import { Id, toIso } from '../../contract/primitives';
import { caseOwner, readOutbox, recordCursorRead } from '../../db/repos/feeds';
import { inWriteTx } from '../../db/tx';
import { currentPolicy } from '../../db/repos/policy';
import { sanitizeFileName } from '../../files/names';
import type { StoreLimits } from '../../files/blob-store';
import type { ServiceContext } from '../handlers';
import { limitsOf, takeFile, type NamedFile } from '../evidence/intake';
import { MAX_EVIDENCE_FILES } from '../../contract/methods';
import { authenticateFeed, type Feed } from './admin';
import { bodyHashOf, feedCall, statusOf, type FeedAnswer } from './calls';
import { RateLimiter, type RateLimit } from './rate-limit';
import { feedOpenApi } from './openapi';

/**
 * What the HTTP carrier needs for the feed API (transport/feed-http.ts): the token check, the
 * per-feed rate limit, calls, streamed evidence uploads and the event cursor. The carrier only
 * moves bytes; every decision is here.
 */
export interface FeedApi {
  authenticate(token: string): Promise<Feed | null>;
  /** null: go ahead; else the seconds to wait (429 Retry-After). */
  throttle(feed: Feed): number | null;
  call(feed: Feed, method: string, rawInput: unknown, key: string, rawBody: Buffer): Promise<FeedAnswer>;
  beginUpload(feed: Feed, caseId: string, party: string): Promise<FeedUpload | FeedAnswer>;
  /** FEED.md: `{events, next}` (with `ok: true`, as every answer has), or a refusal envelope. */
  events(feed: Feed, query: Record<string, string | undefined>): Promise<{ status: number; body: unknown }>;
  openApi(): unknown;
}

/** One streamed evidence upload: files taken one by one as they arrive, then one call records all or none. */
export interface FeedUpload {
  limits: StoreLimits;
  /** Rejects with the refusal's FeedAnswer (e.g. 413 FILE_TOO_LARGE as soon as the bytes pass the limit). */
  take(fileName: string, bytes: Readable): Promise<void>;
  finish(note: string | undefined, key: string): Promise<FeedAnswer>;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 100 };

export function openFeedApi(ctx: ServiceContext, opts: { rateLimit?: RateLimit } = {}): FeedApi {
  // Real elapsed time, not the case clock: a test clock (`serve --test-clock`) that stands still never
  // refilled the bucket, so a feed told "Retry-After: 1" was refused again however long it waited; a
  // monotonic one does not drain the bucket either when the wall clock is set back.
  const limiter = new RateLimiter(opts.rateLimit ?? DEFAULT_RATE_LIMIT, () => performance.now());
  const refuse = (e: AppFailure): FeedAnswer => ({ status: statusOf(e.code), body: { ok: false, error: e.toError() }, replayed: false });
  return {
    authenticate: (token) => authenticateFeed(ctx.db, token),
    throttle: (feed) => limiter.take(feed.id),
    call: (feed, method, rawInput, key, rawBody) => feedCall(ctx, feed, method, rawInput, key, bodyHashOf(method, rawBody)),
    async beginUpload(feed, caseId, party) {
      const id = Id.safeParse(caseId);
      const p = Party.safeParse(party);
      if (!id.success) return refuse(new AppFailure('VALIDATION', `caseId: ${id.error.issues[0]!.message}`, 'caseId'));
      if (!p.success) return refuse(new AppFailure('VALIDATION', 'party must be "buyer" or "seller".', 'party'));
      if ((await caseOwner(ctx.db, id.data)) !== feed.id)
        return refuse(new AppFailure('NOT_FOUND', `There is no case ${id.data} in this feed.`));
      if (!ctx.evidence) return refuse(new AppFailure('NOT_FOUND', 'This desk keeps no evidence files.'));
      const files = ctx.evidence;
      const limits = limitsOf((await currentPolicy(ctx.db)).policy);
      const arrived = ctx.clock.now();
      const taken: NamedFile[] = [];
      return {
        limits,
        async take(fileName, bytes) {
          try {
            if (taken.length >= MAX_EVIDENCE_FILES)
              throw new AppFailure(
                'VALIDATION',
                `An upload holds at most ${MAX_EVIDENCE_FILES} files; send the rest as their own answer.`,
                'file',
              );
            // The image queue shares its places fairly between feeds and, within a feed, between cases.
            taken.push(
              await takeFile(ctx.db, files, sanitizeFileName(fileName || 'evidence'), bytes, limits, undefined, {
                source: feed.id,
                group: id.data,
              }),
            );
          } catch (e) {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- the carrier sends a refusal's answer as it is
            if (e instanceof AppFailure) throw refuse(e);
            throw e;
          }
        },
        async finish(note, key) {
          if (!taken.length) return refuse(new AppFailure('VALIDATION', 'Send at least one `file` part.', 'file'));
          const described = taken.map((t) => ({ name: t.name, mediaType: t.sniffed.mediaType, sizeBytes: t.sizeBytes, sha256: t.sha256 }));
          const input = { caseId: id.data, party: p.data, files: described, ...(note !== undefined ? { note } : {}) };
          const hash = bodyHashOf('evidence', JSON.stringify(input));
          // The moment the upload arrived: a slow 100 MB transfer does not make the answer late.
          const atArrival: ServiceContext = { ...ctx, clock: { now: () => arrived } };
          return feedCall(atArrival, feed, 'party.submitEvidence', input, key, hash, { described, taken });
        },
      };
    },
    async events(feed, query) {
      const q = EventsQuery.safeParse(query);
      if (!q.success) {
        const issue = q.error.issues[0]!;
        return refuse(new AppFailure('VALIDATION', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.')));
      }
      const rows = await readOutbox(ctx.db, feed.id, q.data.after, q.data.limit);
      // `after` is what the consumer says it handled: the Feeds screen shows its lag from it.
      await inWriteTx(ctx.db, (tx) => recordCursorRead(tx, feed.id, q.data.after, ctx.clock.now()));
      const page: EventsPage = {
        events: rows.map((r) => ({
          seq: r.seq,
          at: toIso(r.at),
          type: r.type as never,
          caseId: r.caseId,
          data: r.data as Record<string, unknown>,
        })),
        next: rows.at(-1)?.seq ?? q.data.after,
      };
      return { status: 200, body: { ok: true, ...page } };
    },
    openApi: () => feedOpenApi(),
  };
}
