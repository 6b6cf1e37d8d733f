import { describe, expect, it } from 'vitest';
import { nextRefundStage, type RefundStage } from '../../src-main/engine/refund-stage';
import type { Refund } from '../../src-main/engine/state';
import type { RefundStatus } from '../../src-main/contract/domain';

/** DOMAIN.md rule 10 / FEED.md refund.update: expected → processing → completed, or failed with a reason. */
const refund = (status: RefundStatus, reference: string | null = null): Refund => ({
  status,
  amountMinor: 1_500,
  returnDueAt: null,
  returnTrackingNumber: null,
  updatedAt: 0,
  reference,
  failureReason: null,
});

const ALL: RefundStatus[] = ['awaiting_return', 'return_in_transit', 'expected', 'processing', 'completed', 'failed', 'cancelled'];
const STAGES: RefundStage[] = ['processing', 'completed', 'failed'];
const ALLOWED = new Set(['expected>processing', 'processing>completed', 'expected>failed', 'processing>failed']);

describe('refund stages', () => {
  it.each(ALL.flatMap((from) => STAGES.map((to) => [from, to] as const)))('%s → %s', (from, to) => {
    const r = nextRefundStage(refund(from), { status: to, reason: 'card expired' }, 42);
    if (from === to) expect(r).toEqual({ ok: true, changed: false });
    else if (ALLOWED.has(`${from}>${to}`)) {
      expect(r.ok && r.changed && r.refund).toMatchObject({ status: to, updatedAt: 42, amountMinor: 1_500 });
      if (r.ok && r.changed) expect(r.refund.failureReason).toBe(to === 'failed' ? 'card expired' : null);
    } else expect(r).toMatchObject({ ok: false, code: 'INVALID_STATE' });
  });

  it('needs a reason to fail, a refund to move, and keeps the first reference', () => {
    expect(nextRefundStage(refund('processing'), { status: 'failed', reason: '  ' }, 1)).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(nextRefundStage(null, { status: 'processing' }, 1)).toMatchObject({ ok: false, code: 'INVALID_STATE' });
    const p = nextRefundStage(refund('expected'), { status: 'processing', reference: 'PAY-1' }, 1);
    expect(p.ok && p.changed && p.refund.reference).toBe('PAY-1');
    const c = nextRefundStage(refund('processing', 'PAY-1'), { status: 'completed' }, 2);
    expect(c.ok && c.changed && c.refund.reference).toBe('PAY-1');
    expect(nextRefundStage(refund('processing', 'PAY-1'), { status: 'processing', reference: 'PAY-2' }, 3)).toMatchObject({
      ok: false,
      code: 'INVALID_STATE',
    });
  });
});
