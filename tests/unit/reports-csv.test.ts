import { describe, expect, it } from 'vitest';
import type { ReportRow, ReportView } from '../../src-main/contract/reports';
import { emptyRow } from '../../src-main/app/supervision/reports';
import { reportCsv } from '../../src-renderer/src/features/supervision/reportsCsv';

const row = (over: Partial<ReportRow>): ReportRow => ({ ...emptyRow('k', 'k'), ...over });

describe('a report as CSV', () => {
  const report: ReportView = {
    period: { from: '2026-05-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z' },
    by: 'mediator',
    rows: [
      row({
        key: 'm1',
        label: 'Mira, "the fast one"',
        decided: 4,
        default: 1,
        refunds: [{ currency: 'JPY', count: 1, amountMinor: 5_000 }],
      }),
      row({ key: 'm2', label: '=HYPERLINK("x")', decided: 2, refunds: [{ currency: 'EUR', count: 2, amountMinor: 123_456 }] }),
    ],
    totals: row({ key: '', label: 'All', decided: 6, default: 1 }),
  };
  const lines = reportCsv(report).split('\r\n');

  it('has a header with a column per currency, a line per row and the totals', () => {
    expect(lines[0]).toContain('refunds EUR,refunds JPY');
    expect(lines).toHaveLength(5); // header, 2 rows, totals, and the empty string after the last CRLF
    expect(lines[3]!.startsWith('All,6,')).toBe(true);
  });

  it('quotes what needs quoting and defuses formulas', () => {
    expect(lines[1]!.startsWith('"Mira, ""the fast one""",4,')).toBe(true);
    expect(lines[2]!.startsWith(`"'=HYPERLINK(""x"")",2,`)).toBe(true);
  });

  it('writes amounts as exact decimals in each currency’s minor unit', () => {
    expect(lines[1]!.endsWith(',,5000')).toBe(true);
    expect(lines[2]!.endsWith(',1234.56,')).toBe(true);
  });
});
