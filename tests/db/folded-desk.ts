import { expect } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { claimAndRequestEvidence } from '../../src-main/bench/setup-commands';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { openTestDb } from './harness';

/**
 * A population where each of `buyers` buyers has several escalated cases (the demo's disputes,
 * their buyers folded onto `buyers` ids prefixed `prefix`), every case with evidence asked of the
 * buyer at `now`: what the sweep defaults 72 h later (tests/db/sweep-risk-*.test.ts).
 */
export async function foldedDesk(
  url: string,
  o: { now: number; cases: number; buyers: number; seed: number; prefix: string },
): Promise<{ db: Db; ids: string[] }> {
  const db = await openTestDb(url);
  await ensurePolicy(db, o.now);
  const demo = [...generateDemoDisputes({ cases: o.cases, now: o.now, seed: o.seed })].map((d, i) => ({
    ...d,
    buyer: { ...d.buyer, id: `${o.prefix}${i % o.buyers}` },
  }));
  const summary = await importStream(
    db,
    demo.map((value, i) => ({ line: i + 1, value })),
    { now: o.now, onProblem: (p) => expect.fail(p.message) },
  );
  expect(summary.created).toBe(o.cases);
  const ids = (await db.selectFrom('cases').select('id').where('status', '=', 'escalated').orderBy('id').execute()).map((r) => r.id);
  await claimAndRequestEvidence(db, ids, o.now);
  return { db, ids };
}
