import { describe, expect, it } from 'vitest';
import { decisionLetter } from '../../src-main/contract/i18n/party-letters';
import { checkAmount, formatMinor, minorDigits } from '../../src-main/contract/money-format';
import { SeededRandom } from '../../src-main/util/seeded-random';

/** Typed refund amounts: what a mediator types into the Decide and Publish dialogs. */
describe('checkAmount', () => {
  const TOTAL = 261_300; // 2,613.00 KZT

  it('says the range in the currency’s own digits when the amount is 0 or above the order total', () => {
    expect(checkAmount('0', 'KZT', TOTAL)).toEqual({ ok: false, message: 'Enter an amount between 0.01 and 2,613.00 KZT.' });
    expect(checkAmount('0.00', 'KZT', TOTAL)).toEqual({ ok: false, message: 'Enter an amount between 0.01 and 2,613.00 KZT.' });
    expect(checkAmount('99,999,999,999', 'KZT', TOTAL)).toEqual({
      ok: false,
      message: 'Enter an amount between 0.01 and 2,613.00 KZT: this is above the order total.',
    });
    expect(checkAmount('0', 'JPY', 5_000)).toEqual({ ok: false, message: 'Enter an amount between 1 and 5,000 JPY.' });
    expect(checkAmount('0', 'KWD', 5_000)).toEqual({ ok: false, message: 'Enter an amount between 0.001 and 5.000 KWD.' });
  });

  it('calls amounts beyond 2^53 "above the order total", not "not an amount"', () => {
    for (const text of ['9007199254740993', '99999999999999999999999', '123456789012345678901234567890.55']) {
      const r = checkAmount(text, 'EUR', TOTAL);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message, text).toMatch(/above the order total/);
    }
  });

  it('accepts the range’s ends exactly and parses without floats', () => {
    expect(checkAmount('0.01', 'KZT', TOTAL)).toEqual({ ok: true, minor: 1 });
    expect(checkAmount('2,613.00', 'KZT', TOTAL)).toEqual({ ok: true, minor: TOTAL });
    expect(checkAmount('2613.01', 'KZT', TOTAL).ok).toBe(false);
    // 0.29 * 100 is 28.999999999999996 in floating point; the digits are moved instead.
    expect(checkAmount('0.29', 'EUR', TOTAL)).toEqual({ ok: true, minor: 29 });
    expect(checkAmount('.5', 'EUR', TOTAL)).toEqual({ ok: true, minor: 50 });
    expect(checkAmount(' 1 234.5 ', 'EUR', 1_000_000)).toEqual({ ok: true, minor: 123_450 });
  });

  it('explains text that is not an amount', () => {
    expect(checkAmount('12.345', 'EUR', TOTAL)).toMatchObject({ ok: false, message: expect.stringMatching(/at most 2 decimals/) });
    expect(checkAmount('12.5', 'JPY', 5_000)).toMatchObject({ ok: false, message: expect.stringMatching(/JPY has no decimals/) });
    for (const bad of ['-1', 'abc', '1.2.3', '.', '1e5', '']) expect(checkAmount(bad, 'EUR', TOTAL).ok, JSON.stringify(bad)).toBe(false);
  });

  it('agrees with formatMinor on every valid amount, over random amounts and currencies', () => {
    const rng = new SeededRandom(17);
    for (let i = 0; i < 2_000; i++) {
      const currency = rng.pick(['EUR', 'JPY', 'KWD', 'KZT', 'CLP']);
      const total = rng.int(1, 1e12);
      const minor = rng.int(1, total);
      const typed = formatMinor(minor, currency).replace(` ${currency}`, '');
      expect(checkAmount(typed, currency, total), `${typed} ${currency}`).toEqual({ ok: true, minor });
      const over = formatMinor(total + rng.int(1, 1e6), currency).replace(` ${currency}`, '');
      expect(checkAmount(over, currency, total).ok).toBe(false);
      expect(minorDigits(currency)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('the decision letter while the amount is invalid', () => {
  it('never shows a made-up amount for a partial refund without a valid amount', () => {
    const c = {
      id: 'D-9',
      reason: 'defective' as const,
      order: { id: 'O-9', currency: 'RUB', totalMinor: 20_000, item: { title: 'Phone', quantity: 1 } },
      buyer: { name: 'Ivan' },
      seller: { name: 'Shop' },
    };
    // English on purpose (the party's own language would be Russian for RU).
    const facts = {
      outcome: 'partial' as const,
      amountMinor: null,
      reasons: { text: 'x' },
      appealWindowHours: 168,
      returnShipmentHours: 240,
    };
    const buyer = decisionLetter(c, 'buyer', facts, { language: 'en' });
    const seller = decisionLetter(c, 'seller', facts, { language: 'en' });
    expect(buyer.body).not.toMatch(/0\.00/);
    expect(buyer.body).toContain('(the refund amount you enter)');
    expect(seller.body).not.toMatch(/0\.00/);
    expect(seller.body).toContain('the remaining — is released');
  });
});
