import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { openDatabase } from '../../src-main/db/connect';
import { buyerEvidenceSource, type BuyerEvidenceRow } from '../../src-main/db/repos/risk/rebuild';
import { inWriteTx } from '../../src-main/db/tx';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';

/**
 * The full recompute's photo pass reads every buyer file in (sha256, evidence rowid) order. On
 * SQLite it stages them first, sorted in runs of case ranges and merged at read time
 * (db/repos/risk/rebuild.ts buyerEvidenceSource): whatever the runs, the pages must be the
 * direct join's, in the same order, within one sha256 too (a photo's weights are summed in it).
 */
const NOW = Date.parse('2026-03-10T00:00:00Z');
const pick = (r: BuyerEvidenceRow) => ({
  sha256: r.sha256,
  case_id: r.case_id,
  buyer_id: r.buyer_id,
  opened_at: Number(r.opened_at),
  seller_id: r.seller_id,
});

describe('the photo pass staged in runs (SQLite)', () => {
  it('reads the pages of the direct join in key order, whatever the number of runs', async () => {
    const db = await openDatabase({ url: ':memory:' });
    const records = [...generateDemoDisputes({ cases: 300, now: NOW, seed: 5 })].map((value, i) => ({ line: i + 1, value }));
    await importStream(db, records, { now: NOW, batchSize: 50, deferIndexes: false, onProblem: () => {} });
    const direct = (
      await sql<BuyerEvidenceRow>`
        SELECT e.sha256, e.case_id, c.buyer_id, c.opened_at, o.seller_id
        FROM evidence e JOIN cases c ON c.id = e.case_id LEFT JOIN orders o ON o.id = c.order_id
        WHERE e.party = 'buyer' ORDER BY e.sha256, e.rowid`.execute(db)
    ).rows.map(pick);
    expect(direct.length).toBeGreaterThan(100);
    const shared = direct.find((r, k) => k > 0 && direct[k - 1]!.sha256 === r.sha256)!.sha256;
    expect(shared).toBeDefined(); // a photo used twice: the order within one sha256 is tested

    for (const rowsPerRun of [7, 1_000_000]) {
      await inWriteTx(db, async (tx) => {
        const source = await buyerEvidenceSource(tx, rowsPerRun);
        const runs = Number(
          (await sql<{ n: number }>`SELECT count(DISTINCT run) AS n FROM temp.risk_buyer_evidence`.execute(tx)).rows[0]!.n,
        );
        if (rowsPerRun === 7) expect(runs).toBeGreaterThan(20);
        else expect(runs).toBe(1);
        expect((await source.page('', false, direct.length + 1)).map(pick)).toEqual(direct);
        // Pages from inside the key range, inclusive or not, cut at the limit.
        for (const from of [direct[40]!.sha256, shared, direct[direct.length - 3]!.sha256])
          for (const inclusive of [true, false]) {
            const want = direct.filter((r) => (inclusive ? r.sha256 >= from : r.sha256 > from)).slice(0, 25);
            expect((await source.page(from, inclusive, 25)).map(pick)).toEqual(want);
          }
        expect((await source.ofSha(shared)).map(pick)).toEqual(direct.filter((r) => r.sha256 === shared));
        await source.close();
      });
    }
    await db.destroy();
  });
});
