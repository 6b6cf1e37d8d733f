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

export const feedMethods = {
  'refund.update': { input: RefundUpdateInput, who: ['intake'] },
  /** The supervisors' Feeds screen: each feed's deliveries, lag and failures. */
  'feeds.list': { input: z.object({}).strict(), who: ['supervisor'] },
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
export const EventsQuery = z.object({
  after: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be between 1 and 1000')
    .max(1000, 'must be between 1 and 1000')
    .default(100),
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
}

export interface FeedOutputs {
  'refund.update': { caseId: string; status: CaseStatus; refund: RefundStatus };
  'feeds.list': { feeds: FeedView[]; at: string };
}
