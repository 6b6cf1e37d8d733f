import { expect } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import * as m0028 from '../../migrations/0028_report_facts';
import * as m0031 from '../../migrations/0031_report_trigger_guards';
import * as m0050 from '../../migrations/0050_report_rows_by_writer';

/** Both report summary tables, every row, in key order. */
export async function reportRows(db: Db) {
  const cases = await db.selectFrom('report_cases').selectAll().orderBy('case_id').execute();
  const facts = await db
    .selectFrom('report_facts')
    .selectAll()
    .orderBy('day')
    .orderBy('decided_by')
    .orderBy('reason')
    .orderBy('country')
    .orderBy('currency')
    .execute();
  // A key whose counters all went back to zero may stay (the triggers never delete a facts row); a recompute has none.
  return { cases, facts: facts.filter((f) => Number(f.decided) !== 0) };
}

/**
 * The summaries as the triggers (and 0050's writer) kept them equal, row for row, those 0028's
 * backfill computes from scratch (0031's guards and 0050 put back); how many cases have a row.
 */
export async function expectReportEqualToRecompute(db: Db): Promise<number> {
  const kept = await reportRows(db);
  await m0028.down(db);
  await m0028.up(db);
  await m0031.up(db);
  await m0050.up(db);
  const recomputed = await reportRows(db);
  expect(kept.cases).toEqual(recomputed.cases);
  expect(kept.facts).toEqual(recomputed.facts);
  return kept.cases.length;
}
