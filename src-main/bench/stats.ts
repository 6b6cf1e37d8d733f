import BetterSqlite3 from 'better-sqlite3';
export interface Summary {
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Median and 95th percentile (nearest rank) of durations in milliseconds. */
export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return {
    runs: s.length,
    medianMs: round(median, 4),
    p95Ms: round(at(0.95), 4),
    minMs: round(s[0] ?? NaN, 4),
    maxMs: round(s[s.length - 1] ?? NaN, 4),
  };
}

export { round };

/** How fast this machine is right now: 200,000 trivial inserts into an in-memory table (the load on a shared box shows here). */
export function calibrate(): { simpleInsertUs: number } {
  const db = new BetterSqlite3(':memory:');
  try {
    db.exec('CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c INTEGER)');
    const st = db.prepare('INSERT INTO t (b, c) VALUES (?, ?)');
    const t0 = performance.now();
    db.transaction(() => {
      for (let i = 0; i < 200_000; i++) st.run(`value ${i}`, i);
    })();
    return { simpleInsertUs: round(((performance.now() - t0) * 1000) / 200_000, 2) };
  } finally {
    db.close();
  }
}
