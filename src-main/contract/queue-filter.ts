import { z } from 'zod';
import { CaseStatus, Reason } from './domain';
import { Currency, Id, Minor, Text } from './primitives';

/*
 * The queue's filter and order, apart from the method table (methods.ts re-exports them), so the
 * renderer's start chunk reads a filter from the address without every method's schema (issue 16).
 */

/**
 * The queue columns the server sorts by: when a case was escalated, the claimed amount, the next
 * deadline, the buyer's stored fraud-pattern score (`risk`).
 */
export const QueueSortBy = z.enum(['escalated', 'claim', 'deadline', 'risk']);
export type QueueSortBy = z.output<typeof QueueSortBy>;
/**
 * A queue's order. Absent: each tab's own (Mine: what needs action first; the others: escalated
 * longest ago first). Every sort ends on the case id, so pages never repeat or skip a row. Claims
 * compare as stored minor units (filter by currency to compare like with like); cases without a
 * running deadline come after every deadline. By risk, a buyer's cases come together (ties on the
 * score go by buyer id, then case id). A buyer not scored yet (imported before the score existed,
 * until a full recompute) sorts below every score in Mine; the other tabs walk the scored buyers
 * by their score's index, so by risk they leave that buyer's cases out (every other order lists them).
 */
export const QueueSort = z
  .object({
    by: QueueSortBy,
    dir: z.enum(['asc', 'desc'], { message: 'must be "asc" (smallest or earliest first) or "desc"' }),
  })
  .strict();
export type QueueSort = z.output<typeof QueueSort>;

const QueueFilterFields = z
  .object({
    scope: z.enum(['mine', 'unassigned', 'all']).default('unassigned'),
    status: z.array(CaseStatus).max(7).optional(),
    reason: z.array(Reason).max(12).optional(),
    /** The buyer's country (ISO-3166 alpha-2). */
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO-3166 alpha-2 code such as DE')
      .optional(),
    /** Only claims in this currency (an amount range is meant in one currency). */
    currency: Currency.optional(),
    /** Claimed amount range, in minor units of the case's own currency. */
    minAmountMinor: Minor.optional(),
    maxAmountMinor: Minor.optional(),
    /** Only buyers whose fraud-pattern score is at least this (0–100). */
    riskMin: z.number().int('must be a whole number').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100').optional(),
    /** Only buyers an analyst flagged as serial disputers. */
    flagged: z.boolean().optional(),
    /** A deadline passed: due and not yet swept, a forced decision, or back in review after a missed evidence deadline. */
    overdue: z.boolean().optional(),
    /** Only the open cases of this assignee (scope "all"; the team view's reassignment list). */
    assignee: Id.optional(),
    search: Text(200).optional(),
    sort: QueueSort.optional(),
    /** Keyset cursor: the last row of the previous page. */
    after: z.object({ sortKey: z.number().int(), id: Id }).strict().optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();

/** A queue filter as a saved view keeps it: no cursor, no page size. */
export const SavedFilter = QueueFilterFields.omit({ after: true, limit: true });
export type SavedFilter = z.output<typeof SavedFilter>;

export const amountRangeInOrder = (f: { minAmountMinor?: number | undefined; maxAmountMinor?: number | undefined }) =>
  f.minAmountMinor === undefined || f.maxAmountMinor === undefined || f.minAmountMinor <= f.maxAmountMinor;
export const AMOUNT_RANGE_MESSAGE = { message: 'must not be below the minimum amount', path: ['maxAmountMinor'] };

export const QueueFilter = QueueFilterFields.refine(amountRangeInOrder, AMOUNT_RANGE_MESSAGE);
