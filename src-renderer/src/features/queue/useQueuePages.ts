import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppError } from '../../../../src-main/contract/errors';
import { call } from '../../api/client';
import type { QueueCursor, QueueRow, SavedFilter } from '../../api/types';

const FIRST_PAGE = 100;
const NEXT_PAGE = 200;
/** A live refresh re-reads at most this many rows from the top; further rows reload as you scroll. */
const REFRESH_CAP = 600;

export interface QueuePages {
  rows: QueueRow[];
  /** More rows exist after the last one loaded. */
  hasMore: boolean;
  loading: boolean;
  /** The first page of the current filter has not arrived yet. */
  initial: boolean;
  error: AppError | null;
  loadMore: () => void;
}

interface State {
  key: string;
  rows: QueueRow[];
  cursor: QueueCursor | null;
  done: boolean;
  error: AppError | null;
}

/**
 * The rows of one queue filter, loaded page by page (keyset cursor) as the list scrolls.
 * A change notice (refreshKey) re-reads the rows already loaded from the top, so cases
 * others claimed vanish and new ones appear without the list jumping to the start.
 */
export function useQueuePages(filter: SavedFilter, refreshKey: number): QueuePages {
  const key = JSON.stringify(filter);
  const [state, setState] = useState<State>({ key: '', rows: [], cursor: null, done: false, error: null });
  const [loading, setLoading] = useState(false);
  const ticket = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;
  const busy = useRef(false);

  const fetchFrom = useCallback(
    async (after: QueueCursor | null, want: number) => {
      const rows: QueueRow[] = [];
      let cursor = after;
      while (rows.length < want) {
        const r = await call('queue.list', {
          ...filter,
          limit: Math.min(NEXT_PAGE, want - rows.length),
          ...(cursor ? { after: cursor } : {}),
        });
        if (!r.ok) return { ok: false as const, error: r.error };
        rows.push(...r.value.rows);
        cursor = r.value.nextCursor;
        if (!cursor) break;
      }
      return { ok: true as const, rows, cursor };
    },
    // `key` stands for `filter`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );

  // First page of a new filter.
  useEffect(() => {
    const mine = ++ticket.current;
    busy.current = true;
    setLoading(true);
    setState({ key, rows: [], cursor: null, done: false, error: null });
    void fetchFrom(null, FIRST_PAGE).then((r) => {
      if (mine !== ticket.current) return;
      busy.current = false;
      setLoading(false);
      setState(
        r.ok
          ? { key, rows: r.rows, cursor: r.cursor, done: !r.cursor, error: null }
          : { key, rows: [], cursor: null, done: true, error: r.error },
      );
    });
  }, [key, fetchFrom]);

  // Live refresh: re-read what is loaded.
  const firstRefresh = useRef(true);
  useEffect(() => {
    if (firstRefresh.current) {
      firstRefresh.current = false;
      return;
    }
    const mine = ++ticket.current;
    const want = Math.min(REFRESH_CAP, Math.max(FIRST_PAGE, stateRef.current.rows.length));
    busy.current = true;
    void fetchFrom(null, want).then((r) => {
      if (mine !== ticket.current) return;
      busy.current = false;
      setLoading(false);
      if (r.ok) setState((s) => ({ ...s, rows: r.rows, cursor: r.cursor, done: !r.cursor, error: null }));
    });
  }, [refreshKey, fetchFrom]);

  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (busy.current || s.done || !s.cursor || s.key !== key) return;
    const mine = ++ticket.current;
    busy.current = true;
    setLoading(true);
    void fetchFrom(s.cursor, NEXT_PAGE).then((r) => {
      if (mine !== ticket.current) return;
      busy.current = false;
      setLoading(false);
      if (!r.ok) return setState((x) => ({ ...x, error: r.error }));
      setState((x) => {
        const seen = new Set(x.rows.map((row) => row.id));
        return { ...x, rows: [...x.rows, ...r.rows.filter((row) => !seen.has(row.id))], cursor: r.cursor, done: !r.cursor };
      });
    });
  }, [key, fetchFrom]);

  const current = state.key === key;
  return {
    rows: current ? state.rows : [],
    hasMore: current && !state.done,
    loading,
    initial: !current || (loading && state.rows.length === 0 && !state.error),
    error: current ? state.error : null,
    loadMore,
  };
}
