import { loadCaseState, loadCaseStates, saveCaseState, saveCaseStates, type CaseChange } from '../../db/repos/case';
import type { Db } from '../../db/connect';
import { claimDeadline, claimDeadlines, dueDeadlines, releaseDeadlineClaims, type DueDeadline } from '../../db/repos/deadlines';
import { lockFreeCases } from '../../db/repos/case-locks';
import { retryTransient } from '../../db/retry';
import { inWriteTx, type WriteTx } from '../../db/tx';
import { recordChange } from '../../db/repos/changes';
import { decide } from '../../engine/decide';
import { currentPolicy } from '../../db/repos/policy';

export interface SweepReport {
  applied: number;
  stale: number;
  caseIds: string[];
}

/** Due rows read per fetch (one bulk read of the `deadlines_pending` index). */
const BATCH = 2_000;
/**
 * Each chunk (one transaction) is sized so that it costs about this much CPU time, from the
 * previous chunk's cost per row: better-sqlite3 runs every statement and the commit on the
 * main thread, so a chunk is a stall of the window; between chunks the sweep yields to the
 * event loop. Larger chunks amortise the commit and the per-statement cost. CPU time rather
 * than wall time, so other processes on a busy machine do not shrink the chunks to nothing.
 */
const CHUNK_TARGET_MS = 25;
const MIN_CHUNK = 16;
const MAX_CHUNK = 1_000;

export interface SweepProgress {
  /** Defaults applied (and stale rows passed) so far in this run. */
  done: number;
  /** Due rows still waiting at the last fetch (at most what one fetch reads: a lower bound). */
  pendingAtLeast: number;
  /** Case ids changed by the chunk just committed. */
  caseIds: string[];
}

export interface SweepOptions {
  /** One case only: a command first brings its own case up to `now` (see runCaseCommand). */
  caseId?: string;
  /** Called after each committed chunk (in-app and CLI progress of a catch-up). */
  onProgress?: (p: SweepProgress) => void;
  /** Checked before each chunk: true ends the run there (the rest stays due for the next run; closing the app). */
  stop?: () => boolean;
  /**
   * How each chunk runs, and how it is sized: the catch-up's worker thread (worker.ts) takes
   * the writer lock it shares with the main thread around each chunk, measures its own
   * thread's CPU time, and sizes chunks by how long a main-thread command may wait for them.
   */
  chunks?: ChunkControl;
}

export interface ChunkControl {
  /** Runs one chunk's transaction (or its row-by-row replay). */
  around<T>(work: () => Promise<T>): Promise<T>;
  /** A clock of what a chunk costs, in ms: the thread's CPU time in-process; read before and after each chunk. */
  costMs(): number;
  /** What the next chunk should cost, in the same ms; called after each chunk. */
  targetMs(): number;
  /** The largest chunk, in rows. */
  maxRows: number;
}

/** In the main thread: nothing around a chunk, the process's CPU time, CHUNK_TARGET_MS. */
const IN_PROCESS: ChunkControl = {
  around: (work) => work(),
  costMs: () => {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1000;
  },
  targetMs: () => CHUNK_TARGET_MS,
  maxRows: MAX_CHUNK,
};

/** Lets timers, IPC and HTTP run between two chunks (setImmediate runs after pending I/O callbacks). */
const yieldToEventLoop = () => new Promise<void>((ok) => setImmediate(ok));

/**
 * Applies every deadline due at or before `now`, oldest first. Each row is claimed
 * (`fired_at` set where still null) inside the transaction that applies it, so two sweeps
 * (two windows, two desktops on one PostgreSQL, a crash and a restart) never apply it twice.
 * Each default is dated at its own deadline, not at the time the sweep happens to run.
 *
 * A catch-up of many due rows runs in bounded transactions (chunks of up to MAX_CHUNK rows of
 * distinct cases, sized to CHUNK_TARGET_MS) and yields to the event loop between them.
 *
 * Lock order (PostgreSQL): the case rows first, then their deadline rows, as a command takes
 * them, both without waiting (`SKIP LOCKED`, in id order): a case another desktop's command
 * or sweep holds is left to it (a command applies its own case's due rows first, see
 * runCaseCommand) or to the next run. A lost race (deadlock, serialization failure) is retried.
 */
export async function sweep(db: Db, now: number, opts: SweepOptions = {}): Promise<SweepReport> {
  const report: SweepReport = { applied: 0, stale: 0, caseIds: [] };
  // Rows whose case someone else holds: not fetched again in this run (the holder or the next run applies them).
  const skipped = new Set<number>();
  // The first chunk knows no cost yet and pays for cold caches and statement preparation:
  // it starts at the smallest size, and each next chunk grows at most twofold (a chunk of
  // stale rows is cheap and must not size the next one to many real defaults).
  let size = MIN_CHUNK;
  let first = true;
  const control = opts.chunks ?? IN_PROCESS;
  for (;;) {
    if (opts.stop?.()) return report;
    const due = (await dueDeadlines(db, now, BATCH, opts.caseId)).filter((r) => !skipped.has(r.id));
    if (!due.length) return report;
    // Chunks of consecutive due rows of distinct cases, one transaction each (see applyChunk).
    let i = 0;
    let refetch = false;
    while (i < due.length && !refetch) {
      if (!first) await yieldToEventLoop();
      first = false;
      if (opts.stop?.()) return report;
      const chunk: DueDeadline[] = [];
      const cases = new Set<string>();
      for (let j = i; j < due.length && chunk.length < size && !cases.has(due[j]!.case_id); j++) {
        chunk.push(due[j]!);
        cases.add(due[j]!.case_id);
      }
      const cost0 = control.costMs();
      const result = await control.around(async (): Promise<ChunkOutcome> => {
        try {
          return await retryTransient(db, () => inWriteTx(db, (tx) => applyChunk(tx, chunk, now)));
        } catch {
          // Rolled back whole: replay it one row per transaction, so the rows before a failing
          // one stay applied and the same error surfaces, exactly as without chunks.
          return applyOneByOne(db, chunk, now);
        }
      });
      const perRowMs = (control.costMs() - cost0) / Math.max(1, result.outcomes.length);
      size = Math.max(MIN_CHUNK, Math.min(control.maxRows, size * 2, Math.floor(control.targetMs() / Math.max(perRowMs, 1e-3))));
      const changed: string[] = [];
      result.outcomes.forEach((applied, k) => {
        if (applied === null) return; // someone else took it
        if (applied === 'skipped') {
          skipped.add(chunk[k]!.id);
          return;
        }
        if (!applied) {
          report.stale++;
          return;
        }
        report.applied++;
        changed.push(chunk[k]!.case_id);
      });
      for (const id of changed) report.caseIds.push(id);
      i += result.outcomes.length;
      opts.onProgress?.({ done: report.applied + report.stale, pendingAtLeast: due.length - i, caseIds: changed });
      // A default created a deadline that is itself already due (catch-up after days
      // closed): fetch again so it is applied in due order among the rest.
      refetch = result.spawnedDue;
    }
  }
}

/**
 * Brings one case up to `now` inside the caller's transaction, which already holds the
 * case's row lock (runCaseCommand): its due rows, oldest first, each claimed and applied.
 */
export async function applyDueOfCase(tx: WriteTx, caseId: string, now: number): Promise<void> {
  for (;;) {
    const [row] = await dueDeadlines(tx, now, 1, caseId);
    if (!row) return;
    const applied = await applyOne(tx, row, now);
    if (applied === 'skipped') return; // cannot happen while we hold the case; never loop on it
  }
}

/**
 * Per row, in order: null = someone else claimed it, false = stale (claimed, nothing to do),
 * true = applied, 'skipped' = its case (or the row) is held by another transaction.
 */
type RowOutcome = null | boolean | 'skipped';
interface ChunkOutcome {
  /** One per row handled, in order; rows after a default that spawned a due deadline are left for the next fetch. */
  outcomes: RowOutcome[];
  spawnedDue: boolean;
}

const deadlineCommand = (row: DueDeadline) => ({ type: 'deadline' as const, key: row.key, dueAt: row.due_at });

/**
 * One transaction for a chunk of due rows of distinct cases, with the outcome of one
 * transaction per row: claim all (acting only on those claimed), load all, decide each in
 * due order, write all (saveCaseStates writes the same rows, in the same order, as saving
 * them one by one). Saves one commit, and most of the statements, per default.
 */
async function applyChunk(tx: WriteTx, chunk: DueDeadline[], now: number): Promise<ChunkOutcome> {
  const locked = await lockFreeCases(
    tx,
    chunk.map((r) => r.case_id),
  );
  const claimed = await claimDeadlines(
    tx,
    chunk.filter((r) => locked.has(r.case_id)).map((r) => r.id),
    now,
  );
  const outcomes: RowOutcome[] = [];
  const changes: CaseChange[] = [];
  let spawnedDue = false;
  // Rows of a case someone else holds are skipped; rows gone from under a held case, someone else's.
  const missed = (r: DueDeadline): RowOutcome => (locked.has(r.case_id) ? null : 'skipped');
  if (!claimed.size) return { outcomes: chunk.map(missed), spawnedDue };
  const states = await loadCaseStates(
    tx,
    chunk.filter((r) => claimed.has(r.id)).map((r) => r.case_id),
  );
  const { version, policy } = await currentPolicy(tx);
  for (const row of chunk) {
    if (!claimed.has(row.id)) {
      outcomes.push(missed(row));
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
    await releaseDeadlineClaims(
      tx,
      later.map((r) => r.id),
    );
  await saveCaseStates(tx, changes, now);
  await recordChange(
    tx,
    changes.map((c) => c.next.id),
    'sweep',
    now,
  );
  return { outcomes, spawnedDue };
}

/** The plain algorithm, one transaction per row: replays a chunk whose transaction failed. */
async function applyOneByOne(db: Db, chunk: DueDeadline[], now: number): Promise<ChunkOutcome> {
  const outcomes: RowOutcome[] = [];
  for (const row of chunk) {
    const applied = await retryTransient(db, () => inWriteTx(db, (tx) => applyOne(tx, row, now)));
    outcomes.push(applied === null || applied === 'skipped' ? applied : applied !== false);
    if (applied && applied !== 'skipped' && applied.spawnedDue) return { outcomes, spawnedDue: true };
  }
  return { outcomes, spawnedDue: false };
}

/** One due row in the caller's transaction: its case locked (case first), the row claimed, its default applied. */
async function applyOne(tx: WriteTx, row: DueDeadline, now: number): Promise<null | false | 'skipped' | { spawnedDue: boolean }> {
  if (!(await lockFreeCases(tx, [row.case_id])).has(row.case_id)) return 'skipped';
  if (!(await claimDeadline(tx, row.id, now))) return null; // someone else took it
  const state = await loadCaseState(tx, row.case_id);
  if (!state) return false;
  const { version, policy } = await currentPolicy(tx);
  const result = decide(state, deadlineCommand(row), { now: row.due_at, policy, policyVersion: version, actor: { kind: 'system' } });
  if (!result.ok) throw new Error(`the engine refused deadline ${row.key} of ${row.case_id}: ${result.message}`);
  if (!result.events.length) return false;
  await saveCaseState(tx, state, result.next, result, now);
  await recordChange(tx, [row.case_id], 'sweep', now);
  return { spawnedDue: result.deadlines.some((d) => d.dueAt <= now) };
}
