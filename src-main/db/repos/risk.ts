import { sql, type Insertable } from 'kysely';
import type { AccountLabel } from '../../contract/domain';
import {
  BetaFitter,
  COUNTERS,
  DEFAULT_PRIORS,
  RiskUpdater,
  rescore,
  RISK_MODEL,
  zeroCounts,
  type BuyerAgg,
  type DisputeFact,
  type LinkGroup,
  type OrderFact,
  type PhotoCluster,
  type PhotoUse,
  type Priors,
  type RateSums,
  type RiskOutcome,
  type RiskReason,
  type RiskStore,
} from '../../engine/risk';
import type { Db } from '../connect';
import { dialectOf } from '../dialect';
import type { BuyerRiskTable, Database } from '../schema';
import { chunks, insertChunked } from '../batch';

/**
 * The fraud-pattern model's rows in the database (migrations/0003_buyer_risk), behind the
 * engine's synchronous RiskStore. A batch of events runs in rounds: the pure update logic
 * runs against the rows loaded so far, and every row it asked for but that was not loaded
 * yet is noted; the noted rows are then loaded (one query per table, chunked) and the batch
 * runs again from the loaded state, until a run needs nothing new. The last run's changes are
 * written with one multi-row upsert per table. A few rounds per batch, each a handful of
 * queries, whatever the batch size: per-event work stays constant.
 */

const MAX_IDS = 500;

function excludedOf<C extends string>(columns: readonly C[]) {
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
} as const satisfies Record<(typeof COUNTERS)[number], keyof BuyerRiskTable>;

/** The decayed sums as JSON, zeros left out: {"orders": 1.9, …, "f.orders": 0.4}. */
function decayedJson(b: BuyerAgg): string {
  const out: Record<string, number> = {};
  for (const c of COUNTERS) if (b.w[c] !== 0) out[c] = b.w[c];
  if (b.f.orders !== 0) out['f.orders'] = b.f.orders;
  if (b.f.disputes !== 0) out['f.disputes'] = b.f.disputes;
  return JSON.stringify(out);
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
    scored: { score: Number(r.score), base: Number(r.base_score), risky: Number(r.risky) === 1, reasons, at: Number(r.scored_at) },
  };
}

export function buyerToRow(b: BuyerAgg): BuyerRiskTable {
  const reasons = b.scored?.reasons ?? [];
  const row = {
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
  } as BuyerRiskTable;
  for (const c of COUNTERS) (row as unknown as Record<string, number>)[N_COLUMNS[c]] = b.n[c];
  return row;
}

/** An order's facts are raw columns of its own row: the orders table is their ledger. */
export const orderFromRow = (r: { id: string; buyer_id: string; placed_at: number; delivery_status: string }): OrderFact => ({
  id: r.id,
  buyerId: r.buyer_id,
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
const useFromRow = (r: Database['risk_photo_uses']): PhotoUse => ({
  key: r.photo_key,
  accountId: r.account_id,
  uses: Number(r.uses),
  w: Number(r.weight),
  ref: Number(r.ref_at),
});
const groupFromRow = (r: Database['risk_link_groups']): LinkGroup => ({
  key: r.group_key,
  members: Number(r.members),
  ids: r.member_ids === null ? null : (JSON.parse(r.member_ids) as string[]),
});

const cloneBuyer = (b: BuyerAgg): BuyerAgg => ({
  ...b,
  n: { ...b.n },
  w: { ...b.w },
  f: { ...b.f },
  links: [...b.links],
  scored: b.scored ? { ...b.scored, reasons: [...b.scored.reasons] } : null,
});
const useKey = (key: string, accountId: string) => `${key}\u0000${accountId}`;

// ---------------------------------------------------------------------------------------
// The store

type Loaded<T> = Map<string, T | null>;

/** A photo row: its counts, and the one account's uses kept inline (the "slot"). */
interface PhotoRow {
  cluster: PhotoCluster;
  slot: PhotoUse | null;
}

class Missing {
  buyers = new Set<string>();
  orders = new Set<string>();
  disputes = new Set<string>();
  orderDisputes = new Set<string>();
  photos = new Set<string>();
  uses = new Set<string>();
  photoMembers = new Set<string>();
  groups = new Set<string>();
  get any(): boolean {
    return !!(
      this.buyers.size ||
      this.orders.size ||
      this.disputes.size ||
      this.orderDisputes.size ||
      this.photos.size ||
      this.uses.size ||
      this.photoMembers.size ||
      this.groups.size
    );
  }
}

const photoFromRow = (r: Database['risk_photos']): PhotoRow => ({
  cluster: { key: r.photo_key, uses: Number(r.uses), accounts: Number(r.accounts) },
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

export class DbRiskStore implements RiskStore {
  // What the database holds (null: known absent).
  private readonly buyers: Loaded<BuyerAgg> = new Map();
  private readonly orders: Loaded<OrderFact> = new Map();
  private readonly disputes: Loaded<DisputeFact> = new Map();
  private readonly orderDisputes = new Map<string, string[]>();
  private readonly photos: Loaded<PhotoRow> = new Map();
  /** Uses in risk_photo_uses (accounts other than a photo's inline one). */
  private readonly uses: Loaded<PhotoUse> = new Map();
  private readonly photoMembers = new Map<string, string[]>();
  private readonly groups: Loaded<LinkGroup> = new Map();
  // This run's view: copies of loaded rows and everything put.
  private w = this.freshWorking();
  private missing = new Missing();
  private readonly lock: boolean;
  /** Buyers that had no row before this batch (set by flush). */
  newBuyers = 0;

  /**
   * @param previousOrders what the orders table held for these orders before the caller wrote
   *   them (absent: no row): an order event is applied after its row is written, and its old
   *   facts are what must be taken back.
   */
  constructor(
    private readonly tx: Db,
    previousOrders?: Map<string, OrderFact | null>,
  ) {
    this.lock = dialectOf(tx) === 'postgres';
    for (const [id, o] of previousOrders ?? []) this.orders.set(id, o);
  }

  private freshWorking() {
    return {
      buyers: new Map<string, BuyerAgg>(),
      orders: new Map<string, OrderFact>(),
      disputes: new Map<string, DisputeFact>(),
      orderAdds: new Map<string, Set<string>>(),
      orderRemoves: new Map<string, Set<string>>(),
      photos: new Map<string, PhotoRow>(),
      uses: new Map<string, PhotoUse>(),
      memberIndex: new Map<string, Set<string>>(),
      groups: new Map<string, LinkGroup>(),
      dirty: {
        buyers: new Set<string>(),
        disputes: new Set<string>(),
        photos: new Set<string>(),
        uses: new Set<string>(),
        groups: new Set<string>(),
      },
    };
  }

  /** Starts a run from the loaded state. */
  beginRun(): void {
    this.w = this.freshWorking();
    this.missing = new Missing();
  }

  get needsMore(): boolean {
    return this.missing.any;
  }

  /** Rows a batch will obviously need, loaded before its first run; `absentDisputes` are known to have no ledger row. */
  prefetch(keys: {
    buyers?: Iterable<string>;
    orders?: Iterable<string>;
    orderDisputes?: Iterable<string>;
    disputes?: Iterable<string>;
    absentDisputes?: Iterable<string>;
    photos?: Iterable<string>;
    groups?: Iterable<string>;
  }): void {
    const add = (from: Iterable<string> | undefined, loaded: Map<string, unknown>, to: Set<string>) => {
      for (const k of from ?? []) if (!loaded.has(k)) to.add(k);
    };
    add(keys.buyers, this.buyers, this.missing.buyers);
    add(keys.orders, this.orders, this.missing.orders);
    add(keys.disputes, this.disputes, this.missing.disputes);
    add(keys.photos, this.photos, this.missing.photos);
    add(keys.groups, this.groups, this.missing.groups);
    add(keys.orderDisputes, this.orderDisputes, this.missing.orderDisputes);
    for (const id of keys.absentDisputes ?? []) if (!this.disputes.has(id)) this.disputes.set(id, null);
  }

  private get<T>(working: Map<string, T>, loaded: Loaded<T>, id: string, miss: Set<string>, clone: (v: T) => T): T | undefined {
    const here = working.get(id);
    if (here !== undefined) return here;
    if (!loaded.has(id)) {
      miss.add(id);
      return undefined;
    }
    const v = loaded.get(id);
    if (v === null || v === undefined) return undefined;
    const c = clone(v);
    working.set(id, c);
    return c;
  }

  buyer(id: string) {
    return this.get(this.w.buyers, this.buyers, id, this.missing.buyers, cloneBuyer);
  }
  putBuyer(b: BuyerAgg) {
    this.w.buyers.set(b.id, b);
    this.w.dirty.buyers.add(b.id);
  }
  order(id: string) {
    return this.get(this.w.orders, this.orders, id, this.missing.orders, (o) => ({ ...o }));
  }
  /** Kept for the rest of the run only: the orders table itself is the order's record. */
  putOrder(o: OrderFact) {
    this.w.orders.set(o.id, o);
  }
  dispute(id: string) {
    return this.get(this.w.disputes, this.disputes, id, this.missing.disputes, (d) => ({ ...d, photos: [...d.photos] }));
  }
  putDispute(d: DisputeFact, previous: DisputeFact | undefined) {
    if (previous && previous.orderId !== d.orderId) {
      this.orderChange(this.w.orderAdds, previous.orderId).delete(d.id);
      this.orderChange(this.w.orderRemoves, previous.orderId).add(d.id);
    }
    this.orderChange(this.w.orderAdds, d.orderId).add(d.id);
    this.orderChange(this.w.orderRemoves, d.orderId).delete(d.id);
    this.w.disputes.set(d.id, d);
    this.w.dirty.disputes.add(d.id);
  }
  private orderChange(m: Map<string, Set<string>>, orderId: string): Set<string> {
    let set = m.get(orderId);
    if (!set) m.set(orderId, (set = new Set()));
    return set;
  }
  disputesOfOrder(orderId: string) {
    const loaded = this.orderDisputes.get(orderId);
    if (!loaded) this.missing.orderDisputes.add(orderId);
    const removed = this.w.orderRemoves.get(orderId);
    return [...new Set([...(loaded ?? []), ...(this.w.orderAdds.get(orderId) ?? [])])].filter((id) => !removed?.has(id));
  }

  /** The photo's row in this run (undefined: absent; null: not loaded yet). */
  private photoRow(key: string): PhotoRow | undefined | null {
    const here = this.w.photos.get(key);
    if (here) return here;
    if (!this.photos.has(key)) {
      this.missing.photos.add(key);
      return null;
    }
    const v = this.photos.get(key);
    if (!v) return undefined;
    const c: PhotoRow = { cluster: { ...v.cluster }, slot: v.slot ? { ...v.slot } : null };
    this.w.photos.set(key, c);
    return c;
  }
  /** Whether the database holds risk_photo_uses rows for this photo at all. */
  private hasTableUses(key: string): boolean {
    const v = this.photos.get(key);
    return !!v && v.cluster.accounts - (v.slot && v.slot.uses > 0 ? 1 : 0) > 0;
  }
  photo(key: string) {
    const row = this.photoRow(key);
    return row && row.cluster.uses > 0 ? row.cluster : undefined;
  }
  putPhoto(p: PhotoCluster) {
    const row = this.photoRow(p.key) ?? { cluster: p, slot: null };
    row.cluster = p;
    this.w.photos.set(p.key, row);
    this.w.dirty.photos.add(p.key);
  }
  photoUse(key: string, accountId: string) {
    const row = this.photoRow(key);
    if (row === null) return undefined;
    if (row?.slot && row.slot.accountId === accountId) return row.slot;
    const k = useKey(key, accountId);
    const here = this.w.uses.get(k);
    if (here) return here.uses > 0 ? here : undefined;
    if (!this.hasTableUses(key)) return undefined;
    return this.get(this.w.uses, this.uses, k, this.missing.uses, (u) => ({ ...u }));
  }
  putPhotoUse(u: PhotoUse) {
    const row = this.photoRow(u.key) ?? { cluster: { key: u.key, uses: 0, accounts: 0 }, slot: null };
    this.w.photos.set(u.key, row);
    const k = useKey(u.key, u.accountId);
    const inTable = (this.w.uses.get(k)?.uses ?? 0) > 0 || !!this.uses.get(k);
    if ((row.slot && row.slot.accountId === u.accountId) || (!row.slot && !inTable)) {
      row.slot = u.uses > 0 ? u : null;
      this.w.dirty.photos.add(u.key);
    } else {
      this.w.uses.set(k, u);
      this.w.dirty.uses.add(k);
    }
    const members = this.memberIndex(u.key);
    if (members && !(row.slot && row.slot.accountId === u.accountId)) {
      if (u.uses > 0) members.add(u.accountId);
      else members.delete(u.accountId);
    }
  }
  private memberIndex(key: string): Set<string> | null {
    let set = this.w.memberIndex.get(key);
    if (set) return set;
    const loaded = this.hasTableUses(key) ? this.photoMembers.get(key) : [];
    if (!loaded) return null;
    set = new Set(loaded);
    this.w.memberIndex.set(key, set);
    return set;
  }
  photoUsesOf(key: string) {
    const row = this.photoRow(key);
    if (row === null) return [];
    const members = this.memberIndex(key);
    if (!members) {
      this.missing.photoMembers.add(key);
      return [];
    }
    const out = [...members].map((a) => this.photoUse(key, a)).filter((u): u is PhotoUse => !!u && u.uses > 0);
    if (row?.slot && row.slot.uses > 0) out.unshift(row.slot);
    return out;
  }
  group(key: string) {
    return this.get(this.w.groups, this.groups, key, this.missing.groups, (g) => ({ ...g, ids: g.ids ? [...g.ids] : null }));
  }
  putGroup(g: LinkGroup) {
    this.w.groups.set(g.key, g);
    this.w.dirty.groups.add(g.key);
  }

  /**
   * Loads every row the last run (or `prefetch`) asked for, and what those rows obviously
   * lead to (a buyer's link groups, a small group's members, a dispute's buyer, order and
   * photos), so that most batches settle in one or two runs.
   */
  async loadMissing(): Promise<void> {
    for (let pass = 0; pass < 4 && this.missing.any; pass++) {
      const m = this.missing;
      this.missing = new Missing();
      await this.load(m);
      const want = (loaded: Map<string, unknown>, to: Set<string>, k: string) => {
        if (!loaded.has(k)) to.add(k);
      };
      for (const id of m.disputes) {
        const d = this.disputes.get(id);
        if (!d) continue;
        want(this.buyers, this.missing.buyers, d.buyerId);
        want(this.orders, this.missing.orders, d.orderId);
        for (const p of d.photos) want(this.photos, this.missing.photos, p);
      }
      for (const id of m.buyers) for (const g of this.buyers.get(id)?.links ?? []) want(this.groups, this.missing.groups, g);
      for (const key of m.groups) {
        const g = this.groups.get(key);
        if (g?.ids && g.members <= RISK_MODEL.linkCap) for (const id of g.ids) want(this.buyers, this.missing.buyers, id);
      }
    }
  }

  private async load(m: Missing): Promise<void> {
    const tx = this.tx;
    const lock = <Q extends { forUpdate(): Q }>(q: Q): Q => (this.lock ? q.forUpdate() : q);
    const sorted = (s: Set<string>) => [...s].sort();
    for (const ids of chunks(sorted(m.buyers), MAX_IDS)) {
      const rows = await lock(tx.selectFrom('buyer_risk').selectAll().where('buyer_id', 'in', ids)).execute();
      for (const id of ids) this.buyers.set(id, null);
      for (const r of rows) this.buyers.set(r.buyer_id, buyerFromRow(r));
    }
    for (const ids of chunks(sorted(m.orders), MAX_IDS)) {
      const rows = await tx
        .selectFrom('orders')
        .select(['id', 'buyer_id', 'placed_at', 'delivery_status'])
        .where('id', 'in', ids)
        .execute();
      for (const id of ids) this.orders.set(id, null);
      for (const r of rows) this.orders.set(r.id, orderFromRow(r));
    }
    for (const ids of chunks(sorted(m.disputes), MAX_IDS)) {
      const rows = await lock(tx.selectFrom('risk_disputes').selectAll().where('case_id', 'in', ids)).execute();
      for (const id of ids) this.disputes.set(id, null);
      for (const r of rows) this.disputes.set(r.case_id, disputeFromRow(r));
    }
    for (const ids of chunks(sorted(m.orderDisputes), MAX_IDS)) {
      const rows = await lock(tx.selectFrom('risk_disputes').selectAll().where('order_id', 'in', ids)).execute();
      const of = new Map<string, string[]>(ids.map((id) => [id, []]));
      for (const r of rows) {
        of.get(r.order_id)!.push(r.case_id);
        if (!this.disputes.get(r.case_id)) this.disputes.set(r.case_id, disputeFromRow(r));
      }
      for (const [id, list] of of) this.orderDisputes.set(id, list);
    }
    for (const ids of chunks(sorted(m.photos), MAX_IDS)) {
      const rows = await lock(tx.selectFrom('risk_photos').selectAll().where('photo_key', 'in', ids)).execute();
      for (const id of ids) this.photos.set(id, null);
      for (const r of rows) this.photos.set(r.photo_key, photoFromRow(r));
    }
    for (const keys of chunks(sorted(m.photoMembers), MAX_IDS)) {
      const rows = await lock(tx.selectFrom('risk_photo_uses').selectAll().where('photo_key', 'in', keys)).execute();
      const of = new Map<string, string[]>(keys.map((k) => [k, []]));
      for (const r of rows) {
        of.get(r.photo_key)!.push(r.account_id);
        this.uses.set(useKey(r.photo_key, r.account_id), useFromRow(r));
      }
      for (const [k, list] of of) this.photoMembers.set(k, list);
    }
    // (photo, account) pairs: an OR of primary-key probes.
    const pairs = sorted(m.uses).filter((k) => !this.uses.has(k));
    for (const chunk of chunks(pairs, 200)) {
      const split = chunk.map((k) => k.split('\u0000') as [string, string]);
      const rows = await lock(
        tx
          .selectFrom('risk_photo_uses')
          .selectAll()
          .where((eb) => eb.or(split.map(([key, account]) => eb.and([eb('photo_key', '=', key), eb('account_id', '=', account)])))),
      ).execute();
      for (const k of chunk) this.uses.set(k, null);
      for (const r of rows) this.uses.set(useKey(r.photo_key, r.account_id), useFromRow(r));
    }
    for (const ids of chunks(sorted(m.groups), MAX_IDS)) {
      const rows = await lock(tx.selectFrom('risk_link_groups').selectAll().where('group_key', 'in', ids)).execute();
      for (const id of ids) this.groups.set(id, null);
      for (const r of rows) this.groups.set(r.group_key, groupFromRow(r));
    }
  }

  /** Writes what the last run changed. */
  async flush(): Promise<void> {
    const tx = this.tx;
    const w = this.w;
    this.newBuyers = [...w.dirty.buyers].filter((id) => this.buyers.get(id) == null).length;
    const buyerRows = [...w.dirty.buyers].map((id) => buyerToRow(w.buyers.get(id)!));
    const buyerCols = Object.keys(buyerRows[0] ?? {}).filter((c) => c !== 'buyer_id');
    await insertChunked(buyerRows, (rows) =>
      tx
        .insertInto('buyer_risk')
        .values(rows)
        .onConflict((oc) => oc.column('buyer_id').doUpdateSet(excludedOf(buyerCols)))
        .execute(),
    );
    await insertChunked(
      [...w.dirty.disputes].map((id) => disputeToRow(w.disputes.get(id)!)),
      (rows) =>
        tx
          .insertInto('risk_disputes')
          .values(rows)
          .onConflict((oc) =>
            oc
              .column('case_id')
              .doUpdateSet(
                excludedOf(['order_id', 'buyer_id', 'opened_at', 'not_received', 'outcome', 'threat', 'off_platform', 'photos']),
              ),
          )
          .execute(),
    );
    const photos = [...w.dirty.photos].map((k) => w.photos.get(k)!);
    for (const keys of chunks(
      photos.filter((p) => p.cluster.uses === 0).map((p) => p.cluster.key),
      MAX_IDS,
    ))
      await tx.deleteFrom('risk_photos').where('photo_key', 'in', keys).execute();
    await insertChunked(
      photos.filter((p) => p.cluster.uses > 0).map((p) => photoToRow(p)),
      (rows) =>
        tx
          .insertInto('risk_photos')
          .values(rows)
          .onConflict((oc) =>
            oc
              .column('photo_key')
              .doUpdateSet(excludedOf(['uses', 'accounts', 'first_account', 'first_uses', 'first_weight', 'first_ref_at'])),
          )
          .execute(),
    );
    const uses = [...w.dirty.uses].map((k) => w.uses.get(k)!);
    for (const u of uses.filter((x) => x.uses === 0))
      await tx.deleteFrom('risk_photo_uses').where('photo_key', '=', u.key).where('account_id', '=', u.accountId).execute();
    await insertChunked(
      uses.filter((u) => u.uses > 0).map((u) => ({ photo_key: u.key, account_id: u.accountId, uses: u.uses, weight: u.w, ref_at: u.ref })),
      (rows) =>
        tx
          .insertInto('risk_photo_uses')
          .values(rows)
          .onConflict((oc) => oc.columns(['photo_key', 'account_id']).doUpdateSet(excludedOf(['uses', 'weight', 'ref_at'])))
          .execute(),
    );
    await insertChunked(
      [...w.dirty.groups].map((k) => {
        const g = w.groups.get(k)!;
        return { group_key: g.key, members: g.members, member_ids: g.ids ? JSON.stringify(g.ids) : null };
      }),
      (rows) =>
        tx
          .insertInto('risk_link_groups')
          .values(rows)
          .onConflict((oc) => oc.column('group_key').doUpdateSet(excludedOf(['members', 'member_ids'])))
          .execute(),
    );
  }
}

export const photoToRow = (p: { cluster: PhotoCluster; slot: PhotoUse | null }): Database['risk_photos'] => ({
  photo_key: p.cluster.key,
  uses: p.cluster.uses,
  accounts: p.cluster.accounts,
  first_account: p.slot ? p.slot.accountId : null,
  first_uses: p.slot ? p.slot.uses : 0,
  first_weight: p.slot ? p.slot.w : 0,
  first_ref_at: p.slot ? p.slot.ref : 0,
});

// ---------------------------------------------------------------------------------------
// The model row: priors and population size

export interface RiskModelState {
  priors: Priors;
  fittedAt: number;
  fittedBuyers: number;
  buyers: number;
}

const MODEL_ID = 'current';

export async function loadRiskModel(db: Db): Promise<RiskModelState> {
  const row = await db.selectFrom('risk_model').selectAll().where('id', '=', MODEL_ID).executeTakeFirst();
  if (!row) return { priors: DEFAULT_PRIORS, fittedAt: 0, fittedBuyers: 0, buyers: 0 };
  return {
    priors: JSON.parse(row.priors) as Priors,
    fittedAt: Number(row.fitted_at),
    fittedBuyers: Number(row.fitted_buyers),
    buyers: Number(row.buyers),
  };
}

export async function saveRiskModel(db: Db, m: RiskModelState): Promise<void> {
  const row: Insertable<Database['risk_model']> = {
    id: MODEL_ID,
    model_version: RISK_MODEL.version,
    priors: JSON.stringify(m.priors),
    fitted_at: m.fittedAt,
    fitted_buyers: m.fittedBuyers,
    buyers: m.buyers,
  };
  await db
    .insertInto('risk_model')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(excludedOf(['model_version', 'priors', 'fitted_at', 'fitted_buyers', 'buyers'])))
    .execute();
}

/** The sums one rate's empirical-Bayes fit needs (see BetaFitter), in one aggregate over buyer_risk's raw counts. */
export async function rateSums(
  db: Db,
  k: 'n_disputes' | 'n_nrd' | 'n_lost',
  n: 'n_orders' | 'n_delivered' | 'n_decided',
): Promise<RateSums & { buyers: number }> {
  const N = sql.ref(n);
  const K = sql`(case when ${sql.ref(k)} > ${N} then ${N} else ${sql.ref(k)} end)`;
  const row = await db
    .selectFrom('buyer_risk')
    .select([
      sql<number>`coalesce(sum(${K}), 0)`.as('k'),
      sql<number>`coalesce(sum(${N}), 0)`.as('n'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then 1 else 0 end), 0)`.as('count'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then ${N} else 0 end), 0)`.as('sampleN'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then ${K} else 0 end), 0)`.as('sampleK'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then ${K} * ${K} * 1.0 / ${N} else 0 end), 0)`.as('sampleK2N'),
      sql<number>`count(*)`.as('buyers'),
    ])
    .executeTakeFirstOrThrow();
  return {
    k: Number(row.k),
    n: Number(row.n),
    count: Number(row.count),
    sampleN: Number(row.sampleN),
    sampleK: Number(row.sampleK),
    sampleK2N: Number(row.sampleK2N),
    buyers: Number(row.buyers),
  };
}

// ---------------------------------------------------------------------------------------
// Applying events: the per-event updates, in the caller's transaction

/**
 * What happened to a buyer, in the model's terms. An `order` event comes after the order's
 * row is written (orders is its record), with the row's previous facts in `previousOrders`.
 */
export type RiskEvent =
  | { type: 'account'; id: string; links: string[] }
  | { type: 'order'; fact: OrderFact }
  | { type: 'dispute'; fact: DisputeFact }
  | { type: 'disputePatch'; caseId: string; outcome?: RiskOutcome | null; addPhotos?: string[] }
  | { type: 'label'; buyerId: string; label: AccountLabel | null };

/** The rows a batch of events obviously needs (the rest is found by running it). */
function prefetchKeys(events: RiskEvent[], newCases: Iterable<string> | undefined) {
  const buyers = new Set<string>();
  const orders = new Set<string>();
  const orderDisputes = new Set<string>();
  const disputes = new Set<string>();
  const photos = new Set<string>();
  const groups = new Set<string>();
  const absent = new Set(newCases ?? []);
  for (const e of events)
    switch (e.type) {
      case 'account':
        buyers.add(e.id);
        for (const g of e.links) groups.add(g);
        break;
      case 'order':
        buyers.add(e.fact.buyerId);
        orders.add(e.fact.id);
        orderDisputes.add(e.fact.id);
        break;
      case 'dispute':
        buyers.add(e.fact.buyerId);
        orders.add(e.fact.orderId);
        if (!absent.has(e.fact.id)) disputes.add(e.fact.id);
        for (const p of e.fact.photos) photos.add(p);
        break;
      case 'disputePatch':
        disputes.add(e.caseId);
        for (const p of e.addPhotos ?? []) photos.add(p);
        break;
      case 'label':
        buyers.add(e.buyerId);
        break;
    }
  return { buyers, orders, orderDisputes, disputes, absentDisputes: absent, photos, groups };
}

/** What the orders table holds for these orders now (null: no row): taken before intake rewrites them. */
export async function currentOrderFacts(tx: Db, orderIds: string[]): Promise<Map<string, OrderFact | null>> {
  const out = new Map<string, OrderFact | null>();
  for (const ids of chunks([...new Set(orderIds)], MAX_IDS)) {
    for (const id of ids) out.set(id, null);
    for (const r of await tx
      .selectFrom('orders')
      .select(['id', 'buyer_id', 'placed_at', 'delivery_status'])
      .where('id', 'in', ids)
      .execute())
      out.set(r.id, orderFromRow(r));
  }
  return out;
}

/** Refit the priors when the population has doubled since the last fit (and is at least this big). */
const REFIT_MIN_BUYERS = 64;

/**
 * Applies the events to the model's rows and rescores the buyers they touched (and the
 * linked accounts whose neighbourhood changed), as of `now`, inside `tx`. Constant work per
 * event; the priors are refitted (one aggregate over buyer_risk) each time the number of
 * buyers doubles, so that cost is constant per event too, amortised.
 */
export async function applyRiskEvents(
  tx: Db,
  events: RiskEvent[],
  now: number,
  opts: { newCases?: Iterable<string>; previousOrders?: Map<string, OrderFact | null> } = {},
): Promise<void> {
  if (!events.length) return;
  const model = await loadRiskModel(tx);
  const store = new DbRiskStore(tx, opts.previousOrders);
  store.prefetch(prefetchKeys(events, opts.newCases));
  await store.loadMissing();
  for (let round = 0; ; round++) {
    store.beginRun();
    const u = new RiskUpdater(store);
    for (const e of events) {
      switch (e.type) {
        case 'account':
          u.account(e.id, e.links);
          break;
        case 'order':
          u.order(e.fact);
          break;
        case 'dispute':
          u.dispute(e.fact);
          break;
        case 'disputePatch':
          u.patchDispute(e.caseId, {
            ...(e.outcome !== undefined ? { outcome: e.outcome } : {}),
            ...(e.addPhotos ? { addPhotos: e.addPhotos } : {}),
          });
          break;
        case 'label':
          u.label(e.buyerId, e.label);
          break;
      }
    }
    rescore(store, u.dirty, u.linkDirty, { asOf: now, priors: model.priors });
    if (!store.needsMore) break;
    if (round > 20) throw new Error('buyer risk: the rows a batch needs did not settle after 20 rounds');
    await store.loadMissing();
  }
  await store.flush();
  if (!store.newBuyers) return;
  model.buyers += store.newBuyers;
  if (model.buyers >= REFIT_MIN_BUYERS && model.buyers >= 2 * model.fittedBuyers) {
    model.priors = await fitRiskPriors(tx);
    model.fittedBuyers = model.buyers;
    model.fittedAt = now;
  }
  await saveRiskModel(tx, model);
}

/** Empirical-Bayes priors fitted to every buyer's raw counts (three aggregates over buyer_risk). */
export async function fitRiskPriors(db: Db): Promise<Priors> {
  const [dispute, nrd, lost] = [new BetaFitter(), new BetaFitter(), new BetaFitter()];
  const d = await rateSums(db, 'n_disputes', 'n_orders');
  dispute.addSums(d);
  nrd.addSums(await rateSums(db, 'n_nrd', 'n_delivered'));
  lost.addSums(await rateSums(db, 'n_lost', 'n_decided'));
  return {
    dispute: dispute.fit(DEFAULT_PRIORS.dispute),
    nrd: nrd.fit(DEFAULT_PRIORS.nrd),
    lost: lost.fit(DEFAULT_PRIORS.lost),
    fittedOn: d.buyers,
  };
}

const OUTCOME_OF_DECISION: Record<string, RiskOutcome> = { full: 'buyer_won', return: 'buyer_won', partial: 'split', none: 'seller_won' };
export const riskOutcomeOfDecision = (outcome: string | null | undefined): RiskOutcome | null =>
  outcome ? (OUTCOME_OF_DECISION[outcome] ?? null) : null;

/**
 * The case changes `saveCaseStates` writes, as model events: a new or changed decision (its
 * outcome), and evidence the buyer submitted after escalation (its photos). Cheap when
 * nothing relevant changed: no query at all.
 */
export async function recordCaseChangesRisk(
  tx: Db,
  changes: Array<{
    prev: { decision: { outcome: string } | null };
    next: { id: string; decision: { outcome: string } | null };
    effects: { newEvidence: Array<{ party: string; file: { sha256: string } }> };
  }>,
  now: number,
): Promise<void> {
  const events: RiskEvent[] = [];
  for (const { prev, next, effects } of changes) {
    const before = riskOutcomeOfDecision(prev.decision?.outcome);
    const after = riskOutcomeOfDecision(next.decision?.outcome);
    const photos = effects.newEvidence.filter((e) => e.party === 'buyer').map((e) => e.file.sha256);
    if (before === after && !photos.length) continue;
    events.push({
      type: 'disputePatch',
      caseId: next.id,
      ...(before !== after ? { outcome: after } : {}),
      ...(photos.length ? { addPhotos: photos } : {}),
    });
  }
  await applyRiskEvents(tx, events, now);
}
