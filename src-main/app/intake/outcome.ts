/** What intake did with one dispute (shared by intake and the buyer-risk update it feeds). */
export type IntakeOutcome =
  { id: string; result: 'created' | 'updated' | 'unchanged' } | { id: string; result: 'refused'; code: 'DUPLICATE'; message: string };
