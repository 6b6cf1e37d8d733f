import { z } from 'zod';
import { AccountLabel, AppealGrounds, CaseStatus, Outcome, Party, Reason, ReplyChoice, Role } from './domain';
import { Dispute } from './dispute';
import { Id, Minor, RequiredText, Sha256, Text } from './primitives';

/** Who may call a method. Roles are signed-in users; 'intake' is the marketplace feed; 'system' the clock. */
export type Caller = Role | 'intake' | 'system';

const CaseRef = z.object({ caseId: Id }).strict();
const FileDescription = z
  .object({
    name: RequiredText(255),
    mediaType: RequiredText(100),
    sizeBytes: z.number().int().nonnegative(),
    sha256: Sha256,
  })
  .strict();

export const QueueFilter = z
  .object({
    scope: z.enum(['mine', 'unassigned', 'all']).default('unassigned'),
    status: z.array(CaseStatus).max(7).optional(),
    reason: z.array(Reason).max(12).optional(),
    country: z.string().regex(/^[A-Z]{2}$/).optional(),
    minAmountMinor: Minor.optional(),
    maxAmountMinor: Minor.optional(),
    overdue: z.boolean().optional(),
    search: Text(200).optional(),
    /** Keyset cursor: the last row of the previous page. */
    after: z.object({ sortKey: z.number().int(), id: Id }).strict().optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();

/**
 * The one contract: every method any carrier (IPC, HTTP, replay) may call,
 * with its input schema and who may call it. Handlers' types derive from this table.
 */
export const methods = {
  'intake.dispute': { input: Dispute, who: ['intake'] },
  'case.claim': { input: CaseRef, who: ['mediator', 'supervisor'] },
  'case.claimNext': { input: z.object({}).strict(), who: ['mediator', 'supervisor'] },
  'case.assign': { input: z.object({ caseId: Id, userId: Id }).strict(), who: ['supervisor'] },
  'case.requestEvidence': {
    input: z.object({ caseId: Id, party: Party, request: RequiredText(2_000) }).strict(),
    who: ['mediator', 'supervisor'],
  },
  'party.submitEvidence': {
    input: z.object({ caseId: Id, party: Party, file: FileDescription, note: Text(2_000).optional() }).strict(),
    who: ['intake'],
  },
  'case.propose': {
    input: z.object({ caseId: Id, partialAmountMinor: z.number().int().optional(), note: Text(2_000).optional() }).strict(),
    who: ['mediator', 'supervisor'],
  },
  'party.reply': { input: z.object({ caseId: Id, party: Party, choice: ReplyChoice }).strict(), who: ['intake'] },
  'case.decide': {
    input: z
      .object({ caseId: Id, outcome: Outcome, amountMinor: z.number().int().optional(), reasons: RequiredText(10_000) })
      .strict(),
    who: ['mediator', 'supervisor'],
  },
  'party.shipReturn': { input: z.object({ caseId: Id, trackingNumber: RequiredText(100) }).strict(), who: ['intake'] },
  'party.confirmReturn': { input: CaseRef, who: ['intake'] },
  'party.appeal': {
    input: z.object({ caseId: Id, party: Party, grounds: AppealGrounds, text: RequiredText(10_000) }).strict(),
    who: ['intake'],
  },
  'appeal.review': {
    input: z
      .object({
        caseId: Id,
        verdict: z.enum(['uphold', 'overturn']),
        outcome: Outcome.optional(),
        amountMinor: z.number().int().optional(),
        reasons: RequiredText(10_000),
      })
      .strict(),
    who: ['supervisor'],
  },
  'account.flag': { input: z.object({ accountId: Id, label: AccountLabel, note: RequiredText(2_000) }).strict(), who: ['analyst'] },
  'system.tick': { input: z.object({}).strict().optional(), who: ['system'] },

  // Queries the screens need.
  'case.get': { input: CaseRef, who: ['mediator', 'supervisor', 'analyst'] },
  'queue.list': { input: QueueFilter, who: ['mediator', 'supervisor', 'analyst'] },
  'queue.counts': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  'session.me': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
} as const satisfies Record<string, { input: z.ZodType; who: readonly Caller[] }>;

export type MethodName = keyof typeof methods;
export type MethodInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
export type MethodRawInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const isMethodName = (s: string): s is MethodName => Object.prototype.hasOwnProperty.call(methods, s);

