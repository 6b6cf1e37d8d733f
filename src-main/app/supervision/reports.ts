import { REASON_LABELS } from '../../contract/letters';
import type { ReportCasesView, ReportDimension, ReportMetric, ReportRow, ReportView } from '../../contract/reports';
import type { Reason } from '../../contract/domain';
import {
  HOUR_BUCKETS,
  WEEK_EPOCH_MS,
  WEEK_MS,
  reportCases,
  reportCasesDirect,
  reportTallies,
  reportTalliesDirect,
  userNames,
} from '../../db/repos/reports';
import type { Reader } from '../../db/tx';

/**
 * Supervisors' reports: the grouped tallies of db/repos/reports.ts shaped into rows with
 * percentiles and labels, and the drill-down to the cases behind a figure. `source` picks the
 * summaries the triggers keep (what the desk serves) or the direct computation over decisions
 * and cases (the reference the tests and the bench compare against); both give the same figures.
 */
export type ReportSource = 'summaries' | 'direct';

/** A group with nothing counted yet (also what the totals start from). */
export const emptyRow = (key: string, label: string): ReportRow => ({
  key,
  label,
  decided: 0,
  default: 0,
  agreement: 0,
  mediator: 0,
  appealed: 0,
  overturned: 0,
  evidenceRequests: 0,
  evidenceExpired: 0,
  replyPeriods: 0,
  replyMissed: 0,
  hoursToDecision: { p50: null, p90: null },
  refunds: [],
});

/** The Monday (YYYY-MM-DD) of a week number counted from WEEK_EPOCH_MS, and back. */
const weekStart = (week: number) => new Date(WEEK_EPOCH_MS + week * WEEK_MS).toISOString().slice(0, 10);
const weekNumber = (monday: string) => Math.round((Date.parse(`${monday}T00:00:00Z`) - WEEK_EPOCH_MS) / WEEK_MS);

/**
 * A percentile from the histogram: the bucket holding the q-th case, interpolated linearly
 * inside it (the open last bucket answers its lower bound). An estimate, labelled as such on screen.
 */
export function percentileFromBuckets(counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n > 0 && seen + n >= target) {
      const lo = i === 0 ? 0 : HOUR_BUCKETS[i - 1]!;
      const hi = HOUR_BUCKETS[i];
      if (hi === undefined) return lo;
      return Math.round((lo + ((target - seen) / n) * (hi - lo)) * 10) / 10;
    }
    seen += n;
  }
  return HOUR_BUCKETS[HOUR_BUCKETS.length - 1]!;
}

export async function reportSummary(
  db: Reader,
  input: { period: { from: string; to: string }; by: ReportDimension },
  source: ReportSource = 'summaries',
): Promise<ReportView> {
  const from = Date.parse(input.period.from);
  const to = Date.parse(input.period.to);
  const t = await (source === 'direct' ? reportTalliesDirect : reportTallies)(db, input.by, from, to);
  const rows = new Map<string, ReportRow>();
  const buckets = new Map<string, number[]>();
  const row = (key: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = emptyRow(key, key)));
    return r;
  };
  const n = (v: unknown) => Number(v ?? 0);
  for (const m of t.main)
    Object.assign(row(m.key), {
      decided: n(m.decided),
      default: n(m.by_default),
      agreement: n(m.by_agreement),
      mediator: n(m.by_mediator),
      appealed: n(m.appealed),
      overturned: n(m.overturned),
    });
  for (const h of t.hours) {
    const b = buckets.get(h.key) ?? Array<number>(HOUR_BUCKETS.length + 1).fill(0);
    b[n(h.bucket)] = n(h.n);
    buckets.set(h.key, b);
  }
  for (const e of t.evidence) Object.assign(row(e.key), { evidenceRequests: n(e.requests), evidenceExpired: n(e.expired) });
  for (const r of t.replies) Object.assign(row(r.key), { replyPeriods: n(r.periods), replyMissed: n(r.missed) });
  for (const f of t.refunds) row(f.key).refunds.push({ currency: f.currency, count: n(f.n), amountMinor: n(f.amount) });

  const totals = emptyRow('', 'All');
  const totalBuckets = Array<number>(HOUR_BUCKETS.length + 1).fill(0);
  const totalRefunds = new Map<string, { currency: string; count: number; amountMinor: number }>();
  for (const r of rows.values()) {
    const b = buckets.get(r.key) ?? [];
    r.hoursToDecision = { p50: percentileFromBuckets(b, 0.5), p90: percentileFromBuckets(b, 0.9) };
    b.forEach((v, i) => (totalBuckets[i]! += v));
    for (const k of [
      'decided',
      'default',
      'agreement',
      'mediator',
      'appealed',
      'overturned',
      'evidenceRequests',
      'evidenceExpired',
      'replyPeriods',
      'replyMissed',
    ] as const)
      totals[k] += r[k];
    for (const f of r.refunds) {
      const acc = totalRefunds.get(f.currency) ?? { currency: f.currency, count: 0, amountMinor: 0 };
      acc.count += f.count;
      acc.amountMinor += f.amountMinor;
      totalRefunds.set(f.currency, acc);
    }
    r.refunds.sort((a, b) => a.currency.localeCompare(b.currency));
  }
  totals.hoursToDecision = { p50: percentileFromBuckets(totalBuckets, 0.5), p90: percentileFromBuckets(totalBuckets, 0.9) };
  totals.refunds = [...totalRefunds.values()].sort((a, b) => a.currency.localeCompare(b.currency));

  // Labels a person reads; keys stay what reports.cases takes.
  const names = input.by === 'mediator' ? await userNames(db, [...rows.keys()]) : new Map<string, string>();
  const out = [...rows.values()].map((r) => {
    if (input.by === 'week') {
      const monday = weekStart(Number(r.key));
      return { ...r, key: monday, label: `Week of ${monday}` };
    }
    if (input.by === 'reason') return { ...r, label: REASON_LABELS[r.key as Reason] ?? r.key };
    if (input.by === 'mediator')
      return {
        ...r,
        label: r.key === 'system' ? 'Deadline default (system)' : r.key === 'parties' ? 'The parties agreed' : (names.get(r.key) ?? r.key),
      };
    return r;
  });
  out.sort((a, b) => (input.by === 'week' ? a.key.localeCompare(b.key) : b.decided - a.decided || a.key.localeCompare(b.key)));
  return { period: input.period, by: input.by, rows: out, totals };
}

export async function reportCaseList(
  db: Reader,
  input: {
    period: { from: string; to: string };
    by: ReportDimension;
    key: string;
    metric: ReportMetric;
    limit: number;
    after?: { decidedAt: number; caseId: string } | undefined;
  },
  source: ReportSource = 'summaries',
): Promise<ReportCasesView> {
  const key = input.by === 'week' ? String(weekNumber(input.key)) : input.key;
  const rows = await (source === 'direct' ? reportCasesDirect : reportCases)(db, {
    by: input.by,
    key,
    metric: input.metric,
    from: Date.parse(input.period.from),
    to: Date.parse(input.period.to),
    limit: input.limit + 1,
    ...(input.after ? { after: input.after } : {}),
  });
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      caseId: r.case_id,
      reason: r.reason,
      buyerCountry: r.country,
      decidedBy: r.decided_by,
      decidedAt: new Date(Number(r.decided_at)).toISOString(),
      outcome: r.outcome,
      basis: r.basis,
      amountMinor: Number(r.amount_minor),
      currency: r.currency,
      appeal: r.appeal_status ?? null,
    })),
    nextCursor: rows.length > input.limit && last ? { decidedAt: Number(last.decided_at), caseId: last.case_id } : null,
  };
}
