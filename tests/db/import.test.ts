import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import type { Db } from '../../src-main/db/connect';
import { importStream, type ImportProblem } from '../../src-main/app/intake/bulk-import';
import { checkRuns, WORKER_LINE_CHARS } from '../../src-main/app/intake/check-pool';
import { runCaseCommand } from '../../src-main/app/case/commands';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { dialectOf } from '../../src-main/db/dialect';
import { DIALECTS, openTestDb } from './harness';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const good = [...generateDemoDisputes({ cases: 6, now: NOW, seed: 7 })];
const lines = (values: unknown[]) => values.map((v, i) => ({ line: i + 1, text: typeof v === 'string' ? v : JSON.stringify(v) }));

async function dump(db: Db) {
  const out: Record<string, unknown[]> = {};
  for (const t of ['accounts', 'account_links', 'orders', 'cases', 'negotiation', 'messages', 'evidence'] as const)
    out[t] = await db.selectFrom(t).selectAll().execute();
  return JSON.stringify(out);
}

describe.each(DIALECTS)('import on $name', ({ url }) => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDb(url());
    await ensurePolicy(db, NOW);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('keeps the good lines and reports each bad one with its line, field and reason', async () => {
    const [a, b, c] = good;
    const badTotal = { ...structuredClone(a!), id: 'BAD-1', claim: { remedy: 'refund_only', amountMinor: a!.order.totalMinor + 1 } };
    const missing = structuredClone(b!) as Record<string, unknown>;
    missing.id = 'BAD-2';
    delete missing.reason;
    const floatMoney = structuredClone(c!);
    floatMoney.id = 'BAD-3';
    floatMoney.order.itemPriceMinor = 12.5;
    const badInstant = { ...structuredClone(c!), id: 'BAD-4', escalatedAt: '2026-03-01 10:00' };
    const problems: ImportProblem[] = [];
    const summary = await importStream(db, lines([a, '{not json', badTotal, missing, '', b, floatMoney, badInstant, c, 42]), {
      now: NOW,
      onProblem: (p) => problems.push(p),
    });
    expect(summary).toMatchObject({ created: 3, refused: 6 });
    expect(problems.map((p) => [p.line, p.code, p.field ?? null])).toEqual([
      [2, 'VALIDATION', null],
      [3, 'VALIDATION', 'claim.amountMinor'],
      [4, 'VALIDATION', 'reason'],
      [7, 'VALIDATION', 'order.itemPriceMinor'],
      [8, 'VALIDATION', 'escalatedAt'],
      [10, 'VALIDATION', ''],
    ]);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
    const ids = (await db.selectFrom('cases').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual([a!.id, b!.id, c!.id].sort());
  });

  it('checks lines on worker threads with the same outcome, problems and rows as on the importing thread', async () => {
    const [a, b] = good;
    const changedA = { ...structuredClone(a!), description: 'Changed in the same file: the second line replaces the first.' };
    const noDefaults = structuredClone(b!) as Record<string, unknown>;
    delete noDefaults.messages; // a default the schema fills in
    const input = lines([...good.slice(2), '{not json', '', { ...a, id: 'BAD-1', reason: 'nope' }, a, changedA, noDefaults, 7]);
    const run = async (target: Db, checkWorkers: number) => {
      const problems: ImportProblem[] = [];
      const before = { ...checkRuns };
      const {
        timings: _t,
        scoring: _s,
        ...summary
      } = await importStream(target, input, {
        now: NOW,
        batchSize: 3,
        checkWorkers,
        onProblem: (p) => problems.push(p),
      });
      return { summary, problems, workerChunks: checkRuns.workerChunks - before.workerChunks, rows: await dump(target) };
    };
    const other = await openTestDb(url());
    await ensurePolicy(other, NOW);
    try {
      const inWorkers = await run(db, 1);
      const here = await run(other, 0);
      expect(inWorkers.workerChunks).toBeGreaterThan(0);
      expect(here.workerChunks).toBe(0);
      expect(inWorkers.summary).toMatchObject({ created: 6, updated: 1, refused: 3 });
      expect(inWorkers.summary).toEqual(here.summary);
      expect(inWorkers.problems).toEqual(here.problems);
      expect(inWorkers.rows).toEqual(here.rows);
    } finally {
      await other.destroy();
    }
  });

  it("checks a line too long for a worker's small heap on the importing thread, in its place", async () => {
    const [a, b, c] = good;
    // Valid (5,000 messages of 20,000 characters are allowed): ~600,000 characters.
    const long = {
      ...structuredClone(b!),
      messages: Array.from({ length: 40 }, (_, i) => ({ at: b!.openedAt, by: 'buyer', text: `${i} ${'x'.repeat(15_000)}` })),
    };
    const longBad = { ...long, id: 'BAD-LONG', reason: 'nope' };
    expect(JSON.stringify(long).length).toBeGreaterThan(WORKER_LINE_CHARS);
    const problems: ImportProblem[] = [];
    const before = { ...checkRuns };
    const { created, refused } = await importStream(db, lines([a, long, longBad, c]), {
      now: NOW,
      batchSize: 2,
      checkWorkers: 1,
      onProblem: (p) => problems.push(p),
    });
    expect(checkRuns.inProcessLines - before.inProcessLines).toBe(2);
    expect(checkRuns.workerChunks - before.workerChunks).toBeGreaterThan(0);
    expect({ created, refused }).toEqual({ created: 3, refused: 1 });
    expect(problems).toMatchObject([{ line: 3, id: 'BAD-LONG', field: 'reason' }]);
    const stored = await db.selectFrom('messages').select(db.fn.countAll<number>().as('n')).where('case_id', '=', b!.id).executeTakeFirst();
    expect(Number(stored?.n)).toBe(40);
  });

  it('stores the content hashes main stored before the compiled canonical text, so an old import stays unchanged', async () => {
    // Made by main 05f6001 (the generic sorted copy) for these six disputes: a database it filled holds them.
    const stored = [
      '3e4c71c09de3810f65b5ea30ea22dbae73c04a1f41b11c417f048fec0190fba8',
      'e570862130c16279645fee8cec4b7c96fce350d571422c9e7900747c69c9f59f',
      'b33b8e3e221d990add6219debc75b0b5c362cc38f43f6a545fd4c1bfe41ff803',
      'a3f798dbaa7e47ae095f85081991ffce6f95d6f5ab2d5e17b9bccaaa0c6657a1',
      'd0a242f892369b057ebbac1aa8435394c84de57b942fab051c35145739a32fe7',
      '8d9a9e86b3cbcd691a8ddb1781ce33f2ca9185d6c231fdd5be7e4a58eff3fb88',
    ];
    await importStream(db, lines(good), { now: NOW, onProblem: (p) => expect.fail(p.message) });
    const rows = await db.selectFrom('cases').select(['id', 'content_hash']).execute();
    const byId = new Map(rows.map((r) => [r.id, r.content_hash]));
    expect(good.map((d) => byId.get(d.id))).toEqual(stored);
    // Checked on this thread (values, not text) too: the same hashes, so "already there".
    const again = await importStream(
      db,
      good.map((value, i) => ({ line: i + 1, value })),
      { now: NOW + 1000, onProblem: (p) => expect.fail(p.message) },
    );
    expect(again).toMatchObject({ unchanged: good.length, created: 0, updated: 0 });
  });

  it('changes nothing on an identical re-import, replaces a waiting case, refuses a taken one (DUPLICATE)', async () => {
    await importStream(db, lines(good), { now: NOW, onProblem: (p) => expect.fail(p.message) });
    const before = await dump(db);
    const again = await importStream(db, lines(good), { now: NOW + 1000, onProblem: (p) => expect.fail(p.message) });
    expect(again).toMatchObject({ unchanged: good.length, created: 0, updated: 0 });
    expect(await dump(db)).toBe(before);

    await runCaseCommand(db, good[0]!.id, { type: 'claim' }, { kind: 'user', id: 'm1', role: 'mediator' }, NOW);
    const changedTaken = { ...structuredClone(good[0]!), description: 'changed after the claim' };
    const changedWaiting = { ...structuredClone(good[1]!), description: 'changed while waiting' };
    const problems: ImportProblem[] = [];
    const summary = await importStream(db, lines([changedTaken, changedWaiting]), { now: NOW + 2000, onProblem: (p) => problems.push(p) });
    expect(summary).toMatchObject({ updated: 1, refused: 1 });
    expect(problems).toEqual([expect.objectContaining({ line: 1, id: good[0]!.id, code: 'DUPLICATE' })]);
    const rows = await db
      .selectFrom('cases')
      .select(['id', 'description', 'status'])
      .where('id', 'in', [good[0]!.id, good[1]!.id])
      .orderBy('id')
      .execute();
    expect(rows.find((r) => r.id === good[0]!.id)).toMatchObject({ status: 'in_review', description: good[0]!.description });
    expect(rows.find((r) => r.id === good[1]!.id)).toMatchObject({ status: 'escalated', description: 'changed while waiting' });
  });

  it('does not rewrite an account row that a later batch names again unchanged', async () => {
    const [a, b, c, d] = good;
    // Each account row's write count: an update trigger on SQLite, the row version (xmin) on PostgreSQL.
    if (dialectOf(db) === 'sqlite') {
      await sql`CREATE TEMP TABLE account_writes (id TEXT)`.execute(db);
      await sql`CREATE TEMP TRIGGER account_written AFTER UPDATE ON main.accounts BEGIN INSERT INTO account_writes VALUES (NEW.id); END`.execute(
        db,
      );
    }
    const version = async (id: string) =>
      dialectOf(db) === 'sqlite'
        ? String((await sql<{ n: number }>`SELECT count(*) AS n FROM account_writes WHERE id = ${id}`.execute(db)).rows[0]!.n)
        : (await sql<{ v: string }>`SELECT xmin::text AS v FROM accounts WHERE id = ${id}`.execute(db)).rows[0]!.v;
    const importOne = (dispute: unknown) => importStream(db, lines([dispute]), { now: NOW, onProblem: (p) => expect.fail(p.message) });
    await importOne(a);
    const seller = await version(a!.seller.id);
    const buyer = await version(a!.buyer.id);
    // The same seller, and the same buyer without its order history (the stored one is kept): nothing to write.
    const { orderHistory: _h, ...buyerWithoutHistory } = structuredClone(a!.buyer);
    await importOne({ ...structuredClone(b!), seller: structuredClone(a!.seller), buyer: buyerWithoutHistory });
    expect(await version(a!.seller.id)).toBe(seller);
    expect(await version(a!.buyer.id)).toBe(buyer);
    // A changed name, and a new order history, are written.
    await importOne({ ...structuredClone(c!), seller: { ...structuredClone(a!.seller), name: 'Renamed Store' } });
    await importOne({ ...structuredClone(d!), buyer: { ...structuredClone(a!.buyer), orderHistory: { placed: 99, delivered: 98 } } });
    expect(await version(a!.seller.id)).not.toBe(seller);
    expect(await version(a!.buyer.id)).not.toBe(buyer);
    const rows = await db
      .selectFrom('accounts')
      .select(['id', 'name', 'orders_placed', 'orders_delivered', 'orders_since'])
      .where('id', 'in', [a!.seller.id, a!.buyer.id])
      .execute();
    expect(rows.find((r) => r.id === a!.seller.id)?.name).toBe('Renamed Store');
    expect(rows.find((r) => r.id === a!.buyer.id)).toMatchObject({ orders_placed: 99, orders_delivered: 98 });
  });

  it('judges a repeated id within one batch against its first occurrence', async () => {
    const first = good[2]!;
    const second = { ...structuredClone(first), description: 'second version' };
    const summary = await importStream(db, lines([first, first, second]), {
      now: NOW,
      batchSize: 100,
      onProblem: (p) => expect.fail(p.message),
    });
    expect(summary).toMatchObject({ created: 1, unchanged: 1, updated: 1 });
    const row = await db.selectFrom('cases').select('description').where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(row.description).toBe('second version');
  });
});
