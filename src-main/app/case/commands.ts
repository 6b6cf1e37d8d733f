import { AppFailure } from '../../contract/errors';
import type { CommandResult } from '../../contract/outputs/case';
import type { Actor, Command, EngineResult } from '../../engine/commands';
import { decide } from '../../engine/decide';
import { appendEvents, ConcurrentUpdate, loadCaseState, saveCaseState } from '../../db/repos/case';
import { recordChange } from '../../db/repos/changes';
import { lockCase, lockOldestUnassignedCase } from '../../db/repos/case-locks';
import { oldestUnassignedCase } from '../../db/repos/case-reads';
import type { Db } from '../../db/connect';
import { retryTransient } from '../../db/retry';
import { inWriteTx, type WriteTx } from '../../db/tx';
import { currentPolicy } from '../../db/repos/policy';
import { actorColumns, contractCallOf, logCommand } from './command-log';
import { pickNextUnassigned, writePlainClaim } from '../../db/repos/take-next';
import { dialectOf } from '../../db/dialect';
import type { CaseState } from '../../engine/state';
import { handlingEventsOf } from '../../db/repos/handling';
import { sampleDecisionForQuality } from '../supervision/quality';
import { selectForDoubleDecision } from '../supervision/double-decisions';
import { applyDueOfCase } from '../sweep/sweep';
import { staleRefusal } from './stale';

/**
 * One use case = one transaction: load the case, ask the engine, write state, events and
 * deadlines. A refusal writes only its audit event and is rethrown as an AppFailure.
 */
export interface CommandOptions {
  /** Writes that belong to the same transaction as the accepted command (e.g. a stored file's row). */
  alsoInTransaction?: (tx: WriteTx, result: Extract<EngineResult, { ok: true }>) => Promise<void>;
  /** The case version the caller's dialog showed: refused with STALE when the case changed since (staleRefusal). */
  basedOnVersion?: number;
}

export async function runCaseCommand(
  db: Db,
  caseId: string,
  command: Command,
  actor: Actor,
  now: number,
  options: CommandOptions = {},
): Promise<CommandResult> {
  // A named case: attemptCommand answers null only for take-next.
  return (await withConflictRetry(db, caseId, () => attemptCommand(db, caseId, command, actor, now, options)))!;
}

/**
 * Take-next (DOMAIN.md rule 2): claims the unassigned case escalated longest ago that no
 * one else is claiming at this moment, in one transaction. On PostgreSQL the pick is
 * `FOR UPDATE SKIP LOCKED`, so mediators pressing at once on several desktops each get a
 * different case instead of racing for the same one. An empty queue writes nothing and
 * answers NOT_FOUND.
 */
export async function claimNextCase(db: Db, actor: Actor, now: number): Promise<CommandResult> {
  for (let round = 0; round < 20; round++) {
    const result = await withConflictRetry(db, 'next', () =>
      // SQLite's single writer already serialises presses: the general path, one press at a time.
      dialectOf(db) === 'postgres' && actor.kind === 'user'
        ? attemptClaimOnServer(db, actor, now)
        : attemptCommand(db, NEXT_UNASSIGNED, { type: 'claim' }, actor, now, {}),
    );
    if (result) return result;
    // Nothing free: either the queue is empty, or every unassigned case is held by a
    // transaction right now (other presses, a feed re-import) and will be settled in a moment.
    if (!(await oldestUnassignedCase(db))) throw new AppFailure('NOT_FOUND', 'The unassigned queue is empty: there is no case to take.');
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  throw new AppFailure('CONFLICT', 'Other mediators are taking cases at the same moment; try again.');
}

const NEXT_UNASSIGNED = Symbol('next unassigned case');

/** Retries a lost race: a deadlock or serialization failure, or a case row changed by a writer that did not lock it. */
async function withConflictRetry<T>(db: Db, caseId: string, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await retryTransient(db, attempt);
    } catch (e) {
      // Another desktop changed the case between our read and write: read again and retry.
      if (e instanceof ConcurrentUpdate && i < 3) continue;
      if (e instanceof ConcurrentUpdate) throw new AppFailure('CONFLICT', `Case ${caseId} is being changed by someone else; try again.`);
      throw e;
    }
  }
}

/**
 * One transaction: lock the case row (the one lock order: case, then its deadlines), apply
 * its deadlines already due (DOMAIN.md: at the deadline the default applies; SCENARIOS.md:
 * due deadlines are swept before each step, so a command never acts on a state the clock
 * has already moved past), then load it, ask the engine and write. A deadline command is the
 * sweep itself. Take-next answers null when no case is free.
 */
async function attemptCommand(
  db: Db,
  target: string | typeof NEXT_UNASSIGNED,
  command: Command,
  actor: Actor,
  now: number,
  options: CommandOptions,
): Promise<CommandResult | null> {
  const outcome = await inWriteTx(db, async (tx) => {
    const caseId = target === NEXT_UNASSIGNED ? await lockOldestUnassignedCase(tx) : (await lockCase(tx, target)) ? target : null;
    if (caseId === null) {
      if (target === NEXT_UNASSIGNED) return null;
      throw new AppFailure('NOT_FOUND', `There is no case ${target}.`);
    }
    return commandOnLockedCase(tx, caseId, command, actor, now, options);
  });
  if (outcome instanceof AppFailure) throw outcome;
  return outcome;
}

/**
 * The command on a case whose row this transaction holds: its due deadlines applied first,
 * then load, engine, write. A refusal is written (its audit event) and returned, not thrown,
 * so the transaction commits it.
 */
async function commandOnLockedCase(
  tx: WriteTx,
  caseId: string,
  command: Command,
  actor: Actor,
  now: number,
  options: CommandOptions,
): Promise<CommandResult | AppFailure> {
  if (command.type !== 'deadline') await applyDueOfCase(tx, caseId, now);
  const state = await loadCaseState(tx, caseId);
  if (!state) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
  // Separation of duties: the reviewer must not have handled the case at any point of its history.
  if (command.type === 'reviewAppeal') state.handlingHistory = (await handlingEventsOf(tx, [caseId])).get(caseId);
  const { version, policy } = await currentPolicy(tx);
  const stale = options.basedOnVersion !== undefined && options.basedOnVersion !== state.version;
  const result = stale
    ? await staleRefusal(tx, caseId, options.basedOnVersion!, state.version, now)
    : decide(state, command, { now, policy, policyVersion: version, actor });
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
  // Other desktops hear of it when this commits (a shared server; nothing on SQLite).
  await recordChange(tx, [caseId], 'command', now);
  // The supervisors' desk: the log a policy preview replays, and decision-quality sampling.
  await logCommand(tx, caseId, command, actor, now);
  await sampleDecisionForQuality(tx, state, result.next, policy, now);
  await selectForDoubleDecision(tx, state, result.next, policy.doubleDecisionRate, now);
  if (options.alsoInTransaction) await options.alsoInTransaction(tx, result);
  return { caseId, status: result.next.status };
}

/**
 * Take-next on PostgreSQL (db/repos/take-next.ts): pick and lock in one statement, ask the
 * engine, write in one statement, so the case lock is held for two round trips. A case with
 * history, pending deadlines or a feed goes through commandOnLockedCase, still under the
 * lock the pick took. Null when no case is free.
 */
async function attemptClaimOnServer(db: Db, actor: Actor, now: number): Promise<CommandResult | null> {
  const outcome = await inWriteTx(db, async (tx) => {
    const picked = await pickNextUnassigned(tx);
    if (!picked) return null;
    const claim: Command = { type: 'claim' };
    const general = () => commandOnLockedCase(tx, picked.caseId, claim, actor, now, {});
    if (!picked.state || picked.needsGeneralPath) return general();
    const { version, policy } = picked.policy;
    const result = decide(picked.state, claim, { now, policy, policyVersion: version, actor });
    // A refusal (written as an audit event) or a claim that would write more than the case row and its events.
    if (!result.ok || !onlyCaseRowAndEvents(picked.state, result)) return general();
    const call = contractCallOf(picked.caseId, claim)!;
    const written = await writePlainClaim(tx, {
      prev: picked.state,
      next: result.next,
      head: picked.head,
      events: result.events.map((e) => ({
        case_id: picked.caseId,
        at: e.at,
        actor: e.actor,
        type: e.type,
        details: JSON.stringify(e.details),
        bound: null,
      })),
      command: { ...actorColumns(actor), method: call.method, input: JSON.stringify(call.input) },
      now,
    });
    if (!written) throw new ConcurrentUpdate(`case ${picked.caseId} changed under us`);
    return { caseId: picked.caseId, status: result.next.status };
  });
  if (outcome instanceof AppFailure) throw outcome;
  return outcome;
}

/**
 * The engine's answer changes the case row and adds events, nothing else: no child rows
 * (requests, proposal, decisions, appeal, refund), no evidence, no deadlines. Then the
 * plain write is exactly what saveCaseState would write.
 */
function onlyCaseRowAndEvents(prev: CaseState, result: Extract<EngineResult, { ok: true }>): boolean {
  const children = (s: CaseState) =>
    JSON.stringify([s.evidenceRequests, s.proposal, s.decision, s.supersededDecisions, s.appeal, s.refund]);
  return !result.deadlines.length && !result.newEvidence.length && children(prev) === children(result.next);
}
