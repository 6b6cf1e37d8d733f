/**
 * What a main-thread command waits during a catch-up on the worker (README, issue 16): a copy of
 * an imported database (`catch-up-waits DB N [--every MS] [--dir DIR]`), N escalated cases
 * awaiting evidence with their deadlines due (bench/sweep-catch-up.ts's `setUpDueEvidence`), one sweep
 * on the worker as the app runs it, and meanwhile a write transaction on the main thread every
 * MS (default 50): the time from its call to its first statement, p50 / p95 / max, with the
 * catch-up's rate and the longest stall of a 1 ms timer.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { checkpointOffThread, openDatabase } from '../db/connect';
import { inWriteTx } from '../db/tx';
import { sweepOffThread } from '../app/sweep/in-worker';
import { withCpuSeconds, withStallMeter } from './stall';
import { directArgs, wholeNumber } from './direct-args';
import { setUpDueEvidence } from './sweep-catch-up';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

const { positionals, values } = directArgs(
  `usage: tsx src-main/bench/catch-up-waits.ts IMPORTED.sqlite [N] [--every MS] [--dir DIR]
  N (default 5,000) due evidence deadlines caught up on the worker while the main thread writes every MS (default 50).`,
  { every: { type: 'string' }, dir: { type: 'string' } },
);
const [src, nArg] = positionals;
if (!src) process.exit(2);
const n = wholeNumber(nArg, 'N') ?? 5_000;
const every = wholeNumber(values.every, 'MS') ?? 50;
const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'md-catch-up-waits-'));
const file = join(dir, 'db.sqlite');
copyFileSync(src, file);
const raw = new BetterSqlite3(file);
const { dueAt } = setUpDueEvidence(raw, n, NOW);
raw.close();
const db = await openDatabase({ url: file });
checkpointOffThread(db);
const waits: number[] = [];
let running = true;
// --every 0: no commands (the catch-up alone).
const commands = (async () => {
  while (running && every > 0) {
    await new Promise((ok) => setTimeout(ok, every));
    const t0 = performance.now();
    await inWriteTx(db, async (tx) => {
      waits.push(performance.now() - t0);
      await sql`UPDATE policies SET version = version WHERE version = -1`.execute(tx);
    });
  }
})();
const t = performance.now();
const {
  result: { result: report, longestStallMs },
  cpuSeconds,
} = await withCpuSeconds(() => withStallMeter(() => sweepOffThread(db, dueAt + HOUR).report));
const seconds = (performance.now() - t) / 1000;
running = false;
await commands;
await db.destroy();
rmSync(dir, { recursive: true, force: true });
const sorted = [...waits].sort((a, b) => a - b);
const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1) : '-');
console.log(
  `${report.applied} defaults in ${seconds.toFixed(2)} s (${Math.round(report.applied / seconds)}/s), process CPU ${cpuSeconds.toFixed(2)} s ` +
    `(${Math.round((cpuSeconds * 1e6) / report.applied)} µs a default), longest stall ${longestStallMs} ms; ` +
    `${waits.length} commands waited p50 ${at(0.5)} / p95 ${at(0.95)} / max ${at(1)} ms`,
);
