import { z } from 'zod';

/** What the marketplace feed hears back for one dispute (a DUPLICATE is refused with an error instead). */
export const IntakeResult = z.object({
  caseId: z.string(),
  result: z.enum(['created', 'updated', 'unchanged']),
});
export type IntakeResult = z.output<typeof IntakeResult>;

/** What the intake methods answer. */
export interface IntakeOutputs {
  'intake.dispute': IntakeResult;
}
