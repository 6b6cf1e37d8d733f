import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/app/dispatch';
import type { ServiceContext } from '../../src-main/app/handlers';
import { capturing } from '../../src-main/bench/capture';
import type { Db } from '../../src-main/db/connect';
import { loadCaseState } from '../../src-main/db/repos/case';
import { lockAndReadCase } from '../../src-main/db/repos/locked-read';
import { currentPolicy } from '../../src-main/db/repos/policy';
import { inWriteTx } from '../../src-main/db/tx';
import { appendEvents, ConcurrentUpdate } from '../../src-main/db/repos/case';
import { writeCommandRows } from '../../src-main/db/repos/command-rows';
import { pickNextUnassigned } from '../../src-main/db/repos/take-next';
import { decide } from '../../src-main/engine/decide';
import { deadlinesOf } from '../../src-main/engine/deadlines';
import { sweep } from '../../src-main/app/sweep/sweep';
import { seedDemo } from '../../src-main/demo/seed';
import { DIALECTS, openTestDb } from './harness';
import { LAST_STATEMENT, WITH_NEXT } from '../../src-main/db/pipelined-tx';
import { verifyChains } from '../../src-main/app/audit/verify';

/**
 * A command on a named case (PostgreSQL, and SQLite since issue 16) reads the case, its child rows, the policy, the
 * chain head, its pending deadlines and its feed in the statement that takes the row lock
 * (db/repos/locked-read.ts). That read must see exactly what the general loaders see, for
 * every kind of history the demo has (requests, proposals, decisions, appeals, refunds).
 */
const NOW = Date.parse('2026-03-10T12:00:00Z');

/** The text of every statement better-sqlite3 runs until stop() (its Statement methods wrapped, all connections). */
function sqliteStatements(): { sources: string[]; stop: () => void } {
  const probe = new BetterSqlite3(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  const sources: string[] = [];
  const saved = new Map<string, (...a: unknown[]) => unknown>();
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const f = proto[m]!;
    saved.set(m, f);
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      sources.push(this.source);
      return f.apply(this, a);
    };
  }
  return { sources, stop: () => saved.forEach((f, m) => (proto[m] = f)) };
}

describe.each(DIALECTS)('locked read of a case ($name)', ({ name, url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
    // The demo's history is written by commands, through the path under test.
    await seedDemo(db, 400, NOW);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
  });

  it('sees what the general loaders see, on every case', async () => {
    const ids = (await db.selectFrom('cases').select('id').orderBy('id').execute()).map((r) => r.id);
    const kinds = new Set<string>();
    for (const id of ids)
      await inWriteTx(db, async (tx) => {
        const locked = await lockAndReadCase(tx, id, NOW);
        const state = await loadCaseState(tx, id);
        expect(locked?.state).toEqual(state);
        expect(locked?.policy).toEqual(await currentPolicy(tx));
        const pending = await tx
          .selectFrom('deadlines')
          .select('due_at')
          .where('case_id', '=', id)
          .where('fired_at', 'is', null)
          .where('cancelled_at', 'is', null)
          .execute();
        expect(locked?.readUnderLock.pendingDeadlines).toBe(pending.length > 0);
        expect(locked?.hasDue).toBe(pending.some((d) => d.due_at <= NOW));
        if (state!.evidenceRequests.length) kinds.add('requests');
        if (state!.proposal) kinds.add('proposal');
        if (state!.decision) kinds.add('decision');
        if (state!.appeal) kinds.add('appeal');
        if (state!.refund) kinds.add('refund');
      });
    // The comparison covered every kind of child row.
    expect([...kinds].sort()).toEqual(['appeal', 'decision', 'proposal', 'refund', 'requests']);
    await inWriteTx(db, async (tx) => expect(await lockAndReadCase(tx, 'NO-SUCH-CASE', NOW)).toBeNull());
  });

  // Take-next's one-statement write is PostgreSQL's (command-rows.ts).
  it.skipIf(name === 'sqlite')("take-next's one-statement write refuses a chain that moved after the pick read its head", async () => {
    const caught = await inWriteTx(db, async (tx) => {
      const picked = await pickNextUnassigned(tx);
      expect(picked?.state).toBeTruthy();
      // The chain moves on after the pick (as a writer committing between its snapshot and its lock would).
      await appendEvents(tx, picked!.caseId, [{ at: NOW, actor: 'system', type: 'note.added', details: {} }]);
      const actor = { kind: 'user' as const, id: 'lm2', role: 'mediator' as const };
      const result = decide(
        picked!.state!,
        { type: 'claim' },
        { now: NOW, policy: picked!.policy.policy, policyVersion: picked!.policy.version, actor },
      );
      if (!result.ok) throw new Error(result.message);
      return writeCommandRows(tx, {
        change: { prev: picked!.state!, next: result.next, effects: result },
        logged: null,
        now: NOW,
        readUnderLock: picked!.readUnderLock,
      }).then(
        () => null,
        (e: unknown) => e,
      );
    });
    expect(caught).toBeInstanceOf(ConcurrentUpdate);
  });

  it('leaves every case row as a full write would (a save sets only the columns that change)', async () => {
    const check = async () => {
      const rows = await db
        .selectFrom('cases')
        .select(['id', 'status', 'assignee_id', 'forced_decision', 'evidence_round', 'policy_version', 'next_due_at', 'version'])
        .orderBy('id')
        .execute();
      let due = 0;
      for (const row of rows) {
        const state = (await loadCaseState(db, row.id))!;
        const next = deadlinesOf(state)[0]?.dueAt ?? null;
        if (next !== null) due++;
        expect({ ...row, next_due_at: row.next_due_at === null ? null : Number(row.next_due_at) }).toEqual({
          id: row.id,
          status: state.status,
          assignee_id: state.assignee,
          forced_decision: state.forcedDecision ? 1 : 0,
          evidence_round: state.evidenceRound,
          policy_version: state.decision?.policyVersion ?? null,
          next_due_at: next,
          version: row.version,
        });
      }
      return due;
    };
    // The demo's history, written by commands; then the sweep's chunked writes (defaults that
    // close cases and open their appeal windows), with deadlines still pending after each.
    expect(await check()).toBeGreaterThan(10);
    const { applied } = await sweep(db, NOW + 4 * 86_400_000);
    expect(applied).toBeGreaterThan(5);
    expect(await check()).toBeGreaterThan(5);
  }, 120_000);

  it('a command on a named case reads once under the lock and writes without reading again', async () => {
    const cap = capturing(db);
    const ctx: ServiceContext = {
      db: cap.db,
      clock: { now: () => NOW },
      notify: () => undefined,
      replayCases: () => Promise.reject(new Error('none')),
    };
    const mediator = { kind: 'user' as const, userId: 'lm1', role: 'mediator' as const, name: 'lm1' };
    const taken = await dispatch(ctx, 'case.claimNext', {}, mediator);
    expect(taken.ok).toBe(true);
    const caseId = (taken as { value: { caseId: string } }).value.caseId;
    cap.reset();
    // On SQLite the hot statements run straight on the connection (db/compiled.ts), past
    // kysely's plugins: every statement is seen where better-sqlite3 runs it.
    const run = name === 'sqlite' ? sqliteStatements() : null;
    const asked = await dispatch(
      ctx,
      'case.requestEvidence',
      { caseId, party: 'buyer', request: 'A photo of the label, please.' },
      mediator,
    ).finally(() => run?.stop());
    expect(asked).toMatchObject({ ok: true, value: { status: 'awaiting_evidence' } });
    // The change notice is sent after the commit (repos/changes.ts): not a read of the case.
    const reads = (run ? run.sources.map((sql) => ({ sql })) : cap.queries()).filter(
      (q) => /^\s*(\/\*[^*]*\*\/\s*)*select/i.test(q.sql) && !/pg_notify/.test(q.sql),
    );
    // The lock, then the one read: no second look at the case, its children, the policy, the chain, deadlines or feed.
    // On SQLite the write transaction is the lock: the one read alone.
    if (name === 'sqlite') expect(reads).toHaveLength(1);
    else {
      expect(reads).toHaveLength(2);
      expect(reads[0]!.sql).toMatch(/for update/i);
      // PostgreSQL: its writes (case row, request, deadline, chained event, command log, change
      // log) are ONE statement, sent with the COMMIT (db/pipelined-tx.ts): three statements in all.
      const inTransaction = cap.queries().filter((q) => !/pg_notify/.test(q.sql));
      expect(inTransaction).toHaveLength(3);
      expect(inTransaction[2]!.sql).toContain(LAST_STATEMENT);
      // The lock goes out with the BEGIN and the read (db/pipelined-tx.ts WITH_NEXT): two round trips in all.
      expect(inTransaction[0]!.sql).toContain(WITH_NEXT);
    }
    // What it wrote is what the general path writes: the request, its deadline, the chained event.
    const view = await loadCaseState(db, caseId);
    expect(view?.evidenceRequests).toHaveLength(1);
    const deadlines = await db
      .selectFrom('deadlines')
      .select(['kind'])
      .where('case_id', '=', caseId)
      .where('fired_at', 'is', null)
      .execute();
    expect(deadlines.map((d) => d.kind)).toEqual(['evidence']);
    const events = await db.selectFrom('case_events').select(['seq', 'type']).where('case_id', '=', caseId).orderBy('seq').execute();
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('evidence.requested');
    // A second request on the case awaiting evidence: a second deadline beside the first, the chain and the case row go on.
    cap.reset();
    const again = await dispatch(
      ctx,
      'case.requestEvidence',
      { caseId, party: 'seller', request: 'The tracking number, please.' },
      mediator,
    );
    expect(again).toMatchObject({ ok: true, value: { status: 'awaiting_evidence' } });
    if (name !== 'sqlite') expect(cap.queries().filter((q) => !/pg_notify/.test(q.sql))).toHaveLength(3);
    const after = (await loadCaseState(db, caseId))!;
    expect(after.evidenceRequests.map((r) => r.party)).toEqual(['buyer', 'seller']);
    await expectRowsOfState(db, caseId);
    const chain = await db.selectFrom('case_events').select(['seq']).where('case_id', '=', caseId).orderBy('seq').execute();
    expect(chain.map((e) => e.seq)).toEqual(chain.map((_, i) => i + 1));
    expect((await verifyChains(db)).findings).toEqual([]);
    expect(
      (await db.selectFrom('case_commands').select('method').where('case_id', '=', caseId).orderBy('id').execute()).map((r) => r.method),
    ).toEqual([expect.stringMatching(/^case\.claim/), 'case.requestEvidence', 'case.requestEvidence']);
  });

  // The one statement's other parts (command-rows.ts): a request that changes status, a deadline cancelled.
  it.skipIf(name === 'sqlite')('the one-statement write updates requests and cancels deadlines as the general path does', async () => {
    const { id } = await db
      .selectFrom('cases')
      .select('id')
      .where('status', '=', 'awaiting_evidence')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const cap = capturing(db);
    cap.reset();
    await inWriteTx(cap.db, async (tx) => {
      const locked = (await lockAndReadCase(tx, id, NOW))!;
      expect(locked.hasDue).toBe(false);
      const prev = locked.state;
      // The open requests resolved by hand, as an engine step that closes them would: their deadlines are no longer wanted.
      const next = structuredClone(prev);
      for (const r of next.evidenceRequests) if (r.status === 'open') Object.assign(r, { status: 'fulfilled', resolvedAt: NOW });
      next.status = 'in_review';
      const effects = {
        events: [{ at: NOW, actor: 'lm1', type: 'note.added', details: { test: true } }],
        deadlines: deadlinesOf(next),
        newEvidence: [],
      };
      await writeCommandRows(tx, { change: { prev, next, effects }, logged: null, now: NOW, readUnderLock: locked.readUnderLock });
    });
    expect(cap.queries().filter((q) => !/pg_notify/.test(q.sql))).toHaveLength(3);
    expect((await loadCaseState(db, id))!.evidenceRequests.every((r) => r.status !== 'open')).toBe(true);
    await expectRowsOfState(db, id);
    expect((await verifyChains(db)).findings).toEqual([]);
  });
});

/** The case's pending deadline rows and next_due_at are what the engine derives from its stored state. */
async function expectRowsOfState(db: Db, caseId: string): Promise<void> {
  const state = (await loadCaseState(db, caseId))!;
  const pending = await db
    .selectFrom('deadlines')
    .select(['key', 'due_at'])
    .where('case_id', '=', caseId)
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .orderBy('id')
    .execute();
  const wanted = deadlinesOf(state);
  expect(pending.map((d) => `${d.key}@${Number(d.due_at)}`).sort()).toEqual(wanted.map((w) => `${w.key}@${w.dueAt}`).sort());
  const row = await db.selectFrom('cases').select('next_due_at').where('id', '=', caseId).executeTakeFirstOrThrow();
  expect(row.next_due_at === null ? null : Number(row.next_due_at)).toBe(wanted[0]?.dueAt ?? null);
}

describe.each(DIALECTS.filter((d) => d.name === 'postgres'))('locked read after waiting for the lock ($name)', ({ url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
    await seedDemo(db, 60, NOW);
  }, 120_000);
  afterAll(async () => {
    await db?.destroy();
  });

  it('sees what the lock holder wrote before it committed (not the snapshot from before the wait)', async () => {
    const { id } = await db.selectFrom('cases').select('id').orderBy('id').executeTakeFirstOrThrow();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = inWriteTx(db, async (tx) => {
      await tx.selectFrom('cases').select('id').where('id', '=', id).forUpdate().execute();
      locked();
      await held;
      await appendEvents(tx, id, [{ at: NOW, actor: 'system', type: 'note.added', details: { by: 'the holder' } }]);
      await tx
        .insertInto('deadlines')
        .values({
          case_id: id,
          key: 'race',
          kind: 'evidence',
          due_at: NOW + 3_600_000,
          created_at: NOW,
          fired_at: null,
          cancelled_at: null,
        })
        .execute();
    });
    await isLocked;
    const waiter = inWriteTx(db, (tx) => lockAndReadCase(tx, id, NOW));
    await new Promise((r) => setTimeout(r, 200));
    release();
    await holder;
    const read = await waiter;
    const last = await db
      .selectFrom('case_events')
      .select(['seq', 'hash'])
      .where('case_id', '=', id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(read?.readUnderLock.head).toEqual({ seq: last.seq, hash: last.hash });
    expect(read?.readUnderLock.pendingDeadlines).toBe(true);
  });
});
