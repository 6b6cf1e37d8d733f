/**
 * round_half_up(rate × amount) in exact integer arithmetic. Rates are given as decimals
 * (0.9); binary floats would turn 0.3 × 12345 into 3703.4999…, so the rate is first fixed
 * to a whole number of millionths and the product is computed in BigInt.
 */
export const RATE_SCALE = 1_000_000n;

export function applyRate(rate: number, amountMinor: number): number {
  if (!Number.isInteger(amountMinor) || amountMinor < 0) throw new RangeError(`amount must be a non-negative integer, got ${amountMinor}`);
  if (!(rate >= 0)) throw new RangeError(`rate must be non-negative, got ${rate}`);
  const scaledRate = BigInt(Math.round(rate * Number(RATE_SCALE)));
  const product = scaledRate * BigInt(amountMinor);
  return Number((product + RATE_SCALE / 2n) / RATE_SCALE);
}

/** "12,345.67 USD" style rendering for reasons and letters; minor-unit exponent per ISO-4217. */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'HUF', 'TWD', 'UGX', 'XAF', 'XOF']);
export function minorExponent(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : 2;
}
export function formatMoney(amountMinor: number, currency: string): string {
  const exp = minorExponent(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  if (exp === 0) return `${sign}${abs.toLocaleString('en-US')} ${currency}`;
  const major = Math.floor(abs / 100);
  const minor = String(abs % 100).padStart(2, '0');
  return `${sign}${major.toLocaleString('en-US')}.${minor} ${currency}`;
}

export const HOUR_MS = 3_600_000;
