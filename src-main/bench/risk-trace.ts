/**
 * What makes the incremental update's tail (issue 15): per event, what it did and what the
 * machine did meanwhile, for `risk.ts --trace FILE` (one JSON line per event, and a summary of
 * the slowest 1 % beside the rest). What the event did: its kind, the buyer's size (disputes,
 * orders, links, photo uses), the buyers rescored, the SQL statements run. What the machine
 * did: CPU time against wall time (wall far above CPU: the process was off the core), garbage
 * collections overlapping the event (PerformanceObserver 'gc'), page faults (major: a page read
 * from disk; getrusage).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { constants } from 'node:perf_hooks';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Counts every statement run through better-sqlite3 (run, get, all, iterate, exec), from now on: patch
 * before opening. `byText` (when given) also gets each statement's count and CPU time (µs) by its text.
 */
export function countStatements(byText?: Map<string, { n: number; us: number }>): () => number {
  let n = 0;
  const proto = BetterSqlite3.prototype as unknown as { prepare: (sql: string) => BetterSqlite3.Statement; exec: (s: string) => unknown };
  const prepare = proto.prepare;
  proto.prepare = function (this: BetterSqlite3.Database, text: string) {
    const stmt = prepare.call(this, text) as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const m of ['run', 'all', 'get', 'iterate']) {
      const f = stmt[m]!;
      const key = text.replace(/\s+/g, ' ').slice(0, 110);
      stmt[m] = function (this: unknown, ...args: unknown[]) {
        n++;
        if (!byText) return f.apply(this, args);
        const c0 = process.cpuUsage();
        try {
          return f.apply(this, args);
        } finally {
          const c = process.cpuUsage(c0);
          const st = byText.get(key) ?? { n: 0, us: 0 };
          st.n++;
          st.us += c.user + c.system;
          byText.set(key, st);
        }
      };
    }
    return stmt as unknown as BetterSqlite3.Statement;
  };
  const exec = proto.exec;
  proto.exec = function (this: unknown, s: string) {
    n++;
    return exec.call(this, s);
  };
  return () => n;
}

const GC_KIND: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Garbage collections as they end: start and duration on the performance.now() clock. */
export function watchGc() {
  const gcs: Array<{ start: number; ms: number; kind: string }> = []; // in start order
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind ?? -1;
      gcs.push({ start: e.startTime, ms: e.duration, kind: GC_KIND[kind] ?? String(kind) });
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    /** The collections that overlapped [from, to]: their time inside it, and their kinds (entries arrive late: ask at the end). */
    within(from: number, to: number) {
      let ms = 0;
      const kinds: string[] = [];
      for (const g of gcs) {
        if (g.start > to) break;
        if (g.start + g.ms < from) continue;
        ms += Math.min(to, g.start + g.ms) - Math.max(from, g.start);
        kinds.push(g.kind);
      }
      return { gcMs: ms, gcKinds: kinds };
    },
    count: () => gcs.length,
    stop: () => obs.disconnect(),
  };
}

export interface TracedEvent {
  i: number;
  kind: string;
  buyer: string;
  /** performance.now() at the start and end of the update (the commit not included). */
  t0: number;
  t1: number;
  wallMs: number;
  /** The process's CPU time (user + system, every thread: V8's GC helpers too) over the update. */
  cpuMs: number;
  statements: number;
  rescored: number;
  /** Where the update's wall time went (applyRiskEvents' parts: model row, reads, pure update, writes), ms. */
  parts?: { model: number; reads: number; update: number; writes: number };
  gcMs: number;
  gcKinds: string[];
  majorFaults: number;
  minorFaults: number;
  /** The buyer after the event: counts and links as buyer_risk holds them. */
  disputes: number;
  orders: number;
  links: number;
  photoUses: number;
  reasonsBytes: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * The slowest 1 % beside the rest: by kind, and how many of them overlapped a GC, ran far
 * longer than their CPU time (off the core: wall − CPU above `offCoreMs`), or faulted a page
 * in from disk; the medians of what they did against the others'.
 */
export function tailSummary(events: TracedEvent[], offCoreMs = 0.3) {
  const sorted = [...events].sort((a, b) => b.wallMs - a.wallMs);
  const cut = Math.max(1, Math.ceil(sorted.length / 100));
  const tail = sorted.slice(0, cut);
  const rest = sorted.slice(cut);
  const profile = (xs: TracedEvent[]) => ({
    events: xs.length,
    kinds: xs.reduce<Record<string, number>>((m, e) => ((m[e.kind] = (m[e.kind] ?? 0) + 1), m), {}),
    withGc: xs.filter((e) => e.gcMs > 0).length,
    offCore: xs.filter((e) => e.wallMs - e.cpuMs > offCoreMs).length,
    majorFaults: xs.filter((e) => e.majorFaults > 0).length,
    median: {
      wallMs: r3(median(xs.map((e) => e.wallMs))),
      cpuMs: r3(median(xs.map((e) => e.cpuMs))),
      gcMs: r3(median(xs.map((e) => e.gcMs))),
      statements: median(xs.map((e) => e.statements)),
      rescored: median(xs.map((e) => e.rescored)),
      disputes: median(xs.map((e) => e.disputes)),
      links: median(xs.map((e) => e.links)),
      photoUses: median(xs.map((e) => e.photoUses)),
      reasonsBytes: median(xs.map((e) => e.reasonsBytes)),
    },
    max: {
      statements: Math.max(...xs.map((e) => e.statements)),
      rescored: Math.max(...xs.map((e) => e.rescored)),
      disputes: Math.max(...xs.map((e) => e.disputes)),
    },
  });
  // Of the tail, what explains each event first: a GC inside it, time off the core, a disk read, or none (its own work).
  const cause = { gc: 0, offCore: 0, diskRead: 0, work: 0 };
  for (const e of tail) {
    if (e.gcMs > 0.2) cause.gc++;
    else if (e.wallMs - e.cpuMs > offCoreMs) cause.offCore++;
    else if (e.majorFaults > 0) cause.diskRead++;
    else cause.work++;
  }
  // CPU time's own percentiles: the work's tail, which a loaded machine's scheduling does not move (much).
  const cpu = events.map((e) => e.cpuMs).sort((a, b) => a - b);
  const at = (q: number) => r3(cpu[Math.min(cpu.length - 1, Math.max(0, Math.ceil(q * cpu.length) - 1))] ?? NaN);
  return {
    thresholdMs: r3(tail[tail.length - 1]?.wallMs ?? NaN),
    cause,
    cpuMs: { p50: at(0.5), p99: at(0.99), max: at(1) },
    tail: profile(tail),
    rest: profile(rest),
    // The slowest 1 % by CPU time: what the costliest work is, whatever the scheduler did.
    cpuTail: profile([...events].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, cut)),
  };
}
