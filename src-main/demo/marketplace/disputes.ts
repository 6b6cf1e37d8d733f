import type { SeededRandom } from '../../util/seeded-random';

/**
 * Escalated disputes as a marketplace sends them (SCENARIOS.md "An escalated dispute"), seeded:
 * a handful of believable items, buyers in several countries and languages, claims that are
 * sometimes the whole order and sometimes part of it.
 */

const DAY = 86_400_000;

const ITEMS = [
  { title: 'Wireless earbuds', price: 5_900, reason: 'defective', text: 'The left earbud does not charge.' },
  { title: 'Ceramic teapot', price: 3_400, reason: 'damaged', text: 'The spout arrived broken off.' },
  { title: 'Rain jacket, size M', price: 7_900, reason: 'not_as_described', text: 'The jacket is not waterproof as listed.' },
  { title: 'USB-C charger 65 W', price: 2_900, reason: 'counterfeit', text: 'The charger looks fake and gets very hot.' },
  { title: 'LEGO-compatible set', price: 4_500, reason: 'missing_parts', text: 'Two bags of parts are missing.' },
  { title: 'Running shoes, 42', price: 8_900, reason: 'wrong_item', text: 'I received size 39 in another colour.' },
  { title: 'Phone case', price: 1_500, reason: 'quantity_short', text: 'Only two cases were in the parcel.' },
  { title: 'Desk lamp', price: 3_900, reason: 'damaged', text: 'The base is cracked and the lamp wobbles.' },
] as const;

const BUYERS = [
  { name: 'Ana Silva', country: 'PT', language: 'pt-PT', currency: 'EUR' },
  { name: 'Jonas Weber', country: 'DE', language: 'de', currency: 'EUR' },
  { name: 'Emily Clarke', country: 'GB', language: 'en', currency: 'GBP' },
  { name: 'Lucía Romero', country: 'ES', language: 'es', currency: 'EUR' },
  { name: 'Marek Nowak', country: 'PL', language: 'pl', currency: 'EUR' },
  { name: 'Chloé Martin', country: 'FR', language: 'fr', currency: 'EUR' },
] as const;

const SELLERS = [
  { id: 'S-SIM-1', name: 'Harbour Goods', country: 'NL' },
  { id: 'S-SIM-2', name: 'Shenzhen Bright Store', country: 'CN' },
  { id: 'S-SIM-3', name: 'Nordic Home Supply', country: 'SE' },
] as const;

/** Dispute number `n` of a simulation run: ids `SIM-<seed>-<n>`, dated just before `now`. */
export function simulatedDispute(rng: SeededRandom, seed: number, n: number, now: number): Record<string, unknown> {
  const id = `SIM-${seed}-${n}`;
  const item = rng.pick(ITEMS);
  const buyer = rng.pick(BUYERS);
  const seller = rng.pick(SELLERS);
  const quantity = item.reason === 'quantity_short' ? 3 : 1;
  const shipping = rng.pick([0, 390, 490, 690]);
  const total = item.price + shipping;
  const full = rng.chance(0.6);
  const claim = full ? total : Math.round((total * rng.int(30, 80)) / 100);
  const placed = now - rng.int(20, 40) * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  const buyerId = `B-SIM-${seed}-${rng.int(1, 9_999)}`;
  return {
    id,
    openedAt: iso(now - rng.int(6, 12) * DAY),
    escalatedAt: iso(now - rng.int(1, 60) * 60_000),
    reason: item.reason,
    claim: { remedy: rng.chance(0.7) ? 'refund_only' : 'return_and_refund', amountMinor: Math.max(1, claim) },
    description: item.text,
    order: {
      id: `O-${id}`,
      placedAt: iso(placed),
      shippedAt: iso(placed + 2 * DAY),
      currency: buyer.currency,
      itemPriceMinor: item.price,
      shippingMinor: shipping,
      totalMinor: total,
      item: { title: item.title, quantity },
      tracking: {
        number: `TR${seed}${n}`,
        carrier: rng.pick(['DHL', 'PostNL', 'Cainiao', 'Royal Mail']),
        status: 'delivered',
        deliveredAt: iso(placed + 9 * DAY),
      },
    },
    buyer: {
      id: buyerId,
      name: buyer.name,
      country: buyer.country,
      language: buyer.language,
      createdAt: iso(now - rng.int(30, 1_500) * DAY),
    },
    seller: { id: seller.id, name: seller.name, country: seller.country },
    messages: [{ at: iso(now - 5 * DAY), by: 'buyer', text: item.text }],
  };
}
