import { z } from 'zod';

/** The audit trail's integrity (issue 14): spread into the one method table in methods.ts. */
export const auditMethods = {
  /** The start-up check of the tamper-evident audit chain: which cases' histories no longer match. */
  'audit.integrity': { input: z.object({}).strict(), who: ['supervisor'] },
} as const;
