import type { AccountLabel } from '../../../contract/domain';
import {
  COUNTERS,
  zeroCounts,
  type BuyerAgg,
  type DisputeFact,
  type LinkGroup,
  type OrderFact,
  type PhotoCluster,
  type PhotoUse,
  type RiskOutcome,
  type RiskReason,
  type SellerAgg,
  type SellerCounts,
} from '../../../engine/risk';
import type { BuyerRiskTable, Database } from '../../schema';

/**
 * The fraud-pattern model's rows (migrations/0003_buyer_risk) ↔ the engine's values: shared by
 * the per-event store (risk-store.ts), the full rebuild (risk-rebuild.ts) and the reads.
 */

export const MAX_IDS = 500;

/** `SET col = excluded.col` for an upsert that replaces these columns. */
export function excludedOf<C extends string>(columns: readonly C[]) {
  return (eb: { ref(r: string): unknown }) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)])) as never;
}

// ---------------------------------------------------------------------------------------
// Row ↔ model

const N_COLUMNS = {
  orders: 'n_orders',
  delivered: 'n_delivered',
  disputes: 'n_disputes',
  excused: 'n_excused',
  nrd: 'n_nrd',
  decided: 'n_decided',
  lost: 'n_lost',
  threat: 'n_threat',
  offPlatform: 'n_off_platform',
  photoOwn: 'n_photo_own',
  photoShared: 'n_photo_shared',
  openedDelivered: 'n_opened_delivered',
} as const satisfies Record<(typeof COUNTERS)[number], keyof BuyerRiskTable>;

/** A number as JSON.stringify writes it (ToString when finite, null otherwise). */
export const jsonNumber = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');

/**
 * A seller's key in a buyer row's `sellers` JSON, up to its counts' bracket (`"S-1":[`), for
 * writing the column by hand in JSON.stringify's bytes; null for an id JSON.stringify would put
 * before the others whatever the insertion order (an array index: "0" to "4294967294").
 */
export function sellerKeyText(id: string): string | null {
  const arrayIndex = /^(0|[1-9][0-9]{0,9})$/.test(id) && Number(id) < 4294967295;
  return arrayIndex ? null : `${JSON.stringify(id)}:[`;
}

/**
 * The decayed sums as JSON, zeros left out: {"orders":1.9,…,"f.orders":0.4}. Written as text, in
 * the order JSON.stringify of the same object gives (COUNTERS', then the velocity sums): every
 * buyer of every batch has this built, and the object it was built from was garbage at once.
 */
function decayedJson(b: BuyerAgg): string {
  let out = '';
  for (const c of COUNTERS) if (b.w[c] !== 0) out += `,"${c}":${jsonNumber(b.w[c])}`;
  if (b.f.orders !== 0) out += `,"f.orders":${jsonNumber(b.f.orders)}`;
  if (b.f.disputes !== 0) out += `,"f.disputes":${jsonNumber(b.f.disputes)}`;
  return out ? `{${out.slice(1)}}` : '{}';
}

/** Per-seller counts; a row written before model v6 has two numbers per seller (the others 0 until a recompute). */
function sellersFromJson(json: string | null | undefined): Record<string, SellerCounts> {
  // The parsed object itself, its arrays kept (fresh, and four numbers each from v6 on): copying
  // every seller's counts into a new record was most of a buyer row's decoding, for every buyer read.
  const raw = JSON.parse(json ?? '{}') as Record<string, number[]>;
  for (const id in raw) {
    const v = raw[id]!;
    if (v.length < 4) raw[id] = [v[0] ?? 0, v[1] ?? 0, v[2] ?? 0, v[3] ?? 0];
  }
  return raw as Record<string, SellerCounts>;
}

export function buyerFromRow(r: BuyerRiskTable): BuyerAgg {
  const decayed = JSON.parse(r.decayed) as Record<string, number>;
  const n = zeroCounts();
  const w = zeroCounts();
  for (const c of COUNTERS) {
    n[c] = Number(r[N_COLUMNS[c]]);
    w[c] = decayed[c] ?? 0;
  }
  const reasons = JSON.parse(r.reasons) as RiskReason[];
  return {
    id: r.buyer_id,
    ref: Number(r.ref_at),
    n,
    w,
    f: { orders: decayed['f.orders'] ?? 0, disputes: decayed['f.disputes'] ?? 0 },
    label: (r.label as AccountLabel | null) ?? null,
    links: JSON.parse(r.links) as string[],
    sellers: sellersFromJson(r.sellers),
    otherSellerOrders: Number(r.other_seller_orders ?? 0),
    sellerRate: r.seller_rate === null || r.seller_rate === undefined ? null : Number(r.seller_rate),
    openedRef: r.opened_ref === null || r.opened_ref === undefined ? null : Number(r.opened_ref),
    history:
      r.hist_orders === null || r.hist_orders === undefined
        ? null
        : { orders: Number(r.hist_orders), delivered: Number(r.hist_delivered ?? 0) },
    created: r.created_at === null || r.created_at === undefined ? null : Number(r.created_at),
    scored: { score: Number(r.score), base: Number(r.base_score), risky: Number(r.risky) === 1, reasons, at: Number(r.scored_at) },
  };
}

/** buyer_risk's columns in the order `buyerRowValues` gives them: buyerToRow's keys. */
export const BUYER_ROW_COLUMNS = [
  'buyer_id',
  'score',
  'base_score',
  'risky',
  'reasons',
  'top_code',
  'scored_at',
  'label',
  'links',
  'ref_at',
  'decayed',
  'sellers',
  'other_seller_orders',
  'seller_rate',
  'opened_ref',
  'hist_orders',
  'hist_delivered',
  'created_at',
  'n_orders',
  'n_delivered',
  'n_disputes',
  'n_excused',
  'n_nrd',
  'n_decided',
  'n_lost',
  'n_threat',
  'n_off_platform',
  'n_photo_own',
  'n_photo_shared',
  'n_opened_delivered',
] as const satisfies ReadonlyArray<keyof BuyerRiskTable>;

/**
 * buyerToRow's values in BUYER_ROW_COLUMNS' order, for the full recompute's multi-row inserts: no
 * row object per buyer for the insert to take apart again, key by key (a tenth of the buyer rows'
 * JS at 100k buyers, session 29). `sellersJson`: the `sellers` column already written
 * (JSON.stringify(b.sellers), byte for byte), else it is stringified here.
 * tests/unit/risk-row-values.test.ts holds the two to the same values.
 */
export function buyerRowValues(b: BuyerAgg, sellersJson: string | null = null): unknown[] {
  const s = b.scored;
  const reasons = s?.reasons ?? [];
  const n = b.n;
  return [
    b.id,
    s?.score ?? 0,
    s?.base ?? 0,
    s?.risky ? 1 : 0,
    // Most buyers have no reason at all (three in four at the bench's 100k).
    reasons.length ? JSON.stringify(reasons) : '[]',
    reasons[0] && reasons[0].weight > 0 ? reasons[0].code : null,
    s?.at ?? 0,
    b.label,
    JSON.stringify(b.links),
    b.ref,
    decayedJson(b),
    sellersJson ?? JSON.stringify(b.sellers),
    b.otherSellerOrders,
    b.sellerRate,
    b.openedRef,
    b.history ? b.history.orders : null,
    b.history ? b.history.delivered : null,
    b.created,
    n.orders,
    n.delivered,
    n.disputes,
    n.excused,
    n.nrd,
    n.decided,
    n.lost,
    n.threat,
    n.offPlatform,
    n.photoOwn,
    n.photoShared,
    n.openedDelivered,
  ];
}

export function buyerToRow(b: BuyerAgg): BuyerRiskTable {
  const reasons = b.scored?.reasons ?? [];
  const n = b.n;
  // One literal, every column in it (the counters too, as N_COLUMNS names them): a row object of
  // one shape, instead of twelve properties added one by one to each buyer's row.
  return {
    buyer_id: b.id,
    score: b.scored?.score ?? 0,
    base_score: b.scored?.base ?? 0,
    risky: b.scored?.risky ? 1 : 0,
    reasons: JSON.stringify(reasons),
    top_code: reasons[0] && reasons[0].weight > 0 ? reasons[0].code : null,
    scored_at: b.scored?.at ?? 0,
    label: b.label,
    links: JSON.stringify(b.links),
    ref_at: b.ref,
    decayed: decayedJson(b),
    sellers: JSON.stringify(b.sellers),
    other_seller_orders: b.otherSellerOrders,
    seller_rate: b.sellerRate,
    opened_ref: b.openedRef,
    hist_orders: b.history ? b.history.orders : null,
    hist_delivered: b.history ? b.history.delivered : null,
    created_at: b.created,
    n_orders: n.orders,
    n_delivered: n.delivered,
    n_disputes: n.disputes,
    n_excused: n.excused,
    n_nrd: n.nrd,
    n_decided: n.decided,
    n_lost: n.lost,
    n_threat: n.threat,
    n_off_platform: n.offPlatform,
    n_photo_own: n.photoOwn,
    n_photo_shared: n.photoShared,
    n_opened_delivered: n.openedDelivered,
  } satisfies Record<(typeof N_COLUMNS)[keyof typeof N_COLUMNS], number> & BuyerRiskTable;
}

/** An order's facts are raw columns of its own row: the orders table is their ledger. */
export const orderFromRow = (r: {
  id: string;
  buyer_id: string;
  seller_id: string;
  placed_at: number;
  delivery_status: string;
}): OrderFact => ({
  id: r.id,
  buyerId: r.buyer_id,
  sellerId: r.seller_id,
  placedAt: Number(r.placed_at),
  delivered: r.delivery_status === 'delivered',
});
export const disputeFromRow = (r: Database['risk_disputes']): DisputeFact => ({
  id: r.case_id,
  orderId: r.order_id,
  buyerId: r.buyer_id,
  openedAt: Number(r.opened_at),
  notReceived: Number(r.not_received) === 1,
  outcome: (r.outcome as RiskOutcome | null) ?? null,
  threat: Number(r.threat) === 1,
  offPlatform: Number(r.off_platform) === 1,
  photos: JSON.parse(r.photos) as string[],
});
export const disputeToRow = (d: DisputeFact): Database['risk_disputes'] => ({
  case_id: d.id,
  order_id: d.orderId,
  buyer_id: d.buyerId,
  opened_at: d.openedAt,
  not_received: d.notReceived ? 1 : 0,
  outcome: d.outcome,
  threat: d.threat ? 1 : 0,
  off_platform: d.offPlatform ? 1 : 0,
  photos: JSON.stringify(d.photos),
});
export const useFromRow = (r: Database['risk_photo_uses']): PhotoUse => ({
  key: r.photo_key,
  accountId: r.account_id,
  uses: Number(r.uses),
  w: Number(r.weight),
  ref: Number(r.ref_at),
});
export const sellerFromRow = (r: Database['seller_risk']): SellerAgg => ({
  id: r.seller_id,
  orders: Number(r.n_orders),
  disputes: Number(r.n_disputes),
  delivered: Number(r.n_delivered ?? 0),
  opened: Number(r.n_opened ?? 0),
});
export const sellerToRow = (s: SellerAgg): Database['seller_risk'] => ({
  seller_id: s.id,
  n_orders: s.orders,
  n_disputes: s.disputes,
  n_delivered: s.delivered,
  n_opened: s.opened,
});
export const groupFromRow = (r: Database['risk_link_groups']): LinkGroup => ({
  key: r.group_key,
  members: Number(r.members),
  ids: r.member_ids === null ? null : (JSON.parse(r.member_ids) as string[]),
});

/** A photo row: its counts, and the one account's uses kept inline (the "slot"). */
export interface PhotoRow {
  cluster: PhotoCluster;
  slot: PhotoUse | null;
}

export const photoFromRow = (r: Database['risk_photos']): PhotoRow => ({
  cluster: {
    key: r.photo_key,
    uses: Number(r.uses),
    accounts: Number(r.accounts),
    sellers: JSON.parse(r.sellers) as Record<string, number>,
    sellerOverflow: Number(r.seller_overflow),
    linked: Number(r.linked) === 1,
  },
  slot:
    r.first_account === null
      ? null
      : {
          key: r.photo_key,
          accountId: r.first_account,
          uses: Number(r.first_uses),
          w: Number(r.first_weight),
          ref: Number(r.first_ref_at),
        },
});

/** A photo's per-seller counts as JSON, sellers sorted; most photos have one seller, which needs no sorting. */
function sellersJson(sellers: Record<string, number>): string {
  const entries = Object.entries(sellers);
  if (entries.length <= 1) return JSON.stringify(sellers);
  return JSON.stringify(Object.fromEntries(entries.sort((a, b) => (a[0] < b[0] ? -1 : 1))));
}

export const photoToRow = (p: { cluster: PhotoCluster; slot: PhotoUse | null }): Database['risk_photos'] => ({
  photo_key: p.cluster.key,
  uses: p.cluster.uses,
  accounts: p.cluster.accounts,
  first_account: p.slot ? p.slot.accountId : null,
  first_uses: p.slot ? p.slot.uses : 0,
  first_weight: p.slot ? p.slot.w : 0,
  first_ref_at: p.slot ? p.slot.ref : 0,
  sellers: sellersJson(p.cluster.sellers),
  seller_overflow: p.cluster.sellerOverflow,
  linked: p.cluster.linked ? 1 : 0,
});
