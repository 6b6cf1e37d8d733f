import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimNextCase, runCaseCommand } from '../../src-main/app/case/commands';
import { importDisputes } from '../../src-main/app/intake/intake';
import { queueCounts } from '../../src-main/app/queue/queue';
import { sweep } from '../../src-main/app/sweep/sweep';
import { OPEN_STATUSES } from '../../src-main/contract/domain';
import { Dispute } from '../../src-main/contract/dispute';
import { AppFailure } from '../../src-main/contract/errors';
import type { Db } from '../../src-main/db/connect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { Command } from '../../src-main/engine/commands';
import { DIALECTS, openTestDb } from './harness';

/**
 * The tab counts come from counters the triggers on `cases` keep (migrations/0011), not from
 * counting the cases. Whatever sequence of commands, imports (a re-import deletes and
 * re-inserts the case), concurrent take-next presses and sweeps ran, they equal a COUNT(*);
 * and each case's is_open (migrations/0037, which the database keeps) says what its status says.
 */
const START = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const MEDIATORS = ['m0', 'm1', 'm2'];
const pool = [...generateDemoDisputes({ cases: 8, now: START, seed: 5 })].map((d) => Dispute.parse(d));

type Op =
  | { kind: 'import'; i: number; changed: boolean }
  | { kind: 'claimNext'; m: number; presses: number }
  | { kind: 'command'; i: number; m: number; as: 'assignee' | 'anyone'; command: 'claim' | 'assign' | 'evidence' | 'propose' | 'decide' }
  | { kind: 'sweep'; hours: number }
  | { kind: 'settle'; i: number; m: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('import' as const), i: fc.nat(pool.length - 1), changed: fc.boolean() }) },
  fc.record({ kind: fc.constant('claimNext' as const), m: fc.nat(2), presses: fc.integer({ min: 1, max: 4 }) }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('command' as const),
      i: fc.nat(pool.length - 1),
      m: fc.nat(2),
      as: fc.constantFrom('assignee' as const, 'anyone' as const),
      command: fc.constantFrom('claim' as const, 'assign' as const, 'evidence' as const, 'propose' as const, 'decide' as const),
    }),
  },
  fc.record({ kind: fc.constant('sweep' as const), hours: fc.integer({ min: 1, max: 200 }) }),
  // Claim and decide at once, so the runs reach decided and closed cases, not only open ones.
  fc.record({ kind: fc.constant('settle' as const), i: fc.nat(pool.length - 1), m: fc.nat(2) }),
);

const ignoreRefusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof AppFailure)) throw e;
  }
};

function commandOf(name: 'claim' | 'assign' | 'evidence' | 'propose' | 'decide', m: number): Command {
  switch (name) {
    case 'claim':
      return { type: 'claim' };
    case 'assign':
      return { type: 'assign', userId: MEDIATORS[(m + 1) % 3]! };
    case 'evidence':
      return { type: 'requestEvidence', party: 'buyer', request: 'A photo, please.' };
    case 'propose':
      return { type: 'propose' };
    case 'decide':
      return { type: 'decide', outcome: 'none', reasons: 'Per the tracking.' };
  }
}

/** The counts as COUNT(*) over the cases themselves. */
async function counted(db: Db, me: string) {
  const rows = await db
    .selectFrom('cases')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const mine = await db
    .selectFrom('cases')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('assignee_id', '=', me)
    .groupBy('status')
    .execute();
  const m = Object.fromEntries(mine.map((r) => [r.status, Number(r.n)]));
  return {
    byStatus,
    mine: OPEN_STATUSES.reduce((s, st) => s + (m[st] ?? 0), 0),
    mineNeedsAction: m.in_review ?? 0,
    unassigned: byStatus.escalated ?? 0,
    allOpen: OPEN_STATUSES.reduce((s, st) => s + (byStatus[st] ?? 0), 0),
  };
}

describe.each(DIALECTS)('queue counters on $name', ({ url }) => {
  let db: Db;
  let now = START;
  beforeAll(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, START);
  });
  afterAll(async () => {
    await db.destroy();
  });

  async function run(o: Op): Promise<void> {
    switch (o.kind) {
      case 'import': {
        const d = pool[o.i]!;
        // A changed re-import replaces the case (delete and insert) when nobody has claimed it.
        await importDisputes(db, [o.changed ? { ...d, description: `${d.description} (updated ${now})` } : d], now);
        return;
      }
      case 'claimNext':
        await Promise.all(
          Array.from({ length: o.presses }, (_, k) =>
            ignoreRefusal(claimNextCase(db, { kind: 'user', id: MEDIATORS[(o.m + k) % 3]!, role: 'mediator' }, now)),
          ),
        );
        return;
      case 'command': {
        const caseId = pool[o.i]!.id;
        const row = await db.selectFrom('cases').select('assignee_id').where('id', '=', caseId).executeTakeFirst();
        const id = o.as === 'assignee' && row?.assignee_id ? row.assignee_id : MEDIATORS[o.m]!;
        const role = o.command === 'assign' ? 'supervisor' : 'mediator';
        await ignoreRefusal(runCaseCommand(db, caseId, commandOf(o.command, o.m), { kind: 'user', id, role }, now));
        return;
      }
      case 'sweep':
        now += o.hours * HOUR;
        await sweep(db, now);
        return;
      case 'settle': {
        const caseId = pool[o.i]!.id;
        const row = await db.selectFrom('cases').select('assignee_id').where('id', '=', caseId).executeTakeFirst();
        const me = { kind: 'user' as const, id: row?.assignee_id ?? MEDIATORS[o.m]!, role: 'mediator' as const };
        await ignoreRefusal(runCaseCommand(db, caseId, commandOf('claim', o.m), me, now));
        await ignoreRefusal(runCaseCommand(db, caseId, commandOf('decide', o.m), me, now));
        return;
      }
    }
  }

  it('equal COUNT(*) after any sequence of commands, imports, concurrent presses and sweeps', async () => {
    const reached = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        for (const o of ops) await run(o);
        for (const r of await db.selectFrom('cases').select('status').distinct().execute()) reached.add(r.status);
        for (const me of MEDIATORS) {
          const got = await queueCounts(db, me, now);
          const { byStatus, ...rest } = await counted(db, me);
          expect(got).toMatchObject(rest);
          expect(got.byStatus).toEqual(byStatus);
        }
        // The open-only indexes read cases.is_open (migrations/0037): it follows the status whoever wrote it.
        const wrong = await db
          .selectFrom('cases')
          .select(['id', 'status', 'is_open'])
          .where((eb) =>
            eb.or([
              eb.and([eb('status', 'in', [...OPEN_STATUSES]), eb('is_open', '<>', 1)]),
              eb.and([eb('status', 'not in', [...OPEN_STATUSES]), eb('is_open', '<>', 0)]),
            ]),
          )
          .execute();
        expect(wrong).toEqual([]);
      }),
      {
        numRuns: 12,
        // One fixed run that surely reaches escalated, in review, awaiting evidence and
        // decided or closed: random runs alone now and then stay in three states.
        examples: [
          [
            [
              ...pool.map((_, i): Op => ({ kind: 'import', i, changed: false })),
              { kind: 'command', i: 0, m: 0, as: 'anyone', command: 'claim' },
              { kind: 'command', i: 1, m: 1, as: 'anyone', command: 'claim' },
              { kind: 'command', i: 1, m: 1, as: 'assignee', command: 'evidence' },
              { kind: 'settle', i: 2, m: 2 },
            ],
          ],
        ],
      },
    );
    // The runs did reach several states (not twelve empty databases).
    expect(reached.size, [...reached].join(', ')).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('tells a counter that drifted from the cases (the comparison above can fail)', async () => {
    await db
      .updateTable('queue_counts')
      .set((eb) => ({ n: eb('n', '+', 1) }))
      .where('status', '=', 'closed')
      .execute();
    const row = await db.selectFrom('queue_counts').select('status').where('status', '=', 'closed').executeTakeFirst();
    if (!row) await db.insertInto('queue_counts').values({ status: 'closed', assignee_id: '', shard: 0, n: 1 }).execute();
    const got = await queueCounts(db, 'm0', now);
    expect(got.byStatus).not.toEqual((await counted(db, 'm0')).byStatus);
  });
});
