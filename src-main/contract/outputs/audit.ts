import { z } from 'zod';

/** What `audit.integrity` answers: the start-up check of the audit chain (app/audit/integrity.ts). */
export const IntegrityView = z.object({
  /** checking: still walking; done: both checks ran; failed: the check itself could not run (see the log). */
  state: z.enum(['checking', 'done', 'failed']),
  /** The whole history was walked (not only the events since the last start). */
  fullCheck: z.boolean(),
  checkedAt: z.string().nullable(),
  /** Cases whose history or amounts no longer match; `cases` lists the first 100. */
  brokenCases: z.number().int(),
  cases: z.array(z.object({ caseId: z.string(), problems: z.array(z.string()) })),
});
export type IntegrityView = z.output<typeof IntegrityView>;

export interface AuditOutputs {
  'audit.integrity': IntegrityView;
}
