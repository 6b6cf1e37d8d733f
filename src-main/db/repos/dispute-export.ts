import type { Reader } from '../tx';

/**
 * The rows a case's intake `Dispute` is rebuilt from (app/replay/dispute-export.ts): the case
 * with its order, both accounts and their links, the negotiation, the messages and the
 * evidence submitted before escalation (no request id). For at most 500 case ids at a time;
 * null when none of them exists.
 */
export async function disputeRowsOf(db: Reader, ids: string[]) {
  const cases = await db
    .selectFrom('cases')
    .innerJoin('orders', 'orders.id', 'cases.order_id')
    .select([
      'cases.id',
      'cases.opened_at',
      'cases.escalated_at',
      'cases.reason',
      'cases.claim_remedy',
      'cases.claim_amount_minor',
      'cases.description',
      'cases.buyer_id',
      'cases.seller_id',
      'orders.id as order_id',
      'orders.placed_at',
      'orders.shipped_at',
      'orders.currency',
      'orders.item_price_minor',
      'orders.shipping_minor',
      'orders.total_minor',
      'orders.item_title',
      'orders.quantity',
      'orders.tracking_number',
      'orders.carrier',
      'orders.delivery_status',
      'orders.delivered_at',
    ])
    .where('cases.id', 'in', ids)
    .execute();
  if (!cases.length) return null;
  const accountIds = [...new Set(cases.flatMap((c) => [c.buyer_id, c.seller_id]))];
  const [accounts, links, negotiation, messages, evidence] = await Promise.all([
    db.selectFrom('accounts').select(['id', 'name', 'country', 'language', 'created_at']).where('id', 'in', accountIds).execute(),
    db
      .selectFrom('account_links')
      .select(['account_id', 'kind', 'value'])
      .where('account_id', 'in', accountIds)
      .orderBy('account_id')
      .orderBy('kind')
      .orderBy('value')
      .execute(),
    db.selectFrom('negotiation').selectAll().where('case_id', 'in', ids).orderBy('case_id').orderBy('seq').execute(),
    db.selectFrom('messages').selectAll().where('case_id', 'in', ids).orderBy('case_id').orderBy('seq').execute(),
    db
      .selectFrom('evidence')
      .selectAll()
      .where('case_id', 'in', ids)
      .where('request_id', 'is', null)
      .orderBy('case_id')
      .orderBy('seq')
      .execute(),
  ]);
  return { cases, accounts, links, negotiation, messages, evidence };
}
