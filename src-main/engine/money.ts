import { formatMinor } from '../contract/money-format';

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

/** Money in engine texts reads exactly as on the screens (one ISO-4217 table, in the contract). */
export const formatMoney = formatMinor;

export const HOUR_MS = 3_600_000;
