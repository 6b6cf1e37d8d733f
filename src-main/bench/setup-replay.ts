/**
 * How close the setup commands are to their own SQL (issue 16, session 29): claim + request
 * evidence on N escalated cases of one copy of an imported database through the app
 * (runCaseCommand, one durable transaction each), recording every statement it runs with its
 * parameters; then the very same statements replayed with better-sqlite3 alone on a second copy
 * of the same database (same BEGIN IMMEDIATE / COMMIT, same rows written), no JavaScript
 * around them. Rounds alternate app, replay, app, replay… so both see the same load and disk.
 * The replay is the floor any change to the app's code can reach with these statements on this
 * disk: with the commit's fsync in it, what is left above it is our JavaScript and the cache
 * misses it causes. Checkpoints are SQLite's automatic ones on both sides (no checkpoint worker).
 * Run: `npx tsx src-main/bench/setup-replay.ts IMPORTED.sqlite [N] [--rounds R] [--dir DIR]`.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../db/connect';
import { sqliteFileOf } from '../db/background-checkpoint';
import { ensurePolicy } from '../db/repos/policy';
import { sweep } from '../app/sweep/sweep';
import { claimAndRequestEvidence } from './setup-commands';
import { directArgs, wholeNumber } from './direct-args';
import { durableCommitFloor } from './durable-commit';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

const { positionals, values } = directArgs(
  `usage: tsx src-main/bench/setup-replay.ts IMPORTED.sqlite [N] [--rounds R] [--dir DIR] [--sweep]
  Claim + request evidence on N (default 1,000) escalated cases through the app, then the same statements
  replayed raw on a second copy (in DIR, default the temp folder); R (default 2) rounds of each, alternating.
  Prints per round commands/s and the process's CPU (user + system) a command, and a bare durable commit's rate. --sweep: then the sweep at
  +73 h on the main thread (app/sweep/sweep.ts, the N defaults), recorded and replayed the same way.`,
  { dir: { type: 'string' }, rounds: { type: 'string' }, sweep: { type: 'boolean' } },
);
const [src, nArg] = positionals;
if (!src || !existsSync(src)) {
  process.stderr.write(`${src ?? 'the database'}: not found (--help)\n`);
  process.exit(2);
}
const n = wholeNumber(nArg, 'N') ?? 1000;
const rounds = wholeNumber(values.rounds, 'rounds') ?? 2;
const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'md-setup-replay-'));

/** A statement the app ran: its text, the method called and the arguments bound. */
interface Ran {
  text: string;
  method: 'run' | 'get' | 'all' | 'iterate';
  args: unknown[];
}
let recording: Ran[] | null = null;
const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => BetterSqlite3.Statement };
const prepare = proto.prepare;
proto.prepare = function (this: BetterSqlite3.Database, text: string) {
  const stmt = prepare.call(this, text) as unknown as Record<Ran['method'], (...a: unknown[]) => unknown>;
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const f = stmt[method];
    stmt[method] = function (this: unknown, ...args: unknown[]) {
      recording?.push({ text, method, args });
      return f.apply(this, args);
    };
  }
  return stmt as unknown as BetterSqlite3.Statement;
};

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const figure = (label: string, commands: number, wallMs: number, cpuMs: number) =>
  `${label} ${Math.round((commands * 1000) / wallMs)}/s, CPU ${((cpuMs * 1000) / commands).toFixed(0)} µs a command`;

for (let round = 1; round <= rounds; round++) {
  const appFile = join(dir, `app-${round}.sqlite`);
  const replayFile = join(dir, `replay-${round}.sqlite`);
  copyFileSync(src, appFile);
  copyFileSync(src, replayFile);
  const probe = new BetterSqlite3(appFile, { readonly: true });
  const ids = (probe.prepare("SELECT id FROM cases WHERE status = 'escalated' ORDER BY id LIMIT ?").all(n) as Array<{ id: string }>).map(
    (r) => r.id,
  );
  probe.close();
  if (ids.length === 0) {
    // A figure over zero commands would print Infinity: say what the file lacks instead.
    process.stderr.write(`${src}: no escalated case to claim; give a freshly imported database (cli import FILE --db NEW.sqlite)\n`);
    process.exit(2);
  }

  // The app, every statement recorded (opening and the policy too: the replay's copy needs them, untimed).
  const ran: Ran[] = [];
  recording = ran;
  const db = await openDatabase({ url: appFile });
  await ensurePolicy(db, NOW);
  const timedFrom = ran.length;
  let w = performance.now();
  let c = cpuNow();
  await claimAndRequestEvidence(db, ids, NOW);
  const app = figure('app', ids.length * 2, performance.now() - w, cpuNow() - c);
  const sweptFrom = ran.length;
  let appSweep = '';
  if (values.sweep) {
    w = performance.now();
    c = cpuNow();
    const report = await sweep(db, NOW + 73 * HOUR);
    appSweep = figure('app', report.applied, performance.now() - w, cpuNow() - c).replace('command', 'default');
  }
  recording = null;
  const nativeBinding = sqliteFileOf(db)?.nativeBinding;
  await db.destroy();

  // The replay: the same statements on the second copy, straight on one better-sqlite3 handle.
  // The same SQLite build and the same pragmas as the app's connection (db/connect.ts openSqlite; pragma() is not recorded).
  const raw = new BetterSqlite3(replayFile, nativeBinding ? { nativeBinding } : {});
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = FULL');
  const statements = new Map<string, BetterSqlite3.Statement>();
  const replay = (r: Ran) => {
    let stmt = statements.get(r.text);
    if (!stmt) statements.set(r.text, (stmt = prepare.call(raw, r.text)));
    if (r.method === 'iterate') for (const _ of stmt.iterate(...r.args));
    else stmt[r.method](...r.args);
  };
  for (const r of ran.slice(0, timedFrom)) replay(r);
  const timed = ran.slice(timedFrom, sweptFrom);
  w = performance.now();
  c = cpuNow();
  for (const r of timed) replay(r);
  const replayed = figure('replay', ids.length * 2, performance.now() - w, cpuNow() - c);
  let replayedSweep = '';
  if (values.sweep) {
    w = performance.now();
    c = cpuNow();
    for (const r of ran.slice(sweptFrom)) replay(r);
    replayedSweep = figure('replay', ids.length, performance.now() - w, cpuNow() - c).replace('command', 'default');
  }
  // The replay wrote what the app wrote: the same last event (its chain hash) and the same counts.
  const summary = (h: BetterSqlite3.Database) =>
    JSON.stringify(
      prepare
        .call(
          h,
          `SELECT (SELECT count(*) FROM case_events) AS events, (SELECT hash FROM case_events ORDER BY id DESC LIMIT 1) AS last_hash,
            (SELECT count(*) FROM case_commands) AS commands, (SELECT count(*) FROM deadlines) AS deadlines,
            (SELECT sum(version) FROM cases) AS versions, (SELECT count(*) FROM decisions) AS decisions,
            (SELECT sum(score) FROM buyer_risk) AS scores`,
        )
        .get(),
    );
  const appView = new BetterSqlite3(appFile, { readonly: true });
  const same = summary(appView) === summary(raw);
  appView.close();
  raw.close();
  if (!same) throw new Error('the replay did not write what the app wrote');
  // The third figure of the round: a bare durable commit on the same disk (bench.ts's baseline).
  const bare = durableCommitFloor(join(dir, 'bare.sqlite'));
  console.log(
    `round ${round}: ${app}; ${replayed} (${(timed.length / (ids.length * 2)).toFixed(2)} statements a command); ` +
      `a bare durable commit ${bare.commitsPerSecond}/s (median ${bare.medianCommitMs} ms)`,
  );
  if (values.sweep)
    console.log(`  sweep: ${appSweep}; ${replayedSweep} (${((ran.length - sweptFrom) / ids.length).toFixed(2)} statements a default)`);
  for (const f of [appFile, replayFile]) for (const s of ['', '-wal', '-shm']) rmSync(f + s, { force: true });
}
rmSync(dir, { recursive: true, force: true });
