import { describe, it, expect } from 'vitest';
import { DEMO_USERS, generateDemoDisputes } from '../../src-main/demo/demo-data';
import { Dispute } from '../../src-main/contract/dispute';
import { NOT_RECEIVED_REASONS, RECEIVED_REASONS } from '../../src-main/contract/domain';
import { DEFAULT_POLICY } from '../../src-main/contract/policy';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CASES = 2000;

const generate = (cases: number, seed?: number): Dispute[] =>
  Array.from(generateDemoDisputes({ cases, now: NOW, ...(seed === undefined ? {} : { seed }) }), (d) => Dispute.parse(d));

// Generated (and parsed) once: every check below reads the same 2,000 cases.
const all = generate(CASES, 7);
const ms = (s: string): number => Date.parse(s);

/** buyer id -> its disputes */
function byBuyer(ds: Dispute[]): Map<string, Dispute[]> {
  const m = new Map<string, Dispute[]>();
  for (const d of ds) m.set(d.buyer.id, [...(m.get(d.buyer.id) ?? []), d]);
  return m;
}
/** link id -> set of buyer ids carrying it */
function linkOwners(ds: Dispute[], kind: 'device' | 'address' | 'payment'): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const d of ds)
    for (const l of d.buyer.links[kind] ?? []) {
      const s = m.get(l) ?? new Set<string>();
      s.add(d.buyer.id);
      m.set(l, s);
    }
  return m;
}

describe('demo users', () => {
  it('has mediators, two supervisors and an analyst with distinct ids', () => {
    const roles = DEMO_USERS.map((u) => u.role);
    expect(roles.filter((r) => r === 'mediator').length).toBeGreaterThanOrEqual(2);
    expect(roles.filter((r) => r === 'supervisor').length).toBeGreaterThanOrEqual(2);
    expect(roles).toContain('analyst');
    expect(new Set(DEMO_USERS.map((u) => u.id)).size).toBe(DEMO_USERS.length);
    for (const u of DEMO_USERS) expect(u.password.length).toBeGreaterThan(0);
  });
});

describe('generateDemoDisputes', () => {
  it('yields exactly the requested number of disputes, each valid for intake', () => {
    expect(all).toHaveLength(CASES);
    expect(generate(0)).toHaveLength(0);
    expect(() => generateDemoDisputes({ cases: -1, now: NOW }).next()).toThrow(RangeError);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = JSON.stringify(Array.from(generateDemoDisputes({ cases: 300, seed: 7, now: NOW })));
    const b = JSON.stringify(Array.from(generateDemoDisputes({ cases: 300, seed: 7, now: NOW })));
    const c = JSON.stringify(Array.from(generateDemoDisputes({ cases: 300, seed: 8, now: NOW })));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // The prefix of a bigger run is not the same run (pools scale with size), but a run is stable.
    expect(JSON.stringify(all.slice(0, 5))).toBe(JSON.stringify(generate(CASES, 7).slice(0, 5)));
  });

  it('streams: the first cases of a huge run come out at once', () => {
    const t0 = performance.now();
    const it = generateDemoDisputes({ cases: 1_000_000, seed: 3, now: NOW });
    const first = it.next();
    expect(first.done).toBe(false);
    expect(Dispute.safeParse(first.value).success).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('formats instants correctly for any now, not only near the first run', () => {
    for (const now of [Date.parse('2099-12-31T23:59:59.999Z'), Date.parse('2001-03-01T00:00:00Z')])
      for (const d of generateDemoDisputes({ cases: 200, seed: 11, now })) {
        const parsed = Dispute.parse(d);
        for (const x of [parsed.openedAt, parsed.escalatedAt, parsed.order.placedAt, parsed.buyer.createdAt!])
          expect(new Date(x).toISOString()).toBe(x);
        expect(Date.parse(parsed.escalatedAt)).toBeLessThan(now);
      }
  });

  it('gives unique dispute and order ids in D-100001 style', () => {
    expect(all[0]!.id).toBe('D-100001');
    expect(new Set(all.map((d) => d.id)).size).toBe(CASES);
    expect(new Set(all.map((d) => d.order.id)).size).toBe(CASES);
    for (const d of all) expect(d.order.id).toMatch(/^O-\d+$/);
  });

  it('covers every reason, both remedies and several currencies', () => {
    const reasons = new Set(all.map((d) => d.reason));
    for (const r of [...NOT_RECEIVED_REASONS, ...RECEIVED_REASONS]) expect(reasons, r).toContain(r);
    expect(new Set(all.map((d) => d.claim.remedy))).toEqual(new Set(['refund_only', 'return_and_refund']));
    const currencies = new Set(all.map((d) => d.order.currency));
    for (const c of ['USD', 'EUR', 'RUB', 'BRL', 'PLN']) expect(currencies).toContain(c);
    expect([...currencies].some((c) => ['JPY', 'KRW', 'CLP'].includes(c))).toBe(true);
    expect(new Set(all.map((d) => d.buyer.country)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(all.map((d) => d.order.tracking.carrier)).size).toBeGreaterThanOrEqual(10);
  });

  it('keeps money consistent', () => {
    for (const d of all) {
      const o = d.order;
      expect(o.itemPriceMinor + o.shippingMinor).toBe(o.totalMinor);
      expect(d.claim.amountMinor).toBeGreaterThanOrEqual(1);
      expect(d.claim.amountMinor).toBeLessThanOrEqual(o.totalMinor);
      if (d.claim.remedy === 'return_and_refund') expect(RECEIVED_REASONS as readonly string[]).toContain(d.reason);
      for (const p of d.negotiation) expect(p.amountMinor).toBeLessThanOrEqual(o.totalMinor);
      if (d.reason === 'quantity_short') expect(o.item.quantity).toBeGreaterThanOrEqual(2);
    }
    // RUB prices are roughly 90x USD ones: a RUB order averages far more minor units.
    const avg = (c: string) => {
      const xs = all.filter((d) => d.order.currency === c).map((d) => d.order.totalMinor);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(avg('RUB') / avg('USD')).toBeGreaterThan(30);
  });

  it('puts every instant in a consistent past, escalations within the last ~10 days', () => {
    for (const d of all) {
      // The generator formats instants itself (faster than Date#toISOString); they must be identical.
      const instants = [d.openedAt, d.escalatedAt, d.order.placedAt, d.order.shippedAt!, d.buyer.createdAt!, d.seller.createdAt!];
      if (d.order.tracking.deliveredAt) instants.push(d.order.tracking.deliveredAt);
      for (const x of [
        ...instants,
        ...d.negotiation.map((p) => p.at),
        ...d.messages.map((m) => m.at),
        ...d.evidence.map((e) => e.submittedAt),
      ])
        expect(new Date(x).toISOString()).toBe(x);
      const esc = ms(d.escalatedAt);
      const opened = ms(d.openedAt);
      expect(esc).toBeLessThan(NOW);
      expect(esc).toBeGreaterThan(NOW - 10 * DAY - HOUR);
      expect(opened).toBeLessThanOrEqual(esc);
      expect(ms(d.order.placedAt)).toBeLessThanOrEqual(ms(d.order.shippedAt!));
      expect(ms(d.order.shippedAt!)).toBeLessThan(opened);
      if (d.order.tracking.deliveredAt) {
        expect(ms(d.order.tracking.deliveredAt)).toBeGreaterThan(ms(d.order.shippedAt!));
        expect(ms(d.order.tracking.deliveredAt)).toBeLessThan(opened);
      }
      expect(ms(d.buyer.createdAt!)).toBeLessThan(ms(d.order.placedAt));
      for (const x of [...d.negotiation, ...d.messages]) {
        expect(ms(x.at)).toBeGreaterThanOrEqual(opened);
        expect(ms(x.at)).toBeLessThanOrEqual(esc);
      }
      for (const e of d.evidence) {
        expect(ms(e.submittedAt)).toBeGreaterThanOrEqual(opened);
        expect(ms(e.submittedAt)).toBeLessThanOrEqual(esc);
      }
      const times = d.negotiation.map((p) => ms(p.at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(d.negotiation.length).toBeLessThanOrEqual(4);
    }
  });

  it('matches tracking to the reason', () => {
    const statusOf = (reason: string) => all.filter((d) => d.reason === reason).map((d) => d.order.tracking.status);
    expect(new Set(statusOf('not_received.returned_to_sender'))).toEqual(new Set(['returned_to_sender']));
    expect(new Set(statusOf('not_received.customs'))).toEqual(new Set(['in_transit']));
    // Serial disputers claim "in transit" / "no info" on delivered parcels: a minority by design.
    const inTransit = statusOf('not_received.in_transit');
    expect(inTransit.filter((s) => s === 'in_transit').length / inTransit.length).toBeGreaterThan(0.6);
    expect(new Set(inTransit)).toEqual(new Set(['in_transit', 'delivered']));
    expect(new Set(statusOf('not_received.no_tracking_info'))).toEqual(new Set(['no_info', 'delivered']));
    for (const d of all) {
      const delivered = d.order.tracking.status === 'delivered';
      expect(Boolean(d.order.tracking.deliveredAt)).toBe(delivered);
      if ((RECEIVED_REASONS as readonly string[]).includes(d.reason)) expect(d.order.tracking.status).toBe('delivered');
    }
  });

  it('describes evidence within the policy limits', () => {
    const images = /\.(jpe?g|png|bmp|gif)$/i;
    const videos = /\.(mp4|webm|mov)$/i;
    let n = 0;
    for (const d of all)
      for (const e of d.evidence) {
        n++;
        expect(e.sha256).toMatch(/^[0-9a-f]{64}$/);
        if (images.test(e.name)) {
          expect(e.mediaType).toMatch(/^image\//);
          expect(e.sizeBytes).toBeLessThanOrEqual(DEFAULT_POLICY.maxImageBytes);
        } else {
          expect(e.name).toMatch(videos);
          expect(e.mediaType).toMatch(/^video\//);
          expect(e.sizeBytes).toBeLessThanOrEqual(DEFAULT_POLICY.maxVideoBytes);
        }
        expect(e.sizeBytes).toBeGreaterThan(0);
      }
    expect(n).toBeGreaterThan(CASES);
    const parties = new Set(all.flatMap((d) => d.evidence.map((e) => e.party)));
    expect(parties).toEqual(new Set(['buyer', 'seller']));
  });

  it('keeps each account the same wherever it appears', () => {
    const seen = new Map<string, string>();
    for (const d of all)
      for (const acc of [d.buyer, d.seller]) {
        const json = JSON.stringify(acc);
        expect(seen.get(acc.id) ?? json, acc.id).toBe(json);
        seen.set(acc.id, json);
      }
    for (const d of all) expect(d.seller.country).toMatch(/^(CN|HK)$/);
  });

  it('plants the zero-amount "we agree to a full refund" proposal', () => {
    const zero = all.filter((d) =>
      d.negotiation.some((p) => p.by === 'seller' && p.amountMinor === 0 && /agree/i.test(p.comment) && /full/i.test(p.comment)),
    );
    expect(zero.length).toBeGreaterThan(CASES * 0.02);
    // An honest zero ("please wait") must not read as an agreement, or the warning is noise.
    const honestZero = all.flatMap((d) => d.negotiation.filter((p) => p.amountMinor === 0 && !/agree/i.test(p.comment)));
    expect(honestZero.length).toBeGreaterThan(0);
  });

  it('plants seller proposals re-filed just before each 5-day response window ends', () => {
    const refiled = all.filter((d) => {
      const t = d.negotiation.filter((p) => p.by === 'seller').map((p) => ms(p.at));
      if (t.length < 2) return false;
      const first = ms(d.negotiation[0]!.at);
      const gaps = [t[0]! - first, ...t.slice(1).map((x, k) => x - t[k]!)];
      return gaps.every((g) => g < 5 * DAY && g > 5 * DAY - 12 * HOUR);
    });
    expect(refiled.length).toBeGreaterThan(CASES * 0.01);
  });

  it('has abusive messages: bad-review threats and off-platform payment requests', () => {
    const buyerTexts = all.flatMap((d) => d.messages.filter((m) => m.by === 'buyer').map((m) => m.text));
    expect(buyerTexts.filter((t) => /review|feedback/i.test(t)).length).toBeGreaterThan(10);
    expect(buyerTexts.filter((t) => /PayPal|Pix|Qiwi|card|transfer|Bit |Kaspi|BLIK/i.test(t)).length).toBeGreaterThan(10);
    const sellerTexts = all.flatMap((d) => d.messages.filter((m) => m.by === 'seller').map((m) => m.text));
    expect(sellerTexts.some((t) => /PayPal/.test(t))).toBe(true);
  });

  it('has a handful of serial disputers: not-received claims on delivered parcels with a reused photo', () => {
    const serial = [...byBuyer(all).entries()].filter(
      ([, ds]) => ds.filter((d) => d.reason.startsWith('not_received.') && d.order.tracking.status === 'delivered').length >= 4,
    );
    expect(serial.length).toBeGreaterThanOrEqual(3);
    expect(serial.length).toBeLessThanOrEqual(12);
    for (const [id, ds] of serial) {
      expect(ds.length, id).toBeGreaterThanOrEqual(5);
      const counts = new Map<string, number>();
      for (const d of ds)
        for (const sha of new Set(d.evidence.filter((e) => e.party === 'buyer').map((e) => e.sha256)))
          counts.set(sha, (counts.get(sha) ?? 0) + 1);
      expect(Math.max(...counts.values()), id).toBeGreaterThanOrEqual(3);
    }
  });

  it('has a fraud ring of 4-6 accounts sharing a device and cards and one photo; other devices and cards are unique', () => {
    const devices = linkOwners(all, 'device');
    const shared = [...devices.values()].filter((s) => s.size > 1);
    expect(shared).toHaveLength(1);
    const ring = shared[0]!;
    expect(ring.size).toBeGreaterThanOrEqual(4);
    expect(ring.size).toBeLessThanOrEqual(6);
    // Payment cards are shared only inside the ring.
    for (const owners of linkOwners(all, 'payment').values()) if (owners.size > 1) for (const id of owners) expect(ring).toContain(id);
    // One photo, uploaded by several of the ring's accounts.
    const shaOwners = new Map<string, Set<string>>();
    for (const d of all.filter((x) => ring.has(x.buyer.id)))
      for (const e of d.evidence) if (e.party === 'buyer') shaOwners.set(e.sha256, (shaOwners.get(e.sha256) ?? new Set()).add(d.buyer.id));
    expect(Math.max(...[...shaOwners.values()].map((s) => s.size))).toBeGreaterThanOrEqual(3);
  });

  it('has benign address sharing: two-person households and a busy parcel locker', () => {
    const addresses = [...linkOwners(all, 'address').entries()];
    const households = addresses.filter(([id, s]) => !id.includes('locker') && s.size === 2);
    expect(households.length).toBeGreaterThanOrEqual(2);
    const lockers = addresses.filter(([id, s]) => id.includes('locker') && s.size >= 5);
    expect(lockers.length).toBeGreaterThanOrEqual(1);
    // A household shares the roof, not the phone or the card.
    const account = new Map(all.map((d) => [d.buyer.id, d.buyer]));
    for (const [, owners] of households) {
      const [a, b] = [...owners].map((id) => account.get(id)!);
      expect(a!.links.device).not.toEqual(b!.links.device);
      expect(a!.links.payment).not.toEqual(b!.links.payment);
      expect(a!.country).toBe(b!.country);
    }
  });
});
