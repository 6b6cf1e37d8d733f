import { readFileSync } from 'node:fs';
/**
 * The main thread's longest stall while some work runs, measured as the policy preview's is:
 * a 1 ms interval timer stands in for the window (it fires when the event loop is free, as
 * an IPC message or a repaint would be served), and the stall is the longest gap between two
 * of its ticks, the gap from the start to the first tick and from the last tick to the end
 * included (work that never yields shows as one stall as long as the work).
 */
export async function withStallMeter<T>(work: () => Promise<T>): Promise<{ result: T; longestStallMs: number; ticks: number }> {
  let last = performance.now();
  let longest = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    ticks++;
  }, 1);
  try {
    const result = await work();
    longest = Math.max(longest, performance.now() - last);
    return { result, longestStallMs: Math.round(longest * 10) / 10, ticks };
  } finally {
    clearInterval(timer);
  }
}

/** CPU seconds (user + system) this process spent on `work`: the figure a busy shared machine disturbs least. */
export async function withCpuSeconds<T>(work: () => Promise<T>): Promise<{ result: T; cpuSeconds: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { result, cpuSeconds: (used.user + used.system) / 1e6 };
}

/**
 * The same meter over `ms` of doing nothing: the longest gap the machine's own scheduling
 * (other processes on a busy 2-core machine, the garbage collector) puts between two ticks.
 * A stall figure is read against it: no work split into chunks can stall the window less.
 */
export async function idleStallFloor(ms: number): Promise<{ longestStallMs: number; ticks: number; seconds: number }> {
  const { longestStallMs, ticks } = await withStallMeter(() => new Promise<void>((ok) => setTimeout(ok, ms)));
  return { longestStallMs, ticks, seconds: ms / 1000 };
}

/** The main thread's time on a CPU in ms (Linux: the scheduler's exact count, /proc/self/schedstat); null elsewhere. */
export function mainThreadCpuMs(): number | null {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}
