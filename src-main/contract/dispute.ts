import { z } from 'zod';
import { DeliveryStatus, Party, Reason, Remedy, LinkKind } from './domain';
import { Currency, Id, Instant, Minor, PositiveMinor, RequiredText, Sha256, Text, toMs } from './primitives';

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

/**
 * An evidence entry of the `import` command's NDJSON: the description as above, or `file`, the
 * path of the file itself relative to the NDJSON's folder. With a file, its type, size and
 * sha256 come from its bytes (given ones must match them) and the name defaults to the file's.
 * Only the command line reads files: the `intake.dispute` method takes descriptions only.
 */
export const ImportedEvidence = z
  .object({
    party: Party,
    file: z.string().min(1, 'must not be empty').max(1_024, 'is longer than 1024 characters').optional(),
    name: RequiredText(255).optional(),
    mediaType: RequiredText(100).optional(),
    sizeBytes: z.number().int().nonnegative().optional(),
    sha256: Sha256.optional(),
    submittedAt: Instant,
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.file !== undefined) return;
    for (const key of ['name', 'mediaType', 'sizeBytes', 'sha256'] as const)
      if (e[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: 'is required (or give "file": the path of the file next to the NDJSON)' });
  });
export type ImportedEvidence = z.infer<typeof ImportedEvidence>;

/**
 * The language a party reads (a BCP-47 tag such as "pt-BR"); letters fall back to the
 * country's language, then English, when it is missing or not one the desk writes.
 */
const LanguageTag = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'must be a language tag such as "pt-BR" or "ru"');

/**
 * The buyer's orders on the whole marketplace, as of the dispute (optional): orders placed and,
 * of those, delivered by the carrier, since `since` (default: since the account was opened).
 * The desk learns of orders only through disputes; with this the buyer-risk rates have their
 * real denominator ("4 disputes on 120 orders" rather than "on 4 orders").
 */
export const OrderHistory = z
  .object({
    placed: z.number().int().nonnegative().max(10_000_000),
    delivered: z.number().int().nonnegative().max(10_000_000),
    since: Instant.optional(),
  })
  .strict()
  .refine((h) => h.delivered <= h.placed, { path: ['delivered'], message: 'must not exceed placed' })
  .describe(
    "The buyer's orders on the whole marketplace as of the dispute: placed, of those delivered by the carrier, since an instant (default: the account's opening). Optional; the buyer-risk rates use it as their denominator, the latest report replacing the last.",
  );
export type OrderHistory = z.infer<typeof OrderHistory>;

const DisputeFields = z
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
      .object({
        id: Id,
        name: RequiredText(200),
        country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code'),
        language: LanguageTag.optional(),
        createdAt: Instant.optional(),
        links: Links,
        orderHistory: OrderHistory.optional(),
      })
      .strict(),
    seller: z
      .object({
        id: Id,
        name: RequiredText(200),
        country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code'),
        language: LanguageTag.optional(),
        createdAt: Instant.optional(),
        links: Links,
      })
      .strict(),
    negotiation: z
      .array(z.object({ at: Instant, by: Party, remedy: Remedy, amountMinor: Minor, comment: Text(5_000).default('') }).strict())
      .max(500)
      .default([]),
    messages: z
      .array(z.object({ at: Instant, by: Party, text: Text(20_000) }).strict())
      .max(5_000)
      .default([]),
    evidence: z.array(EvidenceMeta).max(1_000).default([]),
  })
  .strict();

/** Cross-field rules a single field cannot express; each names the field a person must fix. */
function disputeRules(d: Omit<z.infer<typeof DisputeFields>, 'evidence'>, ctx: z.RefinementCtx): void {
  if (d.claim.amountMinor > d.order.totalMinor)
    ctx.addIssue({ code: 'custom', path: ['claim', 'amountMinor'], message: `must not exceed the order total (${d.order.totalMinor})` });
  if (d.order.itemPriceMinor + d.order.shippingMinor > d.order.totalMinor)
    ctx.addIssue({ code: 'custom', path: ['order', 'totalMinor'], message: 'must be at least item price plus shipping' });
  if (toMs(d.escalatedAt) < toMs(d.openedAt))
    ctx.addIssue({ code: 'custom', path: ['escalatedAt'], message: 'must not be before openedAt' });
  if (d.buyer.id === d.seller.id) ctx.addIssue({ code: 'custom', path: ['seller', 'id'], message: 'must differ from the buyer id' });
}

/** An escalated dispute as the marketplace feed delivers it (SCENARIOS.md, "An escalated dispute"). */
export const Dispute = DisputeFields.superRefine(disputeRules);
/** A line of the `import` command's NDJSON: a Dispute whose evidence may name files next to it. */
export const DisputeWithFiles = DisputeFields.extend({ evidence: z.array(ImportedEvidence).max(1_000).default([]) }).superRefine(
  disputeRules,
);
export type DisputeWithFiles = z.infer<typeof DisputeWithFiles>;
export type Dispute = z.infer<typeof Dispute>;
export type DisputeInput = z.input<typeof Dispute>;
