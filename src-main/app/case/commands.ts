import { AppFailure } from '../../contract/errors';
import type { CommandResult } from '../../contract/outputs/case';
import type { Actor, Command, EngineResult } from '../../engine/commands';
import { decide } from '../../engine/decide';
import { appendEvents, ConcurrentUpdate, loadCaseState, saveCaseState } from '../../db/repos/case';
import type { Db } from '../../db/connect';
import { inWriteTx, type WriteTx } from '../../db/tx';
import { currentPolicy } from '../../db/repos/policy';
import { logCommand } from './command-log';
import { sampleDecisionForQuality } from '../supervision/quality';
import { sweep } from '../sweep/sweep';

/**
 * One use case = one transaction: load the case, ask the engine, write state, events and
 * deadlines. A refusal writes only its audit event and is rethrown as an AppFailure.
 */
export interface CommandOptions {
  /** Writes that belong to the same transaction as the accepted command (e.g. a stored file's row). */
  alsoInTransaction?: (tx: WriteTx, result: Extract<EngineResult, { ok: true }>) => Promise<void>;
}

export async function runCaseCommand(
  db: Db,
  caseId: string,
  command: Command,
  actor: Actor,
  now: number,
  options: CommandOptions = {},
): Promise<CommandResult> {
  // Deadlines of this case due at or before `now` are applied first (DOMAIN.md: at the
  // deadline the default applies; SCENARIOS.md: due deadlines are swept before each step),
  // so a command never acts on a state the clock has already moved past, even when the
  // sweep timer has not fired yet. A deadline command is the sweep itself.
  if (command.type !== 'deadline') await sweep(db, now, { caseId });
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptCommand(db, caseId, command, actor, now, options);
    } catch (e) {
      // Another desktop changed the case between our read and write: read again and retry.
      if (e instanceof ConcurrentUpdate && attempt < 3) continue;
      if (e instanceof ConcurrentUpdate) throw new AppFailure('CONFLICT', `Case ${caseId} is being changed by someone else; try again.`);
      throw e;
    }
  }
}

async function attemptCommand(
  db: Db,
  caseId: string,
  command: Command,
  actor: Actor,
  now: number,
  options: CommandOptions,
): Promise<CommandResult> {
  const refusal = await inWriteTx(db, async (tx) => {
    const state = await loadCaseState(tx, caseId);
    if (!state) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
    const { version, policy } = await currentPolicy(tx);
    const result = decide(state, command, { now, policy, policyVersion: version, actor });
    if (!result.ok) {
      await appendEvents(tx, caseId, [
        {
          at: now,
          actor: actor.kind === 'user' ? actor.id : actor.kind,
          type: 'command.refused',
          details: { command: command.type, code: result.code, message: result.message },
        },
      ]);
      const refusal = new AppFailure(result.code, result.message);
      refusal.logged = true;
      return refusal;
    }
    await saveCaseState(tx, state, result.next, result, now);
    // The supervisors' desk: the log a policy preview replays, and decision-quality sampling.
    await logCommand(tx, caseId, command, actor, now);
    await sampleDecisionForQuality(tx, state, result.next, policy.qualitySampleRate, now);
    if (options.alsoInTransaction) await options.alsoInTransaction(tx, result);
    return { caseId, status: result.next.status };
  });
  if (refusal instanceof AppFailure) throw refusal;
  return refusal;
}
