import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { ReportDimension, ReportMetric } from '../../contract/reports';
import type { Database } from '../schema';
import type { Reader } from '../tx';

/**
 * The supervisors' reports: the cohort is every case whose FIRST decision (decisions.seq = 1)
 * falls in [from, to), read through the index on (seq, decided_at) (0016). Every figure is one
 * grouped query; time to decision is a histogram in SQL (portable, bounded), turned into
 * percentiles in app/reports.
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

export async function reportTallies(db: Reader, by: ReportDimension, from: number, to: number) {
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

/** The cases behind one figure, newest first decision first, keyset on (decided_at, case id). */
export async function reportCases(
  db: Reader,
  q: {
    by: ReportDimension;
    key: string;
    metric: ReportMetric;
    from: number;
    to: number;
    limit: number;
    after?: { decidedAt: number; caseId: string };
  },
) {
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
