import { formatMoney, reasonLabel, STATUS_LABELS } from '../../ui/format';
import type { SavedFilter } from '../../api/types';

/** The filter keys a person sets (scope is the tab, search lives in the header). */
export type FilterKey = 'status' | 'reason' | 'country' | 'amount' | 'riskMin' | 'flagged' | 'overdue';

export interface ActiveFilter {
  key: FilterKey;
  label: string;
}

export function activeFilters(f: SavedFilter): ActiveFilter[] {
  const out: ActiveFilter[] = [];
  if (f.status?.length) out.push({ key: 'status', label: `State: ${f.status.map((s) => STATUS_LABELS[s] ?? s).join(', ')}` });
  if (f.reason?.length)
    out.push({
      key: 'reason',
      label: `Reason: ${f.reason.length > 2 ? `${f.reason.length} reasons` : f.reason.map(reasonLabel).join(', ')}`,
    });
  if (f.country) out.push({ key: 'country', label: `Buyer country: ${f.country}` });
  if (f.currency || f.minAmountMinor !== undefined || f.maxAmountMinor !== undefined) {
    const cur = f.currency ?? '';
    const money = (m: number) => (cur ? formatMoney(m, cur) : `${m} (minor units)`);
    const range =
      f.minAmountMinor !== undefined && f.maxAmountMinor !== undefined
        ? `${money(f.minAmountMinor)} – ${money(f.maxAmountMinor)}`
        : f.minAmountMinor !== undefined
          ? `≥ ${money(f.minAmountMinor)}`
          : f.maxAmountMinor !== undefined
            ? `≤ ${money(f.maxAmountMinor)}`
            : `in ${cur}`;
    out.push({ key: 'amount', label: `Claim ${range}` });
  }
  if (f.riskMin) out.push({ key: 'riskMin', label: `Risk ≥ ${f.riskMin}` });
  if (f.flagged) out.push({ key: 'flagged', label: 'Flagged buyers' });
  if (f.overdue) out.push({ key: 'overdue', label: 'Overdue' });
  return out;
}

export function withoutFilter(f: SavedFilter, key: FilterKey): SavedFilter {
  const next = { ...f };
  if (key === 'amount') {
    delete next.currency;
    delete next.minAmountMinor;
    delete next.maxAmountMinor;
  } else delete next[key];
  return next;
}

/** Only the keys that narrow anything, in a stable order: what is compared and saved. */
export function normalizeFilter(f: SavedFilter): SavedFilter {
  const out: SavedFilter = { scope: f.scope };
  if (f.status?.length) out.status = [...f.status].sort();
  if (f.reason?.length) out.reason = [...f.reason].sort();
  if (f.country) out.country = f.country;
  if (f.currency) out.currency = f.currency;
  if (f.minAmountMinor !== undefined) out.minAmountMinor = f.minAmountMinor;
  if (f.maxAmountMinor !== undefined) out.maxAmountMinor = f.maxAmountMinor;
  if (f.riskMin) out.riskMin = f.riskMin;
  if (f.flagged) out.flagged = true;
  if (f.overdue) out.overdue = true;
  if (f.sort) out.sort = { by: f.sort.by, dir: f.sort.dir };
  return out;
}

export const sameFilter = (a: SavedFilter, b: SavedFilter) => JSON.stringify(normalizeFilter(a)) === JSON.stringify(normalizeFilter(b));

export const CURRENCIES = ['EUR', 'USD', 'GBP', 'PLN', 'RUB', 'BRL', 'ILS', 'KZT', 'TRY', 'JPY', 'KRW', 'CLP', 'CNY', 'INR', 'MXN'];
