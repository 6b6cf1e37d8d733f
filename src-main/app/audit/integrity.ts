import type { IntegrityView } from '../../contract/outputs/audit';
import { eventsAfter, setVerifiedThrough, verifiedThrough } from '../../db/repos/audit-reads';
import { inWriteTx, type Reader } from '../../db/tx';
import { verifyChains, type CaseFinding } from './verify';

/**
 * The start-up integrity check. First, incrementally: only the cases with events written
 * since the last verified event id (audit_verified) have their chains walked, so a restart
 * of a desk with a million cases reads a handful; when they are intact the watermark moves
 * on. Then, in the background and a page at a time, the whole history once more: an old
 * event rewritten behind the application's back leaves no new event to notice it by. Both
 * feed one status, which supervisors see as a warning naming the cases.
 */

/** Findings shown; the count covers the rest. */
const SHOWN = 100;

/**
 * Events per page of the walks. The walk runs on the thread that answers the window, which
 * waits for a page to end: at a million cases a page of 5,000 took 65 ms (up to 171 ms), and
 * the tab counts asked just after a reload took 222 ms instead of 2; a page of 500 takes ~7 ms.
 */
const WALK_PAGE = 500;

/**
 * The full walk rests after each page for REST_FACTOR times what the page took (between
 * MIN_REST_MS and MAX_REST_MS), so it holds the thread at most a quarter of the time. Yielding
 * only a turn (setImmediate) let it take the whole core: at a million events (2,000 pages,
 * 15-30 s of walking) a sign-in just after start-up waited behind it, the tab counts answered
 * in 40-190 ms instead of 2, and the first queue rows came 320 ms after "Sign in" instead of
 * under 300. A background check can take a minute; the window cannot.
 */
const REST_FACTOR = 3;
const MIN_REST_MS = 2;
const MAX_REST_MS = 100;

export interface IntegrityOptions {
  /** Walk every chain after the incremental check (default true). */
  fullWalk?: boolean;
  now: () => number;
}

export class IntegrityMonitor {
  private state: IntegrityView['state'] = 'checking';
  private fullCheck = false;
  private checkedAt: number | null = null;
  private readonly findings = new Map<string, CaseFinding>();
  private stopped = false;
  /** Settles when both checks have run (or failed); never rejects. */
  readonly done: Promise<void>;

  constructor(
    private readonly db: Reader,
    private readonly opts: IntegrityOptions,
  ) {
    this.done = this.run().catch((e: unknown) => {
      if (e instanceof Stopped) return;
      this.state = 'failed';
      console.error('[audit] the integrity check could not run:', e);
    });
  }

  view(): IntegrityView {
    const cases = [...this.findings.values()].sort((a, b) => (a.caseId < b.caseId ? -1 : 1));
    return {
      state: this.state,
      fullCheck: this.fullCheck,
      checkedAt: this.checkedAt === null ? null : new Date(this.checkedAt).toISOString(),
      brokenCases: cases.length,
      cases: cases.slice(0, SHOWN),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async run(): Promise<void> {
    await this.incremental();
    this.checkedAt = this.opts.now();
    if (this.opts.fullWalk !== false) {
      let pageStarted = performance.now();
      const rest = async () => {
        const took = performance.now() - pageStarted;
        await this.yieldTurn(Math.min(MAX_REST_MS, Math.max(MIN_REST_MS, took * REST_FACTOR)));
        pageStarted = performance.now();
      };
      const report = await verifyChains(this.db, { keep: SHOWN * 10, pageSize: WALK_PAGE, betweenPages: rest });
      for (const f of report.findings) this.record(f);
      this.fullCheck = true;
      this.checkedAt = this.opts.now();
    }
    this.state = 'done';
  }

  /** The cases with events after the watermark, walked whole; the watermark moves on only when they are intact. */
  private async incremental(): Promise<void> {
    const from = await verifiedThrough(this.db);
    const touched = new Set<string>();
    let through = from;
    for (;;) {
      const page = await eventsAfter(this.db, through, 10_000);
      for (const e of page) touched.add(e.case_id);
      if (page.length) through = page[page.length - 1]!.id;
      if (page.length < 10_000) break;
      await this.yieldTurn();
    }
    if (!touched.size) return;
    const report = await verifyChains(this.db, {
      onlyCases: [...touched],
      keep: SHOWN * 10,
      pageSize: WALK_PAGE,
      betweenPages: () => this.yieldTurn(),
    });
    for (const f of report.findings) this.record(f);
    if (report.brokenCases === 0) await inWriteTx(this.db, (tx) => setVerifiedThrough(tx, through, this.opts.now()));
  }

  private record(f: CaseFinding): void {
    const known = this.findings.get(f.caseId);
    this.findings.set(f.caseId, known ? { caseId: f.caseId, problems: [...new Set([...known.problems, ...f.problems])] } : f);
  }

  /** Lets requests run between pages (for `restMs`, else one turn), and ends the walk when the application closes. */
  private async yieldTurn(restMs = 0): Promise<void> {
    await new Promise((r) => (restMs > 0 ? setTimeout(r, restMs) : setImmediate(r)));
    if (this.stopped) throw new Stopped();
  }
}

class Stopped extends Error {}
