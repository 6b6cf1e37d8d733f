import { eventHash } from '../../db/repos/audit-chain';
import { chainPage, inReadSnapshot, moneyOfCases, unchainedEvents, type CaseMoney, type ChainRow } from '../../db/repos/audit-reads';
import type { Reader } from '../../db/tx';

/**
 * Walks case histories along the audit chain (db/repos/audit-chain.ts) and names what no
 * longer matches: a broken link (an event's prev_hash is not its predecessor's hash), an
 * altered event (its content no longer hashes to its hash), a deleted event (a gap in seq),
 * an event written around the chain, and decisions / refunds whose rows differ from what the
 * events that created them bound. Streaming: one page of events and its cases' money rows
 * in memory at a time.
 */

export interface CaseFinding {
  caseId: string;
  problems: string[];
}

export interface VerifyReport {
  events: number;
  cases: number;
  /** Cases with problems, in case order (the first `keep` of them; `brokenCases` counts all). */
  findings: CaseFinding[];
  brokenCases: number;
  /** Highest case_events.id seen (the start-up check's watermark). */
  maxEventId: number;
}

export interface VerifyOptions {
  /** Only these cases (the start-up check's touched cases); default every case. */
  onlyCases?: string[];
  /** Each broken case as soon as it is known (the CLI prints them while walking). */
  onFinding?: (f: CaseFinding) => void;
  /** Findings kept in the report; the rest are counted. Default 1,000. */
  keep?: number;
  pageSize?: number;
  /** Called between pages (the app yields there so a background walk does not hog the process). */
  betweenPages?: () => Promise<void>;
}

export async function verifyChains(db: Reader, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = opts.pageSize ?? 5000;
  const keep = opts.keep ?? 1000;
  const report: VerifyReport = { events: 0, cases: 0, findings: [], brokenCases: 0, maxEventId: 0 };
  const found = (f: CaseFinding) => {
    report.brokenCases++;
    if (report.findings.length < keep) report.findings.push(f);
    opts.onFinding?.(f);
  };
  const extraProblems = new Map<string, string[]>();
  for (const u of await unchainedEvents(db, opts.onlyCases))
    extraProblems.set(u.caseId, [`${u.count} event(s) written around the audit chain (no place in it)`]);

  let walker: CaseWalker | null = null;
  let money = new Map<string, CaseMoney>();
  const finish = (w: CaseWalker) => {
    report.cases++;
    const problems = [...(extraProblems.get(w.caseId) ?? []), ...w.finish(money.get(w.caseId) ?? { decisions: [], refund: null })];
    extraProblems.delete(w.caseId);
    if (problems.length) found({ caseId: w.caseId, problems });
  };
  const groups = opts.onlyCases ? chunkIds(opts.onlyCases) : [undefined];
  for (const only of groups) {
    let after: { caseId: string; seq: number } | null = null;
    for (;;) {
      const { page, pageMoney } = await inReadSnapshot(db, async (snapshot) => {
        const page: ChainRow[] = await chainPage(snapshot, after, pageSize, only);
        return { page, pageMoney: await moneyOfCases(snapshot, [...new Set(page.map((r) => r.case_id))]) };
      });
      if (!page.length) break;
      for (const r of page) {
        if (!walker || walker.caseId !== r.case_id) {
          if (walker) finish(walker);
          walker = new CaseWalker(r.case_id);
          money = new Map([[r.case_id, pageMoney.get(r.case_id)!]]);
        }
        walker.feed(r);
        report.events++;
        if (r.id > report.maxEventId) report.maxEventId = r.id;
      }
      if (walker) money = new Map([[walker.caseId, pageMoney.get(walker.caseId)!]]);
      if (page.length < pageSize) break;
      const last = page[page.length - 1]!;
      after = { caseId: last.case_id, seq: last.seq! };
      if (opts.betweenPages) await opts.betweenPages();
    }
  }
  if (walker) finish(walker);
  // Cases whose every event lies outside the chain.
  for (const [caseId, problems] of extraProblems) found({ caseId, problems });
  report.findings.sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0));
  return report;
}

const chunkIds = (ids: string[]) => {
  const sorted = [...new Set(ids)].sort();
  const out: string[][] = [];
  for (let i = 0; i < sorted.length; i += 500) out.push(sorted.slice(i, i + 500));
  return out;
};

/** One case's chain, fed in seq order; `finish` compares what it bound with the case's current rows. */
export class CaseWalker {
  private expectedSeq = 1;
  private prevHash: string | null = null;
  private readonly problems: string[] = [];
  private readonly boundDecisions = new Map<number, { outcome: string; amountMinor: number; basis: string; eventSeq: number }>();
  private boundRefund: { value: { amountMinor: number; status: string } | null; eventSeq: number } | undefined;

  constructor(readonly caseId: string) {}

  feed(e: ChainRow): void {
    const seq = e.seq!;
    if (seq > this.expectedSeq)
      this.problems.push(
        seq === this.expectedSeq + 1 ? `event ${this.expectedSeq} was deleted` : `events ${this.expectedSeq}–${seq - 1} were deleted`,
      );
    if (e.prev_hash !== this.prevHash && seq === this.expectedSeq)
      this.problems.push(`broken link at event ${seq} (${e.type}): it does not continue from event ${seq - 1}`);
    const recomputed = eventHash({
      caseId: e.case_id,
      seq,
      type: e.type,
      actor: e.actor,
      at: e.at,
      details: e.details,
      bound: e.bound,
      prev: e.prev_hash,
    });
    if (e.hash !== recomputed) this.problems.push(`event ${seq} (${e.type}) was altered: its content no longer matches its hash`);
    if (e.bound) this.remember(e.bound, seq);
    this.expectedSeq = seq + 1;
    this.prevHash = e.hash;
  }

  private remember(boundText: string, eventSeq: number): void {
    let bound: { decisions?: Array<{ seq: number; outcome: string; amountMinor: number; basis: string }>; refund?: unknown };
    try {
      bound = JSON.parse(boundText) as typeof bound;
    } catch {
      this.problems.push(`event ${eventSeq} binds unreadable decision/refund data`);
      return;
    }
    for (const d of bound.decisions ?? []) this.boundDecisions.set(d.seq, { ...d, eventSeq });
    if ('refund' in bound) this.boundRefund = { value: bound.refund as { amountMinor: number; status: string } | null, eventSeq };
  }

  finish(money: CaseMoney): string[] {
    const problems = [...this.problems];
    const rows = new Map(money.decisions.map((d) => [d.seq, d]));
    for (const [seq, b] of this.boundDecisions) {
      const row = rows.get(seq);
      if (!row) problems.push(`decision ${seq} (bound by event ${b.eventSeq}) was deleted`);
      else if (row.outcome !== b.outcome || row.amountMinor !== b.amountMinor || row.basis !== b.basis)
        problems.push(`decision ${seq} does not match event ${b.eventSeq}: now ${describeDecision(row)}, recorded ${describeDecision(b)}`);
    }
    for (const seq of rows.keys()) if (!this.boundDecisions.has(seq)) problems.push(`decision ${seq} was created outside the history`);
    const recorded = this.boundRefund?.value ?? null;
    const current = money.refund;
    if (
      JSON.stringify(recorded && [recorded.amountMinor, recorded.status]) !==
      JSON.stringify(current && [current.amountMinor, current.status])
    )
      problems.push(
        `refund does not match the history: now ${current ? describeRefund(current) : 'none'}, recorded ${recorded ? describeRefund(recorded) : 'none'}`,
      );
    return problems;
  }
}

const describeDecision = (d: { outcome: string; amountMinor: number; basis: string }) => `${d.outcome} ${d.amountMinor} (${d.basis})`;
const describeRefund = (r: { amountMinor: number; status: string }) => `${r.amountMinor} ${r.status}`;
