import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOfFirstQuery } from '../../src-main/bench/capture';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { queuePage, searchCases, type QueueQuery } from '../../src-main/app/queue/queue';

/**
 * The queue's pages stay index walks whatever the filter (Signal Desktop's habit: assert the
 * plan, not the timing). Captured from the real service on SQLite; with a million cases the
 * same plans answer in about a millisecond (see the report of issue 4).
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const U: QueueQuery = { scope: 'unassigned', limit: 50 };

describe('desk query plans on SQLite', () => {
  let db: Db;
  let after: { sortKey: number; id: string };
  beforeAll(async () => {
    db = await openDatabase({ url: ':memory:' });
    await ensurePolicy(db, NOW);
    const records = [...generateDemoDisputes({ cases: 400, now: NOW, seed: 3 })].map((value, i) => ({ line: i + 1, value }));
    await importStream(db, records, { now: NOW, onProblem: (p) => expect.fail(p.message) });
    const row = (
      await sql<{
        escalated_at: number;
        id: string;
      }>`select escalated_at, id from cases order by escalated_at, id limit 1 offset 200`.execute(db)
    ).rows[0]!;
    after = { sortKey: row.escalated_at, id: row.id };
  });
  afterAll(async () => {
    await db.destroy();
  });

  const planOf = async (q: QueueQuery, pick?: (sql: string) => boolean) =>
    (await planOfFirstQuery(db, (d) => queuePage(d, q, null, NOW), pick)).plan.join(' | ');

  it('starts a deep page at the cursor inside cases_queue (no scan from the top)', async () => {
    const plan = await planOf({ ...U, after });
    expect(plan).toMatch(/INDEX cases_queue \(status=\? AND escalated_at>\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('walks the open cases in order (cases_open_by_escalation) instead of sorting them', async () => {
    const plan = await planOf({ scope: 'all', limit: 50 }, (s) => /"buyer"/.test(s));
    expect(plan).toMatch(/INDEX cases_open_by_escalation/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('bounds a filtered walk by a window of index entries', async () => {
    const q: QueueQuery = { ...U, reason: ['counterfeit'], country: 'PL' };
    const { plan: lines } = await planOfFirstQuery(
      db,
      (d) => queuePage(d, q, null, NOW, { scanWindow: 100 }),
      (s) => /"buyer"/.test(s),
    );
    const plan = lines.join(' | ');
    expect(plan).toMatch(/INDEX cases_queue \(status=\? AND escalated_at<\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('drives "flagged buyers" from the flagged accounts', async () => {
    await db
      .updateTable('accounts')
      .set({ label: 'serial_disputer' })
      .where('id', 'in', db.selectFrom('accounts').select('id').where('role', '=', 'buyer').limit(2))
      .execute();
    const plan = await planOf({ ...U, flagged: true }, (s) => /"buyer"/.test(s));
    expect(plan).toMatch(/INDEX cases_by_buyer/);
    expect(plan).toMatch(/accounts_by_label/);
  });

  it('answers search with index probes only', async () => {
    const { plan } = await planOfFirstQuery(
      db,
      (d) => searchCases(d, 'LP-NONE', 20, NOW),
      (s) => /tracking_number/.test(s),
    );
    expect(plan.join(' | ')).toMatch(/INDEX orders_by_tracking/);
    const name = await planOfFirstQuery(
      db,
      (d) => searchCases(d, 'zz', 20, NOW),
      (s) => /lower/.test(s),
    );
    expect(name.plan.join(' | ')).toMatch(/INDEX accounts_by_lower_name/);
  });
});
