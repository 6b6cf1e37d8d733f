import { sql, type RawBuilder } from 'kysely';
import type { FairnessDimension, GroupSums } from '../../../engine/risk/fairness';
import type { Reader } from '../../tx';

const DAY = 86_400_000;

/**
 * The fairness monitor's sums (engine/risk/fairness.ts): one aggregate query per dimension
 * over buyer_risk joined to the account, grouped by country, account age band (as of `now`)
 * and order-volume band. One pass over the buyers each, no rows returned per buyer.
 */
export async function fairnessSums(db: Reader, now: number, highScore: number): Promise<GroupSums[]> {
  const created = sql.ref('a.created_at');
  const orders = sql.ref('r.n_orders');
  const age = sql<string>`case
    when ${created} is null then 'unknown'
    when ${created} > ${now - 90 * DAY} then 'under 90 days'
    when ${created} > ${now - 365 * DAY} then '90 days to 1 year'
    when ${created} > ${now - 3 * 365 * DAY} then '1 to 3 years'
    else 'over 3 years' end`;
  const volume = sql<string>`case
    when ${orders} < 3 then '0-2 orders'
    when ${orders} < 10 then '3-9 orders'
    when ${orders} < 30 then '10-29 orders'
    else '30+ orders' end`;
  const dims: Array<[FairnessDimension, RawBuilder<string>]> = [
    ['country', sql<string>`${sql.ref('a.country')}`],
    ['accountAge', age],
    ['orderVolume', volume],
  ];
  const out: GroupSums[] = [];
  for (const [dimension, key] of dims) {
    const rows = await db
      .selectFrom('buyer_risk as r')
      .innerJoin('accounts as a', 'a.id', 'r.buyer_id')
      .select([
        key.as('grp'),
        sql<number>`count(*)`.as('members'),
        sql<number>`sum(${sql.ref('r.score')})`.as('sum_score'),
        sql<number>`sum(${sql.ref('r.score')} * ${sql.ref('r.score')})`.as('sum_score2'),
        sql<number>`sum(case when ${sql.ref('r.score')} >= ${highScore} then 1 else 0 end)`.as('high'),
        sql<number>`sum(case when ${sql.ref('a.label')} = 'serial_disputer' then 1 else 0 end)`.as('flagged'),
        sql<number>`sum(case when ${sql.ref('a.label')} = 'cleared' then 1 else 0 end)`.as('cleared'),
      ])
      // By position: PostgreSQL would not see a parameterised CASE in GROUP BY as the one selected.
      .groupBy(sql`1`)
      .execute();
    for (const r of rows)
      out.push({
        dimension,
        group: String(r.grp),
        members: Number(r.members),
        sumScore: Number(r.sum_score),
        sumScore2: Number(r.sum_score2),
        high: Number(r.high),
        flagged: Number(r.flagged),
        cleared: Number(r.cleared),
      });
  }
  return out;
}
