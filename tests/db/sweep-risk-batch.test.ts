import { afterEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { sweep } from '../../src-main/app/sweep/sweep';
import type { Db } from '../../src-main/db/connect';
import { loadRiskModel } from '../../src-main/db/repos/risk/updates';
import { foldedDesk } from './folded-desk';
import { DIALECTS } from './harness';
import { riskSnapshot, scoredRows } from './risk-compare';

/**
 * The sweep's buyer-risk update runs once per chunk for all its defaults (several of a chunk's
 * cases share a buyer): the rows it leaves must be the ones the per-default path leaves (each
 * case swept alone, one transaction and one risk update per default) byte for byte, and the
 * ones a full recompute gives.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const CASES = 60;
const BUYERS = 7;

/** A population where every buyer has ~8 escalated cases, every case with evidence asked of the buyer. */
const desk = (url: string) => foldedDesk(url, { now: NOW, cases: CASES, buyers: BUYERS, seed: 11, prefix: 'B-fold-' });

/**
 * A decayed sum a decision takes back to zero (an excused dispute no longer excused) keeps the
 * residue of its −x + x (~1e-16) in the per-event rows, the recompute never adds it: read as 0.
 */
const residueFree = <T extends { w: Record<string, number> }>(buyers: T[]) =>
  buyers.map((b) => ({ ...b, w: Object.fromEntries(Object.entries(b.w).map(([k, v]) => [k, Math.abs(v) < 1e-12 ? 0 : v])) }));

const open: Db[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

describe.each(DIALECTS)('the sweep’s buyer-risk update, once per chunk, on $name', ({ url }) => {
  it('leaves the rows and case scores of the per-default path, and of a full recompute', async () => {
    const batched = await desk(url());
    const single = await desk(url());
    open.push(batched.db, single.db);
    const at = NOW + 73 * HOUR;
    // Several defaults of one buyer in one chunk (the first chunk holds 16 cases of 7 buyers).
    const perBuyer = await batched.db
      .selectFrom('cases')
      .select(['buyer_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('id', 'in', batched.ids)
      .groupBy('buyer_id')
      .execute();
    expect(Math.min(...perBuyer.map((r) => Number(r.n)))).toBeGreaterThanOrEqual(4);
    const report = await sweep(batched.db, at);
    expect(report.applied).toBe(batched.ids.length);
    let applied = 0;
    for (const id of single.ids) applied += (await sweep(single.db, at, { caseId: id })).applied;
    expect(applied).toBe(single.ids.length);

    // The model's rows byte for byte: every aggregate, ledger row, photo and group, and each buyer's counters and
    // decayed sums. Not the stored scores: a default moves its seller's totals, and a buyer of that seller scored
    // before (an earlier default of the per-default path, or an earlier chunk) keeps the rate it was scored with
    // until its next event, so when a buyer was last scored differs between the two paths by design.
    const rows = await scoredRows(batched.db);
    const other = await scoredRows(single.db);
    for (const table of ['seller_risk', 'risk_disputes', 'risk_photos', 'risk_photo_uses', 'risk_link_groups', 'risk_model'])
      expect(rows[table], table).toEqual(other[table]);
    const aggregates = (all: string[]) =>
      all.map((text) => {
        const { score, base_score, risky, reasons, top_code, seller_rate, opened_ref, ...rest } = JSON.parse(text) as Record<
          string,
          unknown
        >;
        return rest;
      });
    expect(aggregates(rows.buyer_risk!)).toEqual(aggregates(other.buyer_risk!));
    expect(rows.buyer_risk!.length).toBe(BUYERS);
    // Each case carries its buyer's stored score.
    const scoreOf = new Map(
      rows.buyer_risk!.map((t) => JSON.parse(t) as { buyer_id: string; score: number }).map((b) => [b.buyer_id, b.score]),
    );
    const caseRows = await batched.db.selectFrom('cases').select(['buyer_id', 'buyer_score']).execute();
    expect(caseRows.filter((c) => Number(c.buyer_score) !== scoreOf.get(c.buyer_id))).toEqual([]);
    // The defaults reached the model (a sweep that skipped the risk update would pass the lines above only if both did).
    const decided = await batched.db.selectFrom('risk_disputes').select('outcome').where('outcome', 'is not', null).execute();
    expect(decided.length).toBe(batched.ids.length);
    // The scores both paths give once every buyer is scored at one instant from those rows.
    const { priors } = await loadRiskModel(batched.db);
    const incremental = await riskSnapshot(batched.db, at, priors);
    expect(incremental).toEqual(await riskSnapshot(single.db, at, priors));
    // And a full recompute of the swept desk gives the same aggregates and scores.
    await recomputeRisk(batched.db, { asOf: at, refit: false, pageSize: 5 });
    const recomputed = await riskSnapshot(batched.db, at, priors);
    expect(residueFree(recomputed.buyers)).toEqual(residueFree(incremental.buyers));
    expect(recomputed.disputes).toEqual(incremental.disputes);
    expect(recomputed.sellers).toEqual(incremental.sellers);
  }, 180_000);
});

describe('the sweep’s reads (SQLite)', () => {
  it('a chunk of defaults reads no photo row: a decision leaves its photos’ uses alone', async () => {
    const { db, ids } = await desk(':memory:');
    open.push(db);
    const photos = await db.selectFrom('risk_photos').select('photo_key').execute();
    expect(photos.length).toBeGreaterThan(0); // the swept disputes carry photos
    const texts: string[] = [];
    const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => unknown };
    const prepare = proto.prepare;
    proto.prepare = function (this: BetterSqlite3.Database, text: string) {
      const stmt = prepare.call(this, text) as Record<string, (...a: unknown[]) => unknown>;
      for (const m of ['run', 'all', 'get', 'iterate']) {
        const f = stmt[m]!;
        stmt[m] = function (this: unknown, ...args: unknown[]) {
          texts.push(text);
          return f.apply(this, args);
        };
      }
      return stmt;
    };
    try {
      expect((await sweep(db, NOW + 73 * HOUR)).applied).toBe(ids.length);
    } finally {
      proto.prepare = prepare;
    }
    expect(texts.some((t) => /from "buyer_risk"/i.test(t))).toBe(true); // the counter saw the risk reads
    expect(texts.filter((t) => /from "risk_photos"/i.test(t))).toEqual([]);
  }, 120_000);
});
