import type { ExpressionBuilder } from 'kysely';
import type { z } from 'zod';
import { OPEN_STATUSES, type CaseStatus, type Reason } from '../../contract/domain';
import type { QueueFilter } from '../../contract/methods';
import { toIso } from '../../contract/primitives';
import type { DeadlineKind, QueueCounts, QueuePage, QueueRow, SearchHit, SearchMatch, SearchResult } from '../../contract/views';
import type { Db } from '../../db/connect';
import { dialectOf } from '../../db/dialect';
import type { Database } from '../../db/schema';

export type QueueQuery = z.output<typeof QueueFilter>;

type Eb = ExpressionBuilder<Database & { buyer: Database['accounts']; bs: Database['buyer_risk'] }, 'cases' | 'buyer' | 'bs'>;

/** Ranks of "mine": spaced so rank × RANK + an epoch-ms instant stays an exact integer (< 2^53). */
const RANK = 100_000_000_000_000;

/** The columns every queue row needs: the case, its buyer and the buyer's stored fraud-pattern score. */
function rowsQuery(db: Db) {
  return db
    .selectFrom('cases')
    .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
    .leftJoin('buyer_risk as bs', 'bs.buyer_id', 'cases.buyer_id')
    .select([
      'cases.id',
      'cases.status',
      'cases.reason',
      'cases.claim_amount_minor',
      'cases.currency',
      'cases.total_minor',
      'cases.buyer_id',
      'buyer.name as buyer_name',
      'buyer.country as buyer_country',
      'buyer.label as buyer_label',
      'bs.score as buyer_score',
      'cases.escalated_at',
      'cases.assignee_id',
      'cases.next_due_at',
      'cases.forced_decision',
      'cases.evidence_round',
    ]);
}
type RawRow = Awaited<ReturnType<ReturnType<typeof rowsQuery>['execute']>>[number];

/** Back in review because the latest round of evidence requests expired unanswered. */
const missedEvidence = (eb: Eb) =>
  eb.and([
    eb('cases.status', '=', 'in_review'),
    eb.exists(
      eb
        .selectFrom('evidence_requests as er')
        .select('er.id')
        .whereRef('er.case_id', '=', 'cases.id')
        .whereRef('er.round', '=', 'cases.evidence_round')
        .where('er.status', '=', 'expired'),
    ),
  ]);

/** A deadline passed and the case waits on someone: due but not yet swept, a forced decision, or missed evidence. (Also the team view's.) */
export const overdueExpr = (eb: Eb, now: number) =>
  eb.or([eb('cases.next_due_at', '<=', now), eb('cases.forced_decision', '=', 1), missedEvidence(eb)]);

/** "Mine", what needs action first: forced decisions, then cases back in review, then nearest deadline, then the rest. */
const mineSortExpr = (eb: Eb) =>
  eb
    .case()
    .when('cases.forced_decision', '=', 1)
    .then(eb(eb.ref('cases.escalated_at'), '+', eb.lit(0 as number)))
    .when('cases.status', '=', 'in_review')
    .then(eb(eb.ref('cases.escalated_at'), '+', eb.lit(RANK as number)))
    .when('cases.next_due_at', 'is not', null)
    .then(eb(eb.ref('cases.next_due_at'), '+', eb.lit((2 * RANK) as number)))
    .else(eb(eb.ref('cases.escalated_at'), '+', eb.lit((3 * RANK) as number)))
    .end();

function mineSortKey(r: RawRow): number {
  if (r.forced_decision === 1) return r.escalated_at;
  if (r.status === 'in_review') return RANK + r.escalated_at;
  if (r.next_due_at !== null) return 2 * RANK + r.next_due_at;
  return 3 * RANK + r.escalated_at;
}

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

function toRow(r: RawRow, sortKey: number, now: number, missed: boolean): QueueRow {
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

/** Which of these in-review cases came back after their latest evidence round expired (one indexed query per page). */
async function missedEvidenceOf(db: Db, rows: RawRow[]): Promise<Set<string>> {
  const candidates = rows.filter((r) => r.status === 'in_review' && r.evidence_round > 0);
  if (!candidates.length) return new Set();
  const expired = await db
    .selectFrom('evidence_requests')
    .select(['case_id', 'round'])
    .where(
      'case_id',
      'in',
      candidates.map((r) => r.id),
    )
    .where('status', '=', 'expired')
    .execute();
  const round = new Map(candidates.map((r) => [r.id, r.evidence_round]));
  return new Set(expired.filter((e) => round.get(e.case_id) === e.round).map((e) => e.case_id));
}

/** Rows a filtered walk reads at most per request; past that it answers with what it found and a cursor to go on. */
export const SCAN_WINDOW = 10_000;
/** A buyer set (flagged, high score) this small drives the query by buyer instead of walking the queue. */
const SMALL_BUYER_SET = 2_000;
/** Escalated cases have no deadline, forced decision or evidence round: they are never overdue. */
const CAN_BE_OVERDUE: readonly CaseStatus[] = ['in_review', 'awaiting_evidence', 'awaiting_replies'];

/**
 * One page of a queue, keyset-paged on (sortKey, id) so page 1,000 costs what page 1 does.
 * - unassigned: escalated cases, escalated longest ago first (a walk of the `cases_queue` index);
 * - mine: my open cases, what needs action first (forced decisions, then cases back in
 *   review with nothing running, then nearest deadline); small by nature, sorted in full;
 * - all: open cases (or the states asked for), oldest escalation first: one state walks
 *   `cases_queue`, several walk `cases_by_escalation`.
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
  // One assignee's open cases: the same walk over cases_by_assignee as "mine".
  if (q.scope === 'all' && q.assignee !== undefined) return minePage(db, q, q.assignee, now);
  const empty: QueuePage = { rows: [], nextCursor: null };

  let statuses: CaseStatus[] = q.scope === 'unassigned' ? ['escalated'] : q.status?.length ? [...new Set(q.status)] : [...OPEN_STATUSES];
  if (q.scope === 'unassigned' && q.status?.length && !q.status.includes('escalated')) return empty;
  if (q.overdue) statuses = statuses.filter((st) => CAN_BE_OVERDUE.includes(st));
  if (!statuses.length) return empty;

  const buyerSet = await smallBuyerSet(db, q);
  // One state and no buyer set: walk (status, escalated_at, id) in order. Otherwise the state
  // test is written so the planner cannot pick cases_queue (it would sort every open case):
  // the walk goes over cases_by_escalation, or the buyer set drives.
  const walkQueueIndex = statuses.length === 1 && !buyerSet;
  let query = rowsQuery(db);
  query = walkQueueIndex
    ? query.where('cases.status', '=', statuses[0]!)
    : query.where((eb) => eb(eb.fn.coalesce('cases.status', eb.val('')), 'in', statuses));
  if (buyerSet) query = query.where('cases.buyer_id', 'in', buyerSet);
  if (q.reason?.length) query = query.where('cases.reason', 'in', q.reason);
  if (q.country) query = query.where('buyer.country', '=', q.country);
  if (q.currency) query = query.where('cases.currency', '=', q.currency);
  if (q.minAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '>=', q.minAmountMinor);
  if (q.maxAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '<=', q.maxAmountMinor);
  if (q.riskMin !== undefined && q.riskMin > 0) query = query.where('bs.score', '>=', q.riskMin);
  if (q.flagged) query = query.where('buyer.label', '=', 'serial_disputer');
  if (q.overdue) query = query.where((eb) => overdueExpr(eb, now));
  if (q.search)
    query = query.where((eb) => eb.or([eb('cases.id', '=', q.search!), eb('buyer.name', 'like', `%${q.search!.replace(/[%_]/g, '')}%`)]));
  if (q.after) query = query.where((eb) => afterKey(eb, q.after!.sortKey, q.after!.id));

  const filtered =
    !walkQueueIndex ||
    !!(
      q.reason?.length ||
      q.country ||
      q.currency ||
      q.minAmountMinor !== undefined ||
      q.maxAmountMinor !== undefined ||
      q.riskMin ||
      q.flagged ||
      q.overdue ||
      q.search
    );
  // A filtered walk stops at the end of its window; a buyer set is small enough to read whole.
  const windowEnd =
    filtered && !buyerSet ? await scanWindowEnd(db, statuses, walkQueueIndex, q.after, opts.scanWindow ?? SCAN_WINDOW) : null;
  if (windowEnd) query = query.where((eb) => upToKey(eb, windowEnd.sortKey, windowEnd.id));

  const rows = await query
    .orderBy('cases.escalated_at')
    .orderBy('cases.id')
    .limit(q.limit + 1)
    .execute();
  const pageRows = rows.slice(0, q.limit);
  const missed = await missedEvidenceOf(db, pageRows);
  const page = pageRows.map((r) => toRow(r, r.escalated_at, now, missed.has(r.id)));
  const last = page[page.length - 1];
  const nextCursor = rows.length > q.limit && last ? { sortKey: last.sortKey, id: last.id } : windowEnd;
  return { rows: page, nextCursor };
}

/** (escalated_at, id) > (k, id), written so the index range starts at k. */
const afterKey = (eb: Eb, sortKey: number, id: string) =>
  eb.and([eb('cases.escalated_at', '>=', sortKey), eb.or([eb('cases.escalated_at', '>', sortKey), eb('cases.id', '>', id)])]);
const upToKey = (eb: Eb, sortKey: number, id: string) =>
  eb.and([eb('cases.escalated_at', '<=', sortKey), eb.or([eb('cases.escalated_at', '<', sortKey), eb('cases.id', '<=', id)])]);

/**
 * The key of the SCAN_WINDOW-th entry after the cursor along the index the page walks, or
 * null when the walk ends before it. It counts index entries, not matches: that is what
 * bounds the work of a filter that matches little.
 */
async function scanWindowEnd(db: Db, statuses: CaseStatus[], walkQueueIndex: boolean, after: QueueQuery['after'], size: number) {
  let w = db.selectFrom('cases').select(['cases.escalated_at', 'cases.id']);
  if (walkQueueIndex) w = w.where('cases.status', '=', statuses[0]!); // cases_queue; else cases_by_escalation, every state
  if (after) w = w.where((eb) => afterKey(eb as unknown as Eb, after.sortKey, after.id));
  const row = await w
    .orderBy('cases.escalated_at')
    .orderBy('cases.id')
    .offset(size - 1)
    .limit(1)
    .executeTakeFirst();
  return row ? { sortKey: row.escalated_at, id: row.id } : null;
}

/** The flagged buyers, or those scoring at least riskMin, when there are few of them (a bounded count). */
async function smallBuyerSet(db: Db, q: QueueQuery) {
  const flagged = () => db.selectFrom('accounts').select('accounts.id as buyer_id').where('accounts.label', '=', 'serial_disputer');
  const risky = (min: number) => db.selectFrom('buyer_risk').select('buyer_risk.buyer_id as buyer_id').where('buyer_risk.score', '>=', min);
  const few = async (set: ReturnType<typeof flagged> | ReturnType<typeof risky>) => {
    const n = await db
      .selectFrom((set as ReturnType<typeof flagged>).limit(SMALL_BUYER_SET + 1).as('s'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(n?.n ?? 0) <= SMALL_BUYER_SET;
  };
  if (q.flagged && (await few(flagged()))) return flagged();
  if (q.riskMin !== undefined && q.riskMin > 0 && (await few(risky(q.riskMin)))) return risky(q.riskMin);
  return null;
}

async function minePage(db: Db, q: QueueQuery, me: string | null, now: number): Promise<QueuePage> {
  let query = rowsQuery(db)
    .where('cases.assignee_id', '=', me ?? '')
    .where('cases.status', 'in', [...OPEN_STATUSES]);
  if (q.status?.length) query = query.where('cases.status', 'in', q.status);
  if (q.reason?.length) query = query.where('cases.reason', 'in', q.reason);
  if (q.country) query = query.where('buyer.country', '=', q.country);
  if (q.currency) query = query.where('cases.currency', '=', q.currency);
  if (q.minAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '>=', q.minAmountMinor);
  if (q.maxAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '<=', q.maxAmountMinor);
  if (q.riskMin !== undefined && q.riskMin > 0) query = query.where('bs.score', '>=', q.riskMin);
  if (q.flagged) query = query.where('buyer.label', '=', 'serial_disputer');
  if (q.overdue) query = query.where((eb) => overdueExpr(eb, now));
  if (q.search)
    query = query.where((eb) => eb.or([eb('cases.id', '=', q.search!), eb('buyer.name', 'like', `%${q.search!.replace(/[%_]/g, '')}%`)]));
  if (q.after) {
    const { sortKey, id } = q.after;
    query = query.where((eb) =>
      eb.or([eb(mineSortExpr(eb), '>', sortKey), eb.and([eb(mineSortExpr(eb), '=', sortKey), eb('cases.id', '>', id)])]),
    );
  }
  const rows = await query
    .orderBy((eb) => mineSortExpr(eb))
    .orderBy('cases.id')
    .limit(q.limit + 1)
    .execute();
  const pageRows = rows.slice(0, q.limit);
  const missed = await missedEvidenceOf(db, pageRows);
  const page = pageRows.map((r) => toRow(r, mineSortKey(r), now, missed.has(r.id)));
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > q.limit && last ? { sortKey: last.sortKey, id: last.id } : null };
}

const count = async (q: { executeTakeFirst(): Promise<{ n: unknown } | undefined> }) => Number((await q.executeTakeFirst())?.n ?? 0);

/** Counts for the queue tabs: one grouped index scan for the states, three small ones for "mine". */
export async function queueCounts(db: Db, me: string | null, now: number): Promise<QueueCounts> {
  const mineBase = () =>
    db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cases.assignee_id', '=', me ?? '')
      .where('cases.status', 'in', [...OPEN_STATUSES]);
  const [byStatusRows, mine, mineNeedsAction, mineOverdue] = await Promise.all([
    db
      .selectFrom('cases')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute(),
    me ? count(mineBase()) : 0,
    me ? count(mineBase().where('cases.status', '=', 'in_review')) : 0,
    me ? count(mineBase().where((eb) => overdueExpr(eb as unknown as Eb, now))) : 0,
  ]);
  const byStatus = Object.fromEntries(byStatusRows.map((r) => [r.status, Number(r.n)])) as Partial<Record<CaseStatus, number>>;
  return {
    byStatus,
    mine,
    mineNeedsAction,
    mineOverdue,
    unassigned: byStatus.escalated ?? 0,
    allOpen: OPEN_STATUSES.reduce((s, st) => s + (byStatus[st] ?? 0), 0),
  };
}

/** Lower-cases the way the database's lower() does: SQLite folds ASCII only. */
function lowerLike(db: Db, text: string): string {
  return dialectOf(db) === 'sqlite' ? text.replace(/[A-Z]/g, (c) => c.toLowerCase()) : text.toLowerCase();
}

const PREFIX_END = '\uffff';

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
  const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

  add(ids(await db.selectFrom('cases').select('id').where('id', '=', q).execute()), 'case');
  add(
    ids(
      await db
        .selectFrom('cases')
        .select('id')
        .where('id', '>', q)
        .where('id', '<', q + PREFIX_END)
        .orderBy('id')
        .limit(limit)
        .execute(),
    ),
    'case',
  );
  add(ids(await db.selectFrom('cases').select('id').where('order_id', '=', q).limit(limit).execute()), 'order');
  const tracked = await db.selectFrom('orders').select('id').where('tracking_number', '=', q).limit(limit).execute();
  if (tracked.length)
    add(ids(await db.selectFrom('cases').select('id').where('order_id', 'in', ids(tracked)).limit(limit).execute()), 'tracking');
  add(
    ids(await db.selectFrom('cases').select('id').where('buyer_id', '=', q).orderBy('opened_at', 'desc').limit(limit).execute()),
    'buyer',
  );
  // Names only when nothing answered to an id: "D-100234" is not anybody's name.
  if (found.size === 0 && q.length >= 2) {
    const lower = lowerLike(db, q);
    const buyers = await db
      .selectFrom('accounts')
      .select('id')
      .where((eb) =>
        eb.and([eb(eb.fn('lower', [eb.ref('name')]), '>=', lower), eb(eb.fn('lower', [eb.ref('name')]), '<', lower + PREFIX_END)]),
      )
      .where('role', '=', 'buyer')
      .limit(limit)
      .execute();
    // Then any word of the name ("sokol" finds "Alexey Sokolov"): a bounded scan that stops at `limit` buyers.
    if (buyers.length < limit && q.length >= 3) {
      const seen = new Set(buyers.map((b) => b.id));
      const inner = await db
        .selectFrom('accounts')
        .select('id')
        .where((eb) => eb(eb.fn('lower', [eb.ref('name')]), 'like', `%${lower.replace(/[%_\\]/g, '')}%`))
        .where('role', '=', 'buyer')
        .limit(limit)
        .execute();
      for (const b of inner) if (!seen.has(b.id)) buyers.push(b);
    }
    for (const b of buyers) {
      if (found.size >= limit) break;
      add(
        ids(await db.selectFrom('cases').select('id').where('buyer_id', '=', b.id).orderBy('opened_at', 'desc').limit(limit).execute()),
        'buyer_name',
      );
    }
  }
  if (!found.size) return { query, hits: [] };
  const rows = await rowsQuery(db)
    .where('cases.id', 'in', [...found.keys()])
    .execute();
  const missed = await missedEvidenceOf(db, rows);
  const order = [...found.keys()];
  const hits: SearchHit[] = rows
    .map((r) => ({ ...toRow(r, r.escalated_at, now, missed.has(r.id)), matchedOn: found.get(r.id)! }))
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return { query, hits };
}
