import { z } from 'zod';
import { AccountLabel, DeliveryStatus, Reason, Remedy } from './domain';
import { Id, Instant, Sha256, Text } from './primitives';

/**
 * One line of a buyer history (SCENARIOS.md, "score"): accounts, orders and disputes in time
 * order. Unknown members are ignored (the format may grow); the members the score reads are
 * checked. A `label` record (an analyst's flag or clearance) is an extension of the format.
 */
const Links = z
  .object({ device: z.array(Id).max(50).optional(), address: z.array(Id).max(50).optional(), payment: z.array(Id).max(50).optional() })
  .loose()
  .default({});

export const AccountRecord = z
  .object({
    type: z.literal('account'),
    id: Id,
    role: z.enum(['buyer', 'seller']).default('buyer'),
    createdAt: Instant.optional(),
    links: Links,
  })
  .loose();

export const OrderRecord = z
  .object({
    type: z.literal('order'),
    id: Id,
    buyerId: Id,
    sellerId: Id.optional(),
    placedAt: Instant,
    totalMinor: z.number().int().nonnegative().optional(),
    currency: z.string().max(16).optional(),
    delivery: z.object({ status: DeliveryStatus, at: Instant.nullable().optional() }).loose(),
  })
  .loose();

export const Phash = z.string().regex(/^[0-9a-fA-F]{16}$/, 'must be 16 hex digits (a 64-bit perceptual hash)');

export const DisputeRecord = z
  .object({
    type: z.literal('dispute'),
    id: Id,
    orderId: Id,
    openedAt: Instant,
    reason: Reason,
    claim: z.object({ remedy: Remedy, amountMinor: z.number().int().nonnegative() }).loose().optional(),
    evidence: z
      .array(z.object({ sha256: Sha256, phash: Phash.nullable().optional(), party: z.enum(['buyer', 'seller']).optional() }).loose())
      .max(1_000)
      .default([]),
    messages: z
      .array(z.object({ by: z.enum(['buyer', 'seller']), at: Instant.optional(), text: Text(20_000) }).loose())
      .max(5_000)
      .default([]),
    outcome: z.string().max(40).nullable().optional(),
  })
  .loose();

export const LabelRecord = z.object({ type: z.literal('label'), accountId: Id, at: Instant, label: AccountLabel.nullable() }).loose();

export const HistoryRecord = z.discriminatedUnion('type', [AccountRecord, OrderRecord, DisputeRecord, LabelRecord]);
export type HistoryRecord = z.infer<typeof HistoryRecord>;
export type HistoryRecordInput = z.input<typeof HistoryRecord>;
