import BetterSqlite3 from 'better-sqlite3';

/** Runs `run` with every better-sqlite3 statement's `run` recorded, its text pushed to `texts` (SQLite only). */
export async function recordRunTexts<T>(texts: string[], run: () => Promise<T>): Promise<T> {
  const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => unknown };
  const prepare = proto.prepare;
  proto.prepare = function (this: BetterSqlite3.Database, text: string) {
    const stmt = prepare.call(this, text) as Record<string, (...a: unknown[]) => unknown>;
    const f = stmt.run!;
    stmt.run = function (this: unknown, ...args: unknown[]) {
      texts.push(text);
      return f.apply(this, args);
    };
    return stmt;
  };
  try {
    return await run();
  } finally {
    proto.prepare = prepare;
  }
}
