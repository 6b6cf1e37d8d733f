import { SavedFilter } from '../../../../src-main/contract/queue-filter';

/**
 * The queue's tab, filters and sort in the address (`?scope=unassigned&reason=defective,damaged&sort=claim.desc`),
 * so a reload keeps them and back/forward steps through them. Read back through the
 * contract's own schema: a hand-edited address with a bad value falls back to the default.
 */
const LISTS = ['status', 'reason'] as const;
const FLAGS = ['flagged', 'overdue'] as const;
const NUMBERS = ['minAmountMinor', 'maxAmountMinor', 'riskMin'] as const;
const TEXTS = ['country', 'currency', 'search', 'assignee'] as const;

export function filterToSearch(f: SavedFilter): string {
  const p = new URLSearchParams();
  p.set('scope', f.scope);
  for (const k of LISTS) if (f[k]?.length) p.set(k, f[k].join(','));
  for (const k of TEXTS) if (f[k]) p.set(k, f[k]);
  for (const k of NUMBERS) if (f[k] !== undefined) p.set(k, String(f[k]));
  for (const k of FLAGS) if (f[k]) p.set(k, '1');
  if (f.sort) p.set('sort', `${f.sort.by}.${f.sort.dir}`);
  return `?${p.toString()}`;
}

export function filterFromSearch(search: string, fallback: SavedFilter): SavedFilter {
  const p = new URLSearchParams(search);
  if (!p.has('scope')) return fallback;
  const raw: Record<string, unknown> = { scope: p.get('scope') };
  for (const k of LISTS) if (p.get(k)) raw[k] = p.get(k)!.split(',');
  for (const k of TEXTS) if (p.get(k)) raw[k] = p.get(k);
  for (const k of NUMBERS) if (p.get(k)) raw[k] = Number(p.get(k));
  for (const k of FLAGS) if (p.get(k) === '1') raw[k] = true;
  const sort = p.get('sort')?.split('.');
  if (sort?.length === 2) raw.sort = { by: sort[0], dir: sort[1] };
  const parsed = SavedFilter.safeParse(raw);
  return parsed.success ? parsed.data : fallback;
}
