import { Center, Loader, Stack, Text } from '@mantine/core';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { IconChevronDown, IconChevronUp, IconInbox } from '../../ui/Icons';
import { PresenceDots } from '../../ui/Presence';
import { formatInstant, formatInstantTwoLines, reasonLabel } from '../../ui/format';
import { Dim, RowMoney, RowNextStep, RowRisk, RowStatus } from './RowCells';
import type { QueueRow, SavedFilter } from '../../api/types';

export type QueueScope = 'mine' | 'unassigned' | 'all';
export type QueueSort = NonNullable<SavedFilter['sort']>;
type SortBy = QueueSort['by'];

/** The direction a column sorts first: the biggest claims, the nearest deadlines, the longest waiting, the riskiest buyers. */
const FIRST_DIR: Record<SortBy, QueueSort['dir']> = { claim: 'desc', deadline: 'asc', escalated: 'asc', risk: 'desc' };
/** Each tab's own order, as the server walks it without a sort (Mine: what needs action first, no one column). */
const DEFAULT_SORT: Record<QueueScope, QueueSort | null> = {
  mine: null,
  unassigned: { by: 'escalated', dir: 'asc' },
  all: { by: 'escalated', dir: 'asc' },
};

/** A header click: first direction, then the other, then back to the tab's own order. */
export function nextSort(scope: QueueScope, sort: QueueSort | undefined, by: SortBy): QueueSort | undefined {
  const shown = sort ?? DEFAULT_SORT[scope];
  const next: QueueSort | undefined =
    shown?.by !== by
      ? { by, dir: FIRST_DIR[by] }
      : shown.dir === FIRST_DIR[by]
        ? { by, dir: shown.dir === 'asc' ? 'desc' : 'asc' }
        : undefined;
  const fallback = DEFAULT_SORT[scope];
  // Asking for the tab's own order is saying nothing: the address and saved views stay clean.
  return next && fallback && next.by === fallback.by && next.dir === fallback.dir ? undefined : next;
}

const ROW = 40;
const HEAD = 32;
const OVERSCAN = 8;
/** Start loading the next page this many rows before the end comes into view. */
const PREFETCH_ROWS = 60;

// Fixed where the content has a known width, flexible (down to a floor) where text can be
// ellipsised: the whole row fits a 1024-pixel window without scrolling sideways. The floors
// hold typical values whole at 1024 (issue 17): a reason with its detail on a second line
// ("Not received" / "no tracking information"), a buyer's name over their country; the claim and the
// next step keep their floors there (a claim to 999,999.00 KZT). The room above the floors is
// shared by weight up to each column's ceiling, what is left goes to the last column (after its
// text: the row's end). In `fr` alone the reason took 1.4 shares of any width, and at 1920 a
// 520-pixel blank stood between "Damaged" and its claim; fixed maxima in the template would be
// filled before any `fr` column (the claim took 28 px of room while the buyer's name was cut).
const FLEXIBLE = [
  { floor: 146, weight: 1.4, ceiling: 220 }, // reason: its detail ("no tracking information") on a second line
  { floor: 100, weight: 0.5, ceiling: 130 }, // claim, right-aligned against the buyer
  { floor: 154, weight: 1, ceiling: 280 }, // buyer: a long name on one line
  { floor: 136, weight: 0.8, ceiling: Infinity }, // next deadline (or waiting time), last
] as const;

/** The flexible columns' widths, given the `room` a row has above the floors: shared by weight up to the ceilings. */
function flexibleWidths(room: number): number[] {
  const widths: number[] = FLEXIBLE.map((c) => c.floor);
  let left = Math.max(0, room);
  let open = FLEXIBLE.map((_, i) => i);
  while (left > 0.5 && open.length > 0) {
    const share = left / open.reduce((sum, i) => sum + FLEXIBLE[i]!.weight, 0);
    const capped = open.filter((i) => widths[i]! + share * FLEXIBLE[i]!.weight >= FLEXIBLE[i]!.ceiling);
    if (capped.length === 0) {
      for (const i of open) widths[i] = widths[i]! + share * FLEXIBLE[i]!.weight;
      break;
    }
    for (const i of capped) {
      left -= FLEXIBLE[i]!.ceiling - widths[i]!;
      widths[i] = FLEXIBLE[i]!.ceiling;
    }
    open = open.filter((i) => !capped.includes(i));
  }
  return widths.map((w) => Math.floor(w));
}

const COLUMNS = (withAssignee: boolean, width: number) => {
  const [reason, claim, buyer] = flexibleWidths(width - FLOOR(withAssignee));
  return [
    '4px', // urgency stripe
    '104px', // case (and who else has it open)
    '124px', // status ("Awaiting evidence" takes 122 px)
    `${reason}px`,
    `${claim}px`,
    `${buyer}px`, // a long name takes two lines
    '56px', // risk (the score badge; the header's sort arrow needs the extra 8 px)
    '88px', // escalated: the day over the time; the header with its sort arrow needs the 88 px
    ...(withAssignee ? ['76px'] : []),
    `minmax(${FLEXIBLE[3].floor}px, 1fr)`, // next deadline: the rest of the row
  ].join(' ');
};
/** The columns' floors with their gaps and the row's right padding (.q-grid): narrower than this the list scrolls sideways. */
const FLOOR = (withAssignee: boolean) =>
  4 + 104 + 124 + 56 + 88 + (withAssignee ? 76 : 0) + FLEXIBLE.reduce((sum, c) => sum + c.floor, 0) + (withAssignee ? 9 : 8) * 10 + 8;

interface Props {
  scope: QueueScope;
  rows: QueueRow[];
  selected: number;
  onSelect: (index: number) => void;
  onOpen: (caseId: string) => void;
  hasMore: boolean;
  loading: boolean;
  initial: boolean;
  loadMore: () => void;
  empty: ReactNode;
  /** The server-side sort asked for (absent: the tab's own order) and a header click's new one. */
  sort?: QueueSort | undefined;
  onSort?: (sort: QueueSort | undefined) => void;
  /** Focus the list (keyboard users land here after closing a case). */
  focusKey?: number;
}

/**
 * The queue as a virtual list: only the rows in view (plus a few) are in the DOM, so a
 * long scroll through a million-case queue stays as light as the first screen. Rows are
 * fixed-height; pages arrive through `loadMore` (a keyset cursor) as the end comes near.
 */
export function QueueList({
  scope,
  rows,
  selected,
  onSelect,
  onOpen,
  hasMore,
  loading,
  initial,
  loadMore,
  empty,
  sort,
  onSort,
  focusKey,
}: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);
  const [width, setWidth] = useState(1440);
  // All open names the assignee: in its own column where the row has room for it, else under
  // the status (at 1024 wide the column made the list scroll sideways, hiding the next deadline).
  const assignee: AssigneePlace = scope !== 'all' ? null : width >= FLOOR(true) ? 'column' : 'under';
  const withAssignee = assignee === 'column';
  const template = COLUMNS(withAssignee, width);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => {
      setHeight(el.clientHeight);
      setWidth(el.clientWidth);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const frame = useRef(0);
  const onScroll = useCallback(() => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (scroller.current) setScrollTop(scroller.current.scrollTop);
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);

  useEffect(() => {
    if (hasMore && !loading && last >= rows.length - PREFETCH_ROWS) loadMore();
  }, [hasMore, loading, last, rows.length, loadMore]);

  // Keep the keyboard selection in view.
  useEffect(() => {
    const el = scroller.current;
    if (!el || selected < 0) return;
    const top = selected * ROW;
    const viewTop = el.scrollTop;
    const viewBottom = viewTop + el.clientHeight - HEAD;
    if (top < viewTop) el.scrollTop = top;
    else if (top + ROW > viewBottom) el.scrollTop = top + ROW - (el.clientHeight - HEAD);
  }, [selected]);

  useEffect(() => {
    if (focusKey) scroller.current?.focus({ preventScroll: true });
  }, [focusKey]);

  const body = initial ? (
    <Center h={240}>
      <Loader size="sm" />
    </Center>
  ) : rows.length === 0 ? (
    <Center h={280}>
      <Stack align="center" gap={6} data-testid="queue-empty">
        <IconInbox size={28} color="var(--mantine-color-gray-5)" />
        {typeof empty === 'string' ? (
          <Text c="dimmed" fz="sm">
            {empty}
          </Text>
        ) : (
          empty
        )}
      </Stack>
    </Center>
  ) : null;

  const visible: ReactNode[] = [];
  if (!body)
    for (let i = first; i < last; i++) {
      const row = rows[i]!;
      visible.push(
        <Row
          key={row.id}
          row={row}
          index={i}
          top={HEAD + i * ROW}
          template={template}
          selected={i === selected}
          assignee={assignee}
          mine={scope === 'mine'}
          onSelect={onSelect}
          onOpen={onOpen}
        />,
      );
    }

  return (
    <div
      ref={scroller}
      className="q-scroller"
      onScroll={onScroll}
      tabIndex={0}
      role="grid"
      aria-label="Cases"
      aria-rowcount={rows.length}
      aria-activedescendant={selected >= 0 && rows[selected] ? `q-row-${rows[selected].id}` : undefined}
      data-testid="queue-list"
      data-focus-home
    >
      <div
        style={{
          position: 'relative',
          height: body ? undefined : HEAD + rows.length * ROW + (hasMore ? ROW : 0),
          // The columns' floors: narrower than this the list scrolls sideways rather than overlap.
          minWidth: FLOOR(withAssignee),
        }}
      >
        <div className="q-head q-grid" style={{ gridTemplateColumns: template }} role="row">
          <span />
          <span role="columnheader">Case</span>
          <span role="columnheader">{assignee === 'under' ? 'Status · who' : 'Status'}</span>
          <span role="columnheader">Reason</span>
          <SortHeader label="Claim" by="claim" scope={scope} sort={sort} onSort={onSort} right />
          <span role="columnheader">Buyer</span>
          <SortHeader label="Risk" by="risk" scope={scope} sort={sort} onSort={onSort} />
          <SortHeader label="Escalated" by="escalated" scope={scope} sort={sort} onSort={onSort} />
          {withAssignee && <span role="columnheader">Assignee</span>}
          {scope === 'unassigned' ? (
            <span role="columnheader">Waiting</span>
          ) : (
            <SortHeader label={scope === 'mine' ? 'Next step' : 'Next deadline'} by="deadline" scope={scope} sort={sort} onSort={onSort} />
          )}
        </div>
        {/* A grid holds only rows (axe: aria-required-children): loading, empty and error say so in one cell. */}
        {body && (
          <div role="row">
            <div role="gridcell" aria-colspan={withAssignee ? 10 : 9}>
              {body}
            </div>
          </div>
        )}
        {visible}
        {!body && hasMore && (
          <div className="q-loader" style={{ top: HEAD + rows.length * ROW }}>
            <Loader size="xs" mr={8} /> Loading more cases…
          </div>
        )}
      </div>
    </div>
  );
}

const SORT_WORDS: Record<SortBy, Record<QueueSort['dir'], string>> = {
  claim: { asc: 'smallest claim first', desc: 'largest claim first' },
  escalated: { asc: 'escalated longest ago first', desc: 'escalated most recently first' },
  deadline: { asc: 'nearest deadline first', desc: 'furthest deadline first' },
  risk: { asc: 'lowest buyer risk first', desc: 'highest buyer risk first' },
};

/** A column header that sorts the queue on the server; aria-sort says how it is sorted now. */
function SortHeader({
  label,
  by,
  scope,
  sort,
  onSort,
  right,
}: {
  label: string;
  by: SortBy;
  scope: QueueScope;
  sort: QueueSort | undefined;
  onSort: ((sort: QueueSort | undefined) => void) | undefined;
  right?: boolean;
}) {
  const shown = sort ?? DEFAULT_SORT[scope];
  const dir = shown?.by === by ? shown.dir : null;
  const next = nextSort(scope, sort, by);
  const nextWords = next ? SORT_WORDS[next.by][next.dir] : scope === 'mine' ? 'what needs action first' : SORT_WORDS.escalated.asc;
  return (
    <span
      role="columnheader"
      aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
      className={right ? 'q-right' : undefined}
      data-testid={`sort-${by}`}
    >
      <button
        type="button"
        className="q-sort"
        data-active={dir ? 'true' : undefined}
        onClick={() => onSort?.(next)}
        title={`Sort: ${nextWords}`}
        aria-label={`${label}: sort ${nextWords}`}
      >
        {label}
        {dir === 'asc' ? <IconChevronUp size={12} /> : dir === 'desc' ? <IconChevronDown size={12} /> : <span className="q-sort-gap" />}
      </button>
    </span>
  );
}

interface RowProps {
  row: QueueRow;
  index: number;
  top: number;
  template: string;
  selected: boolean;
  assignee: AssigneePlace;
  mine: boolean;
  onSelect: (index: number) => void;
  onOpen: (caseId: string) => void;
}

type AssigneePlace = 'column' | 'under' | null;

const Row = memo(function Row({ row, index, top, template, selected, assignee, mine, onSelect, onOpen }: RowProps) {
  const tone = row.forcedDecision || row.overdue ? 'red' : mine && row.needsAction ? 'violet' : 'none';
  return (
    <div
      id={`q-row-${row.id}`}
      className="q-row q-grid"
      style={{ top, gridTemplateColumns: template }}
      role="row"
      aria-selected={selected}
      data-testid="queue-row"
      data-case-id={row.id}
      onMouseDown={() => onSelect(index)}
      onClick={() => onOpen(row.id)}
    >
      <span className="q-stripe" data-tone={tone} />
      <span className="q-cell" role="gridcell" style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
        <span className="mono" data-testid="queue-case-id">
          {row.id}
        </span>
        <PresenceDots people={row.presence} />
      </span>
      <span className="q-cell" role="gridcell">
        {assignee === 'under' ? (
          <span className="q-two-lines q-status-who">
            <RowStatus status={row.status} />
            <span className="lite-sub" data-testid="queue-assignee">
              {row.assignee ?? 'unassigned'}
            </span>
          </span>
        ) : (
          <RowStatus status={row.status} />
        )}
      </span>
      <span className="q-cell" role="gridcell" title={reasonLabel(row.reason)}>
        <ReasonCell reason={row.reason} />
      </span>
      <span className="q-cell q-right" role="gridcell">
        <RowMoney minor={row.claimAmountMinor} currency={row.currency} />
      </span>
      <span className="q-cell" role="gridcell" title={`${row.buyerName} (${row.buyerId}, ${row.buyerCountry})`}>
        {/* The country after the name, which takes a second line when long ("Carmen Martín Martínez" at 1024). */}
        <span className="q-clamp2">
          {row.buyerName} <span className="lite-sub">{row.buyerCountry}</span>
        </span>
      </span>
      <span className="q-cell" role="gridcell">
        <RowRisk score={row.buyerScore} flagged={row.buyerFlagged} />
      </span>
      <span className="q-cell tabular" role="gridcell" title={formatInstant(row.escalatedAt)}>
        <EscalatedCell at={row.escalatedAt} />
      </span>
      {assignee === 'column' && (
        <span className="q-cell" role="gridcell" data-testid="queue-assignee">
          {row.assignee ?? <Dim>—</Dim>}
        </span>
      )}
      <span className="q-cell" role="gridcell">
        <RowNextStep row={row} mine={mine} />
      </span>
    </div>
  );
});

/** The day over the time: "Nov 24, 06:30 AM" on one line needed 125 px (en-US) and was cut in a 100 px column. */
function EscalatedCell({ at }: { at: string }) {
  const [day, time] = formatInstantTwoLines(at);
  return (
    <span className="q-two-lines lite-dim">
      <span>{day}</span>
      <span className="lite-xs">{time}</span>
    </span>
  );
}

/** "Not received · no tracking information" on two lines (the detail smaller), so the column stays narrow. */
function ReasonCell({ reason }: { reason: string }) {
  const [head, detail] = reasonLabel(reason).split(' · ');
  if (!detail) return <>{head}</>;
  return (
    <span className="q-two-lines">
      <span>{head}</span>
      <span className="lite-sub">{detail}</span>
    </span>
  );
}
