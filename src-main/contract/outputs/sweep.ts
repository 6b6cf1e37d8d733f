import { z } from 'zod';

/** What one run of the deadline sweep answers: how many due deadlines it applied. */
export const TickResult = z.object({ applied: z.number().int().nonnegative() });
export type TickResult = z.output<typeof TickResult>;

/** What the clock's methods answer. */
export interface SweepOutputs {
  'system.tick': TickResult;
}
