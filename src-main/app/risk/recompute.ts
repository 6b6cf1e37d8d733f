import type { AccountLabel } from '../../contract/domain';
import { isNotReceived, type Reason } from '../../contract/domain';
import { withPageCache } from '../../db/dialect';
import { loadRiskModel, riskOutcomeOfDecision, saveRiskModel } from '../../db/repos/risk/updates';
import {
  buyerAccountsPage,
  buyerSellerOrderRows,
  insertRebuiltSellers,
  buyerEvidenceSource,
  clearRiskRows,
  clusteredFiles,
  disputeCasesPage,
  disputeSignalsOf,
  caseCounts,
  insertRebuiltBuyers,
  insertRebuiltDisputes,
  insertRebuiltLinkGroups,
  insertRebuiltPhotos,
  insertRebuiltPhotoUses,
  linksOfAccountRange,
  linkValueMembers,
  linkValuesPage,
  orderSumsPage,
  setAsideBuyerIndexes,
  type BuyerEvidenceRow,
  type LinkRow,
} from '../../db/repos/risk/rebuild';
import { buyerRowValues, disputeToRow, jsonNumber, photoToRow, sellerKeyText, sellerToRow } from '../../db/repos/risk/rows';
import type { Database } from '../../db/schema';
import { chunks } from '../../db/batch';
import { Phases, type PhaseFigure } from './phases';
import { heapBound } from '../../util/heap-bound';
import { photoKeysOf } from '../../db/repos/evidence';
import { syncAllCaseScores } from '../../db/repos/risk/case-scores';
import { inWriteTx, type Reader } from '../../db/tx';
import {
  COUNTERS,
  NO_REF,
  RISK_MODEL,
  baseReasons,
  classifyBuyerMessages,
  decay,
  decayFast,
  disputeCounters,
  isRisky,
  linkKey,
  linkReason,
  PriorsFitter,
  newBuyer,
  withOrderHistory,
  photoFlags,
  isListingPhoto,
  movePhotoSeller,
  photoSeller,
  scoreOf,
  sellerExpectedRate,
  sellerOpenedRate,
  signContext,
  sortReasons,
  type BuyerAgg,
  type SellerCounts,
  type Counter,
  type DisputeFact,
  linkedNeighbours,
  type LinkGroupView,
  type PhotoCluster,
  type PhotoUse,
  type Priors,
  type RiskReason,
  type SellerAgg,
} from '../../engine/risk';

/**
 * The full recompute: every row of the fraud-pattern model rebuilt from the source tables
 * (accounts, account_links, orders, cases, decisions, messages, evidence) and every buyer
 * scored as of one instant. It gives the same rows the per-event updates keep (a test checks
 * it on a generated population); it is how a changed model (weights, keywords) or an old
 * database gets its scores (paid by the first start or import after RISK_MODEL.version moves:
 * owed-scores.ts; only this writes the model row's version), and the nightly refresh of scores
 * whose recent signals decayed.
 *
 * Memory stays flat in the number of orders and disputes: each source table is read in keyset
 * pages and folded into per-buyer typed arrays (a few dozen bytes per buyer); photos and link
 * groups are read grouped by their key, one group at a time. One transaction: readers see
 * the old rows or the new ones, never a mix.
 */
export interface RecomputeOptions {
  /** The instant the scores are computed as of (epoch ms). */
  asOf: number;
  /** Refit the empirical-Bayes priors to the population (default true); false keeps the stored ones. */
  refit?: boolean;
  /** Rows per page (default 5,000). */
  pageSize?: number;
  /**
   * Called before each page is read (every source's, every pass's): the previous page is garbage
   * by then, so this is where a long job bounds its heap (util/heap-bound.ts). The recompute's live
   * data is a few dozen bytes a buyer; its pages' garbage is what grows the heap between collections.
   * Default: a heap bound of its own (`RECOMPUTE_HEAP`), so that no caller runs one unbounded (the
   * import passes its own, which also runs between its batches).
   */
  betweenPages?: () => void;
  /**
   * SQLite's page cache for the recompute (MiB, default 64; never lowers a larger one). The
   * import's end-of-load scoring asks for less: the cache is a fixed share of its peak RSS.
   */
  pageCacheMiB?: number;
  onProgress?: (message: string) => void;
}

export interface RecomputeReport {
  buyers: number;
  orders: number;
  disputes: number;
  photos: number;
  linkGroups: number;
  priors: Priors;
  seconds: number;
  /** Where the time and memory went, phase by phase (clear, each source read and fold, scoring, sync…). */
  phases: PhaseFigure[];
  /** Time inside the phases spent writing each rebuilt table and reading the larger sources. */
  parts: Record<string, { wallMs: number; cpuMs: number; calls: number }>;
  /** The default heap bound's full collections (null when the caller passed its own `betweenPages`). */
  heapCollections: number | null;
}

const MAX_IDS = 500;

/**
 * The heap bound every full recompute runs under unless its caller gives one (util/heap-bound.ts):
 * the import's 96 MB. Without it V8 let the heap of a million buyers' recompute grow to 452 MB in
 * its buyer rows phase with no full collection (bench/risk.ts, session 32: peak RSS 1,076 MB,
 * against 916 MB in a run that happened to collect); the live data there is ~100–130 MB, so the
 * bound's adaptive limit (what survived plus `garbageMb`) decides how often it collects. At a
 * million buyers (session 32, one run each): 64 MB of garbage made 38 full collections, ~+8 s of
 * CPU, peak RSS 679 MB; 128 MB made 17, no CPU seen beside the unbounded run's, 737 MB (930).
 */
export const RECOMPUTE_HEAP = { mb: 96, garbageMb: 128 };

const createdAt = (t: number): number | null => (Number.isNaN(t) ? null : t);

/** Grows a typed array to hold at least `size` items (doubling). */
function grown<T extends Int32Array | Float64Array>(a: T, size: number, make: (n: number) => T): T {
  if (size <= a.length) return a;
  const next = make(Math.max(1024, a.length * 2, size));
  next.set(a);
  return next;
}

/**
 * Where buyer i's counter k lives: `orders` and `delivered` (every buyer with an order has them)
 * in arrays of one item per buyer; the counters of disputes and photos, which most buyers never
 * touch, in a slot per buyer that has one (twelve dense counters were 12 bytes each a buyer,
 * 144 MB at a million buyers, mostly zeros).
 */
const DENSE_COUNTERS: readonly Counter[] = ['orders', 'delivered'];
const DENSE_OF = COUNTERS.map((c) => DENSE_COUNTERS.indexOf(c));
const SPARSE_OF = COUNTERS.map((c) => COUNTERS.filter((x) => !DENSE_COUNTERS.includes(x)).indexOf(c));
/** The sparse counters' own indexes (0, 1, …): one array of each kind per index. */
const SPARSE_INDEXES = SPARSE_OF.filter((x) => x >= 0);

/** Ids numbered in the order first seen: typed arrays and pairs hold the number, not the string. */
class Interned {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();
  of(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }
}

/** Per-buyer sums in flat typed arrays, all decayed sums valued at `asOf`. (Exported for its tests.) */
export class Buyers extends Interned {
  readonly labels = new Map<number, AccountLabel>();
  /**
   * Reported order histories (accounts.orders_placed, orders_delivered; NaN: none). In typed
   * arrays, not a Map of objects: every imported buyer has one, and the Map was ~25 MB of the live
   * heap at a million disputes, marked again by every full collection of the scoring (session 29).
   */
  historyOrders = new Float64Array(0);
  historyDelivered = new Float64Array(0);
  /** When each account was opened (accounts.created_at; model v12's odd one out of a shared device). */
  created = new Float64Array(0); // NaN: not known
  /** The dense counters, by DENSE_OF. */
  private dn: Int32Array[] = [];
  private dw: Float64Array[] = [];
  /** Buyer i's slot in the sparse counters (-1: none, all zero) and the slots' sums, by SPARSE_OF. */
  private slotOf = new Int32Array(0);
  private sn: Int32Array[] = [];
  private sw: Float64Array[] = [];
  private slots = 0;
  fOrders = new Float64Array(0);
  /** Velocity sum of disputes, by slot. */
  private fDisputes = new Float64Array(0);
  touched = new Uint8Array(0);
  base = new Uint8Array(0);
  risky = new Uint8Array(0);
  /** Each buyer's final score (0–100), once its row is built. */
  score = new Uint8Array(0);

  /**
   * The per-buyer arrays, once every buyer is read; the sparse counters sized to `slots` (the
   * buyers that can have one: those with a case) instead of doubling as slots are made. Each slot
   * is 128 bytes (ten counters and a velocity sum): at a million disputes, 430,673 slots grew to
   * 524,288 (67 MB), and each doubling's old arrays, off the V8 heap, stayed resident until a full
   * collection: up to ~130 MB in the dispute phase (issue 16, session 32).
   */
  allocate(slots = 0): void {
    const size = this.ids.length;
    const sparse = Math.min(size, Math.max(0, slots));
    this.sn = SPARSE_INDEXES.map(() => new Int32Array(sparse));
    this.sw = SPARSE_INDEXES.map(() => new Float64Array(sparse));
    this.fDisputes = new Float64Array(sparse);
    this.dn = DENSE_COUNTERS.map(() => new Int32Array(size));
    this.dw = DENSE_COUNTERS.map(() => new Float64Array(size));
    this.slotOf = new Int32Array(size).fill(-1);
    this.fOrders = new Float64Array(size);
    this.touched = new Uint8Array(size);
    this.base = new Uint8Array(size);
    this.risky = new Uint8Array(size);
    this.score = new Uint8Array(size);
  }

  /** Room for the opening dates of the buyers added so far (before `allocate`, while reading accounts). */
  grow(): void {
    if (this.created.length > this.ids.length) return;
    const size = Math.max(1024, this.created.length * 2);
    const larger = (a: Float64Array) => {
      const next = new Float64Array(size).fill(Number.NaN);
      next.set(a);
      return next;
    };
    this.created = larger(this.created);
    this.historyOrders = larger(this.historyOrders);
    this.historyDelivered = larger(this.historyDelivered);
  }

  /** Slots made, and room for them (tests). */
  slotFigures(): { slots: number; capacity: number } {
    return { slots: this.slots, capacity: this.fDisputes.length };
  }

  /** Buyer i's slot in the sparse counters, made on its first use (more room if `allocate` was told too few). */
  private slot(i: number): number {
    let s = this.slotOf[i]!;
    if (s === -1) {
      s = this.slotOf[i] = this.slots++;
      if (s >= this.fDisputes.length) {
        const int = (n: number) => new Int32Array(n);
        const float = (n: number) => new Float64Array(n);
        this.sn = SPARSE_INDEXES.map((x) => grown(this.sn[x] ?? int(0), this.slots, int));
        this.sw = SPARSE_INDEXES.map((x) => grown(this.sw[x] ?? float(0), this.slots, float));
        this.fDisputes = grown(this.fDisputes, this.slots, float);
      }
    }
    return s;
  }

  private addTo(i: number, k: number, raw: number, weight: number): void {
    const d = DENSE_OF[k]!;
    if (d >= 0) {
      this.dn[d]![i]! += raw;
      this.dw[d]![i]! += weight;
    } else {
      const s = this.slot(i);
      this.sn[SPARSE_OF[k]!]![s]! += raw;
      this.sw[SPARSE_OF[k]!]![s]! += weight;
    }
  }

  /** One event's contribution at `t`, decayed to `asOf`. */
  bump(i: number, c: Counter, t: number, asOf: number, raw = 1, weight = raw): void {
    this.addTo(i, COUNTERS.indexOf(c), raw, weight * decay(asOf - t));
    if (c === 'orders') this.fOrders[i]! += weight * decayFast(asOf - t);
    if (c === 'disputes') this.fDisputes[this.slot(i)]! += weight * decayFast(asOf - t);
    this.touched[i] = 1;
  }

  /** Sums computed elsewhere (already decayed to `asOf`). */
  add2(i: number, c: Counter, raw: number, weight: number): void {
    if (!raw) return;
    this.addTo(i, COUNTERS.indexOf(c), raw, weight);
    this.touched[i] = 1;
  }

  /** The engine's aggregate of buyer i (ref = asOf), links and scoring left to the caller. */
  agg(i: number, asOf: number, into: BuyerAgg = newBuyer(this.ids[i]!)): BuyerAgg {
    into.id = this.ids[i]!;
    into.ref = this.touched[i] ? asOf : NO_REF;
    const s = this.slotOf[i]!;
    for (let k = 0; k < COUNTERS.length; k++) {
      const c = COUNTERS[k]!;
      const d = DENSE_OF[k]!;
      if (d >= 0) {
        into.n[c] = this.dn[d]![i]!;
        into.w[c] = this.dw[d]![i]!;
      } else {
        into.n[c] = s === -1 ? 0 : this.sn[SPARSE_OF[k]!]![s]!;
        into.w[c] = s === -1 ? 0 : this.sw[SPARSE_OF[k]!]![s]!;
      }
    }
    into.f.orders = this.fOrders[i]!;
    into.f.disputes = s === -1 ? 0 : this.fDisputes[s]!;
    into.label = this.labels.get(i) ?? null;
    const orders = this.historyOrders[i]!;
    into.history = Number.isNaN(orders) ? null : { orders, delivered: this.historyDelivered[i]! };
    into.created = createdAt(this.created[i]!);
    return into;
  }
}

/** Sellers' ids interned (a few thousand): the per-buyer arrays hold a seller's number, not its id. */
export class SellerIds extends Interned {}

/**
 * Sellers' counted disputes and disputes opened on delivered parcels, in total and per buyer
 * (orders and delivered orders come from the orders' read). Per buyer: a list per buyer in flat
 * arrays (a buyer's (seller, counted, opened) entries chained from `head`), in place of a Map
 * per disputing buyer (a Map, its table and an array per seller: ~250 bytes a buyer, kept live
 * through the buyer rows: the largest part of the recompute's live heap after the buyer ids).
 */
export class SellerSums {
  readonly orders = new Map<string, number>();
  readonly delivered = new Map<string, number>();
  readonly disputes = new Map<string, number>();
  readonly opened = new Map<string, number>();
  private readonly head: Int32Array;
  private next: Int32Array;
  private sellerOf: Int32Array;
  private counted: Int32Array;
  private openedSums: Int32Array;
  private size = 0;
  /** `entries`: room for this many (buyer, seller) entries at once (at most one a case), grown past it if needed. */
  constructor(
    buyers: number,
    readonly sellerIds: SellerIds,
    entries = 0,
  ) {
    this.head = new Int32Array(buyers).fill(-1);
    this.next = new Int32Array(entries);
    this.sellerOf = new Int32Array(entries);
    this.counted = new Int32Array(entries);
    this.openedSums = new Int32Array(entries);
  }
  /** Entries made, and room for them (tests). */
  entryFigures(): { entries: number; capacity: number } {
    return { entries: this.size, capacity: this.next.length };
  }
  dispute(buyer: number, sellerId: string, counted: number, opened: number): void {
    this.disputes.set(sellerId, (this.disputes.get(sellerId) ?? 0) + counted);
    this.opened.set(sellerId, (this.opened.get(sellerId) ?? 0) + opened);
    const s = this.sellerIds.of(sellerId);
    let k = this.entryOf(buyer, s);
    if (k === -1) {
      k = this.size++;
      const int = (n: number) => new Int32Array(n);
      this.next = grown(this.next, this.size, int);
      this.sellerOf = grown(this.sellerOf, this.size, int);
      this.counted = grown(this.counted, this.size, int);
      this.openedSums = grown(this.openedSums, this.size, int);
      this.next[k] = this.head[buyer]!;
      this.head[buyer] = k;
      this.sellerOf[k] = s;
    }
    this.counted[k]! += counted;
    this.openedSums[k]! += opened;
  }
  /** Buyer i's entry with seller s (interned; -1: no dispute with that seller), for `countedOf` and `openedOf`. */
  entryOf(i: number, s: number): number {
    let k = this.head[i]!;
    while (k !== -1 && this.sellerOf[k] !== s) k = this.next[k]!;
    return k;
  }
  countedOf(k: number): number {
    return k === -1 ? 0 : this.counted[k]!;
  }
  openedOf(k: number): number {
    return k === -1 ? 0 : this.openedSums[k]!;
  }
  seller(id: string): SellerAgg {
    return {
      id,
      orders: this.orders.get(id) ?? 0,
      disputes: this.disputes.get(id) ?? 0,
      delivered: this.delivered.get(id) ?? 0,
      opened: this.opened.get(id) ?? 0,
    };
  }
  /**
   * Every seller's aggregate, once all sums are in: the scoring passes look a seller up for each
   * of a buyer's sellers (millions of look-ups at the goal's size), one Map read each.
   */
  all(): Map<string, SellerAgg> {
    const out = new Map<string, SellerAgg>();
    for (const id of [...this.orders.keys(), ...this.disputes.keys()]) if (!out.has(id)) out.set(id, this.seller(id));
    return out;
  }
}

/**
 * Every buyer's orders per seller in flat arrays (a buyer's pairs together, in the order read):
 * 12 bytes a (buyer, seller) pair, sellers' ids interned, instead of an object per buyer.
 */
class BuyerSellerPairs {
  private readonly start: Int32Array;
  private readonly count: Int32Array;
  private readonly seller: Int32Array;
  private readonly n: Int32Array;
  private readonly nd: Int32Array;
  private size = 0;
  private rank = new Int32Array(0);
  private scratch = new Int32Array(64);
  /**
   * Each seller's key in a buyer row's `sellers` JSON (`"S-1":[`), quoted once, not per buyer; null
   * for an id JSON.stringify would put first whatever its insertion order (an array index such
   * as "42"): a buyer with such a seller has its column written by JSON.stringify itself.
   */
  private keyText: Array<string | null> = [];

  /** `capacity`: at most one pair per order. */
  constructor(
    buyers: number,
    capacity: number,
    private readonly sellerIds: SellerIds,
  ) {
    this.start = new Int32Array(buyers);
    this.count = new Int32Array(buyers);
    this.seller = new Int32Array(capacity);
    this.n = new Int32Array(capacity);
    this.nd = new Int32Array(capacity);
  }

  /** Orders and delivered orders per seller (every order read, a known buyer's or not), by interned seller. */
  readonly sellerOrders: number[] = [];
  readonly sellerDelivered: number[] = [];

  /** Every seller met, with its orders and delivered orders. */
  *sellers(): Generator<[string, number, number]> {
    for (let s = 0; s < this.sellerOrders.length; s++)
      if (this.sellerOrders[s]) yield [this.sellerIds.ids[s]!, this.sellerOrders[s]!, this.sellerDelivered[s]!];
  }

  /**
   * One order of buyer i (undefined: not a known buyer, counted for its seller only). A buyer's
   * orders must come together (the query reads them in buyer order); its few pairs are searched
   * in place for the seller.
   */
  order(i: number | undefined, sellerId: string, delivered: boolean): void {
    const s = this.sellerIds.of(sellerId);
    while (this.sellerOrders.length <= s) {
      this.sellerOrders.push(0);
      this.sellerDelivered.push(0);
    }
    this.sellerOrders[s]!++;
    if (delivered) this.sellerDelivered[s]!++;
    if (i === undefined) return;
    const from = this.count[i] === 0 ? (this.start[i] = this.size) : this.start[i]!;
    let k = from;
    while (k < this.size && this.seller[k] !== s) k++;
    if (k === this.size) {
      this.seller[k] = s;
      this.n[k] = 0;
      this.nd[k] = 0;
      this.size++;
      this.count[i]!++;
    }
    this.n[k]!++;
    if (delivered) this.nd[k]!++;
  }

  /**
   * Buyer i's per-seller counts as the per-event updates keep them: at most `sellerCap` sellers
   * (here the first by id; the updates keep the first met, so the two differ only for a buyer of
   * more than `sellerCap` sellers), the rest's orders in `otherSellerOrders`. `disputes`: the
   * buyer's [counted disputes, opened on delivered] per seller. Returns the row's `sellers`
   * column, byte for byte JSON.stringify(b.sellers) (null: left to JSON.stringify, see keyText).
   */
  capped(i: number, disputes: SellerSums, b: BuyerAgg): string | null {
    const from = this.start[i]!;
    const count = this.count[i]!;
    if (this.scratch.length < count) this.scratch = new Int32Array(count * 2);
    const order = this.scratch;
    const ids = this.sellerIds.ids;
    const seller = this.seller;
    const rank = this.rank;
    // Read in the order the buyer placed them: sorted here by the sellers' rank in id order (a
    // few sellers: an insertion sort in a scratch array, no array or closure per buyer); the
    // cap takes the first by id.
    for (let j = 0; j < count; j++) {
      const k = from + j;
      const r = rank[seller[k]!]!;
      let p = j;
      for (; p > 0 && rank[seller[order[p - 1]!]!]! > r; p--) order[p] = order[p - 1]!;
      order[p] = k;
    }
    // A null-prototype object is a dictionary from the start: no hidden class per set of seller ids.
    const sellers: BuyerAgg['sellers'] = Object.create(null) as BuyerAgg['sellers'];
    let other = 0;
    // The row's `sellers` column written alongside, as JSON.stringify(sellers) would (see keyText).
    let json = '';
    let exact = true;
    for (let j = 0; j < count; j++) {
      const k = order[j]!;
      if (j < RISK_MODEL.sellerCap) {
        const s = seller[k]!;
        const d = disputes.entryOf(i, s);
        const v: SellerCounts = [this.n[k]!, disputes.countedOf(d), this.nd[k]!, disputes.openedOf(d)];
        sellers[ids[s]!] = v;
        const key = this.keyText[s];
        if (key === null || key === undefined) exact = false;
        else if (exact) json += `${json ? ',' : '{'}${key}${jsonNumber(v[0])},${jsonNumber(v[1])},${jsonNumber(v[2])},${jsonNumber(v[3])}]`;
      } else other += this.n[k]!;
    }
    b.sellers = sellers;
    b.otherSellerOrders = other;
    return exact ? (json ? `${json}}` : '{}') : null;
  }

  /** Each seller's rank in id order (JS string order, as the cap's sort), once every seller is met. */
  rankSellers(): void {
    const ids = this.sellerIds.ids;
    const byId = ids.map((_, s) => s).sort((x, y) => (ids[x]! < ids[y]! ? -1 : ids[x]! > ids[y]! ? 1 : 0));
    this.rank = new Int32Array(ids.length);
    byId.forEach((s, r) => (this.rank[s] = r));
    this.keyText = ids.map(sellerKeyText);
  }
}

export async function recomputeRisk(db: Reader, opts: RecomputeOptions): Promise<RecomputeReport> {
  const started = performance.now();
  const asOf = opts.asOf;
  const page = opts.pageSize ?? 5_000;
  const log = opts.onProgress ?? (() => {});
  const ownBound = opts.betweenPages ? null : heapBound(RECOMPUTE_HEAP.mb, RECOMPUTE_HEAP.garbageMb);
  const betweenPages: () => void = opts.betweenPages ?? ownBound ?? (() => {});
  const P = new Phases('page cache');
  // Rebuilding the rows writes all over several large indexes: a bigger page cache for the duration.
  return withPageCache(db, opts.pageCacheMiB ?? 64, () =>
    inWriteTx(db, async (tx) => {
      P.next('clear');
      await clearRiskRows(tx);
      P.next('buyers');

      // 1. Buyers.
      const B = new Buyers();
      for (let after = ''; ;) {
        betweenPages();
        const rows = await buyerAccountsPage(tx, after, page);
        for (const r of rows) {
          B.grow();
          const i = B.of(r.id);
          if (r.label) B.labels.set(i, r.label as AccountLabel);
          if (r.orders_placed !== null) {
            B.historyOrders[i] = Number(r.orders_placed);
            B.historyDelivered[i] = Number(r.orders_delivered ?? 0);
          }
          if (r.created_at !== null) B.created[i] = Number(r.created_at);
        }
        if (rows.length < page) break;
        after = rows[rows.length - 1]!.id;
      }
      const cases = await caseCounts(tx);
      B.allocate(cases.buyers);
      log(`buyers: ${B.ids.length}`);
      P.next('orders');
      const idx = (id: string): number | undefined => B.index.get(id);

      // 2. Orders: summed per buyer by the database (decay as exp(−(asOf − t) · ln 2 / half-life)), a page of buyers at a time.
      let orders = 0;
      {
        for (let after = ''; ;) {
          betweenPages();
          const rows = await orderSumsPage(tx, asOf, after, page);
          for (const r of rows) {
            const i = idx(r.buyer_id);
            if (i === undefined) continue;
            orders += Number(r.n);
            B.add2(i, 'orders', Number(r.n), Number(r.w));
            B.add2(i, 'delivered', Number(r.nd), Number(r.wd));
            B.fOrders[i]! += Number(r.f);
          }
          if (rows.length < page) break;
          after = rows[rows.length - 1]!.buyer_id;
        }
      }
      log(`orders: ${orders}`);
      P.next('disputes');

      const sellerIds = new SellerIds();
      const S = new SellerSums(B.ids.length, sellerIds, cases.cases);

      // 3. Disputes: the case, its order's delivery, latest decision, buyer messages and photos.
      let disputes = 0;
      const casePage = Math.min(page, 2_000);
      for (let after = ''; ;) {
        betweenPages();
        const rows = await disputeCasesPage(tx, after, casePage);
        if (!rows.length) break;
        const ids = rows.map((r) => r.id);
        const { decisions, messages, evidence } = await disputeSignalsOf(tx, ids);
        const latest = new Map<string, { seq: number; outcome: string }>();
        for (const d of decisions)
          if ((latest.get(d.case_id)?.seq ?? -1) < d.seq) latest.set(d.case_id, { seq: d.seq, outcome: d.outcome });
        const textsOf = new Map<string, Array<{ by: string; text: string }>>();
        for (const m of messages)
          (textsOf.get(m.case_id) ?? textsOf.set(m.case_id, []).get(m.case_id)!).push({ by: 'buyer', text: m.text });
        // A photo's key is its near-duplicate cluster (evidence_files.cluster_key), as in the incremental update.
        const keyOf = await photoKeysOf(
          tx,
          evidence.map((e) => e.sha256),
        );
        const photosOf = new Map<string, Set<string>>();
        for (const e of evidence)
          (photosOf.get(e.case_id) ?? photosOf.set(e.case_id, new Set()).get(e.case_id)!).add(keyOf.get(e.sha256) ?? e.sha256);
        const ledger: DisputeFact[] = [];
        for (const r of rows) {
          const i = idx(r.buyer_id);
          if (i === undefined) continue;
          disputes++;
          const signals = classifyBuyerMessages(textsOf.get(r.id) ?? []);
          const fact: DisputeFact = {
            id: r.id,
            orderId: r.order_id,
            buyerId: r.buyer_id,
            openedAt: Number(r.opened_at),
            notReceived: isNotReceived(r.reason as Reason),
            outcome: riskOutcomeOfDecision(latest.get(r.id)?.outcome),
            threat: signals.threat,
            offPlatform: signals.offPlatform,
            photos: [...(photosOf.get(r.id) ?? [])].sort(),
          };
          const counters = disputeCounters(fact, r.delivery_status === 'delivered');
          for (const c of counters) B.bump(i, c, fact.openedAt, asOf);
          const counted = counters.includes('disputes') ? 1 : 0;
          const opened = counters.includes('openedDelivered') ? 1 : 0;
          if (counted || opened) S.dispute(i, r.seller_id, counted, opened);
          ledger.push(fact);
        }
        await P.part('write risk_disputes', () => insertRebuiltDisputes(tx, ledger.map(disputeToRow)));
        if (rows.length < casePage) break;
        after = ids[ids.length - 1]!;
      }
      log(`disputes: ${disputes}`);
      P.next('link groups');

      // 4. Link groups, one value at a time: members (buyers), and who is in a small one.
      let linkGroups = 0;
      const smallGroups: Array<{ kind: string; members: string[] }> = [];
      {
        type L = LinkRow;
        const groupRows: Array<{ group_key: string; members: number; member_ids: string | null }> = [];
        const group = (kind: string, value: string, list: L[]) => {
          const members = [...new Set(list.map((l) => l.account_id))].filter((a) => idx(a) !== undefined).sort();
          if (!members.length) return;
          linkGroups++;
          const small = members.length <= RISK_MODEL.linkCap;
          groupRows.push({ group_key: linkKey(kind, value), members: members.length, member_ids: small ? JSON.stringify(members) : null });
          if (small && members.length >= 2) smallGroups.push({ kind, members });
        };
        // One kind at a time, so each page is a range of the (kind, value) index. A full page may
        // end inside a group: that group is read again at the start of the next page.
        for (const kind of ['address', 'device', 'payment']) {
          for (let from = '', inclusive = false; ;) {
            betweenPages();
            const rows = await linkValuesPage(tx, kind, from, inclusive, page);
            if (!rows.length) break;
            const full = rows.length === page;
            const last = rows[rows.length - 1]!.value;
            let cut = rows.length;
            if (full) while (cut > 0 && rows[cut - 1]!.value === last) cut--;
            let start = 0;
            for (let k = 1; k <= cut; k++)
              if (k === cut || rows[k]!.value !== rows[start]!.value) {
                group(kind, rows[start]!.value, rows.slice(start, k));
                start = k;
              }
            if (full && cut === 0) {
              // One group fills the page (a parcel locker): read all of it.
              group(kind, last, await linkValueMembers(tx, kind, last));
              from = last;
              inclusive = false;
            } else if (full) {
              from = last;
              inclusive = true;
            }
            if (groupRows.length > 5_000) await P.part('write risk_link_groups', () => insertRebuiltLinkGroups(tx, groupRows.splice(0)));
            if (!full) break;
          }
        }
        await P.part('write risk_link_groups', () => insertRebuiltLinkGroups(tx, groupRows.splice(0)));
      }
      log(`link groups: ${linkGroups}`);
      P.next('photos');

      // 5a. Photos, one sha256 at a time (grouped reads): uses, accounts, sellers, and what they add
      // up to. After the link groups: a listing photo used by two linked accounts is shared.
      const smallGroupsOf = new Map<string, number[]>();
      smallGroups.forEach((g, n) => {
        for (const m of g.members) (smallGroupsOf.get(m) ?? smallGroupsOf.set(m, []).get(m)!).push(n);
      });
      let photos = 0;
      {
        type Ev = BuyerEvidenceRow;
        const source = await P.part('stage buyer evidence', () => buyerEvidenceSource(tx));
        const evidencePage = (from: string, inclusive: boolean) => P.part('read buyer evidence', () => source.page(from, inclusive, page));
        const photoRows: Array<Database['risk_photos']> = [];
        const useRows: Array<{ photo_key: string; account_id: string; uses: number; weight: number; ref_at: number }> = [];
        const flushRows = async () => {
          await P.part('write risk_photos', () => insertRebuiltPhotos(tx, photoRows.splice(0)));
          await P.part('write risk_photo_uses', () => insertRebuiltPhotoUses(tx, useRows.splice(0)));
        };
        /** Whether two of these accounts share a small link group. */
        const linkedAmong = (ids: Iterable<string>): boolean => {
          const seen = new Set<number>();
          for (const id of ids)
            for (const g of smallGroupsOf.get(id) ?? []) {
              if (seen.has(g)) return true;
              seen.add(g);
            }
          return false;
        };
        const cluster = (key: string, group: Ev[]) => {
          const perAccount = new Map<string, Map<string, number>>(); // account -> case -> opened_at
          const caseUses = new Map<string, { at: number; seller: string | null }>();
          for (const e of group) {
            if (idx(e.buyer_id) === undefined) continue;
            (perAccount.get(e.buyer_id) ?? perAccount.set(e.buyer_id, new Map()).get(e.buyer_id)!).set(e.case_id, Number(e.opened_at));
            caseUses.set(e.case_id, { at: Number(e.opened_at), seller: e.seller_id });
          }
          if (!perAccount.size) return;
          let uses = 0;
          for (const cases of perAccount.values()) uses += cases.size;
          const accounts = perAccount.size;
          // Its sellers as the per-event update counts them: uses in the order they were opened.
          let sellers: Pick<PhotoCluster, 'sellers' | 'sellerOverflow'> = { sellers: {}, sellerOverflow: 0 };
          for (const [, u] of [...caseUses].sort((x, y) => x[1].at - y[1].at || (x[0] < y[0] ? -1 : 1)))
            sellers = movePhotoSeller(sellers, u.seller, +1);
          const linked = accounts >= 2 && photoSeller(sellers) !== null && linkedAmong(perAccount.keys());
          const c: PhotoCluster = { key, uses, accounts, ...sellers, linked };
          const flags = photoFlags(uses, accounts, isListingPhoto(c));
          photos++;
          // The first account (by id) inline in the photo's row, the others in risk_photo_uses.
          let first: PhotoUse | null = null;
          for (const [account, cases] of [...perAccount].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
            let w = 0;
            for (const t of cases.values()) w += decay(asOf - t);
            if (!first) first = { key, accountId: account, uses: cases.size, w, ref: asOf };
            else useRows.push({ photo_key: key, account_id: account, uses: cases.size, weight: w, ref_at: asOf });
            const i = idx(account)!;
            if (flags.own) B.bump(i, 'photoOwn', asOf, asOf, cases.size, w);
            if (flags.shared) B.bump(i, 'photoShared', asOf, asOf, cases.size, w * flags.shared);
          }
          photoRows.push(photoToRow({ cluster: c, slot: first }));
        };
        // Files in a near-duplicate cluster (a key other than their own sha256, or the head of such a
        // cluster) are grouped by cluster key after the sha256-ordered pass; the rest group by sha256.
        const clusterOf = new Map<string, string>();
        for (const r of await clusteredFiles(tx)) {
          clusterOf.set(r.sha256, r.cluster_key!);
          clusterOf.set(r.cluster_key!, r.cluster_key!);
        }
        const clustered = new Map<string, Ev[]>();
        const plainCluster = cluster;
        const groupOf = (key: string, group: Ev[]) => {
          const c = clusterOf.get(key);
          if (c === undefined) return plainCluster(key, group);
          (clustered.get(c) ?? clustered.set(c, []).get(c)!).push(...group);
        };
        let from = '';
        let inclusive = false;
        for (;;) {
          betweenPages();
          const rows = await evidencePage(from, inclusive);
          if (!rows.length) break;
          const last = rows[rows.length - 1]!.sha256;
          const full = rows.length === page;
          // A full page may have cut the last photo's group: leave it for the next page, unless it is the whole page.
          let cut = rows.length;
          if (full) while (cut > 0 && rows[cut - 1]!.sha256 === last) cut--;
          let groupStart = 0;
          for (let k = 1; k <= cut; k++)
            if (k === cut || rows[k]!.sha256 !== rows[groupStart]!.sha256) {
              groupOf(rows[groupStart]!.sha256, rows.slice(groupStart, k));
              groupStart = k;
            }
          if (full && cut === 0) {
            // One photo fills the page: read all of it at once.
            const all = await source.ofSha(last);
            groupOf(last, all);
            from = last;
            inclusive = false;
          } else if (full) {
            from = last;
            inclusive = true;
          } else {
            await flushRows();
            break;
          }
          if (photoRows.length + useRows.length > 20_000) await flushRows();
        }
        for (const [key, group] of clustered) cluster(key, group);
        await flushRows();
        await source.close();
      }
      log(`photos: ${photos}`);
      P.next('sellers');

      // 5b. Sellers: every order's buyer and seller, read once along the buyer index (a range of
      // buyers at a time), counted per seller (its side of the seller aggregates) and per (known
      // buyer, seller) into flat arrays for the rate a buyer's sellers see from their other buyers.
      const pairs = new BuyerSellerPairs(B.ids.length, orders, sellerIds);
      {
        const readRange = async (after: string | null, last: string | null) => {
          betweenPages();
          for (const r of await P.part('read buyer-seller orders', () => buyerSellerOrderRows(tx, after, last)))
            pairs.order(idx(r.buyer_id), r.seller_id, r.delivery_status === 'delivered');
        };
        let after: string | null = null;
        for (const ids of chunks(B.ids, MAX_IDS * 4)) {
          const last = ids[ids.length - 1]!;
          await readRange(after, last);
          after = last;
        }
        await readRange(after, null);
      }
      for (const [id, n, nd] of [...pairs.sellers()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        S.orders.set(id, n);
        S.delivered.set(id, nd);
      }
      pairs.rankSellers();
      const sellerAggs = S.all();
      await P.part('write seller_risk', () => insertRebuiltSellers(tx, [...sellerAggs.values()].map(sellerToRow)));
      /** Buyer i's sellers as the engine counts them ([orders, counted disputes, delivered, opened on delivered]), capped. */
      const sellersOf = (i: number, b: BuyerAgg): string | null => pairs.capped(i, S, b);
      // 6. Priors.
      P.next('priors');
      const model = await loadRiskModel(tx);
      let priors = model.priors;
      if (opts.refit !== false) {
        const fitter = new PriorsFitter();
        const scratch = newBuyer('');
        for (let i = 0; i < B.ids.length; i++) fitter.add(withOrderHistory(B.agg(i, asOf, scratch)).n);
        priors = fitter.fit();
      }
      const ctx = { asOf, priors };
      const sellerLookup = (id: string) => sellerAggs.get(id) ?? S.seller(id);

      // Each buyer's small link groups, for the link reason (weighed by each group's concentration
      // of risk), and the last buyer (in id order) it shares one with: its link reason needs the
      // base score of every such neighbour.
      const groupsOf = new Map<number, LinkGroupView[]>();
      const lastNeighbour = new Int32Array(B.ids.length).fill(-1);
      for (const g of smallGroups) {
        let last = -1;
        for (const m of g.members) last = Math.max(last, idx(m)!);
        for (const m of g.members) {
          const i = idx(m)!;
          (groupsOf.get(i) ?? groupsOf.set(i, []).get(i)!).push(g);
          if (last > lastNeighbour[i]!) lastNeighbour[i] = last;
        }
      }
      const status = (id: string) => {
        const j = idx(id)!;
        return { risky: B.risky[j] === 1, flagged: B.labels.get(j) === 'serial_disputer', created: createdAt(B.created[j]!) };
      };
      /** Buyer i's row's values: its base reasons and the link reason (its neighbours' base scores known). */
      const finish = (b: BuyerAgg, i: number, base: RiskReason[], sellersJson: string | null) => {
        // Most buyers share no small group with a risky account: no link reason, and no sign context to build for it.
        const groups = groupsOf.get(i);
        const neighbours = groups ? linkedNeighbours(b.id, groups, status, b.created) : [];
        const link = neighbours.length ? linkReason(neighbours, signContext(b, priors)) : null;
        const reasons = sortReasons(link ? [...base, link] : base);
        b.scored = { score: scoreOf(reasons), base: B.base[i]!, risky: B.risky[i] === 1, reasons, at: asOf };
        B.score[i] = b.scored.score;
        return buyerRowValues(b, sellersJson);
      };

      // 7. The buyers' scores and rows in one pass, a page at a time with their sellers and links:
      // a buyer's base score (its behaviour) first, then its row at once, unless it shares a small
      // link group with a buyer later in the order, whose base score its link reason needs. Those
      // wait, with what their row needs, for a second pass over them alone. (Scoring everyone
      // first and again for the rows was a third of the recompute's JS.)
      P.next('buyer rows');
      // A waiting buyer keeps only its links: its sellers, rates and base reasons are built again
      // when its row is (the same numbers from the same sums). Keeping them (reasons and their
      // sentences for one buyer in twelve) was the largest part of the live heap by the last page.
      type Waiting = { i: number; links: string[] };
      const restoreIndexes = await setAsideBuyerIndexes(tx);
      const waiting: Waiting[] = [];
      const one = newBuyer('');
      /** Buyer i's aggregate with its links, sellers and rates, its base reasons and its `sellers` column. */
      const scoreBase = (i: number, links: string[]): { b: BuyerAgg; base: RiskReason[]; sellersJson: string | null } => {
        const b = B.agg(i, asOf, one);
        b.links = links;
        const sellersJson = sellersOf(i, b);
        b.sellerRate = sellerExpectedRate(b, sellerLookup, priors);
        b.openedRef = sellerOpenedRate(b, sellerLookup, priors);
        return { b, base: baseReasons(b, ctx), sellersJson };
      };
      for (const ids of chunks(B.ids, MAX_IDS)) {
        betweenPages();
        // The page's links: one range of the primary key (account_id, kind, value); ids are sorted.
        const links = await P.part('read links of buyers', () => linksOfAccountRange(tx, ids[0]!, ids[ids.length - 1]!));
        const linksOf = new Map<string, string[]>();
        for (const l of links)
          if (idx(l.account_id) !== undefined)
            (linksOf.get(l.account_id) ?? linksOf.set(l.account_id, []).get(l.account_id)!).push(linkKey(l.kind, l.value));
        const rows: unknown[][] = [];
        for (const id of ids) {
          const i = idx(id)!;
          const { b, base, sellersJson } = scoreBase(i, (linksOf.get(id) ?? []).sort());
          const baseScore = scoreOf(base);
          B.base[i] = baseScore;
          B.risky[i] = isRisky(b.label, baseScore) ? 1 : 0;
          if (lastNeighbour[i]! > i) waiting.push({ i, links: b.links });
          else rows.push(finish(b, i, base, sellersJson));
        }
        await P.part('write buyer_risk', () => insertRebuiltBuyers(tx, rows));
      }
      log(`buyers waiting for a later neighbour's base score: ${waiting.length}`);
      for (const page of chunks(waiting, MAX_IDS)) {
        betweenPages();
        const rows = page.map((w) => {
          const { b, base, sellersJson } = scoreBase(w.i, w.links);
          return finish(b, w.i, base, sellersJson);
        });
        await P.part('write buyer_risk', () => insertRebuiltBuyers(tx, rows));
      }
      await P.part('index buyer_risk', restoreIndexes);
      P.next('case scores');
      // Every case's copy of its buyer's score (the queue's sort by risk): only those that changed are written.
      // From the scores just written (every buyer of B has its row): not read back from buyer_risk.
      const scoreNow = (id: string) => {
        const i = idx(id);
        return i === undefined ? -1 : B.score[i]!;
      };
      const caseScores = await syncAllCaseScores(tx, scoreNow, betweenPages);
      log(`case scores rewritten: ${caseScores}`);
      await saveRiskModel(
        tx,
        {
          priors,
          fittedAt: opts.refit !== false ? asOf : model.fittedAt,
          fittedBuyers: opts.refit !== false ? B.ids.length : model.fittedBuyers,
          buyers: B.ids.length,
        },
        { rescoredAll: true },
      );
      log('buyer rows written');
      P.next('commit');
      return {
        phases: P.done,
        parts: P.partFigures(),
        buyers: B.ids.length,
        orders,
        disputes,
        photos,
        linkGroups,
        priors,
        seconds: 0,
        heapCollections: null as number | null,
      };
    }),
  )
    .then((report) => {
      // The commit (and the page cache's reset) end the last phase: the report is complete after it.
      report.phases = P.finish();
      report.seconds = Math.round(performance.now() - started) / 1000;
      report.heapCollections = ownBound ? ownBound.counts.collections : null;
      return report;
    })
    .finally(() => P.finish());
}
