import { useQueryClient, type Query, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useEffectEvent } from 'react';
import type { MethodName } from '../../../src-main/contract/methods';
import { subscribe, type ChangeNotice } from './client';
import { caseIdsOf, methodOf } from './queries';

/** Bursts of notices (a sweep closing many cases) become one refetch. */
export const COALESCE_MS = 250;

/**
 * Lists and overviews: anything may change them, so every change notice refreshes them.
 * Other queries refresh when a notice names a case their input names (`case.get`,
 * `case.previewProposal`), and on a reconnect (updates may have been missed: everything).
 */
export const LIST_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'queue.list',
  'queue.counts',
  'appeals.list',
  'team.overview',
  'team.memberCases',
  'quality.list',
  'quality.calibration',
  'double.mine',
  'double.agreement',
  'risk.list',
  'risk.get',
  'risk.fairness',
  'policy.get',
  'policy.history',
  // Casework (issue 17): a supervisor's second opinions and the team's consistency.
  'notes.secondOpinions',
  'team.consistency',
]);

/** What shows who else is on a case: all a 'presence' notice refreshes (the case itself did not change). */
export const PRESENCE_METHODS: ReadonlySet<MethodName> = new Set<MethodName>(['presence.get', 'queue.list']);

/**
 * Which cached queries a batch of notices makes stale: `changed === null` means all of them;
 * `present` names the cases whose presence alone changed.
 */
export function touchedBy(
  changed: ReadonlySet<string> | null,
  present: ReadonlySet<string> = new Set(),
): (query: Pick<Query, 'queryKey'>) => boolean {
  const anyCase = changed === null || changed.size > 0;
  return (query) => {
    const method = methodOf(query) as MethodName;
    const ids = caseIdsOf(query.queryKey[1]);
    if (changed === null || (anyCase && LIST_METHODS.has(method)) || ids.some((id) => changed.has(id))) return true;
    return present.size > 0 && PRESENCE_METHODS.has(method) && (method === 'queue.list' || ids.some((id) => present.has(id)));
  };
}

/**
 * Follows the core's change notices: queries they touch are refetched if on screen, and
 * marked stale otherwise (a hidden screen refreshes when shown again). A query whose
 * meta sets `refreshAtMostEveryMs` (counts that scan an index) refetches at most that often.
 */
export function followChanges(client: QueryClient, onNotice?: (notice: ChangeNotice) => void): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let changed: Set<string> | null = new Set();
  let present = new Set<string>();
  const lastRefresh = new Map<string, number>();
  const throttled = new Map<string, ReturnType<typeof setTimeout>>();

  const refresh = (query: Query) => void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
  const refreshThrottled = (query: Query, everyMs: number) => {
    const hash = query.queryHash;
    if (throttled.has(hash)) return;
    const wait = Math.max(0, (lastRefresh.get(hash) ?? 0) + everyMs - Date.now());
    throttled.set(
      hash,
      setTimeout(() => {
        throttled.delete(hash);
        lastRefresh.set(hash, Date.now());
        refresh(query);
      }, wait),
    );
  };

  const flush = () => {
    timer = null;
    const touches = touchedBy(changed, present);
    changed = new Set();
    present = new Set();
    for (const query of client.getQueryCache().findAll({ predicate: touches })) {
      const everyMs = refreshEveryOf(query.meta);
      if (everyMs) refreshThrottled(query, everyMs);
      else refresh(query);
    }
  };

  const unsubscribe = subscribe((notice: ChangeNotice | null) => {
    if (notice) onNotice?.(notice);
    if (notice === null) changed = null;
    else if (notice.reason === 'presence') for (const id of notice.caseIds) present.add(id);
    else if (changed) for (const id of notice.caseIds) changed.add(id);
    timer ??= setTimeout(flush, COALESCE_MS);
  });
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    throttled.forEach((t) => clearTimeout(t));
  };
}

/** Keeps the cache in step with the core while the signed-in shell is mounted; `onNotice` sees each notice. */
export function useFollowChanges(onNotice?: (notice: ChangeNotice) => void): void {
  const client = useQueryClient();
  // Subscribed once per client; each notice goes to the latest `onNotice`.
  const notify = useEffectEvent((notice: ChangeNotice) => onNotice?.(notice));
  useEffect(() => followChanges(client, (n) => notify(n)), [client]);
}

/** A query's own refresh limit (MethodQueryMeta.refreshAtMostEveryMs), read without trusting the meta's type. */
function refreshEveryOf(meta: Record<string, unknown> | undefined): number | undefined {
  const every = meta?.refreshAtMostEveryMs;
  return typeof every === 'number' ? every : undefined;
}

/** Refetches every query on screen: the database answers again after an outage. */
/** Lists and overviews refetched (an import from the screen announces progress, not the cases it wrote). */
export function useRefetchLists(): () => void {
  const client = useQueryClient();
  return useCallback(() => void client.invalidateQueries({ predicate: (q) => LIST_METHODS.has(methodOf(q) as MethodName) }), [client]);
}

export function useRefetchAll(): () => void {
  const client = useQueryClient();
  return useCallback(() => void client.invalidateQueries(), [client]);
}
