import { OPEN_STATUSES, type CaseStatus, type Reason } from '../../contract/domain';
import { toIso } from '../../contract/primitives';
import type { DeadlineKind, QueueCounts, QueuePage, QueueRow, SearchHit, SearchMatch, SearchResult } from '../../contract/views';
import type { Db } from '../../db/connect';
import { presentOn } from '../../db/repos/presence';
import {
  buyerIdsByNamePrefix,
  buyerIdsByNameWord,
  caseIdsByBuyer,
  caseIdsById,
  caseIdsByOrder,
  caseIdsByPrefix,
  caseIdsByTracking,
  countMine,
  countsByStatus,
  mineRows,
  mineSortKey,
  missedEvidenceOf,
  queueRecordsOf,
  sortKeyOf,
  walkQueue,
  walkSortOf,
  type QueueQuery,
  type QueueRecord,
} from '../../db/repos/queue';

export type { QueueQuery } from '../../db/repos/queue';
/** A deadline passed and the case waits on someone (the team view's too); the expression lives with the queue's queries. */

/** What the nearest running deadline is, from the state (cases keep its instant, not its kind). */
function deadlineKind(status: string, nextDueAt: number | null): DeadlineKind | null {
  if (nextDueAt === null) return null;
  switch (status) {
    case 'awaiting_evidence':
      return 'evidence';
    case 'awaiting_replies':
      return 'reply';
    case 'closed':
      return 'appeal';
    default:
      return 'return';
  }
}

function toRow(r: QueueRecord, sortKey: number, now: number, missed: boolean): QueueRow {
  const forced = r.forced_decision === 1;
  return {
    id: r.id,
    status: r.status as CaseStatus,
    reason: r.reason as Reason,
    claimAmountMinor: r.claim_amount_minor,
    currency: r.currency,
    totalMinor: r.total_minor,
    buyerId: r.buyer_id,
    buyerName: r.buyer_name,
    buyerCountry: r.buyer_country,
    buyerFlagged: r.buyer_label === 'serial_disputer',
    buyerScore: r.buyer_score == null ? null : Number(r.buyer_score),
    escalatedAt: toIso(r.escalated_at),
    assignee: r.assignee_id,
    nextDeadlineAt: r.next_due_at === null ? null : toIso(r.next_due_at),
    nextDeadlineKind: deadlineKind(r.status, r.next_due_at),
    overdue: (r.next_due_at !== null && r.next_due_at <= now) || forced || missed,
    forcedDecision: forced,
    needsAction: r.status === 'in_review',
    sortKey,
  };
}

/** Rows a filtered walk reads at most per request; past that it answers with what it found and a cursor to go on. */
export const SCAN_WINDOW = 10_000;
/** Escalated cases have no deadline, forced decision or evidence round: they are never overdue. */
const CAN_BE_OVERDUE: readonly CaseStatus[] = ['in_review', 'awaiting_evidence', 'awaiting_replies'];

/**
 * One page of a queue, keyset-paged on (sortKey, id) so page 1,000 costs what page 1 does.
 * - unassigned: escalated cases, escalated longest ago first (a walk of the `cases_queue` index);
 * - mine: my open cases, what needs action first (forced decisions, then cases back in
 *   review with nothing running, then nearest deadline); small by nature, sorted in full;
 * - all: open cases (or the states asked for), oldest escalation first: one state walks
 *   `cases_queue`, several open ones the open cases' index, others `cases_by_escalation`.
 * `q.sort` (claim, deadline or escalation, either way) replaces a tab's own order: the same
 * walks over the sort's indexes (migrations/0024, 0042: one state by claim, deadline or risk
 * walks the escalated cases' index for escalated, else the open or every case's index with the
 * state as a filter, in the window below), keyset-paged on (key, id) just the same.
 * Filters: a small set of buyers (flagged, a high minimum score) drives the query through
 * `cases_by_buyer`; every other filter narrows an index walk that reads at most SCAN_WINDOW
 * rows per request, so a filter matching little never holds the database (and the Electron
 * main thread) for a long scan: the page may then be short, with a cursor to continue.
 */
export async function queuePage(
  db: Db,
  q: QueueQuery,
  me: string | null,
  now: number,
  opts: { scanWindow?: number } = {},
): Promise<QueuePage> {
  if (q.scope === 'mine') return minePage(db, q, me, now);
  // One assignee's open cases: the same walk over cases_mine_by_risk as "mine".
  if (q.scope === 'all' && q.assignee !== undefined) return minePage(db, q, q.assignee, now);
  const empty: QueuePage = { rows: [], nextCursor: null };

  let statuses: CaseStatus[] = q.scope === 'unassigned' ? ['escalated'] : q.status?.length ? [...new Set(q.status)] : [...OPEN_STATUSES];
  if (q.scope === 'unassigned' && q.status?.length && !q.status.includes('escalated')) return empty;
  if (q.overdue) statuses = statuses.filter((st) => CAN_BE_OVERDUE.includes(st));
  if (!statuses.length) return empty;

  const { rows, windowEnd } = await walkQueue(db, q, statuses, now, opts.scanWindow ?? SCAN_WINDOW);
  const pageRows = rows.slice(0, q.limit);
  const missed = await missedEvidenceOf(db, pageRows);
  const sort = walkSortOf(q);
  const page = pageRows.map((r) => toRow(r, sortKeyOf(r, sort), now, missed.has(r.id)));
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? { sortKey: last.sortKey, id: last.id } : windowEnd;
  return { rows: await withPresence(db, page, me, now), nextCursor };
}

async function minePage(db: Db, q: QueueQuery, me: string | null, now: number): Promise<QueuePage> {
  const rows = await mineRows(db, q, me, now);
  const pageRows = rows.slice(0, q.limit);
  const missed = await missedEvidenceOf(db, pageRows);
  const page = pageRows.map((r) => toRow(r, q.sort ? sortKeyOf(r, q.sort) : mineSortKey(r), now, missed.has(r.id)));
  const last = page[page.length - 1];
  return {
    rows: await withPresence(db, page, me, now),
    nextCursor: rows.length > q.limit && last ? { sortKey: last.sortKey, id: last.id } : null,
  };
}

/** Who else has each row's case open (one indexed query per page); rows nobody else has open stay as they are. */
async function withPresence(db: Db, page: QueueRow[], me: string | null, now: number): Promise<QueueRow[]> {
  const present = (
    await presentOn(
      db,
      page.map((r) => r.id),
      now,
    )
  ).filter((p) => p.userId !== me);
  if (!present.length) return page;
  return page.map((r) => {
    const here = present.filter((p) => p.caseId === r.id).map((p) => ({ userId: p.userId, name: p.name, activity: p.activity }));
    return here.length ? { ...r, presence: here } : r;
  });
}

/** Counts for the queue tabs: one grouped index scan for the states, three small ones for "mine". */
export async function queueCounts(db: Db, me: string | null, now: number): Promise<QueueCounts> {
  const [byStatus, mine, mineNeedsAction, mineOverdue] = await Promise.all([
    countsByStatus(db),
    me ? countMine(db, me, 'all', now) : 0,
    me ? countMine(db, me, 'needsAction', now) : 0,
    me ? countMine(db, me, 'overdue', now) : 0,
  ]);
  return {
    byStatus,
    mine,
    mineNeedsAction,
    mineOverdue,
    unassigned: byStatus.escalated ?? 0,
    allOpen: OPEN_STATUSES.reduce((s, st) => s + (byStatus[st] ?? 0), 0),
  };
}

/**
 * Finds cases by case id (or its beginning), order id, buyer id, tracking number or the
 * beginning of the buyer's name. Every probe is an index lookup, so it answers as fast with a
 * million cases as with a hundred; hits come grouped by what matched, newest escalation first.
 */
export async function searchCases(db: Db, rawQuery: string, limit: number, now: number): Promise<SearchResult> {
  const query = rawQuery.trim();
  const q = query.replace(/^#/, '');
  const found = new Map<string, SearchMatch>();
  const add = (ids: string[], how: SearchMatch) => {
    for (const id of ids) if (!found.has(id) && found.size < limit) found.set(id, how);
  };

  add(await caseIdsById(db, q), 'case');
  add(await caseIdsByPrefix(db, q, limit), 'case');
  add(await caseIdsByOrder(db, q, limit), 'order');
  add(await caseIdsByTracking(db, q, limit), 'tracking');
  add(await caseIdsByBuyer(db, q, limit), 'buyer');
  // Names only when nothing answered to an id: "D-100234" is not anybody's name.
  if (found.size === 0 && q.length >= 2) {
    const buyers = await buyerIdsByNamePrefix(db, q, limit);
    // Then any word of the name ("sokol" finds "Alexey Sokolov"): a bounded scan that stops at `limit` buyers.
    if (buyers.length < limit && q.length >= 3) {
      const seen = new Set(buyers);
      for (const b of await buyerIdsByNameWord(db, q, limit)) if (!seen.has(b)) buyers.push(b);
    }
    for (const b of buyers) {
      if (found.size >= limit) break;
      add(await caseIdsByBuyer(db, b, limit), 'buyer_name');
    }
  }
  if (!found.size) return { query, hits: [] };
  const rows = await queueRecordsOf(db, [...found.keys()]);
  const missed = await missedEvidenceOf(db, rows);
  const order = [...found.keys()];
  const hits: SearchHit[] = rows
    .map((r) => ({ ...toRow(r, r.escalated_at, now, missed.has(r.id)), matchedOn: found.get(r.id)! }))
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return { query, hits };
}
