import type { ErrorCode } from '../contract/errors';
import type { Refund } from './state';

/**
 * DOMAIN.md rule 10 and FEED.md's refund.update: the marketplace reports how a payable refund
 * moves, `expected → processing → completed`, or to `failed` with a reason. Reporting the
 * stage the refund is already at again is a no-op (the marketplace retries); anything else
 * is INVALID_STATE. Pure: the caller dates the change.
 */
export type RefundStage = 'processing' | 'completed' | 'failed';

export interface RefundUpdate {
  status: RefundStage;
  reference?: string | undefined;
  reason?: string | undefined;
}

export type RefundStageResult =
  { ok: true; changed: false } | { ok: true; changed: true; refund: Refund } | { ok: false; code: ErrorCode; message: string };

const ALLOWED: Record<RefundStage, readonly string[]> = {
  processing: ['expected'],
  completed: ['processing'],
  failed: ['expected', 'processing'],
};

export function nextRefundStage(refund: Refund | null, update: RefundUpdate, now: number): RefundStageResult {
  if (update.status === 'failed' && !update.reason?.trim())
    return { ok: false, code: 'VALIDATION', message: 'A failed refund needs a reason (reason), so the mediator can act on it.' };
  if (!refund) return { ok: false, code: 'INVALID_STATE', message: 'This case has no refund: its decision refunds nothing.' };
  if (refund.status === update.status) {
    // A retried report changes nothing; a different reference for the same stage is a contradiction.
    if (update.reference !== undefined && refund.reference && refund.reference !== update.reference)
      return {
        ok: false,
        code: 'INVALID_STATE',
        message: `The refund is already ${refund.status} with reference ${refund.reference}; a different reference cannot replace it.`,
      };
    return { ok: true, changed: false };
  }
  if (!ALLOWED[update.status].includes(refund.status))
    return {
      ok: false,
      code: 'INVALID_STATE',
      message: `The refund is ${refund.status}; it cannot become ${update.status} (a refund moves expected → processing → completed, or to failed with a reason).`,
    };
  return {
    ok: true,
    changed: true,
    refund: {
      ...refund,
      status: update.status,
      reference: update.reference ?? refund.reference ?? null,
      failureReason: update.status === 'failed' ? update.reason!.trim() : null,
      updatedAt: now,
    },
  };
}
