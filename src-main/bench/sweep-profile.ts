/**
 * Where a default's CPU goes (issue 16): per-statement timers around better-sqlite3, over
 * `sweep-profile DB N` — claim + request evidence on N escalated cases of an imported
 * database (a copy is used), then one sweep at +73 h. Prints per-statement time and counts
 * for the setup commands and the sweep, per default / per command: CPU time (user + system),
 * not wall, so a shared machine disturbs it less; and how many statements were prepared.
 * Run: `npx tsx src-main/bench/sweep-profile.ts IMPORTED.sqlite 2000` (a database `cli import`
 * filled, e.g. from the bench's generated file). Flags: --no-timers (totals only, no per-call
 * overhead), --cpu-prof-setup / --cpu-prof-sweep (a V8 CPU profile of that phase), and the
 * experiments --no-durable (synchronous = NORMAL), --drop-report-triggers, --drop-queue-triggers, --drop-index NAME and
 * --pragma NAME=VALUE (each repeatable); --checkpoint-off-thread (as the app: db/background-checkpoint.ts); --wal-frames (automatic checkpoints off: after each phase, the
 * WAL frames it wrote per unit, and per table or index the frames and distinct pages, from the WAL's
 * frame headers and dbstat); --dir DIR (where the scratch copy goes, e.g. /dev/shm: a durable
 * commit's fsync then costs nothing, so the CPU figures show the code's work without the disk
 * wait's, which at load 10 was half of a command's CPU; README, session 23).
 * Besides the process's CPU (every thread: the checkpoint worker's, V8's compiler and GC workers'), each phase
 * prints the main thread's time on a CPU as the scheduler counts it (Linux /proc/self/schedstat,
 * exact, not sampled at the timer tick as process.cpuUsage's user/system split is).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { checkpointOffThread, openDatabase } from '../db/connect';
import { mainThreadCpuMs, withStallMeter } from './stall';
import { ensurePolicy } from '../db/repos/policy';
import { sweep } from '../app/sweep/sweep';
import { sweepOffThread } from '../app/sweep/in-worker';
import { claimAndRequestEvidence } from './setup-commands';
import { directArgs, wholeNumber } from './direct-args';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

/** This process's CPU time in ms (the timers count CPU, not wall: the machine is shared). */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
let prepares = 0;
let prepareMs = 0;
interface Stat {
  n: number;
  ms: number;
}
const stats = new Map<string, Stat>();
const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => BetterSqlite3.Statement };
const prepare = proto.prepare;
proto.prepare = function (this: BetterSqlite3.Database, text: string) {
  prepares++;
  const t0 = cpuNow();
  const stmt = prepare.call(this, text) as unknown as Record<string, (...a: unknown[]) => unknown>;
  prepareMs += cpuNow() - t0;
  const key = text.replace(/\s+/g, ' ').slice(0, 140);
  if (!process.argv.includes('--no-timers'))
    for (const m of ['run', 'all', 'get', 'iterate']) {
      const f = stmt[m]!;
      stmt[m] = function (this: unknown, ...args: unknown[]) {
        const t = cpuNow();
        try {
          const r = f.apply(this, args);
          if (m === 'iterate') return [...(r as Iterable<unknown>)][Symbol.iterator]();
          return r;
        } finally {
          const s = stats.get(key) ?? { n: 0, ms: 0 };
          s.n++;
          s.ms += cpuNow() - t;
          stats.set(key, s);
        }
      };
    }
  return stmt as unknown as BetterSqlite3.Statement;
};
const exec = (BetterSqlite3.prototype as unknown as { exec: (s: string) => unknown }).exec;
(BetterSqlite3.prototype as unknown as { exec: (s: string) => unknown }).exec = function (this: unknown, s: string) {
  const t = cpuNow();
  try {
    return exec.call(this, s);
  } finally {
    const key = `exec: ${s.slice(0, 60)}`;
    const st = stats.get(key) ?? { n: 0, ms: 0 };
    st.n++;
    st.ms += cpuNow() - t;
    stats.set(key, st);
  }
};

/** The main thread's time on a CPU in ms; NaN elsewhere. */
const mainOnCpu = () => mainThreadCpuMs() ?? NaN;

function dump(title: string, per: number, wallMs: number, cpuMs: number, mainMs: number) {
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, v]) => s + v.ms, 0);
  const count = rows.reduce((s, [, v]) => s + v.n, 0);
  console.log(
    `\n== ${title}: ${per} units, wall ${wallMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms (${((cpuMs * 1000) / per).toFixed(0)} µs/unit; main thread ${((mainMs * 1000) / per).toFixed(0)} µs/unit); SQL CPU ${total.toFixed(0)} ms (${((total * 1000) / per).toFixed(0)} µs/unit), ${(count / per).toFixed(2)} statements/unit, ${prepares} statements prepared (${((prepareMs * 1000) / per).toFixed(0)} µs/unit)`,
  );
  prepares = 0;
  prepareMs = 0;
  for (const [k, v] of rows.slice(0, 40))
    console.log(`${((v.ms * 1000) / per).toFixed(1).padStart(7)} µs/u ${(v.n / per).toFixed(3).padStart(7)}/u  ${k}`);
  stats.clear();
}

// --help and unknown options first: the flags below are read where they act.
const { positionals } = directArgs(
  `usage: tsx src-main/bench/sweep-profile.ts IMPORTED.sqlite [N] [--no-timers] [--cpu-prof-setup] [--cpu-prof-sweep]
  [--checkpoint-off-thread] [--wal-frames] [--no-durable] [--drop-report-triggers] [--drop-queue-triggers]
  [--drop-index NAME]… [--pragma NAME=VALUE]… [--dir DIR] [--chunk ROWS] [--keep FILE] [--worker]
  Claims and requests evidence on N (default 2,000) escalated cases of a copy of the database, then sweeps at
  +73 h; prints CPU per command and per default, per statement (the comment at the top of the file says more).
  --worker sweeps on the app's path (sweepOffThread: the worker thread, started and warmed up within the figure;
  the per-statement timers then see only the main thread's statements).`,
  {
    'no-timers': { type: 'boolean' },
    'cpu-prof-setup': { type: 'boolean' },
    'cpu-prof-sweep': { type: 'boolean' },
    'checkpoint-off-thread': { type: 'boolean' },
    'wal-frames': { type: 'boolean' },
    'no-durable': { type: 'boolean' },
    'drop-report-triggers': { type: 'boolean' },
    'drop-queue-triggers': { type: 'boolean' },
    'drop-index': { type: 'string', multiple: true },
    pragma: { type: 'string', multiple: true },
    dir: { type: 'string' },
    chunk: { type: 'string' },
    keep: { type: 'string' },
    worker: { type: 'boolean' },
  },
);
const [src, nArg] = positionals;
if (!src || !existsSync(src)) {
  process.stderr.write(`${src ?? 'the database'}: not found; give a database \`cli import\` filled (--help lists the options)\n`);
  process.exit(2);
}
const n = wholeNumber(nArg, 'N') ?? 2000;
// A scratch copy (the setup commands and the sweep write to it); CPU profiles land beside it.
const dirArg = process.argv.indexOf('--dir');
const dir = mkdtempSync(join(dirArg > 0 ? process.argv[dirArg + 1]! : tmpdir(), 'md-sweep-profile-'));
const file = join(dir, 'profile.sqlite');
copyFileSync(src, file);
const db = await openDatabase({ url: file });
if (process.argv.includes('--checkpoint-off-thread') && !checkpointOffThread(db)) throw new Error('no checkpoint worker');
if (process.argv.includes('--no-durable')) await (await import('kysely')).sql`PRAGMA synchronous = NORMAL`.execute(db);
// Experiments: --pragma name=value (repeatable), e.g. --pragma cache_size=-65536.
for (const [i, a] of process.argv.entries())
  if (a === '--pragma') await (await import('kysely')).sql.raw(`PRAGMA ${process.argv[i + 1]}`).execute(db);
await ensurePolicy(db, NOW);
const raw = new BetterSqlite3(file);
// Experiments: which part of the SQLite cost the triggers are (the copy only).
for (const r of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string }>) {
  if (process.argv.includes('--drop-report-triggers') && r.name.startsWith('report_')) raw.exec(`DROP TRIGGER ${r.name}`);
  if (process.argv.includes('--drop-queue-triggers') && r.name.startsWith('queue_counts_')) raw.exec(`DROP TRIGGER ${r.name}`);
}
// Experiments: what an index costs the writes (--drop-index NAME, repeatable; the copy only).
for (const [i, a] of process.argv.entries()) if (a === '--drop-index') raw.exec(`DROP INDEX ${process.argv[i + 1]}`);
const ids = (raw.prepare("SELECT id FROM cases WHERE status = 'escalated' ORDER BY id LIMIT ?").all(n) as Array<{ id: string }>).map(
  (r) => r.id,
);
raw.close();
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!process.argv.includes(`--cpu-prof-${name}`)) return work();
  const { Session } = await import('node:inspector/promises');
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.setSamplingInterval', { interval: 200 });
  await s.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await s.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    console.log(`CPU profile: ${join(dir, `${name}.cpuprofile`)}`);
  }
}
const walFrames = process.argv.includes('--wal-frames');
const { sql } = await import('kysely');
if (walFrames) await sql`PRAGMA wal_autocheckpoint = 0`.execute(db);
/** Empties the WAL (before a phase), so that what it holds after is the phase's writes. */
let phases = 0;
const emptyWal = async () => {
  if (!walFrames) return;
  const t0 = performance.now();
  const c0 = cpuNow();
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  if (phases++)
    console.log(`-- checkpoint of those frames: wall ${(performance.now() - t0).toFixed(0)} ms, CPU ${(cpuNow() - c0).toFixed(0)} ms`);
};
/** The WAL's frames by table or index (page numbers from the frame headers, owners from dbstat). */
function walBreakdown(per: number) {
  if (!walFrames) return;
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const frames: number[] = [];
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) frames.push(wal.readUInt32BE(at));
  const r = new BetterSqlite3(file, { readonly: true });
  const owner = new Map<number, string>();
  for (const row of r.prepare('SELECT name, pageno FROM dbstat').iterate() as Iterable<{ name: string; pageno: number }>)
    owner.set(row.pageno, row.name);
  r.close();
  const by = new Map<string, { frames: number; pages: Set<number> }>();
  for (const pg of frames) {
    const name = owner.get(pg) ?? (pg === 1 ? '(header)' : '(free or new)');
    const e = by.get(name) ?? { frames: 0, pages: new Set<number>() };
    e.frames++;
    e.pages.add(pg);
    by.set(name, e);
  }
  console.log(`-- WAL: ${frames.length} frames (${(frames.length / per).toFixed(2)}/unit), ${new Set(frames).size} distinct pages`);
  for (const [name, e] of [...by.entries()].sort((a, b) => b[1].frames - a[1].frames).slice(0, 40))
    console.log(`${(e.frames / per).toFixed(2).padStart(7)} frames/u ${(e.pages.size / per).toFixed(2).padStart(7)} pages/u  ${name}`);
}
stats.clear();
await emptyWal();
let t = performance.now();
let c = process.cpuUsage();
let m = mainOnCpu();
await profiled('setup', () => claimAndRequestEvidence(db, ids, NOW));
let cu = process.cpuUsage(c);
dump('setup commands', ids.length * 2, performance.now() - t, (cu.user + cu.system) / 1000, mainOnCpu() - m);
walBreakdown(ids.length * 2);
await emptyWal();
stats.clear();
t = performance.now();
c = process.cpuUsage();
m = mainOnCpu();
// --chunk ROWS: chunks of a fixed size (16, 32, … doubling up to ROWS; a cost clock that never moves), so
// frames and CPU per default can be read as a function of the chunk size; otherwise sized as in the app's main thread.
const chunkArg = process.argv.indexOf('--chunk');
const fixedChunks =
  chunkArg > 0
    ? {
        around: <T>(w: () => Promise<T>) => w(),
        costMs: () => 0,
        targetMs: () => 1e9,
        maxRows: wholeNumber(process.argv[chunkArg + 1], 'ROWS') ?? 1000,
      }
    : undefined;
const { result: report, longestStallMs } = await withStallMeter(() =>
  profiled('sweep', () =>
    process.argv.includes('--worker') ? sweepOffThread(db, NOW + 73 * HOUR).report : sweep(db, NOW + 73 * HOUR, { chunks: fixedChunks }),
  ),
);
cu = process.cpuUsage(c);
dump('sweep', report.applied, performance.now() - t, (cu.user + cu.system) / 1000, mainOnCpu() - m);
console.log(`-- longest stall of a 1 ms timer during the sweep: ${longestStallMs} ms`);
walBreakdown(report.applied);
await emptyWal();
await db.destroy();
// --keep FILE: the swept database kept (to compare stored rows between two branches).
const keepArg = process.argv.indexOf('--keep');
if (keepArg > 0) copyFileSync(file, process.argv[keepArg + 1]!);
for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
// The directory too when it holds nothing else (no CPU profile written): a tmpfs's copies add up.
if (!process.argv.some((a) => a.startsWith('--cpu-prof-'))) rmSync(dir, { recursive: true, force: true });
