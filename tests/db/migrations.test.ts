import { readdirSync } from 'node:fs';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import type { Db } from '../../src-main/db/connect';
import { DIALECTS, openTestDb } from './harness';

describe('migration list', () => {
  it('lists every migration file of the folder', () => {
    const files = readdirSync(new URL('../../migrations', import.meta.url))
      .filter((f) => /^\d{4}_.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(Object.keys(migrations).sort()).toEqual(files.sort());
  });
});

describe.each(DIALECTS)('schema on $name', ({ url }) => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb(url());
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('creates every table', async () => {
    const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
    for (const t of ['accounts', 'orders', 'cases', 'deadlines', 'case_events', 'decisions', 'users', 'policies'])
      expect(tables).toContain(t);
  });

  it('keeps the event log append-only', async () => {
    await db.insertInto('case_events').values({ case_id: 'X', at: 1, actor: 'system', type: 't', details: '{}' }).execute();
    await expect(db.updateTable('case_events').set({ type: 'changed' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('case_events').execute()).rejects.toThrow(/append-only/);
    const rows = await db.selectFrom('case_events').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.type).toBe('t');
  });

  it('round-trips epoch-ms bigints beyond 32 bits as numbers', async () => {
    await db.insertInto('policies').values({ version: 1, body: '{}', note: 'n', created_by: 'x', created_at: 1_772_000_000_000 }).execute();
    const row = await db.selectFrom('policies').select('created_at').executeTakeFirstOrThrow();
    expect(row.created_at).toBe(1_772_000_000_000);
    expect(typeof row.created_at).toBe('number');
  });

  it('is re-runnable (migrating twice changes nothing)', async () => {
    const { migrate } = await import('../../src-main/db/connect');
    await migrate(db);
    const r = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(db);
    expect(Number(r.rows[0]!.n)).toBe(Object.keys(migrations).length);
  });

  it('takes off every migration since the last one without a down (0033) and puts them back: each down runs, the schema comes back the same', async () => {
    // A desk downgraded by a release must be able to step back; on SQLite a DROP COLUMN re-parses
    // every trigger (0028's report triggers made it fail before dropColumns set them aside).
    // Below it a step back is not whole (kysely leaves a migration without a down in place while
    // older downs drop what it built on), so the round trip starts there.
    const LAST_WITHOUT_DOWN = '0033_buyer_risk_context';
    expect(Object.entries(migrations).filter(([name, m]) => name > LAST_WITHOUT_DOWN && typeof m.down !== 'function')).toEqual([]);
    expect(typeof migrations[LAST_WITHOUT_DOWN]!.down).toBe('undefined');
    const scratch = await openTestDb(url());
    try {
      await scratch.insertInto('accounts').values({ id: 'B-1', role: 'buyer', name: 'Ann', country: 'FR', created_at: 1 }).execute();
      const shape = async () =>
        (await scratch.introspection.getTables())
          .map(
            (t) =>
              `${t.name}(${t.columns
                .map((c) => c.name)
                .sort()
                .join(',')})`,
          )
          .sort();
      const before = await shape();
      const migrator = new Migrator({ db: scratch, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
      const down = await migrator.migrateTo(LAST_WITHOUT_DOWN);
      expect(down.error).toBeUndefined();
      const undone = (down.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      expect(undone).toContain('0040_buyer_risk_created');
      expect(undone).toContain('0034_cases_buyer_score');
      expect([...undone].sort()).toEqual(Object.keys(migrations).filter((name) => name > LAST_WITHOUT_DOWN));
      expect((down.results ?? []).filter((r) => r.status === 'Error')).toEqual([]);
      expect(await shape()).not.toEqual(before);
      const up = await migrator.migrateToLatest();
      expect(up.error).toBeUndefined();
      expect(await shape()).toEqual(before);
      const kept = await scratch.selectFrom('accounts').select(['id', 'name']).execute();
      expect(kept).toEqual([{ id: 'B-1', name: 'Ann' }]);
    } finally {
      await scratch.destroy();
    }
  });
});
