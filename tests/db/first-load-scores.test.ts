import { spawn } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { settleOwedScores } from '../../src-main/app/risk/owed-scores';
import { openDatabase } from '../../src-main/db/connect';
import { scoresOwed } from '../../src-main/db/repos/bulk-load';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { scoredRows } from './risk-compare';
import { tempSqliteFiles } from './temp-sqlite';

/**
 * A first load into an empty SQLite database scores every buyer once, at its end, with the full
 * recompute (app/risk/owed-scores.ts). Its risk rows and case scores must be byte for byte what
 * the per-batch import followed by a full recompute at the same instant stores, and a process
 * that dies mid-load or mid-recompute must leave the debt for the next import to pay.
 */
const NOW = Date.parse('2026-03-10T00:00:00Z');
const tempDb = tempSqliteFiles('md-first-load-');
const recordsOf = (cases: number, seed: number) =>
  [...generateDemoDisputes({ cases, now: NOW, seed })].map((value, i) => ({ line: i + 1, value }));

/** Main's way: the per-batch update throughout (nothing deferred), then the full recompute at `now`. */
async function reference(records: ReturnType<typeof recordsOf>, batchSize: number): Promise<Record<string, string[]>> {
  const db = await openDatabase({ url: tempDb() });
  await importStream(db, records, { now: NOW, batchSize, deferIndexes: false, onProblem: () => {} });
  expect(await scoresOwed(db)).toBe(false);
  await recomputeRisk(db, { asOf: NOW });
  const rows = await scoredRows(db);
  await db.destroy();
  return rows;
}

function child(args: string[]): { done: Promise<string>; kill(): void; output(): string } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'tests/db/first-load-child.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return {
    done: new Promise((ok) => proc.once('exit', () => ok(out))),
    kill: () => proc.kill('SIGKILL'),
    output: () => out,
  };
}

describe('a first load scores its buyers once, at its end', () => {
  it('stores the rows the per-batch import followed by a full recompute at the same instant stores', async () => {
    const records = recordsOf(300, 11);
    // Two disputes again, changed, in a later batch: a first load replaces escalated cases too.
    const changed = records
      .slice(0, 2)
      .map((r, i) => ({ line: 301 + i, value: { ...r.value, description: `${r.value.description} (again)` } }));
    const all = [...records, ...changed];
    const db = await openDatabase({ url: tempDb() });
    // The caller's heap bound runs between the batches and between the scoring's pages (cli/import.ts).
    let pauses = 0;
    const summary = await importStream(db, all, { now: NOW, batchSize: 40, onProblem: () => {}, betweenPages: () => pauses++ });
    expect(summary).toMatchObject({ created: 300, updated: 2 });
    // 8 batches, and at least one page of each of the scoring's 8 paged reads.
    expect(pauses).toBeGreaterThanOrEqual(8 + 8);
    expect(summary.scoring?.buyers).toBeGreaterThan(0);
    expect(await scoresOwed(db)).toBe(false);
    const mine = await scoredRows(db);
    expect(mine.buyer_risk!.length).toBeGreaterThan(0);
    expect(mine.cases!.filter((c) => c.includes('"buyer_score":-1'))).toEqual([]);
    expect(mine).toEqual(await reference(all, 40));
    await db.destroy();
  });

  it('calls beforeScoring once after the index build, afterScoring once before the four score indexes, neither when no scoring follows', async () => {
    // The point where cli import releases the load's memory (issue 16): the indexes are built, no buyer is scored yet,
    // but for the four of the cases' score copy, built after the scoring has written every copy (issue 15, session 31).
    const file = tempDb();
    const db = await openDatabase({ url: file });
    const indexes = (raw: BetterSqlite3.Database) =>
      (
        raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all() as Array<{
          name: string;
        }>
      ).map((i) => i.name);
    const seen: Array<{ indexes: string[]; scored: number }> = [];
    const records = recordsOf(80, 5);
    const beforeScoring = () => {
      const raw = new BetterSqlite3(file, { readonly: true });
      seen.push({ indexes: indexes(raw), scored: (raw.prepare('SELECT count(*) AS n FROM buyer_risk').get() as { n: number }).n });
      raw.close();
    };
    const first = new BetterSqlite3(file, { readonly: true });
    const all = indexes(first);
    first.close();
    // After the scoring (every buyer scored), before the four are built: where cli import collects the scoring's garbage.
    const afterScoring = () => {
      const raw = new BetterSqlite3(file, { readonly: true });
      const unscored = (raw.prepare('SELECT count(*) AS n FROM cases WHERE buyer_score = -1').get() as { n: number }).n;
      after.push({ indexes: indexes(raw), unscored });
      raw.close();
    };
    const after: Array<{ indexes: string[]; unscored: number }> = [];
    await importStream(db, records.slice(0, 60), { now: NOW, batchSize: 20, onProblem: () => {}, beforeScoring, afterScoring });
    const raw = new BetterSqlite3(file, { readonly: true });
    const later = ['cases_by_risk', 'cases_escalated_by_risk', 'cases_mine_by_risk', 'cases_open_by_risk'];
    expect(seen).toEqual([{ indexes: all.filter((n) => !later.includes(n)), scored: 0 }]);
    expect(after).toEqual([{ indexes: all.filter((n) => !later.includes(n)), unscored: 0 }]);
    expect(indexes(raw)).toEqual(all);
    expect(raw.prepare("SELECT key FROM settings WHERE key LIKE 'bulk_load%'").all()).toEqual([]);
    expect((raw.prepare('SELECT count(*) AS n FROM buyer_risk').get() as { n: number }).n).toBeGreaterThan(0);
    raw.close();
    // A later import into rows already scored keeps the per-batch update: nothing to release for.
    await importStream(db, records.slice(60), { now: NOW, batchSize: 20, onProblem: () => {}, beforeScoring, afterScoring });
    expect(seen).toHaveLength(1);
    expect(after).toHaveLength(1);
    await db.destroy();
  });

  it('an import into a database that had rows keeps the per-batch update', async () => {
    const records = recordsOf(60, 4);
    const db = await openDatabase({ url: tempDb() });
    await importStream(db, records.slice(0, 30), { now: NOW, batchSize: 10, onProblem: () => {} });
    const owedDuring: Array<Promise<boolean>> = [];
    const later = await importStream(db, records.slice(30), {
      now: NOW,
      batchSize: 10,
      onProblem: () => {},
      onProgress: () => owedDuring.push(scoresOwed(db)),
    });
    expect(await Promise.all(owedDuring)).toEqual([false, false, false]);
    expect(later.scoring).toBeNull();
    expect(later.timings.scoreMs).toBe(0);
    const unscored = await sql`SELECT id FROM cases WHERE buyer_score = -1`.execute(db);
    expect(unscored.rows).toEqual([]);
    await db.destroy();
  });

  it('a load killed mid-way leaves the scores owed; the re-import ends with every score present and right', async () => {
    const path = tempDb();
    const records = recordsOf(240, 3);
    const loading = child(['load', path, String(NOW), '240', '30', '3']);
    for (let i = 0; !loading.output().includes('paused'); i++) {
      if (i > 3000 || loading.output().includes('finished')) throw new Error(`the load did not pause: ${loading.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    loading.kill();
    await loading.done;
    const db = await openDatabase({ url: path });
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM cases`.execute(db)).rows[0]!.n)).toBe(90);
    expect(await scoresOwed(db)).toBe(true);
    expect((await sql`SELECT 1 FROM buyer_risk`.execute(db)).rows).toEqual([]);
    // The next import (the database has rows now: nothing deferred) pays the debt at its end.
    const summary = await importStream(db, records, { now: NOW, batchSize: 30, onProblem: () => {} });
    expect(summary).toMatchObject({ created: 150, unchanged: 90 });
    expect(summary.scoring).not.toBeNull();
    expect(await scoresOwed(db)).toBe(false);
    expect(await scoredRows(db)).toEqual(await reference(records, 30));
    await db.destroy();
  }, 60_000);

  it('a recompute killed inside its transaction leaves the marker and no half of its rows; the next one pays', async () => {
    const path = tempDb();
    const records = recordsOf(120, 8);
    const db = await openDatabase({ url: path });
    // A load whose end never came: its batches committed unscored under the marker.
    await importStream(db, records, { now: NOW, batchSize: 40, deferIndexes: false, onProblem: () => {} });
    await recomputeRisk(db, { asOf: NOW });
    await sql`DELETE FROM buyer_risk`.execute(db);
    await sql`UPDATE cases SET buyer_score = -1`.execute(db);
    await sql`INSERT INTO settings (key, value) VALUES ('bulk_load.scores_owed', '{}')`.execute(db);
    await db.destroy();
    const out = await child(['recompute', path, String(NOW)]).done;
    expect(out).toBe(''); // killed by itself: no error, no "finished"
    const again = await openDatabase({ url: path });
    expect(await scoresOwed(again)).toBe(true);
    expect((await sql`SELECT 1 FROM buyer_risk`.execute(again)).rows).toEqual([]);
    expect(await settleOwedScores(again, NOW)).not.toBeNull();
    expect(await scoresOwed(again)).toBe(false);
    expect(await settleOwedScores(again, NOW)).toBeNull();
    expect(await scoredRows(again)).toEqual(await reference(records, 40));
    await again.destroy();
  }, 60_000);
});
