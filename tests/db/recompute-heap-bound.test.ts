import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { recomputeRisk, RECOMPUTE_HEAP } from '../../src-main/app/risk/recompute';
import { openDatabase } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { RISK_MODEL } from '../../src-main/engine/risk';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore } from '../../src-main/runtime/core';
import type { HeapBound } from '../../src-main/util/heap-bound';
import { tempSqliteFiles } from './temp-sqlite';

/**
 * Issue 15: every full recompute runs under a heap bound (util/heap-bound.ts), not only the
 * import's: the desk's start (a model upgrade), the demo seed and the bench called it without
 * one, and V8 let a million buyers' recompute grow its heap to 452 MB (peak RSS 1,076 MB).
 * Every bound made is recorded here (the real one, wrapped) to see who made it and how often
 * it was checked.
 */
const made = vi.hoisted(() => [] as Array<{ args: unknown[]; bound: HeapBound }>);
vi.mock('../../src-main/util/heap-bound', async (original) => {
  const real = await original<typeof import('../../src-main/util/heap-bound')>();
  return {
    ...real,
    heapBound: (...args: Parameters<typeof real.heapBound>) => {
      const bound = real.heapBound(...args);
      made.push({ args, bound });
      return bound;
    },
  };
});

const NOW = Date.parse('2026-03-10T00:00:00Z');
const tempDb = tempSqliteFiles('md-recompute-heap-');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A scored database (more than one page of 500 buyers in the buyer rows phase). */
async function scoredDatabase(cases = 1_600): Promise<string> {
  const path = tempDb();
  const db = await openDatabase({ url: path });
  await ensurePolicy(db, NOW);
  const records = [...generateDemoDisputes({ cases, now: NOW, seed: 7 })].map((value, i) => ({ line: i + 1, value }));
  await importStream(db, records, { now: NOW, batchSize: 200, deferIndexes: false, onProblem: () => {} });
  await db.destroy();
  return path;
}

describe('the full recompute’s heap bound', () => {
  it('the desk’s start paying a model upgrade recomputes under one, checked before every page', async () => {
    const path = await scoredDatabase();
    const db = await openDatabase({ url: path });
    await sql`UPDATE risk_model SET model_version = ${RISK_MODEL.version - 1}`.execute(db);
    await db.destroy();
    const dir = mkdtempSync(join(tmpdir(), 'md-recompute-heap-core-'));
    dirs.push(dir);
    made.splice(0);
    const said: string[] = [];
    const core = await openCore({
      dataDir: dir,
      databaseUrl: path,
      clock: new ManualClock(NOW),
      fullIntegrityWalk: false,
      onStartProgress: (m) => said.push(m),
    });
    try {
      expect(said).toContain('buyer rows written');
      const bounds = made.filter((m) => m.args[0] === RECOMPUTE_HEAP.mb && m.args[1] === RECOMPUTE_HEAP.garbageMb);
      expect(bounds).toHaveLength(1);
      // Before each page of every source and pass: at least the buyer rows' two pages of 500 and the case scores'.
      expect(bounds[0]!.bound.counts.checks).toBeGreaterThan(8);
    } finally {
      await core.close();
    }
  });

  it('the buyer rows phase checks it before each page of 500 buyers', async () => {
    const path = await scoredDatabase();
    const db = await openDatabase({ url: path });
    try {
      // The buyer rows phase starts after 'photos: N' is logged, and logs the waiting buyers after its first pass.
      const events: string[] = [];
      await recomputeRisk(db, { asOf: NOW, betweenPages: () => events.push('page'), onProgress: (m) => events.push(m) });
      const buyers = Number(/^buyers: (\d+)$/.exec(events.find((e) => e.startsWith('buyers: '))!)![1]);
      expect(buyers).toBeGreaterThan(500);
      const from = events.findIndex((e) => e.startsWith('sellers') || e.startsWith('photos: '));
      const to = events.findIndex((e) => e.startsWith('buyers waiting'));
      // The sellers' reads (one per range of 2,000 buyers, and the last) come before the rows' pages.
      const sellerReads = Math.ceil(buyers / 2_000) + 1;
      expect(events.slice(from + 1, to).filter((e) => e === 'page').length).toBe(sellerReads + Math.ceil(buyers / 500));
    } finally {
      await db.destroy();
    }
  });

  it('a caller’s own bound replaces it (the import’s, which also runs between its batches)', async () => {
    const path = await scoredDatabase(60);
    const db = await openDatabase({ url: path });
    try {
      made.splice(0);
      let pages = 0;
      const report = await recomputeRisk(db, { asOf: NOW, betweenPages: () => pages++ });
      expect(made).toHaveLength(0);
      expect(pages).toBeGreaterThan(5);
      expect(report.heapCollections).toBeNull();
      const own = await recomputeRisk(db, { asOf: NOW });
      expect(made).toHaveLength(1);
      expect(own.heapCollections).toBe(made[0]!.bound.counts.collections);
    } finally {
      await db.destroy();
    }
  });
});
