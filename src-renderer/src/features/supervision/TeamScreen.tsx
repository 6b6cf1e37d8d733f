import { Badge, Box, Checkbox, Group, SegmentedControl, Text, Tooltip } from '@mantine/core';
import { LoadError, Loading } from '../../ui/LoadState';
import { useMemo, useState } from 'react';
import type { MediatorStats, TeamOverview } from '../../../../src-main/contract/supervision';
import { Countdown } from '../../ui/Countdown';
import { Money } from '../../ui/Money';
import { StatusBadge } from '../../ui/StatusBadge';
import { useToast } from '../../ui/Toast';
import { formatDuration, formatInstant, formatInstantCompact, reasonLabel } from '../../ui/format';
import { useMethodMutation, useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { AssignMenu } from './AssignMenu';
import { TeamConsistency } from '../casework/TeamConsistency';
import { Empty, MixBar, MixLegend, pct, pts, ScreenHeader, SideScroll, SortTh, Stat, useRowNav, useSort, userName } from './shared';

/** Refunds at these stages, all currencies (refund.update moves them: expected → processing → completed, or failed). */
const stageCount = (stages: Array<{ status: string; count: number }>, which: readonly string[]) =>
  stages.filter((s) => which.includes(s.status)).reduce((n, s) => n + s.count, 0);

type Col = 'name' | 'open' | 'overdue' | 'decided' | 'perDay' | 'refund' | 'delta' | 'share' | 'quality' | 'overturned';
const WINDOWS = ['7', '14', '30', '90'];
/** |Δ| from the team's refund rate at which the number is inked; the core's outlier flag (≥ 15 pts on enough decisions) turns it orange. */
const DELTA_NOTICE = 8;

const agreeRate = (q: MediatorStats['quality']) => (q.reviewed ? q.agreed / q.reviewed : null);
/** What a column sorts by (useSort wants a stable function). */
function sortValue(m: MediatorStats, k: Col): number | string {
  switch (k) {
    case 'name':
      return m.name;
    case 'open':
      return m.openCases;
    case 'overdue':
      return m.overdueCases;
    case 'decided':
      return m.decided;
    case 'perDay':
      return m.decidedPerDay;
    case 'refund':
      return m.refundRate;
    case 'delta':
      return Math.abs(m.refundRateDeltaPts);
    case 'share':
      return m.meanRefundShareOfClaim;
    case 'quality':
      return agreeRate(m.quality) ?? -1;
    case 'overturned':
      return m.appealsOverturned;
  }
}

/**
 * The team at a glance: each mediator's open and overdue cases, throughput and decision
 * mix against the team's, with the ones far from the team's refund rate marked. Select a
 * mediator to reassign their open cases (one or many); the cases waiting longest can be
 * assigned from the list beside it.
 */
export function TeamScreen({ onOpen, active }: { me: Me; onOpen: (caseId: string) => void; active: boolean }) {
  const [days, setDays] = useState('7');
  const query = useMethodQuery('team.overview', { days: Number(days) }, { enabled: active });
  const data = query.data;
  const [selected, setSelected] = useState<string | null>(null);
  const members = useMemo(() => data?.members ?? [], [data]);
  const names = useMemo(() => new Map(members.map((m) => [m.userId, m.name])), [members]);
  const { sorted, sort, toggle } = useSort<MediatorStats, Col>(members, { key: 'open', dir: 'desc' }, sortValue);
  const nav = useRowNav(sorted.length, (i) => sorted[i] && setSelected(sorted[i].userId));
  const chosen = members.find((m) => m.userId === selected) ?? null;
  const totalOpen = members.reduce((s, m) => s + m.openCases, 0);
  const totalOverdue = members.reduce((s, m) => s + m.overdueCases, 0);
  const outliers = members.filter((m) => m.outlier).length;

  return (
    <Box className="sv-page" data-testid="team-screen">
      <ScreenHeader
        title="Team"
        subtitle={
          data ? (
            <>
              Open work now; decisions over the last {data.windowDays} days (as of {formatInstant(data.asOf)}). Select a mediator to
              reassign their cases.
            </>
          ) : (
            'Open work, throughput and decision mix per mediator.'
          )
        }
        right={
          <div>
            <Text fz="xs" fw={500} mb={2}>
              Decisions over
            </Text>
            <SegmentedControl
              size="xs"
              value={days}
              onChange={setDays}
              data={WINDOWS.map((d) => ({ value: d, label: `${d} days` }))}
              aria-label="Window"
              data-testid="team-window"
            />
          </div>
        }
      />
      <LoadError title="The team overview could not be loaded" error={query.error} />
      {!data ? (
        query.loading && <Loading />
      ) : (
        <>
          <Group gap="sm" mb="md" wrap="wrap">
            <Stat label="Open, assigned" value={totalOpen.toLocaleString()} testId="stat-open" />
            <Stat
              label="Overdue"
              value={totalOverdue.toLocaleString()}
              tone={totalOverdue ? 'red.7' : undefined}
              hint="a deadline passed, someone must act"
              testId="stat-overdue"
            />
            <Stat
              label="Unassigned"
              value={data.unassigned.toLocaleString()}
              tone={data.unassigned ? 'blue.7' : undefined}
              hint="in the queue, nobody on it"
              testId="stat-unassigned"
            />
            <Stat
              label={`Decided, last ${data.windowDays} days`}
              value={data.team.decided.toLocaleString()}
              hint={`${data.team.decidedPerDay.toFixed(1)} a day`}
            />
            <Stat
              label="Team refund rate"
              value={pct(data.team.refundRate)}
              hint={`${pct(data.team.meanRefundShareOfClaim)} of the claim on average`}
            />
            <Stat
              label="Refunds being paid"
              value={stageCount(data.refundStages, ['expected', 'processing']).toLocaleString()}
              tone={stageCount(data.refundStages, ['failed']) ? 'red.7' : undefined}
              hint={(['processing', 'completed', 'failed'] as const).map((s) => `${stageCount(data.refundStages, [s])} ${s}`).join(' · ')}
              testId="stat-refunds"
            />
            <Stat
              label="Worth a look"
              value={outliers}
              tone={outliers ? 'orange.8' : undefined}
              hint="refund rate ≥ 15 pts from the team"
              testId="stat-outliers"
            />
          </Group>

          {/* No wider than its columns want (as wide as the stats above): at 2560 × 1440 the Mediator column took 1,290 px for names of 130. */}
          <div className="sv-card" style={{ marginBottom: 'var(--mantine-spacing-md)', maxWidth: 1600 }}>
            <div className="sv-card-head">
              <span className="sv-card-title">Mediators · {members.length}</span>
              <MixLegend />
            </div>
            {/* Eleven columns: on a narrow window this card scrolls sideways inside itself and says so; the page does not. */}
            <SideScroll minWidth={0}>
              <table className="sv-table" data-testid="team-table">
                <thead>
                  <tr>
                    <SortTh label="Mediator" col="name" sort={sort} onSort={toggle} firstDir="asc" />
                    <SortTh label="Open" col="open" sort={sort} onSort={toggle} align="right" width={70} />
                    <SortTh label="Overdue" col="overdue" sort={sort} onSort={toggle} align="right" width={86} />
                    <SortTh label="Decided" col="decided" sort={sort} onSort={toggle} align="right" width={84} />
                    <SortTh label="Per day" col="perDay" sort={sort} onSort={toggle} align="right" width={80} />
                    <th style={{ width: 130 }}>Decision mix</th>
                    <SortTh
                      label="Refund rate"
                      col="refund"
                      sort={sort}
                      onSort={toggle}
                      align="right"
                      width={104}
                      title="Share of decisions with any refund"
                    />
                    <SortTh
                      label="vs team"
                      col="delta"
                      sort={sort}
                      onSort={toggle}
                      width={170}
                      title="Refund rate minus the team's, in percentage points"
                    />
                    <SortTh
                      label="Of claim"
                      col="share"
                      sort={sort}
                      onSort={toggle}
                      align="right"
                      width={88}
                      title="Mean refunded share of the claim"
                    />
                    <SortTh
                      label="Quality agree"
                      col="quality"
                      sort={sort}
                      onSort={toggle}
                      align="right"
                      width={120}
                      title="Supervisors' quality reviews that agreed"
                    />
                    <SortTh
                      label="Overturned"
                      col="overturned"
                      sort={sort}
                      onSort={toggle}
                      align="right"
                      width={104}
                      title="Appeals against their decisions that were overturned"
                    />
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((m, i) => (
                    <tr
                      key={m.userId}
                      {...nav(i)}
                      onClick={() => setSelected(m.userId)}
                      aria-selected={m.userId === selected}
                      data-tone={m.outlier ? 'outlier' : undefined}
                      data-testid="member-row"
                      data-user-id={m.userId}
                    >
                      <td>
                        <Text fz="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
                          {m.name}
                        </Text>
                        <Text fz="xs" c="dimmed">
                          {m.userId}
                          {m.role === 'supervisor' ? ' · supervisor' : ''}
                        </Text>
                      </td>
                      <td className="num">{m.openCases}</td>
                      <td className="num">
                        <Text
                          span
                          fz="sm"
                          fw={m.overdueCases ? 700 : undefined}
                          c={m.overdueCases ? 'red.7' : 'dimmed'}
                          data-testid="member-overdue"
                        >
                          {m.overdueCases}
                        </Text>
                      </td>
                      <td className="num">{m.decided}</td>
                      <td className="num">{m.decidedPerDay.toFixed(1)}</td>
                      <td>
                        <MixBar mix={m.mix} team={data.team.mix} width={110} />
                      </td>
                      <td className="num">{m.decided ? pct(m.refundRate) : '—'}</td>
                      <td>
                        <DeltaCell m={m} team={data} />
                      </td>
                      <td className="num">{m.decided ? pct(m.meanRefundShareOfClaim) : '—'}</td>
                      <td className="num">
                        <QualityCell q={m.quality} />
                      </td>
                      <td className="num">
                        <Text span fz="sm" c={m.appealsOverturned ? 'red.7' : 'dimmed'} fw={m.appealsOverturned ? 600 : undefined}>
                          {m.appealsOverturned}
                        </Text>
                      </td>
                    </tr>
                  ))}
                </tbody>
                {members.length > 0 && (
                  <tfoot>
                    <tr>
                      <td>Team</td>
                      <td className="num">{totalOpen}</td>
                      <td className="num">{totalOverdue}</td>
                      <td className="num">{data.team.decided}</td>
                      <td className="num">{data.team.decidedPerDay.toFixed(1)}</td>
                      <td>
                        <MixBar mix={data.team.mix} width={110} />
                      </td>
                      <td className="num">{pct(data.team.refundRate)}</td>
                      <td />
                      <td className="num">{pct(data.team.meanRefundShareOfClaim)}</td>
                      <td className="num">
                        <QualityCell q={data.team.quality} />
                      </td>
                      <td className="num">{data.team.appealsOverturned}</td>
                    </tr>
                  </tfoot>
                )}
              </table>
              {members.length === 0 && (
                <Empty
                  title="Nobody on the team yet."
                  hint="Mediators appear here once they have a sign-in; their open cases and decisions follow."
                />
              )}
            </SideScroll>
          </div>

          {/* Side by side where both fit; one above the other on a narrow window. */}
          <div
            style={{
              display: 'grid',
              gridTemplateColumns: 'repeat(auto-fit, minmax(min(100%, 560px), 1fr))',
              gap: 16,
              alignItems: 'start',
            }}
          >
            <MemberCases member={chosen} data={data} onOpen={onOpen} active={active} />
            <WaitingLongest data={data} names={names} onOpen={onOpen} />
          </div>
          <Box mt="md">
            <TeamConsistency days={Number(days)} active={active} />
          </Box>
        </>
      )}
    </Box>
  );
}

function DeltaCell({ m, team }: { m: MediatorStats; team: TeamOverview }) {
  if (!m.decided)
    return (
      <Text span fz="xs" c="dimmed">
        no decisions
      </Text>
    );
  const d = m.refundRateDeltaPts;
  // The core decides what is an outlier (far enough, on enough decisions); a large gap on a
  // handful of decisions is shown in plain ink, not as a warning.
  const notice = !m.outlier && Math.abs(d) >= DELTA_NOTICE;
  // A bar centred on the team's rate: left is stricter, right more generous.
  const width = Math.min(50, Math.abs(d));
  return (
    // max-content: the badge shrinks (ellipsis) in the table's sizing, so a squeezed column ran it over the next figure.
    <Group gap={8} wrap="nowrap" data-testid="member-delta" style={{ minWidth: 'max-content' }}>
      <Tooltip
        label={`Refund rate ${pct(m.refundRate)} against the team's ${pct(team.team.refundRate)}: ${d > 0 ? 'more generous' : d < 0 ? 'stricter' : 'the same'}`}
        withArrow
        openDelay={200}
      >
        <div
          style={{ position: 'relative', width: 56, height: 10, background: 'var(--mantine-color-gray-1)', borderRadius: 2, flexShrink: 0 }}
        >
          <span style={{ position: 'absolute', left: 27, top: -2, bottom: -2, width: 2, background: 'var(--mantine-color-gray-5)' }} />
          <span
            style={{
              position: 'absolute',
              top: 1,
              bottom: 1,
              left: d >= 0 ? 28 : 28 - (width * 28) / 50,
              width: (width * 28) / 50,
              background: `var(--mantine-color-${m.outlier ? 'orange-6' : notice ? 'gray-6' : 'gray-4'})`,
              borderRadius: 1,
            }}
          />
        </div>
      </Tooltip>
      <Text
        span
        fz="sm"
        className="tabular"
        fw={m.outlier ? 700 : notice ? 600 : undefined}
        c={m.outlier ? 'orange.8' : notice ? 'dark.4' : 'dimmed'}
        style={{ whiteSpace: 'nowrap' }}
      >
        {pts(d)}
      </Text>
      {m.outlier && (
        <Badge
          size="xs"
          radius="sm"
          color="orange"
          variant="filled"
          style={{ textTransform: 'none', flexShrink: 0 }}
          data-testid="outlier-badge"
        >
          worth a look
        </Badge>
      )}
    </Group>
  );
}

function QualityCell({ q }: { q: MediatorStats['quality'] }) {
  const rate = agreeRate(q);
  if (rate === null)
    return (
      <Text span fz="xs" c="dimmed">
        no reviews yet
      </Text>
    );
  return (
    <Tooltip label={`${q.agreed} agreed, ${q.disagreed} disagreed of ${q.reviewed} reviewed`} withArrow openDelay={200}>
      <Text span fz="sm" className="tabular" fw={600} c={rate < 0.8 ? 'red.7' : rate < 0.9 ? 'orange.8' : 'teal.8'}>
        {pct(rate)}{' '}
        <Text span fz="xs" c="dimmed" fw={400}>
          of {q.reviewed}
        </Text>
      </Text>
    </Tooltip>
  );
}

// ---------------------------------------------------------------- one mediator's open cases

/** One mediator's open cases (read on the server, one bounded page), to reassign some. */
function MemberCases({
  member,
  data,
  onOpen,
  active,
}: {
  member: MediatorStats | null;
  data: TeamOverview;
  onOpen: (caseId: string) => void;
  active: boolean;
}) {
  const cases = useMethodQuery('team.memberCases', member ? { userId: member.userId } : null, { enabled: active });
  const caseRows = useMemo(() => cases.data?.rows ?? [], [cases.data]);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const assignMany = useMethodMutation('case.assignMany');
  const busy = assignMany.isPending;
  const toast = useToast();
  // Adjusted while rendering, from what was last seen: another mediator starts with nothing
  // selected; cases that left this mediator (reassigned, decided) leave the selection too.
  const memberId = member?.userId;
  const ids = caseRows.map((r) => r.id).join(',');
  const [seen, setSeen] = useState({ memberId, ids });
  if (seen.memberId !== memberId || seen.ids !== ids) {
    setSeen({ memberId, ids });
    if (seen.memberId !== memberId) setChecked(new Set<string>());
    else setChecked((c) => new Set([...c].filter((id) => caseRows.some((r) => r.id === id))));
  }
  const rows = useMemo(
    () =>
      [...caseRows].sort(
        (a, b) =>
          Number(b.overdue) - Number(a.overdue) ||
          (a.nextDeadlineAt ?? '9').localeCompare(b.nextDeadlineAt ?? '9') ||
          a.escalatedAt.localeCompare(b.escalatedAt),
      ),
    [caseRows],
  );
  const nav = useRowNav(rows.length, (i) => rows[i] && onOpen(rows[i].id));

  if (!member)
    return (
      <div className="sv-card" data-testid="member-cases">
        <div className="sv-card-head">
          <span className="sv-card-title">Open cases of a mediator</span>
        </div>
        <Empty
          title="Select a mediator above."
          hint="Their open cases show here, overdue first; tick some and reassign them to someone with room."
        />
      </div>
    );

  const all = rows.length > 0 && checked.size === rows.length;
  async function reassign(userId: string) {
    if (busy || checked.size === 0) return;
    const caseIds = [...checked];
    const r = await assignMany.mutateAsync({ caseIds, userId });
    if (!r.ok) return toast({ title: 'Nothing was reassigned', message: r.error.message, color: 'red' });
    const to = data.members.find((m) => m.userId === userId)?.name ?? userId;
    toast({ message: `${caseIds.length} case${caseIds.length === 1 ? '' : 's'} reassigned to ${to}.`, color: 'teal' });
    setChecked(new Set());
  }

  return (
    <div className="sv-card" data-testid="member-cases">
      <div className="sv-card-head">
        <span className="sv-card-title">
          Open cases of {member.name} · {member.openCases}
          {member.overdueCases > 0 && (
            <Text span inherit c="red.7">
              {' '}
              · {member.overdueCases} overdue
            </Text>
          )}
        </span>
        <Group gap="xs" wrap="nowrap">
          <Text fz="xs" c="dimmed" className="tabular" data-testid="checked-count">
            {checked.size} selected
          </Text>
          <AssignMenu
            members={data.members}
            exclude={member.userId}
            label={checked.size ? `Reassign ${checked.size} to…` : 'Reassign to…'}
            onPick={(u) => void reassign(u)}
            loading={busy}
            disabled={checked.size === 0}
            size="xs"
            testId="bulk-reassign"
          />
        </Group>
      </div>
      <div className="sv-scroll" style={{ maxHeight: 520 }}>
        <table className="sv-table">
          <thead>
            <tr>
              <th style={{ width: 36 }}>
                <Checkbox
                  size="xs"
                  aria-label="Select all"
                  checked={all}
                  indeterminate={checked.size > 0 && !all}
                  onChange={() => setChecked(all ? new Set() : new Set(rows.map((r) => r.id)))}
                  disabled={rows.length === 0}
                />
              </th>
              <th>Case</th>
              <th>Status</th>
              <th>Reason</th>
              <th style={{ textAlign: 'right' }}>Claim</th>
              <th>Next deadline</th>
              <th>Escalated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr
                key={r.id}
                {...nav(i)}
                onClick={() => onOpen(r.id)}
                aria-selected={checked.has(r.id)}
                data-testid="member-case-row"
                data-case-id={r.id}
              >
                <td onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    size="xs"
                    aria-label={`Select ${r.id}`}
                    checked={checked.has(r.id)}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      setChecked((c) => {
                        const next = new Set(c);
                        if (on) next.add(r.id);
                        else next.delete(r.id);
                        return next;
                      });
                    }}
                  />
                </td>
                <td className="nowrap">
                  <Text span fz="sm" fw={600} className="mono">
                    {r.id}
                  </Text>
                </td>
                <td>
                  <Group gap={4} wrap="nowrap">
                    <StatusBadge status={r.status} />
                    {r.forcedDecision && (
                      <Badge size="xs" color="red" radius="sm" variant="filled" style={{ textTransform: 'none' }}>
                        forced
                      </Badge>
                    )}
                  </Group>
                </td>
                <td>
                  <Text fz="sm" truncate maw={200}>
                    {reasonLabel(r.reason)}
                  </Text>
                </td>
                <td className="num">
                  <Money minor={r.claimAmountMinor} currency={r.currency} />
                </td>
                <td className="nowrap">
                  {r.overdue && !r.nextDeadlineAt ? (
                    <Text span fz="sm" c="red.7" fw={600}>
                      overdue
                    </Text>
                  ) : (
                    <Countdown at={r.nextDeadlineAt} />
                  )}
                </td>
                <td className="nowrap">
                  <Text span fz="xs" c="dimmed">
                    {formatInstantCompact(r.escalatedAt)}
                  </Text>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {cases.loading && rows.length === 0 && <Loading padding="lg" />}
        {cases.error && (
          <Text c="red.7" fz="sm" p="md">
            {cases.error.message}
          </Text>
        )}
        {cases.data?.nextCursor && (
          <Text fz="xs" c="dimmed" p="sm" data-testid="member-cases-more">
            The first {rows.length.toLocaleString()} of {member.openCases.toLocaleString()} open cases, what needs action first.
          </Text>
        )}
        {!cases.loading && !cases.error && rows.length === 0 && (
          <Empty title={`${member.name} has no open cases.`} hint="Assign them work from “Waiting longest” beside this list." />
        )}
      </div>
    </div>
  );
}

// ---------------------------------------------------------------- waiting longest

function WaitingLongest({ data, names, onOpen }: { data: TeamOverview; names: Map<string, string>; onOpen: (caseId: string) => void }) {
  const assignOne = useMethodMutation('case.assign');
  const busy = assignOne.isPending ? (assignOne.variables?.caseId ?? null) : null;
  const toast = useToast();
  const rows = data.waitingLongest;
  const nav = useRowNav(rows.length, (i) => rows[i] && onOpen(rows[i].caseId));
  async function assign(caseId: string, userId: string) {
    const r = await assignOne.mutateAsync({ caseId, userId });
    if (!r.ok) return toast({ title: `${caseId} was not assigned`, message: r.error.message, color: 'red' });
    toast({ message: `${caseId} assigned to ${names.get(userId) ?? userId}.`, color: 'teal' });
  }
  return (
    <div className="sv-card" data-testid="waiting-longest">
      <div className="sv-card-head">
        <span className="sv-card-title">Waiting longest</span>
        <Text fz="xs" c="dimmed">
          since escalation ·{' '}
          <Text span inherit c="orange.8">
            over 3 days
          </Text>{' '}
          ·{' '}
          <Text span inherit c="red.7">
            a deadline passed
          </Text>
        </Text>
      </div>
      <div className="sv-scroll" style={{ maxHeight: 520 }}>
        <table className="sv-table">
          <tbody>
            {rows.map((w, i) => (
              <tr key={w.caseId} {...nav(i)} onClick={() => onOpen(w.caseId)} data-testid="waiting-row" data-case-id={w.caseId}>
                <td className="nowrap" style={{ width: 92 }}>
                  <Tooltip label={`Escalated ${formatInstant(w.escalatedAt)}`} withArrow openDelay={300}>
                    <Text
                      span
                      fz="sm"
                      fw={700}
                      className="tabular"
                      c={w.overdue ? 'red.7' : w.waitingMs > 72 * 3_600_000 ? 'orange.8' : undefined}
                    >
                      {formatDuration(w.waitingMs)}
                    </Text>
                  </Tooltip>
                  {w.overdue && (
                    <Text fz="xs" c="red.7" fw={600}>
                      overdue
                    </Text>
                  )}
                </td>
                <td>
                  <Group gap={6} wrap="nowrap">
                    <Text span fz="sm" fw={600} className="mono">
                      {w.caseId}
                    </Text>
                    <StatusBadge status={w.status} size="xs" />
                  </Group>
                  <Text fz="xs" c="dimmed" truncate maw={300}>
                    {reasonLabel(w.reason)} ·{' '}
                    {w.assignee ? (
                      userName(names, w.assignee)
                    ) : (
                      <Text span inherit c="blue.7" fw={600}>
                        unassigned
                      </Text>
                    )}
                  </Text>
                </td>
                <td style={{ width: 100, textAlign: 'right' }} onClick={(e) => e.stopPropagation()}>
                  <AssignMenu
                    members={data.members}
                    exclude={w.assignee}
                    label={w.assignee ? 'Reassign' : 'Assign'}
                    onPick={(u) => void assign(w.caseId, u)}
                    loading={busy === w.caseId}
                    testId="waiting-assign"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <Empty
            title="Nothing is waiting."
            hint="Every open case has moved recently. Cases show here when they sit longest since escalation."
          />
        )}
      </div>
    </div>
  );
}
