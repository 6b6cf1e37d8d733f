import BetterSqlite3 from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { round } from './stats';

/**
 * The floor under every "one transaction per command" figure on SQLite: raw better-sqlite3,
 * WAL with `synchronous = FULL` as the app opens it (db/connect.ts: a decision survives a power
 * cut), `n` transactions of one tiny insert each, in a scratch file beside the bench database
 * (the same disk). Each commit waits for the WAL's fsync, so this is the most durable commands
 * per second any design that commits each command on its own can reach here, whatever the
 * statements inside cost.
 */
export function durableCommitFloor(file: string, n = 500) {
  const remove = () => {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  };
  remove();
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const one = db.transaction((i: number) => insert.run(`command ${i}`));
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      one(i);
      ms.push(performance.now() - t);
    }
    const total = ms.reduce((a, b) => a + b, 0);
    ms.sort((a, b) => a - b);
    return {
      commits: n,
      commitsPerSecond: Math.round((n * 1000) / total),
      medianCommitMs: round(ms[Math.floor(n / 2)]!, 2),
      p95CommitMs: round(ms[Math.floor(n * 0.95)]!, 2),
    };
  } finally {
    db.close();
    remove();
  }
}
