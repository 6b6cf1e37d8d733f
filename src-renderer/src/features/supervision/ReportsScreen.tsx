import { Alert, Anchor, Box, Button, Drawer, Group, Loader, SegmentedControl, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { REPORT_DIMENSIONS, type ReportDimension, type ReportMetric, type ReportRow } from '../../../../src-main/contract/reports';
import { useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { useNow } from '../../ui/clock';
import { formatInstantCompact, outcomeLabel, reasonLabel } from '../../ui/format';
import { Money } from '../../ui/Money';
import { ReportCharts } from './ReportCharts';
import { reportCsv } from './reportsCsv';
import { Empty, pct, ScreenHeader, SideScroll, Stat } from './shared';

const DAY = 86_400_000;
const PERIODS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: 'Year' },
];
const DIMENSION_LABELS: Record<ReportDimension, string> = {
  mediator: 'Mediator',
  reason: 'Reason',
  country: 'Buyer country',
  week: 'Week',
};

interface Drill {
  key: string;
  label: string;
  metric: ReportMetric;
  title: string;
}

/**
 * Supervisors' reports: the cases first decided in a period, grouped by mediator, reason,
 * buyer country or week. Every count opens the cases behind it; the table exports as CSV.
 * A bar per row shows volume and the share decided by default; above the table, charts of
 * decisions and time to decision per week and of appeals by reason (ReportCharts).
 */
export function ReportsScreen({ onOpen, active }: { me: Me; onOpen: (caseId: string) => void; active: boolean }) {
  const [days, setDays] = useState('30');
  const [by, setBy] = useState<ReportDimension>('mediator');
  const [drill, setDrill] = useState<Drill | null>(null);
  // The period ends at the next midnight UTC, so a report read twice in a day is the same report.
  const now = useNow();
  const end = Math.ceil(now / DAY) * DAY;
  const period = useMemo(() => ({ from: new Date(end - Number(days) * DAY).toISOString(), to: new Date(end).toISOString() }), [end, days]);
  const report = useMethodQuery('reports.summary', { period, by }, { enabled: active, keepPrevious: true });
  const data = report.data;
  // The charts read the same period by week and by reason (cached when the table shows them too).
  const byWeek = useMethodQuery('reports.summary', { period, by: 'week' }, { enabled: active, keepPrevious: true });
  const byReason = useMethodQuery('reports.summary', { period, by: 'reason' }, { enabled: active, keepPrevious: true });
  const maxDecided = Math.max(1, ...(data?.rows ?? []).map((r) => r.decided));

  const download = () => {
    if (!data) return;
    const blob = new Blob([reportCsv(data)], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `mediation-report-by-${by}-${period.from.slice(0, 10)}-to-${period.to.slice(0, 10)}.csv`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const count = (r: ReportRow, metric: ReportMetric, n: number, title: string) =>
    n ? (
      <Anchor
        component="button"
        type="button"
        fz="sm"
        className="tabular"
        onClick={() => setDrill({ key: r.key, label: r.label, metric, title })}
      >
        {n.toLocaleString()}
      </Anchor>
    ) : (
      <Text span fz="sm" c="dimmed" className="tabular">
        0
      </Text>
    );

  return (
    <Box className="sv-page" data-testid="reports-screen" style={{ overflow: 'auto', height: '100%' }}>
      <ScreenHeader
        title="Reports"
        subtitle="Cases first decided in the period. Click a number in the table to see its cases."
        right={
          <>
            <SegmentedControl size="xs" value={days} onChange={setDays} data={PERIODS} aria-label="Period" />
            <SegmentedControl
              size="xs"
              value={by}
              onChange={(v) => setBy(v)}
              data={REPORT_DIMENSIONS.map((d) => ({ value: d, label: DIMENSION_LABELS[d] }))}
              aria-label="Group by"
            />
            <Button size="xs" variant="default" onClick={download} disabled={!data?.rows.length}>
              Export CSV
            </Button>
          </>
        }
      />
      {report.error && (
        <Alert color="red" mb="md">
          {report.error.message}
        </Alert>
      )}
      {!data ? (
        <Loader size="sm" />
      ) : data.rows.length === 0 ? (
        <Empty title="No case was decided in this period." hint="Choose a longer period." testId="reports-empty" />
      ) : (
        <>
          <KeyFigures totals={data.totals} />
          <ReportCharts weeks={byWeek.data?.rows} reasons={byReason.data?.rows} />
          <SideScroll minWidth={880} testId="reports-table-region">
            <Table
              striped
              highlightOnHover
              verticalSpacing={6}
              horizontalSpacing={8}
              fz="sm"
              data-testid="reports-table"
              data-from={data.period.from}
              data-to={data.period.to}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{DIMENSION_LABELS[by]}</Table.Th>
                  <Table.Th ta="right">Decided</Table.Th>
                  <Table.Th>Volume · share by default</Table.Th>
                  <Table.Th ta="right">Agreed</Table.Th>
                  <Table.Th ta="right">Default</Table.Th>
                  <Table.Th ta="right">Appealed</Table.Th>
                  <Table.Th ta="right">Overturned</Table.Th>
                  <Table.Th ta="right">
                    <Tooltip label="Evidence requests the party let expire, of all requests" withArrow>
                      <span>Evidence expired</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th ta="right">
                    <Tooltip label="Reply periods in which at least one party stayed silent" withArrow>
                      <span>Silent replies</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th ta="right">
                    <Tooltip label="Hours from escalation to the first decision, estimated from a histogram" withArrow>
                      <span>Hours p50 / p90 ≈</span>
                    </Tooltip>
                  </Table.Th>
                  <Table.Th>Refunds</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...data.rows, data.totals].map((r, i) => {
                  const total = i === data.rows.length;
                  return (
                    <Table.Tr
                      key={total ? '__total' : r.key}
                      fw={total ? 700 : undefined}
                      data-testid={total ? 'reports-total' : 'reports-row'}
                    >
                      <Table.Td>{by === 'reason' && !total ? reasonLabel(r.key) : r.label}</Table.Td>
                      <Table.Td ta="right">{total ? r.decided.toLocaleString() : count(r, 'decided', r.decided, 'Decided')}</Table.Td>
                      <Table.Td>{!total && <VolumeBar decided={r.decided} byDefault={r.default} max={maxDecided} />}</Table.Td>
                      <Table.Td ta="right">{total ? r.agreement : count(r, 'agreement', r.agreement, 'Settled by agreement')}</Table.Td>
                      <Table.Td ta="right">
                        {total ? r.default : count(r, 'default', r.default, 'Decided by default')}
                        <Text span fz="xs" c="dimmed">
                          {' '}
                          {r.decided ? pct(r.default / r.decided) : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">{total ? r.appealed : count(r, 'appealed', r.appealed, 'Appealed')}</Table.Td>
                      <Table.Td ta="right">
                        {total ? r.overturned : count(r, 'overturned', r.overturned, 'Overturned on appeal')}
                        <Text span fz="xs" c="dimmed">
                          {' '}
                          {r.appealed ? pct(r.overturned / r.appealed) : ''}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        {total ? r.evidenceExpired : count(r, 'evidenceExpired', r.evidenceExpired, 'An evidence request expired')}
                        <Text span fz="xs" c="dimmed">
                          {' '}
                          / {r.evidenceRequests}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        {total ? r.replyMissed : count(r, 'replyMissed', r.replyMissed, 'A party stayed silent in the reply period')}
                        <Text span fz="xs" c="dimmed">
                          {' '}
                          / {r.replyPeriods}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right" className="tabular">
                        {r.hoursToDecision.p50 ?? '—'} / {r.hoursToDecision.p90 ?? '—'}
                      </Table.Td>
                      <Table.Td>
                        <Stack gap={0}>
                          {r.refunds.map((f) => (
                            <Money key={f.currency} minor={f.amountMinor} currency={f.currency} fz="xs" />
                          ))}
                        </Stack>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </SideScroll>
        </>
      )}
      <DrillDrawer drill={drill} period={period} by={by} onClose={() => setDrill(null)} onOpen={onOpen} />
    </Box>
  );
}

/**
 * The period's key figures in one strip above the charts, so the first screen answers "how are
 * we doing" before any scrolling (the table's totals line says the same at its foot).
 */
function KeyFigures({ totals: t }: { totals: ReportRow }) {
  const share = (n: number, of: number) => (of ? pct(n / of) : '—');
  return (
    <Group gap="sm" mb="sm" wrap="wrap" data-testid="reports-key-figures">
      <Stat label="Decided" value={t.decided.toLocaleString()} hint="first decisions" testId="key-decided" />
      <Stat label="By default" value={share(t.default, t.decided)} hint={`${t.default.toLocaleString()} cases`} testId="key-default" />
      <Stat label="Appealed" value={share(t.appealed, t.decided)} hint={`${t.appealed.toLocaleString()} cases`} testId="key-appealed" />
      <Stat
        label="Overturned"
        value={share(t.overturned, t.appealed)}
        hint={`${t.overturned.toLocaleString()} of ${t.appealed.toLocaleString()} appeals`}
        testId="key-overturned"
      />
      <Stat
        label="Hours p50 / p90 ≈"
        value={`${t.hoursToDecision.p50 ?? '—'} / ${t.hoursToDecision.p90 ?? '—'}`}
        hint="escalation to decision"
        testId="key-hours"
      />
      <Stat
        label="Evidence expired"
        value={share(t.evidenceExpired, t.evidenceRequests)}
        hint={`${t.evidenceExpired.toLocaleString()} of ${t.evidenceRequests.toLocaleString()} requests`}
        testId="key-evidence"
      />
    </Group>
  );
}

/** Volume as a bar scaled to the busiest row, its default share in a darker part. */
function VolumeBar({ decided, byDefault, max }: { decided: number; byDefault: number; max: number }) {
  // 88 pixels: with 140 the table was 47 pixels wider than a 1024-pixel window's page and scrolled sideways.
  const width = 88;
  const w = Math.max(2, Math.round((decided / max) * width));
  const d = decided ? Math.round((byDefault / decided) * w) : 0;
  return (
    <svg width={width} height={10} role="img" aria-label={`${decided} decided, ${byDefault} by default`}>
      <rect x={0} y={1} width={w} height={8} rx={2} fill="var(--mantine-color-blue-3)" />
      <rect x={0} y={1} width={d} height={8} rx={2} fill="var(--mantine-color-orange-6)" />
    </svg>
  );
}

function DrillDrawer({
  drill,
  period,
  by,
  onClose,
  onOpen,
}: {
  drill: Drill | null;
  period: { from: string; to: string };
  by: ReportDimension;
  onClose: () => void;
  onOpen: (caseId: string) => void;
}) {
  const [after, setAfter] = useState<{ decidedAt: number; caseId: string } | undefined>(undefined);
  const input = drill ? { period, by, key: drill.key, metric: drill.metric, limit: 50, ...(after ? { after } : {}) } : null;
  const page = useMethodQuery('reports.cases', input);
  return (
    <Drawer
      opened={drill !== null}
      onClose={() => {
        setAfter(undefined);
        onClose();
      }}
      position="right"
      size="lg"
      title={drill ? `${drill.title} · ${drill.label}` : ''}
    >
      {page.loading && <Loader size="sm" />}
      {page.data && (
        <Stack gap="xs" data-testid="reports-cases">
          <Table fz="sm" verticalSpacing={4} highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Case</Table.Th>
                <Table.Th>Reason</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>Decided</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.data.rows.map((c) => (
                <Table.Tr key={c.caseId}>
                  <Table.Td>
                    <Anchor
                      component="button"
                      type="button"
                      className="mono"
                      onClick={() => {
                        // The drawer is a portal above every screen: close it so the case is not under it.
                        setAfter(undefined);
                        onClose();
                        onOpen(c.caseId);
                      }}
                    >
                      {c.caseId}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{reasonLabel(c.reason)}</Table.Td>
                  <Table.Td>
                    {outcomeLabel(c.outcome)} · <Money span minor={c.amountMinor} currency={c.currency} fz="xs" />
                    {c.appeal && (
                      <Text span fz="xs" c="dimmed">
                        {' '}
                        (appeal {c.appeal})
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td fz="xs">
                    {formatInstantCompact(c.decidedAt)} · {c.decidedBy}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Button size="xs" variant="default" disabled={!after} onClick={() => setAfter(undefined)}>
              First page
            </Button>
            <Button
              size="xs"
              variant="default"
              disabled={!page.data.nextCursor}
              onClick={() => setAfter(page.data?.nextCursor ?? undefined)}
            >
              Next 50
            </Button>
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
