import { describe, expect, it } from 'vitest';
import { claimNextCase, runCaseCommand } from '../../src-main/app/case/commands';
import { importDisputes } from '../../src-main/app/intake/intake';
import { sweep } from '../../src-main/app/sweep/sweep';
import { dispatch } from '../../src-main/app/dispatch';
import type { ServiceContext } from '../../src-main/app/handlers';
import type { Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { retryTransient } from '../../src-main/db/retry';
import { inWriteTx } from '../../src-main/db/tx';
import { AppFailure } from '../../src-main/contract/errors';
import { DIALECTS } from './harness';
import { demoDisputes, failureOf, HOUR, importedDeskPerTest, mediator, NOW } from './imported-desk';

const disputes = demoDisputes(8, 11);

const refusals = async (db: Db) =>
  Number(
    (await db
      .selectFrom('case_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('type', '=', 'command.refused')
      .executeTakeFirst())!.n,
  );

describe.each(DIALECTS)('several writers on one database, on $name', ({ name, url }) => {
  const desk = importedDeskPerTest(url, disputes);

  it('take-next hands concurrent presses different cases, oldest first, and an empty queue writes nothing', async () => {
    const db = desk();
    const presses = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => claimNextCase(db, mediator(`m${i % 3}`), NOW)));
    const taken = presses.flatMap((p) => (p.status === 'fulfilled' ? [p.value.caseId] : []));
    expect(taken).toHaveLength(disputes.length);
    expect(new Set(taken).size).toBe(disputes.length);
    for (const p of presses) if (p.status === 'rejected') expect((p.reason as AppFailure).code).toBe('NOT_FOUND');
    expect(await refusals(db)).toBe(0);
    const claimed = await db.selectFrom('case_events').select('case_id').where('type', '=', 'case.claimed').execute();
    expect(claimed).toHaveLength(disputes.length);
    expect(await failureOf(claimNextCase(db, mediator('m0'), NOW))).toBe('NOT_FOUND');
    expect(await refusals(db)).toBe(0);
  });

  it('take-next takes the unassigned case escalated longest ago', async () => {
    const db = desk();
    const oldest = [...disputes].sort((a, b) => a.escalatedAt.localeCompare(b.escalatedAt) || a.id.localeCompare(b.id))[0]!;
    expect((await claimNextCase(db, mediator('m1'), NOW)).caseId).toBe(oldest.id);
  });

  it('a re-import replaces an escalated case in place and refuses changed content once it is claimed', async () => {
    const db = desk();
    const [a, b] = disputes;
    await runCaseCommand(db, a!.id, { type: 'claim' }, mediator('m1'), NOW);
    const before = await db.selectFrom('cases').select(['id', 'version']).where('id', '=', b!.id).executeTakeFirstOrThrow();
    const outcomes = await importDisputes(
      db,
      [
        { ...a!, description: 'changed after the claim' },
        { ...b!, description: 'changed while escalated' },
      ],
      NOW + 1,
    );
    expect(outcomes.map((o) => [o.id, o.result, 'code' in o ? o.code : null])).toEqual([
      [a!.id, 'refused', 'DUPLICATE'],
      [b!.id, 'updated', null],
    ]);
    const rows = await db.selectFrom('cases').select(['id', 'status', 'assignee_id', 'description', 'version']).orderBy('id').execute();
    expect(rows.find((r) => r.id === a!.id)).toMatchObject({ status: 'in_review', assignee_id: 'm1' });
    expect(rows.find((r) => r.id === b!.id)).toMatchObject({
      status: 'escalated',
      description: 'changed while escalated',
      version: before.version + 1,
    });
    // The replaced case keeps its history: the escalation and the update are both in its log.
    const events = await db.selectFrom('case_events').select('type').where('case_id', '=', b!.id).orderBy('id').execute();
    expect(events.map((e) => e.type)).toEqual(['case.escalated', 'case.updated_by_intake']);
  });

  it('claims racing a changed re-import of the same cases are never undone', async () => {
    const db = desk();
    const changed = disputes.map((d) => ({ ...d, description: `${d.description} (corrected)` }));
    const [claims] = await Promise.all([
      Promise.allSettled(disputes.map((d, i) => runCaseCommand(db, d.id, { type: 'claim' }, mediator(`m${i % 3}`), NOW))),
      importDisputes(db, changed, NOW + 1),
    ]);
    expect(claims.every((c) => c.status === 'fulfilled')).toBe(true);
    const rows = await db.selectFrom('cases').select(['id', 'status', 'assignee_id']).execute();
    for (const [i, d] of disputes.entries())
      expect(rows.find((r) => r.id === d.id)).toMatchObject({ status: 'in_review', assignee_id: `m${i % 3}` });
  });

  it('a command applies its case’s due deadlines first, in the same transaction', async () => {
    const db = desk();
    const id = disputes[0]!.id;
    await runCaseCommand(db, id, { type: 'claim' }, mediator('m1'), NOW);
    await runCaseCommand(db, id, { type: 'requestEvidence', party: 'buyer', request: 'A photo, please.' }, mediator('m1'), NOW);
    const later = NOW + 73 * HOUR;
    expect(
      await failureOf(
        runCaseCommand(
          db,
          id,
          {
            type: 'submitEvidence',
            party: 'buyer',
            files: [{ name: 'a.jpg', mediaType: 'image/jpeg', sizeBytes: 1, sha256: 'b'.repeat(64) }],
          },
          { kind: 'intake' },
          later,
        ),
      ),
    ).toBe('DEADLINE_PASSED');
    const expired = await db
      .selectFrom('case_events')
      .select('type')
      .where('case_id', '=', id)
      .where('type', '=', 'evidence.expired')
      .execute();
    expect(expired).toHaveLength(1);
    expect((await sweep(db, later)).applied).toBe(0);
  });

  it('a command leaves other cases’ due deadlines to the deadline timer: no sweep follows it', async () => {
    const db = desk();
    const [a, b] = disputes;
    for (const d of [a!, b!]) {
      await runCaseCommand(db, d.id, { type: 'claim' }, mediator('m1'), NOW);
      await runCaseCommand(db, d.id, { type: 'requestEvidence', party: 'buyer', request: 'A photo, please.' }, mediator('m1'), NOW);
    }
    const later = NOW + 73 * HOUR;
    const noticed: string[][] = [];
    const ctx: ServiceContext = {
      db,
      clock: { now: () => later },
      notify: (ids) => void noticed.push(ids),
      replayCases: () => Promise.reject(new Error('no replays here')),
    };
    const asM1 = { kind: 'user', userId: 'm1', role: 'mediator', name: 'm1' } as const;
    // Whatever the answer (the default may have decided the case), the case's own due deadline was applied first.
    await dispatch(ctx, 'case.release', { caseId: a!.id, reason: 'Out of office.' }, asM1);
    const expired = async (id: string) =>
      (await db.selectFrom('case_events').select('id').where('case_id', '=', id).where('type', '=', 'evidence.expired').execute()).length;
    expect([await expired(a!.id), await expired(b!.id)]).toEqual([1, 0]);
    expect(noticed.flat()).not.toContain(b!.id);
    // The timer's sweep applies the other one, once.
    expect((await sweep(db, later)).caseIds).toEqual([b!.id]);
    expect(await expired(b!.id)).toBe(1);
  });

  it('retries a transaction that lost a race (deadlock, serialization failure), not other failures', async () => {
    const db = desk();
    const lost = (code: string) => Object.assign(new Error(`lost: ${code}`), { code });
    let n = 0;
    expect(
      await retryTransient(db, async () => {
        if (++n < 3) throw lost(n === 1 ? '40P01' : '40001');
        return 'done';
      }),
    ).toBe('done');
    expect(n).toBe(3);
    n = 0;
    await expect(
      retryTransient(db, async () => {
        n++;
        throw lost('23503');
      }),
    ).rejects.toThrow('lost: 23503');
    expect(n).toBe(1);
    // Inside a caller's transaction there is nothing to retry from.
    n = 0;
    await expect(
      inWriteTx(db, (tx) =>
        retryTransient(tx, async () => {
          n++;
          throw lost('40P01');
        }),
      ),
    ).rejects.toThrow('lost: 40P01');
    expect(n).toBe(1);
  });

  it.skipIf(name !== 'postgres')('two sweeps at once apply each due default once, and skip a case another transaction holds', async () => {
    const db = desk();
    expect(dialectOf(db)).toBe('postgres');
    for (const d of disputes) {
      await runCaseCommand(db, d.id, { type: 'claim' }, mediator('m1'), NOW);
      await runCaseCommand(db, d.id, { type: 'requestEvidence', party: 'buyer', request: 'A photo, please.' }, mediator('m1'), NOW);
    }
    const later = NOW + 73 * HOUR;
    // Hold one case's row lock in another transaction: the sweeps must neither wait for it nor touch it.
    const held = disputes[0]!.id;
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = inWriteTx(db, async (tx) => {
      await tx.selectFrom('cases').select('id').where('id', '=', held).forUpdate().execute();
      locked();
      await new Promise<void>((r) => (release = r));
    });
    await isLocked;
    const reports = await Promise.all([sweep(db, later), sweep(db, later)]);
    expect(reports[0].applied + reports[1].applied).toBe(disputes.length - 1);
    expect(new Set([...reports[0].caseIds, ...reports[1].caseIds]).size).toBe(disputes.length - 1);
    expect([...reports[0].caseIds, ...reports[1].caseIds]).not.toContain(held);
    release();
    await holder;
    expect((await sweep(db, later)).caseIds).toEqual([held]);
    const expired = await db
      .selectFrom('case_events')
      .select(['case_id', (eb) => eb.fn.countAll().as('n')])
      .where('type', '=', 'evidence.expired')
      .groupBy('case_id')
      .execute();
    expect(expired).toHaveLength(disputes.length);
    expect(expired.every((e) => Number(e.n) === 1)).toBe(true);
  });
});
