import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { applyRiskEvents, type RiskEvent } from '../../src-main/db/repos/risk/updates';
import { inWriteTx } from '../../src-main/db/tx';
import { DIALECTS, openTestDb } from './harness';
import { sql } from 'kysely';
import * as m0034 from '../../migrations/0034_cases_buyer_score';

/**
 * cases.buyer_score (migrations/0034) is the buyer's stored score in every committed state,
 * whatever wrote it: intake (a first import and a later one), random mixes of incremental
 * events (orders, disputes, outcomes, labels: what commands and the sweep apply), a full
 * recompute, and a transaction that rolls back.
 */
const NOW = Date.parse('2026-03-01T12:00:00Z');

/** A small seeded generator (mulberry32), so a failure replays. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The cases whose copy differs from coalesce(buyer_risk.score, -1), read plainly. */
async function drift(db: Db): Promise<Array<{ id: string; copy: number; stored: number }>> {
  const scores = new Map(
    (await db.selectFrom('buyer_risk').select(['buyer_id', 'score']).execute()).map((r) => [r.buyer_id, Number(r.score)]),
  );
  const cases = await db.selectFrom('cases').select(['id', 'buyer_id', 'buyer_score']).execute();
  return cases
    .map((c) => ({ id: c.id, copy: Number(c.buyer_score), stored: scores.get(c.buyer_id) ?? -1 }))
    .filter((c) => c.copy !== c.stored);
}

describe.each(DIALECTS)('the case’s copy of its buyer’s score on $name', ({ url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW);
    const records = [...generateDemoDisputes({ cases: 120, now: NOW, seed: 5 })].map((value, i) => ({ line: i + 1, value }));
    await importStream(db, records, { now: NOW, onProblem: () => undefined });
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
  });

  it('equals buyer_risk’s score for every case after intake, random event mixes, a recompute and a rollback', async () => {
    expect(await drift(db)).toEqual([]);
    const scoresBefore = new Set((await db.selectFrom('cases').select('buyer_score').execute()).map((c) => Number(c.buyer_score)));
    expect(scoresBefore.size).toBeGreaterThan(1);

    const buyers = (await db.selectFrom('buyer_risk').select('buyer_id').orderBy('buyer_id').execute()).map((r) => r.buyer_id);
    const caseIds = (await db.selectFrom('cases').select('id').orderBy('id').execute()).map((r) => r.id);
    const r = rng(17);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
    let changed = 0;
    for (let round = 0; round < 12; round++) {
      const at = NOW + (round + 1) * 3_600_000;
      const before = new Map(
        (await db.selectFrom('buyer_risk').select(['buyer_id', 'score']).execute()).map((x) => [x.buyer_id, Number(x.score)]),
      );
      const events: RiskEvent[] = [];
      for (let i = 0, n = 1 + Math.floor(r() * 8); i < n; i++) {
        const buyer = pick(buyers);
        const k = Math.floor(r() * 5);
        const id = `P${round}-${i}`;
        if (k === 0) events.push({ type: 'order', fact: { id: `O-${id}`, buyerId: buyer, placedAt: at, delivered: r() < 0.8 } });
        else if (k === 1) {
          events.push({ type: 'order', fact: { id: `O-${id}`, buyerId: buyer, placedAt: at - 86_400_000, delivered: true } });
          events.push({
            type: 'dispute',
            fact: {
              id: `D-${id}`,
              orderId: `O-${id}`,
              buyerId: buyer,
              openedAt: at,
              notReceived: r() < 0.7,
              outcome: r() < 0.5 ? 'buyer_won' : null,
              threat: r() < 0.3,
              offPlatform: r() < 0.2,
              photos: [],
            },
          });
        } else if (k === 2) events.push({ type: 'disputePatch', caseId: pick(caseIds), outcome: r() < 0.5 ? 'buyer_won' : 'seller_won' });
        else events.push({ type: 'label', buyerId: buyer, label: r() < 0.5 ? 'serial_disputer' : null });
      }
      await inWriteTx(db, (tx) => applyRiskEvents(tx, events, at));
      const after = await db.selectFrom('buyer_risk').select(['buyer_id', 'score']).execute();
      changed += after.filter((x) => before.get(x.buyer_id) !== Number(x.score)).length;
      expect(await drift(db), `round ${round}`).toEqual([]);
    }
    // The mixes did move scores (or the test would prove little).
    expect(changed).toBeGreaterThan(0);

    // A rolled-back update leaves score and copy as they were.
    const snapshot = await db.selectFrom('cases').select(['id', 'buyer_score']).orderBy('id').execute();
    await expect(
      inWriteTx(db, async (tx) => {
        for (const b of buyers.slice(0, 5))
          await applyRiskEvents(tx, [{ type: 'label', buyerId: b, label: 'serial_disputer' }], NOW + 86_400_000);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await db.selectFrom('cases').select(['id', 'buyer_score']).orderBy('id').execute()).toEqual(snapshot);

    // A full recompute rebuilds buyer_risk (emptied first) and every copy with it.
    await recomputeRisk(db, { asOf: NOW + 30 * 86_400_000, refit: true, pageSize: 13 });
    expect(await drift(db)).toEqual([]);

    // A later import: new cases, some of buyers scored already, carry their score at once.
    const more = [...generateDemoDisputes({ cases: 160, now: NOW + 40 * 86_400_000, seed: 5 })]
      .slice(120)
      .map((value, i) => ({ line: i + 1, value }));
    await importStream(db, more, { now: NOW + 40 * 86_400_000, onProblem: () => undefined });
    expect(await drift(db)).toEqual([]);
  }, 120_000);

  it('is filled by migration 0034’s backfill on a database that had cases and scores before it', async () => {
    // The state before 0034: every case at the column's default, no risk index.
    for (const name of ['cases_escalated_by_risk', 'cases_open_by_risk', 'cases_by_risk'])
      await sql`DROP INDEX ${sql.raw(name)}`.execute(db);
    await sql`UPDATE cases SET buyer_score = -1`.execute(db);
    // A buyer never scored keeps -1.
    const [unscored] = (await db.selectFrom('buyer_risk').select('buyer_id').orderBy('buyer_id').limit(1).execute()).map((r) => r.buyer_id);
    await db.deleteFrom('buyer_risk').where('buyer_id', '=', unscored!).execute();
    expect((await drift(db)).length).toBeGreaterThan(0);
    await m0034.copyScores(db);
    await m0034.createRiskIndexes(db);
    expect(await drift(db)).toEqual([]);
    const theirs = await db.selectFrom('cases').select('buyer_score').where('buyer_id', '=', unscored!).execute();
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((c) => Number(c.buyer_score) === -1)).toBe(true);
  });
});
