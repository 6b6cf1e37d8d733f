import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOfFirstQuery, judgePlan } from '../../src-main/bench/capture';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { explain } from '../../src-main/db/dialect';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { queuePage } from '../../src-main/app/queue/queue';
import { sweep } from '../../src-main/app/sweep/sweep';

/**
 * The two queries that must stay one index walk however many cases there are (Signal
 * Desktop's habit: assert the plan, not the timing). The SQL is captured from the real
 * services, so a change to `queuePage` or `sweep` that loses the index fails here.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe.each([
  { name: 'empty', cases: 0 },
  { name: '300 cases', cases: 300 },
])('query plans on SQLite ($name)', ({ cases }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDatabase({ url: ':memory:' });
    await ensurePolicy(db, NOW);
    const records = [...generateDemoDisputes({ cases, now: NOW, seed: 7 })].map((value, i) => ({ line: i + 1, value }));
    const problems: unknown[] = [];
    await importStream(db, records, { now: NOW, onProblem: (p) => problems.push(p) });
    expect(problems).toEqual([]);
    // Pending deadlines far in the future, so the sweep finds nothing due.
    const ids = (await db.selectFrom('cases').select('id').limit(100).execute()).map((r) => r.id);
    if (ids.length)
      await db
        .insertInto('deadlines')
        .values(
          ids.map((id, i) => ({
            case_id: id,
            key: 'evidence:plan-test',
            kind: 'evidence',
            due_at: NOW + 86_400_000 + i,
            created_at: NOW,
            fired_at: null,
            cancelled_at: null,
          })),
        )
        .execute();
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('walks cases_queue for the first unassigned page, with no sort step', async () => {
    const { sql, plan } = await planOfFirstQuery(db, (d) => queuePage(d, { scope: 'unassigned', limit: 50 }, null, NOW));
    expect(sql).toMatch(/order by/i);
    expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX cases_queue\b/);
    expect(plan.join('\n')).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
    expect(plan.filter((l) => /^\s*SCAN\b/.test(l) && !l.includes('USING'))).toEqual([]);
    expect(judgePlan(plan, 'cases_queue')).toEqual({ ok: true, problems: [] });
  });

  it('answers "anything due?" from the deadlines_pending index', async () => {
    const { sql, plan } = await planOfFirstQuery(
      db,
      (d) => sweep(d, NOW),
      (s) => /from "deadlines"/i.test(s),
    );
    expect(sql).toMatch(/"due_at" <=/);
    expect(plan.join('\n')).toMatch(/USING (COVERING )?INDEX deadlines_pending\b/);
    expect(plan.join('\n')).not.toMatch(/USE TEMP B-TREE/);
    expect(judgePlan(plan, 'deadlines_pending')).toEqual({ ok: true, problems: [] });
  });

  it('explain() reports the full-scan plan of an unindexed query, so the checks above can fail', async () => {
    const plan = await explain(db, db.selectFrom('cases').select('id').where('description', '=', 'x').orderBy('total_minor').compile());
    expect(judgePlan(plan, 'cases_queue').ok).toBe(false);
    expect(plan.join('\n')).toMatch(/SCAN cases/);
  });
});
