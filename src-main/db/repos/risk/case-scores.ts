import { sql } from 'kysely';
import { chunks, keysIn } from '../../batch';
import { execute, executeCount, queryRows } from '../../compiled';
import { dialectOf } from '../../dialect';
import type { WriteTx } from '../../tx';
import { MAX_IDS } from './rows';
import { setAsideIndexes } from './rebuild';
import { isScoreCopyIndex } from '../bulk-load';

/**
 * cases.buyer_score (migrations/0034): the buyer's stored score copied into each of their
 * cases, so that the queue's sort by risk is an index walk. The invariant, in every committed
 * state: buyer_score = coalesce(buyer_risk.score, -1) for the case's buyer (-1: not scored yet,
 * below every score). The stored score changes in two places only, and each calls this in its
 * own transaction, after writing buyer_risk:
 * - the incremental update's flush (db/repos/risk/store.ts), used by intake and import, the
 *   commands and the sweep (a decision, evidence, a label), for the buyers it rewrote: it
 *   knows their new scores and hands them over (setCaseScores), so nothing is read back;
 * - the full recompute (app/risk/recompute.ts), which empties and rebuilds buyer_risk, for all.
 * Intake writes the cases of a batch AFTER that batch's risk flush, each with its buyer's new
 * score in the INSERT (app/intake/intake.ts): a new case row is written once, not inserted with
 * -1 and updated in the same transaction (on PostgreSQL that double write doubled an import).
 *
 * Cost: only rows whose copy differs are written (`<>`), each buyer's cases found through
 * cases_by_buyer; a buyer's score change rewrites that buyer's cases, as many as they have
 * disputes (the score is a buyer's, so there is no cheaper copy), each row and its three risk
 * index entries (cases_open_by_risk, cases_by_risk, and cases_escalated_by_risk or cases_mine_by_risk).
 */

/**
 * Sets these buyers' cases to the given scores (each the score just written to buyer_risk): on
 * PostgreSQL one `UPDATE … FROM` per chunk over the (buyer, score) pairs bound as arrays, no
 * correlated subquery; on SQLite one prepared UPDATE a buyer (no round trip to amortise there).
 */
export async function setCaseScores(tx: WriteTx, scores: ReadonlyMap<string, number>): Promise<void> {
  const pairs = [...scores].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const sqlite = dialectOf(tx) === 'sqlite';
  // SQLite: one prepared UPDATE a buyer (through cases_by_buyer), cheaper than the pairs as one
  // JSON value joined by json_each (its text built, then parsed back, pair by pair).
  if (sqlite) {
    for (const [buyerId, score] of pairs) await execute(tx, SCORE_OF_BUYER, [score, buyerId, score]);
    return;
  }
  for (const chunk of chunks(pairs, MAX_IDS)) {
    const params = [chunk.map((p) => p[0]), chunk.map((p) => p[1])];
    // The rows to rewrite, locked first WITHOUT waiting (see LOCK_WITHOUT_WAITING).
    await execute(tx, LOCK_WITHOUT_WAITING, params);
    await execute(
      tx,
      `UPDATE cases SET buyer_score = s.score
       FROM unnest(CAST($1 AS text[]), CAST($2 AS integer[])) AS s(buyer_id, score)
       WHERE cases.buyer_id = s.buyer_id AND cases.buyer_score <> s.score`,
      params,
    );
  }
}

const SCORE_OF_BUYER = 'UPDATE cases SET buyer_score = ? WHERE buyer_id = ? AND buyer_score <> ?';

/**
 * PostgreSQL: the rescored buyers' cases whose copy will change, locked in id order with
 * `NOWAIT`. These are cases the transaction did not lock up front (a buyer's other cases):
 * waiting for one while holding the caller's case rows, risk rows and tab counters is how
 * two desks deadlocked (PostgreSQL breaks that after a second, tests/team/concurrency.test.ts
 * counts it). A case another transaction holds instead fails this one at once with 55P03,
 * which db/retry.ts retries from the top after a short pause, holding nothing. Rows whose copy
 * is already right are not locked (nor rewritten). Only transactions holding the buyer's
 * buyer_risk row rewrite the copy, so the set cannot change between this and the UPDATE.
 */
const LOCK_WITHOUT_WAITING = `SELECT c.id FROM cases c
  JOIN unnest(CAST($1 AS text[]), CAST($2 AS integer[])) AS s(buyer_id, score)
    ON c.buyer_id = s.buyer_id AND c.buyer_score <> s.score
  ORDER BY c.id FOR UPDATE OF c NOWAIT`;

/** Brings these buyers' cases to their stored scores (-1 for a buyer without a buyer_risk row). */
export async function syncCaseScores(tx: WriteTx, buyerIds: Iterable<string>): Promise<void> {
  for (const chunk of chunks([...new Set(buyerIds)].sort(), MAX_IDS)) {
    const scores = new Map<string, number>(chunk.map((id) => [id, -1]));
    for (const r of await tx.selectFrom('buyer_risk').select(['buyer_id', 'score']).where('buyer_id', 'in', keysIn(tx, chunk)).execute())
      scores.set(r.buyer_id, Number(r.score));
    await setCaseScores(tx, scores);
  }
}

const stored = sql<number>`coalesce((SELECT br.score FROM buyer_risk br WHERE br.buyer_id = cases.buyer_id), -1)`;

/**
 * Brings every case to its buyer's stored score (after the full recompute rebuilt buyer_risk); how many rows it rewrote.
 *
 * `scoreOf` (SQLite): the score each buyer was just given, as the recompute holds it (the same
 * number it wrote to buyer_risk; -1 for a buyer without a row). The cases are then read in their
 * table's order, a page at a time, and the rows whose copy differs rewritten by rowid, in that
 * order: the one UPDATE with a correlated subquery looked every case's buyer up in buyer_risk
 * (two b-tree descents into a table of ~250 bytes a buyer, at random) and rewrote the rows in
 * the table's order, but its reads missed a page cache smaller than buyer_risk: at 300,000
 * disputes 15.6 of the end-of-load scoring's 42 s of CPU, 6 s of it pread system calls (1.6
 * million, 6 GB), and its share grew with the file (session 31). PostgreSQL keeps the UPDATE.
 */
export async function syncAllCaseScores(
  tx: WriteTx,
  scoreOf?: (buyerId: string) => number,
  betweenPages: () => void = () => {},
): Promise<number> {
  if (!scoreOf || dialectOf(tx) !== 'sqlite') {
    const r = await tx.updateTable('cases').set({ buyer_score: stored }).where('buyer_score', '<>', stored).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
  let rewritten = 0;
  let restoreIndexes: (() => Promise<void>) | null = null;
  for (let after = 0; ;) {
    betweenPages();
    const rows = await queryRows<{ r: number; b: string; s: number }>(tx, CASES_PAGE, [after, CASE_PAGE]);
    if (!rows.length) break;
    const changed: Array<[number, number]> = [];
    for (const c of rows) {
      const score = scoreOf(c.b);
      if (score !== Number(c.s)) changed.push([c.r, score]);
    }
    // The first page decides (see SET_ASIDE_SHARE): a model upgrade changes most copies, a refresh few.
    if (!restoreIndexes) restoreIndexes = changed.length >= rows.length * SET_ASIDE_SHARE ? await setAsideScoreIndexes(tx) : async () => {};
    if (changed.length) rewritten += await executeCount(tx, REWRITE_BY_ROWID, [JSON.stringify(changed)]);
    if (rows.length < CASE_PAGE) break;
    after = rows[rows.length - 1]!.r;
  }
  if (restoreIndexes) await restoreIndexes();
  return rewritten;
}

/**
 * Rewriting a copy under the four indexes of cases.buyer_score (cases_by_risk, cases_open_by_risk,
 * cases_escalated_by_risk, cases_mine_by_risk) is a delete and an insert at random places in each:
 * when most copies change (a model upgrade: every score moves), the indexes are dropped once the
 * first page shows it (at least this share of its rows differ) and built again, sorted, after the
 * last page, in the same transaction, as `setAsideBuyerIndexes` does for buyer_risk (SQLite only:
 * PostgreSQL keeps them, DROP INDEX would lock the other desks out). At 300,000 disputes with every
 * copy changing: 14.6 s of CPU with the indexes kept, 1.3 s plus 1.9 s to build them (session 31);
 * a refresh that moves a few scores keeps them. A first load has them deferred already (bulk-load.ts).
 */
const SET_ASIDE_SHARE = 0.5;
const setAsideScoreIndexes = (tx: WriteTx) => setAsideIndexes(tx, 'cases', isScoreCopyIndex);

const CASE_PAGE = 5_000;
const CASES_PAGE = 'SELECT rowid AS r, buyer_id AS b, buyer_score AS s FROM cases WHERE rowid > ? ORDER BY rowid LIMIT ?';
const REWRITE_BY_ROWID = `UPDATE cases SET buyer_score = s.value ->> 1
  FROM json_each(?) AS s WHERE cases.rowid = s.value ->> 0`;
