import { Alert, Badge, Box, Button, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { LoadError, Loading } from '../../ui/LoadState';
import { useCallback, useMemo, useState } from 'react';
import type { MediatorStats, QualityRow } from '../../../../src-main/contract/supervision';
import { IconAlert } from '../../ui/Icons';
import { Money } from '../../ui/Money';
import { Fact } from '../../ui/Section';
import { formatInstant, formatInstantCompact, reasonLabel } from '../../ui/format';
import { useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { OutcomeBadge } from '../../ui/outcomes';
import { Empty, pct, ScreenHeader, SortTh, useRowNav, useSort, userName } from './shared';
import { CalibrationCard, ScorecardForm, ScorecardList } from './Scorecards';
import { NoiseAuditCard } from './NoiseAudit';

type Status = 'pending' | 'reviewed';
type Col = 'sampled' | 'case' | 'decider' | 'outcome';

/**
 * Decision-quality sampling: a random share of closed cases comes to a supervisor, who
 * scores the decision on four criteria (root causes for low marks) and agrees or disagrees;
 * a quarter of the samples are scored by two supervisors (calibration). The results per mediator are beside
 * the list (also on the Team screen).
 */
export function QualityScreen({ me, onOpen, active }: { me: Me; onOpen: (caseId: string) => void; active: boolean }) {
  const [status, setStatus] = useState<Status>('pending');
  const query = useMethodQuery('quality.list', { status, limit: 200 }, { enabled: active });
  const team = useMethodQuery('team.overview', { days: 30 }, { enabled: active });
  const names = useMemo(() => new Map((team.data?.members ?? []).map((m) => [m.userId, m.name])), [team.data]);
  const rows = useMemo(() => query.data?.rows ?? [], [query.data]);
  const sortValue = useCallback(
    (r: QualityRow, k: Col) =>
      k === 'sampled'
        ? r.sampledAt
        : k === 'case'
          ? r.caseId
          : k === 'decider'
            ? userName(names, r.decision.decidedBy)
            : r.decision.outcome,
    [names],
  );
  const { sorted, sort, toggle } = useSort<QualityRow, Col>(rows, { key: 'sampled', dir: 'asc' }, sortValue);
  const [selected, setSelected] = useState<string | null>(null);
  const current = sorted.find((r) => r.caseId === selected) ?? null;
  // Keep a selection: the first row at the start, the next one after a review (set while
  // rendering, so it stays on its row when the list changes under it).
  if (!current && sorted.length) setSelected(sorted[0]!.caseId);
  const nav = useRowNav(sorted.length, (i) => sorted[i] && setSelected(sorted[i].caseId));

  const reviewedDone = (caseId: string) => {
    const i = sorted.findIndex((r) => r.caseId === caseId);
    const next = sorted[i + 1] ?? sorted[i - 1];
    setSelected(next && next.caseId !== caseId ? next.caseId : null);
  };

  return (
    <Box className="sv-page" data-testid="quality-screen">
      <ScreenHeader
        title="Decision quality"
        subtitle={
          query.data ? (
            <>
              A random {pct(query.data.sampleRate)} of closed cases comes here for a second look: a scorecard on four criteria, then agree
              or disagree.{' '}
              <Text span inherit fw={600} c="dark" data-testid="quality-total">
                {query.data.total} {status === 'pending' ? 'waiting for review' : 'reviewed'}
              </Text>
              .
            </>
          ) : (
            'A random share of closed cases, for a second look.'
          )
        }
        right={
          <SegmentedControl
            size="xs"
            value={status}
            onChange={(v) => {
              setStatus(v);
              setSelected(null);
            }}
            data={[
              { value: 'pending', label: 'To review' },
              { value: 'reviewed', label: 'Reviewed' },
            ]}
            aria-label="Samples"
            data-testid="quality-status"
          />
        }
      />
      <LoadError title="The samples could not be loaded" error={query.error} />
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) clamp(340px, 34vw, 440px)', gap: 16, alignItems: 'start' }}>
        {/* At 1024 px the list shares the row with the review panel: the table scrolls inside its card. */}
        <div className="sv-card" data-scroll-x style={{ overflowX: 'auto' }}>
          <table className="sv-table" data-testid="quality-table">
            <thead>
              <tr>
                <SortTh label="Case" col="case" sort={sort} onSort={toggle} firstDir="asc" width={170} />
                <SortTh label="Decision" col="outcome" sort={sort} onSort={toggle} firstDir="asc" width={200} />
                <SortTh label="Decided by" col="decider" sort={sort} onSort={toggle} firstDir="asc" width={170} />
                <th className="sv-wide-only">Reasons</th>
                {status === 'reviewed' ? (
                  <th style={{ width: 130 }}>Review</th>
                ) : (
                  <SortTh label="Sampled" col="sampled" sort={sort} onSort={toggle} firstDir="asc" width={120} />
                )}
              </tr>
            </thead>
            <tbody>
              {sorted.map((r, i) => (
                <tr
                  key={r.caseId}
                  {...nav(i)}
                  onClick={() => setSelected(r.caseId)}
                  aria-selected={r.caseId === selected}
                  data-testid="quality-row"
                  data-case-id={r.caseId}
                >
                  <td>
                    <Text fz="sm" fw={700} className="mono">
                      {r.caseId}
                    </Text>
                    <Text fz="xs" c="dimmed">
                      {reasonLabel(r.reason)}
                    </Text>
                  </td>
                  <td>
                    <Group gap={6}>
                      <OutcomeBadge outcome={r.decision.outcome} />
                      <Money minor={r.decision.amountMinor} currency={r.currency} />
                    </Group>
                  </td>
                  <td>
                    <Text fz="sm" fw={500} c={r.decision.decidedBy === me.userId ? 'dimmed' : undefined}>
                      {r.decision.decidedBy === me.userId ? 'you' : userName(names, r.decision.decidedBy)}
                    </Text>
                    <Text fz="xs" c="dimmed" className="nowrap">
                      {formatInstantCompact(r.decision.decidedAt)}
                    </Text>
                  </td>
                  <td className="sv-wide-only">
                    <Text fz="sm" className="sv-excerpt" c="dark.5">
                      {r.decision.reasons}
                    </Text>
                  </td>
                  <td className="nowrap">
                    {r.review ? (
                      <>
                        <VerdictBadge verdict={r.review.verdict} />
                        <Text fz="xs" c="dimmed">
                          {userName(names, r.review.by)}
                        </Text>
                      </>
                    ) : (
                      <Text fz="xs" c="dimmed">
                        {formatInstantCompact(r.sampledAt)}
                      </Text>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {query.loading && !query.data && <Loading padding="lg" />}
          {query.data && rows.length === 0 && (
            <Empty
              testId="quality-empty"
              title={status === 'pending' ? 'Nothing waits for a quality review.' : 'No reviews yet.'}
              hint={
                status === 'pending'
                  ? `Closed cases are sampled as they are decided (${pct(query.data.sampleRate)}); new samples appear here. The sample share is part of the policy.`
                  : 'Reviews you and the other supervisors record show here with their notes.'
              }
            />
          )}
        </div>
        <Stack gap="md" className="sv-side" style={{ position: 'sticky', top: 0, minWidth: 0 }}>
          {current ? <ReviewCard key={current.caseId} row={current} me={me} names={names} onOpen={onOpen} onDone={reviewedDone} /> : null}
          <ResultsPerMediator members={team.data?.members ?? []} />
          <CalibrationCard active={active} />
          <NoiseAuditCard active={active} />
        </Stack>
      </div>
    </Box>
  );
}

function VerdictBadge({ verdict }: { verdict: 'agree' | 'disagree' }) {
  return (
    <Badge
      size="sm"
      radius="sm"
      variant="light"
      color={verdict === 'agree' ? 'teal' : 'red'}
      style={{ textTransform: 'none' }}
      data-testid="verdict-badge"
    >
      {verdict === 'agree' ? 'Agreed' : 'Disagreed'}
    </Badge>
  );
}

function ReviewCard({
  row,
  me,
  names,
  onOpen,
  onDone,
}: {
  row: QualityRow;
  me: Me;
  names: Map<string, string>;
  onOpen: (caseId: string) => void;
  onDone: (caseId: string) => void;
}) {
  const d = row.decision;

  return (
    <div className="sv-card" data-testid="quality-review">
      <div className="sv-card-head">
        <span className="sv-card-title">
          {row.review ? 'Review' : 'Your review'} · <span className="mono">{row.caseId}</span>
        </span>
        <Button size="compact-xs" variant="subtle" onClick={() => onOpen(row.caseId)}>
          Open the case
        </Button>
      </div>
      <div className="sv-card-body">
        <Group gap="lg" mb="xs" align="flex-start">
          <Fact label="Decision">
            <Group gap={6} wrap="nowrap">
              <OutcomeBadge outcome={d.outcome} />
              <Money minor={d.amountMinor} currency={row.currency} strong />
            </Group>
          </Fact>
          <Fact label="Decided">
            {userName(names, d.decidedBy)} · {formatInstant(d.decidedAt)}
          </Fact>
        </Group>
        <Text fz="xs" c="dimmed" mb={2}>
          {reasonLabel(row.reason)} · reasons given
        </Text>
        <Text fz="sm" mb="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 180, overflowY: 'auto' }}>
          {d.reasons}
        </Text>
        {row.review && (
          <Box p="sm" bg={row.review.verdict === 'agree' ? 'teal.0' : 'red.0'} style={{ borderRadius: 'var(--mantine-radius-sm)' }}>
            <Group gap="xs" mb={4}>
              <VerdictBadge verdict={row.review.verdict} />
              <Text fz="xs" c="dimmed">
                {userName(names, row.review.by)}, {formatInstant(row.review.at)}
              </Text>
            </Group>
            <Text fz="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {row.review.note}
            </Text>
          </Box>
        )}
        <ScorecardList cards={row.scorecards} names={names} />
        {row.mayScore ? (
          <ScorecardForm row={row} onDone={onDone} />
        ) : (
          !row.review && (
            <Alert color="orange" variant="light" icon={<IconAlert size={16} />} data-testid="quality-blocked">
              {d.decidedBy === me.userId ? 'You made this decision' : 'You handled this case'}: another supervisor reviews its quality.
            </Alert>
          )
        )}
      </div>
    </div>
  );
}

function ResultsPerMediator({ members }: { members: MediatorStats[] }) {
  const rows = members
    .filter((m) => m.quality.reviewed > 0 || m.role === 'mediator')
    .sort((a, b) => b.quality.reviewed - a.quality.reviewed || a.name.localeCompare(b.name));
  return (
    <div className="sv-card" data-testid="quality-results">
      <div className="sv-card-head">
        <span className="sv-card-title">Results per mediator</span>
        <Text fz="xs" c="dimmed">
          all reviews
        </Text>
      </div>
      <table className="sv-table">
        <thead>
          <tr>
            <th>Mediator</th>
            <th style={{ textAlign: 'right' }}>Reviewed</th>
            <th style={{ width: '40%' }}>Agree</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => {
            const rate = m.quality.reviewed ? m.quality.agreed / m.quality.reviewed : null;
            const tone = rate === null ? 'gray' : rate < 0.8 ? 'red' : rate < 0.9 ? 'orange' : 'teal';
            return (
              <tr key={m.userId} data-testid="quality-result-row" data-user-id={m.userId}>
                <td>
                  <Text fz="sm" fw={500}>
                    {m.name}
                  </Text>
                </td>
                <td className="num">
                  {m.quality.reviewed}
                  {/* On its own line: the narrow side column at 1024 px has no room beside the count. */}
                  {m.quality.disagreed > 0 && (
                    <Text fz="xs" c="red.7">
                      {m.quality.disagreed} disagreed
                    </Text>
                  )}
                </td>
                <td>
                  {rate === null ? (
                    <Text fz="xs" c="dimmed">
                      no reviews yet
                    </Text>
                  ) : (
                    <Group gap={6} wrap="nowrap">
                      <div style={{ flex: 1, height: 8, background: 'var(--mantine-color-gray-1)', borderRadius: 2, overflow: 'hidden' }}>
                        <div style={{ width: `${rate * 100}%`, height: '100%', background: `var(--mantine-color-${tone}-5)` }} />
                      </div>
                      <Text span fz="sm" fw={600} c={`${tone}.8`} className="tabular" w={44} ta="right">
                        {pct(rate)}
                      </Text>
                    </Group>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 && <Empty title="No results yet." hint="They appear as supervisors review samples." />}
    </div>
  );
}
