import { z } from 'zod';
import { AccountLabel, AppealGrounds, Outcome, Party, ReplyChoice, Role } from './domain';
import { Dispute } from './dispute';
import { AMOUNT_RANGE_MESSAGE, amountRangeInOrder, QueueFilter, SavedFilter } from './queue-filter';
import { Id, RequiredText, Sha256, Text } from './primitives';
import { evidenceMethods } from './evidence';
import { supervisionMethods } from './supervision';
import { reportsMethods, type ReportsOutputs } from './reports';
import { presenceMethods, type PresenceOutputs } from './presence';
import { auditMethods } from './audit';
import type { AuditOutputs } from './outputs/audit';
import { feedMethods, type FeedOutputs } from './feed';
import { importMethods, type ImportOutputs } from './imports';
import { accountsMethods } from './accounts';
import { scorecardMethods, type ScorecardOutputs } from './scorecards';
import { caseworkMethods, type CaseworkOutputs } from './casework';
import type { AccountsOutputs } from './outputs/accounts';
import type { CaseOutputs } from './outputs/case';
import type { EvidenceOutputs } from './outputs/evidence';
import type { IntakeOutputs } from './outputs/intake';
import type { QueueOutputs } from './outputs/queue';
import type { RiskOutputs } from './outputs/risk';
import type { SessionOutputs } from './outputs/session';
import type { SupervisionOutputs } from './outputs/supervision';
import type { SweepOutputs } from './outputs/sweep';

/** Who may call a method. Roles are signed-in users; 'intake' is the marketplace feed; 'system' the clock; 'anonymous' no session (first-run, one-time codes). */
export type Caller = Role | 'intake' | 'system' | 'anonymous';

const CaseRef = z.object({ caseId: Id }).strict();
/**
 * The case version (CaseView.version) the dialog was filled in against: the command is
 * refused with STALE when the case changed since, so nobody acts on a state they have not seen.
 */
const BasedOnVersion = z.number().int().nonnegative().optional();
const FileDescription = z
  .object({
    name: RequiredText(255),
    mediaType: RequiredText(100),
    sizeBytes: z.number().int().nonnegative(),
    sha256: Sha256,
  })
  .strict();

/** The largest file the JSON form carries (base64 of 256 MiB); the policy's per-kind limits apply first. */
export const MAX_FILE_BASE64_CHARS = 4 * Math.ceil((256 * 1_048_576) / 3);
/**
 * A file's bytes, base64: its type and size come from the bytes (the name is metadata only,
 * sanitised). Bigger videos belong on a streaming upload route rather than in one JSON value.
 */
const FileBytes = z
  .object({
    name: RequiredText(1_000),
    contentBase64: z
      .string()
      .min(1, 'must not be empty')
      .max(MAX_FILE_BASE64_CHARS, 'is larger than 256 MB')
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64 (A–Z, a–z, 0–9, +, /, then = padding)'),
  })
  .strict();

/** One evidence file as `party.submitEvidence` takes it: described, or with its bytes. */
const EvidenceFile = z.union([FileDescription, FileBytes]);
/** How many files one answer to an evidence request may carry. */
export const MAX_EVIDENCE_FILES = 10;

export { QueueSortBy, QueueSort, SavedFilter, QueueFilter } from './queue-filter';

/**
 * The one contract: every method any carrier (IPC, HTTP, replay) may call,
 * with its input schema and who may call it. Handlers' types derive from this table.
 */
export const methods = {
  'intake.dispute': { input: Dispute, who: ['intake'] },
  'case.claim': { input: CaseRef, who: ['mediator', 'supervisor'] },
  'case.claimNext': { input: z.object({}).strict(), who: ['mediator', 'supervisor'] },
  'case.assign': { input: z.object({ caseId: Id, userId: Id }).strict(), who: ['supervisor'] },
  /** Gives a case back to the unassigned queue (the assignee or a supervisor; the reason is audited). */
  'case.release': { input: z.object({ caseId: Id, reason: RequiredText(500) }).strict(), who: ['mediator', 'supervisor'] },
  'case.requestEvidence': {
    input: z.object({ caseId: Id, party: Party, request: RequiredText(2_000), basedOnVersion: BasedOnVersion }).strict(),
    who: ['mediator', 'supervisor'],
  },
  'party.submitEvidence': {
    // The description (replay, a feed that keeps the bytes itself) or the bytes (app/evidence/intake.ts);
    // one `file`, or `files` when one answer needs several (all sides of the damage, a photo and a video).
    input: z
      .object({
        caseId: Id,
        party: Party,
        file: EvidenceFile.optional(),
        files: z
          .array(EvidenceFile)
          .min(1, 'must hold at least one file')
          .max(MAX_EVIDENCE_FILES, `may hold at most ${MAX_EVIDENCE_FILES} files; send the rest as their own answer to a new request`)
          .optional(),
        note: Text(2_000).optional(),
      })
      .strict()
      .superRefine((i, ctx) => {
        if (i.file !== undefined && i.files !== undefined)
          ctx.addIssue({ code: 'custom', path: ['files'], message: 'send either file or files, not both' });
        else if (i.file === undefined && i.files === undefined)
          ctx.addIssue({ code: 'custom', path: ['file'], message: 'is required (or files, a list of up to 10 files)' });
      }),
    who: ['intake'],
  },
  'case.propose': {
    input: z
      .object({ caseId: Id, partialAmountMinor: z.number().int().optional(), note: Text(2_000).optional(), basedOnVersion: BasedOnVersion })
      .strict(),
    who: ['mediator', 'supervisor'],
  },
  'party.reply': { input: z.object({ caseId: Id, party: Party, choice: ReplyChoice }).strict(), who: ['intake'] },
  'case.decide': {
    input: z
      .object({
        caseId: Id,
        outcome: Outcome,
        amountMinor: z.number().int().optional(),
        reasons: RequiredText(10_000),
        basedOnVersion: BasedOnVersion,
        /** Why, when the decision is far from the nearest past decisions (case.consistency): then required; kept as an internal note. */
        consistencyNote: Text(2_000).optional(),
      })
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
  /** A mediator's translation of one party message, shown beside the original; empty text removes it. */
  'case.translateMessage': {
    input: z.object({ caseId: Id, messageSeq: z.number().int().min(0), text: Text(20_000) }).strict(),
    who: ['mediator', 'supervisor'],
  },
  'queue.list': { input: QueueFilter, who: ['mediator', 'supervisor', 'analyst'] },
  'queue.counts': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  'session.me': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  'case.search': {
    input: z.object({ query: RequiredText(200), limit: z.number().int().min(1).max(50).default(20) }).strict(),
    who: ['mediator', 'supervisor', 'analyst'],
  },
  /** What `case.propose` would publish now (same engine computation), for the propose dialog. */
  'case.previewProposal': {
    input: z.object({ caseId: Id, partialAmountMinor: z.number().int().optional() }).strict(),
    who: ['mediator', 'supervisor'],
  },
  'views.list': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  'views.save': {
    input: z
      .object({ id: Id.optional(), name: RequiredText(80), filter: SavedFilter.refine(amountRangeInOrder, AMOUNT_RANGE_MESSAGE) })
      .strict(),
    who: ['mediator', 'supervisor', 'analyst'],
  },
  'views.delete': { input: z.object({ id: Id }).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  'templates.list': { input: z.object({}).strict(), who: ['mediator', 'supervisor', 'analyst'] },
  /** The analysts' screen: buyers by fraud-pattern score, highest first (keyset on score desc, buyer id). */
  'risk.list': {
    input: z
      .object({
        limit: z.number().int().min(1).max(200).default(50),
        after: z
          .object({ score: z.number().int().min(0).max(100), buyerId: Id })
          .strict()
          .optional(),
        minScore: z
          .number()
          .int('must be a whole number')
          .min(0, 'must be between 0 and 100')
          .max(100, 'must be between 0 and 100')
          .optional(),
        label: z.enum(['serial_disputer', 'cleared', 'none']).optional(),
      })
      .strict(),
    who: ['supervisor', 'analyst'],
  },
  'risk.get': { input: z.object({ buyerId: Id }).strict(), who: ['supervisor', 'analyst'] },
  /** The fairness monitor: scores and labels by country, account age and order volume (aggregates only). */
  'risk.fairness': { input: z.object({}).strict(), who: ['supervisor', 'analyst'] },
  ...supervisionMethods,
  ...reportsMethods,
  ...evidenceMethods,
  ...presenceMethods,
  ...auditMethods,
  ...feedMethods,
  ...importMethods,
  ...accountsMethods,
  ...scorecardMethods,
  ...caseworkMethods,
} as const satisfies Record<string, { input: z.ZodType; who: readonly Caller[] }>;

export type MethodName = keyof typeof methods;
export type MethodInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>;
export type MethodRawInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>;

/**
 * What every method answers, as JSON-safe types (ISO strings, integer minor units): one
 * map per area in contract/outputs/. Handlers are typed `Promise<MethodOutput<M>>` and the
 * renderer's client returns it, so a change on either side fails the typecheck.
 */
export interface MethodOutputs
  extends
    CaseOutputs,
    QueueOutputs,
    IntakeOutputs,
    EvidenceOutputs,
    RiskOutputs,
    SessionOutputs,
    SweepOutputs,
    SupervisionOutputs,
    ReportsOutputs,
    PresenceOutputs,
    AuditOutputs,
    FeedOutputs,
    ImportOutputs,
    AccountsOutputs,
    ScorecardOutputs,
    CaseworkOutputs {}
export type MethodOutput<M extends MethodName> = MethodOutputs[M];

/** Compile-time checks: a method without an output, or an output without a method, fails here and names it. */
type Never<T extends never> = T;
export type MethodsWithoutOutput = Never<Exclude<MethodName, keyof MethodOutputs>>;
export type OutputsWithoutMethod = Never<Exclude<keyof MethodOutputs, MethodName>>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const isMethodName = (s: string): s is MethodName => Object.prototype.hasOwnProperty.call(methods, s);
