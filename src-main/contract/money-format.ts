/**
 * Money as people read it, from integer minor units, without floats and without the
 * runtime's locale (letters must read the same on every desk): "1,234.56 USD", "5,000 JPY".
 */

/** ISO-4217 currencies whose minor unit is not 1/100. Everything else has 2 decimals. */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

export const minorDigits = (currency: string): number => MINOR_DIGITS[currency.toUpperCase()] ?? 2;

/** Splits minor units into sign, grouped whole part and fraction digits. */
export function moneyParts(minor: number, currency: string): { sign: string; whole: string; fraction: string } {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return { sign, whole, fraction: text.slice(text.length - digits) };
}

export function formatMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) return `${minor} ${currency}`;
  const { sign, whole, fraction } = moneyParts(minor, currency);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''} ${currency}`;
}

/**
 * Parses what a person typed ("12.5", "1,234.56", "12") into minor units of `currency`;
 * null when it is not an amount. Exact: the digits are moved, never multiplied as floats.
 */
export function parseMinor(text: string, currency: string): number | null {
  const t = text.trim().replace(/[\s,_']/g, '');
  const m = /^(\d+)(?:\.(\d*))?$/.exec(t);
  if (!m) return null;
  const digits = minorDigits(currency);
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  const value = Number(m[1]! + frac.padEnd(digits, '0'));
  return Number.isSafeInteger(value) ? value : null;
}

/** Minor units as an editable decimal string ("1234.56"), the inverse of parseMinor. */
export function minorToInput(minor: number, currency: string): string {
  const { sign, whole, fraction } = moneyParts(minor, currency);
  return `${sign}${whole.replace(/,/g, '')}${fraction ? `.${fraction}` : ''}`;
}

/** What a typed amount is: minor units, or the sentence that says what to type instead. */
export type AmountCheck = { ok: true; minor: number } | { ok: false; message: string };

/**
 * Checks a typed amount against the range a refund may take (1 minor unit up to `maxMinor`,
 * the order total), parsing the decimal text into integer minor units without floats: the
 * digits are compared as a BigInt, so 99,999,999,999,999,999 is "above the order total"
 * rather than "not an amount". The messages use the currency's own minor-unit digits.
 */
export function checkAmount(text: string, currency: string, maxMinor: number): AmountCheck {
  const range = `Enter an amount between ${formatMinor(1, currency).replace(` ${currency}`, '')} and ${formatMinor(maxMinor, currency)}`;
  const t = text.trim().replace(/[\s,_']/g, '');
  if (!t) return { ok: false, message: `${range}.` };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && !m[2])) return { ok: false, message: `${range}: digits and one decimal point only.` };
  const digits = minorDigits(currency);
  const frac = m[2] ?? '';
  if (frac.length > digits)
    return {
      ok: false,
      message:
        digits === 0
          ? `${range}: ${currency} has no decimals.`
          : `${range}: ${currency} has at most ${digits} decimal${digits > 1 ? 's' : ''}.`,
    };
  const value = BigInt((m[1] || '0') + frac.padEnd(digits, '0'));
  if (value < 1n) return { ok: false, message: `${range}.` };
  if (value > BigInt(maxMinor)) return { ok: false, message: `${range}: this is above the order total.` };
  return { ok: true, minor: Number(value) };
}
