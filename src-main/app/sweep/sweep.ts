import { loadCaseState, loadCaseStates, saveCaseState, saveCaseStates, type CaseChange } from '../../db/repos/case';
import type { Db } from '../../db/connect';
import { decide } from '../../engine/decide';
import { currentPolicy } from '../../db/repos/policy';

export interface SweepReport {
  applied: number;
  stale: number;
  caseIds: string[];
}

const BATCH = 500;
/** Due rows applied per transaction: one commit (one fsync) per chunk rather than per row. */
const CHUNK = 200;

/**
 * Applies every deadline due at or before `now`, oldest first. Each row is claimed
 * (`fired_at` set where still null) inside the transaction that applies it, so two sweeps
 * (two windows, two desktops on one PostgreSQL, a crash and a restart) never apply it twice.
 * Each default is dated at its own deadline, not at the time the sweep happens to run.
 */
export async function sweep(db: Db, now: number, opts: { caseId?: string } = {}): Promise<SweepReport> {
  const report: SweepReport = { applied: 0, stale: 0, caseIds: [] };
  for (;;) {
    let query = db
      .selectFrom('deadlines')
      .select(['id', 'case_id', 'key', 'due_at'])
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .where('due_at', '<=', now);
    // One case only: a command first brings its own case up to `now` (see runCaseCommand).
    if (opts.caseId !== undefined) query = query.where('case_id', '=', opts.caseId);
    const due = await query.orderBy('due_at').orderBy('id').limit(BATCH).execute();
    if (!due.length) return report;
    // Chunks of consecutive due rows of distinct cases, one transaction each (see applyChunk).
    let i = 0;
    let refetch = false;
    while (i < due.length && !refetch) {
      const chunk: DueRow[] = [];
      const cases = new Set<string>();
      for (let j = i; j < due.length && chunk.length < CHUNK && !cases.has(due[j]!.case_id); j++) {
        chunk.push(due[j]!);
        cases.add(due[j]!.case_id);
      }
      let result: ChunkOutcome;
      try {
        result = await db.transaction().execute((tx) => applyChunk(tx, chunk, now));
      } catch {
        // Rolled back whole: replay it one row per transaction, so the rows before a failing
        // one stay applied and the same error surfaces, exactly as without chunks.
        result = await applyOneByOne(db, chunk, now);
      }
      result.outcomes.forEach((applied, k) => {
        if (applied === null) return; // someone else took it
        if (!applied) {
          report.stale++;
          return;
        }
        report.applied++;
        report.caseIds.push(chunk[k]!.case_id);
      });
      i += result.outcomes.length;
      // A default created a deadline that is itself already due (catch-up after days
      // closed): fetch again so it is applied in due order among the rest.
      refetch = result.spawnedDue;
    }
  }
}

type DueRow = { id: number; case_id: string; key: string; due_at: number };
/** Per row, in order: null = someone else claimed it, false = stale (claimed, nothing to do), true = applied. */
type RowOutcome = null | boolean;
interface ChunkOutcome {
  /** One per row handled, in order; rows after a default that spawned a due deadline are left for the next fetch. */
  outcomes: RowOutcome[];
  spawnedDue: boolean;
}

const deadlineCommand = (row: DueRow) => ({ type: 'deadline' as const, key: row.key, dueAt: row.due_at });

/**
 * One transaction for a chunk of due rows of distinct cases, with the outcome of one
 * transaction per row: claim all (acting only on those claimed), load all, decide each in
 * due order, write all (saveCaseStates writes the same rows, in the same order, as saving
 * them one by one). Saves one commit, and most of the statements, per default.
 */
async function applyChunk(tx: Db, chunk: DueRow[], now: number): Promise<ChunkOutcome> {
  const claimed = new Set(
    (
      await tx
        .updateTable('deadlines')
        .set({ fired_at: now })
        .where(
          'id',
          'in',
          chunk.map((r) => r.id),
        )
        .where('fired_at', 'is', null)
        .where('cancelled_at', 'is', null)
        .returning('id')
        .execute()
    ).map((r) => r.id),
  );
  const outcomes: RowOutcome[] = [];
  const changes: CaseChange[] = [];
  let spawnedDue = false;
  if (!claimed.size) return { outcomes: chunk.map(() => null), spawnedDue };
  const states = await loadCaseStates(
    tx,
    chunk.filter((r) => claimed.has(r.id)).map((r) => r.case_id),
  );
  const { version, policy } = await currentPolicy(tx);
  for (const row of chunk) {
    if (!claimed.has(row.id)) {
      outcomes.push(null);
      continue;
    }
    const state = states.get(row.case_id);
    if (!state) {
      outcomes.push(false);
      continue;
    }
    const result = decide(state, deadlineCommand(row), { now: row.due_at, policy, policyVersion: version, actor: { kind: 'system' } });
    if (!result.ok) throw new Error(`the engine refused deadline ${row.key} of ${row.case_id}: ${result.message}`);
    if (!result.events.length) {
      outcomes.push(false);
      continue;
    }
    changes.push({ prev: state, next: result.next, effects: result });
    outcomes.push(true);
    if (result.deadlines.some((d) => d.dueAt <= now)) {
      spawnedDue = true;
      break;
    }
  }
  // Rows after a default that spawned a due deadline wait for the next fetch: give their claims back.
  const later = chunk.slice(outcomes.length).filter((r) => claimed.has(r.id));
  if (later.length)
    await tx
      .updateTable('deadlines')
      .set({ fired_at: null })
      .where(
        'id',
        'in',
        later.map((r) => r.id),
      )
      .execute();
  await saveCaseStates(tx, changes, now);
  return { outcomes, spawnedDue };
}

/** The plain algorithm, one transaction per row: replays a chunk whose transaction failed. */
async function applyOneByOne(db: Db, chunk: DueRow[], now: number): Promise<ChunkOutcome> {
  const outcomes: RowOutcome[] = [];
  for (const row of chunk) {
    const applied = await db.transaction().execute(async (tx) => {
      const claimed = await tx
        .updateTable('deadlines')
        .set({ fired_at: now })
        .where('id', '=', row.id)
        .where('fired_at', 'is', null)
        .where('cancelled_at', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return null; // someone else took it
      const state = await loadCaseState(tx, row.case_id);
      if (!state) return false;
      const { version, policy } = await currentPolicy(tx);
      const result = decide(state, deadlineCommand(row), { now: row.due_at, policy, policyVersion: version, actor: { kind: 'system' } });
      if (!result.ok) throw new Error(`the engine refused deadline ${row.key} of ${row.case_id}: ${result.message}`);
      if (!result.events.length) return false;
      await saveCaseState(tx, state, result.next, result, now);
      return { spawnedDue: result.deadlines.some((d) => d.dueAt <= now) };
    });
    outcomes.push(applied === null ? null : applied !== false);
    if (applied && applied.spawnedDue) return { outcomes, spawnedDue: true };
  }
  return { outcomes, spawnedDue: false };
}

/** When the next deadline falls due, for the timer that wakes the sweep; null when none is pending. */
export async function nextDueAt(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('deadlines')
    .select('due_at')
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .orderBy('due_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.due_at ?? null;
}
