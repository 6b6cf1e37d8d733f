import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweep } from '../../src-main/app/sweep/sweep';
import type { Db } from '../../src-main/db/connect';
import { queryRows } from '../../src-main/db/compiled';
import { inWriteTx } from '../../src-main/db/tx';
import { seedDemo } from '../../src-main/demo/seed';
import { openTestDb } from './harness';

/**
 * compiled.ts `queryRows` on SQLite makes each row from better-sqlite3's raw value array with one
 * object literal per statement, instead of letting better-sqlite3 set the properties one by one.
 * The rows must be the very objects better-sqlite3 returns: the same keys in the same order, the
 * same values (a blob's bytes included), a plain prototype. Every table of a seeded and swept
 * desk (decisions, chained events, every buyer-risk row) is read both ways and compared, and the
 * same statement text then read through kysely in the same transaction (the statement cache is
 * shared: kysely must still get objects). SQLite only: on PostgreSQL queryRows is kysely's.
 */
const NOW = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
let db: Db;

beforeAll(async () => {
  db = await openTestDb(':memory:');
  await seedDemo(db, 60, NOW);
  // A month on: the demo's due deadlines defaulted (decisions, events, buyer-risk rows rewritten).
  const report = await sweep(db, NOW + 30 * DAY);
  expect(report.applied).toBeGreaterThan(0);
}, 120_000);
afterAll(async () => {
  await db.destroy();
});

/** Keys and values, in order, as a comparable list (toStrictEqual ignores key order). */
const entriesOf = (rows: unknown[]) => rows.map((r) => [Object.getPrototypeOf(r) === Object.prototype, Object.entries(r as object)]);

describe('queryRows on SQLite: rows made from raw values', () => {
  it('equal better-sqlite3 objects, key order included, on every table of a swept desk', async () => {
    const tables = (await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(db)).rows.map(
      (r) => r.name,
    );
    expect(tables).toContain('buyer_risk');
    let compared = 0;
    await inWriteTx(db, async (tx) => {
      for (const table of tables) {
        const text = `SELECT * FROM "${table}" ORDER BY rowid`;
        const made = await queryRows<Record<string, unknown>>(tx, text, []);
        const driver = (await sql.raw<Record<string, unknown>>(text).execute(tx)).rows;
        expect(entriesOf(made), table).toStrictEqual(entriesOf(driver));
        expect(made, table).toStrictEqual(driver);
        compared += made.length;
      }
    });
    expect(compared).toBeGreaterThan(1_000);
  });

  it('keep the last of a repeated name, a "__proto__" column as better-sqlite3 has it, and a RETURNING statement', async () => {
    await inWriteTx(db, async (tx) => {
      const repeated = 'SELECT 1 AS a, 2 AS b, 3 AS a';
      const [row] = await queryRows<Record<string, unknown>>(tx, repeated, []);
      const [driverRow] = (await sql.raw<Record<string, unknown>>(repeated).execute(tx)).rows;
      expect(entriesOf([row])).toStrictEqual(entriesOf([driverRow]));
      expect(row).toStrictEqual({ a: 3, b: 2 });

      const proto = 'SELECT 7 AS "__proto__", 8 AS x';
      // Such a statement's rows stay better-sqlite3's own, whatever it makes of the name.
      const [p] = await queryRows<Record<string, unknown>>(tx, proto, []);
      const [driverP] = (await sql.raw<Record<string, unknown>>(proto).execute(tx)).rows;
      expect(entriesOf([p])).toStrictEqual(entriesOf([driverP]));
      expect(p!['x']).toBe(8);

      expect(await queryRows(tx, 'SELECT id FROM deadlines WHERE 0', [])).toEqual([]);
      const returning = 'UPDATE deadlines SET created_at = created_at WHERE id = (SELECT min(id) FROM deadlines) RETURNING id, "key"';
      const back = await queryRows<{ id: number; key: string }>(tx, returning, []);
      expect(back).toHaveLength(1);
      expect(Object.keys(back[0]!)).toEqual(['id', 'key']);
    });
  });
});
