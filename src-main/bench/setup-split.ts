/**
 * Where a setup command's wall time goes (issue 16, session 25): claim + request evidence on N
 * escalated cases of a copy of an imported database (as bench.ts's setupCommands, the checkpoint
 * worker on), split into the process's CPU outside the COMMIT, the COMMIT (its wall: the WAL
 * write and the fsync's wait; and the CPU in it), and the rest of the wall (off the CPU outside
 * the COMMIT: the gates, the scheduler, the neighbours). Each per command. The CPU is the
 * process's (the checkpoint worker's too): a thread's own count cannot be read exactly mid-run
 * (see cpuNow).
 * Run: `npx tsx src-main/bench/setup-split.ts IMPORTED.sqlite [N] [--dir DIR] [--drop-index NAME]…`.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { checkpointOffThread, openDatabase } from '../db/connect';
import { ensurePolicy } from '../db/repos/policy';
import { claimAndRequestEvidence } from './setup-commands';
import { directArgs, wholeNumber } from './direct-args';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');

/**
 * The process's CPU in ms (user + system, every thread: the checkpoint worker's too). Not
 * /proc/thread-self/schedstat: for the running thread it is brought up to date only at a tick
 * or a switch, so the CPU before a COMMIT lands in the COMMIT (its fsync's sleep is a switch).
 */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const { positionals, values } = directArgs(
  `usage: tsx src-main/bench/setup-split.ts IMPORTED.sqlite [N] [--dir DIR]
  Claim + request evidence on N (default 2,000) escalated cases of a copy (in DIR, default the temp folder),
  the checkpoint worker on; prints per command the wall, the CPU outside and inside the COMMIT,
  the COMMIT's wall, and the rest.`,
  { dir: { type: 'string' }, 'drop-index': { type: 'string', multiple: true } },
);
const [src, nArg] = positionals;
if (!src || !existsSync(src)) {
  process.stderr.write(`${src ?? 'the database'}: not found (--help)\n`);
  process.exit(2);
}
const n = wholeNumber(nArg, 'N') ?? 2000;
const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'md-setup-split-'));
const file = join(dir, 'split.sqlite');
copyFileSync(src, file);

// The COMMIT's wall and its CPU, summed: every statement goes through better-sqlite3's prepare.
let commits = 0;
let commitWallMs = 0;
let commitCpuMs = 0;
const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => BetterSqlite3.Statement };
const prepare = proto.prepare;
proto.prepare = function (this: BetterSqlite3.Database, text: string) {
  const stmt = prepare.call(this, text);
  if (text.trim().toLowerCase() !== 'commit') return stmt;
  const run = stmt.run.bind(stmt);
  (stmt as unknown as { run: () => unknown }).run = () => {
    const w = performance.now();
    const c = cpuNow();
    try {
      return run();
    } finally {
      commits++;
      commitWallMs += performance.now() - w;
      commitCpuMs += cpuNow() - c;
    }
  };
  return stmt;
};

const db = await openDatabase({ url: file });
if (!checkpointOffThread(db)) throw new Error('no checkpoint worker');
await ensurePolicy(db, NOW);
const raw = new BetterSqlite3(file);
// An experiment: what an index costs the commands (the copy only).
for (const name of values['drop-index'] ?? []) raw.exec(`DROP INDEX ${name}`);
const ids = (raw.prepare("SELECT id FROM cases WHERE status = 'escalated' ORDER BY id LIMIT ?").all(n) as Array<{ id: string }>).map(
  (r) => r.id,
);
raw.close();
const perCommand = (ms: number) => `${((ms * 1000) / (ids.length * 2)).toFixed(0)} µs`;
const w0 = performance.now();
const m0 = cpuNow();
await claimAndRequestEvidence(db, ids, NOW);
const wall = performance.now() - w0;
const main = cpuNow() - m0;
const commands = ids.length * 2;
console.log(
  `${commands} commands (${commits} commits): ${Math.round((commands * 1000) / wall)}/s; per command wall ${perCommand(wall)} = ` +
    `CPU outside the COMMIT ${perCommand(main - commitCpuMs)} + COMMIT wall ${perCommand(commitWallMs)} ` +
    `(its CPU ${perCommand(commitCpuMs)}) + the rest ${perCommand(wall - (main - commitCpuMs) - commitWallMs)}`,
);
await db.destroy();
rmSync(dir, { recursive: true, force: true });
