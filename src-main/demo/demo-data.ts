/**
 * Demo data: a deterministic, streaming source of believable escalated disputes in the
 * intake format of SCENARIOS.md, for `serve --demo`, `bench` and screenshots.
 *
 * Pure: no clock (`now` is an input), no Math.random, no I/O. Every dispute is generated
 * from its own PRNG stream seeded by (seed, index), and every account from (seed, account
 * index), so nothing is stored per case or per account and memory stays flat however many
 * cases are asked for; the only precomputed state is a few numbers describing the mix (and
 * fixed-size formatting tables). Output depends only on (cases, seed, now): the pools scale
 * with `cases`, so the first 100 of a 1,000-case run are not the first 100 of a 100-case run.
 *
 * Scale: ordinary buyers ≈ cases/2 (about two disputes each, so honest accounts do not show
 * serial-disputer velocity), sellers ≈ cases/20, serial disputers ≈ cases/400 (min 3), one
 * fraud ring per 25,000 cases (min 1), all capped.
 *
 * What it plants for the product's features to find (DOMAIN.md):
 * - seller tricks: a proposal of amount 0 whose comment "agrees to a full refund", and
 *   proposals re-filed just before the buyer's 5-day response window runs out;
 * - serial-dispute buyers: a handful of accounts with many "not received" claims on parcels
 *   the carrier shows delivered, attaching the same photo (same sha256) again and again;
 * - fraud rings of 4-6 new accounts sharing a device and payment cards, reusing one photo;
 * - abusive messages: bad-review threats and requests to be paid off the platform;
 * - benign link sharing that must NOT look like a ring: two-person households sharing an
 *   address, and parcel lockers shared by many unrelated accounts.
 */
import type { DisputeInput } from '../contract/dispute';
import type { Reason } from '../contract/domain';
import { SeededRandom } from '../util/seeded-random';

// ---------------------------------------------------------------------------------------
// Public API

export interface DemoUser {
  id: string;
  name: string;
  role: 'mediator' | 'supervisor' | 'analyst';
  password: string;
}

/**
 * Sign-in identities for the demo database. Demo-only passwords, deliberately guessable:
 * "<id>-demo" (mira-demo, oleg-demo, …), listed in the README.
 * Two supervisors so that an appeal can always be reviewed by one who did not decide it.
 */
export const DEMO_USERS: DemoUser[] = [
  { id: 'mira', name: 'Mira Kovač', role: 'mediator', password: 'mira-demo' },
  { id: 'diego', name: 'Diego Fernandes', role: 'mediator', password: 'diego-demo' },
  { id: 'wei', name: 'Wei Lin', role: 'mediator', password: 'wei-demo' },
  // Mediators with a few days of history (demo/history.ts), for the supervisors' desk.
  { id: 'lena', name: 'Lena Hoffmann', role: 'mediator', password: 'lena-demo' },
  { id: 'tomas', name: 'Tomás Reyes', role: 'mediator', password: 'tomas-demo' },
  { id: 'priya', name: 'Priya Nair', role: 'mediator', password: 'priya-demo' },
  { id: 'oleg', name: 'Oleg Sokolov', role: 'supervisor', password: 'oleg-demo' },
  { id: 'amara', name: 'Amara Okafor', role: 'supervisor', password: 'amara-demo' },
  { id: 'hannah', name: 'Hannah Berg', role: 'analyst', password: 'hannah-demo' },
];

export interface DemoOptions {
  cases: number;
  /** Same seed, same cases and same `now` give byte-identical output. Default 1. */
  seed?: number;
  /** Epoch ms. Every instant generated is before it; escalations spread over the last ~10 days. */
  now: number;
}

type Buyer = DisputeInput['buyer'];
type Seller = DisputeInput['seller'];
type Proposal = NonNullable<DisputeInput['negotiation']>[number];
type Message = NonNullable<DisputeInput['messages']>[number];
type Evidence = NonNullable<DisputeInput['evidence']>[number];
type Status = DisputeInput['order']['tracking']['status'];

export function* generateDemoDisputes(opts: DemoOptions): Generator<DisputeInput> {
  const { cases, now } = opts;
  if (!Number.isSafeInteger(cases) || cases < 0) throw new RangeError(`cases must be a non-negative integer, got ${cases}`);
  if (!Number.isFinite(now)) throw new RangeError(`now must be epoch milliseconds, got ${now}`);
  const layout = planLayout(cases, (opts.seed ?? 1) >>> 0, now);
  for (let i = 0; i < cases; i++) yield makeDispute(layout, i);
}

// ---------------------------------------------------------------------------------------
// Randomness

/** mulberry32: tiny, fast, good enough for demo data, and identical on every platform. */
class Rng extends SeededRandom {
  weighted<T>(table: Weighted<T>): T {
    const x = this.next() * table.total;
    for (let k = 0; k < table.cum.length; k++) if (x < (table.cum[k] as number)) return table.items[k] as T;
    return table.items[table.items.length - 1] as T;
  }
  /** 64 lowercase hex digits: stands in for the sha256 of a file we never create. */
  sha256(): string {
    // Hex digits written into one reused byte buffer and decoded once: a flat 64-char string,
    // about twice as fast (stringify included) as concatenating pieces.
    for (let k = 0; k < 64; k += 8) {
      const x = this.u32();
      let b = (x >>> 24) * 2;
      SHA_BYTES[k] = HEX_BYTES[b] as number;
      SHA_BYTES[k + 1] = HEX_BYTES[b + 1] as number;
      b = ((x >>> 16) & 255) * 2;
      SHA_BYTES[k + 2] = HEX_BYTES[b] as number;
      SHA_BYTES[k + 3] = HEX_BYTES[b + 1] as number;
      b = ((x >>> 8) & 255) * 2;
      SHA_BYTES[k + 4] = HEX_BYTES[b] as number;
      SHA_BYTES[k + 5] = HEX_BYTES[b + 1] as number;
      b = (x & 255) * 2;
      SHA_BYTES[k + 6] = HEX_BYTES[b] as number;
      SHA_BYTES[k + 7] = HEX_BYTES[b + 1] as number;
    }
    return LATIN1.decode(SHA_BYTES);
  }
  digits(n: number): string {
    let s = '';
    for (let k = 0; k < n; k++) s += String(this.u32() % 10);
    return s;
  }
}

interface Weighted<T> {
  items: T[];
  cum: number[];
  total: number;
}
function weighted<T>(pairs: ReadonlyArray<readonly [T, number]>): Weighted<T> {
  const items: T[] = [];
  const cum: number[] = [];
  let total = 0;
  for (const [item, w] of pairs) {
    total += w;
    items.push(item);
    cum.push(total);
  }
  return { items, cum, total };
}

/** Mixes a seed, a stream tag and an index into an independent 32-bit stream seed. */
function hash32(a: number, b: number, c: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ b, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ c, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x165667b1);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A bijection on 32-bit integers (xor, odd multiply and xorshift are each invertible), so
 * link ids derived from distinct account indices can never collide by accident: any shared
 * device, address or payment id in the output is sharing we planted on purpose.
 */
function perm32(x: number, salt: number): number {
  x = (x ^ salt) >>> 0;
  x = Math.imul(x, 0x9e3779b1) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x85ebca77) >>> 0;
  x ^= x >>> 13;
  return x >>> 0;
}
// Table-driven formatting: toString(16).padStart and Date#toISOString dominated the profile
// of a million-case run.
const HEX4: string[] = Array.from({ length: 65536 }, (_, k) => k.toString(16).padStart(4, '0'));
const HEX_BYTES = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  const h = b.toString(16).padStart(2, '0');
  HEX_BYTES[2 * b] = h.charCodeAt(0);
  HEX_BYTES[2 * b + 1] = h.charCodeAt(1);
}
const SHA_BYTES = new Uint8Array(64);
const LATIN1 = new TextDecoder('latin1');
function hex8(x: number): string {
  return (HEX4[x >>> 16] as string) + (HEX4[x & 0xffff] as string);
}

// Stream tags: one independent family of streams per kind of thing generated.
const T_DISPUTE = 1;
const T_BUYER = 2;
const T_SELLER = 3;
const T_RING = 4;
const T_SERIAL = 5;
const T_HOUSEHOLD = 6;
const T_LAYOUT = 7;
const T_ORDERS = 8;
const SALT_DEVICE = 0x5bd1e995;
const SALT_ADDRESS = 0x1b873593;
const SALT_PAYMENT = 0xcc9e2d51;

// ---------------------------------------------------------------------------------------
// Time

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The seeds' marketplace escalates when a side stays silent for 5 days; stalling sellers re-file just before. */
const RESPONSE_WINDOW = 5 * DAY;
const ESCALATION_SPREAD = 10 * DAY;
const wholeSeconds = (ms: number): number => Math.floor(ms / SECOND) * SECOND;
const PAD2: string[] = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, k) => String(k).padStart(3, '0'));
/**
 * Same output as Date#toISOString (checked in the unit test), several times faster: string
 * building dominated the profile, so a whole-second instant (all we generate) is three table
 * pieces: the "YYYY-MM-DDT" of its day (cached in a fixed window of days), "HH:" and
 * "MM:SS.000Z".
 */
const DAY_CACHE_SIZE = 16_384; // ~45 years of days around the first one seen
const DAY_PREFIX: string[] = new Array<string>(DAY_CACHE_SIZE).fill('');
let dayBase = NaN;
const HH: string[] = PAD2.slice(0, 24).map((h) => `${h}:`);
const MMSS: string[] = Array.from({ length: 3600 }, (_, k) => `${PAD2[Math.floor(k / 60)]}:${PAD2[k % 60]}.000Z`);
function iso(ms: number): string {
  const days = Math.floor(ms / DAY);
  if (Number.isNaN(dayBase)) dayBase = days - DAY_CACHE_SIZE / 2;
  const slot = days - dayBase;
  let prefix = slot >= 0 && slot < DAY_CACHE_SIZE ? (DAY_PREFIX[slot] as string) : '';
  if (prefix === '') {
    prefix = new Date(days * DAY).toISOString().slice(0, 11);
    if (slot >= 0 && slot < DAY_CACHE_SIZE) DAY_PREFIX[slot] = prefix;
  }
  const rest = ms - days * DAY;
  const hh = Math.floor(rest / HOUR);
  const inHour = rest - hh * HOUR;
  if (inHour % SECOND === 0) return prefix + (HH[hh] as string) + (MMSS[inHour / SECOND] as string);
  const mi = Math.floor(inHour / 60_000);
  const ss = Math.floor((inHour - mi * 60_000) / SECOND);
  return prefix + HH[hh] + PAD2[mi] + ':' + PAD2[ss] + '.' + PAD3[inHour - mi * 60_000 - ss * SECOND] + 'Z';
}

// ---------------------------------------------------------------------------------------
// The mix: how many special accounts, and which account indices they occupy

interface Layout {
  seed: number;
  now: number;
  cases: number;
  nSerial: number;
  pSerial: number;
  ringStart: number[];
  ringSize: number[];
  pRing: number;
  firstOrdinary: number;
  nOrdinary: number;
  nAccounts: number;
  /** Buyer id numbers are an affine permutation of the account index, so special accounts do not sort first. */
  idMul: number;
  nSellers: number;
  nLockers: number;
}

const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x));

function planLayout(cases: number, seed: number, now: number): Layout {
  const r = new Rng(hash32(seed, T_LAYOUT, 0));
  // A handful of serial disputers at demo sizes, scaling up slowly for benchmarks; each gets ~a dozen cases.
  const nSerial = clamp(Math.round(cases / 400), 3, 2500);
  const perSerial = clamp(Math.round(cases / 150), 4, 12);
  const pSerial = Math.min(0.3, (nSerial * perSerial) / Math.max(cases, 1));
  const nRings = clamp(1 + Math.floor(cases / 25_000), 1, 40);
  const ringStart: number[] = [];
  const ringSize: number[] = [];
  let next = nSerial;
  for (let k = 0; k < nRings; k++) {
    ringStart.push(next);
    const size = r.int(4, 6);
    ringSize.push(size);
    next += size;
  }
  const perRingAccount = clamp(Math.round(cases / 300), 3, 8);
  const pRing = Math.min(0.15, ((next - nSerial) * perRingAccount) / Math.max(cases, 1));
  // About two disputes per ordinary buyer: fewer accounts would give honest buyers the
  // dispute velocity the fraud score is meant to spot in serial disputers.
  const nOrdinary = clamp(Math.round(cases / 2), 40, 500_000);
  const nAccounts = next + nOrdinary;
  let idMul = 1;
  for (const p of [1_000_003, 999_983, 15_485_863, 7919]) {
    if (nAccounts % p !== 0) {
      idMul = p;
      break;
    }
  }
  return {
    seed,
    now,
    cases,
    nSerial,
    pSerial,
    ringStart,
    ringSize,
    pRing,
    firstOrdinary: next,
    nOrdinary,
    nAccounts,
    idMul,
    nSellers: clamp(Math.round(cases / 20), 30, 20_000),
    nLockers: 1 + Math.floor(nOrdinary / 25_000),
  };
}

// ---------------------------------------------------------------------------------------
// Countries, names, currencies, carriers

interface Currency {
  code: string;
  perUsd: number;
  decimals: 0 | 2;
  /** Prices in these currencies are quoted in whole units (or tens), not cents. */
  stepMinor: number;
}
const CUR = {
  USD: { code: 'USD', perUsd: 1, decimals: 2, stepMinor: 1 },
  EUR: { code: 'EUR', perUsd: 0.92, decimals: 2, stepMinor: 1 },
  RUB: { code: 'RUB', perUsd: 92, decimals: 2, stepMinor: 100 },
  BRL: { code: 'BRL', perUsd: 5.1, decimals: 2, stepMinor: 1 },
  PLN: { code: 'PLN', perUsd: 4.0, decimals: 2, stepMinor: 1 },
  ILS: { code: 'ILS', perUsd: 3.7, decimals: 2, stepMinor: 1 },
  KZT: { code: 'KZT', perUsd: 470, decimals: 2, stepMinor: 100 },
  CLP: { code: 'CLP', perUsd: 940, decimals: 0, stepMinor: 10 },
  KRW: { code: 'KRW', perUsd: 1350, decimals: 0, stepMinor: 10 },
  JPY: { code: 'JPY', perUsd: 150, decimals: 0, stepMinor: 1 },
} satisfies Record<string, Currency>;

interface Country {
  code: string;
  currency: Currency;
  male: readonly string[];
  female: readonly string[];
  surnames: readonly string[];
  familyFirst?: boolean;
  /** Carriers that hand the parcel over on arrival; S10 ("RB123456785CN") numbers. */
  postal: readonly string[];
  locker?: string;
  /** How buyers there ask to be paid around the platform. */
  offPlatform: string;
}

const COUNTRIES: readonly Country[] = [
  {
    code: 'RU',
    currency: CUR.RUB,
    offPlatform: 'to my card by phone number or to Qiwi',
    locker: 'Pochtomat',
    male: ['Ivan', 'Dmitry', 'Sergey', 'Alexey', 'Andrey', 'Mikhail', 'Nikolai', 'Pavel', 'Artem', 'Maxim'],
    female: ['Anna', 'Elena', 'Olga', 'Natalia', 'Tatiana', 'Irina', 'Ekaterina', 'Svetlana', 'Yulia', 'Maria'],
    surnames: [
      'Ivanov',
      'Smirnov',
      'Kuznetsov',
      'Popov',
      'Sokolov',
      'Lebedev',
      'Kozlov',
      'Novikov',
      'Morozov',
      'Volkov',
      'Fedorov',
      'Orlov',
    ],
    postal: ['Russian Post', 'Boxberry', 'CDEK'],
  },
  {
    code: 'BR',
    currency: CUR.BRL,
    offPlatform: 'by Pix to my CPF',
    male: ['João', 'Pedro', 'Lucas', 'Gabriel', 'Rafael', 'Mateus', 'Gustavo', 'Felipe', 'Thiago', 'Bruno'],
    female: ['Ana', 'Maria', 'Juliana', 'Camila', 'Beatriz', 'Larissa', 'Fernanda', 'Letícia', 'Mariana', 'Gabriela'],
    surnames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima', 'Gomes', 'Costa', 'Ribeiro'],
    postal: ['Correios', 'Correios', 'Jadlog'],
  },
  {
    code: 'ES',
    currency: CUR.EUR,
    offPlatform: 'by PayPal or Bizum',
    locker: 'Citypaq',
    male: ['Javier', 'Carlos', 'Alejandro', 'Daniel', 'Pablo', 'Sergio', 'Manuel', 'David', 'Jorge', 'Álvaro'],
    female: ['Lucía', 'María', 'Carmen', 'Laura', 'Marta', 'Paula', 'Elena', 'Cristina', 'Sara', 'Raquel'],
    surnames: [
      'García',
      'Fernández',
      'González',
      'Rodríguez',
      'López',
      'Martínez',
      'Sánchez',
      'Pérez',
      'Gómez',
      'Martín',
      'Jiménez',
      'Ruiz',
    ],
    postal: ['Correos', 'Correos Express', 'SEUR'],
  },
  {
    code: 'FR',
    currency: CUR.EUR,
    offPlatform: 'by PayPal (friends and family)',
    male: ['Louis', 'Hugo', 'Thomas', 'Nicolas', 'Julien', 'Antoine', 'Mathieu', 'Pierre', 'Maxime', 'Lucas'],
    female: ['Camille', 'Léa', 'Manon', 'Chloé', 'Julie', 'Sophie', 'Émilie', 'Claire', 'Marion', 'Inès'],
    surnames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Lefèvre'],
    postal: ['La Poste Colissimo', 'Mondial Relay', 'Chronopost'],
  },
  {
    code: 'PL',
    currency: CUR.PLN,
    offPlatform: 'by BLIK or a bank transfer',
    locker: 'InPost Paczkomat',
    male: ['Jakub', 'Kacper', 'Piotr', 'Tomasz', 'Paweł', 'Michał', 'Krzysztof', 'Marcin', 'Łukasz', 'Mateusz'],
    female: ['Anna', 'Katarzyna', 'Magdalena', 'Agnieszka', 'Joanna', 'Aleksandra', 'Monika', 'Zuzanna', 'Karolina', 'Natalia'],
    surnames: [
      'Nowak',
      'Kowalski',
      'Wiśniewski',
      'Wójcik',
      'Kowalczyk',
      'Kamiński',
      'Lewandowski',
      'Zieliński',
      'Szymański',
      'Woźniak',
      'Dąbrowski',
      'Kozłowski',
    ],
    postal: ['Poczta Polska', 'InPost', 'DPD Polska'],
  },
  {
    code: 'US',
    currency: CUR.USD,
    offPlatform: 'through PayPal, Zelle or Cash App',
    male: ['James', 'Michael', 'Robert', 'John', 'David', 'William', 'Chris', 'Daniel', 'Matthew', 'Anthony', 'Kevin', 'Brian'],
    female: ['Jennifer', 'Jessica', 'Ashley', 'Emily', 'Sarah', 'Amanda', 'Megan', 'Lauren', 'Rachel', 'Nicole'],
    surnames: [
      'Smith',
      'Johnson',
      'Williams',
      'Brown',
      'Jones',
      'Miller',
      'Davis',
      'Garcia',
      'Wilson',
      'Anderson',
      'Taylor',
      'Moore',
      'Jackson',
    ],
    postal: ['USPS', 'USPS', 'UniUni'],
  },
  {
    code: 'DE',
    currency: CUR.EUR,
    offPlatform: 'by PayPal or SEPA transfer',
    locker: 'DHL Packstation',
    male: ['Lukas', 'Jonas', 'Felix', 'Maximilian', 'Leon', 'Tobias', 'Florian', 'Jan', 'Stefan', 'Markus'],
    female: ['Laura', 'Julia', 'Lena', 'Sarah', 'Katharina', 'Anna', 'Lisa', 'Sophie', 'Hannah', 'Johanna'],
    surnames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter'],
    postal: ['DHL Paket', 'Deutsche Post', 'Hermes'],
  },
  {
    code: 'UA',
    currency: CUR.USD,
    offPlatform: 'to my Monobank card',
    male: ['Oleksandr', 'Andriy', 'Serhiy', 'Volodymyr', 'Taras', 'Bohdan', 'Yuriy', 'Mykola', 'Dmytro', 'Ihor'],
    female: ['Olena', 'Iryna', 'Oksana', 'Nataliya', 'Yuliya', 'Kateryna', 'Svitlana', 'Halyna', 'Viktoriya', 'Tetiana'],
    surnames: [
      'Shevchenko',
      'Kovalenko',
      'Bondarenko',
      'Tkachenko',
      'Kravchenko',
      'Melnyk',
      'Boyko',
      'Lysenko',
      'Moroz',
      'Savchenko',
      'Rudenko',
      'Marchenko',
    ],
    postal: ['Nova Poshta', 'Ukrposhta', 'Meest'],
  },
  {
    code: 'IL',
    currency: CUR.ILS,
    offPlatform: 'by Bit or PayBox',
    male: ['Yossi', 'Avi', 'Daniel', 'Itai', 'Noam', 'Omer', 'Eitan', 'Amit', 'Moshe', 'Yonatan'],
    female: ['Noa', 'Tamar', 'Shira', 'Maya', 'Yael', 'Michal', 'Adi', 'Hila', 'Rivka', 'Liat'],
    surnames: ['Cohen', 'Levi', 'Mizrahi', 'Peretz', 'Biton', 'Dahan', 'Avraham', 'Friedman', 'Azoulay', 'Katz', 'Ben-David', 'Shapiro'],
    postal: ['Israel Post', 'Israel Post', 'HFD'],
  },
  {
    code: 'KZ',
    currency: CUR.KZT,
    offPlatform: 'by Kaspi transfer',
    locker: 'Kaspi Postomat',
    male: ['Nursultan', 'Arman', 'Yerlan', 'Daulet', 'Askar', 'Timur', 'Serik', 'Ruslan', 'Aidos', 'Bauyrzhan'],
    female: ['Aigerim', 'Dana', 'Aizhan', 'Madina', 'Saule', 'Gulnara', 'Dinara', 'Zhanar', 'Assel', 'Kamila'],
    surnames: ['Nurlanov', 'Zhakupov', 'Abenov', 'Omarov', 'Tulegenov', 'Ismailov', 'Bekov', 'Akhmetov', 'Sadykov', 'Kassymov'],
    postal: ['Kazpost', 'Kazpost', 'CDEK'],
  },
  {
    code: 'CL',
    currency: CUR.CLP,
    offPlatform: 'por transferencia to my CuentaRUT',
    male: ['Matías', 'Benjamín', 'Vicente', 'Sebastián', 'Joaquín', 'Diego', 'Cristóbal', 'Felipe', 'Tomás', 'Nicolás'],
    female: ['Catalina', 'Francisca', 'Javiera', 'Constanza', 'Valentina', 'Fernanda', 'Antonia', 'Camila', 'Josefa', 'Daniela'],
    surnames: [
      'González',
      'Muñoz',
      'Rojas',
      'Díaz',
      'Pérez',
      'Soto',
      'Contreras',
      'Silva',
      'Martínez',
      'Sepúlveda',
      'Morales',
      'Rodríguez',
    ],
    postal: ['Correos de Chile', 'Correos de Chile', 'Chilexpress'],
  },
  {
    code: 'KR',
    currency: CUR.KRW,
    offPlatform: 'by KakaoPay or bank transfer',
    familyFirst: true,
    male: ['Min-jun', 'Seo-jun', 'Do-yun', 'Ji-ho', 'Hyun-woo', 'Joon-young', 'Sung-min', 'Dong-hyun'],
    female: ['Seo-yeon', 'Ji-woo', 'Ha-eun', 'Su-bin', 'Min-seo', 'Ji-yeon', 'Eun-ji', 'Hye-jin'],
    surnames: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon', 'Jang', 'Lim'],
    postal: ['Korea Post', 'CJ Logistics', 'Hanjin'],
  },
  {
    code: 'JP',
    currency: CUR.JPY,
    offPlatform: 'by PayPay',
    male: ['Haruto', 'Ren', 'Sota', 'Yuto', 'Takumi', 'Kenta', 'Daiki', 'Shota'],
    female: ['Yui', 'Hina', 'Sakura', 'Aoi', 'Misaki', 'Yuna', 'Haruka', 'Mei'],
    surnames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato'],
    postal: ['Japan Post', 'Yamato Transport', 'Sagawa Express'],
  },
];
// Roughly the marketplace's dispute volume by buyer country.
const COUNTRY_WEIGHT: Record<string, number> = {
  RU: 22,
  BR: 12,
  ES: 10,
  US: 9,
  FR: 8,
  PL: 7,
  DE: 6,
  UA: 5,
  KR: 5,
  IL: 4,
  KZ: 4,
  CL: 4,
  JP: 2,
};
const COUNTRY_TABLE = weighted(COUNTRIES.map((c) => [c, COUNTRY_WEIGHT[c.code] ?? 1] as const));

function feminine(country: string, surname: string): string {
  if (country === 'RU' || country === 'KZ') {
    if (/(ov|ev|in)$/.test(surname)) return surname + 'a';
    return surname;
  }
  if (country === 'PL') return surname.replace(/ski$/, 'ska').replace(/cki$/, 'cka');
  return surname;
}

function personName(r: Rng, c: Country, surname: string, female: boolean): string {
  const first = r.pick(female ? c.female : c.male);
  const family = female ? feminine(c.code, surname) : surname;
  if (c.familyFirst) return `${family} ${first}`;
  // Spanish-speaking buyers often give both surnames.
  if ((c.code === 'ES' || c.code === 'CL') && r.chance(0.4)) return `${first} ${family} ${r.pick(c.surnames)}`;
  return `${first} ${family}`;
}

/** First-mile and cross-border carriers as AliExpress shows them; numbers in their usual shape. */
const CROSS_BORDER = [
  'Cainiao',
  'AliExpress Standard Shipping',
  'Cainiao Super Economy Global',
  'YunExpress',
  '4PX',
  'China Post Registered Air Mail',
] as const;

function trackingNumber(r: Rng, carrier: string): string {
  if (carrier === 'Cainiao' || carrier === 'AliExpress Standard Shipping' || carrier === 'Cainiao Super Economy Global')
    return `LP00${r.digits(12)}`;
  if (carrier === 'YunExpress') return `YT${r.digits(16)}`;
  if (carrier === '4PX') return `4PX3000${r.digits(9)}CN`;
  // UPU S10 with its real check digit, so the number looks right to anyone who knows the format.
  const body = r.digits(8);
  const w = [8, 6, 4, 2, 3, 5, 9, 7];
  let sum = 0;
  for (let k = 0; k < 8; k++) sum += Number(body[k]) * (w[k] as number);
  let check = 11 - (sum % 11);
  if (check === 10) check = 0;
  if (check === 11) check = 5;
  return `${r.pick(['RB', 'RS', 'LB', 'LP', 'UA', 'RF'])}${body}${check}CN`;
}

// ---------------------------------------------------------------------------------------
// Catalogue: what the stores sell and how it goes wrong

type Problem = 'defective' | 'not_as_described' | 'damaged' | 'wrong_item' | 'missing_parts' | 'counterfeit';
interface Item {
  title: string;
  short: string;
  /** Unit price range in US cents; converted to the buyer's currency. */
  usd: readonly [number, number];
  /** Sold in packs: typical quantity range. */
  multi?: readonly [number, number];
  variants?: readonly string[];
  /** What buyers write about this very item; the generic lines below cover the rest. */
  problems?: Partial<Record<Problem, readonly string[]>>;
}
interface Category {
  storeWords: readonly string[];
  items: readonly Item[];
}

/** Lines that fit any item ({item} is its short name), used when an item has no specific ones. */
const GENERIC_PROBLEMS: Record<Problem, readonly string[]> = {
  defective: [
    'The {item} does not work at all out of the box.',
    'The {item} stopped working after two days of normal use.',
    'The {item} works only now and then; the video shows it.',
  ],
  not_as_described: [
    'The {item} looks nothing like the photos in the listing: different colour and much cheaper materials.',
    'The {item} is much smaller than the listing says.',
    'The quality of the {item} is far below the description.',
  ],
  damaged: ['The box was crushed in transit and the {item} is broken.', 'The {item} arrived scratched and cracked.'],
  wrong_item: [
    'I received a different product, not the {item} I ordered.',
    'The colour and size of the {item} are not what I chose in the order.',
  ],
  missing_parts: [
    'Parts of the {item} shown in the listing are missing from the package.',
    'The accessories listed in the description of the {item} are not in the box.',
  ],
  counterfeit: ['The {item} is sold as original but it is a copy with a fake logo.'],
};

const CATEGORIES: readonly Category[] = [
  {
    storeWords: ['Mobile', 'Phone', 'Digital', 'Cellphone'],
    items: [
      {
        title: 'Xiaomi Redmi Note 13 Pro 5G Global Version 8GB 256GB Smartphone 200MP Camera 120Hz AMOLED',
        short: 'phone',
        usd: [21000, 29000],
        variants: ['Midnight Black', 'Ocean Teal', 'Aurora Purple'],
        problems: {
          defective: [
            'The phone does not switch on. I charged it overnight with two different chargers and the screen stays black.',
            'The phone restarts by itself every few minutes and gets very hot while charging.',
            'The touch screen does not react in the lower third.',
            'No network: the phone does not see any SIM card, I tried cards from two operators.',
          ],
          not_as_described: [
            'The listing says 8GB RAM / 256GB storage, the phone shows 4GB / 64GB in Settings and in AIDA64.',
            'Described as Global Version with Google Play, I received a China ROM without Google services.',
            'The camera is advertised as 200MP but the photos are 12MP, the app just upscales them.',
          ],
          damaged: [
            'The box was crushed and the screen is cracked in the corner.',
            'Deep scratches on the back and the camera glass is broken.',
          ],
          wrong_item: [
            'I ordered the 8GB/256GB phone in black and received the 4GB/128GB version in purple.',
            'I ordered a phone; the parcel contained a cheap phone case.',
          ],
          missing_parts: ['No charger and no cable in the box although the listing shows them included.'],
          counterfeit: [
            'The IMEI is not valid on the manufacturer site and Settings show a different model number.',
            'This is a replica: the logo is a sticker and the system is a skin over an old Android.',
          ],
        },
      },
      {
        title: 'POCO X6 Pro 5G Global Version 12GB 512GB Dimensity 8300-Ultra 67W Turbo Charging',
        short: 'phone',
        usd: [26000, 33000],
        variants: ['Black', 'Grey', 'Yellow'],
        problems: {
          defective: [
            'The phone charges at 5W instead of 67W with the original charger and the battery drains overnight.',
            'The earpiece is silent during calls; the loudspeaker works.',
          ],
          not_as_described: ['The box says 8GB / 256GB, not the 12GB / 512GB I paid for.'],
          missing_parts: ['The 67W charger is missing from the box.'],
          counterfeit: ['The phone fails the official IMEI check; it is a refurbished unit in a new box.'],
        },
      },
      { title: 'Realme C67 Global Version 6GB 128GB Snapdragon 685 108MP Camera 33W SUPERVOOC', short: 'phone', usd: [13000, 17000] },
      {
        title: 'Tempered Glass Screen Protector for iPhone 15 14 13 Pro Max Full Cover 9H Anti-Scratch',
        short: 'screen protectors',
        usd: [120, 350],
        multi: [2, 10],
        problems: {
          not_as_described: [
            'The screen protectors do not cover the whole screen and leave a 2 mm gap at the edges; they are for a different model.',
          ],
          damaged: ['All the screen protectors arrived cracked in a bent envelope.'],
        },
      },
      {
        title: 'Shockproof Silicone Phone Case for Samsung Galaxy S24 Ultra A54 A34 Soft Matte Cover',
        short: 'phone cases',
        usd: [150, 450],
        multi: [2, 6],
        variants: ['Black', 'Navy', 'Pink', 'Clear'],
      },
    ],
  },
  {
    storeWords: ['Audio', 'Sound', 'Acoustic', 'Music'],
    items: [
      {
        title: 'TWS Bluetooth 5.3 Earphones Wireless Headphones ENC Noise Cancelling Earbuds with Mic LED Display',
        short: 'earphones',
        usd: [900, 2200],
        variants: ['White', 'Black'],
        problems: {
          defective: [
            'The left earbud does not charge in the case and is not detected by the phone.',
            'The earphones connect, but the sound cuts out every few seconds.',
            'The earphones do not switch on at all, the case LED shows 0%.',
          ],
          not_as_described: [
            'There is no noise cancelling at all despite the listing, and the battery lasts about 1 hour.',
            'The listing says Bluetooth 5.3, the earphones report Bluetooth 4.2.',
          ],
          missing_parts: ['The charging case is missing, only the two earbuds were in the box.'],
        },
      },
      {
        title: 'Lenovo LP40 Pro TWS Earbuds Bluetooth 5.1 Sports Wireless Headset Low Latency',
        short: 'earbuds',
        usd: [500, 1200],
        problems: {
          defective: ['Loud crackling in the right earbud at any volume.'],
          counterfeit: ['These earbuds are a copy: the serial number is not recognised by Lenovo and the pairing name is wrong.'],
        },
      },
      {
        title: 'Over-Ear Wireless Headphones Active Noise Cancelling 60H Playtime Foldable Headset',
        short: 'headphones',
        usd: [2500, 5500],
        problems: {
          not_as_described: ['The "60H battery" lasts about 6 hours and the noise cancelling changes nothing.'],
          damaged: ['The headphones arrived with a snapped headband.'],
        },
      },
      {
        title: 'Portable Bluetooth Speaker IPX7 Waterproof 40W Bass Boost Outdoor Speaker',
        short: 'speaker',
        usd: [1800, 4200],
        problems: { defective: ['The speaker stopped working after a few drops of rain although it is sold as IPX7.'] },
      },
      { title: 'Replacement Memory Foam Ear Tips for AirPods Pro 2 S/M/L', short: 'ear tips', usd: [150, 400], multi: [3, 10] },
    ],
  },
  {
    storeWords: ['Power', 'Charger', 'Cable', 'Energy'],
    items: [
      {
        title: '65W GaN USB C Charger Fast Charging PD 3.0 QC 4.0 3-Port Wall Charger for Laptop iPhone Samsung',
        short: 'charger',
        usd: [1100, 2400],
        variants: ['EU Plug', 'US Plug', 'UK Plug'],
        problems: {
          defective: [
            'The charger stops after 5 minutes and gets too hot to touch.',
            'The charger buzzes and the phone shows "slow charging".',
          ],
          not_as_described: ['Listed as 65W, a USB tester shows 18W at most.'],
          wrong_item: ['I ordered the EU plug and received a US plug.'],
          counterfeit: ['The charger has certification marks on the label but inside is a cheap 5W circuit.'],
        },
      },
      {
        title: 'USB C to USB C Cable 100W 5A Fast Charging Braided Cord 1m 2m',
        short: 'cables',
        usd: [150, 500],
        multi: [2, 5],
        problems: {
          not_as_described: ['The cables are listed as 2 m braided; I received 1 m plain plastic ones that charge at 10W.'],
          wrong_item: ['I ordered USB-C to USB-C and received USB-A to Micro USB.'],
        },
      },
      {
        title: '20000mAh Power Bank 22.5W Fast Charging Portable External Battery with LED Display',
        short: 'power bank',
        usd: [1500, 3200],
        problems: {
          not_as_described: ['The power bank is advertised as 20000mAh but weighs 180 g and charges my phone only once.'],
          defective: ['The power bank does not charge anything, the display shows 100% and then switches off.'],
        },
      },
      {
        title: 'Magnetic Wireless Charger 15W Qi Fast Charging Pad for iPhone 15 14 13',
        short: 'wireless charger',
        usd: [600, 1500],
        problems: { missing_parts: ['The USB-C cable shown in the listing is not in the box.'] },
      },
    ],
  },
  {
    storeWords: ['Fashion', 'Lady', 'Boutique', 'Apparel'],
    items: [
      {
        title: "Women's Chiffon Blouse Long Sleeve V-Neck Elegant Office Shirt Casual Loose Top",
        short: 'blouse',
        usd: [900, 1900],
        variants: ['White, M', 'Beige, L', 'Black, S', 'Pink, XL'],
        problems: {
          not_as_described: [
            'Size M per the size chart is 96 cm bust, the blouse I received measures 82 cm.',
            'The blouse is described as chiffon; it is thin see-through polyester and the colour is nothing like the photos.',
          ],
          damaged: ['The blouse arrived with a hole near the collar and stains on the front.'],
          wrong_item: ['I ordered size L in beige and received size S in black.'],
        },
      },
      {
        title: 'Summer Floral Print Midi Dress Women Short Sleeve A-Line Boho Beach Dress',
        short: 'dress',
        usd: [1200, 2600],
        variants: ['Blue, M', 'Yellow, L', 'Red, S'],
        problems: {
          not_as_described: ['The dress smells strongly of chemicals and the print is blurry, nothing like the pictures.'],
          defective: ['The zipper of the dress broke the first time I used it.'],
          missing_parts: ['The belt shown in the listing is missing.'],
        },
      },
      {
        title: "Women's Oversized Knitted Cardigan Sweater Autumn Winter V-Neck Button Coat",
        short: 'cardigan',
        usd: [1500, 3200],
        variants: ['Khaki, One Size', 'Grey, One Size'],
        problems: { defective: ['The seams of the cardigan came apart after one wash.'] },
      },
      {
        title: 'Seamless High Waist Leggings Women Push Up Gym Sport Tights',
        short: 'leggings',
        usd: [500, 1200],
        multi: [2, 4],
        problems: { not_as_described: ['The leggings are see-through when stretched, not the thick fabric shown in the video.'] },
      },
      { title: 'Cotton Ankle Socks Women 10 Pairs Solid Color Breathable', short: 'socks', usd: [300, 800], multi: [2, 6] },
    ],
  },
  {
    storeWords: ['Tools', 'Hardware', 'Industrial', 'DIY'],
    items: [
      {
        title: 'Cordless Drill 21V Brushless Electric Screwdriver with 2 Batteries 45Nm Torque Power Tools',
        short: 'drill',
        usd: [2800, 5500],
        variants: ['EU Plug', 'US Plug'],
        problems: {
          defective: [
            'The drill works for a few seconds and stops under any load.',
            'The batteries do not hold a charge, the charger LED blinks red.',
          ],
          not_as_described: [
            'The listing says brushless motor and 45Nm; the drill has a brushed motor and cannot drive a 5 cm screw.',
            'Listed with 2 batteries and a case, the drill came in a plain box with 1 battery.',
          ],
          wrong_item: ['I ordered the 21V version and received a 12V one.'],
          missing_parts: ['The charger is missing, I cannot use the drill at all.'],
        },
      },
      {
        title: 'Digital Multimeter Auto Range True RMS 6000 Counts AC DC Voltage Tester',
        short: 'multimeter',
        usd: [900, 2200],
        problems: {
          defective: ['The multimeter shows random values: 230 V mains reads 12 V.'],
          damaged: ['The display of the multimeter was broken on arrival.'],
        },
      },
      {
        title: 'Precision Screwdriver Set 115 in 1 Magnetic Bits Phone Repair Kit',
        short: 'screwdriver set',
        usd: [700, 1600],
        problems: {
          wrong_item: ['I ordered the 115-piece set and received a 25-piece set.'],
          missing_parts: ['Half of the bits are missing from the case.'],
        },
      },
      {
        title: 'Soldering Iron Kit 80W LCD Digital Adjustable Temperature 220V',
        short: 'soldering iron',
        usd: [1000, 2400],
        problems: { defective: ['The soldering iron never goes above 200 °C whatever the display says.'] },
      },
      {
        title: 'HSS Titanium Coated Drill Bit Set 1-13mm',
        short: 'drill bits',
        usd: [300, 900],
        multi: [2, 5],
        problems: { not_as_described: ['The drill bits are soft steel with paint, they went blunt on the first hole in pine.'] },
      },
    ],
  },
  {
    storeWords: ['Toys', 'Kids', 'Hobby', 'Baby'],
    items: [
      {
        title: 'RC Car 1:16 4WD 2.4G Remote Control Off-Road Truck 50km/h High Speed for Kids',
        short: 'RC car',
        usd: [2000, 4500],
        variants: ['Red', 'Blue'],
        problems: {
          defective: [
            'The remote control does not pair with the car, the light keeps blinking.',
            'The battery of the car does not charge, it runs for one minute.',
          ],
          missing_parts: ['The remote control and the charging cable are missing.'],
        },
      },
      {
        title: 'Building Blocks City Police Station Set 1280 Pcs Compatible Bricks Toys',
        short: 'building set',
        usd: [1800, 3800],
        problems: {
          missing_parts: ['Bag number 4 is missing, the build cannot be finished.'],
          wrong_item: ['I ordered the police station set and received a small car set.'],
        },
      },
      {
        title: 'Plush Toy Cute Cat Pillow 50cm Stuffed Animal Soft Doll Gift',
        short: 'plush toy',
        usd: [600, 1500],
        multi: [2, 3],
        problems: { not_as_described: ['The plush toy is about 25 cm, half the size in the listing.'] },
      },
      {
        title: 'Mini Drone with 4K Dual Camera WiFi FPV Foldable Quadcopter',
        short: 'drone',
        usd: [2500, 5000],
        problems: {
          not_as_described: ['The listing says 4K camera, the video is 640x480.'],
          defective: ['The camera of the drone shows no image in the app.'],
          damaged: ['The drone arrived with a broken propeller arm and a cracked body.'],
        },
      },
      { title: 'Fidget Pop It Toys Sensory Set for Kids and Adults', short: 'fidget toys', usd: [150, 500], multi: [3, 10] },
    ],
  },
  {
    storeWords: ['Home', 'Kitchen', 'Living', 'Houseware'],
    items: [
      {
        title: 'Smart LED Strip Lights 10m RGB Bluetooth App Control Music Sync',
        short: 'LED strip',
        usd: [700, 1800],
        multi: [2, 4],
        problems: {
          defective: ['Half of the LED strip does not light up.'],
          wrong_item: ['I ordered the 10 m LED strip and received a 2 m one.'],
          missing_parts: ['The remote and the power adapter are missing.'],
        },
      },
      { title: 'Electric Milk Frother Handheld Rechargeable Coffee Foamer', short: 'milk frother', usd: [400, 1000] },
      {
        title: 'Robot Vacuum Cleaner 4000Pa Strong Suction Smart Mapping App Control',
        short: 'robot vacuum',
        usd: [9000, 16000],
        problems: {
          defective: ['The robot vacuum does not connect to the app, the Wi-Fi light never stops blinking.'],
          not_as_described: ['The robot vacuum has a fraction of the suction the listing promises and no mapping at all.'],
          missing_parts: ['The charging dock is not in the box.'],
        },
      },
      {
        title: 'Stainless Steel Kitchen Knife Set 6 Pcs Damascus Pattern Chef Knife',
        short: 'knife set',
        usd: [1500, 3800],
        problems: {
          not_as_described: ['The "Damascus" pattern is printed on and wipes off with a sponge.'],
          damaged: ['The box was soaked and the knives are rusty.'],
        },
      },
      { title: 'Silicone Food Storage Bags Reusable Leakproof', short: 'storage bags', usd: [300, 800], multi: [2, 6] },
    ],
  },
  {
    storeWords: ['Watch', 'Wearable', 'Time', 'Sport Watch'],
    items: [
      {
        title: 'Smart Watch Men 1.96" AMOLED Bluetooth Call Heart Rate Blood Oxygen IP68 Waterproof',
        short: 'smartwatch',
        usd: [1800, 4200],
        variants: ['Black', 'Silver'],
        problems: {
          defective: [
            'The smartwatch does not pair with the phone and the heart-rate sensor never lights up.',
            'The screen flickers and the battery drains in 4 hours.',
          ],
          not_as_described: ['The listing says AMOLED and Bluetooth calls; the smartwatch has an LCD and no speaker.'],
        },
      },
      {
        title: 'Xiaomi Smart Band 8 Global Version Fitness Tracker AMOLED 16 Days Battery',
        short: 'fitness band',
        usd: [2500, 3800],
        problems: { counterfeit: ['This band is a fake: the box and the serial are not genuine and Mi Fitness refuses it.'] },
      },
      {
        title: 'Mechanical Automatic Watch Men Sapphire Stainless Steel 100M Waterproof',
        short: 'watch',
        usd: [6000, 15000],
        problems: {
          defective: ['The watch stops at night; it loses 20 minutes a day.'],
          not_as_described: [
            'The watch is described as sapphire and 100M waterproof; the glass scratches and it fogged after washing hands.',
          ],
          damaged: ['The glass of the watch is cracked and the clasp is broken.'],
        },
      },
      { title: 'Replacement Silicone Strap for Apple Watch Band 44mm 45mm 49mm', short: 'straps', usd: [150, 500], multi: [2, 6] },
    ],
  },
];
const MULTI_ITEMS: readonly (readonly Item[])[] = CATEGORIES.map((c) => c.items.filter((it) => it.multi !== undefined));

const STORE_CITIES = [
  'Shenzhen',
  'Guangzhou',
  'Yiwu',
  'Dongguan',
  'Hangzhou',
  'Ningbo',
  'Shanghai',
  'Xiamen',
  'Foshan',
  'Zhongshan',
  'Quanzhou',
];
const STORE_ADJECTIVES = [
  'Bright',
  'Golden',
  'Happy',
  'Sunshine',
  'Lucky',
  'Star',
  'Dragon',
  'Rainbow',
  'Top',
  'Fancy',
  'Ever',
  'Vivid',
  'Rich',
  'Blue Ocean',
];
const STORE_SUFFIXES = ['Store', 'Store', 'Official Store', 'Factory Store', 'Trading Store', 'Global Store', 'Co., Ltd. Store'];

// ---------------------------------------------------------------------------------------
// Accounts, generated from their index on demand

type BuyerKind = 'ordinary' | 'serial' | 'ring';
interface BuyerInfo {
  account: Buyer;
  country: Country;
  kind: BuyerKind;
  /** Serial number or ring number, for the shared photo. */
  group: number;
}

function buyerIdNumber(L: Layout, idx: number): number {
  return 1_000_000 + ((idx * L.idMul + 7) % L.nAccounts);
}

function buyerAt(L: Layout, idx: number): BuyerInfo {
  const r = new Rng(hash32(L.seed, T_BUYER, idx));
  const id = `B-${buyerIdNumber(L, idx)}`;
  const device = [`dv-${hex8(perm32(idx, SALT_DEVICE ^ L.seed))}`];
  const payment = [`pm-${hex8(perm32(idx, SALT_PAYMENT ^ L.seed))}`];
  let address = [`ad-${hex8(perm32(idx, SALT_ADDRESS ^ L.seed))}`];
  let kind: BuyerKind = 'ordinary';
  let group = 0;
  let country: Country;
  let surname: string;
  let createdAt: number;

  if (idx < L.nSerial) {
    kind = 'serial';
    group = idx;
    country = r.weighted(COUNTRY_TABLE);
    surname = r.pick(country.surnames);
    createdAt = L.now - r.range(200, 900) * DAY;
  } else if (idx < L.firstOrdinary) {
    kind = 'ring';
    group = ringOf(L, idx);
    const m = idx - (L.ringStart[group] as number);
    // One operator: one country, recently opened accounts, one phone, two cards passed around.
    const rr = new Rng(hash32(L.seed, T_RING, group));
    country = rr.weighted(COUNTRY_TABLE);
    surname = r.pick(country.surnames);
    createdAt = L.now - r.range(110, 140) * DAY;
    device[0] = `dv-${hex8(perm32(L.nAccounts + group, SALT_DEVICE ^ L.seed))}`;
    payment[0] = `pm-${hex8(perm32(L.nAccounts + 2 * group + (m % 2), SALT_PAYMENT ^ L.seed))}`;
  } else {
    const j = idx - L.firstOrdinary;
    const pair = j >> 1;
    const hr = new Rng(hash32(L.seed, T_HOUSEHOLD, pair));
    createdAt = L.now - r.range(150, 3000) * DAY;
    // Pairs of neighbouring ordinary accounts are sometimes one household: same home, own phones and cards.
    if (hr.chance(0.025) && 2 * pair + 1 < L.nOrdinary) {
      country = hr.weighted(COUNTRY_TABLE);
      surname = hr.pick(country.surnames);
      address = [`ad-${hex8(perm32(L.nAccounts + pair, SALT_ADDRESS ^ L.seed))}`];
    } else {
      country = r.weighted(COUNTRY_TABLE);
      surname = r.pick(country.surnames);
      // Parcel lockers: many unrelated accounts give the same pickup address.
      if (country.locker && r.chance(0.08)) {
        const n = r.int(0, L.nLockers - 1);
        address.push(`ad-locker-${country.code}-${String(101 + n * 37).padStart(4, '0')}`);
      }
    }
  }
  const female = r.chance(0.5);
  const name = personName(r, country, surname, female);
  // The buyer's orders on the whole marketplace (buyer.orderHistory), from a stream of its own so
  // that nothing else drawn changes: an ordinary buyer orders every one to four weeks, a serial
  // disputer a dozen or two times in all, a ring account a handful; a few parcels are lost.
  const hr = new Rng(hash32(L.seed, T_ORDERS, idx));
  const placed =
    kind === 'serial'
      ? hr.int(10, 24)
      : kind === 'ring'
        ? hr.int(4, 9)
        : Math.max(3, Math.round((L.now - createdAt) / DAY / hr.range(7, 28)));
  const delivered = placed - Math.round(placed * hr.range(0.01, 0.05));
  return {
    account: {
      id,
      name,
      country: country.code,
      createdAt: iso(wholeSeconds(createdAt)),
      links: { device, address, payment },
      orderHistory: { placed, delivered, since: iso(wholeSeconds(createdAt)) },
    },
    country,
    kind,
    group,
  };
}

function ringOf(L: Layout, idx: number): number {
  for (let k = L.ringStart.length - 1; k >= 0; k--) if (idx >= (L.ringStart[k] as number)) return k;
  return 0;
}

interface SellerInfo {
  account: Seller;
  category: Category;
  categoryNo: number;
  /** Stalls and plays tricks far more often than the average store. */
  tricky: boolean;
}

function sellerAt(L: Layout, idx: number): SellerInfo {
  const r = new Rng(hash32(L.seed, T_SELLER, idx));
  const categoryNo = r.int(0, CATEGORIES.length - 1);
  const category = CATEGORIES[categoryNo] as Category;
  const name = `${r.pick(STORE_CITIES)} ${r.pick(STORE_ADJECTIVES)} ${r.pick(category.storeWords)} ${r.pick(STORE_SUFFIXES)}`;
  return {
    account: {
      id: `S-${200_001 + idx}`,
      name,
      country: r.chance(0.93) ? 'CN' : 'HK',
      createdAt: iso(wholeSeconds(L.now - r.range(365, 3000) * DAY)),
    },
    category,
    categoryNo,
    tricky: r.chance(0.12),
  };
}

// ---------------------------------------------------------------------------------------
// Reasons, money

const REASON_TABLE = weighted<Reason>([
  ['not_received.in_transit', 18],
  ['not_received.returned_to_sender', 4],
  ['not_received.no_tracking_info', 8],
  ['not_received.customs', 3],
  ['not_received.wrong_address', 3],
  ['not_as_described', 18],
  ['defective', 14],
  ['damaged', 8],
  ['wrong_item', 7],
  ['missing_parts', 5],
  ['counterfeit', 4],
  ['quantity_short', 4],
]);
// Serial disputers mostly claim non-delivery of parcels that were delivered.
const SERIAL_REASONS = weighted<Reason>([
  ['not_received.in_transit', 38],
  ['not_received.no_tracking_info', 19],
  ['not_received.wrong_address', 18],
  ['damaged', 10],
  ['not_as_described', 8],
  ['missing_parts', 7],
]);
const RING_REASONS = weighted<Reason>([
  ['wrong_item', 25],
  ['counterfeit', 20],
  ['damaged', 15],
  ['not_received.in_transit', 25],
  ['not_received.no_tracking_info', 15],
]);

/** Converts a US-cent price into the buyer's currency, quoted the way shops there quote it. */
function localPrice(usdCents: number, cur: Currency): number {
  const minor = (usdCents / 100) * cur.perUsd * (cur.decimals === 2 ? 100 : 1);
  return Math.max(cur.stepMinor, Math.round(minor / cur.stepMinor) * cur.stepMinor);
}

function money(minor: number, cur: Currency): string {
  if (cur.decimals === 0) return `${minor} ${cur.code}`;
  return `${(minor / 100).toFixed(2)} ${cur.code}`;
}

/** A share of the total, rounded to the currency's step and kept within 1 … total. */
function share(total: number, fraction: number, cur: Currency): number {
  const v = Math.round((total * fraction) / cur.stepMinor) * cur.stepMinor;
  return clamp(v, 1, total);
}

// ---------------------------------------------------------------------------------------
// Words

const fill = (t: string, item: string): string => t.replace('{item}', item);

const BUYER_NR_MESSAGES: readonly ((c: Ctx) => string)[] = [
  (c) => `Hello, my order is still not here. Tracking has not changed since ${day(c.lastScan)}. When will it arrive?`,
  () => 'The buyer protection ends in 2 days. Please refund or extend the protection time.',
  (c) => `${c.carrierLocal} says they do not have this parcel. Please check with your logistics.`,
  (c) => `I have waited ${c.waitedDays} days already, I need my money back.`,
  () => 'You promised the parcel would arrive last week. I am not going to wait any longer.',
];
const BUYER_RECEIVED_MESSAGES: readonly ((c: Ctx) => string)[] = [
  (c) => `Hello, I received the ${c.item} and it has a problem, please see the photos.`,
  (c) => `I recorded the unboxing; the video shows the ${c.item} like this from the very start.`,
  (c) => `I will not send it back to China, the postage costs more than the ${c.item}.`,
  () => 'Please offer a fair refund, I attached all the photos.',
  () => 'I tried everything in the manual, it still does not work.',
];
const SELLER_NR_MESSAGES: readonly ((c: Ctx) => string)[] = [
  () =>
    'Dear friend, sorry for the inconvenience. The package is on the way, logistics is slow because of the holiday, please wait 10 more days.',
  () => 'We have extended the buyer protection time for you, please cancel the dispute and wait patiently.',
  () => 'My friend, we can resend a new one for free, please close the dispute first.',
  (c) => `The tracking shows the parcel arrived in your country, please ask ${c.carrierLocal}.`,
];
const SELLER_RECEIVED_MESSAGES: readonly ((c: Ctx) => string)[] = [
  (c) => `Dear, every ${c.item} is checked before shipping. Please send a video showing the problem.`,
  () => 'Maybe you did not use it correctly, please read the manual again.',
  (c) => `We can give you ${pay(c, 0.1)} compensation, please accept and give us 5 stars.`,
  () => 'Please return the item to China and we refund after we receive it. Return shipping is paid by the buyer.',
];
// The seeds' "$1 through PayPal, close the dispute" trick.
const SELLER_OFF_PLATFORM: readonly ((c: Ctx) => string)[] = [
  (c) => `We can send you ${pay(c, 0.05)} by PayPal right now, then please close the dispute and choose "no return, no refund".`,
  () => 'Please cancel the dispute, we pay you back by PayPal, it is faster than AliExpress.',
];
const BUYER_THREATS: readonly ((c: Ctx) => string)[] = [
  () => 'If you do not refund me today I will leave a 1-star review and report your store.',
  () => 'Refund the full amount or I will write bad feedback on every product of your shop.',
  () => 'Everyone will see a negative review with these photos unless I get my money back now.',
];
const BUYER_OFF_PLATFORM: readonly ((c: Ctx) => string)[] = [
  (c) => `Pay me ${c.offPlatform} and I will close the dispute, it is faster for both of us.`,
  (c) => `Send ${pay(c, 1)} ${c.offPlatform} and I cancel the dispute and the bad review.`,
];

interface Ctx {
  item: string;
  carrierLocal: string;
  waitedDays: number;
  lastScan: number;
  offPlatform: string;
  totalMinor: number;
  cur: Currency;
}
/** A share of the order total as text, e.g. "1.50 USD". */
const pay = (c: Ctx, fraction: number): string => money(share(c.totalMinor, fraction, c.cur), c.cur);
const day = (ms: number): string => iso(ms).slice(0, 10);

function describe(
  r: Rng,
  reason: Reason,
  item: Item,
  c: Ctx,
  tracking: string | null,
  qty: number,
  got: number,
  statusDelivered: boolean,
): string {
  switch (reason) {
    case 'not_received.in_transit':
      return statusDelivered
        ? `The parcel never arrived. Tracking says it was handed over, but nothing came to me and there was no notice in my mailbox. I checked with ${c.carrierLocal}.`
        : `Ordered ${c.waitedDays} days ago. Tracking ${tracking ?? ''} has been stuck at "departed from transit hub" since ${day(c.lastScan)} and my buyer protection is about to expire.`;
    case 'not_received.returned_to_sender':
      return `Tracking shows the parcel was returned to the sender on ${day(c.lastScan)}. I never received any notice from ${c.carrierLocal} and my address is correct.`;
    case 'not_received.no_tracking_info':
      return tracking
        ? `The tracking number ${tracking} shows no information at all ${c.waitedDays} days after the order was marked as shipped.`
        : 'The seller marked the order as shipped but never gave a tracking number; nothing has arrived.';
    case 'not_received.customs':
      return r.chance(0.5)
        ? `The parcel is held by customs since ${day(c.lastScan)}. Customs asks for the invoice and the seller does not send it.`
        : 'Customs is asking me to pay a duty that was supposed to be included in the price, otherwise the parcel goes back. I did not receive the item.';
    case 'not_received.wrong_address':
      return statusDelivered
        ? 'Tracking shows "delivered" in another city. The seller wrote a wrong postcode on the label; my address in the order is correct.'
        : 'The seller sent the order to an old address that is not in my order, the parcel is going to the wrong city.';
    case 'quantity_short':
      return `I ordered ${qty} pcs of ${item.short} and received only ${got}. The parcel weight on the tracking page is also lower than it should be.`;
    default: {
      const own = item.problems?.[reason];
      return fill(own && r.chance(0.8) ? r.pick(own) : r.pick(GENERIC_PROBLEMS[reason]), item.short);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Evidence file descriptions

const MB = 1_048_576;
const MAX_IMAGE = 2 * MB; // policy maxImageBytes
const MAX_VIDEO = 100 * MB; // policy maxVideoBytes
const compact = (ms: number): { ymd: string; hms: string; date: string; dots: string } => {
  const s = iso(wholeSeconds(ms));
  return {
    ymd: s.slice(0, 4) + s.slice(5, 7) + s.slice(8, 10),
    hms: s.slice(11, 13) + s.slice(14, 16) + s.slice(17, 19),
    date: s.slice(0, 10),
    dots: `${s.slice(11, 13)}.${s.slice(14, 16)}.${s.slice(17, 19)}`,
  };
};

function buyerPhoto(r: Rng, takenAt: number): { name: string; mediaType: string; sizeBytes: number } {
  const t = compact(takenAt);
  switch (r.int(0, 3)) {
    case 0:
      return { name: `IMG_${r.int(1000, 9999)}.jpg`, mediaType: 'image/jpeg', sizeBytes: r.int(350_000, MAX_IMAGE - 40_000) };
    case 1:
      return { name: `IMG_${t.ymd}_${t.hms}.jpg`, mediaType: 'image/jpeg', sizeBytes: r.int(300_000, MAX_IMAGE - 40_000) };
    case 2:
      return { name: `WhatsApp Image ${t.date} at ${t.dots}.jpeg`, mediaType: 'image/jpeg', sizeBytes: r.int(90_000, 400_000) };
    default:
      return {
        name: `photo_${t.date}_${t.hms.slice(0, 2)}-${t.hms.slice(2, 4)}-${t.hms.slice(4)}.jpg`,
        mediaType: 'image/jpeg',
        sizeBytes: r.int(80_000, 300_000),
      };
  }
}
function buyerScreenshot(r: Rng, takenAt: number): { name: string; mediaType: string; sizeBytes: number } {
  const t = compact(takenAt);
  return r.chance(0.7)
    ? { name: `Screenshot_${t.ymd}-${t.hms}.png`, mediaType: 'image/png', sizeBytes: r.int(120_000, 1_300_000) }
    : { name: `Screenshot ${t.date} at ${t.dots}.png`, mediaType: 'image/png', sizeBytes: r.int(200_000, 1_800_000) };
}
function buyerVideo(r: Rng, takenAt: number): { name: string; mediaType: string; sizeBytes: number } {
  const t = compact(takenAt);
  switch (r.int(0, 2)) {
    case 0:
      return { name: 'unboxing.mp4', mediaType: 'video/mp4', sizeBytes: r.int(8 * MB, 95 * MB) };
    case 1:
      return { name: `VID_${t.ymd}_${t.hms}.mp4`, mediaType: 'video/mp4', sizeBytes: r.int(4 * MB, MAX_VIDEO - MB) };
    default:
      return { name: `IMG_${r.int(1000, 9999)}.MOV`, mediaType: 'video/quicktime', sizeBytes: r.int(6 * MB, 80 * MB) };
  }
}
function sellerFile(r: Rng, orderId: string, tracking: string | null): { name: string; mediaType: string; sizeBytes: number } {
  switch (r.int(0, 3)) {
    case 0:
      return { name: `packing_video_${orderId.slice(-6)}.mp4`, mediaType: 'video/mp4', sizeBytes: r.int(5 * MB, 60 * MB) };
    case 1:
      return { name: 'shipping_label.png', mediaType: 'image/png', sizeBytes: r.int(60_000, 500_000) };
    case 2:
      return { name: `tracking_${tracking ?? orderId.slice(-8)}.png`, mediaType: 'image/png', sizeBytes: r.int(80_000, 700_000) };
    default:
      return { name: `QC_${r.int(1, 40)}.jpg`, mediaType: 'image/jpeg', sizeBytes: r.int(150_000, 1_500_000) };
  }
}

/** The one photo a serial buyer or a ring keeps attaching: same bytes, so same size and sha256. */
function sharedPhoto(L: Layout, tag: number, group: number): { name: string; mediaType: string; sizeBytes: number; sha256: string } {
  const r = new Rng(hash32(L.seed, tag, 0x10000 + group));
  return { name: `IMG_${r.int(1000, 9999)}.jpg`, mediaType: 'image/jpeg', sizeBytes: r.int(400_000, 1_900_000), sha256: r.sha256() };
}

// ---------------------------------------------------------------------------------------
// One dispute

function makeDispute(L: Layout, i: number): DisputeInput {
  const r = new Rng(hash32(L.seed, T_DISPUTE, i));

  // Who: a serial disputer, a ring member, or one of the many ordinary buyers.
  const who = r.next();
  let b: BuyerInfo;
  if (who < L.pSerial) b = buyerAt(L, r.int(0, L.nSerial - 1));
  else if (who < L.pSerial + L.pRing) {
    const ring = r.int(0, L.ringStart.length - 1);
    b = buyerAt(L, (L.ringStart[ring] as number) + r.int(0, (L.ringSize[ring] as number) - 1));
  } else b = buyerAt(L, L.firstOrdinary + r.int(0, L.nOrdinary - 1));
  const abusive = b.kind !== 'ordinary' || r.chance(0.03);

  // Popular stores get more disputes.
  const s = sellerAt(L, Math.floor(L.nSellers * r.next() * r.next()));
  const cat = s.category;

  const reason: Reason =
    b.kind === 'serial' ? r.weighted(SERIAL_REASONS) : b.kind === 'ring' ? r.weighted(RING_REASONS) : r.weighted(REASON_TABLE);
  const notReceived = reason.startsWith('not_received.');

  // What was bought.
  let item = r.pick(cat.items);
  if (reason === 'quantity_short' && !item.multi) item = r.pick(MULTI_ITEMS[s.categoryNo] as readonly Item[]);
  const cur = b.country.currency;
  let quantity = 1;
  if (item.multi) quantity = r.int(item.multi[0], item.multi[1]);
  if (reason === 'quantity_short') quantity = Math.max(quantity, r.int(3, 10));
  const received = reason === 'quantity_short' ? r.int(1, quantity - 1) : quantity;
  const unit = localPrice(r.int(item.usd[0], item.usd[1]), cur);
  const itemPriceMinor = unit * quantity;
  const shippingMinor = r.chance(0.55) ? 0 : localPrice(r.int(99, item.usd[1] > 10_000 ? 1500 : 499), cur);
  const totalMinor = itemPriceMinor + shippingMinor;
  const title = item.variants ? `${item.title} - ${r.pick(item.variants)}` : item.title;

  // When: escalations march forward through the last ten days in id order (the feed numbers
  // disputes as they come), each strictly before `now`.
  const escalatedAt = wholeSeconds(L.now - ESCALATION_SPREAD * (1 - (i + r.next()) / Math.max(L.cases, 1)) - 60 * SECOND);

  // The negotiation decides how long the dispute ran before escalation.
  const zeroTrick = r.chance(s.tricky ? 0.3 : 0.03);
  const refileTrick = !zeroTrick && r.chance(s.tricky ? 0.25 : 0.02);
  const silentSeller = !zeroTrick && !refileTrick && r.chance(0.12);
  const remedy: 'refund_only' | 'return_and_refund' = notReceived ? 'refund_only' : r.chance(0.4) ? 'return_and_refund' : 'refund_only';
  let claimAmount: number;
  if (remedy === 'return_and_refund') claimAmount = totalMinor;
  else if (notReceived) claimAmount = r.chance(0.85) ? totalMinor : itemPriceMinor;
  else if (reason === 'quantity_short') claimAmount = Math.min(totalMinor, unit * (quantity - received));
  else claimAmount = r.chance(0.4) ? totalMinor : share(totalMinor, r.range(0.3, 0.9), cur);
  claimAmount = clamp(claimAmount, 1, totalMinor);

  // Proposals are built in their final shape; `at` is filled in from the offsets once openedAt is known.
  const props: Proposal[] = [];
  const propT: number[] = [];
  let span: number;
  const openingComment = claimAmount === totalMinor ? 'I want a full refund.' : `I ask for ${money(claimAmount, cur)} back.`;
  if (silentSeller) {
    // The seller never answered; the dispute escalated when the window ran out. Some feeds
    // drop the buyer's opening request from the history, so both shapes occur.
    if (r.chance(0.5)) propose(props, propT, 0, 'buyer', remedy, claimAmount, openingComment);
    span = RESPONSE_WINDOW + r.range(0, 12 * HOUR);
  } else if (zeroTrick) {
    propose(props, propT, 0, 'buyer', remedy, claimAmount, openingComment);
    const t = r.range(6 * HOUR, 3 * DAY);
    propose(
      props,
      propT,
      t,
      'seller',
      'refund_only',
      0,
      r.pick([
        'We agree to a full refund. Please click "accept" and the money will be returned in 3-20 working days.',
        'Dear friend, we agree to full refund, please accept this solution.',
        'OK we agree to refund you the full amount, just accept.',
      ]),
    );
    let last = t;
    if (r.chance(0.5)) {
      last = t + r.range(2 * HOUR, 2 * DAY);
      propose(props, propT, last, 'buyer', remedy, claimAmount, 'Your proposal says 0, not the full refund you wrote. I do not accept it.');
    }
    span = last + r.range(2 * HOUR, 2 * DAY);
  } else if (refileTrick) {
    // Stalling: each new proposal restarts the buyer's 5-day clock just before it would escalate.
    propose(props, propT, 0, 'buyer', remedy, claimAmount, openingComment);
    const n = r.int(2, 3);
    let t = 0;
    for (let k = 0; k < n; k++) {
      t += RESPONSE_WINDOW - r.range(30 * 60 * SECOND, 8 * HOUR);
      const offer = r.chance(0.5) ? share(totalMinor, r.range(0.05, 0.15), cur) : 0;
      propose(
        props,
        propT,
        t,
        'seller',
        'refund_only',
        offer,
        offer > 0
          ? `We can offer ${money(offer, cur)} as compensation for the inconvenience.`
          : r.pick(
              notReceived
                ? [
                    'Please wait a few more days, the parcel is coming.',
                    'We have contacted the logistics company, please give us more time.',
                  ]
                : [
                    'Our engineer is checking your photos, please wait.',
                    'We asked the factory about this problem, please give us more time.',
                  ],
            ),
      );
    }
    span = t + r.range(2 * HOUR, 2 * DAY);
  } else {
    propose(props, propT, 0, 'buyer', remedy, claimAmount, openingComment);
    let t = r.range(6 * HOUR, 4.5 * DAY);
    const kind = r.int(0, 2);
    if (kind === 0) {
      const offer = share(totalMinor, r.range(0.05, 0.5), cur);
      propose(props, propT, t, 'seller', 'refund_only', offer, `We can offer ${money(offer, cur)}, it is our best price.`);
    } else if (kind === 1 && !notReceived) {
      propose(
        props,
        propT,
        t,
        'seller',
        'return_and_refund',
        totalMinor,
        'Please return the item to us; we refund after we receive it. The buyer pays the return shipping.',
      );
    } else {
      propose(
        props,
        propT,
        t,
        'seller',
        'refund_only',
        0,
        notReceived ? 'The parcel is on the way, please wait.' : 'We checked the goods before shipping, there was no problem.',
      );
    }
    if (r.chance(0.4)) {
      t += r.range(2 * HOUR, 3 * DAY);
      const ask = remedy === 'refund_only' && r.chance(0.4) ? share(claimAmount, r.range(0.6, 0.95), cur) : claimAmount;
      propose(
        props,
        propT,
        t,
        'buyer',
        remedy,
        ask,
        ask === claimAmount ? 'I do not accept. My request stays the same.' : `I can accept ${money(ask, cur)}, not less.`,
      );
      if (r.chance(0.35)) {
        t += r.range(6 * HOUR, 3 * DAY);
        const offer = share(totalMinor, r.range(0.1, 0.4), cur);
        propose(props, propT, t, 'seller', 'refund_only', offer, `Last offer: ${money(offer, cur)}.`);
      }
    }
    span = t + r.range(1 * HOUR, 3 * DAY);
  }
  span = wholeSeconds(span);
  const openedAt = escalatedAt - span;

  // The order's own timeline runs backwards from the opening.
  let status: Status;
  let deliveredAt: number | null = null;
  let shippedAt: number;
  const deliveredAnyway = b.kind !== 'ordinary' && notReceived; // the serial/ring pattern
  switch (reason) {
    case 'not_received.in_transit':
      status = deliveredAnyway ? 'delivered' : 'in_transit';
      shippedAt = openedAt - r.range(25, 60) * DAY;
      break;
    case 'not_received.returned_to_sender':
      status = 'returned_to_sender';
      shippedAt = openedAt - r.range(20, 50) * DAY;
      break;
    case 'not_received.no_tracking_info':
      status = deliveredAnyway ? 'delivered' : 'no_info';
      shippedAt = openedAt - r.range(12, 40) * DAY;
      break;
    case 'not_received.customs':
      status = 'in_transit';
      shippedAt = openedAt - r.range(20, 45) * DAY;
      break;
    case 'not_received.wrong_address':
      status = deliveredAnyway || r.chance(0.5) ? 'delivered' : 'in_transit';
      shippedAt = openedAt - r.range(15, 45) * DAY;
      break;
    default:
      status = 'delivered';
      shippedAt = openedAt - r.range(9, 40) * DAY;
  }
  if (status === 'delivered') deliveredAt = wholeSeconds(Math.min(openedAt - r.range(2 * HOUR, 8 * DAY), shippedAt + r.range(7, 30) * DAY));
  shippedAt = wholeSeconds(shippedAt);
  const placedAt = wholeSeconds(shippedAt - r.range(6 * HOUR, 5 * DAY));
  const lastScan = deliveredAt ?? wholeSeconds(shippedAt + (openedAt - shippedAt) * r.range(0.2, 0.6));

  const crossBorder = r.chance(0.55);
  const carrier = crossBorder ? r.pick(CROSS_BORDER) : r.pick(b.country.postal);
  const noNumber = reason === 'not_received.no_tracking_info' && b.kind === 'ordinary' && r.chance(0.25);
  const trackingNo = noNumber ? null : trackingNumber(r, carrier);

  const orderId = `O-${3_012_000_000_000_000 + i * 1000 + r.int(0, 999)}`;
  const ctx: Ctx = {
    item: item.short,
    carrierLocal: crossBorder ? r.pick(b.country.postal) : carrier,
    waitedDays: Math.round((openedAt - placedAt) / DAY),
    lastScan,
    offPlatform: b.country.offPlatform,
    totalMinor,
    cur,
  };
  const description = describe(r, reason, item, ctx, trackingNo, quantity, received, status === 'delivered');

  // Messages: a short exchange, then timestamps spread over the dispute in order.
  const messages: Message[] = [];
  const nMessages = r.int(0, 3);
  for (let k = 0; k < nMessages; k++) {
    const by = k % 2 === 0 ? 'buyer' : 'seller';
    const pool =
      by === 'buyer'
        ? notReceived
          ? BUYER_NR_MESSAGES
          : BUYER_RECEIVED_MESSAGES
        : notReceived
          ? SELLER_NR_MESSAGES
          : SELLER_RECEIVED_MESSAGES;
    messages.push({ at: '', by, text: r.pick(pool)(ctx) });
  }
  if (s.tricky ? r.chance(0.3) : r.chance(0.03)) messages.push({ at: '', by: 'seller', text: r.pick(SELLER_OFF_PLATFORM)(ctx) });
  if (abusive) {
    const threat = r.chance(0.7);
    const offPlatform = !threat || r.chance(0.5);
    if (threat) messages.push({ at: '', by: 'buyer', text: r.pick(BUYER_THREATS)(ctx) });
    if (offPlatform) messages.push({ at: '', by: 'buyer', text: r.pick(BUYER_OFF_PLATFORM)(ctx) });
  }
  const msgTimes = sortedOffsets(r, messages.length, span);
  for (let k = 0; k < messages.length; k++) (messages[k] as Message).at = iso(openedAt + (msgTimes[k] as number));

  // Evidence: what the parties attached before escalation.
  const files: FileAt[] = [];
  const buyerWindow = Math.min(span, 2 * DAY);
  if (b.kind !== 'ordinary' && r.chance(0.85)) {
    const p = sharedPhoto(L, b.kind === 'serial' ? T_SERIAL : T_RING, b.group);
    // Ring members rename the file they pass around; a serial buyer just re-uploads it.
    addBuyerFile(
      r,
      files,
      buyerWindow,
      b.kind === 'ring' && r.chance(0.5) ? { ...p, name: buyerPhoto(r, openedAt).name.replace(/\.jpeg$/, '.jpg') } : p,
      p.sha256,
    );
  }
  if (notReceived) {
    if (r.chance(0.6)) addBuyerFile(r, files, buyerWindow, buyerScreenshot(r, openedAt - r.range(0, 6 * HOUR)));
  } else {
    const photos = r.int(1, 3);
    for (let k = 0; k < photos; k++)
      addBuyerFile(r, files, buyerWindow, buyerPhoto(r, (deliveredAt ?? openedAt) + r.range(0, openedAt - (deliveredAt ?? openedAt))));
    if (r.chance(0.3)) addBuyerFile(r, files, buyerWindow, buyerVideo(r, deliveredAt ?? openedAt));
  }
  if (!silentSeller && r.chance(0.35)) {
    const n = r.int(1, 2);
    for (let k = 0; k < n; k++)
      files.push({
        t: wholeSeconds(span * r.range(0.2, 0.95)),
        party: 'seller',
        ...sellerFile(r, orderId, trackingNo),
        sha256: r.sha256(),
      });
  }
  files.sort((x, y) => x.t - y.t);
  const evidence: Evidence[] = files.map((f) => ({
    party: f.party,
    name: f.name,
    mediaType: f.mediaType,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
    submittedAt: iso(openedAt + f.t),
  }));

  for (let k = 0; k < props.length; k++) (props[k] as Proposal).at = iso(openedAt + wholeSeconds(propT[k] as number));

  return {
    id: `D-${100_001 + i}`,
    openedAt: iso(openedAt),
    escalatedAt: iso(escalatedAt),
    reason,
    claim: { remedy, amountMinor: claimAmount },
    description,
    order: {
      id: orderId,
      placedAt: iso(placedAt),
      shippedAt: iso(shippedAt),
      currency: cur.code,
      itemPriceMinor,
      shippingMinor,
      totalMinor,
      item: { title, quantity },
      tracking:
        deliveredAt !== null
          ? { number: trackingNo, carrier, status, deliveredAt: iso(deliveredAt) }
          : { number: trackingNo, carrier, status },
    },
    buyer: b.account,
    seller: s.account,
    negotiation: props,
    messages,
    evidence,
  };
}

interface FileMeta {
  name: string;
  mediaType: string;
  sizeBytes: number;
}
interface FileAt extends FileMeta {
  t: number;
  party: 'buyer' | 'seller';
  sha256: string;
}
/** Buyers attach their files soon after opening the dispute. */
function addBuyerFile(r: Rng, files: FileAt[], window: number, f: FileMeta, sha?: string): void {
  files.push({
    t: wholeSeconds(r.range(60 * SECOND, window)),
    party: 'buyer',
    name: f.name,
    mediaType: f.mediaType,
    sizeBytes: f.sizeBytes,
    sha256: sha ?? r.sha256(),
  });
}

function propose(
  props: Proposal[],
  propT: number[],
  t: number,
  by: 'buyer' | 'seller',
  remedy: 'refund_only' | 'return_and_refund',
  amountMinor: number,
  comment: string,
): void {
  props.push({ at: '', by, remedy, amountMinor, comment });
  propT.push(t);
}

/** n ascending whole-second offsets strictly inside (0, span). */
function sortedOffsets(r: Rng, n: number, span: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(wholeSeconds(r.range(0.02, 0.98) * span));
  return out.sort((a, b) => a - b);
}
