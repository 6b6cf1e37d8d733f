import type { ReportRow, ReportView } from '../../../../src-main/contract/reports';
import { minorToInput } from '../../../../src-main/contract/money-format';

/**
 * A report as CSV (RFC 4180: quoted fields, CRLF), one line per group and a totals line.
 * Amounts are exact decimal strings per currency, so a spreadsheet never sees a float.
 */
export function reportCsv(report: ReportView): string {
  const currencies = [...new Set([...report.rows, report.totals].flatMap((r) => r.refunds.map((f) => f.currency)))].sort();
  const header = [
    report.by,
    'decided',
    'by mediator',
    'by agreement',
    'by default',
    'default share',
    'appealed',
    'overturned',
    'evidence requests',
    'evidence requests expired',
    'reply periods',
    'reply periods with a silent party',
    'hours to decision p50 (estimate)',
    'hours to decision p90 (estimate)',
    ...currencies.map((c) => `refunds ${c}`),
  ];
  const line = (r: ReportRow) => [
    r.label,
    r.decided,
    r.mediator,
    r.agreement,
    r.default,
    r.decided ? (r.default / r.decided).toFixed(4) : '',
    r.appealed,
    r.overturned,
    r.evidenceRequests,
    r.evidenceExpired,
    r.replyPeriods,
    r.replyMissed,
    r.hoursToDecision.p50 ?? '',
    r.hoursToDecision.p90 ?? '',
    ...currencies.map((c) => {
      const f = r.refunds.find((x) => x.currency === c);
      return f ? minorToInput(f.amountMinor, c) : '';
    }),
  ];
  const cell = (v: string | number) => {
    const s = String(v);
    // Quote everything that needs it; a leading = + - @ is prefixed so a spreadsheet never runs it as a formula.
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...report.rows.map(line), line(report.totals)].map((cells) => cells.map(cell).join(',')).join('\r\n') + '\r\n';
}
