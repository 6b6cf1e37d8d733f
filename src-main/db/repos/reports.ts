import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { ReportDimension, ReportMetric } from '../../contract/reports';
import type { Database } from '../schema';
import type { Reader } from '../tx';

/**
 * The supervisors' reports: the cohort is every case whose FIRST decision (decisions.seq = 1)
 * falls in [from, to). The report reads the summaries migrations/0028 keeps (report_facts per
 * whole UTC day, report_cases for the partial days at the period's edges and for the
 * drill-down); the direct computation over decisions and cases (`reportTalliesDirect`,
 * `reportCasesDirect`) stays as the reference the tests and the bench compare against. Time
 * to decision is a histogram (portable, bounded), turned into percentiles in app/reports.
 */

/** Monday 1970-01-05 00:00 UTC: weeks are counted from a Monday so a week key is its Monday. */
export const WEEK_EPOCH_MS = 345_600_000;
export const WEEK_MS = 604_800_000;

/** Upper bounds (hours) of the time-to-decision histogram's buckets; the last is open. */
export const HOUR_BUCKETS = [1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1440] as const;

type Eb = ExpressionBuilder<Database & { d: Database['decisions']; c: Database['cases']; a: Database['accounts'] }, 'd' | 'c' | 'a'>;

/** The group key of a first decision, as text on both dialects. */
function keyOf(by: ReportDimension): RawBuilder<string> {
  switch (by) {
    case 'mediator':
      return sql<string>`d.decided_by`;
    case 'reason':
      return sql<string>`c.reason`;
    case 'country':
      return sql<string>`a.country`;
    case 'week':
      // Integer division on both dialects (bigint / bigint in PostgreSQL, integer / integer in SQLite). Literals,
      // not parameters: better-sqlite3 would bind them as REAL, and PostgreSQL must see the same GROUP BY expression.
      return sql<string>`cast((d.decided_at - ${sql.lit(WEEK_EPOCH_MS)}) / ${sql.lit(WEEK_MS)} as text)`;
  }
}

function cohort(db: Reader, from: number, to: number) {
  return db
    .selectFrom('decisions as d')
    .innerJoin('cases as c', 'c.id', 'd.case_id')
    .innerJoin('accounts as a', 'a.id', 'c.buyer_id')
    .where('d.seq', '=', 1)
    .where('d.decided_at', '>=', from)
    .where('d.decided_at', '<', to);
}

const countIf = (condition: Expression<SqlBool>) => sql<number>`sum(case when ${condition} then 1 else 0 end)`;

/** The figures computed from decisions and cases directly (the reference; scans the cohort). */
export async function reportTalliesDirect(db: Reader, by: ReportDimension, from: number, to: number) {
  const key = keyOf(by);
  const bucket = sql<number>`case ${sql.join(
    HOUR_BUCKETS.map((h, i) => sql`when d.decided_at - c.escalated_at < ${sql.lit(h * 3_600_000)} then ${sql.lit(i)}`),
    sql` `,
  )} else ${sql.lit(HOUR_BUCKETS.length)} end`;
  const [main, hours, evidence, replies, refunds] = await Promise.all([
    cohort(db, from, to)
      .leftJoin('appeals as ap', 'ap.case_id', 'd.case_id')
      .select((eb) => [
        key.as('key'),
        eb.fn.countAll<number>().as('decided'),
        countIf(sql`d.basis = 'default'`).as('by_default'),
        countIf(sql`d.basis = 'agreement'`).as('by_agreement'),
        countIf(sql`d.basis = 'mediator'`).as('by_mediator'),
        countIf(sql`ap.case_id is not null`).as('appealed'),
        countIf(sql`ap.status = 'overturned'`).as('overturned'),
      ])
      .groupBy(key)
      .execute(),
    cohort(db, from, to)
      .select((eb) => [key.as('key'), bucket.as('bucket'), eb.fn.countAll<number>().as('n')])
      .groupBy([key, bucket])
      .execute(),
    cohort(db, from, to)
      .innerJoin('evidence_requests as er', 'er.case_id', 'd.case_id')
      .select((eb) => [key.as('key'), eb.fn.countAll<number>().as('requests'), countIf(sql`er.status = 'expired'`).as('expired')])
      .groupBy(key)
      .execute(),
    cohort(db, from, to)
      .innerJoin('proposals as p', 'p.case_id', 'd.case_id')
      .select((eb) => [
        key.as('key'),
        eb.fn.countAll<number>().as('periods'),
        countIf(sql`p.buyer_reply is null or p.seller_reply is null`).as('missed'),
      ])
      .groupBy(key)
      .execute(),
    cohort(db, from, to)
      .innerJoin('refunds as r', 'r.case_id', 'd.case_id')
      .where('r.status', '!=', 'cancelled')
      .where('r.amount_minor', '>', 0)
      .select((eb) => [key.as('key'), 'r.currency', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('r.amount_minor').as('amount')])
      .groupBy([key, 'r.currency'])
      .execute(),
  ]);
  return { main, hours, evidence, replies, refunds };
}

/** One figure's cases: the group, the figure, the period [from, to) and the keyset page. */
export interface ReportCasesQuery {
  by: ReportDimension;
  key: string;
  metric: ReportMetric;
  from: number;
  to: number;
  limit: number;
  after?: { decidedAt: number; caseId: string };
}

/** The cases behind one figure from decisions and cases directly (the reference for reportCases). */
export async function reportCasesDirect(db: Reader, q: ReportCasesQuery) {
  let query = cohort(db, q.from, q.to)
    .leftJoin('appeals as ap', 'ap.case_id', 'd.case_id')
    .select([
      'd.case_id',
      'c.reason',
      'a.country',
      'd.decided_by',
      'd.decided_at',
      'd.outcome',
      'd.basis',
      'd.amount_minor',
      'c.currency',
      'ap.status as appeal_status',
    ])
    .where((eb: Eb) => eb(keyOf(q.by), '=', q.key));
  switch (q.metric) {
    case 'decided':
      break;
    case 'default':
    case 'agreement':
      query = query.where('d.basis', '=', q.metric);
      break;
    case 'appealed':
      query = query.where('ap.case_id', 'is not', null);
      break;
    case 'overturned':
      query = query.where('ap.status', '=', 'overturned');
      break;
    case 'evidenceExpired':
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('evidence_requests as er')
            .select('er.id')
            .whereRef('er.case_id', '=', 'd.case_id')
            .where('er.status', '=', 'expired'),
        ),
      );
      break;
    case 'replyMissed':
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('proposals as p')
            .select('p.case_id')
            .whereRef('p.case_id', '=', 'd.case_id')
            .where((w) => w.or([w('p.buyer_reply', 'is', null), w('p.seller_reply', 'is', null)])),
        ),
      );
      break;
  }
  if (q.after) {
    const { decidedAt, caseId } = q.after;
    query = query.where((eb) =>
      eb.or([eb('d.decided_at', '<', decidedAt), eb.and([eb('d.decided_at', '=', decidedAt), eb('d.case_id', '<', caseId)])]),
    );
  }
  return query.orderBy('d.decided_at', 'desc').orderBy('d.case_id', 'desc').limit(q.limit).execute();
}

/** Display names of the users a report names. */
export async function userNames(db: Reader, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

const DAY_MS = 86_400_000;
/** The histogram's columns in report_facts: h0 … h17 (the last bucket is open). */
const H_COLUMNS = Array.from({ length: HOUR_BUCKETS.length + 1 }, (_, i) => `h${i}`);
const FACT_COUNTERS = [
  'decided',
  'by_default',
  'by_agreement',
  'by_mediator',
  'appealed',
  'overturned',
  'ev_requests',
  'ev_expired',
  'reply_periods',
  'reply_missed',
  'refunds',
  'refund_amount',
  ...H_COLUMNS,
] as const;
type FactRow = { k: string; currency: string } & Record<(typeof FACT_COUNTERS)[number], number | string>;

/** The same counters for one report_cases row (what its report_facts row got from it). */
const CASE_COUNTERS = sql.raw(
  [
    '1',
    `CASE WHEN rc.basis = 'default' THEN 1 ELSE 0 END`,
    `CASE WHEN rc.basis = 'agreement' THEN 1 ELSE 0 END`,
    `CASE WHEN rc.basis = 'mediator' THEN 1 ELSE 0 END`,
    'rc.appealed',
    'rc.overturned',
    'rc.ev_requests',
    'rc.ev_expired',
    'rc.reply_periods',
    'rc.reply_missed',
    `CASE WHEN rc.refund_currency <> '' THEN 1 ELSE 0 END`,
    'rc.refund_amount',
    ...H_COLUMNS.map((_, i) => `CASE WHEN rc.bucket = ${i} THEN 1 ELSE 0 END`),
  ]
    .map((e, i) => `${e} AS ${FACT_COUNTERS[i]}`)
    .join(', '),
);

/** A group key from report_facts (f) or report_cases (rc), as text; the week as in keyOf. */
function summaryKey(by: ReportDimension, t: 'f' | 'rc'): RawBuilder<string> {
  const col = by === 'mediator' ? 'decided_by' : by;
  if (by !== 'week') return sql<string>`${sql.ref(`${t}.${col}`)}`;
  if (t === 'f') return sql<string>`cast((f.day - ${sql.lit(WEEK_EPOCH_MS / DAY_MS)}) / ${sql.lit(WEEK_MS / DAY_MS)} as text)`;
  return sql<string>`cast((rc.decided_at - ${sql.lit(WEEK_EPOCH_MS)}) / ${sql.lit(WEEK_MS)} as text)`;
}

/**
 * The figures of reportTalliesDirect, read from the summaries: report_facts for the whole UTC
 * days inside [from, to), report_cases for the partial days at either edge, in one grouped
 * query (per key and refund currency), reshaped into the direct computation's parts.
 */
export async function reportTallies(db: Reader, by: ReportDimension, from: number, to: number) {
  const lo = Math.ceil(from / DAY_MS);
  const hi = Math.floor(to / DAY_MS);
  const edges: Array<[number, number]> =
    lo < hi
      ? [
          [from, lo * DAY_MS],
          [hi * DAY_MS, to],
        ]
      : [[from, to]];
  const inEdges = sql.join(
    edges.map(([a, b]) => sql`(rc.decided_at >= ${a} AND rc.decided_at < ${b})`),
    sql` OR `,
  );
  const parts = [
    sql`SELECT ${summaryKey(by, 'rc')} AS k, rc.refund_currency AS currency, ${CASE_COUNTERS} FROM report_cases rc WHERE ${inEdges}`,
  ];
  if (lo < hi)
    parts.push(
      sql`SELECT ${summaryKey(by, 'f')} AS k, f.currency AS currency, ${sql.raw(FACT_COUNTERS.map((c) => `f.${c}`).join(', '))}
          FROM report_facts f WHERE f.day >= ${lo} AND f.day < ${hi}`,
    );
  const sums = sql.raw(FACT_COUNTERS.map((c) => `SUM(${c}) AS ${c}`).join(', '));
  const { rows } = await sql<FactRow>`SELECT k, currency, ${sums} FROM (${sql.join(parts, sql` UNION ALL `)}) t
    GROUP BY k, currency HAVING SUM(decided) > 0`.execute(db);

  const n = (v: unknown) => Number(v ?? 0);
  const byKey = new Map<string, Record<string, number>>();
  const refunds: Array<{ key: string; currency: string; n: number; amount: number }> = [];
  for (const r of rows) {
    const acc = byKey.get(r.k) ?? Object.fromEntries(FACT_COUNTERS.map((c) => [c, 0]));
    for (const c of FACT_COUNTERS) acc[c]! += n(r[c]);
    byKey.set(r.k, acc);
    if (r.currency !== '' && n(r.refunds) > 0)
      refunds.push({ key: r.k, currency: r.currency, n: n(r.refunds), amount: n(r.refund_amount) });
  }
  const groups = [...byKey.entries()].map(([key, c]) => ({ key, c }));
  return {
    main: groups.map(({ key, c }) => ({
      key,
      decided: c.decided!,
      by_default: c.by_default!,
      by_agreement: c.by_agreement!,
      by_mediator: c.by_mediator!,
      appealed: c.appealed!,
      overturned: c.overturned!,
    })),
    hours: groups.flatMap(({ key, c }) => H_COLUMNS.map((h, bucket) => ({ key, bucket, n: c[h]! })).filter((h) => h.n > 0)),
    evidence: groups.filter(({ c }) => c.ev_requests! > 0).map(({ key, c }) => ({ key, requests: c.ev_requests!, expired: c.ev_expired! })),
    replies: groups
      .filter(({ c }) => c.reply_periods! > 0)
      .map(({ key, c }) => ({ key, periods: c.reply_periods!, missed: c.reply_missed! })),
    refunds,
  };
}

/**
 * The cases behind one figure, newest first decision first, keyset on (decided_at, case id):
 * report_cases through its index for the dimension (or time, for a week), then each case's
 * decision, currency and appeal by primary key.
 */
export async function reportCases(db: Reader, q: ReportCasesQuery) {
  let from = q.from;
  let to = q.to;
  let query = db
    .selectFrom('report_cases as rc')
    .innerJoin('decisions as d', (j) => j.onRef('d.case_id', '=', 'rc.case_id').on('d.seq', '=', 1))
    .innerJoin('cases as c', 'c.id', 'rc.case_id')
    .leftJoin('appeals as ap', 'ap.case_id', 'rc.case_id')
    .select([
      'rc.case_id',
      'rc.reason',
      'rc.country',
      'rc.decided_by',
      'rc.decided_at',
      'd.outcome',
      'rc.basis',
      'd.amount_minor',
      'c.currency',
      'ap.status as appeal_status',
    ]);
  if (q.by === 'week') {
    const week = Number(q.key);
    if (!/^-?\d+$/.test(q.key)) return [];
    from = Math.max(from, WEEK_EPOCH_MS + week * WEEK_MS);
    to = Math.min(to, WEEK_EPOCH_MS + (week + 1) * WEEK_MS);
  } else query = query.where(q.by === 'mediator' ? 'rc.decided_by' : q.by === 'reason' ? 'rc.reason' : 'rc.country', '=', q.key);
  query = query.where('rc.decided_at', '>=', from).where('rc.decided_at', '<', to);
  switch (q.metric) {
    case 'decided':
      break;
    case 'default':
    case 'agreement':
      query = query.where('rc.basis', '=', q.metric);
      break;
    case 'appealed':
      query = query.where('rc.appealed', '=', 1);
      break;
    case 'overturned':
      query = query.where('rc.overturned', '=', 1);
      break;
    case 'evidenceExpired':
      query = query.where('rc.ev_expired', '>', 0);
      break;
    case 'replyMissed':
      query = query.where('rc.reply_missed', '=', 1);
      break;
  }
  if (q.after) {
    const { decidedAt, caseId } = q.after;
    query = query.where((eb) =>
      eb.or([eb('rc.decided_at', '<', decidedAt), eb.and([eb('rc.decided_at', '=', decidedAt), eb('rc.case_id', '<', caseId)])]),
    );
  }
  return query.orderBy('rc.decided_at', 'desc').orderBy('rc.case_id', 'desc').limit(q.limit).execute();
}
