import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';
import type { Actor, Command } from '../../src-main/engine/commands';
import { decide } from '../../src-main/engine/decide';
import type { CaseState, Decision } from '../../src-main/engine/state';

/**
 * decide() works on its own copy of the input state (engine/decide.ts draftOf, by hand since
 * issue 16 instead of structuredClone): the input is never changed, the copy is complete (a
 * command that changes nothing answers an equal state, every field and the loaders' extra
 * `version` kept), and the next state shares no object or array with the input, so a field
 * added to CaseState that holds an object and is not copied fails here.
 */
const H = 3_600_000;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const decision = (at: number, outcome: Decision['outcome']): Decision => ({
  outcome,
  amountMinor: 1_500,
  basis: 'mediator',
  decidedBy: 'm1',
  decidedAt: at,
  appealUntil: at + 48 * H,
  reasons: 'The photos show the damage.',
  policyVersion: 1,
});

/** Every field filled: requests, a proposal, a decision and one it replaced, an appeal, a refund, the handling history. */
function fullState(): CaseState & { version: number } {
  return {
    id: 'D-1',
    version: 7,
    status: 'closed',
    assignee: 'm1',
    reason: 'damaged',
    claim: { remedy: 'refund_only', amountMinor: 2_000 },
    order: { currency: 'EUR', itemPriceMinor: 1_800, shippingMinor: 200, totalMinor: 2_000, deliveryStatus: 'delivered' },
    buyerId: 'B-1',
    sellerId: 'S-1',
    buyerLabel: null,
    escalatedAt: T0 - 100 * H,
    forcedDecision: false,
    evidenceRound: 1,
    evidenceRequests: [
      {
        id: 'D-1/R1',
        party: 'buyer',
        request: 'A photo, please.',
        requestedBy: 'm1',
        requestedAt: T0 - 90 * H,
        dueAt: T0 - 42 * H,
        status: 'fulfilled',
        resolvedAt: T0 - 80 * H,
        round: 1,
      },
    ],
    proposal: {
      options: [{ kind: 'full', amountMinor: 2_000, computation: 'the total paid' }],
      recommended: 'full',
      recommendationReason: 'The item arrived broken.',
      proposedBy: 'm1',
      proposedAt: T0 - 70 * H,
      replyDueAt: T0 - 22 * H,
      replies: { buyer: 'full', seller: null },
      repliedAt: { buyer: T0 - 60 * H, seller: null },
      overrideNote: null,
      policyVersion: 1,
      endedAt: T0 - 22 * H,
    },
    decision: decision(T0 - 2 * H, 'full'),
    supersededDecisions: [decision(T0 - 20 * H, 'none')],
    appeal: {
      party: 'seller',
      grounds: 'new_evidence',
      text: 'See the invoice.',
      filedAt: T0 - 10 * H,
      status: 'overturned',
      reviewedBy: 'sup1',
      reviewedAt: T0 - 2 * H,
      reviewReasons: 'The invoice shows it.',
    },
    refund: { status: 'awaiting_return', amountMinor: 1_500, returnDueAt: T0 + 10 * H, returnTrackingNumber: null, updatedAt: T0 - 2 * H },
    handlingHistory: [{ type: 'case.decided', actor: 'm1', details: { outcome: 'full', nested: { amountMinor: 1_500 } } }],
  };
}

/** Every object and array reachable from `v`. */
function objectsOf(v: unknown, into = new Set<object>()): Set<object> {
  if (v === null || typeof v !== 'object' || into.has(v)) return into;
  into.add(v);
  for (const x of Object.values(v)) objectsOf(x, into);
  return into;
}

const system: Actor = { kind: 'system' };
const ctx = { now: T0, policy: DEFAULT_POLICY, policyVersion: 1, actor: system };

describe('decide works on its own copy of the state', () => {
  const commands: Array<{ name: string; command: Command; changes: boolean }> = [
    { name: 'a deadline no longer wanted (no change)', command: { type: 'deadline', key: 'nothing', dueAt: T0 }, changes: false },
    {
      name: "the return's deadline (the refund changed in place)",
      command: { type: 'deadline', key: 'return', dueAt: T0 + 10 * H },
      changes: true,
    },
  ];
  it.each(commands)('$name', ({ command, changes }) => {
    const state = fullState();
    const before = structuredClone(state);
    const result = decide(state, command, ctx);
    if (!result.ok) throw new Error(`refused: ${result.message}`);
    // The input as it was, and the copy complete.
    expect(state).toStrictEqual(before);
    if (changes) expect(result.next).not.toStrictEqual(before);
    else expect(result.next).toStrictEqual(before);
    // Nothing shared: changing the next state can never reach the input.
    const shared = [...objectsOf(result.next)].filter((o) => objectsOf(state).has(o));
    expect(shared).toEqual([]);
  });
});
