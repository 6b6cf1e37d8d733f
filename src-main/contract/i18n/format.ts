import { minorDigits } from '../money-format';

/**
 * Amounts, instants and durations as a reader of `locale` expects them. Amounts go to Intl as
 * exact decimal strings built from the integer minor units, so no float ever touches money.
 * Instants are shown in UTC and say so: the desk does not know the party's time zone.
 */

/** "1234.56" from 123456 minor units of a two-decimal currency. */
export function minorToDecimalString(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

export function formatMoney(minor: number, currency: string, locale: string): string {
  const digits = minorDigits(currency);
  const nf = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    currencyDisplay: 'symbol',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  // Intl.NumberFormat v3 formats decimal strings exactly; the cast only widens the declared type.
  return nf.format(minorToDecimalString(minor, currency) as unknown as number);
}

export function formatInstant(iso: string, locale: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const text = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  }).format(new Date(ms));
  return `${text} UTC`;
}
