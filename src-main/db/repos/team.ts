import { sql } from 'kysely';
import { OPEN_STATUSES } from '../../contract/domain';
// The queue's definition of overdue (it moves to db/ with the queue's queries).
import { overdueExpr } from './queue';
import type { Reader } from '../tx';

/**
 * The team's users and the supervisors' team view (app/supervision/team.ts): every query is
 * grouped in SQL and bounded by the team's size or an index range.
 */

type OverdueEb = Parameters<typeof overdueExpr>[0];

/** Mediators and supervisors, by role, name and id. */
export async function teamMembers(db: Reader) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'role'])
    .where('role', 'in', ['mediator', 'supervisor'])
    .orderBy('role')
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Every user, by id (the policy preview's scenario signs them in). */
export async function allUsers(db: Reader) {
  return db.selectFrom('users').select(['id', 'name', 'role']).orderBy('id').execute();
}

export async function userRoleOf(db: Reader, userId: string) {
  return db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).executeTakeFirst();
}

/**
 * Per member (three grouped queries at once): open and overdue cases assigned; decisions made
 * from `since` to `now` by outcome (by the mediator or on appeal), with how many refunded and
 * the summed refunded share of the claim; and those of them overturned on appeal.
 */
export async function teamTallies(db: Reader, ids: string[], since: number, now: number) {
  const [open, decided, overturned] = await Promise.all([
    db
      .selectFrom('cases')
      .select((eb) => [
        'cases.assignee_id',
        eb.fn.countAll<number>().as('n'),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(overdueExpr(eb as unknown as OverdueEb, now))
              .then(1)
              .else(0)
              .end(),
          )
          .as('overdue'),
      ])
      .where('cases.assignee_id', 'in', ids)
      // Open, said as cases_mine_by_risk's predicate (migrations/0037): each member's open cases by that index (0042).
      .where(sql<boolean>`cases.is_open = 1`)
      .groupBy('cases.assignee_id')
      .execute(),
    db
      .selectFrom('decisions as d')
      .innerJoin('cases', 'cases.id', 'd.case_id')
      .select((eb) => [
        'd.decided_by',
        'd.outcome',
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>(eb.case().when('d.amount_minor', '>', 0).then(1).else(0).end()).as('refunded'),
        // The refunded share of the claim, capped at 1: comparable across currencies.
        eb.fn
          .sum<number>(
            sql`case when d.amount_minor >= cases.claim_amount_minor then 1.0 else d.amount_minor * 1.0 / cases.claim_amount_minor end`,
          )
          .as('share'),
      ])
      .where('d.decided_by', 'in', ids)
      .where('d.decided_at', '>=', since)
      .where('d.decided_at', '<=', now)
      .where('d.basis', 'in', ['mediator', 'appeal'])
      .groupBy(['d.decided_by', 'd.outcome'])
      .execute(),
    // A decision overturned on appeal is followed by the reviewer's decision (basis appeal).
    db
      .selectFrom('decisions as d')
      .innerJoin('decisions as r', (j) =>
        j
          .onRef('r.case_id', '=', 'd.case_id')
          .on('r.seq', '=', sql<number>`d.seq + 1`)
          .on('r.basis', '=', 'appeal'),
      )
      .select(['d.decided_by', (eb) => eb.fn.countAll<number>().as('n')])
      .where('d.decided_by', 'in', ids)
      .where('d.decided_at', '>=', since)
      .where('d.decided_at', '<=', now)
      .groupBy('d.decided_by')
      .execute(),
  ]);
  return { open, decided, overturned };
}

/** Escalated cases nobody has claimed. */
export async function unassignedCount(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'escalated')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The first `limit` rows of each open state along the (status, escalated_at, id) index (one
 * query per state, at once), for the caller to merge. Never a walk over the closed and final cases.
 */
export async function longestWaitingPerStatus(db: Reader, now: number, limit: number) {
  const perStatus = await Promise.all(
    OPEN_STATUSES.map((status) =>
      db
        .selectFrom('cases')
        .select((eb) => [
          'cases.id',
          'cases.status',
          'cases.assignee_id',
          'cases.escalated_at',
          'cases.reason',
          eb
            .case()
            .when(overdueExpr(eb as unknown as OverdueEb, now))
            .then(1)
            .else(0)
            .end()
            .as('overdue'),
        ])
        .where('cases.status', '=', status)
        .orderBy('cases.escalated_at')
        .orderBy('cases.id')
        .limit(limit)
        .execute(),
    ),
  );
  return perStatus.flat();
}

/** Refunds by stage and currency, with their sum (the team view's refund totals). */
export async function refundStageTotals(
  db: Reader,
): Promise<Array<{ status: string; currency: string; count: number; amountMinor: number }>> {
  const rows = await db
    .selectFrom('refunds')
    .select((eb) => ['status', 'currency', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('amount_minor').as('amount')])
    .groupBy(['status', 'currency'])
    .orderBy('status')
    .orderBy('currency')
    .execute();
  return rows.map((r) => ({ status: r.status, currency: r.currency, count: Number(r.n), amountMinor: Number(r.amount ?? 0) }));
}
