import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { migrations } from '../../migrations';
import { dispatch } from '../app/dispatch';
import type { ServiceContext } from '../app/handlers';
import { queueCounts, queuePage } from '../app/queue/queue';
import { openDatabase, type Db } from '../db/connect';
import { ensurePolicy } from '../db/repos/policy';
import { capturing, planOfFirstQuery } from './capture';
import { BENCH_MEDIATORS, fillCasesPostgres } from './fill-cases';
import { round, summarize } from './stats';

/**
 * The team figures on a real PostgreSQL server (issue 12): take-next with 30 mediators on
 * three desktops pressing at once, the tab counts and the first page of "All open" at a
 * million cases, each beside a raw `pg` baseline doing the same work in the same run. The
 * cases are made by bench/fill-cases.ts (generate_series), not by the import.
 */
const TARGETS = { takeNextP95Ms: 100, takeNextConflictShare: 0.01, countsMedianMs: 5, firstPageMedianMs: 20 };

export interface TeamBenchOptions {
  url: string;
  cases: number;
  now: number;
  runs: number;
  /** Presses per mediator in the take-next run. */
  presses: number;
  /**
   * Untimed presses (and evidence requests) per mediator before the timed ones, on the desks and on
   * the raw client alike (default `presses`; 0: measure from a cold process). The first presses
   * of a process run its code cold (interpreted, then compiled by V8 on background threads that
   * the process's CPU time counts): at 1M cases, 30 mediators, the first 600 presses cost
   * 1.3–2 ms of CPU each and the next ones 0.6–0.9 ms, so a cold run measured mostly the
   * JIT's start-up in its CPU per press and in its p95 (the read figures here already skip
   * their first 5 runs). The warm-up's own figures are reported beside (`warmUp`).
   */
  warmPresses?: number;
  /**
   * Keep the filled database on the server as a template and start from a copy of it (`CREATE
   * DATABASE … TEMPLATE`, a file copy of a few seconds instead of a ~100 s fill at 1M cases); the
   * template is made by the first such run and named by the case count, the migrations and the fill.
   */
  reuse?: boolean;
  log(msg: string): void;
}

type PgClient = import('pg').Client;
type PgPool = import('pg').Pool;

export async function benchTeam(opts: TeamBenchOptions) {
  const pg = await import('pg');
  const { Client, Pool } = pg.default ?? pg;
  const name = `md_bench_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: opts.url });
  await admin.connect();
  const urlOf = (database: string) => {
    const u = new URL(opts.url);
    u.pathname = `/${database}`;
    return u.toString();
  };
  const url = new URL(urlOf(name));
  const fill = async (db: Db) => {
    await ensurePolicy(db, opts.now);
    opts.log(`team: filling ${opts.cases.toLocaleString('en')} cases with generate_series…`);
    const t0 = performance.now();
    await fillCasesPostgres(db, { cases: opts.cases, now: opts.now });
    const seconds = round((performance.now() - t0) / 1000, 1);
    opts.log(`team: filled in ${seconds} s`);
    return seconds;
  };
  let fillSeconds: number | null = null;
  let copiedFrom: string | null = null;
  if (opts.reuse) {
    copiedFrom = templateName(opts.cases);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [copiedFrom]);
    if (!rowCount) {
      // Filled under a temporary name, renamed once complete: an interrupted fill leaves no half template.
      const filling = `${copiedFrom}_filling_${process.pid}`;
      await admin.query(`CREATE DATABASE ${filling}`);
      const tdb = await openDatabase({ url: urlOf(filling) });
      try {
        fillSeconds = await fill(tdb);
      } finally {
        await tdb.destroy();
      }
      await admin.query(`ALTER DATABASE ${filling} RENAME TO ${copiedFrom}`);
    }
    const t0 = performance.now();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${copiedFrom} STRATEGY FILE_COPY`);
    opts.log(`team: copied ${copiedFrom} in ${round((performance.now() - t0) / 1000, 1)} s (DROP DATABASE ${copiedFrom} to fill anew)`);
  } else await admin.query(`CREATE DATABASE ${name}`);
  const desks: Db[] = [];
  const raw = new Client({ connectionString: url.toString() });
  let rawPool: PgPool | null = null;
  try {
    desks.push(await openDatabase({ url: url.toString() }));
    const db = desks[0]!;
    if (!copiedFrom) fillSeconds = await fill(db);
    desks.push(await openDatabase({ url: url.toString() }), await openDatabase({ url: url.toString() }));
    await raw.connect();

    const counts = await measure(opts, raw, (d) => queueCounts(d, 'bm1', opts.now), db);
    // What the counts cost before the counters: COUNT(*) per state over every case.
    const fullCount = await timeRaw(raw, 'SELECT status, count(*) FROM cases GROUP BY status', [], Math.min(opts.runs, 20));
    const firstPage = await measure(opts, raw, (d) => queuePage(d, { scope: 'all', limit: 50 }, 'bm1', opts.now), db);
    const { plan } = await planOfFirstQuery(db, (d) => queuePage(d, { scope: 'all', limit: 50 }, null, opts.now));

    opts.log(
      `team: take-next, ${BENCH_MEDIATORS.length} mediators on 3 desktops, ${opts.presses} timed presses each after ${warmPressesOf(opts)} untimed…`,
    );
    const takeNext = await benchTakeNext(desks, opts);
    rawPool = new Pool({ connectionString: url.toString(), max: 24 });
    // The DROP at the end ends its idle connections: an 'error' without a listener would end the bench.
    rawPool.on('error', () => undefined);
    const takeNextRaw = await rawTakeNext(rawPool, opts);
    opts.log(`team: an evidence request on each claimed case, ${BENCH_MEDIATORS.length} mediators at once…`);
    const commands = await benchCommands(desks, opts);
    const commandsRaw = await rawCommands(rawPool, desks[0]!, opts);

    const counted = {
      ...counts.ours,
      baseline: counts.baseline,
      ratio: round(counts.ours.medianMs / counts.baseline.medianMs, 2),
      beforeCountersMedianMs: fullCount.medianMs,
      target: { medianMs: TARGETS.countsMedianMs },
      pass: counts.ours.medianMs <= TARGETS.countsMedianMs,
    };
    return {
      cases: opts.cases,
      fillSeconds,
      copiedFrom,
      takeNext: {
        ...takeNext,
        baseline: takeNextRaw,
        ratioP95: round(takeNext.p95Ms / takeNextRaw.p95Ms, 2),
        target: { p95Ms: TARGETS.takeNextP95Ms, conflictShare: TARGETS.takeNextConflictShare },
        pass: takeNext.p95Ms <= TARGETS.takeNextP95Ms && takeNext.conflictShare <= TARGETS.takeNextConflictShare && takeNext.internal === 0,
      },
      commands: { ...commands, baseline: commandsRaw, ratioP95: round(commands.p95Ms / commandsRaw.p95Ms, 2) },
      queueCounts: counted,
      allOpenFirstPage: {
        ...firstPage.ours,
        baseline: firstPage.baseline,
        ratio: round(firstPage.ours.medianMs / firstPage.baseline.medianMs, 2),
        plan,
        usesOpenIndex: plan.some((l) => l.includes('cases_open_by_escalation')),
        target: { medianMs: TARGETS.firstPageMedianMs },
        pass: firstPage.ours.medianMs <= TARGETS.firstPageMedianMs && plan.some((l) => l.includes('cases_open_by_escalation')),
      },
    };
  } finally {
    await raw.end().catch(() => undefined);
    await rawPool?.end().catch(() => undefined);
    await Promise.all(desks.map((d) => d.destroy().catch(() => undefined)));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/**
 * The reused template's name: the case count and a hash of the migrations and of the fill's
 * code, so a run after either changed fills a new one (the old one stays until dropped).
 */
function templateName(cases: number): string {
  const hash = createHash('sha1').update(Object.keys(migrations).join(',')).update(fillCasesPostgres.toString()).digest('hex');
  return `md_bench_team_tpl_${cases}_${hash.slice(0, 10)}`;
}

/** A read service, interleaved with the same SQL sent by a raw pg client (its captured queries, in order). */
export async function measure(opts: Pick<TeamBenchOptions, 'runs'>, raw: PgClient, run: (db: Db) => Promise<unknown>, db: Db) {
  const cap = capturing(db);
  await run(cap.db);
  const queries = cap.queries();
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < opts.runs + 5; i++) {
    let t = performance.now();
    await run(db);
    if (i >= 5) ours.push(performance.now() - t);
    t = performance.now();
    for (const q of queries) await raw.query(q.sql, q.parameters as unknown[]);
    if (i >= 5) base.push(performance.now() - t);
  }
  return { ours: summarize(ours), baseline: summarize(base) };
}

async function timeRaw(raw: PgClient, text: string, params: unknown[], runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await raw.query(text, params);
    times.push(performance.now() - t);
  }
  return summarize(times);
}

const contextsOf = (desks: Db[], opts: TeamBenchOptions): ServiceContext[] =>
  desks.map((db) => ({
    db,
    clock: { now: () => opts.now },
    notify: () => undefined,
    replayCases: () => Promise.reject(new Error('no replays in the bench')),
  }));

/** The untimed presses before the timed ones (TeamBenchOptions.warmPresses). */
const warmPressesOf = (opts: TeamBenchOptions) => Math.max(0, opts.warmPresses ?? opts.presses);

/** What a warm-up round cost: its presses, their latency and the process's CPU per press. */
const warmUpFigures = (times: number[], cpuMsPerPress: number) =>
  times.length ? { presses: times.length, ...summarize(times), cpuMsPerPress } : null;

/** Thirty mediators, ten per desktop, each pressing "Take next case" as soon as the last press answered. */
async function benchTakeNext(desks: Db[], opts: TeamBenchOptions) {
  const contexts = contextsOf(desks, opts);
  const refusalsBefore = await countRefusals(desks[0]!);
  const pressRound = async (presses: number) => {
    const codes = new Map<string, number>();
    const times: number[] = [];
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      BENCH_MEDIATORS.map(async (id, i) => {
        const ctx = contexts[i % contexts.length]!;
        for (let p = 0; p < presses; p++) {
          const t = performance.now();
          const r = await dispatch(ctx, 'case.claimNext', {}, { kind: 'user', userId: id, role: 'mediator', name: id });
          times.push(performance.now() - t);
          const code = r.ok ? 'ok' : r.error.code;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    return { codes, times, cpuMsPerPress: cpuMsPer(cpu0, times.length), seconds: (performance.now() - started) / 1000 };
  };
  const warm = await pressRound(warmPressesOf(opts));
  const { codes, times, cpuMsPerPress, seconds } = await pressRound(opts.presses);
  for (const [code, n] of warm.codes) codes.set(code, (codes.get(code) ?? 0) + n);
  const presses = times.length;
  const taken = await desks[0]!
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'in_review')
    .executeTakeFirst();
  return {
    mediators: BENCH_MEDIATORS.length,
    desktops: desks.length,
    presses,
    ...summarize(times),
    cpuMsPerPress,
    pressesPerSecond: round(presses / seconds, 1),
    warmUp: warmUpFigures(warm.times, warm.cpuMsPerPress),
    /** Of the warm-up's presses and the timed ones together. */
    outcomes: Object.fromEntries(codes),
    conflictShare: round((codes.get('CONFLICT') ?? 0) / (presses + warm.times.length), 4),
    internal: codes.get('INTERNAL') ?? 0,
    refusalRowsWritten: (await countRefusals(desks[0]!)) - refusalsBefore,
    inReviewAfter: Number(taken?.n ?? 0),
  };
}

const REQUEST = 'Please send a photo of the parcel label and of the item as received.';
const claimedBy = async (db: Db, mediator: string, limit: number) =>
  (
    await db
      .selectFrom('cases')
      .select('id')
      .where('assignee_id', '=', mediator)
      .where('status', '=', 'in_review')
      .orderBy('id')
      .limit(limit)
      .execute()
  ).map((r) => r.id);

/**
 * A command's latency with the team at work: each mediator asks the buyer for evidence on
 * its first `presses` cases in review, one after the other, all thirty at once (a general command path:
 * lock, due deadlines of the case, load, engine, write, with a deadline row).
 */
async function benchCommands(desks: Db[], opts: TeamBenchOptions) {
  const contexts = contextsOf(desks, opts);
  // Each mediator's cases are found before anyone starts: looked up inside the run, thirty such
  // reads held desk A's connections while the first mediators' commands waited for one (a
  // first command of 1–2 s in every run, the bench's own doing).
  // The warm-up's cases first, then the timed ones.
  const warmPresses = warmPressesOf(opts);
  const cases = new Map<string, string[]>();
  for (const id of BENCH_MEDIATORS) cases.set(id, await claimedBy(desks[0]!, id, warmPresses + opts.presses));
  const commandRound = async (from: number, to: number) => {
    const codes = new Map<string, number>();
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    await Promise.all(
      BENCH_MEDIATORS.map(async (id, i) => {
        const ctx = contexts[i % contexts.length]!;
        for (const caseId of cases.get(id)!.slice(from, to)) {
          const t = performance.now();
          const r = await dispatch(
            ctx,
            'case.requestEvidence',
            { caseId, party: 'buyer', request: REQUEST },
            {
              kind: 'user',
              userId: id,
              role: 'mediator',
              name: id,
            },
          );
          times.push(performance.now() - t);
          const code = r.ok ? 'ok' : r.error.code;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    return { codes, times, cpuMsPerCommand: cpuMsPer(cpu0, times.length) };
  };
  const warm = await commandRound(0, warmPresses);
  const { codes, times, cpuMsPerCommand } = await commandRound(warmPresses, warmPresses + opts.presses);
  for (const [code, n] of warm.codes) codes.set(code, (codes.get(code) ?? 0) + n);
  return {
    method: 'case.requestEvidence',
    ...summarize(times),
    cpuMsPerCommand,
    warmUp: warm.times.length ? { commands: warm.times.length, ...summarize(warm.times), cpuMsPerCommand: warm.cpuMsPerCommand } : null,
    outcomes: Object.fromEntries(codes),
  };
}

/** The least such a command can be: lock the case, change its row, log one event, write its deadline, commit. */
async function rawCommands(pool: PgPool, db: Db, opts: TeamBenchOptions) {
  // The warm-up's cases first, then the timed ones, as benchCommands.
  const warmPresses = warmPressesOf(opts);
  const cases = new Map<string, string[]>();
  for (const id of BENCH_MEDIATORS)
    cases.set(
      id,
      (
        await db
          .selectFrom('cases')
          .select('id')
          .where('assignee_id', '=', id)
          .orderBy('id')
          .limit(warmPresses + opts.presses)
          .execute()
      ).map((r) => r.id),
    );
  const commandRound = (from: number, to: number) =>
    rawRound(async (id, time) => {
      for (const caseId of cases.get(id)!.slice(from, to))
        await time(async () => {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            await c.query('SELECT id FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
            await c.query('UPDATE cases SET version = version + 1, updated_at = $1 WHERE id = $2', [opts.now, caseId]);
            await c.query(`INSERT INTO case_events (case_id, at, actor, type, details) VALUES ($1, $2, $3, 'evidence.requested', '{}')`, [
              caseId,
              opts.now,
              id,
            ]);
            await c.query(`INSERT INTO deadlines (case_id, key, kind, due_at, created_at) VALUES ($1, 'raw-bench', 'evidence', $2, $3)`, [
              caseId,
              opts.now + 72 * 3_600_000,
              opts.now,
            ]);
            await c.query('COMMIT');
          } finally {
            c.release();
          }
        });
    });
  await commandRound(0, warmPresses);
  const { times, cpuMs } = await commandRound(warmPresses, warmPresses + opts.presses);
  return { ...summarize(times), cpuMsPerCommand: cpuMs };
}

/** Thirty raw mediators at once, each running `work` (which times each of its operations with `time`); their times and CPU per operation. */
async function rawRound(work: (mediator: string, time: (op: () => Promise<void>) => Promise<void>) => Promise<void>) {
  const times: number[] = [];
  const time = async (op: () => Promise<void>) => {
    const t = performance.now();
    await op();
    times.push(performance.now() - t);
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(BENCH_MEDIATORS.map((id) => work(id, time)));
  return { times, cpuMs: cpuMsPer(cpu0, times.length) };
}

/** This process's CPU time (user + system) since `from`, per operation: the desks' own work beside the raw client's. */
function cpuMsPer(from: NodeJS.CpuUsage, operations: number): number {
  const used = process.cpuUsage(from);
  return round((used.user + used.system) / 1000 / Math.max(1, operations), 3);
}

const countRefusals = async (db: Db) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM case_events WHERE type = 'command.refused'`.execute(db)).rows[0]?.n ?? 0);

/** The least a claim can be: lock the oldest free unassigned case, assign it, log one event, commit. */
async function rawTakeNext(pool: PgPool, opts: TeamBenchOptions) {
  const pressRound = (presses: number) =>
    rawRound(async (id, time) => {
      for (let p = 0; p < presses; p++)
        await time(async () => {
          const c = await pool.connect();
          try {
            await c.query('BEGIN');
            const r = await c.query<{ id: string }>(
              `SELECT id FROM cases WHERE status = 'escalated' AND assignee_id IS NULL ORDER BY escalated_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
            );
            const caseId = r.rows[0]?.id;
            if (caseId) {
              await c.query(
                `UPDATE cases SET status = 'in_review', assignee_id = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
                [id, opts.now, caseId],
              );
              await c.query(`INSERT INTO case_events (case_id, at, actor, type, details) VALUES ($1, $2, $3, 'case.claimed', '{}')`, [
                caseId,
                opts.now,
                id,
              ]);
            }
            await c.query('COMMIT');
          } finally {
            c.release();
          }
        });
    });
  // Untimed presses first, as benchTakeNext's.
  await pressRound(warmPressesOf(opts));
  const { times, cpuMs } = await pressRound(opts.presses);
  return { ...summarize(times), cpuMsPerPress: cpuMs };
}
