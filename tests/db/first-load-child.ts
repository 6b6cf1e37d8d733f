/**
 * A process for tests/db/first-load-scores.test.ts to kill: `load <db> <now> <cases> <batch> <pauseAfter>`
 * imports the demo disputes (seed 3) in batches and, after `pauseAfter` committed batches,
 * prints "paused" and waits to be killed (SIGKILL: nothing of it runs after); `recompute <db>
 * <now>` starts paying the owed scores and kills itself inside the recompute's transaction;
 * `settle <db> <now> [holdFile|-] [goFile]` pays whatever is owed, as a desk's start does, and
 * prints "recomputed" or "nothing owed"; with a hold file it prints "holding" once its
 * recompute's rows are written and waits for the file before committing; with a go file it
 * starts settling only once that exists (tests/db/model-upgrade-scores.test.ts: two desks).
 */
import { existsSync } from 'node:fs';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { owedRecompute, settleOwedScores } from '../../src-main/app/risk/owed-scores';
import { openDatabase } from '../../src-main/db/connect';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';

const [mode, path, nowText, casesText, batchText, pauseText] = process.argv.slice(2);
const now = Number(nowText);
const db = await openDatabase({ url: path! });
if (mode === 'load') {
  let batches = 0;
  const records = [...generateDemoDisputes({ cases: Number(casesText), now, seed: 3 })].map((value, i) => ({ line: i + 1, value }));
  await importStream(db, records, {
    now,
    batchSize: Number(batchText),
    checkWorkers: 0,
    onProblem: () => {},
    onProgress: () => {
      if (++batches !== Number(pauseText)) return;
      process.stdout.write('paused\n');
      // Blocks this thread for good: no later batch, no index build, no recompute.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    },
  });
  process.stdout.write('finished\n');
} else if (mode === 'recompute') {
  await settleOwedScores(db, now, (message) => {
    if (message === 'buyer rows written') process.kill(process.pid, 'SIGKILL');
  });
  process.stdout.write('finished\n');
} else if (mode === 'settle') {
  // A hold file: the recompute waits, its rows written and not committed, until the file exists.
  // A go file: the settling itself waits for it (the database open and read already).
  const [holdFile, goFile] = [casesText, batchText].map((f) => (f && f !== '-' ? f : null));
  const waitFor = (file: string) => {
    while (!existsSync(file)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  };
  process.stdout.write(`owed at start: ${(await owedRecompute(db)) ? 'yes' : 'no'}\n`);
  if (goFile) waitFor(goFile);
  const report = await settleOwedScores(db, now, (message) => {
    if (!holdFile || message !== 'buyer rows written') return;
    process.stdout.write('holding\n');
    waitFor(holdFile);
  });
  process.stdout.write(report ? 'recomputed\n' : 'nothing owed\n');
  await db.destroy();
}
