import { sql } from 'kysely';
import type { Reader, WriteTx } from '../tx';

/**
 * The security log (migrations/0010): refusals that belong to no case history, such as
 * commands sent without a session, counted per (kind, source, minute). One row per minute
 * per kind and source however many requests arrive, and rows older than `RETAIN_MS` are
 * dropped as new ones come, so a flood cannot grow it.
 */
export const SECURITY_LOG_RETAIN_MS = 24 * 3_600_000;
const MINUTE_MS = 60_000;

export async function countSecurityEvent(tx: WriteTx, kind: string, source: string, now: number): Promise<void> {
  const minute = now - (now % MINUTE_MS);
  await tx
    .insertInto('security_log')
    .values({ kind: kind.slice(0, 64), source: source.slice(0, 100), minute, count: 1 })
    .onConflict((oc) => oc.columns(['kind', 'source', 'minute']).doUpdateSet({ count: sql<number>`security_log.count + 1` }))
    .execute();
  await tx
    .deleteFrom('security_log')
    .where('minute', '<', minute - SECURITY_LOG_RETAIN_MS)
    .execute();
}

export async function securityLog(db: Reader): Promise<Array<{ kind: string; source: string; minute: number; count: number }>> {
  const rows = await db.selectFrom('security_log').selectAll().orderBy('minute').orderBy('kind').orderBy('source').execute();
  return rows.map((r) => ({ ...r, minute: Number(r.minute), count: Number(r.count) }));
}
