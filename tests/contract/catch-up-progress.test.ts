import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeNotice, TaskProgress } from '../../src-main/contract/bridge';
import { Dispute } from '../../src-main/contract/dispute';
import { importDisputes } from '../../src-main/app/intake/intake';
import { runCaseCommand } from '../../src-main/app/case/commands';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';

/**
 * Issue 16: a catch-up of many due deadlines reports its progress to every window (change
 * notices with `progress`, one per committed chunk, then `finished`), and still announces
 * every case it changed. The window's indicator (src-renderer/src/app/CatchUpProgress.tsx)
 * shows exactly these notices.
 */
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const mediator = { kind: 'user' as const, id: 'm1', role: 'mediator' as const };

let core: Core | null = null;
let dir = '';
afterEach(async () => {
  await core?.close();
  core = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function coreWithEvidenceDue(cases: number, seed: number): Promise<{ core: Core; clock: ManualClock; ids: string[] }> {
  dir = mkdtempSync(join(tmpdir(), 'md-catch-up-'));
  const clock = new ManualClock(T0);
  const c = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock, fullIntegrityWalk: false });
  core = c;
  const disputes = [...generateDemoDisputes({ cases, now: T0, seed })].map((d) => Dispute.parse(d));
  await importDisputes(c.db, disputes, T0);
  const ids = (await c.db.selectFrom('cases').select('id').where('status', '=', 'escalated').orderBy('id').execute()).map((r) => r.id);
  for (const id of ids) {
    await runCaseCommand(c.db, id, { type: 'claim' }, mediator, T0);
    await runCaseCommand(
      c.db,
      id,
      { type: 'requestEvidence', party: 'buyer', request: 'Please send a photo of the parcel label.' },
      mediator,
      T0,
    );
  }
  return { core: c, clock, ids };
}

describe('deadline catch-up progress (change notices)', () => {
  it('reports each chunk of a long catch-up, ends with finished, and announces every changed case', async () => {
    // Varied sizes, all above the sweep's first chunk (64 rows), so the run spans several chunks.
    const seed = 1 + Math.floor(Math.random() * 1000);
    const n = 120 + (seed % 120);
    const { core: c, clock, ids } = await coreWithEvidenceDue(n, seed);
    expect(ids.length).toBeGreaterThan(64);
    const notices: ChangeNotice[] = [];
    c.onChange((notice) => notice && notices.push(notice));
    clock.advance(73 * HOUR);
    await c.sweepNow();

    const progress = notices.map((x) => x.progress).filter((p): p is TaskProgress => !!p);
    expect(progress.length, `seed ${seed}`).toBeGreaterThanOrEqual(3); // at least two chunks and the end
    const running = progress.slice(0, -1);
    expect(running.every((p) => p.task === 'catch-up' && !p.finished)).toBe(true);
    // Done only grows; remaining never goes below zero; the last running one still had some left or was the last chunk.
    for (let i = 1; i < running.length; i++) expect(running[i]!.done).toBeGreaterThan(running[i - 1]!.done);
    expect(running[0]!.remainingAtLeast).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ task: 'catch-up', done: ids.length, remainingAtLeast: 0, finished: true });
    // Every default was announced (the windows refresh those cases), each in the notice of its chunk.
    const announced = new Set(notices.filter((x) => x.reason === 'sweep').flatMap((x) => x.caseIds));
    expect([...announced].sort()).toEqual([...ids].sort());
    const decided = await c.db.selectFrom('decisions').select('case_id').where('basis', '=', 'default').execute();
    expect(decided.length).toBe(ids.length);
  });

  it('a sweep of a few due deadlines sends one plain notice and no progress', async () => {
    const { core: c, clock, ids } = await coreWithEvidenceDue(5, 7);
    const notices: ChangeNotice[] = [];
    c.onChange((notice) => notice && notices.push(notice));
    clock.advance(73 * HOUR);
    await c.sweepNow();
    const sweeps = notices.filter((x) => x.reason === 'sweep');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]!.progress).toBeUndefined();
    expect([...sweeps[0]!.caseIds].sort()).toEqual([...ids].sort());
  });
});
