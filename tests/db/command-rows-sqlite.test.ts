import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../src-main/app/dispatch';
import type { ServiceContext } from '../../src-main/app/handlers';
import type { Db } from '../../src-main/db/connect';
import { seedDemo } from '../../src-main/demo/seed';
import { verifyChains } from '../../src-main/app/audit/verify';
import { openTestDb } from './harness';

/**
 * On SQLite a claim's or an evidence request's rows are written straight on the connection
 * (command-rows.ts `writeOnSqlite`), beside the general steps (saveCaseState and the command
 * log) every other change takes. The two must store the same thing: the same database built
 * twice, once with the straight path and once with it turned off, every table compared.
 * Turning it off: command-rows.ts reaches the connection through compiled.ts `handleOf`; with
 * no handle it takes the general steps (the other callers of handleOf, inside compiled.ts,
 * keep the real one).
 */
const straight = vi.hoisted(() => ({ on: true }));
vi.mock('../../src-main/db/compiled', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src-main/db/compiled')>();
  return { ...real, handleOf: (db: Parameters<typeof real.handleOf>[0]) => (straight.on ? real.handleOf(db) : undefined) };
});

const NOW = Date.parse('2026-03-10T12:00:00Z');
const opened: Db[] = [];
afterEach(async () => {
  straight.on = true;
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
});

/** Seeds a demo and runs a mediator's day of claims and requests, with the straight path on or off. */
async function buildDesk(on: boolean): Promise<Db> {
  straight.on = on;
  const db = await openTestDb(':memory:');
  opened.push(db);
  // The demo's history is itself written by commands: its claims and requests take the path too.
  await seedDemo(db, 80, NOW);
  const ctx: ServiceContext = {
    db,
    clock: { now: () => NOW + 60_000 },
    notify: () => undefined,
    replayCases: () => Promise.reject(new Error('none')),
  };
  const mediators = ['lm1', 'lm2'].map((id) => ({ kind: 'user' as const, userId: id, role: 'mediator' as const, name: id }));
  for (let i = 0; i < 12; i++) {
    const mediator = mediators[i % 2]!;
    const taken = await dispatch(ctx, 'case.claimNext', {}, mediator);
    if (!taken.ok) break;
    const caseId = (taken.value as { caseId: string }).caseId;
    const buyer = await dispatch(ctx, 'case.requestEvidence', { caseId, party: 'buyer', request: `Photo ${i} of the label.` }, mediator);
    expect(buyer.ok).toBe(true);
    // A second request on a case already awaiting evidence: a second deadline, the chain goes on.
    if (i % 3 === 0)
      expect((await dispatch(ctx, 'case.requestEvidence', { caseId, party: 'seller', request: 'The tracking number.' }, mediator)).ok).toBe(
        true,
      );
  }
  straight.on = true;
  return db;
}

/** Every table's rows (the migrations' own log aside: it holds when each ran) as JSON, sqlite_sequence too. */
async function tables(db: Db): Promise<Record<string, string[]>> {
  const names = (
    await sql<{
      name: string;
    }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_stat%' AND name NOT LIKE 'kysely_%' ORDER BY name`.execute(
      db,
    )
  ).rows.map((r) => r.name);
  const out: Record<string, string[]> = {};
  for (const name of names) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)} ORDER BY rowid`.execute(db).catch(() =>
      // A WITHOUT ROWID table: ordered by all its columns.
      sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)} ORDER BY 1, 2`.execute(db),
    );
    // Sorted as text: each row carries its ids, so the order rows were written in (the demo's
    // accounts are created concurrently) does not matter; a password's salt is random.
    out[name] = rows
      .map((r) =>
        JSON.stringify(r, (k, v: unknown) =>
          k === 'password_hash' ? typeof v : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
        ),
      )
      .sort();
  }
  return out;
}

describe('claims and evidence requests written straight on the SQLite connection', () => {
  it('store exactly what the general steps store, in every table', async () => {
    const straightDesk = await buildDesk(true);
    const generalDesk = await buildDesk(false);
    const [a, b] = [await tables(straightDesk), await tables(generalDesk)];
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a.case_commands!.filter((r) => r.includes('case.requestEvidence')).length).toBeGreaterThan(12);
    for (const name of Object.keys(a)) expect(a[name], name).toEqual(b[name]);
    expect((await verifyChains(straightDesk)).findings).toEqual([]);
  }, 120_000);
});
