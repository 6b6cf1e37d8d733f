import { OPEN_STATUSES } from '../../contract/domain';
import type { Reader } from '../tx';

/**
 * Reads of cases beyond the engine's state (that is repos/case.ts): the case screen's rows,
 * the parties' record on the platform, and the small lookups the services make by id.
 */

/** The rows the case screen shows besides the engine's state; they throw when the case (or a party) is missing. */
export async function caseScreenRows(
  db: Reader,
  caseId: string,
  parties: { buyerId: string; sellerId: string },
  opts: { events?: boolean } = {},
) {
  const [row, order, buyer, seller, negotiation, messages, evidence, events] = await Promise.all([
    db
      .selectFrom('cases')
      .select(['description', 'opened_at', 'escalated_at', 'claim_remedy'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('orders')
      .innerJoin('cases', 'cases.order_id', 'orders.id')
      .selectAll('orders')
      .where('cases.id', '=', caseId)
      .executeTakeFirstOrThrow(),
    db.selectFrom('accounts').selectAll().where('id', '=', parties.buyerId).executeTakeFirstOrThrow(),
    db.selectFrom('accounts').selectAll().where('id', '=', parties.sellerId).executeTakeFirstOrThrow(),
    db.selectFrom('negotiation').selectAll().where('case_id', '=', caseId).orderBy('seq').execute(),
    db.selectFrom('messages').selectAll().where('case_id', '=', caseId).orderBy('seq').execute(),
    db.selectFrom('evidence').selectAll().where('case_id', '=', caseId).orderBy('seq').execute(),
    opts.events === false
      ? Promise.resolve([])
      : // History order: the chain's (case_id, seq) index walked (migration 0049); events written around the chain (no seq) first.
        db
          .selectFrom('case_events')
          .selectAll()
          .where('case_id', '=', caseId)
          .orderBy('seq', (ob) => ob.asc().nullsFirst())
          .orderBy('id')
          .execute(),
  ]);
  return { row, order, buyer, seller, negotiation, messages, evidence, events };
}

/** The account's record on the platform: its orders, its disputes, and those still open (three indexed counts). */
export async function partyCounts(
  db: Reader,
  role: 'buyer' | 'seller',
  accountId: string,
): Promise<{ orders: number; disputes: number; openDisputes: number }> {
  const col = role === 'buyer' ? 'buyer_id' : 'seller_id';
  const [orders, disputes, open] = await Promise.all([
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(col, '=', accountId)
      .executeTakeFirst(),
    db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(col, '=', accountId)
      .executeTakeFirst(),
    db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(col, '=', accountId)
      .where('status', 'in', [...OPEN_STATUSES])
      .executeTakeFirst(),
  ]);
  return { orders: Number(orders?.n ?? 0), disputes: Number(disputes?.n ?? 0), openDisputes: Number(open?.n ?? 0) };
}

export async function caseExists(db: Reader, caseId: string): Promise<boolean> {
  return !!(await db.selectFrom('cases').select('id').where('id', '=', caseId).executeTakeFirst());
}

/** The unassigned case escalated longest ago (the head of the `cases_queue` walk); null when there is none. */
export async function oldestUnassignedCase(db: Reader): Promise<string | null> {
  const next = await db
    .selectFrom('cases')
    .select('id')
    .where('status', '=', 'escalated')
    .where('assignee_id', 'is', null)
    .orderBy('escalated_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return next?.id ?? null;
}

/** Every case id, in the order the cases were created. */
export async function caseIdsInCreationOrder(db: Reader): Promise<string[]> {
  return (await db.selectFrom('cases').select('id').orderBy('created_at').orderBy('id').execute()).map((r) => r.id);
}

/** The cases a buyer opened. */
export async function caseIdsOfBuyer(db: Reader, buyerId: string): Promise<string[]> {
  return (await db.selectFrom('cases').select('id').where('buyer_id', '=', buyerId).execute()).map((r) => r.id);
}
