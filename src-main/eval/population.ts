/**
 * Synthetic buyer populations in the `score` history format (SCENARIOS.md), with the truth
 * about every buyer, for measuring the fraud-pattern score. Deterministic: the output depends
 * only on the options (no clock, no Math.random). Every parameter of the mix is drawn from the
 * seed (family.ts), so each seed is a different population, not the same one redrawn.
 *
 * Who is in it:
 * - honest buyers with their own dispute habits, the odd parcel stolen from the doorstep, the
 *   odd angry message;
 * - unlucky honest buyers: a bad postal service (many parcels really lost or returned, the
 *   claims mostly won) or bad sellers (many defective items, mostly decided for the buyer);
 * - new honest accounts with one to five orders;
 * - benign sharing: households of two to five (same address, sometimes a family computer or
 *   card), parcel lockers and offices shared by hundreds; stock listing photos;
 * - abusers: "not received" on delivered parcels, fake defects with recycled photos, rings of
 *   new accounts passing photos and devices around, subtle ones with a moderately high
 *   dispute rate, and quiet ones with a moderate rate and exactly one sign of intent (one
 *   photo shared with another account, one link to another abuser, one off-platform request,
 *   one threat, or a couple of "not received" claims on delivered parcels);
 * - the draw's adversarial variant: abusers avoiding one signal (or each two of their own),
 *   honest buyers tripping one, or honest buyers writing angry messages twice as often.
 */
import type { HistoryRecordInput } from '../contract/history';
import { SeededRandom } from '../util/seeded-random';
import { LANGUAGES, drawParams, type FamilyParams, type Language } from './family';
import { NEUTRAL, OFF_PLATFORM, REPORTED, THREATS } from './messages';

export type BuyerKind =
  | 'honest'
  | 'household'
  | 'locker'
  | 'unlucky_lost'
  | 'bad_sellers'
  | 'new'
  | 'abuser_nrd'
  | 'abuser_fake_defect'
  | 'abuser_ring'
  | 'abuser_subtle'
  | 'abuser_quiet';

export const isAbuserKind = (k: BuyerKind): boolean => k.startsWith('abuser_');
/** Honest buyers the score must be especially fair to. */
export const isUnluckyOrNew = (k: BuyerKind): boolean => k === 'unlucky_lost' || k === 'bad_sellers' || k === 'new';

/** A sign of intent: what quiet abusers show once and honest buyers may trip by chance. */
export type Sign = 'photo' | 'link' | 'offPlatform' | 'threat' | 'nrd';
const SIGNS: Sign[] = ['photo', 'link', 'offPlatform', 'threat', 'nrd'];

export interface PopulationOptions {
  seed: number;
  buyers: number;
  /** Epoch ms of the last day of the history. Default 2026-03-01. */
  end?: number;
  /** Days of history. Default 730. */
  days?: number;
  /** Fixed parameters instead of the seed's own draw. */
  params?: FamilyParams;
}

export interface BuyerTruth {
  kind: BuyerKind;
  abuser: boolean;
  /** Epoch ms of the first dispute that is part of the abuse (abusers only). */
  firstAbuseAt: number | null;
  /** The one signal an honest buyer tripped by chance, or a quiet abuser showed. */
  sign: Sign | null;
  /** Signals this abuser never shows (the variant's, or two of their own in `avoid_two`). */
  avoids: Sign[];
}

export interface Population {
  records: HistoryRecordInput[];
  truth: Map<string, BuyerTruth>;
  mix: Record<BuyerKind, number>;
  params: FamilyParams;
}

// ---------------------------------------------------------------------------------------

class Rng extends SeededRandom {
  /** Log-normal around `median`. */
  lognormal(median: number, sigma: number): number {
    const u = Math.max(1e-12, this.next());
    const v = this.next();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  hex(digits: number): string {
    let s = '';
    while (s.length < digits) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, digits);
  }
  weighted<T extends string>(w: Record<T, number>): T {
    const keys = Object.keys(w) as T[];
    let x = this.next() * keys.reduce((s, k) => s + w[k], 0);
    for (const k of keys) if ((x -= w[k]) < 0) return k;
    return keys[keys.length - 1]!;
  }
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();

/** A near-duplicate of a perceptual hash: the same photo re-saved, resized or lightly cropped. */
function nearDuplicate(r: Rng, phash: string, maxBits: number): string {
  let hi = parseInt(phash.slice(0, 8), 16);
  let lo = parseInt(phash.slice(8), 16);
  const flips = r.int(0, maxBits);
  for (let i = 0; i < flips; i++) {
    const bit = r.int(0, 63);
    if (bit < 32) lo = (lo ^ (1 << bit)) >>> 0;
    else hi = (hi ^ (1 << (bit - 32))) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

interface Photo {
  sha256: string;
  phash: string;
}

const RECEIVED = ['not_as_described', 'defective', 'damaged', 'wrong_item', 'missing_parts', 'counterfeit', 'quantity_short'] as const;
const NOT_RECEIVED = [
  'not_received.in_transit',
  'not_received.no_tracking_info',
  'not_received.returned_to_sender',
  'not_received.customs',
  'not_received.wrong_address',
] as const;

interface BuyerPlan {
  id: string;
  kind: BuyerKind;
  createdAt: number;
  links: { device: string[]; address: string[]; payment: string[] };
  from: number;
  to: number;
  orders: number;
  language: Language;
  /** Photos this buyer's abusive (or tripped) disputes draw from: own, or shared with a ring or partner. */
  photos: Photo[];
  /** One sign shown exactly once (quiet abusers, honest buyers tripping one). */
  sign: Sign | null;
  /** Signs this abuser never shows (the draw's variant, or two of their own choosing). */
  avoid: Set<Sign>;
}

type Counts = Record<BuyerKind, number>;

function kindCounts(p: FamilyParams, N: number): Counts {
  const abusers = Math.round(p.abuserShare * N);
  const m = p.abuserMix;
  const total = m.nrd + m.fakeDefect + m.ring + m.subtle + m.quiet;
  const part = (x: number) => Math.round((abusers * x) / total);
  const c: Counts = {
    abuser_nrd: part(m.nrd),
    abuser_fake_defect: part(m.fakeDefect),
    abuser_ring: part(m.ring),
    abuser_subtle: part(m.subtle),
    abuser_quiet: part(m.quiet),
    unlucky_lost: Math.round(p.unluckyShare * N),
    bad_sellers: Math.round(p.badSellerShare * N),
    new: Math.round(p.newShare * N),
    household: Math.round(p.householdShare * N),
    locker: Math.round(p.lockerShare * N),
    honest: 0,
  };
  c.honest = Math.max(0, N - Object.values(c).reduce((a, b) => a + b, 0));
  return c;
}

export function generatePopulation(opts: PopulationOptions): Population {
  const params = opts.params ?? drawParams(opts.seed);
  const V = params.variant;
  const r = new Rng(opts.seed * 2654435761 + 12345);
  const end = opts.end ?? Date.parse('2026-03-01T00:00:00Z');
  const start = end - (opts.days ?? 730) * DAY;
  const N = Math.max(50, Math.floor(opts.buyers));
  const counts = kindCounts(params, N);

  const usedIds = new Set<string>();
  const newId = (prefix: string, digits: number) => {
    for (;;) {
      const id = `${prefix}${r.int(10 ** (digits - 1), 10 ** digits - 1)}`;
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const own = (p: string) => `${p}${r.hex(10)}`;
  const photo = (): Photo => ({ sha256: r.hex(64), phash: r.hex(16) });
  const sellers = Array.from({ length: Math.max(20, Math.floor(N / 25)) }, () => newId('S-', 5));
  const badSellers = sellers.slice(0, Math.max(3, Math.floor(sellers.length / 15)));
  const goodSellers = sellers.slice(badSellers.length);
  /** The few sellers rings place orders with when the draw has them target sellers. */
  const ringSellers = goodSellers.slice(0, Math.min(3, goodSellers.length - 1));
  /** Listing photos many buyers of the same product attach: stock images, not shared fakes. */
  const stock: Photo[] = Array.from({ length: 6 }, photo);
  const language = (): Language => r.weighted(params.languages);

  // Buyer kinds, shuffled so ids say nothing.
  const kinds: BuyerKind[] = [];
  for (const [k, n] of Object.entries(counts) as Array<[BuyerKind, number]>) for (let i = 0; i < n; i++) kinds.push(k);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }

  // Shared places: lockers and offices of hundreds (an office also shares its network's device id now and then).
  const lockerCount = Math.max(1, Math.round(counts.locker / ((params.lockerSize[0] + params.lockerSize[1]) / 2)));
  const lockers = Array.from({ length: lockerCount }, (_, i) => ({
    address: `ad-locker-${i + 1}`,
    device: i % 2 ? own('dv-office-') : null,
  }));

  const plans: BuyerPlan[] = [];
  const honestWindow = () => ({ createdAt: start - r.range(0, 3 * 365) * DAY, from: start, to: end });
  let ring: { left: number; device: string; payment: string; address: string; createdAt: number; to: number; photos: Photo[] } | null =
    null;
  let household: { left: number; plan: BuyerPlan } | null = null;

  for (const kind of kinds) {
    const id = newId('B-', 7);
    const links = { device: [own('dv-')], address: [own('ad-')], payment: [own('pm-')] };
    const avoid = new Set<Sign>(!isAbuserKind(kind) ? [] : V === 'avoid_two' ? twoOf(r, SIGNS) : SIGNS.filter((s) => avoids(V, s)));
    const base = { id, kind, links, language: language(), photos: [photo()], sign: null as Sign | null, avoid };
    let plan: BuyerPlan;
    switch (kind) {
      case 'abuser_ring': {
        if (!ring || ring.left === 0) {
          const createdAt = end - r.range(60, 540) * DAY;
          ring = {
            left: r.int(params.ringSize[0], params.ringSize[1]),
            device: own('dv-'),
            payment: own('pm-'),
            address: own('ad-'),
            createdAt,
            to: Math.min(end, createdAt + r.range(60, 200) * DAY),
            photos: Array.from({ length: r.int(1, 3) }, photo),
          };
        }
        ring.left--;
        if (!avoid.has('link')) {
          if (r.chance(0.7)) links.device = [ring.device, ...(r.chance(0.5) ? [own('dv-')] : [])];
          if (r.chance(0.5)) links.payment = [ring.payment];
          if (r.chance(0.3)) links.address = [ring.address];
        }
        const createdAt = ring.createdAt + r.range(0, 10) * DAY;
        plan = { ...base, createdAt, from: createdAt, to: ring.to, orders: r.int(3, 10), photos: ring.photos };
        break;
      }
      case 'abuser_nrd':
      case 'abuser_fake_defect':
      case 'abuser_subtle':
      case 'abuser_quiet': {
        const createdAt = start - r.range(-300, 700) * DAY;
        const from = Math.max(createdAt, start + r.range(0, 500) * DAY);
        // Some stopped long ago: their history decays but is still theirs.
        const to = r.chance(0.15) ? Math.min(end - 200 * DAY, from + r.range(90, 250) * DAY) : end;
        const lo = kind === 'abuser_subtle' || kind === 'abuser_quiet' ? 8 : 6;
        const hi = kind === 'abuser_subtle' || kind === 'abuser_quiet' ? 30 : 40;
        plan = { ...base, createdAt, from, to: Math.max(to, from + 60 * DAY), orders: r.int(lo, hi) };
        if (kind === 'abuser_quiet') plan.sign = r.pick(SIGNS.filter((s) => !avoid.has(s)));
        if (r.chance(0.1)) links.address = [r.pick(lockers).address];
        break;
      }
      case 'new': {
        const createdAt = end - r.range(5, 90) * DAY;
        plan = { ...base, createdAt, from: createdAt, to: end, orders: r.int(1, 5) };
        break;
      }
      case 'locker': {
        const place = r.pick(lockers);
        links.address = [place.address, ...(r.chance(0.5) ? [own('ad-')] : [])];
        if (place.device && r.chance(0.3)) links.device = [place.device];
        plan = { ...base, ...honestWindow(), orders: Math.max(1, Math.round(r.lognormal(10, 0.8))) };
        break;
      }
      default: {
        const unlucky = kind === 'unlucky_lost' || kind === 'bad_sellers';
        plan = { ...base, ...honestWindow(), orders: Math.max(1, Math.round(r.lognormal(unlucky ? 18 : 10, 0.9))) };
      }
    }
    if (V === 'avoid_rate' && isAbuserKind(kind)) plan.orders *= 2;
    plan.orders = Math.min(plan.orders, 200);
    // Households: two to five honest members sharing the address (sometimes a computer or a card).
    if (kind === 'household') {
      if (household && household.left > 0) {
        const head = household.plan.links;
        links.address = [...head.address];
        if (r.chance(0.3)) links.device = [...head.device];
        if (r.chance(0.1)) links.payment = [...head.payment];
        household.left--;
      } else household = { left: r.int(params.householdSize[0], params.householdSize[1]) - 1, plan };
    }
    if (!isAbuserKind(kind) && V === 'honest_trip' && r.chance(1 / 12)) plan.sign = r.pick(SIGNS);
    plans.push(plan);
  }

  // Signs that involve a second account: a photo shared with, or a device linking to, another one.
  const abusers = plans.filter((p) => isAbuserKind(p.kind));
  const honestOnes = plans.filter((p) => !isAbuserKind(p.kind));
  for (const p of plans) {
    if (p.sign === 'photo') {
      // Quiet abusers pass a photo to another abuser; an honest buyer's photo turns up in an unrelated honest account's dispute.
      const other = isAbuserKind(p.kind) ? r.pick(abusers) : r.pick(honestOnes);
      if (other !== p) other.photos = [...other.photos, p.photos[0]!];
    }
    if (p.sign === 'link') {
      // A quiet abuser's second account (or an honest buyer on an abuser's computer: an internet café, a lent phone).
      const other = r.pick(abusers);
      if (other !== p) p.links.device = [...p.links.device, other.links.device[0]!];
    }
  }
  // A fifth of solo abusers live with an honest partner.
  for (const p of abusers)
    if ((p.kind === 'abuser_nrd' || p.kind === 'abuser_fake_defect') && r.chance(0.2)) {
      const partner = honestOnes[r.int(0, honestOnes.length - 1)];
      if (partner && partner.kind === 'honest') partner.links.address = [...p.links.address];
    }

  // ---- events
  type Rec = { at: number; seq: number; rec: HistoryRecordInput };
  const out: Rec[] = [];
  const truth = new Map<string, BuyerTruth>();
  let seq = 0;
  let orderNo = 0;
  let disputeNo = 0;
  const push = (at: number, rec: HistoryRecordInput) => out.push({ at, seq: seq++, rec });
  for (const s of sellers)
    push(start - 1000 * DAY, { type: 'account', id: s, role: 'seller', createdAt: iso(start - 1000 * DAY), links: {} });

  for (const p of plans) {
    const abuser = isAbuserKind(p.kind);
    const t: BuyerTruth = { kind: p.kind, abuser, firstAbuseAt: null, sign: p.sign, avoids: [...p.avoid].sort() };
    truth.set(p.id, t);
    push(p.createdAt, { type: 'account', id: p.id, role: 'buyer', createdAt: iso(p.createdAt), links: p.links });
    const quiet = p.kind === 'abuser_quiet';
    const honestRate = Math.min(params.honestRateCap ?? 0.25, Math.max(0.002, r.lognormal(params.honestRate, params.honestSpread ?? 0.6)));
    const [aLo, aHi] = params.abuseRate;
    let abuseRate =
      p.kind === 'abuser_subtle' || quiet
        ? r.range(0.6 * aLo, aLo + 0.1)
        : p.kind === 'abuser_nrd'
          ? r.range(aLo, aHi)
          : r.range(aLo + 0.1, aHi);
    if (V === 'avoid_rate') abuseRate *= 0.5;
    const nrdChance = p.avoid.has('nrd')
      ? 0
      : quiet
        ? 0
        : ({ abuser_nrd: 0.85, abuser_ring: 0.6, abuser_subtle: 0.35, abuser_fake_defect: 0.1 }[p.kind as string] ?? 0);
    const reuseChance = p.avoid.has('photo') || quiet ? 0 : p.kind === 'abuser_ring' ? 0.7 : p.kind === 'abuser_subtle' ? 0.2 : 0.55;
    const threatChance = p.avoid.has('threat') || quiet ? 0 : params.threat;
    const offChance = p.avoid.has('offPlatform') || quiet ? 0 : p.kind === 'abuser_ring' ? 1.5 * params.offPlatform : params.offPlatform;
    const pDelivered = p.kind === 'unlucky_lost' ? r.range(...params.unluckyDelivered) : r.range(0.9, 0.97);
    const times = Array.from({ length: p.orders }, () =>
      r.range(Math.max(p.from, p.createdAt), Math.max(Math.max(p.from, p.createdAt) + DAY, p.to - 20 * DAY)),
    ).sort((a, b) => a - b);
    // The one-off sign lands on one order (a couple of orders for "not received" on delivered parcels).
    const signAt = new Set<number>();
    if (p.sign && p.sign !== 'link') {
      const first = r.int(0, Math.max(0, p.orders - 1));
      signAt.add(first);
      if (p.sign === 'nrd' && abuser && p.orders > 2) signAt.add((first + 1 + r.int(0, p.orders - 2)) % p.orders);
    }
    times.forEach((placedAt, index) => {
      const oid = `O-${++orderNo}`;
      const signed = signAt.has(index) ? p.sign : null;
      const delivered = signed === 'nrd' || r.chance(abuser ? 0.96 : pDelivered);
      const status = delivered ? 'delivered' : r.pick(['in_transit', 'no_info', 'returned_to_sender'] as const);
      // Buyers of bad sellers buy mostly from them; everyone else now and then. A ring may
      // target a few sellers of its own (their disputes then raise those sellers' rates).
      const targets = p.kind === 'abuser_ring' && ringSellers.length && r.chance(params.ringTargetsSellers);
      const seller = targets
        ? r.pick(ringSellers)
        : r.chance(p.kind === 'bad_sellers' ? 0.7 : params.badSellerReach)
          ? r.pick(badSellers)
          : r.pick(goodSellers);
      const badSeller = badSellers.includes(seller);
      push(placedAt, {
        type: 'order',
        id: oid,
        buyerId: p.id,
        sellerId: seller,
        placedAt: iso(placedAt),
        totalMinor: r.int(300, 40_000),
        currency: 'USD',
        delivery: { status, at: delivered ? iso(placedAt + r.range(8, 30) * DAY) : null },
      });

      // Does this order end in a dispute, and of what kind?
      let reason: string | null = null;
      let abusive = false;
      if (signed === 'nrd') {
        reason = r.pick(NOT_RECEIVED);
        abusive = abuser;
      } else if (!delivered) {
        if (r.chance(0.85)) reason = r.pick(NOT_RECEIVED);
      } else if (abuser && (signed || r.chance(abuseRate))) {
        abusive = true;
        reason = r.chance(nrdChance) ? r.pick(NOT_RECEIVED) : r.pick(RECEIVED);
      } else {
        const rate = badSeller ? r.range(...params.badSellerDisputeRate) : p.kind === 'new' ? (params.newRate ?? 0.06) : honestRate;
        if (signed || r.chance(rate)) reason = r.pick(RECEIVED);
        else if (r.chance(params.porchTheft ?? 0.004)) reason = r.pick(NOT_RECEIVED); // stolen from the doorstep
      }
      if (!reason) return;
      const notReceived = reason.startsWith('not_received');
      let openedAt = placedAt + (notReceived ? r.range(30, 60) : r.range(10, 35)) * DAY;
      if (openedAt > end) {
        if (!signed) return;
        openedAt = end - DAY; // the one sign must be in the history
      }
      if (abusive && t.firstAbuseAt === null) t.firstAbuseAt = openedAt;

      const evidence: Array<{ sha256: string; phash: string }> = [];
      const shared = p.photos[p.photos.length - 1]!;
      if (signed === 'photo') evidence.push({ ...shared });
      else if (abusive && r.chance(reuseChance)) {
        const b = r.pick(p.photos);
        evidence.push(r.chance(0.5) ? { ...b } : { sha256: r.hex(64), phash: nearDuplicate(r, b.phash, 3) });
      } else if (p.photos.length > 1 && !p.avoid.has('photo') && r.chance(abusive ? 0.5 : 0.3)) evidence.push({ ...shared }); // the partner's side of a passed photo
      const fresh = notReceived ? r.int(0, 1) : r.int(1, 3);
      for (let i = 0; i < fresh; i++) evidence.push(photo());
      if (!notReceived && r.chance(params.stockPhoto)) evidence.push({ ...r.pick(stock) });
      if (!abuser && !notReceived && r.chance(0.004)) evidence.push({ ...p.photos[0]! }); // re-attaching an old photo

      const lang = p.language;
      const messages: Array<{ by: 'buyer' | 'seller'; at: string; text: string }> = [
        { by: 'buyer', at: iso(openedAt), text: r.pick(NEUTRAL[lang]) },
      ];
      const pThreat =
        abuser && p.avoid.has('threat') ? 0 : abusive ? threatChance : badSeller ? params.badSellerThreat : params.honestThreat;
      const pOff = abuser && p.avoid.has('offPlatform') ? 0 : abusive ? offChance : params.honestOffPlatform;
      if (signed === 'threat' || (!quiet && r.chance(pThreat)))
        messages.push({ by: 'buyer', at: iso(openedAt + DAY), text: r.pick(THREATS[lang]) });
      if (signed === 'offPlatform' || (!quiet && r.chance(pOff)))
        messages.push({ by: 'buyer', at: iso(openedAt + 2 * DAY), text: r.pick(OFF_PLATFORM[lang]) });
      if (!abusive && r.chance(0.03)) messages.push({ by: 'buyer', at: iso(openedAt + 3 * DAY), text: r.pick(REPORTED[lang]) });
      if (r.chance(0.1))
        messages.push({ by: 'seller', at: iso(openedAt + DAY), text: 'We can pay you by PayPal if you close the dispute.' });

      const open = openedAt > end - 25 * DAY && r.chance(0.7);
      let outcome: string | null = null;
      if (!open) {
        const x = r.next();
        const win = abusive ? params.abuserWin : notReceived && !delivered ? 0.9 : badSeller ? params.badSellerWin : params.honestWin;
        outcome = x < win ? 'buyer_won' : x < win + (1 - win) / 2 ? 'split' : 'seller_won';
      }
      push(openedAt, {
        type: 'dispute',
        id: `D-${++disputeNo}`,
        orderId: oid,
        openedAt: iso(openedAt),
        reason: reason as never,
        claim: { remedy: 'refund_only', amountMinor: 100 },
        evidence,
        messages,
        outcome,
      });
    });
  }
  out.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const mix = Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / N])) as Record<BuyerKind, number>;
  return { records: out.map((o) => o.rec), truth, mix, params };
}

/** Two different elements of `xs`. */
function twoOf<T>(r: Rng, xs: readonly T[]): T[] {
  const i = r.int(0, xs.length - 1);
  const j = (i + r.int(1, xs.length - 1)) % xs.length;
  return [xs[i]!, xs[j]!];
}

/** Whether the draw's variant has abusers avoid this sign. */
function avoids(v: FamilyParams['variant'], s: Sign): boolean {
  return (
    (v === 'avoid_photos' && s === 'photo') ||
    (v === 'avoid_messages' && (s === 'threat' || s === 'offPlatform')) ||
    (v === 'avoid_nrd' && s === 'nrd') ||
    (v === 'avoid_links' && s === 'link')
  );
}

export { LANGUAGES };
