import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { reportCaseList, reportSummary, type ReportSource } from '../app/supervision/reports';
import { Reason } from '../contract/domain';
import type { ReportDimension } from '../contract/reports';
import { onScratchPostgres } from './scratch-pg';
import { round } from './stats';
import { measure } from './team';

/**
 * The supervisors' reports (issue 18) on PostgreSQL: `reports.summary` for the last 30 days by
 * mediator and by week, at `cases` cases (70 % decided, first decisions spread over 180 days,
 * twelve reasons, a refund for the refunded outcomes). The report reads the summaries the
 * triggers of migrations/0028 keep; beside it, the direct computation over decisions and cases
 * (what the report did before, and the reference it must equal: the bench checks they agree),
 * each with raw `pg` sending the same SQL in the same run (the cost of everything around the
 * queries), and the drill-down's first page. The decisions and refunds are written with the
 * triggers on, so `fillMs` includes keeping the summaries. The promise is at 1M cases
 * (`--reports-cases 1000000`; about 20 minutes on the shared machine, most of it the fill).
 */
const TARGETS = { medianMs: 1_000 };
const REASONS = Reason.options;
const DAY = 86_400_000;

export async function benchReports(opts: { url: string; cases: number; runs: number; now: number; log(msg: string): void }) {
  return onScratchPostgres({ ...opts, prefix: 'reports' }, async (db, raw) => {
    const reasons = sql.raw(`ARRAY[${REASONS.map((r) => `'${r}'`).join(',')}]`);
    const h = sql.raw('(hashtext(id) & 2147483647)');
    await sql`UPDATE cases SET reason = (${reasons})[${h} % 12 + 1],
      updated_at = ${opts.now} - (${h} % ${180 * DAY}::bigint)`.execute(db);
    const hc = sql.raw('(hashtext(c.id) & 2147483647)');
    const fillStarted = performance.now();
    await sql`INSERT INTO decisions (case_id, seq, outcome, amount_minor, basis, decided_by, decided_at, appeal_until, reasons, policy_version)
      SELECT c.id, 1, (ARRAY['full','partial','return','none'])[${hc} % 4 + 1],
        CASE WHEN ${hc} % 4 = 1 THEN c.total_minor / 2 WHEN ${hc} % 4 = 3 THEN 0 ELSE c.total_minor END,
        (ARRAY['mediator','mediator','mediator','default','agreement'])[${hc} % 5 + 1],
        COALESCE(c.assignee_id, 'bm0'), c.updated_at, NULL, 'bench', 1
      FROM cases c WHERE c.status IN ('closed', 'final')`.execute(db);
    await sql`INSERT INTO refunds (case_id, amount_minor, currency, status, updated_at)
      SELECT d.case_id, d.amount_minor, o.currency, 'completed', d.decided_at
      FROM decisions d JOIN cases c ON c.id = d.case_id JOIN orders o ON o.id = c.order_id
      WHERE d.amount_minor > 0`.execute(db);
    const fillMs = round(performance.now() - fillStarted, 1);
    for (const t of ['cases', 'decisions', 'refunds', 'accounts', 'report_cases', 'report_facts'])
      await sql`ANALYZE ${sql.table(t)}`.execute(db);
    await raw.connect();

    const period = { from: new Date(opts.now - 30 * DAY).toISOString(), to: new Date(opts.now).toISOString() };
    const timed = async (by: ReportDimension, source: ReportSource) => {
      const t = await measure({ runs: opts.runs }, raw, (d) => reportSummary(d, { period, by }, source), db);
      return { ...t.ours, baseline: t.baseline, ratio: round(t.ours.medianMs / t.baseline.medianMs, 2) };
    };
    const figure = async (by: ReportDimension) => {
      const report = await reportSummary(db, { period, by });
      const same = isDeepStrictEqual(report, await reportSummary(db, { period, by }, 'direct'));
      const ours = await timed(by, 'summaries');
      const top = report.rows[0];
      const drill = top
        ? (
            await measure(
              { runs: opts.runs },
              raw,
              (d) => reportCaseList(d, { period, by, key: top.key, metric: 'decided', limit: 50 }),
              db,
            )
          ).ours
        : null;
      return {
        by,
        rows: report.rows.length,
        ...ours,
        sameAsDirect: same,
        direct: await timed(by, 'direct'),
        drillDownFirstPage: drill,
        pass: same && ours.medianMs <= TARGETS.medianMs,
      };
    };
    const byMediator = await figure('mediator');
    const byWeek = await figure('week');
    return {
      cases: opts.cases,
      decided: Number((await sql<{ n: string }>`SELECT count(*) AS n FROM decisions`.execute(db)).rows[0]!.n),
      period,
      fillMs,
      summaryRows: Number((await sql<{ n: string }>`SELECT count(*) AS n FROM report_facts`.execute(db)).rows[0]!.n),
      byMediator,
      byWeek,
      target: { medianMs: TARGETS.medianMs, atCases: 1_000_000 },
      pass: byMediator.pass && byWeek.pass,
    };
  });
}
