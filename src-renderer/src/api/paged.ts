import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { AppError } from '../../../src-main/contract/errors';
import type { MethodRawInput } from '../../../src-main/contract/methods';
import { MethodError } from './queries';
import { fetchWarmOrCall } from './warm-calls';
import type { MethodOutput } from './types';

/** Methods that answer keyset pages: `{ rows, nextCursor }`, continued with `after`. */
type PagedMethod = 'queue.list' | 'risk.list';
type RowOf<M extends PagedMethod> = MethodOutput<M> extends { rows: Array<infer R> } ? R : never;
type CursorOf<M extends PagedMethod> = MethodOutput<M> extends { nextCursor: infer C } ? NonNullable<C> : never;
/** A paged method's input without the paging: what the list shows. */
export type PagedInput<M extends PagedMethod> = Omit<MethodRawInput<M>, 'after' | 'limit'>;

interface Loaded<M extends PagedMethod> {
  rows: Array<RowOf<M>>;
  cursor: CursorOf<M> | null;
}

export interface PagedQuery<Row> {
  rows: Row[];
  /** More rows exist after the last one loaded. */
  hasMore: boolean;
  loading: boolean;
  /** The first page of the current input has not arrived yet. */
  initial: boolean;
  error: AppError | null;
  loadMore: () => void;
}

export interface PagedOptions {
  /** Rows of the first page. */
  first: number;
  /** Rows of each further page (and the most one request asks for). */
  page: number;
  /**
   * A refresh (change notice) re-reads the rows already loaded from the top, up to this many,
   * so the list does not jump back to its first page; without it a refresh reloads the first page.
   */
  refreshUpTo?: number;
  enabled?: boolean;
}

/**
 * A list loaded page by page (keyset cursor) as it scrolls, kept in the query cache under
 * `[method, input, 'pages']`: change notices refresh it like any list (live.ts).
 */
export function usePagedQuery<M extends PagedMethod>(method: M, input: PagedInput<M>, options: PagedOptions): PagedQuery<RowOf<M>> {
  const { first, page, refreshUpTo, enabled = true } = options;
  const client = useQueryClient();
  const inputKey = JSON.stringify(input);
  // The key is rebuilt from `inputKey`, not from `input`: a new object with the same content is the same list.
  const key = useMemo(() => [method, JSON.parse(inputKey) as PagedInput<M>, 'pages'] as const, [method, inputKey]);

  const fetchRows = useCallback(
    async (after: CursorOf<M> | null, want: number): Promise<Loaded<M>> => {
      const rows: Array<RowOf<M>> = [];
      let cursor = after;
      while (rows.length < want) {
        const answer = (await fetchWarmOrCall(method, {
          ...key[1],
          limit: Math.min(page, want - rows.length),
          ...(cursor ? { after: cursor } : {}),
        } as MethodRawInput<M>)) as { rows: Array<RowOf<M>>; nextCursor: CursorOf<M> | null };
        rows.push(...answer.rows);
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      return { rows, cursor };
    },
    [method, key, page],
  );

  const q = useQuery<Loaded<M>, MethodError>({
    queryKey: key,
    queryFn: () => {
      const loaded = client.getQueryData<Loaded<M>>(key)?.rows.length ?? 0;
      return fetchRows(null, refreshUpTo ? Math.min(refreshUpTo, Math.max(first, loaded)) : first);
    },
    enabled,
  });

  const [more, setMore] = useState<{ key: string; loading: boolean; error: AppError | null }>({ key: '', loading: false, error: null });
  const busy = useRef(false);
  const { isFetching } = q;
  const loadMore = useCallback(() => {
    const from = client.getQueryData<Loaded<M>>(key);
    if (busy.current || isFetching || !from?.cursor) return;
    busy.current = true;
    setMore({ key: inputKey, loading: true, error: null });
    fetchRows(from.cursor, page).then(
      (next) => {
        busy.current = false;
        setMore({ key: inputKey, loading: false, error: null });
        client.setQueryData<Loaded<M>>(key, (x) => {
          if (!x) return x;
          const seen = new Set(x.rows.map((row) => (row as { id?: string }).id ?? JSON.stringify(row)));
          const fresh = next.rows.filter((row) => !seen.has((row as { id?: string }).id ?? JSON.stringify(row)));
          return { rows: [...x.rows, ...fresh], cursor: next.cursor };
        });
      },
      (e: unknown) => {
        busy.current = false;
        setMore({ key: inputKey, loading: false, error: e instanceof MethodError ? e.appError : null });
      },
    );
  }, [client, key, inputKey, isFetching, fetchRows, page]);

  const moreHere = more.key === inputKey;
  const rows = q.data?.rows ?? [];
  return {
    rows,
    hasMore: !!q.data?.cursor,
    // A background refresh is not "loading": the rows stay, and the list does not show a spinner.
    loading: (q.isFetching && !q.data) || (moreHere && more.loading),
    initial: q.isPending,
    error: q.error?.appError ?? (moreHere ? more.error : null),
    loadMore,
  };
}
