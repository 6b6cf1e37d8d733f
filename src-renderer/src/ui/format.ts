import type { CaseStatus, Outcome, Reason } from '../../../src-main/contract/domain';
import { OUTCOME_LABELS, REASON_LABELS } from '../../../src-main/contract/letters';
import { minorDigits, moneyParts } from '../../../src-main/contract/money-format';

/**
 * Display formatting. Money stays integer minor units until the very last step (string
 * arithmetic, never a float division); instants are shown in the user's own time zone.
 */

export { minorDigits };

const decimalSeparator = new Intl.NumberFormat(undefined).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
const groupSeparator = new Intl.NumberFormat(undefined).formatToParts(12345).find((p) => p.type === 'group')?.value ?? ',';

/** 123456 USD → "1,234.56 USD" (separators of the user's locale); 5000 JPY → "5,000 JPY". */
export function formatMoney(minor: number, currency: string): string {
  return `${formatAmount(minor, currency)} ${currency}`;
}

/** The number part only, for right-aligned columns that show the currency apart. */
export function formatAmount(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) return String(minor);
  const { sign, whole, fraction } = moneyParts(minor, currency);
  return `${sign}${whole.replace(/,/g, groupSeparator)}${fraction ? decimalSeparator + fraction : ''}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const compactThisYear = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const compactOtherYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO instant in the user's local time zone; anything unparseable is shown as given. */
export function formatInstant(iso: string | null | undefined, withSeconds = false): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return (withSeconds ? dateTimeSeconds : dateTime).format(ms);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : dateOnly.format(ms);
}

/** For dense lists: date and time this year, the date alone for older instants. */
export function formatInstantCompact(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const sameYear = new Date(ms).getFullYear() === new Date().getFullYear();
  return (sameYear ? compactThisYear : compactOtherYear).format(ms);
}

const dayMonth = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const yearOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric' });

/**
 * formatInstantCompact on two lines for a narrow column: the day, then the time (or the year
 * when not this one). "Nov 24" / "06:30 AM" holds in 72 px where "Nov 24, 06:30 AM" needs 125.
 */
export function formatInstantTwoLines(iso: string | null | undefined): [string, string] {
  if (!iso) return ['—', ''];
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return [iso, ''];
  const sameYear = new Date(ms).getFullYear() === new Date().getFullYear();
  return [dayMonth.format(ms), (sameYear ? timeOfDay : yearOnly).format(ms)];
}

// Asked once, when this module loads (before sign-in): a default-locale Intl.DateTimeFormat
// costs 15-30 ms the first time (Chromium loads its locale data), and the shell asked for it
// twice in its first render, between the sign-in answer and the queue's first rows.
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
export const localTimeZone = (): string => TIME_ZONE;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A length of time as a person says it: "2 d 4 h", "5 h 20 m", "12 m", "3 m 05 s", "40 s". */
export function formatDuration(ms: number): string {
  const t = Math.abs(ms);
  const d = Math.floor(t / DAY);
  const h = Math.floor((t % DAY) / HOUR);
  const m = Math.floor((t % HOUR) / MINUTE);
  const s = Math.floor((t % MINUTE) / 1000);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} m`;
  if (m >= 10) return `${m} m`;
  if (m > 0) return `${m} m ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

/** "in 2 d 4 h" / "3 h 10 m ago". */
export function formatRelative(iso: string, now: number): string {
  const left = Date.parse(iso) - now;
  return left >= 0 ? `in ${formatDuration(left)}` : `${formatDuration(left)} ago`;
}

/** "2 y 3 mo", "5 mo", "12 d": an account's age. */
export function formatAge(iso: string | null | undefined, now: number): string {
  if (!iso) return 'unknown';
  const ms = now - Date.parse(iso);
  if (Number.isNaN(ms) || ms < 0) return 'unknown';
  const days = Math.floor(ms / DAY);
  const months = Math.floor(days / 30.44);
  const years = Math.floor(months / 12);
  if (years > 0) return months % 12 ? `${years} y ${months % 12} mo` : `${years} y`;
  if (months > 0) return `${months} mo`;
  return `${days} d`;
}

/** Under this a deadline is shown in red. */
export const URGENT_MS = 12 * HOUR;

/** "not_received.in_transit" → "Not received · in transit"; "awaiting_replies" → "Awaiting replies". */
export function humanize(value: string): string {
  const text = value.replace(/\./g, ' · ').replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const reasonLabel = (r: string): string => REASON_LABELS[r as Reason] ?? humanize(r);
export const outcomeLabel = (o: string): string => OUTCOME_LABELS[o as Outcome] ?? humanize(o);

export const STATUS_LABELS: Record<CaseStatus, string> = {
  escalated: 'Escalated',
  in_review: 'In review',
  awaiting_evidence: 'Awaiting evidence',
  awaiting_replies: 'Awaiting replies',
  closed: 'Closed',
  appealed: 'Appealed',
  final: 'Final',
};

export const STATUS_COLORS: Record<string, string> = {
  escalated: 'blue',
  in_review: 'violet',
  awaiting_evidence: 'orange',
  awaiting_replies: 'yellow',
  closed: 'teal',
  appealed: 'red',
  final: 'gray',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Who did something, as a colour family: the two parties, the platform's people, the clock. */
export type ActorKind = 'buyer' | 'seller' | 'platform' | 'system';
export function actorKind(actor: string): ActorKind {
  if (actor === 'buyer') return 'buyer';
  if (actor === 'seller') return 'seller';
  if (actor === 'system' || actor === 'intake') return 'system';
  return 'platform';
}
export const ACTOR_COLORS: Record<ActorKind, string> = { buyer: 'blue', seller: 'orange', platform: 'violet', system: 'gray' };

export function riskColor(score: number | null | undefined): string {
  if (score == null) return 'gray';
  if (score >= 70) return 'red';
  if (score >= 40) return 'orange';
  if (score >= 15) return 'yellow';
  return 'gray';
}
