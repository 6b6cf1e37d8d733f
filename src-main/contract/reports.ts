import { z } from 'zod';
import { Id, Instant, Text } from './primitives';

/**
 * Supervisors' reports (issue 18): what happened to the cases first decided in a period,
 * grouped by mediator, reason, buyer country or week, each figure drillable to its cases.
 * Spread into the one method table in methods.ts.
 */

export const REPORT_DIMENSIONS = ['mediator', 'reason', 'country', 'week'] as const;
export const ReportDimension = z.enum(REPORT_DIMENSIONS);
export type ReportDimension = z.infer<typeof ReportDimension>;

/** The figures a report cell can be drilled into. */
export const REPORT_METRICS = ['decided', 'default', 'agreement', 'appealed', 'overturned', 'evidenceExpired', 'replyMissed'] as const;
export const ReportMetric = z.enum(REPORT_METRICS);
export type ReportMetric = z.infer<typeof ReportMetric>;

/** The longest period one report covers: a year and a month, so a yearly review fits. */
export const REPORT_MAX_DAYS = 400;

const Period = z
  .object({ from: Instant, to: Instant })
  .strict()
  .superRefine((p, ctx) => {
    const days = (Date.parse(p.to) - Date.parse(p.from)) / 86_400_000;
    if (!(days > 0)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (days > REPORT_MAX_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${REPORT_MAX_DAYS} days after from` });
  });

export const reportsMethods = {
  /** The figures of the cases first decided in [from, to), one row per group plus the totals. */
  'reports.summary': {
    input: z.object({ period: Period, by: ReportDimension }).strict(),
    who: ['supervisor'],
  },
  /** The cases behind one figure of a summary row, newest decision first (keyset paged). */
  'reports.cases': {
    input: z
      .object({
        period: Period,
        by: ReportDimension,
        key: Text(200),
        metric: ReportMetric,
        limit: z.number().int().min(1).max(200).default(50),
        after: z.object({ decidedAt: z.number().int(), caseId: Id }).strict().optional(),
      })
      .strict(),
    who: ['supervisor'],
  },
} as const;

export interface ReportRow {
  /** The group's key as reports.cases takes it: a user id, a reason, a country code, or the week's Monday (YYYY-MM-DD). */
  key: string;
  label: string;
  decided: number;
  /** First decisions by basis. */
  default: number;
  agreement: number;
  mediator: number;
  appealed: number;
  overturned: number;
  evidenceRequests: number;
  /** Requests the party let expire. */
  evidenceExpired: number;
  /** Resolutions published, and those where at least one party let the reply period run out. */
  replyPeriods: number;
  replyMissed: number;
  /** Hours from escalation to the first decision, estimated from a histogram (bounded cost at any size). */
  hoursToDecision: { p50: number | null; p90: number | null };
  /** Refunds due or paid (not cancelled), per currency. */
  refunds: Array<{ currency: string; count: number; amountMinor: number }>;
}

export interface ReportView {
  period: { from: string; to: string };
  by: ReportDimension;
  rows: ReportRow[];
  totals: ReportRow;
}

export interface ReportCase {
  caseId: string;
  reason: string;
  buyerCountry: string;
  decidedBy: string;
  decidedAt: string;
  outcome: string;
  basis: string;
  amountMinor: number;
  currency: string;
  appeal: string | null;
}

export interface ReportCasesView {
  rows: ReportCase[];
  nextCursor: { decidedAt: number; caseId: string } | null;
}

export interface ReportsOutputs {
  'reports.summary': ReportView;
  'reports.cases': ReportCasesView;
}
