import type { Party } from '../contract/domain';
import type { CaseEvent } from './commands';
import type { CaseState, Decision, Ms, Refund } from './state';

/**
 * What the marketplace must act on (../shared/spec/FEED.md, "Events out"), derived from one
 * accepted change of a case: its state before and after and the engine's events. Pure; the
 * repository writes the result to the outbox in the change's own transaction, so every path
 * that changes a case (commands, the sweep's defaults, replay, reassignment) produces them.
 * `case.accepted` is written by intake, which creates the case.
 */
export type FeedEventType =
  | 'case.accepted'
  | 'evidence.requested'
  | 'resolutions.published'
  | 'decision.made'
  | 'return.instructed'
  | 'refund.instructed'
  | 'refund.cancelled'
  | 'appeal.decided'
  | 'case.final';

export interface FeedEvent {
  type: FeedEventType;
  at: Ms;
  data: Record<string, unknown>;
}

export interface FeedLetter {
  language: string;
  subject: string;
  body: string;
}
export type FeedLetters = { buyer: FeedLetter; seller: FeedLetter };
/** What a letter says beyond the decision: the return deadline, and for an appeal its verdict and who filed it. */
export interface LetterContext {
  returnDueAt: Ms | null;
  appeal?: { verdict: 'uphold' | 'overturn'; appellant: Party; reasons: string };
}

const iso = (ms: Ms) => new Date(ms).toISOString();

/** True when the change needs decision letters (the caller then loads the names they are addressed to). */
export const needsLetters = (events: readonly CaseEvent[]): boolean =>
  events.some((e) => e.type === 'case.decided' || e.type === 'appeal.reviewed');

const PAYABLE = new Set(['expected', 'processing', 'completed']);

export function feedEventsOf(
  prev: CaseState,
  next: CaseState,
  events: readonly CaseEvent[],
  lettersFor: (decision: Decision, context: LetterContext) => FeedLetters,
): FeedEvent[] {
  const out: FeedEvent[] = [];
  const push = (type: FeedEventType, at: Ms, data: Record<string, unknown>) => out.push({ type, at, data });
  const refundInstructed = (at: Ms, refund: Refund) =>
    push('refund.instructed', at, { amountMinor: refund.amountMinor, currency: next.order.currency, payee: 'buyer' });
  for (const e of events) {
    const d = e.details;
    switch (e.type) {
      case 'evidence.requested':
        push('evidence.requested', e.at, { requestId: d.requestId, party: d.party, request: d.request, dueAt: d.dueAt });
        break;
      case 'proposal.published':
        push('resolutions.published', e.at, { options: d.options, recommended: d.recommended, replyDueAt: d.replyDueAt });
        break;
      case 'case.decided': {
        if (d.basis === 'appeal') break; // told as appeal.decided, below
        const decision = next.decision!;
        push('decision.made', e.at, {
          outcome: decision.outcome,
          amountMinor: decision.amountMinor,
          basis: decision.basis,
          decidedAt: iso(decision.decidedAt),
          appealUntil: decision.appealUntil === null ? null : iso(decision.appealUntil),
          letters: lettersFor(decision, { returnDueAt: next.refund?.returnDueAt ?? null }),
        });
        if (next.refund?.status === 'awaiting_return') push('return.instructed', e.at, { returnDueAt: iso(next.refund.returnDueAt!) });
        else if (next.refund?.status === 'expected') refundInstructed(e.at, next.refund);
        break;
      }
      case 'return.received':
        if (next.refund) refundInstructed(e.at, next.refund);
        break;
      case 'refund.cancelled':
        push('refund.cancelled', e.at, { reason: typeof d.because === 'string' ? d.because : 'cancelled' });
        break;
      case 'appeal.reviewed': {
        const decision = next.decision!;
        push('appeal.decided', e.at, {
          verdict: d.verdict,
          outcome: decision.outcome,
          amountMinor: decision.amountMinor,
          letters: lettersFor(decision, {
            returnDueAt: next.refund?.returnDueAt ?? null,
            ...(next.appeal
              ? {
                  appeal: {
                    verdict: d.verdict === 'overturn' ? 'overturn' : 'uphold',
                    appellant: next.appeal.party,
                    reasons: next.appeal.reviewReasons ?? decision.reasons,
                  },
                }
              : {}),
          }),
        });
        if (d.verdict !== 'overturn') break;
        // The overturned decision's refund instruction no longer stands: cancel it, then instruct the new one.
        const before = prev.refund;
        const after = next.refund;
        const same = before && after && before.status === after.status && before.amountMinor === after.amountMinor;
        if (before && PAYABLE.has(before.status) && !same)
          push('refund.cancelled', e.at, { reason: 'the decision was overturned on appeal' });
        if (after?.status === 'awaiting_return' && before?.status !== 'awaiting_return')
          push('return.instructed', e.at, { returnDueAt: iso(after.returnDueAt!) });
        else if (after?.status === 'expected' && !same) refundInstructed(e.at, after);
        break;
      }
    }
  }
  if (next.status === 'final' && prev.status !== 'final') push('case.final', events.at(-1)?.at ?? next.decision?.decidedAt ?? 0, {});
  return out;
}
