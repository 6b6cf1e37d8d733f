import { z } from 'zod';
import type { CaseStatus, RefundStatus } from './domain';
import { Id, RequiredText } from './primitives';

/**
 * The marketplace connection (../shared/spec/FEED.md): `refund.update`, which only a feed
 * calls, and the supervisors' view of the feeds. Spread into the one method table in
 * methods.ts. The HTTP shapes of the feed API (the event cursor, the list of methods a feed
 * may call) are here too, so the OpenAPI document comes from the same zod schemas.
 */
export const RefundUpdateInput = z
  .object({
    caseId: Id,
    status: z.enum(['processing', 'completed', 'failed']),
    /** The marketplace's payment reference. */
    reference: RequiredText(200).optional(),
    /** Why the payment failed (required with `failed`). */
    reason: RequiredText(2_000).optional(),
  })
  .strict()
  .superRefine((i, ctx) => {
    if (i.status === 'failed' && i.reason === undefined)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when the refund failed' });
  });

/** As `feed add` takes it (app/feed/admin.ts FEED_NAME). */
export const FeedName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit');

export const FeedCreateInput = z
  .object({
    name: FeedName,
    /** Where the desk POSTs signed event batches; without it the marketplace reads the cursor. */
    webhookUrl: z
      .string()
      .max(2_000, 'must be at most 2000 characters')
      .url('must be a full http:// or https:// address')
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// address')
      .optional(),
  })
  .strict();

export const feedMethods = {
  'refund.update': { input: RefundUpdateInput, who: ['intake'] },
  /** The supervisors' Feeds screen: each feed's deliveries, lag and failures. */
  'feeds.list': { input: z.object({}).strict(), who: ['supervisor'] },
  /** A new feed from the Feeds screen (as `feed add`): its token and webhook secret are answered once, never again. */
  'feeds.create': { input: FeedCreateInput, who: ['supervisor'] },
  /** Revokes a feed's token at once (as `feed revoke`); the feed stays listed. */
  'feeds.revoke': { input: z.object({ name: FeedName }).strict(), who: ['supervisor'] },
} as const;

/** The methods a feed may call over `POST /feed/v1/call/<method>` (FEED.md "Calls in"). */
export const FEED_CALL_METHODS = [
  'intake.dispute',
  'party.submitEvidence',
  'party.reply',
  'party.shipReturn',
  'party.confirmReturn',
  'party.appeal',
  'refund.update',
] as const;
export type FeedCallMethod = (typeof FEED_CALL_METHODS)[number];

/** `GET /feed/v1/events?after=&limit=` */
/**
 * A query parameter holding a whole number in decimal digits. Number() would also read "0x10",
 * "1e3", " 5" and "" (as 0): none of them is a seq a consumer handled.
 */
const QueryInt = (example: string) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `must be a whole number in decimal digits, such as ${example}`)
    .transform(Number)
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'is too large'));

export const EventsQuery = z.object({
  after: QueryInt('0 or 41').default(0),
  limit: QueryInt('100').pipe(z.number().min(1, 'must be between 1 and 1000').max(1000, 'must be between 1 and 1000')).default(100),
});

export const FeedEventOut = z.object({
  seq: z.number().int(),
  at: z.string(),
  type: z.enum([
    'case.accepted',
    'evidence.requested',
    'resolutions.published',
    'decision.made',
    'return.instructed',
    'refund.instructed',
    'refund.cancelled',
    'appeal.decided',
    'case.final',
  ]),
  caseId: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export const EventsPage = z.object({
  events: z.array(FeedEventOut),
  /** The seq to pass as `after` next time (the last event's, or `after` again when there were none). */
  next: z.number().int(),
});
export type EventsPage = z.output<typeof EventsPage>;

/**
 * The desktop's own feed API listener (MEDIATION_DESK_FEED_LISTEN, default 127.0.0.1:4781):
 * whether the marketplace can reach this desk. `listening`: at `url`; otherwise not serving,
 * and `problem` says why and what to do in one or two sentences.
 */
export interface FeedListenerView {
  host: string;
  port: number;
  state: 'listening' | 'port_in_use' | 'not_permitted' | 'failed';
  url: string | null;
  problem: string | null;
}

/** One feed as the supervisors' Feeds screen shows it. */
export interface FeedView {
  name: string;
  createdAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
  webhook: { url: string } | null;
  /** The newest event seq of this feed, and the last one its webhook acknowledged. */
  headSeq: number;
  deliveredSeq: number;
  /** Events after deliveredSeq not yet delivered (webhook feeds; a cursor-only feed reads at its own pace). */
  lag: number;
  oldestUndeliveredAt: string | null;
  lastDeliveredAt: string | null;
  deliveredBatches: number;
  /** Failed attempts since the last success, and in all. */
  attempts: number;
  failedAttemptsTotal: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  /** The last seq the feed said it handled when it read GET /feed/v1/events (`after`), and when it last read. */
  cursorSeq: number;
  cursorReadAt: string | null;
  /** Events after cursorSeq, and the oldest of them (what the consumer has not read yet). */
  cursorLag: number;
  oldestUnreadAt: string | null;
}

export interface FeedOutputs {
  'refund.update': { caseId: string; status: CaseStatus; refund: RefundStatus };
  /** `listener`: the desktop's own feed listener; null where the feed API is served with the page (`serve`) or is off. */
  'feeds.list': { feeds: FeedView[]; at: string; listener: FeedListenerView | null };
  'feeds.create': { name: string; token: string; webhookSecret: string | null };
  'feeds.revoke': { name: string; revokedAt: string };
}
