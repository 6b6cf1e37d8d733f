/**
 * `bench [--cases N] [--runs N] [--sweep-cases N] [--work-dir DIR] [--keep] [--skip-baseline]`
 *
 * Measures the figures the product promises at a million cases, each next to a hand-written
 * raw better-sqlite3 baseline doing the same work in the same run (so a slow or busy machine
 * shows up in both), and prints ONE JSON document on stdout. Progress goes to stderr.
 *
 *   import      the real `cli import` in a child process: seconds, disputes/s, peak RSS
 *   queuePage   first page of the unassigned queue: median/p95 and its query plan
 *   sweepIdle   a sweep with nothing due over ~1M pending deadline rows
 *   sweepApply  --sweep-cases (10,000) missed-evidence defaults applied by one sweep on the app's path
 *               (sweepOffThread: the worker thread on this SQLite file; `mode` and `path` say which):
 *               wall and CPU rate (process and main thread), the main thread's longest stall;
 *               sweepApplyInProcess the same on as many other cases in the main thread (sweep(),
 *               the path of PostgreSQL and small sweeps)
 *   setupCommands the claim + request evidence commands that set sweepApply up, per second, beside
 *               a bare durable commit on the same disk (bench/durable-commit.ts)
 *   sweepCatchUp --catch-up N (100,000) evidence deadlines due after a long weekend, applied by one
 *               sweep while a 1 ms timer stands in for the window: the longest main-thread stall
 *               (bench/sweep-catch-up.ts); on the worker thread as the app runs it, or in the
 *               main thread with --catch-up-in-process (the figure's `mode` says which)
 *   evidence    images ingested per second (hash, store, analysis with thumbnail and pHash) and
 *               the reuse lookup among 1,000,000 stored hashes (--skip-evidence,
 *               --evidence-images N, --evidence-stored N; bench/evidence.ts)
 *   photoMatch  photo matching on generated product shots: recall per fraudster's edit, false
 *               links per 1,000 unrelated pairs, print/verification cost per image beside a raw
 *               decode, the candidate scan at 1,000,000 signatures (--skip-photo-match,
 *               --photo-products N, --photo-distractors N; bench/photo-match.ts)
 *   appAtScale  the app on `cli demo --cases` (--app-cases, default --cases) in Chromium: sign-in
 *               to the first queue rows and the tab counts (--skip-app, --app-only;
 *               bench/app-at-scale.ts)
 *   pgImport    on PostgreSQL: the same file through the CLI's COPY path into a database of its
 *               own, beside this run's SQLite import (--skip-pg-import; bench/pg-import.ts)
 *   team        on PostgreSQL (--pg <url> or BENCH_DATABASE_URL; skipped with a note without
 *               one): take-next p95 with 30 mediators on 3 desktops, queue.counts and the first
 *               "All open" page at --pg-cases (1M) cases, each beside raw `pg`
 *               (--pg-presses N per mediator, after as many untimed ones, --pg-warm-presses N
 *               to change that (0: from a cold process), --team-only to run just these,
 *               --pg-reuse to keep the filled database as a template on the server and copy
 *               it for each run; bench/team.ts)
 *   consistency on PostgreSQL too: the Decide dialog's nearest past decisions at
 *               --consistency-cases (100k) cases beside raw `pg`, and the plan of the candidate
 *               query (--consistency-only to run just this; bench/consistency.ts)
 *   reports     on PostgreSQL too: the supervisors' 30-day report by mediator and by week at
 *               --reports-cases (1M) cases beside raw `pg` (--reports-only to run just this;
 *               bench/reports.ts)
 */
import { spawn } from 'node:child_process';
import type { ChildRun } from '../bench/pg-import';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { capturing, judgePlan, planOfFirstQuery } from '../bench/capture';
import { calibrate, round, summarize } from '../bench/stats';
import { mainThreadCpuMs, withCpuSeconds, withStallMeter } from '../bench/stall';
import { durableCommitFloor } from '../bench/durable-commit';
import { claimAndRequestEvidence } from '../bench/setup-commands';
import { checkpointOffThread, openDatabase, type Db } from '../db/connect';
import { ensurePolicy } from '../db/repos/policy';
import { queuePage } from '../app/queue/queue';
import { sweep } from '../app/sweep/sweep';
import { sweepOffThread, sweepRuns } from '../app/sweep/in-worker';
import { intFlag, parseArgs, optionsOnly } from './args';
import { DEMO_USERS, generateDemoDisputes } from '../demo/demo-data';
import type { ImportSummary } from '../app/intake/bulk-import';

/** Fixed, so the generated file is the same on every run and can be reused with --work-dir. */
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const SEED = 1;
const HOUR = 3_600_000;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TARGETS = {
  importSecondsPerMillion: 60,
  importPeakRssMB: 400,
  queueMedianMs: 5,
  queueRatio: 2,
  sweepIdleMedianMs: 1,
  sweepApplyPerSecond: 5_000,
  setupCommandsPerSecond: 2_000,
};

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

export async function runBench(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, {
    cases: 'string',
    runs: 'string',
    'sweep-cases': 'string',
    'catch-up': 'string',
    'catch-up-in-process': 'boolean',
    'work-dir': 'string',
    keep: 'boolean',
    'skip-baseline': 'boolean',
    'risk-buyers': 'string',
    'risk-orders': 'string',
    'skip-risk': 'boolean',
    'skip-evidence': 'boolean',
    'skip-audit': 'boolean',
    'evidence-images': 'string',
    'evidence-stored': 'string',
    'skip-photo-match': 'boolean',
    'photo-products': 'string',
    'photo-distractors': 'string',
    pg: 'string',
    'pg-cases': 'string',
    'pg-presses': 'string',
    'pg-warm-presses': 'string',
    'team-only': 'boolean',
    'pg-reuse': 'boolean',
    'consistency-cases': 'string',
    'consistency-only': 'boolean',
    'reports-cases': 'string',
    'reports-only': 'boolean',
    'risk-sort-cases': 'string',
    'risk-sort-only': 'boolean',
    'skip-pg-import': 'boolean',
    'app-cases': 'string',
    'app-only': 'boolean',
    'skip-app': 'boolean',
  });
  optionsOnly(positional);
  const pgUrl = (flags.pg as string | undefined) ?? process.env.BENCH_DATABASE_URL;
  const team = async () => {
    if (!pgUrl) return { skipped: 'no PostgreSQL server given (--pg <url> or BENCH_DATABASE_URL)', pass: true };
    const { benchTeam } = await import('../bench/team');
    const r = await benchTeam({
      url: pgUrl,
      cases: intFlag(flags['pg-cases'], 'pg-cases', 1_000_000),
      presses: intFlag(flags['pg-presses'], 'pg-presses', 20),
      warmPresses: flags['pg-warm-presses'] === undefined ? undefined : intFlag(flags['pg-warm-presses'], 'pg-warm-presses', 20),
      reuse: flags['pg-reuse'] === true,
      runs: Math.max(1, intFlag(flags.runs, 'runs', 100)),
      now: NOW,
      log,
    });
    return { ...r, pass: r.takeNext.pass && r.queueCounts.pass && r.allOpenFirstPage.pass };
  };
  const consistency = async () => {
    if (!pgUrl) return { skipped: 'no PostgreSQL server given (--pg <url> or BENCH_DATABASE_URL)', pass: true };
    const { benchConsistency } = await import('../bench/consistency');
    return benchConsistency({
      url: pgUrl,
      cases: intFlag(flags['consistency-cases'], 'consistency-cases', 100_000),
      runs: Math.max(1, intFlag(flags.runs, 'runs', 100)),
      now: NOW,
      log,
    });
  };
  const reports = async () => {
    if (!pgUrl) return { skipped: 'no PostgreSQL server given (--pg <url> or BENCH_DATABASE_URL)', pass: true };
    const { benchReports } = await import('../bench/reports');
    return benchReports({
      url: pgUrl,
      cases: intFlag(flags['reports-cases'], 'reports-cases', 1_000_000),
      runs: Math.max(1, intFlag(flags.runs, 'runs', 20)),
      now: NOW,
      log,
    });
  };
  /** The queue sorted by buyer risk at --risk-sort-cases cases, SQLite and (with --pg) PostgreSQL (bench/risk-sort.ts). */
  const riskSort = async () => {
    const { benchRiskSort } = await import('../bench/risk-sort');
    return benchRiskSort({
      cases: intFlag(flags['risk-sort-cases'], 'risk-sort-cases', 1_000_000, { min: 1_000, max: 2_000_000 }),
      runs: Math.max(1, intFlag(flags.runs, 'runs', 7)),
      now: NOW,
      pgUrl,
      log,
    });
  };
  /** The app opened on a demo database of --app-cases cases, timed in Chromium (bench/app-at-scale.ts). */
  const appAtScale = async (workDir: string, defaultCases: number) => {
    if (flags['skip-app']) return { skipped: '--skip-app', pass: true };
    const { benchAppAtScale } = await import('../bench/app-at-scale');
    return benchAppAtScale({
      root: ROOT,
      workDir,
      cases: intFlag(flags['app-cases'], 'app-cases', defaultCases, { min: 1, max: 2_000_000 }),
      runs: Math.min(10, Math.max(1, intFlag(flags.runs, 'runs', 5))),
      user: DEMO_USERS.find((u) => u.role === 'mediator')!,
      log,
    });
  };
  // One part alone: its figure only.
  const alone: Array<[flag: string, name: string, run: () => Promise<{ pass: boolean }>]> = [
    ['reports-only', 'reports', reports],
    ['risk-sort-only', 'riskSort', riskSort],
    ['consistency-only', 'consistency', consistency],
    ['team-only', 'team', team],
    [
      'app-only',
      'appAtScale',
      () => appAtScale(resolve((flags['work-dir'] as string | undefined) ?? join(tmpdir(), 'mediation-desk-bench-app')), 1_000_000),
    ],
  ];
  for (const [flag, name, run] of alone) {
    if (!flags[flag]) continue;
    const figure = await run();
    process.stdout.write(
      `${JSON.stringify({ bench: 'mediation-desk', startedAt: new Date().toISOString(), figures: { [name]: figure }, pass: figure.pass }, null, 2)}\n`,
    );
    return;
  }
  const cases = intFlag(flags.cases, 'cases', 1_000_000);
  const runs = Math.max(1, intFlag(flags.runs, 'runs', 200));
  const sweepCases = Math.min(cases, intFlag(flags['sweep-cases'], 'sweep-cases', 10_000));
  // The catch-up takes the last escalated cases, sweepApply the first 2 × --sweep-cases (its two paths): together at most all of them.
  const catchUpCases = Math.min(Math.max(0, cases - 2 * sweepCases), intFlag(flags['catch-up'], 'catch-up', 100_000));
  const ownDir = !flags['work-dir'];
  const dir = flags['work-dir'] ? resolve(flags['work-dir'] as string) : mkdtempSync(join(tmpdir(), 'mediation-desk-bench-'));
  mkdirSync(dir, { recursive: true });
  const started = new Date();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemGB: round(totalmem() / 2 ** 30, 1),
    freeMemGB: round(freemem() / 2 ** 30, 1),
    node: process.version,
    sqlite: sqliteVersion(),
    loadAvgAtStart: loadavg().map((x) => round(x, 2)),
  };
  log(`${cases.toLocaleString('en')} cases, work dir ${dir}, load average ${machine.loadAvgAtStart.join(' ')}`);

  try {
    const calibration = calibrate();
    log(`calibration: ${calibration.simpleInsertUs} µs per trivial SQLite insert`);

    // 0. The input file (not timed against a target).
    const file = join(dir, `disputes-${cases}-seed${SEED}.ndjson`);
    const generated = await ensureInput(file, cases);

    // 1. import: the real CLI in a child process, then the raw baseline the same way.
    const ourDb = join(dir, 'ours.sqlite');
    removeDb(ourDb);
    log('import: real CLI…');
    const ours = await runChild(['src-main/cli/index.ts', 'import', file, '--db', ourDb], dir);
    if (ours.code !== 0) throw new Error(`cli import failed (exit ${ours.code}): ${ours.stderrTail}`);
    const summary = JSON.parse(ours.stdout.trim().split('\n').pop() ?? '{}') as {
      read?: number;
      created?: number;
      refused?: number;
      seconds?: number;
      timings?: ImportTimings;
    };
    log(
      `import: ${ours.wallSeconds.toFixed(1)} s, peak RSS ${ours.peakRssMB ?? '?'} MB, ${summary.created} created, ${ours.problemLines} problems`,
    );
    let baseline: Awaited<ReturnType<typeof runChild>> | null = null;
    let baselineResult: { read: number; created: number; seconds: number } | null = null;
    if (!flags['skip-baseline']) {
      const rawDb = join(dir, 'raw.sqlite');
      removeDb(rawDb);
      const fresh = await openDatabase({ url: rawDb }); // the same migration creates the same schema
      await fresh.destroy();
      log('import: raw better-sqlite3 baseline…');
      baseline = await runChild(['src-main/bench/raw-import-main.ts', file, rawDb, String(NOW)], dir);
      if (baseline.code !== 0) throw new Error(`raw baseline import failed (exit ${baseline.code}): ${baseline.stderrTail}`);
      baselineResult = JSON.parse(baseline.stdout.trim().split('\n').pop() ?? '{}') as { read: number; created: number; seconds: number };
      log(`import baseline: ${baseline.wallSeconds.toFixed(1)} s`);
      removeDb(rawDb);
    }
    const importTargetSeconds = (TARGETS.importSecondsPerMillion * cases) / 1_000_000;
    const importFigure = {
      disputes: cases,
      seconds: round(ours.wallSeconds, 2),
      disputesPerSecond: Math.round(cases / ours.wallSeconds),
      cliReportedSeconds: summary.seconds ?? null,
      breakdown: importBreakdown(summary),
      peakRssMB: ours.peakRssMB,
      rssSource: ours.rssSource,
      created: summary.created ?? null,
      refused: summary.refused ?? null,
      problemLines: ours.problemLines,
      databaseMB: round(dbBytes(ourDb) / 2 ** 20, 1),
      target: {
        seconds: round(importTargetSeconds, 2),
        peakRssMB: TARGETS.importPeakRssMB,
        note: cases === 1_000_000 ? '60 s per 1M disputes' : `60 s per 1M disputes, scaled to ${cases}`,
      },
      pass:
        ours.wallSeconds <= importTargetSeconds &&
        (ours.peakRssMB ?? Infinity) <= TARGETS.importPeakRssMB &&
        summary.created === cases &&
        ours.problemLines === 0,
      baseline:
        baseline && baselineResult
          ? {
              seconds: round(baseline.wallSeconds, 2),
              disputesPerSecond: Math.round(cases / baseline.wallSeconds),
              innerSeconds: round(baselineResult.seconds, 2),
              peakRssMB: baseline.peakRssMB,
              created: baselineResult.created,
            }
          : null,
      ratio: baseline ? round(ours.wallSeconds / baseline.wallSeconds, 2) : null,
    };

    // 1b. The same file into PostgreSQL through COPY (with --pg).
    const pgImportFigure =
      !pgUrl || flags['skip-pg-import']
        ? { skipped: pgUrl ? '--skip-pg-import' : 'no PostgreSQL server given (--pg <url> or BENCH_DATABASE_URL)', pass: true }
        : await (
            await import('../bench/pg-import')
          ).benchPgImport({
            url: pgUrl,
            file,
            disputes: cases,
            targetSeconds: importTargetSeconds,
            sqlite: { seconds: round(ours.wallSeconds, 2), peakRssMB: ours.peakRssMB },
            runImport: (dbUrl) => runChild(['src-main/cli/index.ts', 'import', file, '--db', dbUrl], dir),
            log,
          });

    // 2-4 run in this process against the database the CLI just filled.
    const db = await openDatabase({ url: ourDb });
    // As the app (runtime/core.ts): checkpoints on a worker thread.
    checkpointOffThread(db);
    const raw = new BetterSqlite3(ourDb);
    raw.pragma('journal_mode = WAL');
    raw.pragma('busy_timeout = 5000');
    try {
      await ensurePolicy(db, NOW);
      const queueFigure = await benchQueue(db, raw, runs);
      const idleFigure = await benchSweepIdle(db, raw, runs, cases);
      const {
        apply: applyFigure,
        inProcess: applyInProcessFigure,
        setup: setupFigure,
      } = await benchSweepApply(db, raw, sweepCases, join(dir, 'durable-commit.sqlite'));
      const catchUpFigure = await (
        await import('../bench/sweep-catch-up')
      ).benchSweepCatchUp(db, raw, catchUpCases, NOW, log, {
        inProcess: !!flags['catch-up-in-process'],
      });
      // The audit chain: verifying every event against a raw read-and-hash loop.
      const auditFigure = flags['skip-audit'] ? null : await (await import('../bench/audit')).benchAuditVerify(db, raw, log);
      // 5-6. The buyer score: a full recompute at 1M buyers / 8M orders and the per-event update.
      const risk = flags['skip-risk']
        ? null
        : await (
            await import('../bench/risk')
          ).benchRisk({
            buyers: intFlag(flags['risk-buyers'], 'risk-buyers', 1_000_000),
            orders: intFlag(flags['risk-orders'], 'risk-orders', 8_000_000),
            log,
          });
      // 7. Evidence files: images ingested per second, reuse lookup among 1M stored hashes.
      const evidence = flags['skip-evidence']
        ? null
        : await (
            await import('../bench/evidence')
          ).benchEvidence({
            images: intFlag(flags['evidence-images'], 'evidence-images', 200),
            stored: intFlag(flags['evidence-stored'], 'evidence-stored', 1_000_000),
            workDir: join(dir, 'evidence-bench'),
            keep: !!flags.keep,
            log,
          });
      // 8. Photo matching (issue 15): recall per fraudster's edit, false links, cost per image (bench/photo-match.ts).
      const photoMatch = flags['skip-photo-match']
        ? null
        : await (
            await import('../bench/photo-match')
          ).benchPhotoMatching({
            products: intFlag(flags['photo-products'], 'photo-products', 60),
            distractors: intFlag(flags['photo-distractors'], 'photo-distractors', 20),
            log,
          });
      const figures = {
        import: importFigure,
        pgImport: pgImportFigure,
        queuePage: queueFigure,
        sweepIdle: idleFigure,
        sweepApply: applyFigure,
        sweepApplyInProcess: applyInProcessFigure,
        setupCommands: setupFigure,
        sweepCatchUp: catchUpFigure,
        ...(risk
          ? {
              riskRecompute: { ...risk.figures.recompute, pass: risk.figures.recompute.pass },
              ...(risk.figures.incremental
                ? { riskIncremental: { ...risk.figures.incremental, pass: risk.figures.incremental.pass } }
                : {}),
            }
          : {}),
        ...(evidence ? { evidence } : {}),
        ...(photoMatch ? { photoMatch } : {}),
        team: await team(),
        consistency: await consistency(),
        reports: await reports(),
        appAtScale: await appAtScale(dir, cases),
        ...(auditFigure ? { auditVerify: auditFigure } : {}),
      };
      const report = {
        bench: 'mediation-desk',
        startedAt: started.toISOString(),
        finishedAt: new Date().toISOString(),
        cases,
        seed: SEED,
        now: new Date(NOW).toISOString(),
        machine: { ...machine, loadAvgAtEnd: loadavg().map((x) => round(x, 2)), calibration },
        input: {
          file: ownDir && !flags.keep ? null : file,
          megabytes: round(statSync(file).size / 2 ** 20, 1),
          generateSeconds: generated.seconds,
          reused: generated.reused,
        },
        figures,
        pass: Object.values(figures).every((f) => f.pass),
      };
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } finally {
      raw.close();
      await db.destroy();
    }
  } finally {
    if (ownDir && !flags.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

// ---------------------------------------------------------------------------------------
// queuePage

async function benchQueue(db: Db, raw: BetterSqlite3.Database, runs: number) {
  log(`queuePage: ${runs} runs against a raw prepared statement…`);
  const page = () => queuePage(db, { scope: 'unassigned', limit: 50 }, null, NOW);
  const { sql, plan } = await planOfFirstQuery(db, (d) => queuePage(d, { scope: 'unassigned', limit: 50 }, null, NOW));
  const captured = await captureParams(db, (d) => queuePage(d, { scope: 'unassigned', limit: 50 }, null, NOW));
  const stmt = raw.prepare(sql);
  const verdict = judgePlan(plan, 'cases_queue');
  const ours: number[] = [];
  const base: number[] = [];
  let rows = 0;
  for (let i = 0; i < 20; i++) {
    await page();
    stmt.all(...captured);
  }
  // Interleaved, so a burst of load on a shared machine hits both sides alike.
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = await page();
    ours.push(performance.now() - t);
    rows = r.rows.length;
    t = performance.now();
    stmt.all(...captured);
    base.push(performance.now() - t);
  }
  const s = summarize(ours);
  const b = summarize(base);
  const ratio = round(s.medianMs / b.medianMs, 2);
  return {
    ...s,
    rows,
    target: {
      medianMs: TARGETS.queueMedianMs,
      ratioToBaseline: TARGETS.queueRatio,
      plan: 'uses cases_queue; no full scan; no TEMP B-TREE for ORDER BY',
    },
    pass: s.medianMs <= TARGETS.queueMedianMs && ratio <= TARGETS.queueRatio && verdict.ok && rows === 50,
    baseline: b,
    ratio,
    sql,
    plan,
    planOk: verdict.ok,
    planProblems: verdict.problems,
  };
}

/** The bound parameters of the first query a service sends (so the raw side binds the same values). */
async function captureParams(db: Db, run: (d: Db) => Promise<unknown>): Promise<unknown[]> {
  const cap = capturing(db);
  await run(cap.db);
  return [...(cap.queries()[0]?.parameters ?? [])];
}

// ---------------------------------------------------------------------------------------
// sweepIdle

async function benchSweepIdle(db: Db, raw: BetterSqlite3.Database, runs: number, cases: number) {
  log(`sweepIdle: ${cases.toLocaleString('en')} pending deadlines in the future…`);
  const t0 = performance.now();
  // One future evidence deadline per case, spread over a month, written raw (setup only).
  raw
    .prepare(
      `INSERT INTO deadlines (case_id, key, kind, due_at, created_at, fired_at, cancelled_at)
       SELECT id, 'evidence:bench-idle', 'evidence', ? + (rowid * 2654435761) % ?, ?, NULL, NULL FROM cases`,
    )
    .run(NOW + 30 * 24 * HOUR, 30 * 24 * HOUR, NOW);
  const pending = (
    raw.prepare('SELECT count(*) AS n FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL').get() as { n: number }
  ).n;
  const setupSeconds = round((performance.now() - t0) / 1000, 2);
  const { sql, plan } = await planOfFirstQuery(
    db,
    (d) => sweep(d, NOW),
    (q) => /from "deadlines"/i.test(q),
  );
  const params = await captureParams(db, (d) => sweep(d, NOW));
  const stmt = raw.prepare(sql);
  const verdict = judgePlan(plan, 'deadlines_pending');
  const ours: number[] = [];
  const base: number[] = [];
  let applied = 0;
  for (let i = 0; i < 20; i++) {
    await sweep(db, NOW);
    stmt.all(...params);
  }
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = await sweep(db, NOW);
    ours.push(performance.now() - t);
    applied += r.applied + r.stale;
    t = performance.now();
    stmt.all(...params);
    base.push(performance.now() - t);
  }
  const s = summarize(ours);
  const b = summarize(base);
  return {
    ...s,
    pendingDeadlines: pending,
    setupSeconds,
    target: { medianMs: TARGETS.sweepIdleMedianMs, plan: 'uses deadlines_pending' },
    pass: s.medianMs <= TARGETS.sweepIdleMedianMs && verdict.ok && applied === 0,
    baseline: b,
    ratio: round(s.medianMs / b.medianMs, 2),
    sql,
    plan,
    planOk: verdict.ok,
    planProblems: verdict.problems,
  };
}

// ---------------------------------------------------------------------------------------
// sweepApply

/**
 * One sweep of `n` missed-evidence defaults, set up by the commands (claim + request evidence at
 * `at`, their deadlines due at +72 h) on the cases `ids`, swept at +73 h: `app` as the app runs it
 * (sweepOffThread, runtime/core.ts: on the worker thread from OFF_THREAD_FROM due rows on a SQLite
 * file), or in the main thread (`inProcess`, the path of PostgreSQL and of small sweeps). The
 * process's CPU (every thread), the main thread's, and the main thread's longest stall.
 */
async function sweepFigure(db: Db, raw: BetterSqlite3.Database, ids: string[], at: number, inProcess: boolean) {
  const sweepAt = at + 73 * HOUR;
  const dueBefore = (
    raw.prepare('SELECT count(*) AS n FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= ?').get(sweepAt) as {
      n: number;
    }
  ).n;
  const eventsBefore = (raw.prepare('SELECT count(*) AS n FROM case_events').get() as { n: number }).n;
  const runs0 = { ...sweepRuns };
  const main0 = mainThreadCpuMs();
  const t1 = performance.now();
  const {
    result: { result: report, longestStallMs },
    cpuSeconds,
  } = await withCpuSeconds(() => withStallMeter(() => sweepOffThread(db, sweepAt, { inProcess }).report));
  const seconds = (performance.now() - t1) / 1000;
  const main1 = mainThreadCpuMs();
  const mode = sweepRuns.worker > runs0.worker ? 'worker' : 'in-process';
  const eventsWritten = (raw.prepare('SELECT count(*) AS n FROM case_events').get() as { n: number }).n - eventsBefore;
  const decided = ids.length
    ? (
        raw
          .prepare(`SELECT count(*) AS n FROM decisions WHERE basis = 'default' AND case_id IN (SELECT value FROM json_each(?))`)
          .get(JSON.stringify(ids)) as { n: number }
      ).n
    : 0;
  const statuses = Object.fromEntries(
    (
      raw
        .prepare('SELECT status, count(*) AS n FROM cases WHERE id IN (SELECT value FROM json_each(?)) GROUP BY status')
        .all(JSON.stringify(ids)) as Array<{ status: string; n: number }>
    ).map((r) => [r.status, r.n]),
  );
  const perSecond = Math.round(report.applied / seconds);
  const mainCpuSeconds = main0 === null || main1 === null ? null : round((main1 - main0) / 1000, 3);
  log(`sweepApply (${mode}): ${report.applied} defaults in ${seconds.toFixed(2)} s, longest stall ${longestStallMs} ms`);
  return {
    mode,
    defaults: report.applied,
    stale: report.stale,
    seconds: round(seconds, 3),
    defaultsPerSecond: perSecond,
    /** The whole process's CPU: on the worker, its thread's and the main thread's together. */
    cpuSeconds: round(cpuSeconds, 3),
    // The rate one free core would give: on a shared 2-core machine the wall figure mostly measures the neighbours.
    defaultsPerCpuSecond: Math.round(report.applied / cpuSeconds),
    mainThreadCpuSeconds: mainCpuSeconds,
    longestStallMs,
    dueBeforeSweep: dueBefore,
    decidedByDefault: decided,
    auditEventsWritten: eventsWritten,
    caseStatusesAfter: statuses,
    target: { defaultsPerSecond: TARGETS.sweepApplyPerSecond },
    pass: perSecond >= TARGETS.sweepApplyPerSecond && report.applied === ids.length && decided === ids.length,
    baseline: null,
    baselineNote: 'none: each default is decided by the engine; the figure is absolute',
    ratio: null,
  };
}

/**
 * `sweepApply`: `n` defaults swept on the app's path (`mode` says which: the worker on this SQLite
 * file); `inProcess` (sweepApplyInProcess): as many on n other cases, set up the same way after
 * it at a later clock and swept by the main thread, the path PostgreSQL and small sweeps take.
 * `setupCommands`: the commands that set the first n up.
 */
async function benchSweepApply(db: Db, raw: BetterSqlite3.Database, n: number, scratchFile: string) {
  log(`sweepApply: claim + request evidence on ${n.toLocaleString('en')} cases…`);
  const ids = (raw.prepare("SELECT id FROM cases WHERE status = 'escalated' ORDER BY id LIMIT ?").all(2 * n) as Array<{ id: string }>).map(
    (r) => r.id,
  );
  const appIds = ids.slice(0, n);
  const inProcessIds = ids.slice(n);
  const t0 = performance.now();
  await claimAndRequestEvidence(db, appIds, NOW);
  const setupSeconds = (performance.now() - t0) / 1000;
  log(`sweepApply: sweeping at +73 h on the app's path…`);
  const apply = await sweepFigure(db, raw, appIds, NOW, false);
  // The second set after the first sweep, at a clock past it (its deadlines due after the first's sweep).
  const later = NOW + 74 * HOUR;
  log(`sweepApply: the in-process comparison on ${inProcessIds.length.toLocaleString('en')} other cases…`);
  await claimAndRequestEvidence(db, inProcessIds, later);
  const inProcess = await sweepFigure(db, raw, inProcessIds, later, true);
  const commandsPerSecond = Math.round((appIds.length * 2) / setupSeconds);
  const floor = durableCommitFloor(scratchFile);
  log(
    `setupCommands: ${commandsPerSecond}/s; a bare durable commit on this disk: ${floor.commitsPerSecond}/s (median ${floor.medianCommitMs} ms)`,
  );
  const setup = {
    commands: appIds.length * 2,
    seconds: round(setupSeconds, 2),
    commandsPerSecond,
    target: { commandsPerSecond: TARGETS.setupCommandsPerSecond },
    pass: commandsPerSecond >= TARGETS.setupCommandsPerSecond,
    baseline: floor,
    baselineNote:
      'raw better-sqlite3, one tiny insert per durable commit (WAL, synchronous = FULL, as the app): the most commands per second one transaction per command can reach on this disk',
    ratio: commandsPerSecond ? round(floor.commitsPerSecond / commandsPerSecond, 2) : null,
  };
  return {
    apply: { ...apply, path: SWEEP_APPLY_PATH },
    // A comparison: the goal is the app path's (sweepApply); it passes when every default was applied.
    inProcess: {
      ...inProcess,
      path: SWEEP_IN_PROCESS_PATH,
      pass: inProcess.defaults === inProcessIds.length && inProcess.decidedByDefault === inProcessIds.length,
      passNote: "every default applied and decided (the rate's goal is sweepApply's, the app's path)",
    },
    setup,
  };
}

const SWEEP_APPLY_PATH =
  "the app's (sweepOffThread): on the worker thread from 200 due rows on a SQLite file, in the main thread otherwise; `mode` says which";
const SWEEP_IN_PROCESS_PATH =
  'sweep() in the main thread (the path of PostgreSQL and of sweeps under 200 due rows), on as many other cases set up the same way after sweepApply';

// ---------------------------------------------------------------------------------------
// plumbing

/**
 * Where the import's time went, from the CLI's own timers (app/intake/bulk-import.ts).
 * On the check workers, overlapping the writer (their own time, summed): JSON parsing, zod
 * validation, content hashing. On the writing thread: waiting for checked lines (reading
 * and splitting the file, the workers when behind, decoding their answers), the batches' transactions (existence check under lock, row building,
 * statements, buyer-risk update, commit), the deferred index build, a first load's scoring at its end; `otherSeconds` is the
 * rest of the wall time (reading and splitting lines, start-up, the tsx loader).
 */
function importBreakdown(summary: { seconds?: number; timings?: Partial<ImportTimings>; scoring?: ImportSummary['scoring'] }) {
  const t = summary.timings;
  if (!t || summary.seconds === undefined) return null;
  const s = (ms: number | undefined) => round((ms ?? 0) / 1000, 2);
  return {
    checkWorkers: { parseSeconds: s(t.parseMs), validateSeconds: s(t.validateMs), hashSeconds: s(t.hashMs) },
    waitForCheckedSeconds: s(t.waitMs),
    idleForWorkersSeconds: s(t.idleMs),
    transactionsSeconds: s(t.writeMs),
    indexBuildSeconds: s(t.indexBuildMs),
    // A first load's buyer scores, once at its end (app/risk/owed-scores.ts), with the recompute's memory.
    endOfLoadScoringSeconds: s(t.scoreMs),
    endOfLoadScoring: summary.scoring ?? null,
    otherSeconds: round(summary.seconds - s((t.waitMs ?? 0) + (t.writeMs ?? 0) + (t.indexBuildMs ?? 0) + (t.scoreMs ?? 0)), 2),
  };
}
type ImportTimings = ImportSummary['timings'];

async function ensureInput(file: string, cases: number): Promise<{ seconds: number; reused: boolean }> {
  if (existsSync(`${file}.done`) && existsSync(file)) {
    log(`input: reusing ${file}`);
    return { seconds: 0, reused: true };
  }
  log(`input: generating ${cases.toLocaleString('en')} disputes…`);
  const t0 = performance.now();
  const out = createWriteStream(file, { encoding: 'utf8' });
  let chunk = '';
  let n = 0;
  for (const d of generateDemoDisputes({ cases, now: NOW, seed: SEED })) {
    chunk += `${JSON.stringify(d)}\n`;
    if (++n % 500 === 0) {
      if (!out.write(chunk)) await new Promise<void>((ok) => out.once('drain', () => ok()));
      chunk = '';
      if (n % 100_000 === 0) log(`input: ${n.toLocaleString('en')}`);
    }
  }
  out.write(chunk);
  await new Promise<void>((ok, ko) => out.end((e?: Error | null) => (e ? ko(e) : ok())));
  writeFileSync(`${file}.done`, '');
  const seconds = round((performance.now() - t0) / 1000, 1);
  log(`input: ${seconds} s`);
  return { seconds, reused: false };
}

interface ChildResult extends ChildRun {
  rssSource: 'gnu-time' | 'child-resource-usage';
}

/** Runs a TypeScript entry point under tsx in its own process and measures its wall time and peak RSS. */
function runChild(entryAndArgs: string[], dataDir: string): Promise<ChildResult> {
  const gnuTime = existsSync('/usr/bin/time');
  const node = [process.execPath, '--import', 'tsx'];
  const cmd = gnuTime ? ['/usr/bin/time', '-v', ...node, ...entryAndArgs] : [...node, 'src-main/bench/rss-wrapper.ts', ...entryAndArgs];
  const env: NodeJS.ProcessEnv = { ...process.env, MEDIATION_DESK_DATA: dataDir };
  delete env.DATABASE_URL;
  return new Promise((ok, ko) => {
    const t0 = performance.now();
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    let problemLines = 0;
    let rssKB: number | null = null;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(line) ?? /^BENCH_MAXRSS_KB=(\d+)/.exec(line);
      if (m) rssKB = Number(m[1]);
      else if (line.startsWith('{"line"')) problemLines++;
      if (tail.push(line) > 40) tail.shift();
    });
    child.on('error', ko);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - t0) / 1000;
      ok({
        code,
        stdout,
        stderrTail: tail.join('\n'),
        problemLines,
        wallSeconds,
        peakRssMB: rssKB === null ? null : round(rssKB / 1024, 1),
        rssSource: gnuTime ? 'gnu-time' : 'child-resource-usage',
      });
    });
  });
}

function dbBytes(path: string): number {
  return ['', '-wal'].reduce((n, suffix) => n + (existsSync(`${path}${suffix}`) ? statSync(`${path}${suffix}`).size : 0), 0);
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

function sqliteVersion(): string {
  const db = new BetterSqlite3(':memory:');
  try {
    return (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}
