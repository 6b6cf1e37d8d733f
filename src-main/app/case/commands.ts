import { AppFailure } from '../../contract/errors';
import type { CommandResult } from '../../contract/outputs/case';
import type { Actor, Command, EngineResult } from '../../engine/commands';
import { decide } from '../../engine/decide';
import { appendEvents, ConcurrentUpdate, loadCaseState } from '../../db/repos/case';
import { writeCommandRows, type ReadUnderLock } from '../../db/repos/command-rows';
import { lockCase, lockOldestUnassignedCase } from '../../db/repos/case-locks';
import { oldestUnassignedCase } from '../../db/repos/case-reads';
import type { Db } from '../../db/connect';
import { retryTransient } from '../../db/retry';
import { inWriteTx, type WriteTx } from '../../db/tx';
import { currentPolicy } from '../../db/repos/policy';
import { commandLogRow } from './command-log';
import { pickNextUnassigned } from '../../db/repos/take-next';
import { lockAndReadCase, type LockedCase } from '../../db/repos/locked-read';
import { dialectOf } from '../../db/dialect';
import type { CaseState } from '../../engine/state';
import type { Policy } from '../../contract/policy';
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
  /**
   * Writes that belong to the same transaction as the accepted command (e.g. a stored file's
   * row); `prevVersion` is the version of the case the engine decided on.
   */
  alsoInTransaction?: (tx: WriteTx, result: Extract<EngineResult, { ok: true }>, prevVersion: number) => Promise<void>;
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
  // Nothing follows the command in a transaction opened here (not joined: a use case composed of others).
  const ownsTransaction = !db.isTransaction;
  const outcome = await inWriteTx(db, async (tx) => {
    // A named case: the lock and one read of everything the command needs (db/repos/locked-read.ts), both dialects.
    if (target !== NEXT_UNASSIGNED && command.type !== 'deadline') {
      const locked = await lockAndReadCase(tx, target, now);
      if (!locked) throw new AppFailure('NOT_FOUND', `There is no case ${target}.`);
      // A due deadline applies first (the general path); else the command goes on from what the lock's statement read.
      if (!locked.hasDue) return commandOnLockedCase(tx, target, command, actor, now, options, locked, ownsTransaction);
      return commandOnLockedCase(tx, target, command, actor, now, options);
    }
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
  locked?: LockedCase,
  /** Nothing follows the command in its transaction (see acceptCommand). */
  endsTransaction = false,
): Promise<CommandResult | AppFailure> {
  if (command.type !== 'deadline' && !locked) await applyDueOfCase(tx, caseId, now);
  const state = locked ? locked.state : await loadCaseState(tx, caseId);
  if (!state) throw new AppFailure('NOT_FOUND', `There is no case ${caseId}.`);
  // Separation of duties: the reviewer must not have handled the case at any point of its history.
  if (command.type === 'reviewAppeal') state.handlingHistory = (await handlingEventsOf(tx, [caseId])).get(caseId);
  const { version, policy } = locked ? locked.policy : await currentPolicy(tx);
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
  await acceptCommand(tx, { state, command, actor, result, policy, now, options, readUnderLock: locked?.readUnderLock, endsTransaction });
  return { caseId, status: result.next.status };
}

/**
 * An accepted command's writes, the same whichever path decided it: its rows (case, events,
 * deadlines, change notice, command log: db/repos/command-rows.ts, one statement when the
 * caller read what allows it under the case lock), then the supervisors' desk (decision
 * quality sampling, double decisions), then what the caller adds to the transaction.
 */
async function acceptCommand(
  tx: WriteTx,
  a: {
    state: CaseState & { version: number };
    command: Command;
    actor: Actor;
    result: Extract<EngineResult, { ok: true }>;
    policy: Policy;
    now: number;
    options: CommandOptions;
    readUnderLock?: ReadUnderLock;
    /** The caller's transaction ends after this command's writes (take-next's claim). */
    endsTransaction?: boolean;
  },
): Promise<void> {
  const { state, result, policy, now } = a;
  // No new decision: the supervisors' steps below write nothing, so the rows are the transaction's last.
  const newDecision =
    result.next.decision !== state.decision || result.next.supersededDecisions.length !== state.supersededDecisions.length;
  await writeCommandRows(tx, {
    change: { prev: state, next: result.next, effects: result },
    logged: commandLogRow(state.id, a.command, a.actor, now),
    now,
    readUnderLock: a.readUnderLock,
    lastInTransaction: a.endsTransaction === true && !newDecision && !a.options.alsoInTransaction,
  });
  await sampleDecisionForQuality(tx, state, result.next, policy, now);
  await selectForDoubleDecision(tx, state, result.next, policy.doubleDecisionRate, now);
  if (a.options.alsoInTransaction) await a.options.alsoInTransaction(tx, result, state.version);
}

/**
 * Take-next on PostgreSQL (db/repos/take-next.ts): pick and lock in one statement, ask the
 * engine, write through acceptCommand in one statement, so the case lock is held for two
 * round trips: the pick goes out with the BEGIN and the write with the COMMIT (db/pipelined-tx.ts). A case with history, pending deadlines or a feed goes through
 * commandOnLockedCase, still under the lock the pick took. Null when no case is free.
 */
async function attemptClaimOnServer(db: Db, actor: Actor, now: number): Promise<CommandResult | null> {
  const outcome = await inWriteTx(db, async (tx) => {
    const picked = await pickNextUnassigned(tx);
    if (!picked) return null;
    const command: Command = { type: 'claim' };
    if (!picked.state || picked.needsGeneralPath) return commandOnLockedCase(tx, picked.caseId, command, actor, now, {});
    const { version, policy } = picked.policy;
    const result = decide(picked.state, command, { now, policy, policyVersion: version, actor });
    // A refusal is written as an audit event by the general path.
    if (!result.ok) return commandOnLockedCase(tx, picked.caseId, command, actor, now, {});
    await acceptCommand(tx, {
      state: picked.state,
      command,
      actor,
      result,
      policy,
      now,
      options: {},
      readUnderLock: picked.readUnderLock,
      endsTransaction: true,
    });
    return { caseId: picked.caseId, status: result.next.status };
  });
  if (outcome instanceof AppFailure) throw outcome;
  return outcome;
}
