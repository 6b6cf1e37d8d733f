import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeNotice } from '../../src-main/contract/bridge';
import { Dispute } from '../../src-main/contract/dispute';
import { AppFailure } from '../../src-main/contract/errors';
import { importDisputes } from '../../src-main/app/intake/intake';
import { runCaseCommand } from '../../src-main/app/case/commands';
import { OFF_THREAD_FROM, sweepOffThread, sweepRuns } from '../../src-main/app/sweep/in-worker';
import type { SweepProgress } from '../../src-main/app/sweep/sweep';
import { verifyChains } from '../../src-main/app/audit/verify';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore } from '../../src-main/runtime/core';
import { checkpointOffThread, openDatabase, type Db } from '../../src-main/db/connect';
import { sqliteFileOf } from '../../src-main/db/background-checkpoint';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { loadRiskModel } from '../../src-main/db/repos/risk/updates';
import { riskSnapshot } from './risk-compare';

/**
 * Issue 16: a catch-up on a SQLite file runs on a worker thread with its own connection
 * (app/sweep/in-worker.ts), sharing SQLite's one writer with the main thread
 * (db/writer-lock.ts). It must store exactly what the in-process sweep stores, let main-thread
 * commands through while it runs, report its progress, fall back to the main thread when no
 * worker starts, and stop cleanly when the app closes mid-way.
 */
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const LATER = T0 + 73 * HOUR;
const mediator = { kind: 'user' as const, id: 'm1', role: 'mediator' as const };

let root = '';
let template = '';
/** The escalated cases claimed, each awaiting the buyer's evidence (due at T0 + 72 h). */
let waiting: string[] = [];

/** A file database with `OFF_THREAD_FROM`+ cases awaiting evidence, set up by the real commands, copied for each test. */
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'md-sweep-worker-'));
  template = join(root, 'template.sqlite');
  const db = await openDatabase({ url: template });
  // Setup only: no fsync per command (the copies are made after a clean close).
  sqliteFileOf(db)!.raw.pragma('synchronous = OFF');
  await ensurePolicy(db, T0);
  const disputes = [...generateDemoDisputes({ cases: 700, now: T0, seed: 16 })].map((d) => Dispute.parse(d));
  await importDisputes(db, disputes, T0);
  const ids = (await db.selectFrom('cases').select('id').where('status', '=', 'escalated').orderBy('id').execute()).map((r) => r.id);
  waiting = ids.slice(0, 320);
  for (const id of waiting) {
    await runCaseCommand(db, id, { type: 'claim' }, mediator, T0);
    await runCaseCommand(
      db,
      id,
      { type: 'requestEvidence', party: 'buyer', request: 'Please send a photo of the parcel label.' },
      mediator,
      T0,
    );
  }
  await db.destroy();
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let copies = 0;
function copyOfTemplate(): string {
  const file = join(root, `copy-${copies++}.sqlite`);
  copyFileSync(template, file);
  return file;
}

/**
 * Every stored row a sweep writes, in key order (change_log left out: one row per chunk, and
 * chunks are sized by CPU time, not the same in a worker).
 */
async function storedRows(db: Db) {
  const table = async (name: string, order: string) => (await sql.raw(`SELECT * FROM ${name} ORDER BY ${order}`).execute(db)).rows;
  return {
    cases: await table('cases', 'id'),
    events: await table('case_events', 'id'),
    decisions: await table('decisions', 'case_id, seq'),
    deadlines: await table('deadlines', 'id'),
    evidenceRequests: await table('evidence_requests', 'id'),
    outbox: await table('feed_outbox', 'seq'),
    // The buyer-risk rows as the risk tests compare them: each buyer's stored context (the rate its
    // sellers' other buyers open disputes at) is taken at its last scoring, so it moves with where
    // the chunks ended; all rescored at one instant, two equal histories give equal rows.
    risk: await riskSnapshot(db, LATER, (await loadRiskModel(db)).priors),
  };
}

const defaults = async (db: Db) =>
  (await db.selectFrom('decisions').select('case_id').where('basis', '=', 'default').execute()).map((r) => r.case_id).sort();

describe('a catch-up on a worker thread (app/sweep/in-worker.ts)', () => {
  it('stores exactly what the in-process sweep stores, reporting each chunk; the audit chain verifies', async () => {
    expect(waiting.length).toBeGreaterThanOrEqual(OFF_THREAD_FROM);
    const inProcess = await openDatabase({ url: copyOfTemplate() });
    const onWorker = await openDatabase({ url: copyOfTemplate() });
    try {
      checkpointOffThread(onWorker);
      const before = { ...sweepRuns };
      const a = await sweepOffThread(inProcess, LATER, { inProcess: true }).report;
      const progress: SweepProgress[] = [];
      const b = await sweepOffThread(onWorker, LATER, { onProgress: (p) => progress.push(p) }).report;
      expect(sweepRuns).toEqual({ worker: before.worker + 1, inProcess: before.inProcess + 1 });

      expect(b.applied).toBe(waiting.length);
      expect({ applied: b.applied, stale: b.stale }).toEqual({ applied: a.applied, stale: a.stale });
      expect([...b.caseIds].sort()).toEqual([...a.caseIds].sort());
      const [got, want] = [await storedRows(onWorker), await storedRows(inProcess)];
      for (const name of Object.keys(want) as Array<keyof typeof want>) {
        expect(got[name], name).toEqual(want[name]);
      }
      expect(await defaults(onWorker)).toEqual([...waiting].sort());

      // Progress: several chunks, done only grows, each chunk's cases announced once.
      expect(progress.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThan(progress[i - 1]!.done);
      expect(progress.at(-1)!.done).toBe(waiting.length);
      expect(progress.flatMap((p) => p.caseIds).sort()).toEqual([...waiting].sort());

      const verified = await verifyChains(onWorker);
      expect(verified.brokenCases).toBe(0);
      expect(verified.events).toBeGreaterThan(0);
    } finally {
      await inProcess.destroy();
      await onWorker.destroy();
    }
  }, 60_000);

  it('lets main-thread commands through while it runs; a command on a case not reached yet applies its own due row first', async () => {
    const db = await openDatabase({ url: copyOfTemplate() });
    try {
      checkpointOffThread(db);
      const last = [...waiting].sort().at(-1)!;
      const other = [...waiting].sort()[0]!;
      const during: Array<Promise<unknown>> = [];
      let sweepEnded = false;
      let pendingAtCommand = -1;
      const run = sweepOffThread(db, LATER, {
        onProgress: (p) => {
          if (during.length) return;
          pendingAtCommand = p.pendingAtLeast;
          // The catch-up goes on in the worker meanwhile: the command waits at most for its chunk.
          during.push(
            runCaseCommand(db, last, { type: 'release', reason: 'Out of office.' }, mediator, LATER)
              .then(
                () => 'released',
                (e: unknown) => (e instanceof AppFailure ? e.code : Promise.reject(e)),
              )
              .then(async (answer) => ({
                answer,
                sweepStillRunning: !sweepEnded,
                // What the main thread reads right after its commit is one consistent state.
                seen: await db.selectFrom('cases').select(['status']).where('id', '=', last).executeTakeFirstOrThrow(),
                decisions: await db.selectFrom('decisions').select('seq').where('case_id', '=', last).execute(),
              })),
          );
          // A case the worker applied already: the main thread reads the default it committed.
          during.push(db.selectFrom('decisions').select('basis').where('case_id', '=', other).execute());
        },
      });
      const report = await run.report.finally(() => (sweepEnded = true));
      expect(pendingAtCommand).toBeGreaterThan(0);
      const [command, otherDecisions] = (await Promise.all(during)) as [
        { answer: string; sweepStillRunning: boolean; seen: { status: string }; decisions: unknown[] },
        Array<{ basis: string }>,
      ];
      // Refused: the case's own due row (the default, which closes it) was applied first, in the command's transaction
      // or by the worker; the command's answer came while the catch-up still ran (logged, not required on a loaded machine).
      expect(command.answer).toBe('INVALID_STATE');
      if (!command.sweepStillRunning) console.warn('sweep-worker test: the catch-up ended before the command was answered');
      expect(command.decisions).toHaveLength(1);
      expect(command.seen.status).not.toBe('awaiting_evidence');
      expect(otherDecisions).toEqual([{ basis: 'default' }]);
      // Exactly one expiry and one default per case, whoever applied it.
      const expired = await db
        .selectFrom('case_events')
        .select((eb) => ['case_id', eb.fn.countAll<number>().as('n')])
        .where('type', '=', 'evidence.expired')
        .groupBy('case_id')
        .execute();
      expect(expired).toHaveLength(waiting.length);
      expect(expired.every((r) => Number(r.n) === 1)).toBe(true);
      expect(await defaults(db)).toEqual([...waiting].sort());
      // The command's case was applied by the command, unless the worker had reached it first.
      expect(report.applied).toBeGreaterThanOrEqual(waiting.length - 1);
      expect((await verifyChains(db)).brokenCases).toBe(0);
    } finally {
      await db.destroy();
    }
  }, 60_000);

  it('closing the app mid-catch-up stops the worker after its chunk; the next start finishes it, nothing applied twice', async () => {
    const dataDir = mkdtempSync(join(root, 'core-'));
    const file = copyOfTemplate();
    const clock = new ManualClock(T0);
    const core = await openCore({ dataDir, databaseUrl: file, clock, fullIntegrityWalk: false });
    const notices: ChangeNotice[] = [];
    core.onChange((n) => n && notices.push(n));
    clock.advance(73 * HOUR);
    const workerRuns = sweepRuns.worker;
    const closing: { done?: Promise<void> } = {};
    // The app closes at the first progress notice, the catch-up still under way in the worker.
    const unsubscribe = core.onChange((n) => {
      if (n && (n as ChangeNotice).progress && !closing.done) closing.done = core.close();
    });
    await core.sweepNow();
    unsubscribe();
    await closing.done;
    expect(closing.done).toBeDefined();
    expect(sweepRuns.worker).toBe(workerRuns + 1);
    const last = notices.filter((n) => n.progress).at(-1)!.progress!;
    expect(last.finished).toBe(true);
    expect(last.done).toBeLessThan(waiting.length); // stopped early, after a chunk

    const db = await openDatabase({ url: file });
    try {
      const decided = await defaults(db);
      expect(decided.length).toBe(last.done);
      // Each applied row is claimed with its case's default; the others are still pending, undecided.
      const pending = await db
        .selectFrom('deadlines')
        .select('case_id')
        .where('fired_at', 'is', null)
        .where('kind', '=', 'evidence')
        .execute();
      expect(pending.length + decided.length).toBe(waiting.length);
      expect((await verifyChains(db)).brokenCases).toBe(0);
      const rest = await sweepOffThread(db, LATER).report;
      expect(rest.applied).toBe(waiting.length - decided.length);
      expect(await defaults(db)).toEqual([...waiting].sort());
      expect((await verifyChains(db)).brokenCases).toBe(0);
    } finally {
      await db.destroy();
    }
  }, 60_000);

  // Last: a fallback is kept for the rest of the process (the worker is not tried again).
  it('a worker that cannot start falls back to the main thread, with the same result', async () => {
    const db = await openDatabase({ url: copyOfTemplate() });
    try {
      // The worker opens its own connection with this addon: it fails before it is ready.
      sqliteFileOf(db)!.nativeBinding = join(root, 'no-such-addon.node');
      const before = { ...sweepRuns };
      const progress: SweepProgress[] = [];
      const report = await sweepOffThread(db, LATER, { onProgress: (p) => progress.push(p) }).report;
      expect(sweepRuns).toEqual({ worker: before.worker, inProcess: before.inProcess + 1 });
      expect(report.applied).toBe(waiting.length);
      expect(progress.at(-1)!.done).toBe(waiting.length);
      expect(await defaults(db)).toEqual([...waiting].sort());
      expect((await verifyChains(db)).brokenCases).toBe(0);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
