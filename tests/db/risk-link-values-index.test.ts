import {
  createQueryId,
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type RootOperationNode,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { linkValueMembers, linkValuesPage } from '../../src-main/db/repos/risk/rebuild';
import { DIALECTS, indexDefinitions, openTestDb } from './harness';

/**
 * Issue 15, session 32 (migration 0051): the full recompute's link groups read every link a kind at
 * a time along account_links_by_value, which now holds the account: the page of (kind, value,
 * account_id) comes from the index alone, with no look-up of each link's row in the table (at
 * 300,000 disputes those were 312,830 `pread`s, and the phase grew faster than the buyers).
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');

/** Keeps the query nodes a query builder runs, so that the test can ask the database for their plan. */
class Seen implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push(args.node);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

async function fill(db: Db): Promise<void> {
  const ids = Array.from({ length: 240 }, (_, n) => `BB-${String(n).padStart(4, '0')}`);
  await db
    .insertInto('accounts')
    .values(ids.map((id) => ({ id, role: 'buyer', name: id, country: 'DE', created_at: NOW })))
    .execute();
  // Devices shared by 6 accounts each, addresses by 2, a payment value per account.
  await db
    .insertInto('account_links')
    .values(
      ids.flatMap((id, n) => [
        { account_id: id, kind: 'device', value: `dv-${n % 40}` },
        { account_id: id, kind: 'address', value: `ad-${n % 120}` },
        { account_id: id, kind: 'payment', value: `pm-${n}` },
      ]),
    )
    .execute();
}

/** The plan the database gives the statement `run` makes through `db`, as one text. */
async function planOf(db: Db, run: (db: Db) => Promise<unknown>): Promise<string> {
  const seen = new Seen();
  await run(db.withPlugin(seen));
  const q = db.getExecutor().compileQuery(seen.nodes[0]!, createQueryId());
  if (dialectOf(db) === 'sqlite') {
    const bound = await db.executeQuery<{ detail: string }>({ ...q, sql: `EXPLAIN QUERY PLAN ${q.sql}`, query: q.query });
    return bound.rows.map((r) => r.detail).join('\n');
  }
  // PostgreSQL: told to prefer an index (the table is small), after a VACUUM has set the visibility map.
  return db.transaction().execute(async (tx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(tx);
    await sql`SET LOCAL enable_bitmapscan = off`.execute(tx);
    const plan = await tx.executeQuery<Record<string, string>>({ ...q, sql: `EXPLAIN ${q.sql}`, query: q.query });
    return plan.rows.map((r) => Object.values(r)[0]).join('\n');
  });
}

describe.each(DIALECTS)('the link groups read from account_links_by_value alone ($name)', ({ url }) => {
  it('holds the account after the value; a page of one kind and one group are read from the index only, their rows as before', async () => {
    const db = await openTestDb(url());
    try {
      await fill(db);
      const def = (await indexDefinitions(db, 'account_links')).account_links_by_value;
      expect(def).toMatch(/kind.*value.*account_id/);
      if (dialectOf(db) !== 'sqlite') await sql`VACUUM ANALYZE account_links`.execute(db);
      const page = await linkValuesPage(db, 'device', 'dv-1', true, 20);
      expect(page.map((r) => r.value)).toEqual([...page.map((r) => r.value)].sort());
      expect(page.every((r) => r.kind === 'device' && r.value >= 'dv-1')).toBe(true);
      expect(new Set(page.map((r) => r.account_id)).size).toBe(20);
      const members = await linkValueMembers(db, 'device', 'dv-3');
      expect(members.map((m) => m.account_id).sort()).toEqual(['BB-0003', 'BB-0043', 'BB-0083', 'BB-0123', 'BB-0163', 'BB-0203']);
      for (const read of [(d: Db) => linkValuesPage(d, 'device', 'dv-1', true, 20), (d: Db) => linkValueMembers(d, 'device', 'dv-3')]) {
        const plan = await planOf(db, read);
        if (dialectOf(db) === 'sqlite') expect(plan).toMatch(/USING COVERING INDEX account_links_by_value/);
        else expect(plan).toMatch(/Index Only Scan using account_links_by_value/);
      }
    } finally {
      await db.destroy();
    }
  });
});
