import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/connect';
import { inWriteTx } from '../../src-main/db/tx';
import { inReadSnapshot } from '../../src-main/db/repos/audit-reads';
import { tempSqliteFiles } from './temp-sqlite';

/**
 * A write transaction on SQLite holds the write lock from its BEGIN (db/connect.ts
 * ImmediateSqliteDialect). Before, a transaction that read first (a command's locked read, the
 * blob store's replace) failed with "database is locked" when another process committed between
 * its read and its first write: SQLite refuses that upgrade at once, busy_timeout or not. Another
 * connection on the same file stands in for the other process (the CLI's import, a second window).
 */
const tempFile = tempSqliteFiles('md-wlock-');

describe('SQLite write transactions and another process on the file', () => {
  it('a transaction that reads before it writes goes through; the other writer waits for it', async () => {
    const file = tempFile();
    const db = await openDatabase({ url: file });
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`.execute(db);
    await sql`INSERT INTO t (v) VALUES ('a')`.execute(db);
    const other = new BetterSqlite3(file);
    other.pragma('busy_timeout = 0'); // answer at once instead of blocking this one thread
    let otherRefused = '';
    await inWriteTx(db, async (tx) => {
      const rows = (await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(tx)).rows;
      expect(Number(rows[0]!.n)).toBe(1);
      // The other process tries to commit between this transaction's read and its write.
      try {
        other.prepare(`INSERT INTO t (v) VALUES ('other')`).run();
      } catch (e) {
        otherRefused = (e as { code?: string }).code ?? String(e);
      }
      await sql`INSERT INTO t (v) VALUES ('b')`.execute(tx);
    });
    expect(otherRefused).toBe('SQLITE_BUSY');
    other.prepare(`INSERT INTO t (v) VALUES ('other')`).run(); // and goes through once the lock is free
    expect((await sql<{ v: string }>`SELECT v FROM t ORDER BY id`.execute(db)).rows.map((r) => r.v)).toEqual(['a', 'b', 'other']);
    other.close();
    await db.destroy();
  });

  it('a read-only snapshot does not hold the write lock: another process commits while it reads', async () => {
    const file = tempFile();
    const db = await openDatabase({ url: file });
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`.execute(db);
    const other = new BetterSqlite3(file);
    other.pragma('busy_timeout = 0');
    const seen = await inReadSnapshot(db, async (snap) => {
      const before = (await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(snap)).rows[0]!.n;
      other.prepare(`INSERT INTO t (v) VALUES ('other')`).run(); // not refused
      const after = (await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(snap)).rows[0]!.n;
      return [Number(before), Number(after)];
    });
    expect(seen).toEqual([0, 0]); // one snapshot throughout
    expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db)).rows[0]!.n)).toBe(1);
    other.close();
    await db.destroy();
  });
});
