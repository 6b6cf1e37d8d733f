import {
  keepPreviousData,
  QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
  type Query as CachedQuery,
  type QueryKey,
} from '@tanstack/react-query';
import { useCallback } from 'react';
import type { AppError, Envelope } from '../../../src-main/contract/errors';
import type { MethodName, MethodRawInput } from '../../../src-main/contract/methods';
import { call } from './client';
import type { MethodOutput } from './types';

/**
 * One query cache for the whole renderer (TanStack Query), keyed by method and input:
 * `[method, input]`. Screens read through `useMethodQuery`, send commands through
 * `useMethodMutation`; nothing in a component calls `call()` itself. What is on screen
 * follows the core's change notices (see live.ts), not props passed down.
 */

export type MethodKey<M extends MethodName = MethodName> = readonly [M, MethodRawInput<M>];

/** The cache key of one method called with one input. */
export const methodKey = <M extends MethodName>(method: M, input: MethodRawInput<M>): MethodKey<M> => [method, input] as const;

/** A refusal carried through the cache as an error (the envelope's AppError inside). */
export class MethodError extends Error {
  constructor(readonly appError: AppError) {
    super(appError.message);
  }
}

/** Calls a method and answers its value, or throws a MethodError with the core's refusal. */
export async function fetchMethod<M extends MethodName>(method: M, input: MethodRawInput<M>): Promise<MethodOutput<M>> {
  const r = await call(method, input);
  if (!r.ok) throw new MethodError(r.error);
  return r.value;
}

/** What a query's `meta` may say to the change-notice driver. */
export interface MethodQueryMeta extends Record<string, unknown> {
  /** Scans an index over every case: refetch on notices at most this often (ms). */
  refreshAtMostEveryMs?: number;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A screen that mounts, changes its input or is shown again asks once (showing what
        // the cache has meanwhile); after that, change notices and commands refresh it (live.ts).
        staleTime: 0,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        // A refusal is an answer, not a network hiccup: show it at once.
        retry: false,
      },
      mutations: { retry: false },
    },
  });
}

export interface MethodQuery<T> {
  data: T | null;
  error: AppError | null;
  /** A request is under way (the first one or a refresh). */
  loading: boolean;
  reload: () => void;
}

export interface MethodQueryOptions {
  /** False while the screen is hidden: it keeps its data, skips refreshes, and refreshes once when shown again. Default true. */
  enabled?: boolean;
  /** Keep showing the previous input's answer while the new one loads (a search as you type). */
  keepPrevious?: boolean;
  meta?: MethodQueryMeta;
}

/**
 * Reads a method through the cache. `input === null` reads nothing (data null). Data of a
 * previous input (another case) is never shown for the current one unless `keepPrevious`.
 */
export function useMethodQuery<M extends MethodName>(
  method: M,
  input: MethodRawInput<M> | null,
  options: MethodQueryOptions = {},
): MethodQuery<MethodOutput<M>> {
  const on = input !== null && options.enabled !== false;
  const q = useQuery<MethodOutput<M>, MethodError, MethodOutput<M>, QueryKey>({
    queryKey: methodKey(method, input as MethodRawInput<M>),
    queryFn: () => fetchMethod(method, input as MethodRawInput<M>),
    enabled: on,
    ...(options.keepPrevious ? { placeholderData: keepPreviousData } : {}),
    ...(options.meta ? { meta: options.meta } : {}),
  });
  const { refetch } = q;
  const reload = useCallback(() => void refetch(), [refetch]);
  if (input === null) return { data: null, error: null, loading: false, reload };
  return {
    data: q.data ?? null,
    error: q.error?.appError ?? null,
    loading: q.isFetching || (on && q.isPending),
    reload,
  };
}

/**
 * After a command: the case(s) it names, and what each command is known to change beyond
 * them (the core's change notice follows for other sessions, and for this one too).
 */
const CHANGES: Partial<Record<MethodName, readonly MethodName[]>> = {
  'views.save': ['views.list'],
  'views.delete': ['views.list'],
  'account.flag': ['risk.get', 'risk.list', 'risk.fairness'],
  'case.assign': ['team.overview', 'team.memberCases'],
  'case.assignMany': ['team.overview', 'team.memberCases'],
  'policy.publish': ['policy.get', 'policy.history'],
  'quality.review': ['quality.list', 'team.overview'],
  'quality.score': ['quality.list', 'quality.calibration', 'team.overview'],
  'double.decide': ['double.mine', 'double.agreement'],
  'users.add': ['users.list'],
  'users.setRole': ['users.list', 'team.overview'],
  'users.deactivate': ['users.list', 'team.overview'],
  'users.issueResetCode': ['users.list'],
  'session.signOutOthers': ['session.list'],
  'password.change': ['session.list'],
  'feeds.create': ['feeds.list'],
  'feeds.revoke': ['feeds.list'],
  'notes.add': ['notes.secondOpinions'],
  'case.assignCluster': ['team.overview', 'team.memberCases'],
  'case.decide': ['team.consistency'],
};

/** The case ids an input names (`caseId`, `caseIds`). */
export function caseIdsOf(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const o = input as { caseId?: unknown; caseIds?: unknown };
  const out: string[] = [];
  if (typeof o.caseId === 'string') out.push(o.caseId);
  if (Array.isArray(o.caseIds)) for (const id of o.caseIds) if (typeof id === 'string') out.push(id);
  return out;
}

/** The method a cached query reads (its key's first element). */
export const methodOf = (query: Pick<CachedQuery, 'queryKey'>): string => String(query.queryKey[0]);

/**
 * A command through the cache. `mutateAsync(input)` answers the envelope as the core gave
 * it (a refusal is shown by the dialog, not thrown); accepted or refused, the queries it
 * touches are refetched (a refusal is in the case's log too).
 */
export function useMethodMutation<M extends MethodName>(method: M) {
  const client = useQueryClient();
  return useMutation<Envelope<MethodOutput<M>>, never, MethodRawInput<M>>({
    mutationKey: [method],
    mutationFn: (input) => call(method, input),
    onSettled: (_result, _error, input) => {
      const ids = new Set(caseIdsOf(input));
      const also = new Set<string>(CHANGES[method] ?? []);
      // Not awaited: the dialog closes and the toast shows while the refetch runs.
      void client.invalidateQueries({
        predicate: (q) => also.has(methodOf(q)) || caseIdsOf(q.queryKey[1]).some((id) => ids.has(id)),
      });
    },
  });
}
