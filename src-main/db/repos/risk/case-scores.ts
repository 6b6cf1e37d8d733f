import { sql } from 'kysely';
import { chunks } from '../../batch';
import { executeCount, textKeysIn, textKeysParam } from '../../compiled';
import { dialectOf, type DialectName } from '../../dialect';
import type { WriteTx } from '../../tx';
import { MAX_IDS } from './rows';

/**
 * cases.buyer_score (migrations/0034): the buyer's stored score copied into each of their
 * cases, so that the queue's sort by risk is an index walk. The invariant, in every committed
 * state: buyer_score = coalesce(buyer_risk.score, -1) for the case's buyer (-1: not scored yet,
 * below every score). The stored score changes in two places only, and each calls this in its
 * own transaction, after writing buyer_risk:
 * - the incremental update's flush (db/repos/risk/store.ts), used by intake and import, the
 *   commands and the sweep (a decision, evidence, a label), for the buyers it rewrote;
 * - the full recompute (app/risk/recompute.ts), which empties and rebuilds buyer_risk, for all.
 * A case written meanwhile (intake) carries the default -1 until the flush of its own batch,
 * in the same transaction: intake's dispute event always rewrites its buyer's row.
 *
 * Cost: only rows whose copy differs are written (`<>`), each buyer's cases found through
 * cases_by_buyer; a buyer's score change rewrites that buyer's cases, as many as they have
 * disputes (the score is a buyer's, so there is no cheaper copy), each row and its three risk
 * index entries (cases_queue_by_risk, cases_open_by_risk, cases_by_risk).
 */
const STORED_TEXT = 'coalesce((SELECT br.score FROM buyer_risk br WHERE br.buyer_id = cases.buyer_id), -1)';
const stored = sql.raw<number>(STORED_TEXT);

/** Brings these buyers' cases to their stored scores; how many case rows it rewrote. */
export async function syncCaseScores(tx: WriteTx, buyerIds: Iterable<string>): Promise<number> {
  let n = 0;
  // Precompiled text (db/compiled.ts): every sweep chunk and every decision runs it.
  const dialect = dialectOf(tx);
  for (const chunk of chunks([...new Set(buyerIds)].sort(), MAX_IDS))
    n += await executeCount(tx, SYNC_CASE_SCORES[dialect], [textKeysParam(dialect, chunk)]);
  return n;
}

const syncText = (dialect: DialectName) =>
  `UPDATE cases SET buyer_score = ${STORED_TEXT} WHERE buyer_id IN ${textKeysIn(dialect)} AND buyer_score <> ${STORED_TEXT}`;
const SYNC_CASE_SCORES = { sqlite: syncText('sqlite'), postgres: syncText('postgres') } as const;

/** Brings every case to its buyer's stored score (after the full recompute rebuilt buyer_risk); how many rows it rewrote. */
export async function syncAllCaseScores(tx: WriteTx): Promise<number> {
  const r = await tx.updateTable('cases').set({ buyer_score: stored }).where('buyer_score', '<>', stored).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
