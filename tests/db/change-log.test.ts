import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { listenForChanges, LISTEN_APPLICATION_NAME, type RemoteChange } from '../../src-main/db/listen';
import {
  CHANGE_CHANNEL,
  changeLogBounds,
  changeOrigin,
  pruneChanges,
  readChange,
  readChangesAfter,
  recordChange,
} from '../../src-main/db/repos/changes';
import { inWriteTx, type Reader } from '../../src-main/db/tx';
import { DIALECTS, openTestDb } from './harness';

/**
 * The change sequence (migrations/0006_change_log): written in the changing transaction on
 * PostgreSQL (a rollback leaves nothing), nothing on SQLite, pruned as a prefix that keeps
 * the newest row; and the listener that reads it after its connection was terminated.
 */

const HOUR = 3_600_000;
let db: Db | null = null;
afterEach(async () => {
  await db?.destroy();
  db = null;
});

/** A row as another desktop would write it (another origin), with its notification. */
async function foreignChange(d: Reader, caseIds: string[] | null, at: number): Promise<number> {
  return inWriteTx(d, async (tx) => {
    const row = await tx
      .insertInto('change_log')
      .values({ case_ids: caseIds && JSON.stringify(caseIds), reason: 'command', origin: 'another-desk', at })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const payload = JSON.stringify({ seq: row.seq, origin: 'another-desk', reason: 'command', caseIds });
    await sql`SELECT pg_notify(${CHANGE_CHANNEL}, ${payload})`.execute(tx);
    return row.seq;
  });
}

describe.each(DIALECTS)('the change log on $name', ({ name, url }) => {
  it('is written in the changing transaction on PostgreSQL, not at all on SQLite', async () => {
    db = await openTestDb(url());
    await inWriteTx(db, (tx) => recordChange(tx, ['C-1', 'C-2', 'C-1'], 'command', 1_000));
    await expect(
      inWriteTx(db, async (tx) => {
        await recordChange(tx, ['C-3'], 'sweep', 2_000);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await inWriteTx(db, (tx) => recordChange(tx, [], 'command', 3_000)); // nothing changed: no row
    const rows = await readChangesAfter(db, 0, 100);
    if (name === 'sqlite') {
      expect(rows).toEqual([]);
      return;
    }
    expect(rows).toEqual([{ seq: rows[0]!.seq, origin: changeOrigin, reason: 'command', caseIds: ['C-1', 'C-2'] }]);
    expect(await readChange(db, rows[0]!.seq)).toEqual(rows[0]);
  });

  it.skipIf(name === 'sqlite')('keeps too many case ids as "refresh everything" (null)', async () => {
    db = await openTestDb(url());
    const many = Array.from({ length: 1_500 }, (_, i) => `C-${i}`);
    const some = Array.from({ length: 600 }, (_, i) => `CASE-WITH-A-LONG-ID-${i}`); // listed, but too long for a payload
    await inWriteTx(db, async (tx) => {
      await recordChange(tx, many, 'import', 1_000);
    });
    await inWriteTx(db, (tx) => recordChange(tx, some, 'import', 1_000));
    const [first, second] = await readChangesAfter(db, 0, 10);
    expect(first!.caseIds).toBeNull();
    expect(second!.caseIds).toEqual(some);
  });

  it.skipIf(name === 'sqlite')('is pruned as a prefix by age, never its newest row', async () => {
    db = await openTestDb(url());
    for (const at of [1 * HOUR, 2 * HOUR, 5 * HOUR, 3 * HOUR, 6 * HOUR])
      await inWriteTx(db, (tx) => recordChange(tx, [`C-${at / HOUR}`], 'command', at));
    const before = await changeLogBounds(db);
    // Older than 4 h: rows 1, 2 and (though after a newer one) 4; row 3 (5 h) goes with the prefix' end.
    expect(await inWriteTx(db, (tx) => pruneChanges(tx, 4 * HOUR))).toBe(4);
    expect((await readChangesAfter(db, 0, 10)).map((r) => r.caseIds)).toEqual([['C-6']]);
    expect(await changeLogBounds(db)).toEqual({ first: before.last, last: before.last });
    // Everything is old: the newest row stays, so a desktop can tell what it missed.
    expect(await inWriteTx(db, (tx) => pruneChanges(tx, 100 * HOUR))).toBe(0);
    expect((await changeLogBounds(db)).last).toBe(before.last);
  });
});

const SERVER = process.env.TEST_DATABASE_URL;

describe.skipIf(!SERVER)('the change listener on a real server', () => {
  it("delivers other desktops' changes, not its own; after a terminated connection it catches up, or refreshes all when pruned past", async () => {
    const d = await openTestDb(DIALECTS.find((x) => x.name === 'postgres')!.url());
    db = d;
    expect(dialectOf(d)).toBe('postgres');
    const dbName = (await sql<{ n: string }>`SELECT current_database() AS n`.execute(d)).rows[0]!.n;
    const dbUrl = new URL(SERVER!);
    dbUrl.pathname = `/${dbName}`;
    const got: RemoteChange[] = [];
    const logs: string[] = [];
    const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
    const listener = listenForChanges(d, dbUrl.toString(), { now: () => 100 * HOUR, deliver: (c) => got.push(c), log });
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
      expect(ok(), what).toBe(true);
    };
    try {
      await listener.ready;
      await foreignChange(d, ['F-1'], 100 * HOUR);
      await inWriteTx(d, (tx) => recordChange(tx, ['OWN-1'], 'command', 100 * HOUR));
      await foreignChange(d, ['F-2'], 100 * HOUR);
      await until('F-2 delivered', () => got.length >= 2);
      expect(got).toEqual([
        { caseIds: ['F-1'], reason: 'command' },
        { caseIds: ['F-2'], reason: 'command' },
      ]);

      const terminate = async () => {
        const r = await sql<{ t: boolean }>`
          SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity
          WHERE datname = ${dbName} AND application_name = ${`${LISTEN_APPLICATION_NAME}:${process.pid}`}`.execute(d);
        expect(r.rows.map((x) => x.t)).toEqual([true]);
      };
      // Terminated, then changes while it is away: read from the log once it is back.
      await terminate();
      await foreignChange(d, ['F-3'], 100 * HOUR);
      await foreignChange(d, ['F-4'], 100 * HOUR);
      await until('F-3 and F-4 delivered', () => got.length >= 4);
      expect(got.slice(2)).toEqual([
        { caseIds: ['F-3'], reason: 'command' },
        { caseIds: ['F-4'], reason: 'command' },
      ]);
      await until('the catch-up logged', () => logs.some((l) => /caught up/.test(l)));

      // Terminated, and the log pruned past what it saw: "refresh everything".
      await until('listening again', () => logs.filter((l) => /caught up/.test(l)).length === 1);
      await new Promise((r) => setTimeout(r, 300));
      await terminate();
      // One transaction, committed well before the listener's first retry (250 ms).
      await inWriteTx(d, async (tx) => {
        for (let i = 5; i <= 7; i++) await foreignChange(tx, [`F-${i}`], HOUR);
        await pruneChanges(tx, 2 * HOUR);
      });
      await until('a refresh delivered', () => got.includes(null));
      expect(got.slice(4).filter((c) => c !== null)).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  /** A fresh PostgreSQL database (kept in `db`) and a plain client LISTENing on its change channel. */
  async function withEar() {
    const d = await openTestDb(DIALECTS.find((x) => x.name === 'postgres')!.url());
    db = d;
    const dbName = (await sql<{ n: string }>`SELECT current_database() AS n`.execute(d)).rows[0]!.n;
    const dbUrl = new URL(SERVER!);
    dbUrl.pathname = `/${dbName}`;
    const pg = await import('pg');
    const ear = new (pg.default ?? pg).Client({ connectionString: dbUrl.toString() });
    const heard: Array<{ seq: number; origin: string; reason: string; caseIds: string[] | null }> = [];
    ear.on('notification', (m) => heard.push(JSON.parse(m.payload ?? 'null') as (typeof heard)[number]));
    await ear.connect();
    await ear.query(`LISTEN ${CHANGE_CHANNEL}`);
    return { d, dbUrl, ear, heard };
  }

  it('notifies once the transaction committed, never for a rollback; a change whose notice never came is read from the log', async () => {
    const { d, dbUrl, ear, heard } = await withEar();
    const got: RemoteChange[] = [];
    const listener = listenForChanges(d, dbUrl.toString(), { now: () => 100 * HOUR, deliver: (c) => got.push(c) });
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const until = async (what: string, ok: () => boolean, ms = 10_000) => {
      for (let i = 0; i < ms / 50 && !ok(); i++) await pause(50);
      expect(ok(), what).toBe(true);
    };
    try {
      await listener.ready;
      // Nothing is heard while the transaction is open (the notice waits for the commit), then once.
      await inWriteTx(d, async (tx) => {
        await recordChange(tx, ['N-1'], 'command', HOUR);
        await pause(300);
        expect(heard).toEqual([]);
      });
      await until('N-1 heard', () => heard.length === 1);
      const [row] = await readChangesAfter(d, 0, 10);
      expect(heard).toEqual([{ seq: row!.seq, origin: changeOrigin, reason: 'command', caseIds: ['N-1'] }]);
      // A rollback: no row, no notice.
      await expect(
        inWriteTx(d, async (tx) => {
          await recordChange(tx, ['N-2'], 'command', HOUR);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await pause(300);
      expect(heard).toHaveLength(1);
      // Another desktop committed a change and ended before its notice went out: the listener
      // reads it from the log by itself (within its periodic read, 2 s), without reconnecting.
      await d
        .insertInto('change_log')
        .values({ case_ids: JSON.stringify(['F-9']), reason: 'sweep', origin: 'a-desk-that-ended', at: HOUR })
        .execute();
      await until('F-9 delivered from the log', () => got.length === 1, 6_000);
      expect(got).toEqual([{ caseIds: ['F-9'], reason: 'sweep' }]);
      expect(heard).toHaveLength(1);
    } finally {
      await listener.close();
      await ear.end();
    }
  });

  it("a desk that closes its database right after a commit still sends that commit's notice", async () => {
    const { dbUrl, ear, heard } = await withEar();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
    try {
      // A CLI command's shape: its own handle, one command, closed at once.
      const closing = await openDatabase({ url: dbUrl.toString() });
      await inWriteTx(closing, (tx) => recordChange(tx, ['Q-1'], 'command', HOUR));
      await closing.destroy();
      for (let i = 0; i < 40 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(heard.map((h) => h.caseIds)).toEqual([['Q-1']]);
      expect(warnings.filter((w) => w.includes('[notices]'))).toEqual([]);
    } finally {
      console.warn = warn;
      await ear.end();
    }
  });
});
