import type { AccountLabel } from '../../../contract/domain';
import {
  COUNTERS,
  RISK_MODEL,
  emptyPhotoCluster,
  linkStatusOf,
  type BuyerAgg,
  type DisputeFact,
  type LinkGroup,
  type OrderFact,
  type PhotoCluster,
  type LinkStatus,
  type PhotoUse,
  type RiskStore,
  type SellerAgg,
} from '../../../engine/risk';
import { chunks, keysIn, upsertObjects } from '../../batch';
import { dialectOf, type DialectName } from '../../dialect';
import { execute, queryRows, textKeysIn, keysParam } from '../../compiled';
import type { BuyerRiskTable, Database } from '../../schema';
import type { WriteTx } from '../../tx';
import { setCaseScores } from './case-scores';
import {
  MAX_IDS,
  buyerFromRow,
  buyerToRow,
  disputeFromRow,
  disputeToRow,
  groupFromRow,
  orderFromRow,
  photoFromRow,
  photoToRow,
  sellerFromRow,
  sellerToRow,
  useFromRow,
  type PhotoRow,
} from './rows';

/**
 * The fraud-pattern model's rows in the database (migrations/0003_buyer_risk), behind the
 * engine's synchronous RiskStore. A batch of events runs in rounds: the pure update logic
 * runs against the rows loaded so far, and every row it asked for but that was not loaded
 * yet is noted; the noted rows are then loaded (one query per table, chunked) and the batch
 * runs again from the loaded state, until a run needs nothing new. The last run's changes are
 * written with one multi-row upsert per table. A few rounds per batch, each a handful of
 * queries, whatever the batch size: per-event work stays constant.
 */

const cloneBuyer = (b: BuyerAgg): BuyerAgg => ({
  ...b,
  n: { ...b.n },
  w: { ...b.w },
  f: { ...b.f },
  links: [...b.links],
  sellers: { ...b.sellers },
  scored: b.scored ? { ...b.scored, reasons: [...b.scored.reasons] } : null,
});
const useKey = (key: string, accountId: string) => `${key}\u0000${accountId}`;

type Loaded<T> = Map<string, T | null>;

type MissingKind =
  'buyers' | 'statuses' | 'orders' | 'disputes' | 'orderDisputes' | 'photos' | 'uses' | 'photoMembers' | 'groups' | 'sellers';
const NONE: ReadonlySet<string> = new Set();

/**
 * The rows a run asked for that are not loaded yet, by kind. Each kind's set is made when its first
 * key is added: a batch makes one of these per run and per load pass, and ten empty sets each time
 * were a fifth of a single event's allocation (the young-generation collections land in events).
 */
class Missing {
  private readonly sets: Record<MissingKind, Set<string> | undefined> = {
    buyers: undefined,
    statuses: undefined,
    orders: undefined,
    disputes: undefined,
    orderDisputes: undefined,
    photos: undefined,
    uses: undefined,
    photoMembers: undefined,
    groups: undefined,
    sellers: undefined,
  };
  add(kind: MissingKind, key: string): void {
    (this.sets[kind] ??= new Set()).add(key);
  }
  of(kind: MissingKind): ReadonlySet<string> {
    return this.sets[kind] ?? NONE;
  }
  get any(): boolean {
    for (const k in this.sets) if (this.sets[k as MissingKind]?.size) return true;
    return false;
  }
}

/** risk_photo_uses rows of (photo, account) pairs bound as one value (load's `uses`). */
const USES_SQL = {
  sqlite: `select * from "risk_photo_uses" where ("photo_key", "account_id") in (select value ->> 0, value ->> 1 from json_each(?))`,
  postgres: `select * from "risk_photo_uses" where ("photo_key", "account_id") in (select * from unnest(CAST($1 AS text[]), CAST($2 AS text[])))`,
} as const;

export class DbRiskStore implements RiskStore {
  // What the database holds (null: known absent).
  private readonly buyers: Loaded<BuyerAgg> = new Map();
  /** Rows as this transaction read them (SQLite only), by key: flush UPDATEs only the columns that differ. */
  private readonly read = {
    buyers: new Map<string, BuyerRiskTable>(),
    disputes: new Map<string, Database['risk_disputes']>(),
    sellers: new Map<string, Database['seller_risk']>(),
  };
  /** Linked accounts read only for their status (risky, flagged, opened when): three columns, not the whole row. */
  private readonly statuses: Loaded<LinkStatus> = new Map();
  private readonly orders: Loaded<OrderFact> = new Map();
  private readonly disputes: Loaded<DisputeFact> = new Map();
  private readonly orderDisputes = new Map<string, string[]>();
  private readonly photos: Loaded<PhotoRow> = new Map();
  /** Uses in risk_photo_uses (accounts other than a photo's inline one). */
  private readonly uses: Loaded<PhotoUse> = new Map();
  private readonly photoMembers = new Map<string, string[]>();
  private readonly groups: Loaded<LinkGroup> = new Map();
  private readonly sellers: Loaded<SellerAgg> = new Map();
  // This run's view: copies of loaded rows and everything put.
  private w = this.freshWorking();
  private ran = false;
  private missing = new Missing();
  private readonly lock: boolean;
  private readonly dialect: DialectName;
  /** Prefetch hints (see prefetch): followed by loadMissing once the rows they depend on are loaded. */
  private readonly joins = new Map<string, Set<string>>();
  /** Label events' buyers and labels (prefetch): a change of flag rescores the buyer's small groups' members. */
  private readonly labels = new Map<string, Set<AccountLabel | null>>();
  /** Link groups whose members' whole rows the batch needs (not only their status): see loadMissing. */
  private readonly wholeMembers = new Set<string>();
  /**
   * Disputes whose photos the batch leaves alone (a decision: RiskUpdater.dispute moves only the
   * dispute's counters when its photos' uses are unchanged): their photo rows are not read ahead
   * with the dispute. A run that asks for one anyway gets it in the next round, as for any row.
   */
  private readonly photosKept = new Set<string>();
  /** Per photo, the accounts whose use of it the batch's events touch. */
  private readonly wantUses = new Map<string, Set<string>>();
  /**
   * Whether a buyer row loaded brings its sellers: not once only the link reasons are left to give
   * (linkStep), which read a buyer's stored rates, not its sellers'.
   */
  private buyersBringSellers = true;
  /** Buyers that had no row before this batch (set by flush). */
  newBuyers = 0;

  /**
   * @param previousOrders what the orders table held for these orders before the caller wrote
   *   them (absent: no row): an order event is applied after its row is written, and its old
   *   facts are what must be taken back.
   */
  constructor(
    private readonly tx: WriteTx,
    previousOrders?: Map<string, OrderFact | null>,
  ) {
    this.dialect = dialectOf(tx);
    this.lock = this.dialect === 'postgres';
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
      sellers: new Map<string, SellerAgg>(),
      dirty: {
        sellers: new Set<string>(),
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
    // The first run takes the working state made with the store (nothing touched it yet): most batches run once.
    if (this.ran) this.w = this.freshWorking();
    this.ran = true;
    this.missing = new Missing();
  }

  /**
   * The batch's events are applied and its changed buyers' behaviour scored: what is loaded from now
   * on is for the link reasons (rescoreLinks), of neighbours reached by a flip of high-risk status.
   */
  linkStep(): void {
    this.buyersBringSellers = false;
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
    sellers?: Iterable<string>;
    /** Accounts joining link groups (account events): a group's members are rescored when one joins. */
    joins?: Map<string, Set<string>>;
    /** (photo, account) pairs of the events' photos: a photo's uses by that account. */
    photoUses?: Iterable<[string, string]>;
    /** (buyer, label) of the analysts' label events. */
    labels?: Iterable<[string, AccountLabel | null]>;
    /** Disputes the batch only decides (an outcome, no photo added): their photos' rows are not read ahead. */
    photosKept?: Iterable<string>;
  }): void {
    const add = (from: Iterable<string> | undefined, loaded: Map<string, unknown>, kind: MissingKind) => {
      for (const k of from ?? []) if (!loaded.has(k)) this.missing.add(kind, k);
    };
    add(keys.buyers, this.buyers, 'buyers');
    add(keys.orders, this.orders, 'orders');
    add(keys.disputes, this.disputes, 'disputes');
    add(keys.photos, this.photos, 'photos');
    add(keys.groups, this.groups, 'groups');
    add(keys.orderDisputes, this.orderDisputes, 'orderDisputes');
    add(keys.sellers, this.sellers, 'sellers');
    for (const [g, ids] of keys.joins ?? []) for (const id of ids) this.joins.set(g, (this.joins.get(g) ?? new Set()).add(id));
    for (const [key, account] of keys.photoUses ?? []) {
      let accounts = this.wantUses.get(key);
      if (!accounts) this.wantUses.set(key, (accounts = new Set()));
      accounts.add(account);
    }
    for (const id of keys.absentDisputes ?? []) if (!this.disputes.has(id)) this.disputes.set(id, null);
    for (const id of keys.photosKept ?? []) this.photosKept.add(id);
    for (const [id, label] of keys.labels ?? []) {
      let set = this.labels.get(id);
      if (!set) this.labels.set(id, (set = new Set()));
      set.add(label);
    }
  }

  private get<T>(working: Map<string, T>, loaded: Loaded<T>, id: string, miss: MissingKind, clone: (v: T) => T): T | undefined {
    const here = working.get(id);
    if (here !== undefined) return here;
    if (!loaded.has(id)) {
      this.missing.add(miss, id);
      return undefined;
    }
    const v = loaded.get(id);
    if (v === null || v === undefined) return undefined;
    const c = clone(v);
    working.set(id, c);
    return c;
  }

  buyer(id: string) {
    return this.get(this.w.buyers, this.buyers, id, 'buyers', cloneBuyer);
  }
  putBuyer(b: BuyerAgg) {
    this.w.buyers.set(b.id, b);
    this.w.dirty.buyers.add(b.id);
  }
  linkStatus(id: string) {
    const here = this.w.buyers.get(id);
    if (here) return linkStatusOf(here);
    if (this.buyers.has(id)) return linkStatusOf(this.buyers.get(id) ?? undefined);
    if (!this.statuses.has(id)) {
      this.missing.add('statuses', id);
      return undefined;
    }
    return this.statuses.get(id) ?? undefined;
  }
  order(id: string) {
    return this.get(this.w.orders, this.orders, id, 'orders', (o) => ({ ...o }));
  }
  /** Kept for the rest of the run only: the orders table itself is the order's record. */
  putOrder(o: OrderFact) {
    this.w.orders.set(o.id, o);
  }
  dispute(id: string) {
    return this.get(this.w.disputes, this.disputes, id, 'disputes', (d) => ({ ...d, photos: [...d.photos] }));
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
    if (!loaded) this.missing.add('orderDisputes', orderId);
    const removed = this.w.orderRemoves.get(orderId);
    const added = this.w.orderAdds.get(orderId);
    // The usual case (an order's first dispute, or none of its disputes moved): nothing to merge.
    if (!added?.size && !removed?.size) return loaded ? [...loaded] : [];
    return [...new Set([...(loaded ?? []), ...(added ?? [])])].filter((id) => !removed?.has(id));
  }

  /** The photo's row in this run (undefined: absent; null: not loaded yet). */
  private photoRow(key: string): PhotoRow | undefined | null {
    const here = this.w.photos.get(key);
    if (here) return here;
    if (!this.photos.has(key)) {
      this.missing.add('photos', key);
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
    return this.get(this.w.uses, this.uses, k, 'uses', (u) => ({ ...u }));
  }
  putPhotoUse(u: PhotoUse) {
    const row = this.photoRow(u.key) ?? { cluster: emptyPhotoCluster(u.key), slot: null };
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
      this.missing.add('photoMembers', key);
      return [];
    }
    const out = [...members].map((a) => this.photoUse(key, a)).filter((u): u is PhotoUse => !!u && u.uses > 0);
    if (row?.slot && row.slot.uses > 0) out.unshift(row.slot);
    return out;
  }
  group(key: string) {
    return this.get(this.w.groups, this.groups, key, 'groups', (g) => ({ ...g, ids: g.ids ? [...g.ids] : null }));
  }
  putGroup(g: LinkGroup) {
    this.w.groups.set(g.key, g);
    this.w.dirty.groups.add(g.key);
  }
  seller(id: string) {
    return this.get(this.w.sellers, this.sellers, id, 'sellers', (v) => ({ ...v }));
  }
  putSeller(v: SellerAgg) {
    this.w.sellers.set(v.id, v);
    this.w.dirty.sellers.add(v.id);
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
      const want = (loaded: Map<string, unknown>, kind: MissingKind, k: string) => {
        if (!loaded.has(k)) this.missing.add(kind, k);
      };
      for (const id of m.of('disputes')) {
        const d = this.disputes.get(id);
        if (!d) continue;
        want(this.buyers, 'buyers', d.buyerId);
        want(this.orders, 'orders', d.orderId);
        if (!this.photosKept.has(id)) for (const p of d.photos) want(this.photos, 'photos', p);
      }
      for (const id of m.of('buyers')) {
        const b = this.buyers.get(id);
        for (const g of b?.links ?? []) want(this.groups, 'groups', g);
        // A label that flags or clears the buyer rescores every member of its small groups (RiskUpdater.label):
        // their whole rows, read at once, not their status first and their rows in the next round.
        const labels = b ? this.labels.get(id) : undefined;
        if (b && labels && [...labels].some((l) => (l === 'serial_disputer') !== (b.label === 'serial_disputer')))
          for (const g of b.links) this.wholeMembers.add(g);
        // Its sellers: scoring the buyer's behaviour reads their rates (a flip's neighbour, read for its
        // link reason only, keeps its behaviour reasons: a group's rescoring read ~140 seller rows for nothing).
        if (this.buyersBringSellers) for (const sid of Object.keys(b?.sellers ?? {})) want(this.sellers, 'sellers', sid);
      }
      // A photo the table holds other accounts' uses of: this account's own use row, if any.
      for (const key of m.of('photos'))
        if (this.hasTableUses(key)) for (const account of this.wantUses.get(key) ?? []) want(this.uses, 'uses', useKey(key, account));
      for (const id of m.of('orders')) {
        const sid = this.orders.get(id)?.sellerId;
        if (sid) want(this.sellers, 'sellers', sid);
      }
      for (const key of m.of('groups')) {
        const g = this.groups.get(key);
        // An account joining a small group makes every member's link reason move: their whole rows.
        const joining = this.joins.get(key);
        if (
          g?.ids &&
          ((joining && [...joining].some((id) => !g.ids!.includes(id))) || (this.wholeMembers.has(key) && g.members <= RISK_MODEL.linkCap))
        )
          for (const id of g.ids) want(this.buyers, 'buyers', id);
        // Its members' status only: the buyer's link reason reads nothing else of them.
        if (g?.ids && g.members <= RISK_MODEL.linkCap)
          for (const id of g.ids) if (!this.buyers.has(id)) want(this.statuses, 'statuses', id);
      }
    }
  }

  /**
   * Rows of `table` whose `key` is one of `ids` (chunked), as precompiled statements (db/compiled.ts):
   * on SQLite straight on the transaction's connection. Locked for update on PostgreSQL when `lock`.
   */
  private async rowsIn<R>(table: string, columns: string, key: string, ids: string[], lock: boolean): Promise<R[]> {
    const out: R[] = [];
    for (const chunk of chunks(ids, MAX_IDS)) {
      const text = `select ${columns} from "${table}" where "${key}" in ${textKeysIn(this.dialect)}${lock && this.lock ? ' for update' : ''}`;
      for (const r of await queryRows<R>(this.tx, text, [keysParam(this.dialect, chunk)])) out.push(r);
    }
    return out;
  }

  private async load(m: Missing): Promise<void> {
    const tx = this.tx;
    const sorted = (s: ReadonlySet<string>) => [...s].sort();
    if (m.of('buyers').size) {
      const ids = sorted(m.of('buyers'));
      const rows = await this.rowsIn<Database['buyer_risk']>('buyer_risk', '*', 'buyer_id', ids, true);
      for (const id of ids) this.buyers.set(id, null);
      for (const r of rows) this.buyers.set(r.buyer_id, buyerFromRow(this.kept(this.read.buyers, r.buyer_id, r)));
    }
    const statusIds = sorted(m.of('statuses')).filter((id) => !this.buyers.has(id));
    if (statusIds.length) {
      const rows = await this.rowsIn<{ buyer_id: string; risky: number; label: string | null; created_at: number | null }>(
        'buyer_risk',
        '"buyer_id", "risky", "label", "created_at"',
        'buyer_id',
        statusIds,
        false,
      );
      for (const id of statusIds) this.statuses.set(id, null);
      for (const r of rows)
        this.statuses.set(r.buyer_id, {
          risky: Number(r.risky) === 1,
          flagged: r.label === 'serial_disputer',
          created: r.created_at === null ? null : Number(r.created_at),
        });
    }
    if (m.of('orders').size) {
      const ids = sorted(m.of('orders'));
      const rows = await this.rowsIn<Parameters<typeof orderFromRow>[0]>(
        'orders',
        '"id", "buyer_id", "seller_id", "placed_at", "delivery_status"',
        'id',
        ids,
        false,
      );
      for (const id of ids) this.orders.set(id, null);
      for (const r of rows) this.orders.set(r.id, orderFromRow(r));
    }
    if (m.of('disputes').size) {
      const ids = sorted(m.of('disputes'));
      const rows = await this.rowsIn<Database['risk_disputes']>('risk_disputes', '*', 'case_id', ids, true);
      for (const id of ids) this.disputes.set(id, null);
      for (const r of rows) this.disputes.set(r.case_id, disputeFromRow(this.kept(this.read.disputes, r.case_id, r)));
    }
    if (m.of('orderDisputes').size) {
      const ids = sorted(m.of('orderDisputes'));
      const rows = await this.rowsIn<Database['risk_disputes']>('risk_disputes', '*', 'order_id', ids, true);
      const of = new Map<string, string[]>(ids.map((id) => [id, []]));
      for (const r of rows) {
        const list = of.get(r.order_id)!;
        if (!list.includes(r.case_id)) list.push(r.case_id);
        if (!this.disputes.get(r.case_id)) this.disputes.set(r.case_id, disputeFromRow(this.kept(this.read.disputes, r.case_id, r)));
      }
      for (const [id, list] of of) this.orderDisputes.set(id, list);
    }
    if (m.of('photos').size) {
      const ids = sorted(m.of('photos'));
      const rows = await this.rowsIn<Database['risk_photos']>('risk_photos', '*', 'photo_key', ids, true);
      for (const id of ids) this.photos.set(id, null);
      for (const r of rows) this.photos.set(r.photo_key, photoFromRow(r));
    }
    if (m.of('photoMembers').size) {
      const keys = sorted(m.of('photoMembers'));
      const rows = await this.rowsIn<Database['risk_photo_uses']>('risk_photo_uses', '*', 'photo_key', keys, true);
      const of = new Map<string, string[]>(keys.map((k) => [k, []]));
      for (const r of rows) {
        const list = of.get(r.photo_key)!;
        if (!list.includes(r.account_id)) list.push(r.account_id);
        this.uses.set(useKey(r.photo_key, r.account_id), useFromRow(r));
      }
      for (const [k, list] of of) this.photoMembers.set(k, list);
    }
    // (photo, account) pairs: primary-key probes from one bound list, one precompiled text whatever the
    // count (an OR of probes built by kysely at each call was one text per count of pairs).
    const pairs = sorted(m.of('uses')).filter((k) => !this.uses.has(k));
    for (const chunk of chunks(pairs, MAX_IDS)) {
      const split = chunk.map((k) => k.split('\u0000') as [string, string]);
      const params = this.dialect === 'sqlite' ? [JSON.stringify(split)] : [split.map(([key]) => key), split.map(([, account]) => account)];
      const rows = await queryRows<Database['risk_photo_uses']>(tx, USES_SQL[this.dialect] + (this.lock ? ' for update' : ''), params);
      for (const k of chunk) this.uses.set(k, null);
      for (const r of rows) this.uses.set(useKey(r.photo_key, r.account_id), useFromRow(r));
    }
    if (m.of('sellers').size) {
      const ids = sorted(m.of('sellers'));
      const rows = await this.rowsIn<Database['seller_risk']>('seller_risk', '*', 'seller_id', ids, true);
      for (const id of ids) this.sellers.set(id, null);
      for (const r of rows) this.sellers.set(r.seller_id, sellerFromRow(this.kept(this.read.sellers, r.seller_id, r)));
    }
    if (m.of('groups').size) {
      const ids = sorted(m.of('groups'));
      const rows = await this.rowsIn<Database['risk_link_groups']>('risk_link_groups', '*', 'group_key', ids, true);
      for (const id of ids) this.groups.set(id, null);
      for (const r of rows) this.groups.set(r.group_key, groupFromRow(r));
    }
  }

  /** A row as read, kept for flush's UPDATE of the columns that differ (SQLite only: writeRows); returns it. */
  private kept<R>(read: Map<string, R>, key: string, r: R): R {
    if (this.dialect === 'sqlite') read.set(key, r);
    return r;
  }

  /**
   * Writes what the last run changed; returns the score of every buyer it ran (changed or not),
   * for the cases the caller writes after it (intake writes a new case with its buyer's score).
   * A row equal to the one loaded is not written again (an import touches each buyer's link
   * groups, seller and photos with every dispute, and many of those come out the same), and
   * a buyer whose score did not move leaves its cases alone.
   */
  async flush(): Promise<Map<string, number>> {
    const tx = this.tx;
    const w = this.w;
    const scores = new Map<string, number>();
    this.newBuyers = 0;
    const buyerRows: BuyerRiskTable[] = [];
    const moved = new Map<string, number>();
    for (const id of w.dirty.buyers) {
      const b = w.buyers.get(id)!;
      const row = buyerToRow(b);
      const before = this.buyers.get(id);
      scores.set(id, row.score);
      if (before == null) this.newBuyers++;
      // A changed count (every dispute or order event changes one) needs no row built to compare.
      const old = before == null || COUNTERS.some((c) => before.n[c] !== b.n[c]) ? null : buyerToRow(before);
      if (sameRow(old, row)) continue;
      buyerRows.push(row);
      if (before == null || (before.scored?.score ?? 0) !== row.score) moved.set(id, row.score);
    }
    const buyerCols = Object.keys(buyerRows[0] ?? {}).filter((c) => c !== 'buyer_id');
    // New rows as compiled multi-row upserts (db/batch.ts: an import writes thousands per batch), rows read as UPDATEs (writeRows).
    await writeRows(tx, 'buyer_risk', 'buyer_id', buyerRows, this.read.buyers, buyerCols as Array<keyof BuyerRiskTable>);
    // Their cases' copy of the score (the queue's sort by risk), in this same transaction.
    await setCaseScores(tx, moved);
    await writeRows(
      tx,
      'risk_disputes',
      'case_id',
      changed(
        w.dirty.disputes,
        (id) => disputeToRow(w.disputes.get(id)!),
        (id) => this.disputes.get(id),
        disputeToRow,
      ),
      this.read.disputes,
      ['order_id', 'buyer_id', 'opened_at', 'not_received', 'outcome', 'threat', 'off_platform', 'photos'],
    );
    const photos = [...w.dirty.photos].map((k) => w.photos.get(k)!);
    // A cluster left without uses is deleted (when the table holds it).
    for (const keys of chunks(
      photos.filter((p) => p.cluster.uses === 0 && this.photos.get(p.cluster.key)).map((p) => p.cluster.key),
      MAX_IDS,
    ))
      await tx.deleteFrom('risk_photos').where('photo_key', 'in', keysIn(tx, keys)).execute();
    await upsertObjects(
      tx,
      'risk_photos',
      photos
        .filter((p) => p.cluster.uses > 0)
        .map((p) => photoToRow(p))
        .filter((row) => {
          const before = this.photos.get(row.photo_key);
          return !sameRow(before ? photoToRow(before) : null, row);
        }),
      ['photo_key'],
      ['uses', 'accounts', 'first_account', 'first_uses', 'first_weight', 'first_ref_at', 'sellers', 'seller_overflow', 'linked'],
    );
    const uses = [...w.dirty.uses].map((k) => w.uses.get(k)!);
    for (const u of uses.filter((x) => x.uses === 0 && this.uses.get(useKey(x.key, x.accountId))))
      await tx.deleteFrom('risk_photo_uses').where('photo_key', '=', u.key).where('account_id', '=', u.accountId).execute();
    const useRow = (u: PhotoUse) => ({ photo_key: u.key, account_id: u.accountId, uses: u.uses, weight: u.w, ref_at: u.ref });
    await upsertObjects(
      tx,
      'risk_photo_uses',
      uses.filter((u) => u.uses > 0 && !sameRow(nullable(this.uses.get(useKey(u.key, u.accountId)), useRow), useRow(u))).map(useRow),
      ['photo_key', 'account_id'],
      ['uses', 'weight', 'ref_at'],
    );
    const groupRow = (g: LinkGroup) => ({ group_key: g.key, members: g.members, member_ids: g.ids ? JSON.stringify(g.ids) : null });
    await upsertObjects(
      tx,
      'risk_link_groups',
      changed(
        w.dirty.groups,
        (k) => groupRow(w.groups.get(k)!),
        (k) => this.groups.get(k),
        groupRow,
      ),
      ['group_key'],
      ['members', 'member_ids'],
    );
    await writeRows(
      tx,
      'seller_risk',
      'seller_id',
      changed(
        w.dirty.sellers,
        (id) => sellerToRow(w.sellers.get(id)!),
        (id) => this.sellers.get(id),
        sellerToRow,
      ),
      this.read.sellers,
      ['n_orders', 'n_disputes', 'n_delivered', 'n_opened'],
    );
    return scores;
  }
}

/**
 * Writes rows whose every column is given (the update columns are all but the key). A row this
 * transaction read (SQLite, in `read`) is UPDATEd, naming only the columns whose value differs from
 * it (strictly: a column left out holds that very value already), so it ends exactly as the upsert
 * would leave it: a decision moves a dozen of buyer_risk's thirty columns and one of risk_disputes'.
 * One prepared UPDATE a row costs less than a row of a multi-row upsert (buyer_risk on a sweep's
 * scattered buyers: ~16 against ~24 µs a row, README session 31; most likely the upsert's INSERT try).
 * The other rows (PostgreSQL's all: a round trip a row would cost more) as compiled multi-row upserts.
 */
export async function writeRows<R extends object>(
  tx: WriteTx,
  table: string,
  key: keyof R & string,
  rows: readonly R[],
  read: ReadonlyMap<string, R>,
  update: ReadonlyArray<keyof R & string>,
): Promise<void> {
  const upserts: R[] = [];
  for (const row of rows) {
    const before = read.get(row[key] as string);
    if (before) await updateChangedColumns(tx, table, key, before, row, update);
    else upserts.push(row);
  }
  await upsertObjects(tx, table, upserts, [key], update);
}

async function updateChangedColumns<R extends object>(
  tx: WriteTx,
  table: string,
  key: keyof R & string,
  before: R,
  row: R,
  update: ReadonlyArray<keyof R & string>,
): Promise<void> {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const c of update)
    if (before[c] !== row[c]) {
      columns.push(c);
      values.push(row[c]);
    }
  if (!columns.length) return;
  values.push(row[key]);
  // The text is the statement cache's key (connect.ts, an LRU of 512): built each time, no cache of our own.
  await execute(tx, `UPDATE "${table}" SET ${columns.map((c) => `"${c}" = ?`).join(', ')} WHERE "${key}" = ?`, values);
}

/** Whether a row as loaded (null: none) holds exactly the values of `row` (every column of it). */
function sameRow<R extends object>(before: R | null, row: R): boolean {
  if (!before) return false;
  for (const k of Object.keys(row) as Array<keyof R>) if (before[k] !== row[k]) return false;
  return true;
}

const nullable = <T, R>(v: T | null | undefined, f: (v: T) => R): R | null => (v == null ? null : f(v));

/** The rows of these dirty keys that differ from what was loaded for them. */
function changed<T, R extends object>(
  keys: Iterable<string>,
  rowOf: (k: string) => R,
  loaded: (k: string) => T | null | undefined,
  toRow: (v: T) => R,
): R[] {
  const out: R[] = [];
  for (const k of keys) {
    const row = rowOf(k);
    if (!sameRow(nullable(loaded(k), toRow), row)) out.push(row);
  }
  return out;
}
