import type { AccountLabel } from '../contract/domain';
import type { Db } from '../db/connect';
import { scoreBuyer, type BuyerFacts } from '../engine/risk';

const DAY = 86_400_000;

/** Counts a buyer's facts with indexed queries and scores them (the full model is issue 6's). */
export async function buyerFacts(db: Db, buyerId: string): Promise<BuyerFacts> {
  const [acc, orders, disputes, latest, nrd, reused, linked] = await Promise.all([
    db.selectFrom('accounts').select('label').where('id', '=', buyerId).executeTakeFirst(),
    db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('buyer_id', '=', buyerId).executeTakeFirst(),
    db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('buyer_id', '=', buyerId).executeTakeFirst(),
    db.selectFrom('cases').select('opened_at').where('buyer_id', '=', buyerId).orderBy('opened_at', 'desc').limit(1).executeTakeFirst(),
    db
      .selectFrom('cases')
      .innerJoin('orders', 'orders.id', 'cases.order_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cases.buyer_id', '=', buyerId)
      .where('cases.reason', 'like', 'not_received.%')
      .where('orders.delivery_status', '=', 'delivered')
      .executeTakeFirst(),
    db
      .selectFrom('evidence as mine')
      .innerJoin('cases as c', 'c.id', 'mine.case_id')
      .innerJoin('evidence as other', (j) => j.onRef('other.sha256', '=', 'mine.sha256').onRef('other.case_id', '<>', 'mine.case_id'))
      .select((eb) => eb.fn.count<number>('other.case_id').distinct().as('n'))
      .where('c.buyer_id', '=', buyerId)
      .where('mine.party', '=', 'buyer')
      .executeTakeFirst(),
    db
      .selectFrom('account_links as mine')
      .innerJoin('account_links as other', (j) =>
        j.onRef('other.kind', '=', 'mine.kind').onRef('other.value', '=', 'mine.value').onRef('other.account_id', '<>', 'mine.account_id'),
      )
      .innerJoin('accounts as a', 'a.id', 'other.account_id')
      .select((eb) => eb.fn.count<number>('other.account_id').distinct().as('n'))
      .where('mine.account_id', '=', buyerId)
      .where('a.label', '=', 'serial_disputer')
      .executeTakeFirst(),
  ]);
  const since = (latest?.opened_at ?? 0) - 30 * DAY;
  const recent = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('buyer_id', '=', buyerId)
    .where('opened_at', '>', since)
    .executeTakeFirst();
  return {
    orders: Number(orders?.n ?? 0),
    disputes: Number(disputes?.n ?? 0),
    disputesLast30Days: Number(recent?.n ?? 0),
    notReceivedOnDelivered: Number(nrd?.n ?? 0),
    reusedPhotoDisputes: Number(reused?.n ?? 0),
    linkedToFlagged: Number(linked?.n ?? 0),
    label: (acc?.label as AccountLabel | null) ?? null,
  };
}

export async function buyerRisk(db: Db, buyerId: string) {
  const { score, reasons } = scoreBuyer(await buyerFacts(db, buyerId));
  return { score, reasons: reasons.map((r) => r.text), details: reasons };
}
