import { z } from 'zod';
import { DeliveryStatus, Party, Reason, Remedy, LinkKind } from './domain';
import { Currency, Id, Instant, Minor, PositiveMinor, RequiredText, Sha256, Text } from './primitives';

const Links = z
  .object({
    device: z.array(Id).max(50).default([]),
    address: z.array(Id).max(50).default([]),
    payment: z.array(Id).max(50).default([]),
  })
  .strict()
  .partial()
  .default({});

export const LinkKinds = LinkKind.options;

export const EvidenceMeta = z
  .object({
    party: Party,
    name: RequiredText(255),
    mediaType: RequiredText(100),
    sizeBytes: z.number().int().nonnegative(),
    sha256: Sha256,
    submittedAt: Instant,
  })
  .strict();

/** An escalated dispute as the marketplace feed delivers it (SCENARIOS.md, "An escalated dispute"). */
export const Dispute = z
  .object({
    id: Id,
    openedAt: Instant,
    escalatedAt: Instant,
    reason: Reason,
    claim: z.object({ remedy: Remedy, amountMinor: PositiveMinor }).strict(),
    description: Text(10_000).default(''),
    order: z
      .object({
        id: Id,
        placedAt: Instant,
        shippedAt: Instant.nullable().optional(),
        currency: Currency,
        itemPriceMinor: Minor,
        shippingMinor: Minor,
        totalMinor: PositiveMinor,
        item: z.object({ title: RequiredText(500), quantity: z.number().int().min(1) }).strict(),
        tracking: z
          .object({
            number: Text(100).nullable().optional(),
            carrier: Text(100).nullable().optional(),
            status: DeliveryStatus,
            deliveredAt: Instant.nullable().optional(),
          })
          .strict(),
      })
      .strict(),
    buyer: z
      .object({ id: Id, name: RequiredText(200), country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code'), createdAt: Instant.optional(), links: Links })
      .strict(),
    seller: z
      .object({ id: Id, name: RequiredText(200), country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code'), createdAt: Instant.optional(), links: Links })
      .strict(),
    negotiation: z
      .array(
        z
          .object({ at: Instant, by: Party, remedy: Remedy, amountMinor: Minor, comment: Text(5_000).default('') })
          .strict(),
      )
      .max(500)
      .default([]),
    messages: z.array(z.object({ at: Instant, by: Party, text: Text(20_000) }).strict()).max(5_000).default([]),
    evidence: z.array(EvidenceMeta).max(1_000).default([]),
  })
  .strict()
  .superRefine((d, ctx) => {
    // Cross-field rules a single field cannot express; each names the field a person must fix.
    if (d.claim.amountMinor > d.order.totalMinor)
      ctx.addIssue({ code: 'custom', path: ['claim', 'amountMinor'], message: `must not exceed the order total (${d.order.totalMinor})` });
    if (d.order.itemPriceMinor + d.order.shippingMinor > d.order.totalMinor)
      ctx.addIssue({ code: 'custom', path: ['order', 'totalMinor'], message: 'must be at least item price plus shipping' });
    if (Date.parse(d.escalatedAt) < Date.parse(d.openedAt))
      ctx.addIssue({ code: 'custom', path: ['escalatedAt'], message: 'must not be before openedAt' });
    if (d.buyer.id === d.seller.id)
      ctx.addIssue({ code: 'custom', path: ['seller', 'id'], message: 'must differ from the buyer id' });
  });
export type Dispute = z.infer<typeof Dispute>;
export type DisputeInput = z.input<typeof Dispute>;
