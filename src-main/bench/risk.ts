/**
 * Figures for the buyer fraud-pattern score (issue 6), for `cli bench` to print:
 *
 *   recompute    the full recompute (app/risk/recompute.ts) over a generated database of
 *                `buyers` buyers and `orders` orders (default 1,000,000 and 8,000,000), run in a
 *                child process: seconds and peak RSS (targets: < 60 s, < 1 GB)
 *   incremental  one event's update (db/repos/risk/updates.ts applyRiskEvents) on that database, timed
 *                inside its transaction and with the commit: p50 / p99 (target p99 < 1 ms)
 *
 * `benchRisk(opts)` returns one JSON-safe object; progress goes to `opts.log`.
 * The database is generated with raw better-sqlite3 statements (fast, not what is measured)
 * into the schema the migrations create; the same file is reused with `workDir` + `keep`.
 *
 * Run directly: `tsx src-main/bench/risk.ts [--buyers N] [--orders N] [--work-dir DIR] [--keep]
 * [--source FILE] [--no-recompute] [--events N] [--warm-up N] [--cpu-prof DIR] [--trace FILE]`. `--source` copies a generated database (kept
 * by an earlier run, never changed) instead of generating one, so rounds start from the same
 * state; `--events 0` skips the incremental figure; `--cpu-prof` writes the recompute child's
 * V8 CPU profile into DIR; `--trace` writes one JSON line per timed event
 * (risk-trace.ts: what it did, GC, time off the core) and adds the slowest 1 %'s summary.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { calibrate, round } from './stats';
import { directArgs, wholeNumber } from './direct-args';
import { openDatabase } from '../db/connect';
import { applyRiskEvents, type RiskEvent, type RiskUpdateParts } from '../db/repos/risk/updates';
import { inWriteTx } from '../db/tx';
import { recomputeRisk } from '../app/risk/recompute';
import { SeededRandom } from '../util/seeded-random';
import { countStatements, tailSummary, watchGc, type TracedEvent } from './risk-trace';

export interface RiskBenchOptions {
  buyers?: number;
  orders?: number;
  /** Share of orders that end in a dispute (default 0.05). */
  disputeRate?: number;
  /** Incremental updates to time (default 2,000). */
  events?: number;
  /** Incremental updates run before the timed ones, reported apart as `cold` (default DEFAULT_WARM_UP; 0: none, as before session 29). */
  warmUp?: number;
  workDir?: string;
  keep?: boolean;
  seed?: number;
  /** A generated database to copy (with its -wal) instead of generating one: every run starts from the same state. */
  source?: string;
  /** Write the recompute child's V8 CPU profile (node --cpu-prof) into this directory. */
  cpuProfDir?: string;
  /** false: time the events on the source's risk rows as they are, without the recompute (default true). */
  recompute?: boolean;
  /** Write one JSON line per timed event here (risk-trace.ts), and add the tail's summary to the figures. */
  trace?: string;
  log?: (message: string) => void;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY = 86_400_000;
/** Fixed, so a kept database can be reused. */
const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const TARGETS = { recomputeSeconds: 60, recomputePeakRssMB: 1024, incrementalP99Ms: 1 } as const;

export async function benchRisk(opts: RiskBenchOptions = {}) {
  const buyers = opts.buyers ?? 1_000_000;
  const orders = opts.orders ?? 8_000_000;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[bench risk ${new Date().toISOString().slice(11, 19)}] ${m}\n`));
  const ownDir = !opts.workDir;
  const dir = opts.workDir ? resolve(opts.workDir) : mkdtempSync(join(tmpdir(), 'mediation-desk-risk-bench-'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `risk-${buyers}-${orders}.sqlite`);
  const started = new Date();
  const calibration = calibrate();
  log(`calibration: ${calibration.simpleInsertUs} µs per trivial SQLite insert`);
  try {
    let generated: { seconds: number; reused: boolean; rows: Record<string, number> };
    if (opts.source) {
      const from = resolve(opts.source);
      for (const s of ['', '-wal', '-shm']) rmSync(`${file}${s}`, { force: true });
      for (const s of ['', '-wal']) if (existsSync(`${from}${s}`)) copyFileSync(`${from}${s}`, `${file}${s}`);
      generated = { seconds: 0, reused: true, rows: countRows(file) };
      log(`copied ${from}`);
    } else if (existsSync(file) && opts.keep) {
      generated = { seconds: 0, reused: true, rows: countRows(file) };
      log(`reusing ${file}`);
    } else {
      for (const s of ['', '-wal', '-shm']) rmSync(`${file}${s}`, { force: true });
      log(`generating ${buyers.toLocaleString('en')} buyers, ${orders.toLocaleString('en')} orders…`);
      generated = await generate(file, { buyers, orders, disputeRate: opts.disputeRate ?? 0.05, seed: opts.seed ?? 1 });
      log(`generated in ${generated.seconds} s: ${JSON.stringify(generated.rows)}`);
    }

    // Skipped (--no-recompute) for a source a recompute already scored, when only the events are timed.
    if (opts.recompute === false) log('recompute skipped: the source is scored as it is');
    else log('recompute in a child process…');
    const prof = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts.cpuProfDir)] : [];
    const child =
      opts.recompute === false
        ? SKIPPED_CHILD
        : await runChild([...prof, 'src-main/bench/rss-wrapper.ts', 'src-main/bench/risk.ts', '--child-recompute', file, String(NOW)]);
    if (child.code !== 0) throw new Error(`recompute failed (exit ${child.code}): ${child.stderrTail}`);
    const inner = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as {
      seconds?: number;
      buyers?: number;
      orders?: number;
      disputes?: number;
      photos?: number;
      linkGroups?: number;
      phases?: unknown[];
      parts?: Record<string, unknown>;
      heapCollections?: number | null;
    };
    log(`recompute: ${round(child.wallSeconds, 1)} s wall, ${inner.seconds} s inside, peak RSS ${child.peakRssMB} MB`);

    const events = opts.events ?? 2_000;
    log(`incremental: ${events} single events…`);
    const incremental = events > 0 ? await benchIncremental(file, events, opts.seed ?? 1, opts.trace, opts.warmUp) : null;
    if (incremental)
      log(
        `incremental: p50 ${incremental.inTransaction.p50Ms} ms, p99 ${incremental.inTransaction.p99Ms} ms (after ${incremental.cold?.events ?? 0} warm-up events: p50 ${incremental.cold?.p50Ms ?? '-'} ms, p99 ${incremental.cold?.p99Ms ?? '-'} ms; with commit p99 ${incremental.withCommit.p99Ms} ms; a 0.25 ms spin: p99 ${incremental.scheduling.p99Ms} ms; load ${incremental.loadAvg.before[0]})`,
      );

    const recompute = {
      buyers: inner.buyers ?? null,
      orders: inner.orders ?? null,
      disputes: inner.disputes ?? null,
      photos: inner.photos ?? null,
      linkGroups: inner.linkGroups ?? null,
      seconds: round(child.wallSeconds, 2),
      innerSeconds: inner.seconds ?? null,
      peakRssMB: child.peakRssMB,
      cpuSeconds: child.cpuSeconds,
      loadAvg: child.loadAvg,
      // The full collections of the recompute's heap bound (app/risk/recompute.ts RECOMPUTE_HEAP).
      heapCollections: inner.heapCollections ?? null,
      // Where the time and memory went inside the recompute (app/risk/phases.ts).
      phases: inner.phases ?? null,
      parts: inner.parts ?? null,
      target: { seconds: TARGETS.recomputeSeconds, peakRssMB: TARGETS.recomputePeakRssMB },
      pass: child.wallSeconds < TARGETS.recomputeSeconds && child.peakRssMB !== null && child.peakRssMB < TARGETS.recomputePeakRssMB,
    };
    const incrementalFigure = incremental && {
      ...incremental,
      target: { p99Ms: TARGETS.incrementalP99Ms },
      pass: incremental.inTransaction.p99Ms < TARGETS.incrementalP99Ms,
    };
    return {
      bench: 'buyer-risk',
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        totalMemGB: round(totalmem() / 2 ** 30, 1),
        freeMemGB: round(freemem() / 2 ** 30, 1),
        node: process.version,
        loadAvg: loadavg().map((x) => round(x, 2)),
        calibration,
      },
      input: {
        buyers,
        orders,
        file: ownDir && !opts.keep ? null : file,
        megabytes: round(statSync(file).size / 2 ** 20, 1),
        generateSeconds: generated.seconds,
        reused: generated.reused,
        rows: generated.rows,
      },
      figures: { recompute, incremental: incrementalFigure },
      pass: recompute.pass && (incrementalFigure?.pass ?? true),
    };
  } finally {
    if (ownDir && !opts.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

// ---------------------------------------------------------------------------------------
// The generated database

class Rng extends SeededRandom {
  hex64(): string {
    let s = '';
    for (let i = 0; i < 8; i++) s += this.u32().toString(16).padStart(8, '0');
    return s;
  }
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

async function generate(file: string, o: { buyers: number; orders: number; disputeRate: number; seed: number }) {
  const t0 = performance.now();
  const db0 = await openDatabase({ url: file }); // the migrations create the schema
  await db0.destroy();
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  const r = new Rng(o.seed);
  const sellers = Math.max(100, Math.floor(o.buyers / 100));
  const buyerId = (i: number) => `B-${pad(i, 8)}`;
  const start = NOW - 730 * DAY;
  const rows: Record<string, number> = {};
  const count = (t: string, n = 1) => (rows[t] = (rows[t] ?? 0) + n);
  const account = db.prepare('INSERT INTO accounts (id, role, name, country, created_at) VALUES (?, ?, ?, ?, ?)');
  const link = db.prepare('INSERT OR IGNORE INTO account_links (account_id, kind, value) VALUES (?, ?, ?)');
  const order = db.prepare(
    'INSERT INTO orders (id, buyer_id, seller_id, placed_at, shipped_at, currency, item_title, quantity, item_price_minor, shipping_minor, total_minor, tracking_number, carrier, delivery_status, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, 0, ?, NULL, NULL, ?, ?)',
  );
  const kase = db.prepare(
    `INSERT INTO cases (id, order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency, total_minor, description, opened_at, escalated_at, status, assignee_id, forced_decision, evidence_round, policy_version, content_hash, next_due_at, version, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'refund_only', ?, 'USD', ?, '', ?, ?, ?, NULL, 0, 0, NULL, 'bench', NULL, 0, ?, ?)`,
  );
  const decision = db.prepare(
    "INSERT INTO decisions (case_id, seq, outcome, amount_minor, basis, decided_by, decided_at, appeal_until, reasons, policy_version) VALUES (?, 1, ?, 0, 'mediator', 'm1', ?, NULL, 'bench', 1)",
  );
  const evidence = db.prepare(
    "INSERT INTO evidence (case_id, seq, party, name, media_type, size_bytes, sha256, submitted_at, request_id, note) VALUES (?, ?, 'buyer', 'IMG.jpg', 'image/jpeg', 1000, ?, ?, NULL, NULL)",
  );
  const message = db.prepare("INSERT INTO messages (case_id, seq, at, by, text) VALUES (?, 1, ?, 'buyer', ?)");

  // Serial disputers (0.5 %) dispute most orders, re-use a photo, write threats.
  const serial = (i: number) => i % 200 === 7;
  db.transaction(() => {
    for (let s = 0; s < sellers; s++) {
      account.run(`S-${pad(s, 6)}`, 'seller', `Seller ${s}`, 'CN', start);
      count('accounts');
    }
    for (let i = 0; i < o.buyers; i++) {
      const id = buyerId(i);
      account.run(id, 'buyer', `Buyer ${i}`, 'PL', start - r.below(700) * DAY);
      count('accounts');
      // Households share an address with the next account; lockers are shared by thousands; rings share a device.
      const address = i % 40 === 1 ? `ad-${pad(i - 1, 8)}` : r.next() < 0.03 ? `ad-locker-${r.below(200)}` : `ad-${pad(i, 8)}`;
      const device = i % 500 < 5 ? `dv-ring-${Math.floor(i / 500)}` : `dv-${pad(i, 8)}`;
      link.run(id, 'address', address);
      link.run(id, 'device', device);
      link.run(id, 'payment', `pm-${pad(i, 8)}`);
      count('account_links', 3);
    }
  })();
  const orderBatch = 200_000;
  let c = 0;
  for (let from = 0; from < o.orders; from += orderBatch) {
    db.transaction(() => {
      for (let k = from; k < Math.min(o.orders, from + orderBatch); k++) {
        const b = r.below(o.buyers);
        const oid = `O-${pad(k, 9)}`;
        const placed = start + r.below(720) * DAY + r.below(DAY);
        const delivered = r.next() < 0.93;
        const total = 500 + r.below(20_000);
        order.run(
          oid,
          buyerId(b),
          `S-${pad(r.below(sellers), 6)}`,
          placed,
          placed + DAY,
          'USD',
          'Item',
          total,
          total,
          delivered ? 'delivered' : 'in_transit',
          delivered ? placed + 12 * DAY : null,
        );
        count('orders');
        const disputes = serial(b) ? r.next() < 0.7 : r.next() < o.disputeRate;
        if (!disputes) continue;
        const cid = `D-${pad(c++, 9)}`;
        const nr = serial(b) ? r.next() < 0.8 : r.next() < 0.3;
        const opened = placed + (nr ? 40 : 20) * DAY;
        kase.run(
          cid,
          oid,
          buyerId(b),
          `S-${pad(r.below(sellers), 6)}`,
          nr ? 'not_received.no_tracking_info' : 'defective',
          total,
          total,
          opened,
          opened + 5 * DAY,
          'final',
          opened,
          opened,
        );
        count('cases');
        if (r.next() < 0.7) {
          decision.run(cid, r.next() < 0.7 ? 'full' : 'none', opened + 10 * DAY);
          count('decisions');
        }
        const photos = 1 + r.below(2);
        for (let p = 0; p < photos; p++) {
          evidence.run(cid, p + 1, serial(b) && p === 0 ? `${pad(b, 8)}${'e'.repeat(56)}` : r.hex64(), opened);
          count('evidence');
        }
        message.run(
          cid,
          opened,
          serial(b) && r.next() < 0.5 ? 'If you do not refund me I will leave a 1-star review.' : 'The item does not work, see the photos.',
        );
        count('messages');
      }
    })();
  }
  db.close();
  return { seconds: round((performance.now() - t0) / 1000, 1), reused: false, rows };
}

function countRows(file: string): Record<string, number> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const out: Record<string, number> = {};
    for (const t of ['accounts', 'account_links', 'orders', 'cases', 'decisions', 'evidence', 'messages'])
      out[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return out;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------
// Incremental: one event at a time on the recomputed database

/**
 * The bench's i-th event, at `at` (`prefix` names its order and case ids): order, order + dispute, a decision's
 * outcome and an analyst's label in turn, on buyers and cases drawn by `r`.
 */
function benchEvents(i: number, at: number, prefix: string, r: Rng, buyers: string[], cases: string[]): RiskEvent[] {
  const buyer = buyers[r.below(buyers.length)]!;
  const kind = i % 4;
  const order = `O-${prefix}-${i}`;
  return kind === 0
    ? [{ type: 'order', fact: { id: order, buyerId: buyer, placedAt: at, delivered: true } }]
    : kind === 1
      ? [
          { type: 'order', fact: { id: order, buyerId: buyer, placedAt: at, delivered: true } },
          {
            type: 'dispute',
            fact: {
              id: `D-${prefix}-${i}`,
              orderId: order,
              buyerId: buyer,
              openedAt: at,
              notReceived: true,
              outcome: null,
              threat: false,
              offPlatform: false,
              photos: [r.hex64()],
            },
          },
        ]
      : kind === 2
        ? [{ type: 'disputePatch', caseId: cases[r.below(cases.length)]!, outcome: r.next() < 0.5 ? 'buyer_won' : 'seller_won' }]
        : [{ type: 'label', buyerId: buyer, label: r.next() < 0.5 ? 'serial_disputer' : 'cleared' }];
}

/** Untimed-in-the-figure events run first (`cold`): see benchIncremental. */
export const DEFAULT_WARM_UP = 1_000;

async function benchIncremental(file: string, n: number, seed: number, traceFile?: string, warmUp = DEFAULT_WARM_UP) {
  // Before the database opens: the counter wraps statements as they are prepared.
  // RISK_TRACE_SQL=1: each statement's CPU time too (to stderr at the end; the timers cost a little per statement).
  const byText = process.env.RISK_TRACE_SQL ? new Map<string, { n: number; us: number }>() : undefined;
  const statements = traceFile ? countStatements(byText) : null;
  const gc = traceFile ? watchGc() : null;
  const traced: TracedEvent[] = [];
  const db = await openDatabase({ url: file });
  const r = new Rng(seed + 99);
  const inTx: number[] = [];
  const withCommit: number[] = [];
  const cold: number[] = [];
  const loadBefore = loadavg().map((x) => round(x, 2));
  try {
    const buyers = (await db.selectFrom('buyer_risk').select('buyer_id').orderBy('buyer_id').execute()).map((x) => x.buyer_id);
    const cases = (await db.selectFrom('risk_disputes').select('case_id').orderBy('case_id').limit(50_000).execute()).map((x) => x.case_id);
    // The warm-up: the same mix on its own ids and draws (the timed events draw what they drew without
    // one), each committed, timed apart (`cold`). A process's first events run before V8 has compiled
    // the update's code: on a quiet machine (load 0.5) the first 100 of 2,000 events had 23 over 1 ms,
    // events 100-399 28, and from about the 1,000th event on 3-5 per 100; a desk runs for hours,
    // so the figure of issue 15 is the steady state's, and the first events' is reported beside it.
    // Time moves on from the warm-up's events to the timed ones (none goes back in time).
    const warm = new Rng(seed + 7);
    for (let i = 0; i < warmUp; i++) {
      const at = NOW + i * 1000;
      const events = benchEvents(i, at, 'warm', warm, buyers, cases);
      const t0 = performance.now();
      await inWriteTx(db, async (tx) => {
        await applyRiskEvents(tx, events, at);
        cold.push(performance.now() - t0);
      });
    }
    for (let i = 0; i < n; i++) {
      const at = NOW + (warmUp + i) * 1000;
      const events = benchEvents(i, at, 'bench', r, buyers, cases);
      const s0 = statements?.() ?? 0;
      const r0 = traceFile ? process.resourceUsage() : null;
      const c0 = traceFile ? process.cpuUsage() : null;
      const parts: RiskUpdateParts | undefined = traceFile ? { model: 0, reads: 0, update: 0, writes: 0 } : undefined;
      let rescored = 0;
      let s1 = 0;
      let c1: NodeJS.CpuUsage | null = null;
      const t0 = performance.now();
      let t1 = 0;
      await inWriteTx(db, async (tx) => {
        rescored = (await applyRiskEvents(tx, events, at, parts ? { parts } : {})).size;
        t1 = performance.now();
        if (c0) c1 = process.cpuUsage(c0);
        s1 = statements?.() ?? 0;
      });
      const t2 = performance.now();
      inTx.push(t1 - t0);
      withCommit.push(t2 - t0);
      if (traceFile && r0 && c1) {
        const c: NodeJS.CpuUsage = c1;
        const r1 = process.resourceUsage();
        traced.push({
          i,
          kind: events.map((e) => e.type).join('+'),
          ...(await tracedBuyer(db, events)),
          wallMs: t1 - t0,
          cpuMs: (c.user + c.system) / 1000,
          statements: s1 - s0,
          rescored,
          ...(parts ? { parts } : {}),
          t0,
          t1,
          gcMs: 0,
          gcKinds: [],
          majorFaults: r1.majorPageFault - r0.majorPageFault,
          minorFaults: r1.minorPageFault - r0.minorPageFault,
        });
      }
    }
  } finally {
    await db.destroy();
  }
  // The GC entries arrive late (the observer is called back after the fact): matched to the events at the end.
  if (gc) {
    await new Promise((ok) => setTimeout(ok, 50));
    for (const e of traced) Object.assign(e, gc.within(e.t0, e.t1));
    gc.stop();
  }
  if (byText)
    for (const [text, st] of [...byText].sort((a, b) => b[1].us - a[1].us))
      process.stderr.write(`${(st.us / n).toFixed(1).padStart(7)} µs/event ${(st.n / n).toFixed(2).padStart(5)}/event  ${text}\n`);
  if (traceFile) writeFileSync(traceFile, traced.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return round(s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN, 4);
  };
  // The machine's own tail: the same number of fixed 0.25 ms busy spins, timed the same way
  // (an await between them, as between events). On a loaded machine the process is taken off
  // the core for milliseconds at a time, and that, not the update, is then the p99.
  const loadAfter = loadavg().map((x) => round(x, 2));
  const spins: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    while (performance.now() - t0 < 0.25);
    await Promise.resolve();
    spins.push(performance.now() - t0);
  }
  return {
    events: n,
    loadAvg: { before: loadBefore, after: loadAfter },
    scheduling: {
      spinMs: 0.25,
      p50Ms: q(spins, 0.5),
      p99Ms: q(spins, 0.99),
      note: 'a fixed busy spin timed like the events: the p99 the machine allows',
    },
    mix: 'order, order+dispute, decision outcome, analyst label (round robin)',
    inTransaction: { p50Ms: q(inTx, 0.5), p99Ms: q(inTx, 0.99), maxMs: q(inTx, 1) },
    // The warm-up's events, before the timed ones: the same mix in a process that has just started.
    cold: cold.length
      ? {
          events: cold.length,
          p50Ms: q(cold, 0.5),
          p99Ms: q(cold, 0.99),
          maxMs: q(cold, 1),
          note: 'the first events of the process (V8 still compiling the update), in the transaction, not in the figure',
        }
      : null,
    ...(traceFile ? { tail: tailSummary(traced) } : {}),
    withCommit: {
      p50Ms: q(withCommit, 0.5),
      p99Ms: q(withCommit, 0.99),
      note: 'synchronous=FULL: the fsync of the commit, not the update',
    },
  };
}

/** The event's buyer as buyer_risk holds it after the event (for the trace; read outside the timing). */
async function tracedBuyer(db: Awaited<ReturnType<typeof openDatabase>>, events: RiskEvent[]) {
  const e = events[0]!;
  const buyer =
    e.type === 'order'
      ? e.fact.buyerId
      : e.type === 'label'
        ? e.buyerId
        : e.type === 'disputePatch'
          ? ((await db.selectFrom('risk_disputes').select('buyer_id').where('case_id', '=', e.caseId).executeTakeFirst())?.buyer_id ?? '')
          : '';
  const row = await db
    .selectFrom('buyer_risk')
    .select(['n_disputes', 'n_orders', 'links', 'n_photo_own', 'n_photo_shared', 'reasons'])
    .where('buyer_id', '=', buyer)
    .executeTakeFirst();
  return {
    buyer,
    disputes: Number(row?.n_disputes ?? 0),
    orders: Number(row?.n_orders ?? 0),
    links: row ? (JSON.parse(row.links) as unknown[]).length : 0,
    photoUses: Number(row?.n_photo_own ?? 0) + Number(row?.n_photo_shared ?? 0),
    reasonsBytes: row?.reasons.length ?? 0,
  };
}

// ---------------------------------------------------------------------------------------
// The child process

function runChild(args: string[]): Promise<{
  code: number | null;
  stdout: string;
  stderrTail: string;
  wallSeconds: number;
  peakRssMB: number | null;
  cpuSeconds: number | null;
  loadAvg: { before: number[]; after: number[] };
}> {
  return new Promise((ok, ko) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    let rssKB: number | null = null;
    let cpuUs: number | null = null;
    const loadBefore = loadavg().map((x) => round(x, 2));
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = /^BENCH_MAXRSS_KB=(\d+)/.exec(line);
      if (m) rssKB = Number(m[1]);
      const c = /^BENCH_CPU_US=(\d+)/.exec(line);
      if (c) cpuUs = Number(c[1]);
      if (tail.push(line) > 40) tail.shift();
    });
    child.on('error', ko);
    child.on('close', (code) =>
      ok({
        code,
        stdout,
        stderrTail: tail.join('\n'),
        wallSeconds: (performance.now() - t0) / 1000,
        peakRssMB: rssKB === null ? null : round(rssKB / 1024, 1),
        cpuSeconds: cpuUs === null ? null : round(cpuUs / 1e6, 2),
        loadAvg: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
      }),
    );
  });
}

const SKIPPED_CHILD = {
  code: 0,
  stdout: '{}',
  stderrTail: '',
  wallSeconds: NaN,
  peakRssMB: null,
  cpuSeconds: null,
  loadAvg: { before: [], after: [] },
};

async function childRecompute(file: string, asOf: number): Promise<void> {
  const db = await openDatabase({ url: file });
  try {
    const report = await recomputeRisk(db, { asOf, onProgress: (m) => process.stderr.write(`[recompute] ${m}\n`) });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await db.destroy();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === '--child-recompute') await childRecompute(args[1]!, Number(args[2]));
  else {
    const { values } = directArgs(
      `usage: tsx src-main/bench/risk.ts [--buyers N] [--orders N] [--events N] [--warm-up N] [--work-dir DIR] [--keep] [--source FILE] [--cpu-prof DIR]
  Generates a population (default 1,000,000 buyers, 8,000,000 orders: ~4 minutes and ~3 GB), times the
  full recompute in a child process and --events single updates (default 2,000; 0 skips them); JSON on stdout.
  --warm-up N runs N events first (default 1,000; 0: none), reported apart as "cold": a process's first
  events run before V8 has compiled the update, and the figure is a running desk's.
  --source FILE copies a database an earlier run kept (--work-dir DIR --keep) instead of generating one.
  --cpu-prof DIR writes the recompute child's V8 CPU profile there.
  --no-recompute times the events on a --source a recompute already scored (kept with --events 0), without recomputing.
  --trace FILE writes one JSON line per timed event (kind, buyer's size, rescored, statements, GC, CPU vs wall).`,
      {
        buyers: { type: 'string' },
        orders: { type: 'string' },
        events: { type: 'string' },
        'warm-up': { type: 'string' },
        source: { type: 'string' },
        'cpu-prof': { type: 'string' },
        trace: { type: 'string' },
        'no-recompute': { type: 'boolean' },
        'work-dir': { type: 'string' },
        keep: { type: 'boolean' },
      },
    );
    const report = await benchRisk({
      buyers: wholeNumber(values.buyers, 'buyers'),
      orders: wholeNumber(values.orders, 'orders'),
      events: wholeNumber(values.events, 'events'),
      warmUp: wholeNumber(values['warm-up'], 'warm-up'),
      source: values.source,
      cpuProfDir: values['cpu-prof'],
      trace: values.trace,
      recompute: values['no-recompute'] !== true,
      workDir: values['work-dir'],
      keep: values.keep === true,
    });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  }
}
