import { z } from 'zod';

/** Shared vocabulary of DOMAIN.md, as zod enums so both sides validate with the same lists. */
export const NOT_RECEIVED_REASONS = [
  'not_received.in_transit',
  'not_received.returned_to_sender',
  'not_received.no_tracking_info',
  'not_received.customs',
  'not_received.wrong_address',
] as const;
export const RECEIVED_REASONS = [
  'not_as_described',
  'defective',
  'damaged',
  'wrong_item',
  'missing_parts',
  'counterfeit',
  'quantity_short',
] as const;
export const Reason = z.enum([...NOT_RECEIVED_REASONS, ...RECEIVED_REASONS]);
export type Reason = z.infer<typeof Reason>;
export type ReceivedReason = (typeof RECEIVED_REASONS)[number];
export const isNotReceived = (r: Reason): boolean => r.startsWith('not_received.');

export const CaseStatus = z.enum(['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies', 'closed', 'appealed', 'final']);
export type CaseStatus = z.infer<typeof CaseStatus>;

export const Party = z.enum(['buyer', 'seller']);
export type Party = z.infer<typeof Party>;
export const Remedy = z.enum(['refund_only', 'return_and_refund']);
export type Remedy = z.infer<typeof Remedy>;
export const DeliveryStatus = z.enum(['in_transit', 'delivered', 'returned_to_sender', 'no_info']);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;
export const Outcome = z.enum(['full', 'partial', 'return', 'none']);
export type Outcome = z.infer<typeof Outcome>;
export const OptionKind = z.enum(['partial', 'return', 'full']);
export type OptionKind = z.infer<typeof OptionKind>;
export const ReplyChoice = z.enum(['partial', 'return', 'full', 'reject']);
export type ReplyChoice = z.infer<typeof ReplyChoice>;
export const Basis = z.enum(['agreement', 'mediator', 'default', 'appeal']);
export type Basis = z.infer<typeof Basis>;
export const AppealGrounds = z.enum(['outcome', 'mediator_conduct', 'new_evidence']);
export type AppealGrounds = z.infer<typeof AppealGrounds>;
/** `failed` (added with refund.update, FEED.md): the marketplace could not pay; its reason is recorded. */
export const RefundStatus = z.enum(['awaiting_return', 'return_in_transit', 'expected', 'processing', 'completed', 'failed', 'cancelled']);
export type RefundStatus = z.infer<typeof RefundStatus>;
export const Role = z.enum(['mediator', 'supervisor', 'analyst']);
export type Role = z.infer<typeof Role>;
export const AccountLabel = z.enum(['serial_disputer', 'cleared']);
export type AccountLabel = z.infer<typeof AccountLabel>;
export const LinkKind = z.enum(['device', 'address', 'payment']);
export type LinkKind = z.infer<typeof LinkKind>;

export const OPEN_STATUSES: readonly CaseStatus[] = ['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies'];
