import { Alert, Badge, Button, Group, Pill, Stack, Tabs, Text } from '@mantine/core';
import { TakeNextButton } from '../../ui/TakeNextButton';
import { SecondOpinionsButton } from '../casework/SecondOpinions';
import { useEffect, useState } from 'react';
import { IconFilter } from '../../ui/Icons';
import { useMethodQuery } from '../../api/queries';
import { useKeys } from '../../ui/keys';
import type { Me, QueueRow, SavedFilter } from '../../api/types';
import { activeFilters, withoutFilter } from './filters';
import { FiltersPanel } from './FiltersPanel';
import { BlindDecisionsWaiting } from '../case/panels/BlindDecisionPanel';
import { QueueList, type QueueScope } from './QueueList';
import { SavedViews } from './SavedViews';
import { useQueuePages } from './useQueuePages';

interface Props {
  me: Me;
  filter: SavedFilter;
  onFilterChange: (f: SavedFilter) => void;
  onOpen: (caseId: string) => void;
  /** The rows in list order, for next/previous on the case screen. */
  onRows: (rows: QueueRow[]) => void;
  /** The case last opened: selected when coming back. */
  lastOpened: string | null;
  active: boolean;
  /** "Take next case" (the header's button and `n`): offered where the Mine tab is empty. */
  onTakeNext?: () => void;
  taking?: boolean;
}

/** Counts scan an index over every case: refreshed at most this often, however busy the desk is. */
const COUNTS_EVERY_MS = 3_000;

const EMPTY: Record<QueueScope, string> = {
  mine: 'No open cases are assigned to you.',
  unassigned: 'The queue is empty.',
  all: 'No open cases.',
};

export function QueueScreen({ me, filter, onFilterChange, onOpen, onRows, lastOpened, active, onTakeNext, taking }: Props) {
  const pages = useQueuePages(filter);
  const counts = useMethodQuery('queue.counts', {}, { meta: { refreshAtMostEveryMs: COUNTS_EVERY_MS } });
  const [selected, setSelected] = useState(0);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [focusKey, setFocusKey] = useState(0);
  const scopes: QueueScope[] = me.role === 'mediator' ? ['mine', 'unassigned'] : ['mine', 'unassigned', 'all'];

  useEffect(() => onRows(pages.rows), [pages.rows, onRows]);
  // Saved views and waiting blind decisions are asked for once the first page has answered: one
  // server thread answers a window's calls in turn, and the rows are what a mediator waits for.
  const [firstPageIn, setFirstPageIn] = useState(false);
  if (!pages.initial && !firstPageIn) setFirstPageIn(true);

  // The selection is adjusted while rendering (React's "storing information from previous
  // renders"), one step per pass, in this order: a new filter starts at the top; becoming
  // active (on mount, or coming back from a case) focuses the list and selects the case last
  // opened; rows vanish when others claim them, so the selection stays inside the list.
  const filterKey = JSON.stringify(filter);
  const [prevFilterKey, setPrevFilterKey] = useState(filterKey);
  const [wasActive, setWasActive] = useState(false);
  if (filterKey !== prevFilterKey) {
    setPrevFilterKey(filterKey);
    setSelected(0);
  } else if (active !== wasActive) {
    setWasActive(active);
    if (active) {
      setFocusKey((k) => k + 1);
      const i = lastOpened ? pages.rows.findIndex((r) => r.id === lastOpened) : -1;
      if (i >= 0) setSelected(i);
    }
  } else if (selected >= pages.rows.length && pages.rows.length > 0) {
    setSelected(pages.rows.length - 1);
  }

  const setScope = (scope: QueueScope) => onFilterChange({ ...filter, scope });
  useKeys(
    {
      j: () => setSelected((s) => Math.min(s + 1, Math.max(0, pages.rows.length - 1))),
      k: () => setSelected((s) => Math.max(0, s - 1)),
      ArrowDown: () => setSelected((s) => Math.min(s + 1, Math.max(0, pages.rows.length - 1))),
      ArrowUp: () => setSelected((s) => Math.max(0, s - 1)),
      Enter: () => {
        const row = pages.rows[selected];
        if (row) onOpen(row.id);
      },
      '1': () => setScope('mine'),
      '2': () => setScope('unassigned'),
      '3': () => scopes.includes('all') && setScope('all'),
      f: () => setFiltersOpen(true),
    },
    active,
  );

  const c = counts.data;
  const tabCount = (s: QueueScope) => (c ? (s === 'mine' ? c.mine : s === 'unassigned' ? c.unassigned : c.allOpen) : null);
  const chips = activeFilters(filter);
  // With filters the tab shows what matches beside the whole ("12 / 2,933"): exact once every
  // matching row is loaded, "100+" while more pages wait. Without filters the tab's count is
  // the list's total, and the line above the list says the same number.
  const matching = pages.initial ? '…' : `${pages.rows.length.toLocaleString()}${pages.hasMore ? '+' : ''}`;
  const tabLabel = (s: QueueScope) => {
    const total = tabCount(s)?.toLocaleString() ?? '…';
    return chips.length && s === filter.scope ? `${matching} / ${total}` : total;
  };
  const total = tabCount(filter.scope);
  const listLabel = pages.initial
    ? 'Loading…'
    : chips.length
      ? `${matching} of ${total?.toLocaleString() ?? '…'} match the filters`
      : `${(pages.hasMore ? (total ?? pages.rows.length) : pages.rows.length).toLocaleString()} case${pages.rows.length === 1 && !pages.hasMore ? '' : 's'}`;

  return (
    <div style={{ display: active ? 'flex' : 'none', flexDirection: 'column', height: '100%' }} data-testid="queue-screen">
      <Group justify="space-between" px="md" pt={10} wrap="nowrap" bg="white">
        <Tabs value={filter.scope} onChange={(v) => v && setScope(v as QueueScope)} variant="default">
          <Tabs.List style={{ borderBottom: 0 }}>
            {scopes.map((s, i) => (
              <Tabs.Tab
                key={s}
                value={s}
                rightSection={
                  <Badge
                    size="sm"
                    variant={filter.scope === s ? 'filled' : 'light'}
                    color={filter.scope === s ? 'indigo' : 'gray'}
                    className="tabular"
                    radius="sm"
                    data-testid={`count-${s}`}
                  >
                    {tabLabel(s)}
                  </Badge>
                }
                aria-keyshortcuts={String(i + 1)}
              >
                {s === 'mine' ? 'Mine' : s === 'unassigned' ? 'Unassigned' : 'All open'}
              </Tabs.Tab>
            ))}
          </Tabs.List>
        </Tabs>
        {me.role === 'supervisor' && <SecondOpinionsButton onOpen={onOpen} />}
        {c && filter.scope === 'mine' && (
          <Group gap="md" wrap="nowrap">
            <Text fz="xs" c="dimmed">
              <Text span inherit fw={600} c={c.mineNeedsAction ? 'violet.7' : undefined} className="tabular">
                {c.mineNeedsAction}
              </Text>{' '}
              need your action
            </Text>
            <Text fz="xs" c="dimmed">
              <Text span inherit fw={600} c={c.mineOverdue ? 'red.7' : undefined} className="tabular">
                {c.mineOverdue}
              </Text>{' '}
              overdue
            </Text>
          </Group>
        )}
      </Group>

      <Group justify="space-between" px="md" py={8} wrap="nowrap" bg="white" style={{ borderTop: '1px solid var(--mantine-color-gray-2)' }}>
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0, overflow: 'hidden' }}>
          <FiltersPanel
            filter={filter}
            onApply={onFilterChange}
            opened={filtersOpen}
            onOpenChange={setFiltersOpen}
            target={
              <Button
                variant={chips.length ? 'light' : 'default'}
                size="xs"
                leftSection={<IconFilter size={14} />}
                onClick={() => setFiltersOpen((o) => !o)}
                aria-keyshortcuts="f"
                data-testid="filters-button"
              >
                Filters{chips.length ? ` · ${chips.length}` : ''}
              </Button>
            }
          />
          {chips.map((chip) => (
            <Pill
              key={chip.key}
              withRemoveButton
              onRemove={() => onFilterChange(withoutFilter(filter, chip.key))}
              size="md"
              data-testid="filter-chip"
            >
              {chip.label}
            </Pill>
          ))}
          {filter.sort?.by === 'claim' && !filter.currency && (
            <Group gap={4} wrap="nowrap" data-testid="claim-sort-note">
              <Text fz="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                Claims in different currencies compare by their numbers.
              </Text>
              <Button variant="subtle" size="compact-xs" onClick={() => setFiltersOpen(true)}>
                Compare one currency
              </Button>
            </Group>
          )}
          {chips.length > 1 && (
            <Button
              variant="subtle"
              color="gray"
              size="compact-xs"
              onClick={() => onFilterChange({ scope: filter.scope, ...(filter.sort ? { sort: filter.sort } : {}) })}
            >
              Clear
            </Button>
          )}
        </Group>
        <Group gap="sm" wrap="nowrap">
          <Text fz="xs" c="dimmed" className="tabular" data-testid="loaded-count" data-loaded={matching} style={{ whiteSpace: 'nowrap' }}>
            {listLabel}
          </Text>
          <SavedViews filter={filter} onPick={onFilterChange} ready={firstPageIn} />
        </Group>
      </Group>

      {pages.error && (
        <Alert color="red" variant="light" radius={0} title="The queue could not be loaded" role="alert" withCloseButton={false}>
          {pages.error.message}
        </Alert>
      )}

      {me.role !== 'analyst' && <BlindDecisionsWaiting onOpen={onOpen} active={active && firstPageIn} />}

      <div style={{ flex: 1, minHeight: 0 }}>
        <QueueList
          scope={filter.scope}
          rows={pages.rows}
          selected={selected}
          onSelect={setSelected}
          onOpen={onOpen}
          hasMore={pages.hasMore}
          loading={pages.loading}
          initial={pages.initial}
          loadMore={pages.loadMore}
          empty={
            chips.length ? (
              'No cases match these filters.'
            ) : filter.scope === 'mine' && onTakeNext ? (
              <MineEmpty waiting={c?.unassigned ?? null} onTakeNext={onTakeNext} taking={!!taking} />
            ) : (
              EMPTY[filter.scope]
            )
          }
          sort={filter.sort}
          onSort={(sort) => {
            const { sort: _old, ...rest } = filter;
            onFilterChange(sort ? { ...rest, sort } : rest);
          }}
          focusKey={focusKey}
        />
      </div>
    </div>
  );
}

/** The Mine tab with nothing assigned: what to do next, not just "no cases". */
function MineEmpty({ waiting, onTakeNext, taking }: { waiting: number | null; onTakeNext: () => void; taking: boolean }) {
  if (waiting === 0)
    return (
      <Text c="dimmed" fz="sm" ta="center" maw={420}>
        No open cases are assigned to you, and none are waiting in the unassigned queue. New disputes appear there as they are escalated.
      </Text>
    );
  return (
    <Stack align="center" gap="xs" maw={440}>
      <Text fz="sm" fw={600}>
        No open cases are assigned to you.
      </Text>
      <Text c="dimmed" fz="sm" ta="center">
        {waiting === null ? 'Cases are' : `${waiting.toLocaleString()} case${waiting === 1 ? ' is' : 's are'}`} waiting in the unassigned
        queue. Take the one escalated longest ago: it is assigned to you and opens.
      </Text>
      <TakeNextButton onClick={onTakeNext} loading={taking} testId="mine-take-next" />
    </Stack>
  );
}
