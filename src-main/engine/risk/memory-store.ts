import type { BuyerAgg, DisputeFact, LinkGroup, OrderFact, PhotoCluster, PhotoUse, SellerAgg } from './model';
import { linkStatusOf, type RiskStore } from './update';

/** Every row of the model in maps: the `score` command, the evaluation and the tests. */
export class MemoryRiskStore implements RiskStore {
  readonly buyers = new Map<string, BuyerAgg>();
  readonly orders = new Map<string, OrderFact>();
  readonly disputes = new Map<string, DisputeFact>();
  readonly photos = new Map<string, PhotoCluster>();
  readonly groups = new Map<string, LinkGroup>();
  readonly sellers = new Map<string, SellerAgg>();
  /** photo key → account → use */
  readonly uses = new Map<string, Map<string, PhotoUse>>();
  private readonly byOrder = new Map<string, Set<string>>();

  buyer(id: string) {
    return this.buyers.get(id);
  }
  putBuyer(b: BuyerAgg) {
    this.buyers.set(b.id, b);
  }
  linkStatus(id: string) {
    return linkStatusOf(this.buyers.get(id));
  }
  order(id: string) {
    return this.orders.get(id);
  }
  putOrder(o: OrderFact) {
    this.orders.set(o.id, o);
  }
  dispute(id: string) {
    return this.disputes.get(id);
  }
  putDispute(d: DisputeFact, previous: DisputeFact | undefined) {
    if (previous && previous.orderId !== d.orderId) this.byOrder.get(previous.orderId)?.delete(d.id);
    let set = this.byOrder.get(d.orderId);
    if (!set) this.byOrder.set(d.orderId, (set = new Set()));
    set.add(d.id);
    this.disputes.set(d.id, d);
  }
  disputesOfOrder(orderId: string) {
    return [...(this.byOrder.get(orderId) ?? [])];
  }
  photo(key: string) {
    return this.photos.get(key);
  }
  putPhoto(p: PhotoCluster) {
    if (p.uses === 0) this.photos.delete(p.key);
    else this.photos.set(p.key, p);
  }
  photoUse(key: string, accountId: string) {
    return this.uses.get(key)?.get(accountId);
  }
  putPhotoUse(u: PhotoUse) {
    let m = this.uses.get(u.key);
    if (u.uses === 0) {
      m?.delete(u.accountId);
      if (m && !m.size) this.uses.delete(u.key);
      return;
    }
    if (!m) this.uses.set(u.key, (m = new Map<string, PhotoUse>()));
    m.set(u.accountId, u);
  }
  photoUsesOf(key: string) {
    return [...(this.uses.get(key)?.values() ?? [])];
  }
  group(key: string) {
    return this.groups.get(key);
  }
  putGroup(g: LinkGroup) {
    this.groups.set(g.key, g);
  }
  seller(id: string) {
    return this.sellers.get(id);
  }
  putSeller(s: SellerAgg) {
    this.sellers.set(s.id, s);
  }
}
