import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityMonitor } from '../../src-main/app/audit/integrity';
import type { Db } from '../../src-main/db/connect';
import { verifiedThrough } from '../../src-main/db/repos/audit-reads';
import { deskOn, dispute, INTAKE, M1, openUrl, T0 } from './audit-fixtures';

/**
 * Issue 14, item 4: the start-up check works from the stored watermark. A restart reads only
 * the cases with events since it, and still names one of those cases when an event was
 * written into it around the chain (the lookup for such events is limited to those cases).
 */

async function startupOnly(db: Db) {
  const monitor = new IntegrityMonitor(db, { now: () => T0, fullWalk: false });
  await monitor.done;
  return monitor.view();
}

describe('the start-up check from its watermark', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openUrl(':memory:');
    const desk = await deskOn(db);
    for (let i = 1; i <= 3; i++) await desk.ok('intake.dispute', dispute(i), INTAKE);
    await desk.ok('case.claim', { caseId: 'AU-1' }, M1);
  });
  afterEach(() => db.destroy());

  it('moves the watermark over an intact history, then finds nothing new to read', async () => {
    const first = await startupOnly(db);
    expect(first).toMatchObject({ state: 'done', fullCheck: false, brokenCases: 0 });
    const newest = await db
      .selectFrom('case_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    expect(await verifiedThrough(db)).toBe(Number(newest.id));
    expect(await startupOnly(db)).toMatchObject({ state: 'done', brokenCases: 0 });
  });

  it('names the case an event was written into around the chain since the last start, and only it', async () => {
    await startupOnly(db);
    const through = await verifiedThrough(db);
    await db
      .insertInto('case_events')
      .values({
        case_id: 'AU-2',
        at: T0,
        actor: 'm1',
        type: 'case.note',
        details: '{}',
        seq: null,
        bound: null,
        prev_hash: null,
        hash: null,
      })
      .execute();
    const view = await startupOnly(db);
    expect(view).toMatchObject({ state: 'done', brokenCases: 1 });
    expect(view.cases.map((c) => c.caseId)).toEqual(['AU-2']);
    expect(view.cases[0]!.problems.join(' ')).toMatch(/1 event\(s\) written around the audit chain/);
    // Not moved past a broken case: the next start names it again.
    expect(await verifiedThrough(db)).toBe(through);
    expect((await startupOnly(db)).cases.map((c) => c.caseId)).toEqual(['AU-2']);
  });
});
