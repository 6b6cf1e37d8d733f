import { sql } from 'kysely';
import { dialectOf } from '../../dialect';
import type { WriteTx } from '../../tx';

/** Arbitrary constant ("mdrk"): the advisory lock that gives buyer-risk writers their turn on PostgreSQL. */
const RISK_LOCK = 0x6d64_726b;

/**
 * PostgreSQL: one transaction at a time updates the buyer-risk rows; the others wait here,
 * at the start of their update, until it commits. Why: an update discovers the rows it needs
 * in rounds (a dispute's row names its buyer, the buyer names sellers, photos and linked
 * accounts, a link flip names neighbours), so two desks' updates lock seller_risk,
 * risk_photos and buyer_risk rows in no common order and deadlocked (the team suite, 3-9 a
 * run once the tab counters no longer serialised them). Taken before any risk row and before
 * any tab counter (db/repos/case-write.ts runs the risk update before its case UPDATEs; intake
 * takes it right after its case rows, account.flag before the account row it labels, since
 * intake upserts accounts under the turn), so a transaction waiting here holds case rows only,
 * which the holder never waits for (the score copy locks other cases with NOWAIT,
 * db/repos/risk/case-scores.ts). An update is milliseconds for a command or a sweep chunk, up
 * to a batch's for an import. Re-entrant within a transaction; SQLite has one writer already.
 */
export async function takeRiskTurn(tx: WriteTx): Promise<void> {
  if (dialectOf(tx) === 'postgres') await sql`SELECT pg_advisory_xact_lock(${RISK_LOCK})`.execute(tx);
}
