import { Box, Center, Group, ScrollArea, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { OUTCOME_COLOR, OUTCOME_ORDER, OUTCOME_SHORT, type OutcomeKey } from '../../ui/outcomes';
import './supervision.css';

/**
 * Small pieces the supervisors' screens share: sortable table headers, the decision-mix bar,
 * percentages, screen headers and empty states that say what to do.
 */

// ---------------------------------------------------------------- outcomes

/** One stacked bar: the share of each outcome among a mediator's decisions. */
export function MixBar({ mix, width = 140, team }: { mix: Record<OutcomeKey, number>; width?: number; team?: Record<OutcomeKey, number> }) {
  const label = OUTCOME_ORDER.map((o) => `${OUTCOME_SHORT[o]} ${pct(mix[o])}${team ? ` (team ${pct(team[o])})` : ''}`).join(' · ');
  const empty = OUTCOME_ORDER.every((o) => !mix[o]);
  return (
    <Tooltip label={empty ? 'No decisions in this window' : label} openDelay={200} withArrow multiline maw={320}>
      <div className="sv-mix" style={{ width }} role="img" aria-label={empty ? 'No decisions' : label} data-testid="mix-bar">
        {empty ? (
          <span className="sv-mix-empty" />
        ) : (
          OUTCOME_ORDER.map((o) =>
            mix[o] > 0 ? (
              <span key={o} style={{ flexGrow: mix[o], background: `var(--mantine-color-${OUTCOME_COLOR[o]}-${o === 'none' ? 4 : 5})` }} />
            ) : null,
          )
        )}
      </div>
    </Tooltip>
  );
}

export function MixLegend() {
  return (
    <Group gap="sm">
      {OUTCOME_ORDER.map((o) => (
        <Group key={o} gap={4} wrap="nowrap">
          <span
            style={{
              width: 10,
              height: 10,
              borderRadius: 2,
              background: `var(--mantine-color-${OUTCOME_COLOR[o]}-${o === 'none' ? 4 : 5})`,
            }}
          />
          <Text fz="xs" c="dimmed">
            {OUTCOME_SHORT[o]}
          </Text>
        </Group>
      ))}
    </Group>
  );
}

// ---------------------------------------------------------------- numbers and ages

/** 0.4234 → "42 %"; small shares keep a decimal ("4.5 %"). */
export function pct(share: number | null | undefined): string {
  if (share == null || Number.isNaN(share)) return '—';
  const p = share * 100;
  return `${Math.abs(p) < 10 && p !== 0 && Math.round(p) !== p ? p.toFixed(1) : Math.round(p)} %`;
}

/** A percentage-point difference with its sign: "+18 pts", "−4 pts". */
export function pts(delta: number): string {
  const r = Math.round(delta);
  return `${r > 0 ? '+' : r < 0 ? '−' : '±'}${Math.abs(r)} pts`;
}

// ---------------------------------------------------------------- sorting

export type SortDir = 'asc' | 'desc';
export interface Sort<K extends string> {
  key: K;
  dir: SortDir;
}

/**
 * Client-side sort of a loaded list; clicking the active column flips the direction.
 * `value` must be stable (a module-level function, or useCallback): the list is sorted
 * again whenever rows, sort or `value` change.
 */
export function useSort<T, K extends string>(rows: T[], initial: Sort<K>, value: (row: T, key: K) => number | string) {
  const [sort, setSort] = useState<Sort<K>>(initial);
  const sorted = useMemo(() => {
    const out = [...rows];
    const sign = sort.dir === 'asc' ? 1 : -1;
    out.sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sign;
    });
    return out;
  }, [rows, sort, value]);
  const toggle = useCallback(
    (key: K, firstDir: SortDir = 'desc') =>
      setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: firstDir })),
    [],
  );
  return { sorted, sort, toggle };
}

/** A column header that sorts: a real button (Tab, Enter, Space) with aria-sort on the cell. */
export function SortTh<K extends string>({
  label,
  col,
  sort,
  onSort,
  firstDir = 'desc',
  align,
  width,
  title,
}: {
  label: ReactNode;
  col: K;
  sort: Sort<K>;
  onSort: (key: K, firstDir?: SortDir) => void;
  firstDir?: SortDir;
  align?: 'right';
  width?: number;
  title?: string;
}) {
  const active = sort.key === col;
  return (
    <th aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} style={{ width, textAlign: align }} title={title}>
      <UnstyledButton
        className="sv-sort"
        data-active={active || undefined}
        onClick={() => onSort(col, firstDir)}
        style={{ justifyContent: align === 'right' ? 'flex-end' : undefined }}
      >
        {label}
        <span className="sv-sort-arrow" aria-hidden>
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </UnstyledButton>
    </th>
  );
}

// ---------------------------------------------------------------- keyboard rows

/**
 * Rows of a table you can walk with the keyboard: each row is focusable, ↑/↓ (and j/k)
 * move between rows, Enter opens. Returns the props for each row.
 */
export function useRowNav(count: number, onEnter: (index: number) => void) {
  const refs = useRef<Array<HTMLElement | null>>([]);
  const focus = (i: number) => refs.current[Math.max(0, Math.min(count - 1, i))]?.focus();
  return (i: number) => ({
    ref: (el: HTMLElement | null) => {
      refs.current[i] = el;
    },
    tabIndex: 0,
    onKeyDown: (e: KeyboardEvent) => {
      if (e.target !== e.currentTarget) return; // a button or field inside the row handles its own keys
      if (e.key === 'Enter') {
        e.preventDefault();
        onEnter(i);
      } else if (e.key === 'ArrowDown' || e.key === 'j') {
        e.preventDefault();
        focus(i + 1);
      } else if (e.key === 'ArrowUp' || e.key === 'k') {
        e.preventDefault();
        focus(i - 1);
      }
    },
  });
}

// ---------------------------------------------------------------- layout

/**
 * A wide table's own sideways scroll region (data-scroll-x: the layout checks allow it). When
 * columns are out of sight the scrollbar stays shown and the edge they wait behind fades, so
 * a column past the window's edge is never silently cut off; when everything fits it is a plain box.
 */
export function SideScroll({ minWidth, testId, children }: { minWidth: number; testId?: string; children: ReactNode }) {
  const viewport = useRef<HTMLDivElement>(null);
  const [more, setMore] = useState({ left: false, right: false });
  const measure = useCallback(() => {
    const v = viewport.current;
    if (!v) return;
    const left = v.scrollLeft > 1;
    const right = v.scrollLeft + v.clientWidth < v.scrollWidth - 1;
    setMore((m) => (m.left === left && m.right === right ? m : { left, right }));
  }, []);
  useEffect(() => {
    const v = viewport.current;
    if (!v) return;
    measure();
    const seen = new ResizeObserver(measure);
    seen.observe(v);
    if (v.firstElementChild) seen.observe(v.firstElementChild);
    return () => seen.disconnect();
  }, [measure]);
  return (
    <div data-scroll-x data-testid={testId}>
      {(more.left || more.right) && (
        <Text fz="xs" c="dimmed" ta="right" mb={4} data-testid="side-scroll-hint">
          {more.right ? 'More columns to the right: scroll sideways →' : '← More columns to the left'}
        </Text>
      )}
      <div className="sv-side-scroll" data-more-left={more.left || undefined} data-more-right={more.right || undefined}>
        <ScrollArea viewportRef={viewport} type="auto" scrollbars="x" offsetScrollbars="x" onScrollPositionChange={measure}>
          <div style={{ minWidth }}>{children}</div>
        </ScrollArea>
      </div>
    </div>
  );
}

export function ScreenHeader({ title, subtitle, right }: { title: ReactNode; subtitle?: ReactNode; right?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end" mb="md" wrap="nowrap" gap="lg">
      <div style={{ minWidth: 0 }}>
        <Title order={3}>{title}</Title>
        {subtitle && (
          <Text fz="sm" c="dimmed" component="div">
            {subtitle}
          </Text>
        )}
      </div>
      {right && (
        <Group gap="sm" align="flex-end" wrap="nowrap" style={{ flexShrink: 0 }}>
          {right}
        </Group>
      )}
    </Group>
  );
}

/** A big number with a label, for the strip at the top of a screen. */
export function Stat({
  label,
  value,
  tone,
  hint,
  testId,
}: {
  label: string;
  value: ReactNode;
  tone?: string;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <Box className="sv-stat" data-testid={testId}>
      <Text fz="xs" c="dimmed" fw={600} tt="uppercase" style={{ letterSpacing: '0.04em' }}>
        {label}
      </Text>
      <Text fz={22} fw={700} c={tone} className="tabular" lh={1.3}>
        {value}
      </Text>
      {hint && (
        <Text fz="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Box>
  );
}

/** An empty list says why it is empty and what to do next. */
export function Empty({ title, hint, testId }: { title: string; hint?: ReactNode; testId?: string }) {
  return (
    <Center p="xl" data-testid={testId}>
      <Stack gap={4} align="center" maw={520}>
        <Text fw={600}>{title}</Text>
        {hint && (
          <Text fz="sm" c="dimmed" ta="center">
            {hint}
          </Text>
        )}
      </Stack>
    </Center>
  );
}

/** "Mira Kovač" for a user id when the team list knows it, else the id itself. */
export function userName(names: Map<string, string>, id: string | null | undefined): string {
  if (!id) return '—';
  if (id === 'system') return 'the deadline (system)';
  if (id === 'parties') return 'both parties';
  return names.get(id) ?? id;
}
