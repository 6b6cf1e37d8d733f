/**
 * Synthetic buyer populations in the `score` history format (SCENARIOS.md), with the truth
 * about every buyer, for measuring the fraud-pattern score. Deterministic: the output depends
 * only on the options (no clock, no Math.random).
 *
 * Who is in it (the mix itself is drawn from the seed, so every seed is a different mix):
 * - honest buyers with their own dispute habits (a few % of orders), some lost parcels, the
 *   odd parcel stolen from the doorstep, the odd angry message;
 * - unlucky honest buyers: a bad postal service (many parcels really lost) or bad sellers
 *   (many defective items, mostly decided for the buyer);
 * - new honest accounts with one to five orders;
 * - benign sharing: households (same address, sometimes a family computer or card) and parcel
 *   lockers (one address for dozens of strangers); stock listing photos many buyers attach;
 * - planted abusers: "not received" on delivered parcels, fake defects with recycled photos,
 *   rings of new accounts on one device and card passing a photo around, and subtle ones with
 *   only a moderately high dispute rate; abusers threaten bad reviews and ask to be paid off
 *   the platform more often, some have an honest household partner, some stopped a year ago.
 */
import type { HistoryRecordInput } from '../contract/history';
import { SeededRandom } from '../util/seeded-random';

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
  | 'abuser_subtle';

export const isAbuserKind = (k: BuyerKind): boolean => k.startsWith('abuser_');
/** Honest buyers the score must be especially fair to. */
export const isUnluckyOrNew = (k: BuyerKind): boolean => k === 'unlucky_lost' || k === 'bad_sellers' || k === 'new';

export interface PopulationOptions {
  seed: number;
  buyers: number;
  /** Epoch ms of the last day of the history. Default 2026-03-01. */
  end?: number;
  /** Days of history. Default 730. */
  days?: number;
}

export interface BuyerTruth {
  kind: BuyerKind;
  abuser: boolean;
  /** Epoch ms of the first dispute that is part of the abuse (abusers only). */
  firstAbuseAt: number | null;
}

export interface Population {
  records: HistoryRecordInput[];
  truth: Map<string, BuyerTruth>;
  mix: Record<BuyerKind, number>;
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

const NEUTRAL = [
  'The item does not work, please see the photos.',
  'The parcel has not arrived and the tracking has not moved for weeks.',
  'Товар пришёл с браком, прикладываю фото.',
  'El producto llegó roto, adjunto fotos.',
  'O produto chegou com defeito, seguem as fotos.',
  "L'article ne fonctionne pas, voir les photos.",
  'Produkt jest uszkodzony, załączam zdjęcia.',
  'Please refund, the size is completely different from the listing.',
  'I waited two months, the package never came.',
];
const THREATS = [
  'If you do not refund me today I will leave a 1-star review and report your store.',
  'Refund the full amount or I will write bad feedback on every product of your shop.',
  'Если не вернёте деньги, оставлю плохой отзыв.',
  'Si no me devuelven el dinero dejaré una reseña negativa.',
  'Se não devolver vou deixar uma avaliação negativa.',
  'Sinon je laisserai un avis négatif partout.',
  'Jeśli nie zwrócicie pieniędzy, wystawię negatywną opinię.',
];
const OFF_PLATFORM = [
  'Pay me by PayPal and I will close the dispute, it is faster for both of us.',
  'Переведите мне на карту, и я закрою спор.',
  'Págame por Bizum y cierro la disputa.',
  'Me pague por Pix e fecho a disputa.',
  'Virez-moi par PayPal et je ferme le litige.',
  'Przelej mi przez BLIK i zamknę spór.',
  'Send the money to my card directly, outside the platform.',
];
/** What honest buyers write when the seller tries it on: must not count against them. */
const REPORTED = [
  'The seller offered to pay me by PayPal if I close the dispute. I refused.',
  'Продавец предлагает перевести на карту, я отказался.',
];

interface BuyerPlan {
  id: string;
  kind: BuyerKind;
  createdAt: number;
  links: { device: string[]; address: string[]; payment: string[] };
  from: number;
  to: number;
  orders: number;
  ring?: number;
}

/** Mix fractions drawn per seed: populations differ in more than their random draws. */
function drawMix(r: Rng): Record<BuyerKind, number> {
  const abusers = r.range(0.025, 0.04);
  const mix: Record<BuyerKind, number> = {
    abuser_nrd: abusers * r.range(0.25, 0.4),
    abuser_fake_defect: abusers * r.range(0.2, 0.3),
    abuser_ring: abusers * r.range(0.2, 0.35),
    abuser_subtle: 0,
    unlucky_lost: r.range(0.03, 0.07),
    bad_sellers: r.range(0.03, 0.06),
    new: r.range(0.08, 0.15),
    household: r.range(0.06, 0.12),
    locker: r.range(0.04, 0.08),
    honest: 0,
  };
  mix.abuser_subtle = Math.max(0, abusers - mix.abuser_nrd - mix.abuser_fake_defect - mix.abuser_ring);
  mix.honest = 1 - Object.values(mix).reduce((a, b) => a + b, 0);
  return mix;
}

export function generatePopulation(opts: PopulationOptions): Population {
  const r = new Rng(opts.seed * 2654435761 + 12345);
  const end = opts.end ?? Date.parse('2026-03-01T00:00:00Z');
  const start = end - (opts.days ?? 730) * DAY;
  const N = Math.max(50, Math.floor(opts.buyers));
  const mix = drawMix(r);

  // Buyer kinds, in a shuffled order so ids say nothing.
  const kinds: BuyerKind[] = [];
  const order: BuyerKind[] = [
    'abuser_nrd',
    'abuser_fake_defect',
    'abuser_ring',
    'abuser_subtle',
    'unlucky_lost',
    'bad_sellers',
    'new',
    'household',
    'locker',
  ];
  for (const k of order) for (let i = 0; i < Math.round(mix[k] * N); i++) kinds.push(k);
  while (kinds.length < N) kinds.push('honest');
  kinds.length = N;
  // Households come in pairs.
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
  const sellers = Array.from({ length: Math.max(20, Math.floor(N / 25)) }, () => newId('S-', 5));
  const badSellers = sellers.slice(0, Math.max(3, Math.floor(sellers.length / 15)));
  const goodSellers = sellers.slice(badSellers.length);
  const lockers = Array.from({ length: Math.max(2, Math.floor(N / 400)) }, (_, i) => `ad-locker-${i + 1}`);
  /** Listing photos many buyers of the same product attach: stock images, not shared fakes. */
  const stock: Photo[] = Array.from({ length: 6 }, () => ({ sha256: r.hex(64), phash: r.hex(16) }));

  const plans: BuyerPlan[] = [];
  const truth = new Map<string, BuyerTruth>();
  const own = (p: string) => `${p}${r.hex(10)}`;

  const honestWindow = (): { createdAt: number; from: number; to: number } => {
    const createdAt = start - r.range(0, 3 * 365) * DAY;
    return { createdAt, from: start, to: end };
  };

  let ringNo = 0;
  let ringLeft = 0;
  let ringShared: { device: string; payment: string; address: string; createdAt: number; from: number; to: number } | null = null;
  let householdPartner: BuyerPlan | null = null;

  for (const kind of kinds) {
    const id = newId('B-', 7);
    let plan: BuyerPlan;
    const links = { device: [own('dv-')], address: [own('ad-')], payment: [own('pm-')] };
    switch (kind) {
      case 'abuser_ring': {
        if (ringLeft === 0) {
          ringNo++;
          ringLeft = r.int(3, 6);
          const createdAt = end - r.range(60, 540) * DAY;
          ringShared = {
            device: own('dv-'),
            payment: own('pm-'),
            address: own('ad-'),
            createdAt,
            from: createdAt,
            to: Math.min(end, createdAt + r.range(60, 200) * DAY),
          };
        }
        ringLeft--;
        const s = ringShared!;
        links.device = [s.device, ...(r.chance(0.5) ? [own('dv-')] : [])];
        links.payment = r.chance(0.7) ? [s.payment] : links.payment;
        if (r.chance(0.3)) links.address = [s.address];
        const createdAt = s.createdAt + r.range(0, 10) * DAY;
        plan = { id, kind, createdAt, links, from: createdAt, to: s.to, orders: r.int(3, 10), ring: ringNo };
        break;
      }
      case 'abuser_nrd':
      case 'abuser_fake_defect':
      case 'abuser_subtle': {
        const createdAt = start - r.range(-300, 700) * DAY;
        const from = Math.max(createdAt, start + r.range(0, 500) * DAY);
        // Some stopped long ago: their history decays but is still theirs.
        const to = r.chance(0.15) ? Math.min(end - 200 * DAY, from + r.range(90, 250) * DAY) : end;
        const lo = kind === 'abuser_subtle' ? 8 : 6;
        plan = {
          id,
          kind,
          createdAt,
          links,
          from,
          to: Math.max(to, from + 60 * DAY),
          orders: r.int(lo, kind === 'abuser_subtle' ? 30 : 40),
        };
        if (r.chance(0.1)) links.address = [r.pick(lockers)];
        break;
      }
      case 'new': {
        const createdAt = end - r.range(5, 90) * DAY;
        plan = { id, kind, createdAt, links, from: createdAt, to: end, orders: r.int(1, 5) };
        break;
      }
      case 'locker': {
        links.address = [r.pick(lockers), ...(r.chance(0.5) ? [own('ad-')] : [])];
        plan = { id, kind, ...honestWindow(), links, orders: Math.max(1, Math.round(r.lognormal(10, 0.8))) };
        break;
      }
      default:
        plan = {
          id,
          kind,
          ...honestWindow(),
          links,
          orders: Math.max(1, Math.round(r.lognormal(kind === 'unlucky_lost' || kind === 'bad_sellers' ? 16 : 10, 0.9))),
        };
    }
    plan.orders = Math.min(plan.orders, 200);
    // Households: an honest pair sharing the address (and sometimes a computer or a card);
    // a fifth of solo abusers live with an honest partner.
    if (kind === 'household') {
      if (householdPartner) {
        links.address = [...householdPartner.links.address];
        if (r.chance(0.3)) links.device = [...householdPartner.links.device];
        if (r.chance(0.1)) links.payment = [...householdPartner.links.payment];
        householdPartner = null;
      } else householdPartner = plan;
    }
    plans.push(plan);
    truth.set(id, { kind, abuser: isAbuserKind(kind), firstAbuseAt: null });
  }
  for (const p of plans)
    if ((p.kind === 'abuser_nrd' || p.kind === 'abuser_fake_defect') && r.chance(0.2)) {
      const partner = plans.find(
        (q) =>
          q.kind === 'honest' &&
          q.links.address.length === 1 &&
          q.links.address[0]!.startsWith('ad-') &&
          !q.links.address[0]!.startsWith('ad-locker') &&
          r.chance(0.02),
      );
      if (partner) partner.links.address = [...p.links.address];
    }

  // ---- events
  type Rec = { at: number; seq: number; rec: HistoryRecordInput };
  const out: Rec[] = [];
  let seq = 0;
  let orderNo = 0;
  let disputeNo = 0;
  const push = (at: number, rec: HistoryRecordInput) => out.push({ at, seq: seq++, rec });
  for (const s of sellers)
    push(start - 1000 * DAY, { type: 'account', id: s, role: 'seller', createdAt: iso(start - 1000 * DAY), links: {} });

  const ringPhotos = new Map<number, Photo[]>();
  for (const p of plans) {
    const t = truth.get(p.id)!;
    const abuser = t.abuser;
    push(p.createdAt, { type: 'account', id: p.id, role: 'buyer', createdAt: iso(p.createdAt), links: p.links });
    const basePhotos: Photo[] =
      p.kind === 'abuser_ring'
        ? (ringPhotos.get(p.ring!) ??
          ringPhotos
            .set(
              p.ring!,
              Array.from({ length: r.int(1, 2) }, () => ({ sha256: r.hex(64), phash: r.hex(16) })),
            )
            .get(p.ring!)!)
        : Array.from({ length: r.int(1, 2) }, () => ({ sha256: r.hex(64), phash: r.hex(16) }));
    const honestRate = Math.min(0.2, Math.max(0.002, r.lognormal(0.025, 0.6)));
    const abuseRate =
      p.kind === 'abuser_nrd'
        ? r.range(0.35, 0.8)
        : p.kind === 'abuser_fake_defect'
          ? r.range(0.45, 0.9)
          : p.kind === 'abuser_ring'
            ? r.range(0.45, 0.85)
            : r.range(0.2, 0.4);
    const pDelivered = p.kind === 'unlucky_lost' ? r.range(0.6, 0.78) : r.range(0.9, 0.97);
    const times = Array.from({ length: p.orders }, () =>
      r.range(Math.max(p.from, p.createdAt), Math.max(Math.max(p.from, p.createdAt) + DAY, p.to - 20 * DAY)),
    ).sort((a, b) => a - b);
    for (const placedAt of times) {
      const oid = `O-${++orderNo}`;
      const delivered = r.chance(abuser ? 0.96 : pDelivered);
      const status = delivered ? 'delivered' : r.pick(['in_transit', 'no_info', 'returned_to_sender'] as const);
      const seller = p.kind === 'bad_sellers' && r.chance(0.7) ? r.pick(badSellers) : r.pick(goodSellers);
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
      if (!delivered) {
        if (r.chance(0.85)) reason = r.pick(NOT_RECEIVED);
      } else if (abuser && r.chance(abuseRate)) {
        abusive = true;
        const nrd =
          p.kind === 'abuser_nrd'
            ? r.chance(0.85)
            : p.kind === 'abuser_ring'
              ? r.chance(0.6)
              : p.kind === 'abuser_subtle'
                ? r.chance(0.35)
                : r.chance(0.1);
        reason = nrd ? r.pick(NOT_RECEIVED) : r.pick(RECEIVED);
      } else {
        const rate = p.kind === 'bad_sellers' ? r.range(0.15, 0.3) : p.kind === 'new' ? 0.06 : honestRate;
        if (r.chance(rate)) reason = r.pick(RECEIVED);
        else if (r.chance(0.004)) reason = r.pick(NOT_RECEIVED); // stolen from the doorstep
      }
      if (!reason) continue;
      const notReceived = reason.startsWith('not_received');
      const openedAt = placedAt + (notReceived ? r.range(30, 60) : r.range(10, 35)) * DAY;
      if (openedAt > end) continue;
      if (abusive && t.firstAbuseAt === null) t.firstAbuseAt = openedAt;

      const evidence: Array<{ sha256: string; phash: string }> = [];
      const reuse =
        abusive &&
        (p.kind === 'abuser_ring'
          ? r.chance(0.7)
          : p.kind === 'abuser_subtle'
            ? r.chance(0.2)
            : notReceived
              ? r.chance(0.5)
              : r.chance(0.6));
      if (reuse) {
        const base = r.pick(basePhotos);
        evidence.push(r.chance(0.5) ? { ...base } : { sha256: r.hex(64), phash: nearDuplicate(r, base.phash, 3) });
      }
      const fresh = notReceived ? r.int(0, 1) : r.int(1, 3);
      for (let i = 0; i < fresh; i++) evidence.push({ sha256: r.hex(64), phash: r.hex(16) });
      if (!notReceived && r.chance(0.05)) evidence.push({ ...r.pick(stock) });
      if (!abuser && !notReceived && r.chance(0.004) && basePhotos.length) evidence.push({ ...basePhotos[0]! }); // an honest buyer re-attaching an old photo

      const messages: Array<{ by: 'buyer' | 'seller'; at: string; text: string }> = [
        { by: 'buyer', at: iso(openedAt), text: r.pick(NEUTRAL) },
      ];
      const pThreat = abusive ? 0.25 : p.kind === 'bad_sellers' ? 0.05 : 0.02;
      const pOff = abusive ? (p.kind === 'abuser_ring' ? 0.3 : 0.15) : 0.002;
      if (r.chance(pThreat)) messages.push({ by: 'buyer', at: iso(openedAt + DAY), text: r.pick(THREATS) });
      if (r.chance(pOff)) messages.push({ by: 'buyer', at: iso(openedAt + 2 * DAY), text: r.pick(OFF_PLATFORM) });
      if (!abusive && r.chance(0.03)) messages.push({ by: 'buyer', at: iso(openedAt + 3 * DAY), text: r.pick(REPORTED) });
      if (r.chance(0.1))
        messages.push({ by: 'seller', at: iso(openedAt + DAY), text: 'We can pay you by PayPal if you close the dispute.' });

      const open = openedAt > end - 25 * DAY && r.chance(0.7);
      let outcome: string | null = null;
      if (!open) {
        const x = r.next();
        if (abusive) outcome = x < 0.55 ? 'buyer_won' : x < 0.7 ? 'split' : 'seller_won';
        else if (notReceived && !delivered) outcome = x < 0.9 ? 'buyer_won' : 'seller_won';
        else if (p.kind === 'bad_sellers') outcome = x < 0.8 ? 'buyer_won' : x < 0.9 ? 'split' : 'seller_won';
        else outcome = x < 0.65 ? 'buyer_won' : x < 0.85 ? 'split' : 'seller_won';
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
    }
  }
  out.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return { records: out.map((o) => o.rec), truth, mix };
}
