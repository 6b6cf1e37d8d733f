import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueQuery } from '../../src-main/app/queue/queue';
import { importDisputes } from '../../src-main/app/intake/intake';
import { Dispute } from '../../src-main/contract/dispute';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import * as m0042 from '../../migrations/0042_fewer_status_indexes';
import { DIALECTS, indexDefinitions, openTestDb } from './harness';
import { walkQueue } from './queue-walk';

/**
 * migrations/0042: the status-led sorts by claim, deadline and risk and cases_mine_overdue give
 * way to the escalated cases' sorts. It comes off and on cleanly (the index set before it, then
 * exactly the one after it), and the queue's pages are the same rows over either set.
 */
const NOW = Date.parse('2026-03-10T12:00:00Z');
const DROPPED = ['cases_queue_by_claim', 'cases_queue_by_deadline', 'cases_queue_by_risk', 'cases_mine_overdue'];
const ADDED = ['cases_escalated_by_claim', 'cases_escalated_by_deadline', 'cases_escalated_by_risk'];

describe.each(DIALECTS)('migration 0042 on $name', ({ url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW);
    const disputes = [...generateDemoDisputes({ cases: 60, now: NOW, seed: 4 })].map((d) => Dispute.parse(d));
    await importDisputes(db, disputes, NOW);
    // Some cases in review, waiting on evidence (with deadlines) and closed, so each walk has rows to tell apart.
    const ids = disputes.map((d) => d.id).sort();
    for (const [i, id] of ids.entries()) {
      if (i % 4 === 0) continue;
      const set =
        i % 4 === 1
          ? { status: 'in_review' as const, assignee_id: 'm1' }
          : i % 4 === 2
            ? { status: 'awaiting_evidence' as const, assignee_id: 'm1', next_due_at: NOW + (i % 7) * 3_600_000 }
            : { status: 'closed' as const, assignee_id: 'm2', next_due_at: null };
      await db.updateTable('cases').set(set).where('id', '=', id).execute();
    }
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const indexes = () => indexDefinitions(db, 'cases');

  /** Every page of these queries, by id, as the desk would walk them. */
  const pages = async () => {
    const out: Record<string, string[]> = {};
    for (const q of [
      { scope: 'unassigned', sort: { by: 'claim', dir: 'desc' } },
      { scope: 'unassigned', sort: { by: 'deadline', dir: 'asc' } },
      { scope: 'unassigned', sort: { by: 'risk', dir: 'desc' } },
      { scope: 'all', status: ['in_review'], sort: { by: 'claim', dir: 'asc' } },
      { scope: 'all', status: ['awaiting_evidence'], sort: { by: 'deadline', dir: 'desc' } },
      { scope: 'all', status: ['closed'], sort: { by: 'risk', dir: 'asc' } },
      { scope: 'mine' },
      { scope: 'mine', overdue: true },
    ]) {
      const ids = (await walkQueue(db, q as Partial<QueueQuery>, 'm1', NOW + 3 * 3_600_000, { limit: 5 })).map((r) => r.id);
      out[JSON.stringify(q)] = ids;
    }
    return out;
  };

  it('comes off and on cleanly, the same pages over either index set', async () => {
    const after0042 = await indexes();
    for (const name of DROPPED) expect(after0042[name], name).toBeUndefined();
    for (const name of ADDED) expect(after0042[name], name).toMatch(/WHERE .*coalesce.*status.*'escalated'/i);
    const rows = await pages();
    expect(Object.values(rows).every((ids) => ids.length > 0)).toBe(true);

    await m0042.down(db);
    const before0042 = await indexes();
    for (const name of DROPPED) expect(before0042[name], name).toBeDefined();
    for (const name of ADDED) expect(before0042[name], name).toBeUndefined();
    expect(before0042.cases_mine_overdue).toMatch(/WHERE \(?is_open = 1\)?/i);
    expect(await pages()).toEqual(rows);

    await m0042.up(db);
    expect(await indexes()).toEqual(after0042);
    expect(await pages()).toEqual(rows);
  });
});
