import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDisputes } from '../../src-main/app/intake/intake';
import { planOfFirstQuery } from '../../src-main/bench/capture';
import { teamTallies } from '../../src-main/db/repos/team';
import { Dispute } from '../../src-main/contract/dispute';
import type { Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { OPEN_ONLY_INDEXES as OPEN_ONLY_0037 } from '../../migrations/0037_cases_is_open';
import { DIALECTS, indexDefinitions, openTestDb } from './harness';

/** 0037's open-only indexes that are still there: migrations/0042 dropped cases_mine_overdue. */
const OPEN_ONLY_INDEXES = OPEN_ONLY_0037.filter((name) => name !== 'cases_mine_overdue');

/**
 * cases.is_open (migrations/0037): the open-only indexes filter on it instead of on the status,
 * so a status change between two open states (a claim, a request for evidence) leaves them
 * alone. The database keeps it, whoever writes the row (commands, sweeps and imports are
 * covered by the property of queue-counts.test.ts; here, writers that know nothing of it).
 */
const NOW = Date.parse('2026-03-10T12:00:00Z');
const COLUMNS = `order_id, buyer_id, seller_id, reason, claim_remedy, claim_amount_minor, currency, total_minor, description,
  opened_at, escalated_at, assignee_id, forced_decision, evidence_round, policy_version, content_hash, next_due_at, version,
  created_at, updated_at, buyer_score`;

describe.each(DIALECTS)('cases.is_open on $name', ({ url }) => {
  let db: Db;
  let ids: string[];
  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW);
    const disputes = [...generateDemoDisputes({ cases: 3, now: NOW, seed: 7 })].map((d) => Dispute.parse(d));
    await importDisputes(db, disputes, NOW);
    ids = disputes.map((d) => d.id);
  });
  afterAll(async () => {
    await db.destroy();
  });

  const isOpen = async (id: string) =>
    Number((await db.selectFrom('cases').select('is_open').where('id', '=', id).executeTakeFirstOrThrow()).is_open);

  it('filters the open-only indexes on is_open, not on the status', async () => {
    const defs = Object.entries(await indexDefinitions(db, 'cases')).map(([name, def]) => ({ name, def }));
    const predicates = Object.fromEntries(
      defs.filter((d) => OPEN_ONLY_INDEXES.includes(d.name)).map((d) => [d.name, d.def.split(/ WHERE /i)[1]]),
    );
    expect(Object.keys(predicates).sort()).toEqual([...OPEN_ONLY_INDEXES].sort());
    for (const [name, where] of Object.entries(predicates)) expect(where, name).toMatch(/^\(?is_open = 1\)?$/);
  });

  it("reads the team view's open tallies per member through cases_mine_by_risk (cases_by_assignee and cases_mine_overdue are gone)", async () => {
    const { sql: text, plan } = await planOfFirstQuery(
      db,
      (d) => teamTallies(d, ['m1', 'm2'], 0, NOW),
      (q) => /is_open = 1/.test(q),
    );
    expect(text).toMatch(/group by/i);
    // PostgreSQL picks among the open-only indexes by its statistics (on three cases, any of them).
    expect(plan.join('\n')).toMatch(dialectOf(db) === 'sqlite' ? /cases_mine_by_risk/ : /cases_(mine|open)_by_\w+/);
  });

  it('follows a status written by a plain UPDATE, open to open, to closed, back to open', async () => {
    const id = ids[0]!;
    expect(await isOpen(id)).toBe(1);
    for (const [status, open] of [
      ['in_review', 1],
      ['awaiting_evidence', 1],
      ['closed', 0],
      ['appealed', 0],
      ['final', 0],
      ['escalated', 1],
    ] as const) {
      await sql`UPDATE cases SET status = ${status} WHERE id = ${id}`.execute(db);
      expect(await isOpen(id), status).toBe(open);
    }
  });

  it('is right for a closed case inserted by a writer that does not name it', async () => {
    const id = ids[1]!;
    await sql`INSERT INTO cases (id, status, ${sql.raw(COLUMNS)}) SELECT ${`${id}-copy`}, 'closed', ${sql.raw(COLUMNS)} FROM cases WHERE id = ${id}`.execute(
      db,
    );
    expect(await isOpen(`${id}-copy`)).toBe(0);
    await sql`INSERT INTO cases (id, status, ${sql.raw(COLUMNS)}) SELECT ${`${id}-open`}, 'in_review', ${sql.raw(COLUMNS)} FROM cases WHERE id = ${id}`.execute(
      db,
    );
    expect(await isOpen(`${id}-open`)).toBe(1);
  });
});
