/**
 * Per-phase figures for a long job (the full recompute): wall and CPU time (user + system,
 * this process: SQLite's work on the main thread included) and memory, the JS heap apart from
 * the rest of the resident set (SQLite's page cache, buffers). Memory is sampled every 50 ms
 * while a phase runs (the job awaits between statements, so the timer gets its turn) and at
 * each phase's end: the peaks say which phase holds what.
 */
export interface PhaseFigure {
  name: string;
  wallMs: number;
  cpuMs: number;
  /** Highest resident set and JS heap seen during the phase (MiB). */
  peakRssMB: number;
  peakHeapMB: number;
  /** At the phase's end (MiB). */
  rssMB: number;
  heapMB: number;
}

const MB = 2 ** 20;
const round1 = (x: number) => Math.round(x * 10) / 10;

export class Phases {
  readonly done: PhaseFigure[] = [];
  private name = '';
  private finished = false;
  private wall = 0;
  private cpu = 0;
  private peakRss = 0;
  private peakHeap = 0;
  private readonly parts = new Map<string, { wallMs: number; cpuMs: number; calls: number }>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(first: string) {
    this.timer = setInterval(() => this.sample(), 50);
    this.timer.unref?.();
    this.begin(first);
  }

  private sample(): { rss: number; heap: number } {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
    return { rss: m.rss, heap: m.heapUsed };
  }

  private begin(name: string): void {
    this.name = name;
    this.wall = performance.now();
    const c = process.cpuUsage();
    this.cpu = (c.user + c.system) / 1000;
    this.peakRss = 0;
    this.peakHeap = 0;
    this.sample();
  }

  private end(): void {
    const now = this.sample();
    const c = process.cpuUsage();
    this.done.push({
      name: this.name,
      wallMs: Math.round(performance.now() - this.wall),
      cpuMs: Math.round((c.user + c.system) / 1000 - this.cpu),
      peakRssMB: round1(this.peakRss / MB),
      peakHeapMB: round1(this.peakHeap / MB),
      rssMB: round1(now.rss / MB),
      heapMB: round1(now.heap / MB),
    });
  }

  /** Ends the current phase and starts the next. */
  next(name: string): void {
    this.end();
    this.begin(name);
  }

  /**
   * Times `work` into a bucket of its own (the writes of several phases, say), beside the
   * phase it runs in: the phase's figures still include it.
   */
  async part<T>(name: string, work: () => Promise<T>): Promise<T> {
    const w = performance.now();
    const c0 = process.cpuUsage();
    try {
      return await work();
    } finally {
      const c = process.cpuUsage(c0);
      const p = this.parts.get(name) ?? { wallMs: 0, cpuMs: 0, calls: 0 };
      p.wallMs += performance.now() - w;
      p.cpuMs += (c.user + c.system) / 1000;
      p.calls++;
      this.parts.set(name, p);
    }
  }

  /** The buckets `part` filled, rounded. */
  partFigures(): Record<string, { wallMs: number; cpuMs: number; calls: number }> {
    const out: Record<string, { wallMs: number; cpuMs: number; calls: number }> = {};
    for (const [k, p] of this.parts) out[k] = { wallMs: Math.round(p.wallMs), cpuMs: Math.round(p.cpuMs), calls: p.calls };
    return out;
  }

  /** Ends the last phase; the figures in order. */
  finish(): PhaseFigure[] {
    if (this.finished) return this.done;
    this.finished = true;
    this.end();
    clearInterval(this.timer);
    return this.done;
  }
}
