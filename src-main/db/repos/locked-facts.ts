import type { ChainHead } from './audit-chain';

/**
 * Facts about a case that a transaction read in the statement that took the case's row lock
 * (locked-read.ts), kept for the rest of that transaction so the writes after it need not read
 * them again: its audit-chain head, its pending deadline rows and the feed that imported it.
 * On a team's PostgreSQL server each of those reads is a round trip while the lock is held.
 *
 * They stay true because every writer of a case's events or deadlines holds the case's row
 * lock first (case-locks.ts: the one lock order), so only this transaction can change them,
 * and it keeps them up to date here: a chain append moves the head, a deadline sync forgets
 * the rows. Keyed by the transaction object; a wrapped handle simply misses and reads.
 */
export interface PendingDeadlineRow {
  id: number;
  case_id: string;
  key: string;
  due_at: number;
}

interface CaseFacts {
  head?: ChainHead;
  pending?: PendingDeadlineRow[];
  /** The feed's id, or null when no feed imported the case. */
  feed?: string | null;
}

const factsOf = new WeakMap<object, Map<string, CaseFacts>>();

function facts(tx: object, caseId: string): CaseFacts {
  let cases = factsOf.get(tx);
  if (!cases) factsOf.set(tx, (cases = new Map<string, CaseFacts>()));
  let f = cases.get(caseId);
  if (!f) cases.set(caseId, (f = {}));
  return f;
}

export function rememberLockedFacts(tx: object, caseId: string, read: Required<CaseFacts>): void {
  Object.assign(facts(tx, caseId), read);
}

/** The known value of `key` for every one of `caseIds`, or null when any is unknown (then read them all). */
function knownFor<K extends keyof CaseFacts>(tx: object, caseIds: string[], key: K): Map<string, Required<CaseFacts>[K]> | null {
  const cases = factsOf.get(tx);
  if (!cases) return null;
  const out = new Map<string, Required<CaseFacts>[K]>();
  for (const id of caseIds) {
    const f = cases.get(id);
    if (!f || !(key in f)) return null;
    out.set(id, f[key] as Required<CaseFacts>[K]);
  }
  return out;
}

export const knownHeads = (tx: object, caseIds: string[]) => knownFor(tx, caseIds, 'head');
export const knownPendingDeadlines = (tx: object, caseIds: string[]) => knownFor(tx, caseIds, 'pending');
export const knownFeeds = (tx: object, caseIds: string[]) => knownFor(tx, caseIds, 'feed');

/** The chain moved on: its new head (only for cases whose facts this transaction keeps). */
export function headMoved(tx: object, caseId: string, head: ChainHead): void {
  const f = factsOf.get(tx)?.get(caseId);
  if (f && 'head' in f) f.head = head;
}

/** The deadline rows changed: read them again if needed. */
export function deadlinesChanged(tx: object, caseIds: Iterable<string>): void {
  const cases = factsOf.get(tx);
  if (cases) for (const id of caseIds) delete cases.get(id)?.pending;
}
