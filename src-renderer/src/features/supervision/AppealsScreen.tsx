import { Badge, Box, Button, Checkbox, Group, SegmentedControl, Text, Tooltip } from '@mantine/core';
import { LoadError, Loading } from '../../ui/LoadState';
import { useMemo, useState } from 'react';
import type { AppealRow } from '../../../../src-main/contract/supervision';
import { Money } from '../../ui/Money';
import { ACTOR_COLORS, formatInstantCompact, humanize, reasonLabel } from '../../ui/format';
import { useNow } from '../../ui/clock';
import { useMethodQuery } from '../../api/queries';
import type { Me } from '../../api/types';
import { AGE_LATE_MS, AGE_WARN_MS, AgeBadge } from '../../ui/AgeBadge';
import { GROUNDS_LABELS, OutcomeBadge } from '../../ui/outcomes';
import { Empty, ScreenHeader, SortTh, useRowNav, useSort } from './shared';

type Grounds = 'all' | AppealRow['appeal']['grounds'];
type Col = 'age' | 'case' | 'grounds' | 'outcome' | 'decider';
/** What a column sorts by (useSort wants a stable function). */
const sortValue = (r: AppealRow, k: Col): number | string =>
  k === 'age'
    ? r.ageMs
    : k === 'case'
      ? r.caseId
      : k === 'grounds'
        ? r.appeal.grounds
        : k === 'outcome'
          ? r.decision.outcome
          : r.decision.decidedBy;

/**
 * The supervisors' appeals queue: every appealed case, oldest appeal first, the appeal's
 * grounds and text beside the decision it contests. Opening a row opens the case with the
 * review panel. Cases the signed-in supervisor decided or handled are marked: they may read
 * them but another supervisor reviews (the core refuses it anyway: SEPARATION_OF_DUTIES).
 */
export function AppealsScreen({ me, onOpen, active }: { me: Me; onOpen: (caseId: string) => void; active: boolean }) {
  const query = useMethodQuery('appeals.list', { limit: 200 }, { enabled: active });
  const [grounds, setGrounds] = useState<Grounds>('all');
  const [onlyMine, setOnlyMine] = useState(false);
  const all = query.data?.rows;
  const rows = useMemo(
    () => (all ?? []).filter((r) => (grounds === 'all' || r.appeal.grounds === grounds) && (!onlyMine || r.mayReview)),
    [all, grounds, onlyMine],
  );
  const { sorted, sort, toggle } = useSort<AppealRow, Col>(rows, { key: 'age', dir: 'desc' }, sortValue);
  const nav = useRowNav(sorted.length, (i) => sorted[i] && onOpen(sorted[i].caseId));

  const late = (all ?? []).filter((r) => r.ageMs >= AGE_LATE_MS).length;
  const warn = (all ?? []).filter((r) => r.ageMs >= AGE_WARN_MS && r.ageMs < AGE_LATE_MS).length;
  const notMine = (all ?? []).filter((r) => !r.mayReview).length;

  return (
    <Box className="sv-page" data-testid="appeals-screen">
      <ScreenHeader
        title="Appeals"
        subtitle={
          query.data ? (
            <>
              <Text span inherit fw={600} c="dark" data-testid="appeals-total">
                {query.data.total} appeal{query.data.total === 1 ? '' : 's'} waiting
              </Text>
              {late > 0 && (
                <Text span inherit c="red.7" fw={600}>
                  {' '}
                  · {late} older than 5 days
                </Text>
              )}
              {warn > 0 && (
                <Text span inherit c="orange.8">
                  {' '}
                  · {warn} older than 2 days
                </Text>
              )}
              {notMine > 0 && (
                <>
                  {' '}
                  · {notMine} yours: another supervisor reviews {notMine === 1 ? 'it' : 'them'}
                </>
              )}
            </>
          ) : (
            'Appealed cases, oldest appeal first.'
          )
        }
        right={
          <>
            <SegmentedControl
              size="xs"
              value={grounds}
              onChange={(v) => setGrounds(v)}
              data={[
                { value: 'all', label: 'All grounds' },
                { value: 'outcome', label: 'Outcome' },
                { value: 'mediator_conduct', label: 'Conduct' },
                { value: 'new_evidence', label: 'New evidence' },
              ]}
              aria-label="Grounds"
            />
            <Checkbox
              size="xs"
              label="Only ones I may review"
              checked={onlyMine}
              onChange={(e) => setOnlyMine(e.currentTarget.checked)}
              mb={4}
            />
          </>
        }
      />

      <LoadError title="The appeals could not be loaded" error={query.error} />

      <div className="sv-card">
        {/* Fixed layout: the set widths hold, and the appeal's own text takes what is left. */}
        <table className="sv-table" data-testid="appeals-table" style={{ tableLayout: 'fixed' }}>
          <thead>
            <tr>
              <SortTh label="Waiting" col="age" sort={sort} onSort={toggle} width={128} />
              <SortTh label="Case" col="case" sort={sort} onSort={toggle} firstDir="asc" width={168} />
              <SortTh label="Appeal" col="grounds" sort={sort} onSort={toggle} firstDir="asc" />
              <SortTh label="Decision appealed" col="outcome" sort={sort} onSort={toggle} firstDir="asc" width={168} />
              <SortTh label="Decided by" col="decider" sort={sort} onSort={toggle} firstDir="asc" width={160} />
              <th style={{ width: 164 }}>Review</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((r, i) => (
              <tr
                key={r.caseId}
                {...nav(i)}
                onClick={() => onOpen(r.caseId)}
                data-testid="appeal-row"
                data-case-id={r.caseId}
                data-tone={r.mayReview ? undefined : 'own'}
              >
                <td>
                  <AgeCell filedAt={r.appeal.filedAt} ageMs={r.ageMs} />
                  <Text fz="xs" c="dimmed" mt={4} className="nowrap">
                    filed {formatInstantCompact(r.appeal.filedAt)}
                  </Text>
                </td>
                <td>
                  <Text fz="sm" fw={700} className="mono">
                    {r.caseId}
                  </Text>
                  <Text fz="xs" c="dimmed" lh={1.35}>
                    {reasonLabel(r.reason)}
                  </Text>
                  {/* Buyer and claim on their own lines: on one, the claim was cut ("Lim Do-yun · claim 68,…"). */}
                  <Text fz="xs" c="dimmed" lh={1.35} truncate title={r.buyerName}>
                    {r.buyerName}
                  </Text>
                  <Text fz="xs" c="dimmed" lh={1.35} className="nowrap">
                    claim <Money minor={r.claimAmountMinor} currency={r.currency} />
                  </Text>
                </td>
                <td>
                  <Group gap={6} wrap="nowrap" mb={2}>
                    <Badge
                      size="xs"
                      radius="sm"
                      variant="light"
                      color={ACTOR_COLORS[r.appeal.party]}
                      style={{ textTransform: 'none', flexShrink: 0 }}
                    >
                      {humanize(r.appeal.party)}
                    </Badge>
                    <Text fz="xs" fw={600} c="dark.5">
                      {GROUNDS_LABELS[r.appeal.grounds]}
                    </Text>
                  </Group>
                  <Text fz="sm" className="sv-excerpt" title={r.appeal.text} data-testid="appeal-text">
                    “{r.appeal.text}”
                  </Text>
                </td>
                <td>
                  <Group gap={6}>
                    <OutcomeBadge outcome={r.decision.outcome} />
                    <Money minor={r.decision.amountMinor} currency={r.currency} fw={600} />
                  </Group>
                  <Text fz="xs" c="dimmed" mt={2}>
                    of <Money minor={r.totalMinor} currency={r.currency} /> ·{' '}
                    {r.decision.basis === 'default' ? 'by default' : `by ${r.decision.basis}`}
                  </Text>
                </td>
                <td>
                  <Text fz="sm" fw={r.decision.decidedBy === me.userId ? 700 : 500}>
                    {r.decision.decidedBy === me.userId ? 'you' : r.decision.decidedBy}
                  </Text>
                  <Text fz="xs" c="dimmed" className="nowrap">
                    {formatInstantCompact(r.decision.decidedAt)} · policy v{r.decision.policyVersion}
                  </Text>
                </td>
                <td>
                  {r.mayReview ? (
                    <Button size="compact-sm" variant="light" tabIndex={-1} onClick={(e) => (e.stopPropagation(), onOpen(r.caseId))}>
                      Review
                    </Button>
                  ) : (
                    <Tooltip
                      label={r.whyNot ?? 'Another supervisor must review this appeal.'}
                      multiline
                      maw={280}
                      withArrow
                      openDelay={200}
                    >
                      <div>
                        <Text fz="xs" fw={700} c="gray.7" style={{ whiteSpace: 'nowrap' }} data-testid="own-case-marker">
                          {me.userId === r.decision.decidedBy ? 'You decided this case' : 'You handled this case'}
                        </Text>
                        <Text fz="xs" c="dimmed">
                          another supervisor reviews
                        </Text>
                      </div>
                    </Tooltip>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {query.loading && !query.data && <Loading padding="lg" />}
        {query.data && sorted.length === 0 && (
          <Empty
            testId="appeals-empty"
            title={all && all.length > 0 ? 'No appeals match these filters.' : 'No appeals are waiting.'}
            hint={
              all && all.length > 0
                ? 'Choose “All grounds” or clear “Only ones I may review”.'
                : 'A party may appeal a decision within the appeal window; the appeal lands here, oldest first. Meanwhile the Team screen shows who needs help.'
            }
          />
        )}
      </div>
      {query.data && query.data.total > query.data.rows.length && (
        <Text fz="xs" c="dimmed" mt="xs">
          Showing the {query.data.rows.length} oldest of {query.data.total}.
        </Text>
      )}
      <Text fz="xs" c="dimmed" mt="xs">
        Tab to a row, ↑/↓ to move, Enter to open the case with its review panel.
      </Text>
    </Box>
  );
}

/** The appeal's age, live (the core's clock), so a queue left open keeps ageing. */
function AgeCell({ filedAt, ageMs }: { filedAt: string; ageMs: number }) {
  const now = useNow();
  const live = now - Date.parse(filedAt);
  return <AgeBadge ms={Number.isFinite(live) && live > 0 ? live : ageMs} />;
}
