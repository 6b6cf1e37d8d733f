import { describe, expect, it } from 'vitest';
import { Instant, instantFastMs, toMs } from '../../src-main/contract/primitives';

/**
 * The hand-written instant parser (instantFastMs) stands in for Date.parse on every date of an
 * import line: it must give the same number wherever it answers, and Instant must accept and
 * refuse exactly what the regex + Date.parse check did (its definition before, written out here).
 */
const PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
function acceptedBefore(s: string): boolean {
  if (!PATTERN.test(s) || Number.isNaN(Date.parse(s))) return false;
  const [year, month, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days;
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generated(count: number, seed: number): string[] {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  const pick = <T>(xs: T[]): T => xs[int(xs.length)]!;
  // Mostly in range, now and then just past it (month 13, day 31 of a 30-day month, 24:00, 60 s…).
  const field = (lo: number, hi: number, w: number) => pad(r() < 0.85 ? lo + int(hi - lo + 1) : pick([0, hi + 1, 99, lo, hi]), w);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const year = pick([pad(int(10_000), 4), pad(1900 + int(250), 4), '2000', '2100', '2024', '0000', '1970', '1969']);
    let s = `${year}-${field(1, 12, 2)}-${field(1, 31, 2)}T${field(0, 23, 2)}:${field(0, 59, 2)}`;
    if (r() < 0.8) {
      s += `:${field(0, 59, 2)}`;
      if (r() < 0.6) s += `.${Array.from({ length: 1 + int(r() < 0.8 ? 3 : 10) }, () => int(10)).join('')}`;
    }
    s += r() < 0.6 ? 'Z' : `${pick(['+', '-'])}${field(0, 23, 2)}:${field(0, 59, 2)}`;
    // Damage some: a character changed, dropped or added anywhere.
    if (r() < 0.25) {
      const at = int(s.length + 1);
      const c = pick(['', ' ', 'x', '0', '9', ':', '-', '+', '.', 'Z', 'z', 't', 'T', '\n', '٣']);
      const how = int(3);
      s =
        how === 0 ? s.slice(0, at) + c + s.slice(at + 1) : how === 1 ? s.slice(0, at) + s.slice(at + 1) : s.slice(0, at) + c + s.slice(at);
    }
    out.push(s);
  }
  return out;
}

const EDGES = [
  '2024-02-29T00:00Z',
  '2023-02-29T00:00Z',
  '2100-02-29T12:00:00Z',
  '2000-02-29T23:59:59.999Z',
  '2026-02-30T09:00:00Z',
  '2026-04-31T09:00:00Z',
  '2026-03-01T24:00:00Z',
  '2026-03-01T24:00Z',
  '2026-03-01T23:60Z',
  '2026-03-01T23:59:60Z',
  '2026-03-01T09:00:00.5Z',
  '2026-03-01T09:00:00.05Z',
  '2026-03-01T09:00:00.1234Z',
  '2026-03-01T09:00:00.123456789Z',
  '2026-03-01T09:00:00+24:00',
  '2026-03-01T09:00:00-23:59',
  '2026-03-01T09:00:00+00:60',
  '2026-03-01T09:00:00-00:00',
  '0000-01-01T00:00Z',
  '0000-12-31T23:59:59.999+23:59',
  '9999-12-31T23:59:59.999-23:59',
  '1969-12-31T23:59:59.999Z',
  '2026-00-10T09:00Z',
  '2026-13-10T09:00Z',
  '2026-01-00T09:00Z',
  '2026-03-01T09:00:00Z ',
  '2026-03-01T09:00:00Z\n',
  ' 2026-03-01T09:00:00Z',
  '2026-03-01t09:00:00Z',
  '2026-03-01T09:00:00z',
  '2026-03-01T09:00:00',
  '2026-03-01',
  '2026-03-01T09:00:00.Z',
  '+002026-03-01T09:00:00Z',
  '2026-3-01T09:00:00Z',
  '２０２６-03-01T09:00:00Z',
  '',
  'yesterday',
];

describe('instants by hand (instantFastMs, toMs, Instant)', () => {
  const inputs = [...EDGES, ...generated(200_000, 16)];

  it('gives the number Date.parse gives wherever it answers, and toMs is Date.parse', () => {
    let answered = 0;
    for (const s of inputs) {
      const fast = instantFastMs(s);
      if (!Number.isNaN(fast)) {
        answered++;
        if (fast !== Date.parse(s)) expect({ s, fast }).toEqual({ s, fast: Date.parse(s) });
      }
      if (!Object.is(toMs(s), Date.parse(s))) expect({ s, toMs: toMs(s) }).toEqual({ s, toMs: Date.parse(s) });
    }
    // The generated inputs do reach the hand-written path (most of them), not only the fallback.
    expect(answered).toBeGreaterThan(inputs.length / 3);
  });

  it('Instant accepts and refuses exactly what the regex + Date.parse check did', () => {
    let accepted = 0;
    for (const s of inputs) {
      const now = Instant.safeParse(s).success;
      if (now) accepted++;
      if (now !== acceptedBefore(s)) expect({ s, accepted: now }).toEqual({ s, accepted: acceptedBefore(s) });
    }
    expect(accepted).toBeGreaterThan(inputs.length / 3);
    expect(accepted).toBeLessThan(inputs.length * 0.9);
  });

  it('refuses with the same messages', () => {
    expect(Instant.safeParse('2026-02-30T09:00:00Z').error?.issues.map((i) => i.message)).toEqual(['is not a real date']);
    expect(Instant.safeParse('2026-03-01T24:00:01Z').error?.issues.map((i) => i.message)).toEqual(['is not a real date']);
    expect(Instant.safeParse('2026-03-01').error?.issues[0]?.message).toBe(
      'must be an ISO-8601 instant with a time zone, e.g. 2026-03-01T09:00:00Z',
    );
  });
});
