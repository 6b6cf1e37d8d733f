import { afterEach, describe, expect, it } from 'vitest';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations';
import { sweep } from '../../src-main/app/sweep/sweep';
import type { Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { foldedDesk } from './folded-desk';
import { DIALECTS } from './harness';
import { expectReportEqualToRecompute } from './report-recompute';
import { recordRunTexts } from './run-texts';

/**
 * Migration 0050 (issue 16): the sweep's many first decisions of a chunk get their report rows
 * from one statement over the set (db/repos/case-write.ts insertDecisions), 0028's per-row trigger
 * standing aside while report_writer holds the writer's row. The report tables must end exactly
 * as the triggers leave them: compared row for row with 0028's backfill (the same SQL, from
 * scratch), after a sweep on a new database and after the upgrade of one full of rows from 0049.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

const open: Db[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

async function desk(url: string): Promise<{ db: Db; ids: string[] }> {
  const d = await foldedDesk(url, { now: NOW, cases: 60, buyers: 9, seed: 31, prefix: 'B-rw-' });
  open.push(d.db);
  return d;
}

const expectEqualToRecompute = expectReportEqualToRecompute;

async function sweepAll(db: Db, ids: string[]) {
  const report = await sweep(db, NOW + 73 * HOUR);
  expect(report.applied).toBe(ids.length);
}

const decisionsTrigger = async (db: Db) =>
  (await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'report_decisions_insert'`.execute(db))
    .rows[0]!.sql;

describe.each(DIALECTS)('report rows of a sweep on $name', ({ url }) => {
  it('equal the triggers’ own (0028’s backfill) after a sweep of many defaults', async () => {
    const { db, ids } = await desk(url());
    await sweepAll(db, ids);
    expect(await expectEqualToRecompute(db)).toBe(ids.length);
  }, 120_000);

  it('equal them after an upgrade from 0049 of a database full of rows', async () => {
    const { db, ids } = await desk(url());
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
    const down = await migrator.migrateTo('0049_events_by_chain');
    expect(down.error).toBeUndefined();
    // Every migration after 0049 is undone, newest first; 0050 the last of them.
    const undone = (down.results ?? []).map((r) => `${r.migrationName} ${r.status}`);
    expect(undone.every((r) => r.endsWith(' Success'))).toBe(true);
    expect(undone.at(-1)).toBe('0050_report_rows_by_writer Success');
    const sqlite = dialectOf(db) === 'sqlite';
    const plain = sqlite ? await decisionsTrigger(db) : '';
    if (sqlite) expect(plain).not.toContain('0050');
    // A few decided already under 0049 (the trigger alone), then the upgrade with those rows and the sweep's cases in place.
    for (const caseId of ids.slice(0, 5)) expect((await sweep(db, NOW + 73 * HOUR, { caseId })).applied).toBe(1);
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    if (sqlite) {
      expect(await decisionsTrigger(db)).toContain('/* 0050 */');
      expect(await decisionsTrigger(db)).toBe(
        `${plain.slice(0, plain.indexOf(' BEGIN '))} AND /* 0050 */ NOT EXISTS (SELECT 1 FROM report_writer)${plain.slice(plain.indexOf(' BEGIN '))}`,
      );
    }
    const report = await sweep(db, NOW + 73 * HOUR);
    expect(report.applied).toBeGreaterThan(0);
    expect(await expectEqualToRecompute(db)).toBe(ids.length);
  }, 120_000);
});

describe('report rows of a sweep on SQLite', () => {
  it('come from one statement over a chunk’s cases, the per-row trigger standing aside', async () => {
    const { db, ids } = await desk(':memory:');
    const texts: string[] = [];
    await recordRunTexts(texts, () => sweepAll(db, ids));
    const setRefreshes = texts.filter((t) => /^INSERT INTO report_cases .* FROM report_case_rows WHERE/s.test(t)).length;
    expect(setRefreshes).toBeGreaterThan(0);
    expect(setRefreshes).toBeLessThan(ids.length / 4);
    // The writer's row is gone at the end of each save: any other writer's decision gets the trigger's refresh.
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM report_writer`.execute(db)).rows[0]!.n).toBe(0);
    expect(await expectEqualToRecompute(db)).toBe(ids.length);
  }, 120_000);

  it('the trigger refreshes a first decision unless report_writer holds its row', async () => {
    const { db, ids } = await desk(':memory:');
    const insert = (on: Db, caseId: string) =>
      sql`INSERT INTO decisions (case_id, seq, outcome, amount_minor, basis, decided_by, decided_at, appeal_until, reasons, policy_version)
          VALUES (${caseId}, 1, 'none', 0, 'mediator', 'M-x', ${NOW + HOUR}, ${NOW + 100 * HOUR}, 'r', 1)`.execute(on);
    const rowOf = async (caseId: string) =>
      (await db.selectFrom('report_cases').select('case_id').where('case_id', '=', caseId).execute()).length;
    await insert(db, ids[0]!);
    expect(await rowOf(ids[0]!)).toBe(1);
    await db.transaction().execute(async (tx) => {
      await sql`INSERT INTO report_writer (one) VALUES (1)`.execute(tx);
      await insert(tx, ids[1]!);
      await sql`DELETE FROM report_writer`.execute(tx);
    });
    expect(await rowOf(ids[1]!)).toBe(0);
  }, 120_000);
});
