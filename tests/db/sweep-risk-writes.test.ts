import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { sweep } from '../../src-main/app/sweep/sweep';
import type { Db } from '../../src-main/db/connect';
import { writeRows } from '../../src-main/db/repos/risk/store';
import { inWriteTx } from '../../src-main/db/tx';
import { foldedDesk } from './folded-desk';
import { recordRunTexts } from './run-texts';

/**
 * On SQLite the risk update rewrites the rows it read (buyer_risk, risk_disputes, seller_risk) as
 * UPDATEs of the columns whose value differs from the row as read, and the buyers' case scores one
 * prepared UPDATE a buyer (db/repos/risk/store.ts writeRows, case-scores.ts); PostgreSQL keeps the
 * whole-row multi-row upserts. A row so written must end exactly as the upsert leaves it: a column
 * the shortcut leaves out that differs shows here.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const CASES = 48;
const BUYERS = 6;

/** Escalated cases of six buyers (the demo's disputes folded), evidence asked of each buyer, then the sweep at +73 h. */
async function sweptDesk(url: string, watch?: (run: () => Promise<unknown>) => Promise<unknown>): Promise<Db> {
  const { db, ids } = await foldedDesk(url, { now: NOW, cases: CASES, buyers: BUYERS, seed: 23, prefix: 'B-w-' });
  open.push(db);
  expect(ids.length).toBeGreaterThan(BUYERS);
  const run = () => sweep(db, NOW + 73 * HOUR);
  const report = (await (watch ? watch(run) : run())) as Awaited<ReturnType<typeof sweep>>;
  expect(report.applied).toBe(ids.length);
  return db;
}

const open: Db[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

/** A value of the same kind as `v`, different from it (null and non-null both ways: every column's edge). */
function other(column: string, v: unknown, rnd: () => number): unknown {
  const nullable = ['top_code', 'label', 'seller_rate', 'opened_ref', 'hist_orders', 'hist_delivered', 'created_at', 'outcome'];
  if (v === null)
    return column === 'label'
      ? 'cleared'
      : column === 'outcome'
        ? 'buyer_won'
        : column === 'top_code'
          ? 'LATE'
          : 7 + Math.floor(rnd() * 90);
  if (nullable.includes(column) && rnd() < 0.3) return null;
  if (typeof v === 'number') return column === 'seller_rate' || column === 'opened_ref' ? v + rnd() / 7 : v + 1 + Math.floor(rnd() * 5);
  if (column === 'outcome') return v === 'buyer_won' ? 'seller_won' : 'buyer_won';
  if (column === 'label') return v === 'cleared' ? 'serial_disputer' : 'cleared';
  if (typeof v === 'string' && v.startsWith('{')) return JSON.stringify({ ...(JSON.parse(v) as object), x: rnd() });
  if (typeof v === 'string' && v.startsWith('[')) return JSON.stringify([...(JSON.parse(v) as unknown[]), `x${rnd()}`]);
  if (typeof v === 'string') return `${v}-x`;
  throw new Error(`${column}: a value of an unexpected kind`);
}

const tables = [
  { table: 'buyer_risk', key: 'buyer_id' },
  { table: 'risk_disputes', key: 'case_id' },
  { table: 'seller_risk', key: 'seller_id' },
] as const;

describe('writeRows on SQLite: a row read, rewritten with the columns that differ', () => {
  it.each(tables)(
    'leaves in $table exactly the row given, whichever columns changed',
    async ({ table, key }) => {
      const db = await sweptDesk(':memory:');
      let seed = 7;
      const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const all = async () =>
        (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY ${sql.ref(key)}`.execute(db)).rows;
      const before = await all();
      expect(before.length).toBeGreaterThan(2);
      for (let round = 0; round < 12; round++) {
        const read = await all();
        // Each round: every row with a random subset of its columns changed (all of them, none, one).
        const rows = read.map((r, i) => {
          const out: Record<string, unknown> = { ...r };
          for (const c of Object.keys(r))
            if (c !== key && (round === 0 || (round > 1 && rnd() < 0.35) || (round === 1 && i % 2 === 0 && c === Object.keys(r)[1])))
              out[c] = other(c, r[c], rnd);
          return out;
        });
        const columns = Object.keys(read[0]!).filter((c) => c !== key);
        await inWriteTx(db, (tx) => writeRows(tx, table, key, rows, new Map(read.map((r) => [String(r[key]), r])), columns as never));
        expect(await all(), `round ${round}`).toEqual(rows);
      }
    },
    120_000,
  );
});

describe('the risk rows a sweep rewrites on SQLite', () => {
  it('as UPDATEs of the rows read, not as upserts', async () => {
    const texts: string[] = [];
    await sweptDesk(':memory:', (run) => recordRunTexts(texts, run));
    expect(texts.some((t) => /^UPDATE "buyer_risk" SET .*"n_decided" = \?/.test(t))).toBe(true);
    expect(texts.some((t) => /^UPDATE "risk_disputes" SET "outcome" = \? WHERE "case_id" = \?$/.test(t))).toBe(true);
    expect(texts.filter((t) => /INSERT INTO "(buyer_risk|risk_disputes)"/.test(t))).toEqual([]);
    // The case scores: one prepared UPDATE a buyer whose score moved, no pairs joined from JSON.
    expect(texts).toContain('UPDATE cases SET buyer_score = ? WHERE buyer_id = ? AND buyer_score <> ?');
    expect(texts.filter((t) => /SET buyer_score = s\.score/.test(t))).toEqual([]);
  }, 120_000);
});
