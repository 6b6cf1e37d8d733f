import type { z } from 'zod';
import { OPEN_STATUSES } from '../contract/domain';
import type { QueueFilter } from '../contract/methods';
import { toIso } from '../contract/primitives';
import type { Db } from '../db/connect';

export type QueueQuery = z.output<typeof QueueFilter>;

/**
 * One page of a queue, keyset-paged on (sortKey, id) so page 1,000 costs what page 1 does.
 * unassigned: escalated cases, escalated longest ago first (the `cases_queue` index);
 * mine: my open cases, those waiting on me (no running deadline) first, then nearest deadline.
 */
export async function queuePage(db: Db, q: QueueQuery, me: string | null, now: number) {
  const sortExpr = q.scope === 'mine' ? 'coalesce(cases.next_due_at, 0)' : 'cases.escalated_at';
  let query = db
    .selectFrom('cases')
    .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
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
      'cases.escalated_at',
      'cases.assignee_id',
      'cases.next_due_at',
      'cases.forced_decision',
    ]);
  if (q.scope === 'unassigned') query = query.where('cases.status', '=', 'escalated');
  if (q.scope === 'mine') query = query.where('cases.assignee_id', '=', me ?? '').where('cases.status', 'in', [...OPEN_STATUSES]);
  if (q.status?.length) query = query.where('cases.status', 'in', q.status);
  if (q.reason?.length) query = query.where('cases.reason', 'in', q.reason);
  if (q.country) query = query.where('buyer.country', '=', q.country);
  if (q.minAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '>=', q.minAmountMinor);
  if (q.maxAmountMinor !== undefined) query = query.where('cases.claim_amount_minor', '<=', q.maxAmountMinor);
  if (q.overdue) query = query.where('cases.next_due_at', '<=', now);
  if (q.search) query = query.where((eb) => eb.or([eb('cases.id', '=', q.search!), eb('buyer.name', 'like', `%${q.search!.replace(/[%_]/g, '')}%`)]));
  if (q.after) {
    const { sortKey, id } = q.after;
    query = query.where((eb) =>
      eb.or([eb(eb.fn('coalesce', [eb.ref(sortExpr === 'cases.escalated_at' ? 'cases.escalated_at' : 'cases.next_due_at'), eb.lit(0)]), '>', sortKey), eb.and([eb(eb.fn('coalesce', [eb.ref(sortExpr === 'cases.escalated_at' ? 'cases.escalated_at' : 'cases.next_due_at'), eb.lit(0)]), '=', sortKey), eb('cases.id', '>', id)])]),
    );
  }
  const ordered =
    q.scope === 'mine'
      ? query.orderBy((eb) => eb.fn('coalesce', [eb.ref('cases.next_due_at'), eb.lit(0)])).orderBy('cases.id')
      : query.orderBy('cases.escalated_at').orderBy('cases.id');
  const rows = await ordered.limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit).map((r) => {
    const sortKey = q.scope === 'mine' ? (r.next_due_at ?? 0) : r.escalated_at;
    return {
      id: r.id,
      status: r.status,
      reason: r.reason,
      claimAmountMinor: r.claim_amount_minor,
      currency: r.currency,
      totalMinor: r.total_minor,
      buyerId: r.buyer_id,
      buyerName: r.buyer_name,
      buyerCountry: r.buyer_country,
      buyerFlagged: r.buyer_label === 'serial_disputer',
      escalatedAt: toIso(r.escalated_at),
      assignee: r.assignee_id,
      nextDeadlineAt: r.next_due_at === null ? null : toIso(r.next_due_at),
      overdue: r.next_due_at !== null && r.next_due_at <= now,
      forcedDecision: r.forced_decision === 1,
      sortKey,
    };
  });
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > q.limit && last ? { sortKey: last.sortKey, id: last.id } : null };
}

export async function queueCounts(db: Db, me: string | null) {
  const byStatus = await db.selectFrom('cases').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const mine = me
    ? await db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('assignee_id', '=', me)
        .where('status', 'in', [...OPEN_STATUSES])
        .executeTakeFirst()
    : undefined;
  return { byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])), mine: Number(mine?.n ?? 0) };
}
