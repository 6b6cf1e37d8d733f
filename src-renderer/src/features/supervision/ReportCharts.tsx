import { Group, Paper, SimpleGrid, Text, VisuallyHidden } from '@mantine/core';
import { useId, type ReactNode } from 'react';
import type { ReportRow } from '../../../../src-main/contract/reports';
import { reasonLabel } from '../../ui/format';
import { pct } from './shared';

/**
 * The Reports screen's charts, where a supervisor would rather look than read: decisions per
 * week stacked by how they were made, time to decision (p50 and p90) per week, and appeal and
 * overturn rates by reason. Plain SVG in Mantine's colour variables, like features/risk/charts
 * (@mantine/charts has no release for @mantine/core 9.7.4). Each chart is a figure with a
 * title, an aria description, and its figures as a table for screen readers.
 */

// The drawing's own units. Three charts sit side by side from a 1024-pixel window, where each
// is about 300 pixels wide: drawn at 320 units, its 11-unit text stays near 10 pixels there
// and grows with wider windows (up to the height cap), instead of shrinking to 7 pixels as a
// wider drawing did.
const W = 320;
const H = 176;
const FONT = 11;
const PAD = { l: 34, r: 8, t: 10, b: 24 };
const PLOT_W = W - PAD.l - PAD.r;
const PLOT_H = H - PAD.t - PAD.b;
const GRID = 'var(--mantine-color-gray-3)';
const INK = 'var(--mantine-color-gray-7)';

const BASES = [
  { key: 'mediator', label: 'By a mediator', color: 'var(--mantine-color-blue-6)' },
  { key: 'agreement', label: 'Parties agreed', color: 'var(--mantine-color-teal-5)' },
  { key: 'default', label: 'By default', color: 'var(--mantine-color-orange-6)' },
] as const;
const P50 = 'var(--mantine-color-blue-7)';
const P90 = 'var(--mantine-color-grape-5)';
const APPEALED = 'var(--mantine-color-yellow-6)';
const OVERTURNED = 'var(--mantine-color-red-6)';

/** "2026-05-04" → "4 May". */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const weekLabel = (monday: string) => `${Number(monday.slice(8, 10))} ${MONTHS[Number(monday.slice(5, 7)) - 1]}`;

/** Round axis ticks from 0 to at least max: 0, step, 2·step… (at most five). */
function ticks(max: number): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const top = Math.ceil(max / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Math.round(i * step * 100) / 100);
}

/** A chart's frame: caption, the SVG with its horizontal grid, a legend and the table alternative. */
function ChartFigure(props: {
  title: string;
  description: string;
  testId: string;
  yTicks: number[];
  yMax: number;
  yFormat?: (v: number) => string;
  legend: Array<{ label: string; color: string; line?: boolean }>;
  table: { head: string[]; rows: Array<Array<string | number>> };
  children: ReactNode;
}) {
  const id = useId();
  const y = (v: number) => PAD.t + PLOT_H - (v / props.yMax) * PLOT_H;
  return (
    <Paper withBorder p="sm" component="figure" m={0} data-testid={props.testId}>
      <Text component="figcaption" fw={600} fz="sm" id={`${id}-title`}>
        {props.title}
      </Text>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        style={{ display: 'block', maxHeight: 250 }}
      >
        {props.yTicks.map((t) => (
          <g key={t}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} stroke={GRID} />
            <text x={PAD.l - 5} y={y(t) + 3} fontSize={FONT} textAnchor="end" fill={INK}>
              {props.yFormat ? props.yFormat(t) : t.toLocaleString()}
            </text>
          </g>
        ))}
        {props.children}
      </svg>
      {/* A narrow chart wraps its legend onto a second line close under the first. */}
      <Group mt={4} style={{ columnGap: 12, rowGap: 0 }}>
        {props.legend.map((l) => (
          <Group key={l.label} gap={4} wrap="nowrap">
            <span
              aria-hidden
              style={{ width: 12, height: l.line ? 3 : 10, borderRadius: 2, background: l.color, display: 'inline-block' }}
            />
            <Text fz="xs" c="dimmed">
              {l.label}
            </Text>
          </Group>
        ))}
      </Group>
      <VisuallyHidden id={`${id}-desc`}>
        <p>{props.description}</p>
        <table>
          <thead>
            <tr>
              {props.table.head.map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.table.rows.map((r) => (
              <tr key={String(r[0])}>
                {r.map((c, i) => (
                  <td key={i}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Paper>
  );
}

/** x positions of n slots across the plot, and which of them carry a label (at most 6: "23 Nov" takes about 40 units). */
function slots(n: number) {
  const slot = PLOT_W / Math.max(1, n);
  const every = Math.max(1, Math.ceil(n / 6));
  return { slot, x: (i: number) => PAD.l + i * slot, labelled: (i: number) => i % every === 0 };
}

/** Decisions per week, stacked by how they were made (mediator, agreement, default). */
function DecisionsPerWeek({ weeks }: { weeks: ReportRow[] }) {
  const max = Math.max(1, ...weeks.map((w) => w.decided));
  const yTicks = ticks(max);
  const yMax = yTicks[yTicks.length - 1]!;
  const s = slots(weeks.length);
  const bar = Math.min(36, s.slot * 0.72);
  const h = (n: number) => (n / yMax) * PLOT_H;
  const total = weeks.reduce((a, w) => a + w.decided, 0);
  const byDefault = weeks.reduce((a, w) => a + w.default, 0);
  return (
    <ChartFigure
      title="Decisions per week"
      testId="chart-decisions"
      description={`${total.toLocaleString()} first decisions over ${weeks.length} week(s), ${pct(byDefault / Math.max(1, total))} by default.`}
      yTicks={yTicks}
      yMax={yMax}
      legend={BASES.map((b) => ({ label: b.label, color: b.color }))}
      table={{
        head: ['Week of', 'Decided', ...BASES.map((b) => b.label)],
        rows: weeks.map((w) => [w.key, w.decided, w[BASES[0].key], w[BASES[1].key], w[BASES[2].key]]),
      }}
    >
      {weeks.map((w, i) => {
        const x = s.x(i) + (s.slot - bar) / 2;
        let top = PAD.t + PLOT_H;
        return (
          <g key={w.key}>
            {BASES.map((b) => {
              const n = w[b.key];
              if (!n) return null;
              top -= h(n);
              return (
                <rect key={b.key} x={x} y={top} width={bar} height={h(n)} fill={b.color}>
                  <title>{`Week of ${w.key}: ${n.toLocaleString()} ${b.label.toLowerCase()}`}</title>
                </rect>
              );
            })}
            {s.labelled(i) && (
              <text x={x + bar / 2} y={H - 8} fontSize={FONT} textAnchor="middle" fill={INK}>
                {weekLabel(w.key)}
              </text>
            )}
          </g>
        );
      })}
    </ChartFigure>
  );
}

/** Hours from escalation to the first decision per week: p50 and p90 as lines with points. */
function HoursPerWeek({ weeks }: { weeks: ReportRow[] }) {
  const max = Math.max(1, ...weeks.map((w) => w.hoursToDecision.p90 ?? 0));
  const yTicks = ticks(max);
  const yMax = yTicks[yTicks.length - 1]!;
  const s = slots(weeks.length);
  const cx = (i: number) => s.x(i) + s.slot / 2;
  const cy = (v: number) => PAD.t + PLOT_H - (v / yMax) * PLOT_H;
  const series = [
    { label: 'p50 (half decided within)', color: P50, of: (w: ReportRow) => w.hoursToDecision.p50 },
    { label: 'p90', color: P90, of: (w: ReportRow) => w.hoursToDecision.p90 },
  ];
  return (
    <ChartFigure
      title="Hours to decision per week (≈)"
      testId="chart-hours"
      description="Hours from escalation to the first decision, median and 90th percentile per week, estimated from a histogram."
      yTicks={yTicks}
      yMax={yMax}
      yFormat={(v) => `${v}h`}
      legend={series.map((l) => ({ label: l.label, color: l.color, line: true }))}
      table={{
        head: ['Week of', 'p50 hours', 'p90 hours'],
        rows: weeks.map((w) => [w.key, w.hoursToDecision.p50 ?? '—', w.hoursToDecision.p90 ?? '—']),
      }}
    >
      {series.map((l) => {
        const pts = weeks.flatMap((w, i) => {
          const v = l.of(w);
          return v === null ? [] : [{ x: cx(i), y: cy(v), v, w: w.key }];
        });
        return (
          <g key={l.label}>
            <polyline points={pts.map((p) => `${p.x},${p.y}`).join(' ')} fill="none" stroke={l.color} strokeWidth={2} />
            {pts.map((p) => (
              <circle key={p.w} cx={p.x} cy={p.y} r={3} fill={l.color}>
                <title>{`Week of ${p.w}: ${l.label.split(' ')[0]} ${p.v} h`}</title>
              </circle>
            ))}
          </g>
        );
      })}
      {weeks.map(
        (w, i) =>
          s.labelled(i) && (
            <text key={w.key} x={cx(i)} y={H - 8} fontSize={FONT} textAnchor="middle" fill={INK}>
              {weekLabel(w.key)}
            </text>
          ),
      )}
    </ChartFigure>
  );
}

/** Appeal and overturn rates (of cases decided) by reason, the reasons with most decisions first. */
function AppealsByReason({ reasons }: { reasons: ReportRow[] }) {
  const shown = reasons.slice(0, 8);
  const rate = (n: number, of: number) => (of ? n / of : 0);
  const max = Math.max(0.05, ...shown.map((r) => rate(r.appealed, r.decided)));
  const xTicks = ticks(max * 100).map((t) => t / 100);
  const xMax = xTicks[xTicks.length - 1]!;
  const labelW = 112;
  const plotW = W - labelW - PAD.r - 30;
  const rowH = Math.min(22, (H - PAD.t - PAD.b) / Math.max(1, shown.length));
  const x = (v: number) => labelW + (v / xMax) * plotW;
  return (
    <ChartFigure
      title="Appeals and overturns by reason"
      testId="chart-appeals"
      description="Share of the cases first decided in the period that were appealed, and that were overturned on appeal, per reason."
      yTicks={[]}
      yMax={1}
      legend={[
        { label: 'Appealed', color: APPEALED },
        { label: 'Overturned', color: OVERTURNED },
      ]}
      table={{
        head: ['Reason', 'Decided', 'Appealed', 'Overturned'],
        rows: shown.map((r) => [reasonLabel(r.key), r.decided, pct(rate(r.appealed, r.decided)), pct(rate(r.overturned, r.decided))]),
      }}
    >
      {xTicks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={PAD.t} y2={H - PAD.b} stroke={GRID} />
          <text x={x(t)} y={H - 8} fontSize={FONT} textAnchor="middle" fill={INK}>
            {`${Math.round(t * 100)}%`}
          </text>
        </g>
      ))}
      {shown.map((r, i) => {
        const y = PAD.t + i * rowH;
        const a = rate(r.appealed, r.decided);
        const o = rate(r.overturned, r.decided);
        const label = reasonLabel(r.key);
        return (
          <g key={r.key}>
            <text x={labelW - 6} y={y + rowH / 2 + 3} fontSize={FONT} textAnchor="end" fill={INK}>
              {label.length > 19 ? `${label.slice(0, 18)}…` : label}
            </text>
            <rect x={labelW} y={y + 2} width={Math.max(0, x(a) - labelW)} height={rowH - 4} fill={APPEALED} rx={2}>
              <title>{`${label}: ${r.appealed} of ${r.decided} appealed (${pct(a)})`}</title>
            </rect>
            <rect x={labelW} y={y + rowH / 4 + 1} width={Math.max(0, x(o) - labelW)} height={rowH / 2 - 2} fill={OVERTURNED} rx={1}>
              <title>{`${label}: ${r.overturned} overturned (${pct(o)})`}</title>
            </rect>
            <text x={x(a) + 4} y={y + rowH / 2 + 3} fontSize={FONT} fill={INK}>
              {pct(a)}
            </text>
          </g>
        );
      })}
    </ChartFigure>
  );
}

/** The three charts side by side from a small laptop's window up (the first screen shows them whole), stacked below. */
export function ReportCharts({ weeks, reasons }: { weeks: ReportRow[] | undefined; reasons: ReportRow[] | undefined }) {
  if (!weeks?.length) return null;
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" mb="md" data-testid="reports-charts">
      <DecisionsPerWeek weeks={weeks} />
      <HoursPerWeek weeks={weeks} />
      {reasons && reasons.length > 0 && <AppealsByReason reasons={reasons} />}
    </SimpleGrid>
  );
}
