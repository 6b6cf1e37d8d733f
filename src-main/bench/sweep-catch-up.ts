import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from '../db/connect';
import { sweepOffThread, sweepRuns } from '../app/sweep/in-worker';
import { round } from './stats';
import { idleStallFloor, withCpuSeconds, withStallMeter } from './stall';

const HOUR = 3_600_000;
/** The goal: the window never waits longer than this while a catch-up runs. */
export const CATCH_UP_STALL_TARGET_MS = 50;
/** How long the idle stall floor is measured before the catch-up. */
const IDLE_FLOOR_MS = 3_000;

/**
 * A catch-up after a long weekend: `n` cases waiting for the buyer's evidence whose deadlines
 * all fell due while the desktop was closed, applied by one sweep while a timer stands in for
 * the window (bench/stall.ts). The waiting cases are written raw (setup only, as sweepIdle's
 * deadlines are): the rows claim + request evidence leave (case row, open request, pending
 * deadline), on the last `n` escalated cases, so the sweep does the real work of each default.
 */
export async function benchSweepCatchUp(
  db: Db,
  raw: BetterSqlite3.Database,
  n: number,
  now: number,
  log: (m: string) => void,
  opts: { inProcess?: boolean } = {},
) {
  log(`sweepCatchUp: ${n.toLocaleString('en')} cases awaiting evidence, deadlines due…`);
  const t0 = performance.now();
  const { dueAt, prepared } = setUpDueEvidence(raw, n, now);
  const setupSeconds = round((performance.now() - t0) / 1000, 2);
  const sweepAt = dueAt + HOUR;
  const dueBefore = (
    raw.prepare('SELECT count(*) AS n FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= ?').get(sweepAt) as {
      n: number;
    }
  ).n;
  // The same meter with nothing to do first: the stall this machine's load alone causes.
  const floor = await idleStallFloor(IDLE_FLOOR_MS);
  log(`sweepCatchUp: idle stall floor ${floor.longestStallMs} ms`);
  log(`sweepCatchUp: ${dueBefore.toLocaleString('en')} due; sweeping with a 1 ms timer standing in for the window…`);
  let progressCalls = 0;
  const runs0 = { ...sweepRuns };
  const started = performance.now();
  const {
    result: { result: report, longestStallMs, ticks },
    cpuSeconds,
  } = await withCpuSeconds(() =>
    withStallMeter(
      // The app's path (runtime/core.ts): on the worker thread, unless --catch-up-in-process.
      () => sweepOffThread(db, sweepAt, { onProgress: () => progressCalls++, inProcess: opts.inProcess }).report,
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const mode = sweepRuns.worker > runs0.worker ? 'worker' : 'in-process';
  const decided = (
    raw.prepare(`SELECT count(*) AS n FROM decisions WHERE basis = 'default' AND case_id IN (SELECT id FROM catch_up)`).get() as {
      n: number;
    }
  ).n;
  log(`sweepCatchUp (${mode}): ${report.applied} defaults in ${seconds.toFixed(2)} s, longest stall ${longestStallMs} ms`);
  return {
    mode,
    path:
      mode === 'worker'
        ? "the app's (sweepOffThread): on the worker thread"
        : 'sweep() in the main thread (--catch-up-in-process, or no worker could start)',
    cases: prepared,
    dueBeforeSweep: dueBefore,
    defaults: report.applied,
    decidedByDefault: decided,
    seconds: round(seconds, 2),
    defaultsPerSecond: Math.round(report.applied / seconds),
    /** The whole process's CPU (both threads when on the worker). */
    cpuSeconds: round(cpuSeconds, 2),
    defaultsPerCpuSecond: Math.round(report.applied / cpuSeconds),
    longestStallMs,
    timerTicks: ticks,
    progressReports: progressCalls,
    setupSeconds,
    target: { longestStallMs: CATCH_UP_STALL_TARGET_MS, goalCases: 100_000 },
    pass: longestStallMs <= CATCH_UP_STALL_TARGET_MS && report.applied === dueBefore && decided === prepared,
    baseline: { idleLongestStallMs: floor.longestStallMs, idleSeconds: floor.seconds },
    baselineNote: 'the same 1 ms timer over idle seconds just before: the stall the machine alone causes (the goal is absolute)',
    ratio: floor.longestStallMs ? round(longestStallMs / floor.longestStallMs, 2) : null,
  };
}

/**
 * The rows claim + request evidence leave (case row, open request, pending deadline) on the
 * last `n` escalated cases, their deadlines due 72 hours after `now`, written raw in one
 * transaction (setup only: the catch-up then does the real work of each default). Shared by
 * this bench and bench/catch-up-waits.ts. The cases are left in the temp table `catch_up`.
 */
export function setUpDueEvidence(raw: BetterSqlite3.Database, n: number, now: number): { dueAt: number; prepared: number } {
  const dueAt = now + 72 * HOUR;
  raw.exec('CREATE TEMP TABLE IF NOT EXISTS catch_up (id TEXT PRIMARY KEY, assignee TEXT)');
  raw.exec('DELETE FROM catch_up');
  raw
    .prepare(
      `INSERT INTO catch_up (id, assignee)
       SELECT id, 'm' || (1 + abs(rowid) % 3) FROM cases WHERE status = 'escalated' ORDER BY id DESC LIMIT ?`,
    )
    .run(n);
  raw.transaction(() => {
    raw
      .prepare(
        `UPDATE cases SET status = 'awaiting_evidence', assignee_id = (SELECT assignee FROM catch_up WHERE catch_up.id = cases.id),
           evidence_round = 1, next_due_at = ?, version = version + 2, updated_at = ?
         WHERE id IN (SELECT id FROM catch_up)`,
      )
      .run(dueAt, now);
    raw
      .prepare(
        `INSERT INTO evidence_requests (id, case_id, party, request, requested_by, requested_at, due_at, status, resolved_at, round)
         SELECT id || '/R1', id, 'buyer', 'Please send a photo of the parcel label and of the item as received.', assignee, ?, ?, 'open', NULL, 1
         FROM catch_up`,
      )
      .run(now, dueAt);
    raw
      .prepare(
        `INSERT INTO deadlines (case_id, key, kind, due_at, created_at, fired_at, cancelled_at)
         SELECT id, 'evidence:' || id || '/R1', 'evidence', ?, ?, NULL, NULL FROM catch_up ORDER BY id`,
      )
      .run(dueAt, now);
  })();
  const prepared = (raw.prepare('SELECT count(*) AS n FROM catch_up').get() as { n: number }).n;
  return { dueAt, prepared };
}
