/** SQLite allows 32,766 bound parameters per statement; multi-row inserts stay well under it. */
const MAX_PARAMS = 30_000;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Writes rows in multi-row inserts sized by their column count (every row must spell out the same columns). */
export async function insertChunked<T extends object>(rows: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  if (!rows.length) return;
  const per = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]!).length));
  for (const chunk of chunks(rows, per)) await write(chunk);
}

/** Items grouped by a key, each group in input order. */
export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
