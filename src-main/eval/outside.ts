/**
 * An outside population for the fraud-pattern score, written apart from the evaluation family
 * (family.ts / population.ts) and without reading its parameter choices, so that a model tuned
 * on the family can be checked against behaviour it has never seen (issue 15: "an outside
 * population … 12,000 buyers: planted solo and ring abusers, unlucky honest buyers, new
 * accounts, households, a parcel locker shared by hundreds"). Deterministic from its seed.
 *
 * It is built the other way round from the family: a small world first (sellers with a quality
 * tier and a listing photo, postal regions with a loss rate, lockers and offices), then people
 * living in it, each a persona that decides per order what happens (the parcel is lost, the
 * item is faulty, the buyer is dishonest this time) from that world. Its own phrasings of
 * threats and off-platform requests, its own outcome words (`refunded`, `rejected`,
 * `partial_refund`), its own time span. Who is in it:
 * - ordinary buyers whose disputes follow their sellers' quality and their own fussiness, with
 *   the odd porch theft, the odd angry (not threatening) message, the odd report of a seller's
 *   off-platform offer, and now and then the seller's listing photo attached as evidence;
 * - unlucky buyers in a region whose post loses parcels (claims mostly refunded, some
 *   rejected by the platform when the carrier's scan says "in transit");
 * - bargain hunters who buy mostly from bad sellers;
 * - new accounts (one to four orders in the last three months);
 * - households (two to five people at one address, some sharing a computer or a card);
 * - parcel lockers used by hundreds and offices of dozens (one shared address);
 * - honest buyers who trip one sign by chance: one threat in anger, one request to be refunded
 *   by PayPal, a photo someone else also used, a second-hand phone an abuser used before, one
 *   "not received" on a parcel the carrier shows delivered;
 * - abusers: solo "not received" claimers, fake-defect claimers with a small stash of photos,
 *   rings of fresh accounts sharing devices, cards and photos, quiet ones (a moderate rate and
 *   one sign), and avoiders who leave out one signal at a time (no messages, fresh photos, clean
 *   devices, received-item reasons instead of "not received", or a low rate over many orders).
 */
import type { HistoryRecordInput } from '../contract/history';
import { SeededRandom } from '../util/seeded-random';
import type { BuyerKind, BuyerTruth, Sign } from './population';

/** Outside draws (never used for tuning or fitting). */
export const OUTSIDE_SEEDS = { from: 80_000, count: 5 } as const;
/** A second set of outside draws, held out like OUTSIDE_SEEDS (session 24: draws no earlier candidate was measured on). */
export const OUTSIDE_FRESH_SEEDS = { from: 81_000, count: 5 } as const;
/** A third set of outside draws (session 26), held out like the others: no model was measured on them before. */
export const OUTSIDE_FRESH2_SEEDS = { from: 82_000, count: 5 } as const;
/**
 * Other draws of the same population for diagnosis and for trying changes (`cli eval --set
 * outside-tuning`, `--explain`): what the published outside figures (OUTSIDE_SEEDS) must never be.
 */
export const OUTSIDE_TUNING_SEEDS = { from: 2_000, count: 20 } as const;

export interface OutsidePopulation {
  records: HistoryRecordInput[];
  truth: Map<string, BuyerTruth>;
  mix: Record<string, number>;
  label: string;
}

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const END = Date.UTC(2026, 5, 30);

class Dice extends SeededRandom {
  logn(median: number, spread: number): number {
    const u = Math.max(1e-12, this.next());
    return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next()));
  }
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.u32().toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  /** Index drawn with the given weights. */
  index(weights: number[]): number {
    let x = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) < 0) return i;
    return weights.length - 1;
  }
}

type Lang = 'en' | 'es' | 'pt' | 'ru' | 'fr' | 'pl';
const LANG_SHARE: Record<Lang, number> = { en: 0.55, es: 0.12, pt: 0.1, ru: 0.1, fr: 0.07, pl: 0.06 };

/** Written for this population, not copied from the family's message lists. */
const SAY: Record<'plain' | 'angry' | 'threat' | 'offPlatform' | 'reported', Record<Lang, string[]>> = {
  plain: {
    en: [
      'The item stopped working after two days of use.',
      'Tracking has not moved for three weeks, where is my parcel?',
      'The colour is not the one in the pictures.',
      'Box arrived crushed and the screen is cracked.',
      'Only 3 of the 5 pieces were in the package.',
      'I attached photos of the problem, please check.',
    ],
    es: ['El producto no funciona desde que llegó.', 'El paquete nunca llegó, el seguimiento está parado.', 'Faltan piezas en la caja.'],
    pt: ['O produto chegou quebrado.', 'A encomenda não chegou até hoje.', 'A cor é diferente do anúncio.'],
    ru: ['Товар не работает с первого дня.', 'Посылка так и не пришла, трек не обновляется.', 'Цвет не соответствует фото.'],
    fr: ["L'article ne fonctionne pas.", "Le colis n'est jamais arrivé.", 'Il manque des pièces dans le colis.'],
    pl: ['Produkt nie działa od początku.', 'Paczka nie dotarła, śledzenie stoi w miejscu.', 'Brakuje części w paczce.'],
  },
  angry: {
    en: [
      'This is the worst shopping experience I have ever had!!',
      'Very disappointed, I want my money back NOW.',
      'Unbelievable, third time this happens with your shop.',
    ],
    es: ['¡Es una vergüenza, quiero mi dinero ya!'],
    pt: ['Que absurdo, quero meu dinheiro de volta!'],
    ru: ['Это просто безобразие, верните деньги!'],
    fr: ["C'est inadmissible, je veux être remboursé !"],
    pl: ['To skandal, chcę zwrotu pieniędzy!'],
  },
  threat: {
    en: [
      'If I do not get a full refund I will leave a 1-star review and tell everyone about this shop.',
      "Refund me today or I'm posting a negative review on every site I can find.",
      'Unless this is solved by tomorrow, expect a very bad review from me.',
      'I will give your store a one star rating and report your shop if you keep ignoring me.',
    ],
    es: ['Si no me devuelven el dinero dejaré una reseña negativa en su tienda.', 'Voy a poner una mala calificación si no me responden.'],
    pt: ['Se não me reembolsarem vou deixar uma avaliação negativa.', 'Vou deixar uma estrela se não resolverem.'],
    ru: ['Если не вернёте деньги, оставлю плохой отзыв о магазине.', 'Поставлю одну звезду, если не решите вопрос.'],
    fr: ['Si vous ne me remboursez pas, je vais laisser un avis négatif.', 'Je mettrai une étoile si rien ne bouge.'],
    pl: ['Jeśli nie zwrócicie pieniędzy, wystawię negatywną opinię.', 'Wystawię jedną gwiazdkę, jeżeli nie oddacie pieniędzy.'],
  },
  offPlatform: {
    en: [
      "Just send the refund to my PayPal, it's faster than the platform.",
      'Pay me directly by Zelle and I will close the dispute.',
      "Let's sort this out outside the app, transfer it to my card.",
      'Send me the money via Wise and I will withdraw the claim.',
    ],
    es: ['Envíame el dinero por Bizum y cierro la disputa.', 'Págame fuera de la plataforma y lo dejamos así.'],
    pt: ['Me pague pelo Pix e eu fecho a disputa.', 'Pode me transferir fora da plataforma?'],
    ru: ['Переведите деньги на карту, и я закрою спор.', 'Давайте решим напрямую, без площадки.'],
    fr: ['Remboursez-moi par virement et je ferme le litige.', 'Payez-moi hors plateforme, ce sera plus simple.'],
    pl: ['Przelej mi pieniądze na BLIK i zamknę spór.', 'Zapłać mi poza platformą, będzie szybciej.'],
  },
  reported: {
    en: [
      'The seller asked me to pay outside the platform, I refused.',
      'The shop offered to refund me by PayPal if I close the dispute, is that allowed?',
    ],
    es: ['El vendedor me pidió pagar por fuera de la plataforma.'],
    pt: ['O vendedor pediu para eu pagar fora da plataforma.'],
    ru: ['Продавец предлагает вернуть деньги на карту, если я закрою спор.'],
    fr: ['Le vendeur me propose un virement hors plateforme.'],
    pl: ['Sprzedawca proponuje przelew poza platformą.'],
  },
};

const RECEIVED_REASONS = ['defective', 'not_as_described', 'damaged', 'wrong_item', 'missing_parts', 'quantity_short'] as const;
const LOST_REASON: Record<string, string> = {
  in_transit: 'not_received.in_transit',
  returned_to_sender: 'not_received.returned_to_sender',
  no_info: 'not_received.no_tracking_info',
};

interface Seller {
  id: string;
  problem: number;
  popularity: number;
  bad: boolean;
  listingPhoto: Photo;
}
interface Photo {
  sha256: string;
  phash: string;
}
interface Region {
  loss: number;
}

type Persona = 'ordinary' | 'unlucky' | 'bargain' | 'new' | 'household' | 'locker' | 'nrd' | 'defect' | 'ring' | 'quiet' | 'avoider';

interface Person {
  id: string;
  persona: Persona;
  kind: BuyerKind;
  abuser: boolean;
  createdAt: number;
  orders: number;
  region: number;
  fussy: number;
  lang: Lang;
  links: { device: string[]; address: string[]; payment: string[] };
  /** The one sign an honest buyer trips, or a quiet abuser shows. */
  sign: Sign | null;
  avoids: Sign[];
  /** Abusers: the share of orders abused, and how it is done. */
  abuseRate: number;
  style: 'nrd' | 'defect';
  stash: Photo[];
  threatens: number;
  asksOff: number;
  badSellerShare: number;
  firstAbuseAt: number | null;
}

const isoOf = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();

export function generateOutside(opts: { seed: number; buyers?: number }): OutsidePopulation {
  const d = new Dice(opts.seed * 7919 + 17);
  const N = opts.buyers ?? 12_000;
  const recs: Array<{ at: number; order: number; rec: HistoryRecordInput }> = [];
  let seq = 0;
  const emit = (at: number, rec: HistoryRecordInput) => recs.push({ at, order: seq++, rec });
  const photo = (): Photo => ({ sha256: d.hex(64), phash: d.hex(16) });
  /** The same picture re-saved: another file, a perceptual hash a bit or two away. */
  const resave = (p: Photo): Photo => {
    const bits = d.int(0, 2);
    let hi = parseInt(p.phash.slice(0, 8), 16);
    let lo = parseInt(p.phash.slice(8), 16);
    for (let i = 0; i < bits; i++) {
      const b = d.below(64);
      if (b < 32) lo ^= 1 << b;
      else hi ^= 1 << (b - 32);
    }
    return { sha256: d.hex(64), phash: (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0') };
  };

  // --- the world -----------------------------------------------------------------------
  const sellers: Seller[] = [];
  const nSellers = Math.max(60, Math.round(N / 15));
  for (let i = 0; i < nSellers; i++) {
    const tier = d.index([0.74, 0.19, 0.07]);
    const problem = tier === 0 ? d.range(0.01, 0.04) : tier === 1 ? d.range(0.05, 0.1) : d.range(0.16, 0.38);
    sellers.push({ id: `shop-${i}`, problem, popularity: 1 / (i + 3) ** 0.85, bad: tier === 2, listingPhoto: photo() });
  }
  // Shuffle popularity among tiers (a popular shop can be bad).
  for (let i = sellers.length - 1; i > 0; i--) {
    const j = d.below(i + 1);
    [sellers[i]!.popularity, sellers[j]!.popularity] = [sellers[j]!.popularity, sellers[i]!.popularity];
  }
  const popW = sellers.map((s) => s.popularity);
  const badIdx = sellers.map((s, i) => (s.bad ? i : -1)).filter((i) => i >= 0);
  const regions: Region[] = [];
  for (let i = 0; i < 10; i++) regions.push({ loss: i < 7 ? d.range(0.004, 0.02) : i < 9 ? d.range(0.03, 0.06) : d.range(0.1, 0.2) });
  const regionW = [12, 12, 10, 10, 8, 8, 6, 4, 3, 1.5];
  const poorPost = 9;

  // --- who lives in it ------------------------------------------------------------------
  const abuserShare = d.range(0.035, 0.06);
  const share: Record<Persona, number> = {
    ordinary: 0,
    unlucky: d.range(0.03, 0.06),
    bargain: d.range(0.02, 0.04),
    new: d.range(0.05, 0.09),
    household: d.range(0.05, 0.08),
    locker: 0,
    nrd: abuserShare * 0.22,
    defect: abuserShare * 0.18,
    ring: abuserShare * 0.27,
    quiet: abuserShare * 0.13,
    avoider: abuserShare * 0.2,
  };
  share.ordinary = 1 - Object.values(share).reduce((a, b) => a + b, 0);
  const people: Person[] = [];
  let pid = 0;
  const langs = Object.keys(LANG_SHARE) as Lang[];
  const person = (persona: Persona, kind: BuyerKind, abuser: boolean): Person => {
    const id = `u${opts.seed}-${pid++}`;
    const p: Person = {
      id,
      persona,
      kind,
      abuser,
      createdAt: d.range(START - 400 * DAY, END - 100 * DAY),
      orders: Math.max(1, Math.min(160, Math.round(d.logn(9, 0.85)))),
      region: d.index(regionW),
      fussy: Math.min(4, d.logn(1, 0.5)),
      lang: langs[d.index(langs.map((l) => LANG_SHARE[l]))]!,
      links: { device: [`dev-${id}`], address: [`addr-${id}`], payment: d.chance(0.7) ? [`card-${id}`] : [] },
      sign: null,
      avoids: [],
      abuseRate: 0,
      style: 'nrd',
      stash: [],
      threatens: 0,
      asksOff: 0,
      badSellerShare: 0.04,
      firstAbuseAt: null,
    };
    people.push(p);
    return p;
  };

  const counts = Object.fromEntries(Object.entries(share).map(([k, f]) => [k, Math.round(f * N)])) as Record<Persona, number>;
  // Places: lockers of hundreds and offices of dozens; their users are otherwise ordinary.
  const places: string[][] = [];
  const lockerUsers = Math.round(N * d.range(0.05, 0.08));
  let left = lockerUsers;
  while (left > 0) {
    const size = Math.min(left, places.length < 1 ? d.int(250, 600) : d.int(25, 90));
    places.push([]);
    left -= size;
    for (let i = 0; i < size; i++) places[places.length - 1]!.push(person('locker', 'locker', false).id);
  }
  counts.ordinary -= lockerUsers;
  const byId = new Map(people.map((p) => [p.id, p]));
  places.forEach((ids, i) => ids.forEach((id) => byId.get(id)!.links.address.push(`place-${opts.seed}-${i}`)));

  for (let i = 0; i < counts.ordinary; i++) person('ordinary', 'honest', false);
  for (let i = 0; i < counts.unlucky; i++) {
    const p = person('unlucky', 'unlucky_lost', false);
    p.region = poorPost;
    p.orders = Math.max(4, Math.round(d.logn(14, 0.6)));
  }
  for (let i = 0; i < counts.bargain; i++) {
    const p = person('bargain', 'bad_sellers', false);
    p.badSellerShare = d.range(0.5, 0.9);
    p.orders = Math.max(4, Math.round(d.logn(16, 0.6)));
  }
  for (let i = 0; i < counts.new; i++) {
    const p = person('new', 'new', false);
    p.createdAt = d.range(END - 90 * DAY, END - 5 * DAY);
    p.orders = d.int(1, 4);
  }
  for (let made = 0; made < counts.household;) {
    const size = Math.min(d.int(2, 5), counts.household - made);
    const addr = `home-${opts.seed}-${made}`;
    const pc = d.chance(0.35) ? `pc-${opts.seed}-${made}` : null;
    const card = d.chance(0.25) ? `famcard-${opts.seed}-${made}` : null;
    for (let i = 0; i < size; i++) {
      const p = person('household', 'household', false);
      p.links.address = [addr];
      if (pc) p.links.device.push(pc);
      if (card) p.links.payment.push(card);
    }
    made += size;
  }
  // Abusers.
  const abusers: Person[] = [];
  const makeAbuser = (persona: Persona, kind: BuyerKind): Person => {
    const p = person(persona, kind, true);
    p.abuseRate = d.range(0.25, 0.6);
    p.style = d.chance(0.55) ? 'nrd' : 'defect';
    p.threatens = d.chance(0.35) ? d.range(0.2, 0.6) : 0;
    p.asksOff = d.chance(0.2) ? d.range(0.2, 0.5) : 0;
    p.stash = Array.from({ length: d.int(1, 3) }, photo);
    abusers.push(p);
    return p;
  };
  for (let i = 0; i < counts.nrd; i++) makeAbuser('nrd', 'abuser_nrd').style = 'nrd';
  for (let i = 0; i < counts.defect; i++) makeAbuser('defect', 'abuser_fake_defect').style = 'defect';
  for (let made = 0; made < counts.ring;) {
    const size = Math.min(d.int(3, 10), counts.ring - made);
    const pool = Array.from({ length: d.int(2, 5) }, photo);
    const devices = Array.from({ length: Math.max(1, Math.round(size / 3)) }, (_, j) => `ringdev-${opts.seed}-${made}-${j}`);
    const cards = Array.from({ length: Math.max(1, Math.round(size / 4)) }, (_, j) => `ringcard-${opts.seed}-${made}-${j}`);
    const born = d.range(END - 300 * DAY, END - 60 * DAY);
    for (let i = 0; i < size; i++) {
      const p = makeAbuser('ring', 'abuser_ring');
      p.createdAt = born + d.range(0, 40) * DAY;
      p.orders = d.int(3, 9);
      p.abuseRate = d.range(0.35, 0.8);
      p.stash = [d.pick(pool), d.pick(pool)];
      p.links.device = [d.pick(devices), ...(d.chance(0.5) ? [`dev-${p.id}`] : [])];
      if (d.chance(0.6)) p.links.payment = [d.pick(cards)];
      if (d.chance(0.3)) p.links.address = [`ringaddr-${opts.seed}-${made}`];
    }
    made += size;
  }
  for (let i = 0; i < counts.quiet; i++) {
    const p = makeAbuser('quiet', 'abuser_quiet');
    p.abuseRate = d.range(0.08, 0.2);
    p.orders = Math.max(6, Math.round(d.logn(14, 0.5)));
    p.threatens = 0;
    p.asksOff = 0;
    p.sign = d.pick(['photo', 'link', 'offPlatform', 'threat', 'nrd'] as const);
    p.style = p.sign === 'nrd' ? 'nrd' : 'defect';
  }
  const AVOIDABLE: Sign[] = ['nrd', 'photo', 'threat', 'offPlatform', 'link'];
  for (let i = 0; i < counts.avoider; i++) {
    const p = makeAbuser('avoider', d.chance(0.5) ? 'abuser_nrd' : 'abuser_fake_defect');
    const avoid = AVOIDABLE[i % AVOIDABLE.length]!;
    p.avoids = avoid === 'threat' || avoid === 'offPlatform' ? ['threat', 'offPlatform'] : [avoid];
    if (avoid === 'nrd') p.style = 'defect';
    if (i % 7 === 6) {
      // Thin the rate instead: fewer abused orders over a longer history.
      p.abuseRate = d.range(0.1, 0.18);
      p.orders = Math.max(15, Math.round(d.logn(30, 0.4)));
      p.kind = 'abuser_subtle';
    }
  }
  // Link tricks: abusers sharing a device with one partner (unless avoiding links); households
  // hiding an abuser; lockers used by abusers too.
  const soloAbusers = abusers.filter((p) => p.persona !== 'ring' && !p.avoids.includes('link'));
  for (let i = 0; i + 1 < soloAbusers.length; i += 2) {
    if (!d.chance(0.3)) continue;
    const shared = `pairdev-${opts.seed}-${i}`;
    soloAbusers[i]!.links.device.push(shared);
    soloAbusers[i + 1]!.links.device.push(shared);
  }
  for (const p of abusers)
    if (p.persona !== 'ring' && d.chance(0.06) && places.length) p.links.address.push(`place-${opts.seed}-${d.below(places.length)}`);
  const quietLinkers = abusers.filter((p) => p.sign === 'link');
  for (const q of quietLinkers) {
    const partner = d.pick(abusers.filter((p) => p !== q && p.persona !== 'quiet'));
    const shared = `quietdev-${q.id}`;
    q.links.device.push(shared);
    partner.links.device.push(shared);
  }
  // Honest buyers who trip one sign by chance (any honest kind, the unlucky and new included).
  const honest = people.filter((p) => !p.abuser);
  const tripShare = d.range(0.03, 0.06);
  const signs: Sign[] = ['photo', 'link', 'offPlatform', 'threat', 'nrd'];
  for (const p of honest) if (d.chance(tripShare)) p.sign = d.pick(signs);
  // A second-hand phone: the tripped "link" is a device an abuser used.
  const linkable = abusers.filter((a) => !a.avoids.includes('link'));
  for (const p of honest) if (p.sign === 'link' && linkable.length) p.links.device.push(d.pick(linkable).links.device[0]!);
  // A shared photo by chance: two or three strangers post the same picture found online.
  const strayPhotos: Photo[] = Array.from({ length: 40 }, photo);

  const stashers = abusers.filter((a) => a.persona !== 'quiet' && a.style === 'defect' && !a.avoids.includes('photo'));
  if (!stashers.length) stashers.push(...abusers);

  // --- what happens ---------------------------------------------------------------------
  let orderSeq = 0;
  let disputeSeq = 0;
  for (const p of people) {
    emit(p.createdAt, {
      type: 'account',
      id: p.id,
      role: 'buyer',
      createdAt: isoOf(p.createdAt),
      links: {
        device: [...new Set(p.links.device)],
        address: [...new Set(p.links.address)],
        payment: [...new Set(p.links.payment)],
      },
    });
    const from = Math.max(p.createdAt, START);
    // Honest signs are tripped on one dispute (or one order for nrd); pick which later.
    let signPending = p.sign !== null && !p.abuser && p.sign !== 'link';
    const quietPending = p.abuser && p.sign !== null && p.sign !== 'link';
    let quietShown = false;
    const orderTimes = Array.from({ length: p.orders }, () => d.range(from, END - 3 * DAY)).sort((a, b) => a - b);
    // Abusers often start honest: the abuse begins part-way (rings from the start).
    const turnAt = p.abuser && p.persona !== 'ring' && d.chance(0.4) ? d.range(from, END - 90 * DAY) : -Infinity;
    orderTimes.forEach((placed, i) => {
      const oid = `o${opts.seed}-${orderSeq++}`;
      const sellerIdx = d.chance(p.badSellerShare) && badIdx.length ? d.pick(badIdx) : d.index(popW);
      const seller = sellers[sellerIdx]!;
      const lossRate = p.persona === 'unlucky' ? Math.max(regions[p.region]!.loss, d.range(0.12, 0.3)) : regions[p.region]!.loss;
      const lost = d.chance(lossRate);
      const status = lost ? d.pick(['in_transit', 'returned_to_sender', 'no_info', 'no_info'] as const) : 'delivered';
      const arrived = placed + d.range(6, 28) * DAY;
      emit(placed, {
        type: 'order',
        id: oid,
        buyerId: p.id,
        sellerId: seller.id,
        placedAt: isoOf(placed),
        totalMinor: Math.round(d.logn(2500, 0.8)),
        currency: 'EUR',
        delivery: { status, at: status === 'delivered' ? isoOf(Math.min(arrived, END - DAY)) : null },
      });

      const abusing = p.abuser && placed >= turnAt && d.chance(p.abuseRate);
      const lastOrder = i === orderTimes.length - 1;
      let reason: string | null = null;
      let outcomeWin = 0.6;
      let photos: Photo[] = [];
      const lines: string[] = [];
      const say = (what: keyof typeof SAY) => lines.push(d.pick(SAY[what][p.lang]));

      if (abusing) {
        const canNrd = status === 'delivered' && !p.avoids.includes('nrd');
        const wantsNrd = p.style === 'nrd' && (p.persona !== 'quiet' || (p.sign === 'nrd' && !quietShown));
        if (wantsNrd && canNrd) reason = d.pick(['not_received.no_tracking_info', 'not_received.wrong_address', 'not_received.in_transit']);
        else if (status !== 'delivered') reason = LOST_REASON[status]!;
        else reason = d.pick(RECEIVED_REASONS);
        if (!reason.startsWith('not_received')) {
          const reuse = !p.avoids.includes('photo') && (p.persona !== 'quiet' || (p.sign === 'photo' && !quietShown));
          photos = reuse ? [resave(d.pick(p.stash))] : [photo()];
          // A quiet abuser's one sign: once, a photo another abuser's stash holds (passed on between them).
          if (p.persona === 'quiet' && p.sign === 'photo' && reuse) photos = [resave(d.pick(d.pick(stashers).stash))];
        }
        say('plain');
        const mayTalk = !p.avoids.includes('threat');
        if (mayTalk && p.threatens && d.chance(p.threatens)) say('threat');
        if (mayTalk && p.asksOff && d.chance(p.asksOff)) say('offPlatform');
        if (quietPending && !quietShown && (p.sign === 'threat' || p.sign === 'offPlatform')) say(p.sign);
        if (quietPending && reason) quietShown = true;
        outcomeWin = 0.62;
      } else if (lost) {
        if (d.chance(0.9)) {
          reason = LOST_REASON[status]!;
          outcomeWin = status === 'in_transit' ? 0.6 : 0.88;
          say('plain');
        }
      } else if (d.chance(0.003) || (signPending && p.sign === 'nrd' && (lastOrder || d.chance(0.3)))) {
        // Porch theft or a neighbour took it: honest "not received" on a delivered parcel.
        reason = 'not_received.no_tracking_info';
        outcomeWin = 0.4;
        say('plain');
        if (p.sign === 'nrd' && signPending) signPending = false;
      } else if (d.chance(Math.min(0.9, seller.problem * p.fussy)) || (signPending && p.sign !== 'nrd' && lastOrder)) {
        reason = d.pick(RECEIVED_REASONS);
        outcomeWin = 0.72;
        photos = d.chance(0.04) ? [seller.listingPhoto] : Array.from({ length: d.int(1, 3) }, photo);
        say('plain');
      }
      if (!reason) return;
      // Honest messages: the odd angry line, the odd report of the seller's own offer; the tripped sign once.
      if (!p.abuser) {
        if (d.chance(0.05)) say('angry');
        if (d.chance(0.01)) say('reported');
        if (signPending && p.sign !== 'nrd' && (lastOrder || d.chance(0.5))) {
          signPending = false;
          if (p.sign === 'threat' || p.sign === 'offPlatform') say(p.sign);
          if (p.sign === 'photo') photos = [resave(d.pick(strayPhotos))];
        }
      }
      const opened = Math.round(
        lost || reason.startsWith('not_received') ? placed + d.range(30, 55) * DAY : arrived + d.range(1, 12) * DAY,
      );
      if (opened >= END) return;
      if (abusing && (p.firstAbuseAt === null || opened < p.firstAbuseAt)) p.firstAbuseAt = opened;
      const decided = opened + d.range(8, 30) * DAY < END;
      const won = d.chance(outcomeWin);
      const outcome = !decided ? null : won ? (d.chance(0.8) ? 'refunded' : 'partial_refund') : 'rejected';
      emit(opened, {
        type: 'dispute',
        id: `dp${opts.seed}-${disputeSeq++}`,
        orderId: oid,
        openedAt: isoOf(opened),
        reason: reason as never,
        claim: { remedy: 'refund_only', amountMinor: 1000 },
        evidence: photos.map((ph) => ({ sha256: ph.sha256, phash: ph.phash, party: 'buyer' as const })),
        messages: lines.map((text, j) => ({ by: 'buyer' as const, at: isoOf(opened + j * 3_600_000), text })),
        outcome,
      });
    });
  }

  recs.sort((a, b) => a.at - b.at || a.order - b.order);
  const truth = new Map<string, BuyerTruth>();
  for (const p of people)
    truth.set(p.id, {
      kind: p.kind,
      abuser: p.abuser,
      firstAbuseAt: p.abuser ? p.firstAbuseAt : null,
      sign: p.sign,
      avoids: p.avoids,
    });
  const mix: Record<string, number> = {};
  for (const p of people) mix[p.kind] = (mix[p.kind] ?? 0) + 1 / people.length;
  return { records: recs.map((r) => r.rec), truth, mix, label: `outside ${opts.seed}` };
}
