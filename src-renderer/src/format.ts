/**
 * Display formatting. Money stays integer minor units until the very last step (string
 * arithmetic, never a float division); instants are shown in the user's own time zone.
 */

/** ISO-4217 currencies whose minor unit is not 1/100. Everything else has 2 decimals. */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export const minorDigits = (currency: string): number => MINOR_DIGITS[currency.toUpperCase()] ?? 2;

const grouping = new Intl.NumberFormat(undefined, { useGrouping: true, maximumFractionDigits: 0 });
const decimalSeparator = new Intl.NumberFormat(undefined).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';

/** 123456 USD → "1,234.56 USD"; 5000 JPY → "5,000 JPY". */
export function formatMoney(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) return `${minor} ${currency}`;
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  const major = grouping.format(BigInt(whole));
  return `${sign}${major}${digits > 0 ? decimalSeparator + fraction : ''} ${currency}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

const compactThisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const compactOtherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** For dense tables: the year only when it is not the current one. */
export function formatInstantCompact(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const sameYear = new Date(ms).getFullYear() === new Date().getFullYear();
  return (sameYear ? compactThisYear : compactOtherYear).format(ms);
}

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO instant in the user's local time zone; anything unparseable is shown as given. */
export function formatInstant(iso: string | null | undefined, withSeconds = false): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return (withSeconds ? dateTimeSeconds : dateTime).format(ms);
}

export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Remaining time as "2d 04:12:09" (or "04:12:09" under a day). */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hms = [Math.floor((total % 86_400) / 3600), Math.floor((total % 3600) / 60), total % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return days > 0 ? `${days}d ${hms}` : hms;
}

/** "not_received.in_transit" → "Not received · in transit"; "awaiting_replies" → "Awaiting replies". */
export function humanize(value: string): string {
  const text = value.replace(/\./g, ' · ').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "claimAmountMinor" → "Claim amount"; "buyer_id" → "Buyer id". */
export function labelFor(key: string): string {
  const words = key
    .replace(/Minor$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const STATUS_COLORS: Record<string, string> = {
  escalated: 'blue',
  in_review: 'violet',
  awaiting_evidence: 'orange',
  awaiting_replies: 'yellow',
  closed: 'teal',
  appealed: 'red',
  final: 'gray',
};
