import { buyerFromRow, sellerFromRow } from '../../src-main/db/repos/risk/rows';
import { sql } from 'kysely';
import type { Db } from '../../src-main/db/connect';
import {
  COUNTERS,
  MemoryRiskStore,
  decay,
  decayFast,
  linkReason,
  linkedRisky,
  rescoreAll,
  signContext,
  type Priors,
} from '../../src-main/engine/risk';

/**
 * A snapshot of every row of the fraud-pattern model, with the decayed sums valued at one
 * instant (the per-event updates keep them at each buyer's latest event, the recompute at its
 * `asOf`), and the scores the aggregates give when all are scored at that instant with the
 * same priors. Two snapshots of the same history must be equal.
 */
export async function riskSnapshot(db: Db, asOf: number, priors: Priors) {
  const round = (x: number) => Number(x.toPrecision(10));
  const buyerRows = await db.selectFrom('buyer_risk').selectAll().orderBy('buyer_id').execute();
  const groups = await db.selectFrom('risk_link_groups').selectAll().orderBy('group_key').execute();
  const store = new MemoryRiskStore();
  for (const r of buyerRows) store.putBuyer(buyerFromRow(r));
  const sellerRows = await db.selectFrom('seller_risk').selectAll().orderBy('seller_id').execute();
  for (const r of sellerRows) store.putSeller(sellerFromRow(r));
  for (const g of groups)
    store.putGroup({ key: g.group_key, members: g.members, ids: g.member_ids === null ? null : JSON.parse(g.member_ids) });
  rescoreAll(store, store.buyers.keys(), { asOf, priors });
  const buyers = buyerRows.map((r) => {
    const b = buyerFromRow(r);
    const at = (v: number, fast = false) => (b.ref < -8e15 ? 0 : round(v * (fast ? decayFast(asOf - b.ref) : decay(asOf - b.ref))));
    const scored = store.buyer(b.id)!.scored!;
    return {
      id: b.id,
      n: b.n,
      w: Object.fromEntries(COUNTERS.map((c) => [c, at(b.w[c])])),
      f: { orders: at(b.f.orders, true), disputes: at(b.f.disputes, true) },
      label: b.label,
      links: b.links,
      sellers: b.sellers,
      otherSellerOrders: b.otherSellerOrders,
      created: b.created,
      sellerRate: round(store.buyer(b.id)!.sellerRate ?? Number.NaN),
      openedRef: round(store.buyer(b.id)!.openedRef ?? Number.NaN),
      score: scored.score,
      reasons: scored.reasons,
    };
  });
  return {
    buyers,
    disputes: await db.selectFrom('risk_disputes').selectAll().orderBy('case_id').execute(),
    photos: await db.selectFrom('risk_photos').select(['photo_key', 'uses', 'accounts']).orderBy('photo_key').execute(),
    // Each account's uses of each photo, wherever kept (inline in the photo row or in risk_photo_uses).
    uses: [
      ...(await db.selectFrom('risk_photo_uses').selectAll().execute()).map((u) => ({
        key: u.photo_key,
        account: u.account_id,
        uses: u.uses,
        w: round(u.weight * decay(asOf - Number(u.ref_at))),
      })),
      ...(await db.selectFrom('risk_photos').selectAll().where('first_account', 'is not', null).execute()).map((p) => ({
        key: p.photo_key,
        account: p.first_account!,
        uses: p.first_uses,
        w: round(p.first_weight * decay(asOf - Number(p.first_ref_at))),
      })),
    ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.account < b.account ? -1 : a.account > b.account ? 1 : 0)),
    sellers: sellerRows,
    groups: groups.map((g) => ({ key: g.group_key, members: g.members, ids: g.member_ids })),
  };
}

/**
 * Buyers whose stored link reason does not name the linked accounts that are high-risk or
 * flagged by their stored rows (the accounts, and whether there is a link reason at all):
 * what the per-event updates must keep true after every event. The reason's weight and its
 * context sentence are left out: from model v6 they move with the buyer's context (the rate its
 * sellers' other buyers open disputes at), taken at its last scoring like `sellerRate`.
 */
export async function staleLinkReasons(db: Db, priors: Priors): Promise<string[]> {
  const store = new MemoryRiskStore();
  for (const r of await db.selectFrom('buyer_risk').selectAll().execute()) store.putBuyer(buyerFromRow(r));
  for (const g of await db.selectFrom('risk_link_groups').selectAll().execute())
    store.putGroup({ key: g.group_key, members: g.members, ids: g.member_ids === null ? null : JSON.parse(g.member_ids) });
  const named = (text: string | undefined) => text?.split('; the buyer opened')[0] ?? null;
  const out: string[] = [];
  for (const b of store.buyers.values()) {
    if (!b.scored) continue;
    const stored = b.scored.reasons.find((r) => r.code === 'LINKED_ACCOUNTS');
    const expected = linkReason(linkedRisky(store, b), signContext(b, priors));
    if (named(stored?.text) !== named(expected?.text)) out.push(b.id);
  }
  return out.sort();
}

/** The tables the fraud-pattern model writes (a recompute rebuilds every one). */
export const RISK_TABLES = [
  'buyer_risk',
  'seller_risk',
  'risk_disputes',
  'risk_photos',
  'risk_photo_uses',
  'risk_link_groups',
  'risk_model',
];

/**
 * Every row of every risk table and every case's score, each row as its JSON text, sorted: equal
 * only when stored byte for byte. Fractions included: the full recompute fixes the order of
 * PostgreSQL's float sums (rebuild.ts orderSumsPage), so two recomputes of one database agree to
 * the last bit whatever plan reads the orders (tests/db/risk-sum-order.test.ts). Until session 28
 * this rounded fractions to 12 digits to hide that plan-dependent last bit.
 */
export async function scoredRows(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of RISK_TABLES)
    out[table] = (await sql`SELECT * FROM ${sql.table(table)}`.execute(db)).rows.map((r) => JSON.stringify(r)).sort();
  out.cases = (await sql<{ id: string; buyer_score: number }>`SELECT id, buyer_score FROM cases ORDER BY id`.execute(db)).rows.map((r) =>
    JSON.stringify(r),
  );
  return out;
}
