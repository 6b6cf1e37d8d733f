import type { AccountLabel } from '../../contract/domain';
import {
  NO_REF,
  RISK_MODEL,
  bump,
  decay,
  disputeCounters,
  emptyPhotoCluster,
  isListingPhoto,
  linkKind,
  movePhotoSeller,
  photoSeller,
  newBuyer,
  orderCounters,
  photoFlags,
  type BuyerAgg,
  type DisputeFact,
  type RiskReason,
  type LinkGroup,
  type OrderFact,
  type PhotoCluster,
  type PhotoUse,
  type SellerAgg,
  type SellerCounts,
} from './model';
import {
  baseReasons,
  isRisky,
  linkReason,
  linkedNeighbours,
  scoreOf,
  sellerExpectedRate,
  sellerOpenedRate,
  signContext,
  sortReasons,
  type LinkGroupView,
  type LinkStatus,
  type LinkedNeighbour,
  type ScoreContext,
} from './score';

/**
 * Where the model's rows live: in memory (the `score` command, the evaluation) or in the
 * database (through a loader that fetches the rows a batch needs). Synchronous on purpose:
 * the update logic below is pure given the rows it reads.
 *
 * Objects returned by the getters may be changed in place and must then be `put` back.
 */
export interface RiskStore {
  buyer(id: string): BuyerAgg | undefined;
  putBuyer(b: BuyerAgg): void;
  /**
   * What a linked account's score says to its neighbours (the link reason reads nothing else
   * of it): whether it counts as high-risk at its last scoring, whether an analyst flagged
   * it, and when it was opened (model v12). Undefined for an account never scored. A store may answer from a lighter read than
   * the whole row; a buyer changed in this run answers from its changed row.
   */
  linkStatus(id: string): LinkStatus | undefined;
  order(id: string): OrderFact | undefined;
  putOrder(o: OrderFact): void;
  dispute(id: string): DisputeFact | undefined;
  /** Also keeps the order → disputes index (`disputesOfOrder`) in step. */
  putDispute(d: DisputeFact, previous: DisputeFact | undefined): void;
  disputesOfOrder(orderId: string): string[];
  photo(key: string): PhotoCluster | undefined;
  putPhoto(p: PhotoCluster): void;
  photoUse(key: string, accountId: string): PhotoUse | undefined;
  /** A use with `uses === 0` is removed. */
  putPhotoUse(u: PhotoUse): void;
  /** Every account's use of a photo; asked for when the photo's weight changes (amortised constant per use). */
  photoUsesOf(key: string): PhotoUse[];
  group(key: string): LinkGroup | undefined;
  putGroup(g: LinkGroup): void;
  seller(id: string): SellerAgg | undefined;
  putSeller(s: SellerAgg): void;
}

const sameOrder = (a: OrderFact, b: OrderFact) =>
  a.buyerId === b.buyerId && a.placedAt === b.placedAt && a.delivered === b.delivered && (a.sellerId ?? null) === (b.sellerId ?? null);
/** The same photo uses: photoUse reads the dispute's buyer, opening time, photos and (through its order) seller only. */
const samePhotoUses = (a: DisputeFact, b: DisputeFact) =>
  a.orderId === b.orderId &&
  a.buyerId === b.buyerId &&
  a.openedAt === b.openedAt &&
  a.photos.length === b.photos.length &&
  a.photos.every((p, i) => p === b.photos[i]);
const sameDispute = (a: DisputeFact, b: DisputeFact) =>
  samePhotoUses(a, b) &&
  a.notReceived === b.notReceived &&
  a.outcome === b.outcome &&
  a.threat === b.threat &&
  a.offPlatform === b.offPlatform;

/**
 * Applies events to the model's rows. Each event costs a bounded amount of work: the
 * buyer's aggregate, the event's own fact row, and (amortised) a constant number of a photo's
 * accounts, or at most `linkCap` members of a link group, when those change state. Buyers whose score may
 * have moved collect in `dirty` (their own facts changed) and `linkDirty` (a neighbour
 * joined or left one of their link groups); `rescore` then scores them.
 */
export class RiskUpdater {
  readonly dirty = new Set<string>();
  readonly linkDirty = new Set<string>();

  constructor(private readonly s: RiskStore) {}

  private buyer(id: string): BuyerAgg {
    let b = this.s.buyer(id);
    if (!b) {
      b = newBuyer(id);
      this.s.putBuyer(b);
    }
    return b;
  }

  /**
   * A buyer account, the link groups it belongs to (links only accumulate), the order history
   * the marketplace reported with it, if it did (the latest report replaces the last), and when
   * it was opened (`created`: the latest report replaces the last, null included, as in the
   * accounts table; undefined leaves it as it is).
   */
  account(id: string, links: string[], history?: { orders: number; delivered: number } | null, created?: number | null): void {
    const b = this.buyer(id);
    if (history && (b.history?.orders !== history.orders || b.history?.delivered !== history.delivered)) {
      b.history = { orders: history.orders, delivered: history.delivered };
      this.s.putBuyer(b);
      this.dirty.add(id);
    }
    if (created !== undefined && created !== b.created) {
      // Whether the buyer is the odd one out of a shared device, or makes a neighbour one,
      // depends on the date: the buyer and its small groups' members get their link reason again.
      b.created = created;
      this.s.putBuyer(b);
      this.linkDirty.add(id);
      for (const nb of smallGroupNeighbours(this.s, b).keys()) this.linkDirty.add(nb);
    }
    const fresh = sortedStrings(
      links.filter((k) => !b.links.includes(k)),
      [],
      true,
    );
    if (!fresh.length) return;
    for (const key of fresh) {
      const g = this.s.group(key) ?? { key, members: 0, ids: [] };
      if (g.ids) for (const other of g.ids) this.linkDirty.add(other);
      g.members++;
      if (g.ids) g.ids = g.members <= RISK_MODEL.linkCap ? sortedStrings(g.ids, [id], false) : null;
      this.s.putGroup(g);
    }
    b.links = sortedStrings(b.links, fresh, false);
    this.s.putBuyer(b);
    this.linkDirty.add(id);
  }

  order(o: OrderFact): void {
    const old = this.s.order(o.id);
    if (old && sameOrder(old, o)) return;
    if (old) this.orderContribution(old, -1);
    this.orderContribution(o, +1);
    this.s.putOrder({ ...o });
    // The order's disputes were counted with its old delivery status and seller (not
    // delivered, no seller, when the order was not known yet).
    const wasDelivered = old?.delivered ?? false;
    const wasSeller = old?.sellerId ?? null;
    if (wasDelivered !== o.delivered || wasSeller !== (o.sellerId ?? null))
      for (const id of this.s.disputesOfOrder(o.id)) {
        const d = this.s.dispute(id);
        if (!d) continue;
        this.disputeCounters(d, wasDelivered, wasSeller, -1);
        this.disputeCounters(d, o.delivered, o.sellerId ?? null, +1);
        // Its photos' uses move to the new seller (a listing photo is one seller's).
        if (wasSeller !== (o.sellerId ?? null))
          for (const key of d.photos) this.photoSellerMove(key, d.buyerId, wasSeller, o.sellerId ?? null);
      }
  }

  dispute(d: DisputeFact): void {
    const next: DisputeFact = { ...d, photos: sortedStrings(d.photos, [], true) };
    const old = this.s.dispute(d.id);
    if (old && sameDispute(old, next)) return;
    if (old && samePhotoUses(old, next)) {
      // What the photos' uses depend on is unchanged (a decision's outcome, a threat flag): their
      // −1 then +1 would cancel, so only the dispute's own counters move. The round trip cost a
      // sweep a risk_photos upsert and use probes (0.045 statements a default) and rewrote a
      // photo's first use as weight 1 at its opening (the same value as the decayed weight kept).
      const order = this.s.order(old.orderId);
      this.disputeCounters(old, order?.delivered ?? false, order?.sellerId ?? null, -1);
      this.disputeCounters(next, order?.delivered ?? false, order?.sellerId ?? null, +1);
    } else {
      if (old) this.disputeContribution(old, -1);
      this.disputeContribution(next, +1);
    }
    this.s.putDispute(next, old);
  }

  /** Changes one field of a dispute already counted (a decision, evidence added later); unknown disputes are ignored. */
  patchDispute(id: string, patch: { outcome?: DisputeFact['outcome']; addPhotos?: string[] }): void {
    const old = this.s.dispute(id);
    if (!old) return;
    this.dispute({
      ...old,
      ...(patch.outcome !== undefined ? { outcome: patch.outcome } : {}),
      photos: patch.addPhotos ? [...old.photos, ...patch.addPhotos] : old.photos,
    });
  }

  label(id: string, label: AccountLabel | null): void {
    const b = this.buyer(id);
    if (b.label === label) return;
    const wasFlagged = b.label === 'serial_disputer';
    b.label = label;
    this.s.putBuyer(b);
    this.dirty.add(id);
    // A flag weighs more in the neighbours' link reason (and is named in its sentence) even
    // when the account was high-risk already, so its neighbours are rescored too; a change of
    // high-risk status alone reaches them through `rescore`.
    if (wasFlagged !== (label === 'serial_disputer')) for (const nb of smallGroupNeighbours(this.s, b).keys()) this.linkDirty.add(nb);
  }

  private orderContribution(o: OrderFact, sign: number): void {
    const b = this.buyer(o.buyerId);
    for (const c of orderCounters(o)) bump(b, o.placedAt, c, sign);
    if (o.sellerId) this.sellerContribution(b, o.sellerId, [sign, 0, o.delivered ? sign : 0, 0]);
    this.s.putBuyer(b);
    this.dirty.add(b.id);
  }

  private disputeCounters(d: DisputeFact, delivered: boolean, sellerId: string | null, sign: number): void {
    const b = this.buyer(d.buyerId);
    const counters = disputeCounters(d, delivered);
    for (const c of counters) bump(b, d.openedAt, c, sign);
    const counted = counters.includes('disputes') ? sign : 0;
    const opened = counters.includes('openedDelivered') ? sign : 0;
    if (sellerId && (counted || opened)) this.sellerContribution(b, sellerId, [0, counted, 0, opened]);
    this.s.putBuyer(b);
    this.dirty.add(b.id);
  }

  /**
   * Orders, counted disputes, delivered orders and disputes opened on them of buyer `b` with
   * one seller: the seller's totals and the buyer's per-seller counts (kept for at most
   * `sellerCap` sellers; a seller past the cap counts its orders in `otherSellerOrders`, which
   * are expected at the platform's rate, and its delivered orders in no context reference).
   */
  private sellerContribution(b: BuyerAgg, sellerId: string, add: SellerCounts): void {
    // In place: a getter's object is this run's to change, and is put back (RiskStore).
    const s = this.s.seller(sellerId) ?? { id: sellerId, orders: 0, disputes: 0, delivered: 0, opened: 0 };
    s.orders += add[0];
    s.disputes += add[1];
    s.delivered += add[2];
    s.opened += add[3];
    this.s.putSeller(s);
    const mine = b.sellers[sellerId];
    if (!mine && Object.keys(b.sellers).length >= RISK_MODEL.sellerCap) {
      b.otherSellerOrders += add[0];
      return;
    }
    // In place: `b` is this run's own copy (a store hands out copies, or keeps the one object it
    // puts back), and each seller's counts are a fresh array, never changed once made. Copying the
    // whole record for every order and dispute was a copy of up to `sellerCap` entries per event.
    const next: SellerCounts = [(mine?.[0] ?? 0) + add[0], (mine?.[1] ?? 0) + add[1], (mine?.[2] ?? 0) + add[2], (mine?.[3] ?? 0) + add[3]];
    if (next[0] <= 0 && next[1] <= 0 && next[2] <= 0 && next[3] <= 0) delete b.sellers[sellerId];
    else b.sellers[sellerId] = next;
  }

  private disputeContribution(d: DisputeFact, sign: number): void {
    const order = this.s.order(d.orderId);
    this.disputeCounters(d, order?.delivered ?? false, order?.sellerId ?? null, sign);
    for (const key of d.photos) this.photoUse(key, d.buyerId, d.openedAt, sign, order?.sellerId ?? null);
  }

  /**
   * One dispute of `accountId` starts (+1) or stops (−1) carrying photo `key`, about an order
   * of `sellerId`. The photo's use and account counts, and whether it is one seller's listing
   * photo, decide which counter its uses feed (own reuse, shared, or none); when that changes
   * (at half-octave steps of the account count, or when a listing photo meets a second seller
   * or a link), every account using it moves.
   */
  private photoUse(key: string, accountId: string, at: number, sign: number, sellerId: string | null): void {
    const cluster = this.s.photo(key) ?? emptyPhotoCluster(key);
    const before = this.s.photoUse(key, accountId) ?? { key, accountId, uses: 0, w: 0, ref: NO_REF };
    const after: PhotoUse = { ...before };
    if (at > after.ref) {
      after.w = after.ref === NO_REF ? 0 : after.w * decay(at - after.ref);
      after.ref = at;
    }
    after.uses += sign;
    after.w += sign * decay(after.ref - at);
    if (after.uses === 0) after.w = 0;
    const uses = cluster.uses + sign;
    const accounts = cluster.accounts + (before.uses === 0 && after.uses > 0 ? 1 : 0) - (before.uses > 0 && after.uses === 0 ? 1 : 0);
    const next: PhotoCluster = { key, uses, accounts, ...movePhotoSeller(cluster, sellerId, sign), linked: cluster.linked };
    this.settleLinked(next, accountId, sign > 0 && before.uses === 0);
    const was = this.flagsOf(cluster);
    const now = this.flagsOf(next);
    this.reweigh(key, was, now, accountId);
    this.photoContribution(before, was, -1);
    this.photoContribution(after, now, +1);
    this.s.putPhoto(next);
    this.s.putPhotoUse(after);
  }

  /** A dispute's order changed seller: its photo uses move with it (the counts stay). */
  private photoSellerMove(key: string, accountId: string, from: string | null, to: string | null): void {
    const cluster = this.s.photo(key);
    if (!cluster) return;
    const moved = movePhotoSeller(movePhotoSeller(cluster, from, -1), to, +1);
    const next: PhotoCluster = { ...cluster, ...moved };
    this.settleLinked(next, accountId, true);
    const was = this.flagsOf(cluster);
    const now = this.flagsOf(next);
    if (was.shared !== now.shared) this.reweigh(key, was, now, null);
    this.s.putPhoto(next);
  }

  private flagsOf(c: PhotoCluster) {
    return photoFlags(c.uses, c.accounts, isListingPhoto(c));
  }

  /**
   * Keeps `linked` only while it means something (one seller's photo of two or more accounts)
   * and, when `check`, sets it if `accountId` is linked to another account using the photo:
   * its small link groups' members, at most `linkCap` per group.
   */
  private settleLinked(c: PhotoCluster, accountId: string, check: boolean): void {
    if (c.accounts < 2 || photoSeller(c) === null) {
      c.linked = false;
      return;
    }
    if (c.linked || !check) return;
    const b = this.s.buyer(accountId);
    if (!b) return;
    for (const nb of smallGroupNeighbours(this.s, b).keys())
      if ((this.s.photoUse(c.key, nb)?.uses ?? 0) > 0) {
        c.linked = true;
        return;
      }
  }

  /** When a photo's flags change, every account using it (but `except`, handled by the caller) moves counters. */
  private reweigh(key: string, was: PhotoFlags, now: PhotoFlags, except: string | null): void {
    if (was.own === now.own && was.shared === now.shared) return;
    for (const other of this.s.photoUsesOf(key)) {
      if (other.accountId === except) continue;
      this.photoContribution(other, was, -1);
      this.photoContribution(other, now, +1);
    }
  }

  private photoContribution(u: PhotoUse, flags: PhotoFlags, sign: number): void {
    if (u.uses === 0 || (!flags.own && !flags.shared)) return;
    const b = this.buyer(u.accountId);
    if (flags.own) bump(b, u.ref, 'photoOwn', sign * u.uses, sign * u.w);
    // The raw count stays the number of uses (for the sentence); the decayed sum carries the spread weight.
    if (flags.shared) bump(b, u.ref, 'photoShared', sign * u.uses, sign * u.w * flags.shared);
    this.s.putBuyer(b);
    this.dirty.add(b.id);
  }
}

type PhotoFlags = { own: boolean; shared: number };

/** Up to this many strings are sorted by insertion (sortedStrings); more by `sort`. */
const INSERTION_SORT_MAX = 64;

/**
 * `[...a, ...b].sort()` (`unique`: `[...new Set([...a, ...b])].sort()`), the same array, for the few
 * strings an event sorts (a buyer's links, a small group's members, a dispute's photos): by
 * insertion, comparing as `sort` does (UTF-16 code units), without the copies, the Set and the
 * sort's own allocations. The account events' sorts were the risk update's largest allocation.
 */
export function sortedStrings(a: readonly string[], b: readonly string[], unique: boolean): string[] {
  if (a.length + b.length > INSERTION_SORT_MAX) return unique ? [...new Set([...a, ...b])].sort() : [...a, ...b].sort();
  const out: string[] = [];
  for (const x of a) insertSorted(out, x, unique);
  for (const x of b) insertSorted(out, x, unique);
  return out;
}

function insertSorted(out: string[], x: string, unique: boolean): void {
  let i = out.length;
  while (i > 0 && out[i - 1]! > x) i--;
  if (unique && i > 0 && out[i - 1] === x) return;
  out.push(x);
  for (let j = out.length - 1; j > i; j--) out[j] = out[j - 1]!;
  out[i] = x;
}

/** A buyer's status as its neighbours' link reasons see it (RiskStore.linkStatus). */
export const linkStatusOf = (b: BuyerAgg | undefined): LinkStatus | undefined =>
  b?.scored ? { risky: b.scored.risky, flagged: b.label === 'serial_disputer', created: b.created } : undefined;

/** The buyer's neighbours through link groups small enough to mean something. */
export function smallGroupNeighbours(s: RiskStore, b: BuyerAgg): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const key of b.links) {
    const g = s.group(key);
    if (!g || !g.ids || g.members > RISK_MODEL.linkCap) continue;
    for (const id of g.ids) {
      if (id === b.id) continue;
      const kinds = out.get(id) ?? new Set<string>();
      kinds.add(linkKind(key));
      out.set(id, kinds);
    }
  }
  return out;
}

/** The buyer's link groups that keep their members, as the buyer sees them. */
function groupViews(s: RiskStore, b: BuyerAgg): LinkGroupView[] {
  const out: LinkGroupView[] = [];
  for (const key of b.links) {
    const g = s.group(key);
    if (g?.ids && g.members <= RISK_MODEL.linkCap && g.members >= 2) out.push({ kind: linkKind(key), members: g.ids });
  }
  return out;
}

/** The flagged or risky accounts linked to a buyer, each weighed by its group's concentration of risk. */
export function linkedRisky(s: RiskStore, b: BuyerAgg): LinkedNeighbour[] {
  return linkedNeighbours(b.id, groupViews(s, b), (id) => s.linkStatus(id), b.created);
}

const LINK_CODE = 'LINKED_ACCOUNTS';

/**
 * Scores buyers after updates, in two steps so that a buyer linked to another sees that
 * one's fresh status: (1) the behaviour part of every changed buyer (and whether it now
 * counts as high-risk for its neighbours); (2) the link reason, for those and for the
 * neighbours of every buyer whose high-risk status flipped. A neighbour only reached by a
 * flip keeps its behaviour reasons from its last scoring. Returns the buyers scored.
 */
export function rescore(s: RiskStore, changed: Iterable<string>, linkChanged: Iterable<string>, ctx: ScoreContext): Set<string> {
  return rescoreLinks(s, rescoreBehaviour(s, changed, linkChanged, ctx), ctx);
}

/** What `rescoreBehaviour` leaves for `rescoreLinks`: the buyers to give a link reason, and their fresh behaviour reasons. */
export interface LinkRescore {
  /** The changed buyers, then the neighbours reached only by a flip of high-risk status. */
  ids: string[];
  /** The behaviour reasons of the buyers scored in step 1 (absent: a neighbour reached by a flip). */
  baseOf: Map<string, RiskReason[]>;
}

/** Step 1 of `rescore`: the behaviour part of every changed buyer, its high-risk status, and who must be given a link reason. */
export function rescoreBehaviour(s: RiskStore, changed: Iterable<string>, linkChanged: Iterable<string>, ctx: ScoreContext): LinkRescore {
  const full = new Set(changed);
  for (const id of linkChanged) full.add(id);
  const linkOnly = new Set<string>();
  const baseOf = new Map<string, RiskReason[]>();
  for (const id of full) {
    const b = s.buyer(id);
    if (!b) continue;
    b.sellerRate = sellerExpectedRate(b, (sid) => s.seller(sid), ctx.priors);
    b.openedRef = sellerOpenedRate(b, (sid) => s.seller(sid), ctx.priors);
    const reasons = baseReasons(b, ctx);
    const base = scoreOf(reasons, ctx.weights);
    const risky = isRisky(b.label, base);
    const wasRisky = b.scored?.risky ?? false;
    baseOf.set(id, reasons);
    b.scored = { score: b.scored?.score ?? base, base, risky, reasons: b.scored?.reasons ?? [], at: ctx.asOf };
    s.putBuyer(b);
    if (risky !== wasRisky) for (const nb of smallGroupNeighbours(s, b).keys()) if (!full.has(nb)) linkOnly.add(nb);
  }
  return { ids: [...full, ...linkOnly], baseOf };
}

/**
 * Step 2 of `rescore`: the link reason and the final score of each buyer of `plan`. It reads the
 * neighbours' status (which it does not change) and the buyers' own rows, and changes only their
 * `scored`, keeping the behaviour reasons: running it again over the same plan gives the same rows.
 * So a store that lacked some of the rows it read (a neighbour reached by a flip) can load them and
 * run this step again, without applying the events and scoring behaviour once more.
 */
export function rescoreLinks(s: RiskStore, plan: LinkRescore, ctx: ScoreContext): Set<string> {
  const { ids, baseOf } = plan;
  const scored = new Set<string>();
  for (const id of ids) {
    const b = s.buyer(id);
    if (!b?.scored) continue; // a neighbour never scored has nothing to add a link reason to yet
    const base = baseOf.get(id) ?? b.scored.reasons.filter((r) => r.code !== LINK_CODE);
    // The sign context (a sentence built for every buyer) only when there is a link to weigh.
    const neighbours = linkedRisky(s, b);
    const link = neighbours.length ? linkReason(neighbours, signContext(b, ctx.priors), ctx.weights) : null;
    const reasons = sortReasons(link ? [...base, link] : [...base]);
    b.scored = { ...b.scored, score: scoreOf(reasons, ctx.weights), reasons, at: baseOf.has(id) ? ctx.asOf : b.scored.at };
    s.putBuyer(b);
    scored.add(id);
  }
  return scored;
}

/**
 * A buyer's score as of `asOf` with no new event: the behaviour reasons re-valued at that
 * instant (decayed sums fade with the half-life, velocity within weeks), the link reason kept
 * from the last scoring (it only changes when a neighbour's status does, which rescores this
 * buyer anyway). Pure and cheap: how a stored score ages at read time, without a write.
 * An instant before the last scoring gives the stored score (decay never runs backwards).
 */
export function scoreAt(b: BuyerAgg, ctx: ScoreContext): { score: number; reasons: RiskReason[] } {
  if (b.scored && ctx.asOf <= b.scored.at) return { score: b.scored.score, reasons: b.scored.reasons };
  const link = b.scored?.reasons.find((r) => r.code === LINK_CODE);
  const reasons = sortReasons(link ? [...baseReasons(b, ctx), link] : baseReasons(b, ctx));
  return { score: scoreOf(reasons, ctx.weights), reasons };
}

/** Scores every buyer from scratch at one instant (a full recompute, the `score` command's final answer). */
export function rescoreAll(s: RiskStore, ids: Iterable<string>, ctx: ScoreContext): void {
  const all = [...ids];
  for (const id of all) {
    const b = s.buyer(id);
    if (b) b.scored = null; // forget earlier risky flags: everyone is scored afresh
  }
  rescore(s, all, [], ctx);
}
