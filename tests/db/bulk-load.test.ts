import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { migrations } from '../../migrations';
import { deferIndexesIfEmpty } from '../../src-main/db/repos/bulk-load';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { loadRiskModel } from '../../src-main/db/repos/risk/updates';
import { riskSnapshot, RISK_TABLES } from './risk-compare';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { tempSqliteFiles } from './temp-sqlite';

const NOW = Date.parse('2026-03-10T00:00:00Z');
const tempDb = tempSqliteFiles('md-bulk-');
const indexes = async (db: Db) =>
  (
    await sql<{
      name: string;
      sql: string;
    }>`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`.execute(db)
  ).rows;

describe('bulk load into an empty SQLite database (deferred indexes)', () => {
  it('ends with exactly the indexes it started with, and the same rows as a load into a non-empty database', async () => {
    const disputes = [...generateDemoDisputes({ cases: 40, now: NOW, seed: 11 })];
    const empty = await openDatabase({ url: tempDb() });
    const before = await indexes(empty);
    const records = disputes.map((value, i) => ({ line: i + 1, value }));
    await importStream(empty, records, { now: NOW, batchSize: 7, onProblem: () => {} });
    expect(await indexes(empty)).toEqual(before);
    expect(await empty.selectFrom('settings').selectAll().where('key', 'like', 'bulk_load%').execute()).toEqual([]);

    // The same disputes, the first one loaded alone first: nothing is deferred for the rest.
    const other = await openDatabase({ url: tempDb() });
    await importStream(other, records.slice(0, 1), { now: NOW, onProblem: () => {} });
    await importStream(other, records.slice(1), { now: NOW, batchSize: 7, onProblem: () => {} });
    // cases.buyer_score is the case's copy of its buyer's stored score (below): compared apart.
    const withoutScore = (rows: unknown[]) => rows.map((r) => ({ ...(r as Record<string, unknown>), buyer_score: undefined }));
    for (const table of ['cases', 'orders', 'accounts', 'account_links', 'evidence', 'messages', 'seller_risk'] as const) {
      const a = await sql`SELECT * FROM ${sql.table(table)} ORDER BY 1, 2`.execute(empty);
      const b = await sql`SELECT * FROM ${sql.table(table)} ORDER BY 1, 2`.execute(other);
      expect(withoutScore(a.rows), table).toEqual(withoutScore(b.rows));
    }
    // The risk rows: the first load scored every buyer once at its end with the full recompute
    // at its clock (app/risk/owed-scores.ts); the other database's later batches kept them batch
    // by batch, where a buyer's sellers' rate is taken when the buyer is scored, so only the same
    // facts compare. After a full recompute at the same instant, every row and score is the same.
    const { priors } = await loadRiskModel(empty);
    expect(await riskSnapshot(other, NOW, priors)).toEqual(await riskSnapshot(empty, NOW, priors));
    await recomputeRisk(other, { asOf: NOW });
    for (const table of RISK_TABLES) {
      const rows = async (db: Db) => (await sql`SELECT * FROM ${sql.table(table)}`.execute(db)).rows.map((r) => JSON.stringify(r)).sort();
      expect(await rows(empty), table).toEqual(await rows(other));
    }
    // In each database every case carries its buyer's stored score.
    for (const db of [empty, other]) {
      const drift = await sql<{ id: string }>`
        SELECT c.id FROM cases c LEFT JOIN buyer_risk r ON r.buyer_id = c.buyer_id
        WHERE c.buyer_score <> COALESCE(r.score, -1)`.execute(db);
      expect(drift.rows).toEqual([]);
    }
    await empty.destroy();
    await other.destroy();
  });

  it('defers cases_by_buyer too: no batch of a first load reads by it (its scores come at the end), and it is back after', async () => {
    const db = await openDatabase({ url: tempDb() });
    const records = [...generateDemoDisputes({ cases: 9, now: NOW, seed: 4 })].map((value, i) => ({ line: i + 1, value }));
    const during: Array<Promise<string[]>> = [];
    const names = async () => (await indexes(db)).map((i) => i.name);
    await importStream(db, records, { now: NOW, batchSize: 3, onProblem: () => {}, onProgress: () => during.push(names()) });
    for (const seen of await Promise.all(during)) expect(seen).not.toContain('cases_by_buyer');
    expect(during).toHaveLength(3);
    expect(await names()).toContain('cases_by_buyer');
    await db.destroy();
  });

  it('rebuilds indexes a load deferred when the process died before the end (at the next open)', async () => {
    const path = tempDb();
    const db = await openDatabase({ url: path });
    const before = await indexes(db);
    expect(await deferIndexesIfEmpty(db)).toBe(true);
    expect((await indexes(db)).length).toBeLessThan(before.length);
    // …the process dies here: no restore. The next open builds them.
    await db.destroy();
    const again = await openDatabase({ url: path });
    expect(await indexes(again)).toEqual(before);
    await again.destroy();
  });

  it('opens a database whose load died under an older release: the deferred indexes come back before a migration rebuilds one (0044)', async () => {
    const path = tempDb();
    const db = await openDatabase({ url: path });
    const latest = await indexes(db);
    // The release before 0044: orders_by_buyer_delivery without the seller.
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
    expect((await migrator.migrateTo('0042_fewer_status_indexes')).error).toBeUndefined();
    expect(await deferIndexesIfEmpty(db)).toBe(true);
    expect((await indexes(db)).map((i) => i.name)).not.toContain('orders_by_buyer_delivery');
    // …the process dies mid-load; the new release opens the file.
    await db.destroy();
    const again = await openDatabase({ url: path });
    expect(await indexes(again)).toEqual(latest);
    expect(latest.find((i) => i.name === 'orders_by_buyer_delivery')?.sql).toMatch(/seller_id/);
    await again.destroy();
  });

  it('commits a first load with synchronous = NORMAL, then puts FULL back; a later load stays FULL', async () => {
    const db = await openDatabase({ url: tempDb() });
    const syncNow = async () => Number((await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db)).rows[0]!.synchronous);
    const records = [...generateDemoDisputes({ cases: 12, now: NOW, seed: 5 })].map((value, i) => ({ line: i + 1, value }));
    const during: Array<Promise<number>> = [];
    await importStream(db, records.slice(0, 6), { now: NOW, batchSize: 3, onProblem: () => {}, onProgress: () => during.push(syncNow()) });
    expect(await Promise.all(during)).toEqual([1, 1]);
    expect(await syncNow()).toBe(2);
    during.length = 0;
    await importStream(db, records.slice(6), { now: NOW, batchSize: 3, onProblem: () => {}, onProgress: () => during.push(syncNow()) });
    expect(await Promise.all(during)).toEqual([2, 2]);
    expect(await syncNow()).toBe(2);
    await db.destroy();
  });

  it('defers nothing once the database holds cases', async () => {
    const db = await openDatabase({ url: tempDb() });
    const [d] = [...generateDemoDisputes({ cases: 1, now: NOW, seed: 2 })];
    await importStream(db, [{ line: 1, value: d }], { now: NOW, onProblem: () => {} });
    expect(await deferIndexesIfEmpty(db)).toBe(false);
    await db.destroy();
  });
});
