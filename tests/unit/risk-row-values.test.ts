import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUYER_ROW_COLUMNS, buyerRowValues, buyerToRow, jsonNumber, sellerKeyText } from '../../src-main/db/repos/risk/rows';
import { COUNTERS, newBuyer, type BuyerAgg, type SellerCounts } from '../../src-main/engine/risk';

/**
 * The full recompute writes buyer rows as value arrays (buyerRowValues) with the `sellers` column
 * written by hand (sellerKeyText): both must give what buyerToRow and JSON.stringify give, byte
 * for byte, or a recompute would store rows the per-event updates do not.
 */

// Seller ids as the bench makes them, array indexes (which JSON.stringify puts first), and odd text.
const sellerId = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map((n) => `S-${String(n).padStart(6, '0')}`),
  fc.integer({ min: 0, max: 2 ** 32 }).map(String),
  fc.constantFrom('01', '4294967295', '-1', '1e3', ''),
  fc.string(),
);
const count = fc.oneof(fc.nat(50), fc.double({ noNaN: false }));

/** The `sellers` column as the recompute's capped() writes it: ids in JS string order. */
function handWritten(sellers: Array<[string, SellerCounts]>): string | null {
  let json = '';
  for (const [id, v] of sellers) {
    const key = sellerKeyText(id);
    if (key === null) return null;
    json += `${json ? ',' : '{'}${key}${jsonNumber(v[0])},${jsonNumber(v[1])},${jsonNumber(v[2])},${jsonNumber(v[3])}]`;
  }
  return json ? `${json}}` : '{}';
}

const reason = fc.record({
  code: fc.constantFrom('NRD_RATE', 'BAD_LUCK', 'LINKED'),
  text: fc.string(),
  weight: fc.double({ min: -5, max: 50 }),
});

const buyer = fc
  .record({
    id: fc.string(),
    sellers: fc.uniqueArray(fc.tuple(sellerId, fc.tuple(count, count, count, count)), { selector: (s) => s[0], maxLength: 12 }),
    counts: fc.array(fc.nat(1000), { minLength: COUNTERS.length, maxLength: COUNTERS.length }),
    decayed: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6 })), {
      minLength: COUNTERS.length,
      maxLength: COUNTERS.length,
    }),
    reasons: fc.array(reason, { maxLength: 3 }),
    scored: fc.boolean(),
    nullable: fc.array(fc.option(fc.double({ min: 0, max: 1e12 })), { minLength: 4, maxLength: 4 }),
    label: fc.constantFrom(null, 'serial_disputer' as const, 'cleared' as const),
    links: fc.array(fc.string(), { maxLength: 4 }),
  })
  .map((r) => {
    const b: BuyerAgg = newBuyer(r.id);
    COUNTERS.forEach((c, k) => {
      b.n[c] = r.counts[k]!;
      b.w[c] = r.decayed[k]!;
    });
    const sorted = [...r.sellers].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)) as Array<[string, SellerCounts]>;
    const sellers = Object.create(null) as BuyerAgg['sellers'];
    for (const [id, v] of sorted) sellers[id] = v;
    b.sellers = sellers;
    b.links = r.links;
    b.label = r.label;
    b.sellerRate = r.nullable[0]!;
    b.openedRef = r.nullable[1]!;
    b.created = r.nullable[2]!;
    b.history = r.nullable[3] === null ? null : { orders: Math.round(r.nullable[3]!), delivered: 1 };
    if (r.scored) b.scored = { score: 42, base: 40, risky: true, reasons: r.reasons, at: 1_700_000_000_000 };
    return { b, sorted };
  });

describe('buyer rows as values (the full recompute)', () => {
  it('holds the values of buyerToRow in BUYER_ROW_COLUMNS order', () => {
    fc.assert(
      fc.property(buyer, ({ b }) => {
        const row = buyerToRow(b) as unknown as Record<string, unknown>;
        expect(buyerRowValues(b)).toEqual(BUYER_ROW_COLUMNS.map((c) => row[c]));
        expect([...BUYER_ROW_COLUMNS].sort()).toEqual(Object.keys(row).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('writes the sellers column byte for byte as JSON.stringify, or leaves it to it', () => {
    fc.assert(
      fc.property(buyer, ({ b, sorted }) => {
        const hand = handWritten(sorted);
        if (hand !== null) expect(hand).toBe(JSON.stringify(b.sellers));
        // An id JSON.stringify would move to the front is never written by hand.
        if (sorted.some(([id]) => /^(0|[1-9][0-9]*)$/.test(id) && Number(id) < 2 ** 32 - 1)) expect(hand).toBeNull();
        expect(buyerRowValues(b, hand)[BUYER_ROW_COLUMNS.indexOf('sellers')]).toBe(JSON.stringify(b.sellers));
      }),
      { numRuns: 500 },
    );
  });
});
