import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { freshPgDatabaseUrl } from './harness';
import { scoredRows } from './risk-compare';

/**
 * Issue 15: two full recomputes of one database store the same rows byte for byte, whatever
 * order the database's plan reads a buyer's orders in. PostgreSQL's sum() adds rows in its read
 * order, and a float sum's last bit depends on it (CI at 142e516: "f.orders" 0.6689734716857156
 * against …157); rebuild.ts orderSumsPage names the order. Here one buyer gets 60 orders stored in
 * a shuffled order, and the two recomputes are made to read them one through the buyer index
 * (placed_at order) and one by a sequential scan (the shuffled storage order). SQLite has one
 * plan: its two recomputes are compared as they are.
 */
const NOW = Date.parse('2026-03-10T00:00:00Z');
const DAY = 86_400_000;

type Plan = 'buyer index' | 'table scan';
const PLAN_SETTINGS: Record<Plan, string[]> = {
  'buyer index': ['enable_seqscan = off', 'enable_bitmapscan = off'],
  'table scan': ['enable_indexscan = off', 'enable_indexonlyscan = off', 'enable_bitmapscan = off'],
};
const ALL_SETTINGS = ['enable_seqscan', 'enable_bitmapscan', 'enable_indexscan', 'enable_indexonlyscan'];

interface Target {
  name: string;
  url: () => Promise<string>;
  /** The database opened again with the planner told to read orders one way. */
  reading: (db: Db, url: string, plan: Plan) => Promise<Db>;
}

const TARGETS: Target[] = [
  { name: 'sqlite', url: async () => ':memory:', reading: async (db) => db },
  {
    name: 'pglite',
    url: async () => 'pglite:',
    // One connection: session settings reach the recompute's transaction.
    reading: async (db, _url, plan) => {
      for (const s of ALL_SETTINGS) await sql.raw(`RESET ${s}`).execute(db);
      for (const s of PLAN_SETTINGS[plan]) await sql.raw(`SET ${s}`).execute(db);
      return db;
    },
  },
  ...(process.env.TEST_DATABASE_URL
    ? [
        {
          name: 'postgres',
          url: () => freshPgDatabaseUrl(process.env.TEST_DATABASE_URL!),
          // A pool of connections: the settings go on the database, read by the connections a new pool opens.
          reading: async (db: Db, url: string, plan: Plan) => {
            const name = (await sql<{ n: string }>`SELECT current_database() AS n`.execute(db)).rows[0]!.n;
            await sql`ALTER DATABASE ${sql.id(name)} RESET ALL`.execute(db);
            for (const s of PLAN_SETTINGS[plan]) await sql.raw(`ALTER DATABASE "${name}" SET ${s}`).execute(db);
            await db.destroy();
            return openDatabase({ url });
          },
        },
      ]
    : []),
];

const opened: Db[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy().catch(() => {});
});

/** 60 orders of one buyer at instants over two years, inserted in a shuffled order (a fixed one). */
async function addScatteredOrders(db: Db): Promise<void> {
  const { buyer_id, seller_id } = await db
    .selectFrom('cases')
    .select(['buyer_id', 'seller_id'])
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const at = Array.from({ length: 60 }, (_, k) => NOW - Math.round(((k * 7919) % 60) * 12.3 * DAY) - k * 1_000);
  await db
    .insertInto('orders')
    .values(
      at.map((placed, k) => ({
        id: `SUM-ORDER-${String(k).padStart(2, '0')}`,
        buyer_id,
        seller_id,
        placed_at: placed,
        shipped_at: null,
        currency: 'USD',
        item_title: 'item',
        quantity: 1,
        item_price_minor: 1000,
        shipping_minor: 0,
        total_minor: 1000,
        tracking_number: null,
        carrier: null,
        delivery_status: k % 3 === 0 ? 'lost' : 'delivered',
        delivered_at: null,
      })),
    )
    .execute();
}

/**
 * One photo on the buyer files of many cases (a ring's shared picture), its rows rewritten one by one
 * in a shuffled order: their storage order is not the cases' order, so an index read and a table
 * scan with a sort or a hash join hand them over differently (rebuild.ts buyerEvidencePage names the
 * order; the photo's weights are summed in it).
 */
async function shareOnePhoto(db: Db): Promise<void> {
  // Eight of the cases made one buyer's: that buyer's weight for the photo is a sum of eight decays
  // (two addends give the same sum in either order; from three on the order shows in the last bit).
  const eight = await db.selectFrom('cases').select(['id', 'buyer_id', 'order_id']).orderBy('id').limit(8).execute();
  const buyer = eight[0]!.buyer_id;
  await db
    .updateTable('cases')
    .set({ buyer_id: buyer })
    .where(
      'id',
      'in',
      eight.map((c) => c.id),
    )
    .execute();
  const orders = eight.flatMap((c) => (c.order_id ? [c.order_id] : []));
  if (orders.length) await db.updateTable('orders').set({ buyer_id: buyer }).where('id', 'in', orders).execute();
  const files = await db.selectFrom('evidence').select(['case_id', 'seq']).where('party', '=', 'buyer').orderBy('case_id').execute();
  const shuffled = files.map((f, k) => ({ f, key: (k * 7919) % files.length })).sort((a, b) => a.key - b.key);
  for (const { f } of shuffled)
    await db
      .updateTable('evidence')
      .set({ sha256: 'e'.repeat(64) })
      .where('case_id', '=', f.case_id)
      .where('seq', '=', f.seq)
      .execute();
}

describe.each(TARGETS)('the full recompute’s decayed order sums on $name', ({ name, url, reading }) => {
  it('two recomputes, one reading orders through the buyer index and one by table scan, store byte-equal rows', async () => {
    const path = await url();
    let db = await openDatabase({ url: path });
    opened.push(db);
    await ensurePolicy(db, NOW);
    const records = [...generateDemoDisputes({ cases: 30, now: NOW, seed: 11 })].map((value, i) => ({ line: i + 1, value }));
    await importStream(db, records, { now: NOW, batchSize: 30, deferIndexes: false, onProblem: () => {} });
    await addScatteredOrders(db);
    await shareOnePhoto(db);

    db = await reading(db, path, 'buyer index');
    opened.push(db);
    await recomputeRisk(db, { asOf: NOW });
    const first = await scoredRows(db);

    db = await reading(db, path, 'table scan');
    opened.push(db);
    // The shared photo's rows stored again in (case, file) order: the shuffled order the first
    // recompute's scan met is gone (PostgreSQL; SQLite reads its staged runs in a named order).
    if (name !== 'sqlite') await sql`CLUSTER evidence USING evidence_pk`.execute(db);
    await recomputeRisk(db, { asOf: NOW });
    const second = await scoredRows(db);

    expect(first.buyer_risk!.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  }, 180_000);
});
