import { afterEach, describe, expect, it } from 'vitest';
import { claimNextCase, runCaseCommand } from '../../src-main/app/case/commands';
import { verifyChains } from '../../src-main/app/audit/verify';
import type { Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { AppFailure } from '../../src-main/contract/errors';
import { DIALECTS } from './harness';
import { demoDisputes, importedDeskPerTest, mediator, NOW, openImportedDesk } from './imported-desk';

/**
 * Take-next in one short transaction (issue 12): on PostgreSQL the pick and the write are one
 * statement each (db/repos/take-next.ts). Whatever path a press takes, it must keep every
 * guarantee of a claim made through the general command path: the audit chain, the tab
 * counters, the command log, the change notice, and nothing written for a press that finds
 * no case.
 */

const countOf = async (db: Db, table: 'case_events' | 'case_commands' | 'change_log') =>
  Number(
    (await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst())!.n,
  );

async function countersMatchCases(db: Db): Promise<void> {
  const counters = await db
    .selectFrom('queue_counts')
    .select(['status', 'assignee_id', (eb) => eb.fn.sum<number>('n').as('n')])
    .groupBy(['status', 'assignee_id'])
    .execute();
  const cases = await db
    .selectFrom('cases')
    .select(['status', 'assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['status', 'assignee_id'])
    .execute();
  const key = (s: string, a: string | null) => `${s}/${a ?? ''}`;
  const fromCounters = Object.fromEntries(
    counters.filter((r) => Number(r.n) !== 0).map((r) => [key(r.status, r.assignee_id), Number(r.n)]),
  );
  const fromCases = Object.fromEntries(cases.map((r) => [key(r.status, r.assignee_id), Number(r.n)]));
  expect(fromCounters).toEqual(fromCases);
}

describe.each(DIALECTS)('take-next on $name', ({ url }) => {
  // A varying population: a different seed and size on every run.
  const seed = 1 + Math.floor(Math.random() * 1e6);
  const size = 10 + (seed % 15);
  const desk = importedDeskPerTest(url, demoDisputes(size, seed));

  it(`thirty presses at once: each case once, oldest first, chain, counters, command log and notices kept (seed ${seed})`, async () => {
    const db = desk();
    const unassigned = (
      await db.selectFrom('cases').select('id').where('status', '=', 'escalated').where('assignee_id', 'is', null).execute()
    ).length;
    const eventsBefore = await countOf(db, 'case_events');
    const changesBefore = await countOf(db, 'change_log');
    const presses = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => claimNextCase(db, mediator(`m${i % 6}`), NOW)));
    const taken = presses.flatMap((p) => (p.status === 'fulfilled' ? [p.value.caseId] : []));
    expect(new Set(taken).size).toBe(taken.length);
    expect(taken).toHaveLength(Math.min(30, unassigned));
    for (const p of presses) if (p.status === 'rejected') expect((p.reason as AppFailure).code).toBe('NOT_FOUND');

    // Exactly one claimed event per taken case, chained: the chain verifies whole.
    expect((await countOf(db, 'case_events')) - eventsBefore).toBe(taken.length);
    const report = await verifyChains(db);
    expect(report.brokenCases).toBe(0);
    for (const id of taken) {
      const row = await db.selectFrom('cases').select(['status', 'assignee_id', 'version']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.status).toBe('in_review');
      const events = await db.selectFrom('case_events').select(['type', 'actor', 'seq']).where('case_id', '=', id).orderBy('seq').execute();
      expect(events.at(-1)).toMatchObject({ type: 'case.claimed', actor: row.assignee_id, seq: events.length });
      const logged = await db.selectFrom('case_commands').select(['method', 'input', 'actor_id']).where('case_id', '=', id).execute();
      expect(logged).toEqual([{ method: 'case.claim', input: JSON.stringify({ caseId: id }), actor_id: row.assignee_id }]);
    }
    await countersMatchCases(db);

    // Each claim told the other desktops (a shared server only; SQLite announces in process).
    if (dialectOf(db) === 'postgres') {
      expect((await countOf(db, 'change_log')) - changesBefore).toBe(taken.length);
      const logged = await db.selectFrom('change_log').select(['case_ids', 'reason']).where('reason', '=', 'command').execute();
      expect(new Set(logged.flatMap((r) => JSON.parse(r.case_ids!) as string[]))).toEqual(new Set(taken));
    }

    // A press on an empty queue writes nothing at all.
    await Promise.allSettled(Array.from({ length: 60 }, (_, i) => claimNextCase(db, mediator(`m${i % 6}`), NOW)));
    const written = [await countOf(db, 'case_events'), await countOf(db, 'case_commands'), await countOf(db, 'change_log')];
    const empty = await Promise.allSettled(Array.from({ length: 5 }, () => claimNextCase(db, mediator('m0'), NOW)));
    expect(empty.map((p) => (p.status === 'rejected' ? (p.reason as AppFailure).code : 'ok'))).toEqual(Array(5).fill('NOT_FOUND'));
    expect([await countOf(db, 'case_events'), await countOf(db, 'case_commands'), await countOf(db, 'change_log')]).toEqual(written);
  });

  it('a case released back to the queue (with an evidence round and a file) is claimed through the general path, chain intact', async () => {
    const db = desk();
    const first = await claimNextCase(db, mediator('m1'), NOW);
    await runCaseCommand(db, first.caseId, { type: 'requestEvidence', party: 'buyer', request: 'A photo, please.' }, mediator('m1'), NOW);
    const photo = { name: 'a.jpg', mediaType: 'image/jpeg', sizeBytes: 1, sha256: 'b'.repeat(64) };
    await runCaseCommand(db, first.caseId, { type: 'submitEvidence', party: 'buyer', files: [photo] }, { kind: 'intake' }, NOW + 1);
    const later = NOW + 2;
    await runCaseCommand(db, first.caseId, { type: 'release', reason: 'Out of office.' }, mediator('m1'), later);
    const back = await db.selectFrom('cases').select(['status', 'assignee_id']).where('id', '=', first.caseId).executeTakeFirstOrThrow();
    expect(back).toEqual({ status: 'escalated', assignee_id: null });
    // It is the oldest unassigned again: the next press takes it.
    const again = await claimNextCase(db, mediator('m2'), later + 1);
    expect(again).toEqual({ caseId: first.caseId, status: 'in_review' });
    const row = await db.selectFrom('cases').select(['status', 'assignee_id']).where('id', '=', first.caseId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'in_review', assignee_id: 'm2' });
    expect((await verifyChains(db)).brokenCases).toBe(0);
    await countersMatchCases(db);
  });
});

describe.each(DIALECTS)('take-next writes what a claim of the named case writes, on $name', ({ url }) => {
  const disputes = demoDisputes(4, 5);
  let dbs: Db[] = [];
  afterEach(async () => {
    await Promise.all(dbs.map((d) => d.destroy()));
    dbs = [];
  });

  it('same case row, same chained event (hash included), same command row', async () => {
    for (let i = 0; i < 2; i++) dbs.push(await openImportedDesk(url(), disputes));
    const [general, next] = dbs as [Db, Db];
    const { caseId } = await claimNextCase(next, mediator('m7'), NOW + 5);
    await runCaseCommand(general, caseId, { type: 'claim' }, mediator('m7'), NOW + 5);
    const snapshot = async (db: Db) => ({
      case: await db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow(),
      events: await db
        .selectFrom('case_events')
        .select(['at', 'actor', 'type', 'details', 'seq', 'bound', 'prev_hash', 'hash'])
        .where('case_id', '=', caseId)
        .orderBy('seq')
        .execute(),
      commands: await db
        .selectFrom('case_commands')
        .select(['at', 'actor_id', 'actor_role', 'method', 'input'])
        .where('case_id', '=', caseId)
        .execute(),
      deadlines: await db
        .selectFrom('deadlines')
        .select(['key', 'due_at', 'fired_at', 'cancelled_at'])
        .where('case_id', '=', caseId)
        .execute(),
    });
    expect(await snapshot(next)).toEqual(await snapshot(general));
  });
});
