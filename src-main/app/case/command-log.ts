import type { MethodName } from '../../contract/methods';
import { insertCaseCommand, type NewLoggedCommand } from '../../db/repos/commands';
import type { WriteTx } from '../../db/tx';
import type { Actor, Command } from '../../engine/commands';

/**
 * The command log: every accepted case command as the contract call that would make it
 * again (method + input), with its instant and actor. A policy preview replays these
 * through the same dispatch the screens use. The sweep's deadlines are not logged: the
 * replay's own sweep derives them from the clock. The rows live in db/repos/commands.ts.
 */
export { commandLogOf, type LoggedCommand } from '../../db/repos/commands';

/**
 * The contract call that makes `command` on `caseId`. Calls that chose their case
 * (`case.claimNext`) or named several (`case.assignMany`) are logged as the single-case
 * call they amounted to, so a replay of a few cases does the same thing to each.
 */
export function contractCallOf(caseId: string, c: Command): { method: MethodName; input: Record<string, unknown> } | null {
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (c.type) {
    case 'claim':
      return { method: 'case.claim', input: { caseId } };
    case 'assign':
      return { method: 'case.assign', input: { caseId, userId: c.userId } };
    case 'release':
      return { method: 'case.release', input: { caseId, reason: c.reason } };
    case 'requestEvidence':
      return { method: 'case.requestEvidence', input: { caseId, party: c.party, request: c.request } };
    case 'submitEvidence': {
      // The description form of SCENARIOS.md, never the bytes; `file` as it was for one file, `files` for several.
      const described = c.files.map(({ name, mediaType, sizeBytes, sha256 }) => ({ name, mediaType, sizeBytes, sha256 }));
      const which = described.length === 1 ? { file: described[0] } : { files: described };
      return { method: 'party.submitEvidence', input: defined({ caseId, party: c.party, ...which, note: c.note }) };
    }
    case 'propose':
      return { method: 'case.propose', input: defined({ caseId, partialAmountMinor: c.partialAmountMinor, note: c.note }) };
    case 'reply':
      return { method: 'party.reply', input: { caseId, party: c.party, choice: c.choice } };
    case 'decide':
      return { method: 'case.decide', input: defined({ caseId, outcome: c.outcome, amountMinor: c.amountMinor, reasons: c.reasons }) };
    case 'shipReturn':
      return { method: 'party.shipReturn', input: { caseId, trackingNumber: c.trackingNumber } };
    case 'confirmReturn':
      return { method: 'party.confirmReturn', input: { caseId } };
    case 'appeal':
      return { method: 'party.appeal', input: { caseId, party: c.party, grounds: c.grounds, text: c.text } };
    case 'reviewAppeal':
      return {
        method: 'appeal.review',
        input: defined({ caseId, verdict: c.verdict, outcome: c.outcome, amountMinor: c.amountMinor, reasons: c.reasons }),
      };
    case 'refundUpdate':
      return { method: 'refund.update', input: defined({ caseId, status: c.status, reference: c.reference, reason: c.reason }) };
    case 'deadline':
      return null;
  }
}

const actorColumns = (a: Actor) => (a.kind === 'user' ? { actor_id: a.id, actor_role: a.role } : { actor_id: a.kind, actor_role: a.kind });

/** The command log row of one accepted command; null when it is not logged (the sweep's deadlines, the system). */
export function commandLogRow(caseId: string, command: Command, actor: Actor, at: number): NewLoggedCommand | null {
  const call = contractCallOf(caseId, command);
  if (!call || actor.kind === 'system') return null;
  return { case_id: caseId, at, ...actorColumns(actor), method: call.method, input: JSON.stringify(call.input) };
}

/** Writes one accepted command; call inside the command's transaction. */
export async function logCommand(tx: WriteTx, caseId: string, command: Command, actor: Actor, at: number): Promise<void> {
  const row = commandLogRow(caseId, command, actor, at);
  if (row) await insertCaseCommand(tx, row);
}
