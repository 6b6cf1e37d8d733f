import { sql, type ExpressionBuilder } from 'kysely';
import type { z } from 'zod';
import { OPEN_STATUSES, type CaseStatus } from '../../contract/domain';
import type { QueueFilter, QueueSort } from '../../contract/methods';
import { dialectOf } from '../dialect';
import type { Database } from '../schema';
import type { Reader } from '../tx';

/**
 * The queue's queries: keyset-paged index walks over `cases_queue`, the escalated cases'
 * sorts, the open cases', every case's, `cases_mine_by_risk` and `cases_by_buyer`, the tab
 * counts and the search probes. Which walk
 * a page takes and how its rows become QueueRows is app/queue/queue.ts's; the plans are
 * asserted by tests/db/queue-plan.test.ts and tests/contract/desk-plans.test.ts.
 */
export type QueueQuery = z.output<typeof QueueFilter>;
export type QueueCursor = { sortKey: number; id: string };

type Eb = ExpressionBuilder<Database & { buyer: Database['accounts']; bs: Database['buyer_risk'] }, 'cases' | 'buyer' | 'bs'>;

/** Where cases without a running deadline sort: after every deadline (migrations/0024 indexes this very expression). */
export const NO_DEADLINE = 9_007_199_254_740_991;
/** The default walk of the unassigned and "all" tabs: escalated longest ago first. */
const BY_ESCALATION: QueueSort = { by: 'escalated', dir: 'asc' };

/** The sorts keyed by one column of `cases` (by risk the key is (buyer_score, buyer_id), see walkByRisk). */
type CasesSortBy = Exclude<QueueSort['by'], 'risk'>;
type CasesSort = QueueSort & { by: CasesSortBy };

/** Where a case of a buyer not scored yet sorts by risk, in every tab: below every score (0–100); cases.buyer_score's default (migrations/0034). */
const NOT_SCORED = -1;

/**
 * The sort key as the indexes of migrations/0011 (escalated_at), 0024 (claim_amount_minor, and
 * the deadline's coalesce, written exactly as there, literal included, so SQLite matches the
 * expression index) hold it.
 */
const sortKeyExpr = (by: CasesSortBy) =>
  by === 'escalated'
    ? sql<number>`"cases"."escalated_at"`
    : by === 'claim'
      ? sql<number>`"cases"."claim_amount_minor"`
      : sql<number>`coalesce("cases"."next_due_at", ${sql.lit(NO_DEADLINE)})`;

/** A row's key under this sort, as sortKeyExpr computes it in the database (the keyset cursor's sortKey). */
export function sortKeyOf(
  r: Pick<QueueRecord, 'escalated_at' | 'claim_amount_minor' | 'next_due_at'> & Partial<Pick<QueueRecord, 'risk_key'>>,
  sort: QueueSort,
): number {
  if (sort.by === 'risk') return r.risk_key == null ? NOT_SCORED : Number(r.risk_key);
  return sort.by === 'escalated' ? r.escalated_at : sort.by === 'claim' ? r.claim_amount_minor : (r.next_due_at ?? NO_DEADLINE);
}

/** The sort a page of the unassigned or "all" tab walks: the one asked for, else by escalation. */
export const walkSortOf = (q: QueueQuery): QueueSort => q.sort ?? BY_ESCALATION;

/** Ranks of "mine": spaced so rank × RANK + an epoch-ms instant stays an exact integer (< 2^53). */
const RANK = 100_000_000_000_000;

/** The columns every queue row needs: the case, its buyer and the buyer's stored fraud-pattern score. */
const ROW_COLUMNS = [
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
  'cases.buyer_score as risk_key',
  'cases.escalated_at',
  'cases.assignee_id',
  'cases.next_due_at',
  'cases.forced_decision',
  'cases.evidence_round',
] as const;

function rowsQuery(db: Reader) {
  return db
    .selectFrom('cases')
    .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
    .leftJoin('buyer_risk as bs', 'bs.buyer_id', 'cases.buyer_id')
    .select(ROW_COLUMNS);
}
/** One queue row as read: the case, its buyer and the buyer's stored score. */
export type QueueRecord = Awaited<ReturnType<ReturnType<typeof rowsQuery>['execute']>>[number];

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
    .then(eb(eb.ref('cases.escalated_at'), '+', eb.lit(0)))
    .when('cases.status', '=', 'in_review')
    .then(eb(eb.ref('cases.escalated_at'), '+', eb.lit(RANK as number)))
    .when('cases.next_due_at', 'is not', null)
    .then(eb(eb.ref('cases.next_due_at'), '+', eb.lit(2 * RANK)))
    .else(eb(eb.ref('cases.escalated_at'), '+', eb.lit(3 * RANK)))
    .end();

/** The sort key of a "mine" row, as mineSortExpr computes it in the database. */
export function mineSortKey(r: QueueRecord): number {
  if (r.forced_decision === 1) return r.escalated_at;
  if (r.status === 'in_review') return RANK + r.escalated_at;
  if (r.next_due_at !== null) return 2 * RANK + r.next_due_at;
  return 3 * RANK + r.escalated_at;
}

/** Which of these in-review cases came back after their latest evidence round expired (one indexed query per page). */
export async function missedEvidenceOf(db: Reader, rows: QueueRecord[]): Promise<Set<string>> {
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

type RowsQuery = ReturnType<typeof rowsQuery>;

/** The filters every walk applies the same way (the states and the buyer set are each walk's own). */
function narrowed(query: RowsQuery, q: QueueQuery, now: number): RowsQuery {
  if (q.reason?.length) query = query.where('cases.reason', 'in', q.reason);
  if (q.country) query = query.where('buyer.country', '=', q.country);
  if (q.currency) query = query.where('cases.currency', '=', q.currency);
  if (q.minAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '>=', q.minAmountMinor);
  if (q.maxAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '<=', q.maxAmountMinor);
  if (q.riskMin !== undefined && q.riskMin > 0) query = query.where('cases.buyer_score', '>=', q.riskMin);
  if (q.flagged) query = query.where('buyer.label', '=', 'serial_disputer');
  if (q.overdue) query = query.where((eb) => overdueExpr(eb, now));
  if (q.search)
    query = query.where((eb) => eb.or([eb('cases.id', '=', q.search!), eb('buyer.name', 'like', `%${q.search!.replace(/[%_]/g, '')}%`)]));
  return query;
}

/** A buyer set (flagged, high score) this small drives the query by buyer instead of walking the queue. */
const SMALL_BUYER_SET = 2_000;

/**
 * The rows of an unassigned or "all" page (up to `q.limit + 1`, in (escalated_at, id) order or
 * the sort's; by risk, walkByRisk's walk) of cases in `statuses`, and where a filtered walk stopped (`windowEnd`, null when it did not).
 * A small set of buyers (flagged, a high minimum score) drives the query through
 * `cases_by_buyer`; every other filter narrows an index walk that reads at most `scanWindow`
 * index entries, so a filter matching little never holds the database for a long scan.
 */
export async function walkQueue(db: Reader, q: QueueQuery, statuses: CaseStatus[], now: number, scanWindow: number): Promise<WalkedPage> {
  if (q.sort?.by === 'risk') return walkByRisk(db, q, statuses, now, scanWindow);
  const buyerSet = await smallBuyerSet(db, q);
  const sort = walkSortOf(q) as CasesSort;
  // A buyer set drives the query by buyer; otherwise the walk of walkOf. The state test of the
  // other walks is written so the planner cannot pick cases_queue (it would sort every open case).
  const walk: Walk = buyerSet ? 'every' : walkOf(statuses, sort.by);
  let query = inStates(rowsQuery(db), walk, statuses);
  if (buyerSet) query = query.where('cases.buyer_id', 'in', buyerSet);
  query = narrowed(query, q, now);
  if (q.after) query = query.where((eb) => afterKey(eb, sort, q.after!.sortKey, q.after!.id));

  const filtered = filtersStates(walk, statuses) || isFiltered(q);
  // A filtered walk stops at the end of its window; a buyer set is small enough to read whole.
  const windowEnd = filtered && !buyerSet ? await scanWindowEnd(db, statuses, walk, sort, q.after, scanWindow) : null;
  if (windowEnd) query = query.where((eb) => upToKey(eb, sort, windowEnd.sortKey, windowEnd.id));

  const rows = await query
    .orderBy(sortKeyExpr(sort.by), sort.dir)
    .orderBy('cases.id', sort.dir)
    .limit(q.limit + 1)
    .execute();
  return { rows, windowEnd };
}

/** Whether any filter narrows the walk (then it reads a bounded window of its index per request). */
const isFiltered = (q: QueueQuery) =>
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

/** A walked page's rows and where a bounded walk stopped (null when it did not). */
type WalkedPage = { rows: QueueRecord[]; windowEnd: QueueCursor | null };

/**
 * Which index a page walks (migrations/0011, 0024, 0034, 0042): `queue` cases_queue (one state by
 * escalation); `escalated` the escalated cases' index of the sort (escalated only, by claim,
 * deadline or risk: the unassigned tab); `open` the open cases' index of the sort (open states);
 * `every` every case's index of the sort.
 */
type Walk = 'queue' | 'escalated' | 'open' | 'every';

const isEveryOpenStatus = (statuses: readonly CaseStatus[]) =>
  statuses.length === OPEN_STATUSES.length && OPEN_STATUSES.every((st) => statuses.includes(st));

/**
 * The walk for these states under this sort. There is no (status, key) index but by escalation
 * (migrations/0042: every other one moved its entry on each status change): one state other
 * than escalated, sorted by claim, deadline or risk, walks the open cases' index (an open state)
 * or every case's, the state a filter within the bounded window, as several states do.
 */
function walkOf(statuses: readonly CaseStatus[], by: QueueSort['by']): Walk {
  if (statuses.length === 1 && by === 'escalated') return 'queue';
  if (statuses.length === 1 && statuses[0] === 'escalated') return 'escalated';
  return statuses.every((st) => OPEN_STATUSES.includes(st)) ? 'open' : 'every';
}

/** Whether the walk's index holds states the page does not want (then the walk reads a bounded window of it). */
const filtersStates = (walk: Walk, statuses: readonly CaseStatus[]) =>
  walk === 'every' || (walk === 'open' && !isEveryOpenStatus(statuses));

/**
 * The predicate of the open-only partial indexes (cases_open_by_escalation and the others,
 * migrations/0037), written exactly as there and with a literal: SQLite uses a partial index
 * only for a WHERE term identical to the index's, and never for a bound parameter. No index
 * leads with is_open, so the per-state cases_queue cannot serve it and SQLite's planner walks
 * the open index in order.
 */
const openCasesPredicate = sql<boolean>`cases.is_open = 1`;
/**
 * The predicate of the escalated cases' indexes (migrations/0042), written exactly as there,
 * literals included (as above); through coalesce so that no index on the status (cases_queue)
 * can serve it and the planner walks the sort's index in order instead of sorting a state.
 */
const escalatedPredicate = sql<boolean>`coalesce(cases.status, '') = 'escalated'`;

/** (key, id) after (k, id) in the sort's direction, written so the index range starts at k. */
const afterKey = (eb: Eb, sort: CasesSort, sortKey: number, id: string) => {
  const key = sortKeyExpr(sort.by);
  const [from, past] = sort.dir === 'asc' ? (['>=', '>'] as const) : (['<=', '<'] as const);
  return eb.and([eb(key, from, sortKey), eb.or([eb(key, past, sortKey), eb('cases.id', past, id)])]);
};
/** (key, id) up to and including (k, id) in the sort's direction. */
const upToKey = (eb: Eb, sort: CasesSort, sortKey: number, id: string) => {
  const key = sortKeyExpr(sort.by);
  const [to, before, upTo] = sort.dir === 'asc' ? (['<=', '<', '<='] as const) : (['>=', '>', '>='] as const);
  return eb.and([eb(key, to, sortKey), eb.or([eb(key, before, sortKey), eb('cases.id', upTo, id)])]);
};

/**
 * The key of the SCAN_WINDOW-th entry after the cursor along the index the page walks, or
 * null when the walk ends before it. It counts index entries, not matches: that is what
 * bounds the work of a filter that matches little.
 */
async function scanWindowEnd(db: Reader, statuses: CaseStatus[], walk: Walk, sort: CasesSort, after: QueueQuery['after'], size: number) {
  let w = db.selectFrom('cases').select(['cases.escalated_at', 'cases.claim_amount_minor', 'cases.next_due_at', 'cases.id']);
  // One state, the escalated ones, the open ones, or every state: the sort's index of that walk (migrations/0011, 0024, 0042).
  if (walk === 'queue') w = w.where('cases.status', '=', statuses[0]!);
  else if (walk === 'escalated') w = w.where(escalatedPredicate);
  else if (walk === 'open') w = w.where(openCasesPredicate);
  if (after) w = w.where((eb) => afterKey(eb as unknown as Eb, sort, after.sortKey, after.id));
  const row = await w
    .orderBy(sortKeyExpr(sort.by), sort.dir)
    .orderBy('cases.id', sort.dir)
    .offset(size - 1)
    .limit(1)
    .executeTakeFirst();
  return row ? { sortKey: sortKeyOf(row, sort), id: row.id } : null;
}

// ---------------------------------------------------------------- by risk

/**
 * The by-risk key as migrations/0034's indexes hold it: the buyer's score copied into the case
 * (-1 while the buyer is not scored yet: below every score), then the buyer, then the case.
 */
const RISK_KEY = sql<number>`"cases"."buyer_score"`;

/** A position in the by-risk order: the buyer's score, the buyer, the case. */
export interface RiskCursor {
  score: number;
  buyerId: string;
  id: string;
}

/**
 * The by-risk position of a page cursor: its score as the page read it, and its case's buyer
 * (a case never changes buyer), so that the keyset goes on from the same place even when the
 * score was recomputed meanwhile. Null when the case is gone.
 */
async function riskCursor(db: Reader, after: QueueCursor): Promise<RiskCursor | null> {
  const row = await db.selectFrom('cases').select('buyer_id').where('id', '=', after.id).executeTakeFirst();
  return row ? { score: after.sortKey, buyerId: row.buyer_id, id: after.id } : null;
}

/** (score, buyer, case) after the cursor in the direction, written so the index range starts at its score. */
function afterRiskKey(eb: Eb, dir: QueueSort['dir'], after: RiskCursor) {
  const [from, past] = dir === 'asc' ? (['>=', '>'] as const) : (['<=', '<'] as const);
  return eb.and([
    eb(RISK_KEY, from, after.score),
    eb.or([
      eb(RISK_KEY, past, after.score),
      eb('cases.buyer_id', past, after.buyerId),
      eb.and([eb('cases.buyer_id', '=', after.buyerId), eb('cases.id', past, after.id)]),
    ]),
  ]);
}

/** (score, buyer, case) up to and including the window's end in the direction. */
function upToRiskKey(eb: Eb, dir: QueueSort['dir'], end: RiskCursor) {
  const [to, before, upTo] = dir === 'asc' ? (['<=', '<', '<='] as const) : (['>=', '>', '>='] as const);
  return eb.and([
    eb(RISK_KEY, to, end.score),
    eb.or([
      eb(RISK_KEY, before, end.score),
      eb('cases.buyer_id', before, end.buyerId),
      eb.and([eb('cases.buyer_id', '=', end.buyerId), eb('cases.id', upTo, end.id)]),
    ]),
  ]);
}

/** The states of a walk, written so the planner walks that walk's index (as walkQueue does). */
function inStates(query: RowsQuery, walk: Walk, statuses: CaseStatus[]): RowsQuery {
  const anyOf = (qq: RowsQuery) => qq.where((eb) => eb(eb.fn.coalesce('cases.status', eb.val('')), 'in', statuses));
  if (walk === 'queue') return query.where('cases.status', '=', statuses[0]!);
  if (walk === 'escalated') return query.where(escalatedPredicate);
  if (walk === 'open') return isEveryOpenStatus(statuses) ? query.where(openCasesPredicate) : anyOf(query.where(openCasesPredicate));
  return anyOf(query);
}

/**
 * A page of the unassigned or "all" tab by the buyer's score (up to `q.limit + 1` rows in
 * (score, buyer, case) order), and where a filtered walk stopped: a keyset walk over the index
 * of that walk (migrations/0034, 0042: cases_escalated_by_risk for the escalated ones,
 * cases_open_by_risk for open states, cases_by_risk for any states) on the score copied into the case, so page 1,000
 * costs what page 1 does. A filter reads at most `scanWindow` index entries per request, like
 * the other sorts. A buyer not scored yet sorts as -1: below every score (last descending,
 * first ascending), in every tab.
 */
async function walkByRisk(db: Reader, q: QueueQuery, statuses: CaseStatus[], now: number, scanWindow: number): Promise<WalkedPage> {
  const dir = walkSortOf(q).dir;
  const after = q.after ? await riskCursor(db, q.after) : null;
  if (q.after && !after) return { rows: [], windowEnd: null };
  const walk = walkOf(statuses, 'risk');
  let query = narrowed(inStates(rowsQuery(db), walk, statuses), q, now);
  if (after) query = query.where((eb) => afterRiskKey(eb, dir, after));
  const end = filtersStates(walk, statuses) || isFiltered(q) ? await riskWindowEnd(db, walk, dir, after, scanWindow) : null;
  if (end) query = query.where((eb) => upToRiskKey(eb, dir, end));
  const rows = await query
    .orderBy(RISK_KEY, dir)
    .orderBy('cases.buyer_id', dir)
    .orderBy('cases.id', dir)
    .limit(q.limit + 1)
    .execute();
  return { rows, windowEnd: end ? { sortKey: end.score, id: end.id } : null };
}

/** The `size`-th (score, buyer, case) after the cursor along the walk's risk index, or null when the walk ends before it. */
async function riskWindowEnd(
  db: Reader,
  walk: Walk,
  dir: QueueSort['dir'],
  after: RiskCursor | null,
  size: number,
): Promise<RiskCursor | null> {
  let w = db.selectFrom('cases').select(['cases.buyer_score', 'cases.buyer_id', 'cases.id']);
  if (walk === 'escalated') w = w.where(escalatedPredicate);
  else if (walk === 'open') w = w.where(openCasesPredicate);
  if (after) w = w.where((eb) => afterRiskKey(eb as unknown as Eb, dir, after));
  const row = await w
    .orderBy(RISK_KEY, dir)
    .orderBy('cases.buyer_id', dir)
    .orderBy('cases.id', dir)
    .offset(size - 1)
    .limit(1)
    .executeTakeFirst();
  return row ? { score: Number(row.buyer_score), buyerId: row.buyer_id, id: row.id } : null;
}

/** The flagged buyers, or those scoring at least riskMin, when there are few of them (a bounded count). */
async function smallBuyerSet(db: Reader, q: QueueQuery) {
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

/** The rows of a "mine" page (one assignee's open cases, up to `q.limit + 1`, what needs action first unless `q.sort` says otherwise). */
export async function mineRows(db: Reader, q: QueueQuery, me: string | null, now: number): Promise<QueueRecord[]> {
  let query = rowsQuery(db)
    .where('cases.assignee_id', '=', me ?? '')
    // Open, said as cases_mine_by_risk's predicate (migrations/0036, 0037): this assignee's open cases by its first column.
    .where(openCasesPredicate);
  const sort = q.sort;
  // By risk on SQLite, the states are written so its planner cannot walk the team's cases_escalated_by_risk
  // instead (PostgreSQL, which knows how common a state is, walks cases_mine_by_risk given the plain test).
  if (q.status?.length)
    query =
      sort?.by === 'risk' && dialectOf(db) === 'sqlite'
        ? query.where((eb) => eb(eb.fn.coalesce('cases.status', eb.val('')), 'in', q.status!))
        : query.where('cases.status', 'in', q.status);
  query = narrowed(query, q, now);
  if (sort?.by === 'risk') {
    // A walk of cases_mine_by_risk (migrations/0036): this assignee's open cases in (score, buyer, case) order
    // from the cursor on (-1, below every score, while the buyer is not scored), never all of them sorted.
    if (q.after) {
      const after = await riskCursor(db, q.after);
      if (after) query = query.where((eb) => afterRiskKey(eb, sort.dir, after));
    }
    return query
      .orderBy(RISK_KEY, sort.dir)
      .orderBy('cases.buyer_id', sort.dir)
      .orderBy('cases.id', sort.dir)
      .limit(q.limit + 1)
      .execute();
  }
  // Another sort asked for: one assignee's open cases, ordered by the sort's key after the index narrowed them to this assignee.
  if (sort) {
    const bySort = sort as CasesSort;
    if (q.after) query = query.where((eb) => afterKey(eb, bySort, q.after!.sortKey, q.after!.id));
    return query
      .orderBy(sortKeyExpr(bySort.by), sort.dir)
      .orderBy('cases.id', sort.dir)
      .limit(q.limit + 1)
      .execute();
  }
  if (q.after) {
    const { sortKey, id } = q.after;
    query = query.where((eb) =>
      eb.or([eb(mineSortExpr(eb), '>', sortKey), eb.and([eb(mineSortExpr(eb), '=', sortKey), eb('cases.id', '>', id)])]),
    );
  }
  return query
    .orderBy((eb) => mineSortExpr(eb))
    .orderBy('cases.id')
    .limit(q.limit + 1)
    .execute();
}

const count = async (q: { executeTakeFirst(): Promise<{ n: unknown } | undefined> }) => Number((await q.executeTakeFirst())?.n ?? 0);

/**
 * Cases per state, from the counters the triggers on `cases` keep in the writing
 * transaction (migrations/0011): a few hundred rows summed instead of a million counted.
 */
export async function countsByStatus(db: Reader): Promise<Partial<Record<CaseStatus, number>>> {
  const rows = await db
    .selectFrom('queue_counts')
    .select(['status', (eb) => eb.fn.sum<number>('n').as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.filter((r) => Number(r.n) !== 0).map((r) => [r.status, Number(r.n)]));
}

/**
 * One assignee's open cases: all of them and those back in review from the counters; the
 * overdue ones (a deadline is a matter of the clock, not of a write) by a walk of the
 * assignee's own open cases in cases_mine_by_risk (migrations/0036, 0042).
 */
export async function countMine(db: Reader, me: string, which: 'all' | 'needsAction' | 'overdue', now: number): Promise<number> {
  if (which !== 'overdue') {
    const row = await db
      .selectFrom('queue_counts')
      .select((eb) => eb.fn.sum<number>('n').as('n'))
      .where('assignee_id', '=', me)
      .where('status', 'in', which === 'all' ? [...OPEN_STATUSES] : ['in_review'])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const base = db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cases.assignee_id', '=', me)
    .where(openCasesPredicate);
  return count(base.where((eb) => overdueExpr(eb as unknown as Eb, now)));
}

// Search probes: each an index lookup, so search answers as fast with a million cases as with a hundred.

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

export async function caseIdsById(db: Reader, id: string): Promise<string[]> {
  return ids(await db.selectFrom('cases').select('id').where('id', '=', id).execute());
}

export async function caseIdsByPrefix(db: Reader, prefix: string, limit: number): Promise<string[]> {
  return ids(
    await db
      .selectFrom('cases')
      .select('id')
      .where('id', '>', prefix)
      .where('id', '<', prefix + PREFIX_END)
      .orderBy('id')
      .limit(limit)
      .execute(),
  );
}

export async function caseIdsByOrder(db: Reader, orderId: string, limit: number): Promise<string[]> {
  return ids(await db.selectFrom('cases').select('id').where('order_id', '=', orderId).limit(limit).execute());
}

/** The cases of the orders with this tracking number. */
export async function caseIdsByTracking(db: Reader, trackingNumber: string, limit: number): Promise<string[]> {
  const tracked = await db.selectFrom('orders').select('id').where('tracking_number', '=', trackingNumber).limit(limit).execute();
  if (!tracked.length) return [];
  return ids(await db.selectFrom('cases').select('id').where('order_id', 'in', ids(tracked)).limit(limit).execute());
}

/** A buyer's cases, newest opened first. */
export async function caseIdsByBuyer(db: Reader, buyerId: string, limit: number): Promise<string[]> {
  return ids(await db.selectFrom('cases').select('id').where('buyer_id', '=', buyerId).orderBy('opened_at', 'desc').limit(limit).execute());
}

/** Lower-cases the way the database's lower() does: SQLite folds ASCII only. */
function lowerLike(db: Reader, text: string): string {
  return dialectOf(db) === 'sqlite' ? text.replace(/[A-Z]/g, (c) => c.toLowerCase()) : text.toLowerCase();
}

const PREFIX_END = '\uffff';

/** Buyers whose name begins with `text` (case-insensitive, as the database lower-cases). */
export async function buyerIdsByNamePrefix(db: Reader, text: string, limit: number): Promise<string[]> {
  const lower = lowerLike(db, text);
  return ids(
    await db
      .selectFrom('accounts')
      .select('id')
      .where((eb) =>
        eb.and([eb(eb.fn('lower', [eb.ref('name')]), '>=', lower), eb(eb.fn('lower', [eb.ref('name')]), '<', lower + PREFIX_END)]),
      )
      .where('role', '=', 'buyer')
      .limit(limit)
      .execute(),
  );
}

/** Buyers with `text` anywhere in their name: a bounded scan that stops at `limit` buyers. */
export async function buyerIdsByNameWord(db: Reader, text: string, limit: number): Promise<string[]> {
  const lower = lowerLike(db, text);
  return ids(
    await db
      .selectFrom('accounts')
      .select('id')
      .where((eb) => eb(eb.fn('lower', [eb.ref('name')]), 'like', `%${lower.replace(/[%_\\]/g, '')}%`))
      .where('role', '=', 'buyer')
      .limit(limit)
      .execute(),
  );
}

/** The queue rows of these cases (in no particular order). */
export async function queueRecordsOf(db: Reader, caseIds: string[]): Promise<QueueRecord[]> {
  return rowsQuery(db).where('cases.id', 'in', caseIds).execute();
}
