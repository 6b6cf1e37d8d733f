import { contentHash } from './content-hash';
import type { Dispute } from '../../contract/dispute';
import { deleteReplacedCases, insertDisputeCases, insertDisputeParents, intakeRows, lockStoredCases } from '../../db/repos/intake';
import { syncCaseScores } from '../../db/repos/risk/case-scores';
import { takeRiskTurn } from '../../db/repos/risk/turn';
import { retryTransient } from '../../db/retry';
import { inWriteTx, type Reader, type WriteTx } from '../../db/tx';
import { recordChange } from '../../db/repos/changes';
import { markScoresOwed } from '../../db/repos/bulk-load';
import { recordImportedDisputesRisk, riskBeforeImport } from '../risk/buyer-risk';
import type { IntakeOutcome } from './outcome';

export type { IntakeOutcome } from './outcome';

// The content hash lives in its own module: the import's check workers load it without the database layer.
export { canonicalJson, contentHash, hashOfCanonical } from './content-hash';

export interface ImportHooks {
  /** The disputes' content hashes where already computed (by the import's check workers), in the disputes' order. */
  hashes?: ReadonlyArray<string | undefined>;
  /**
   * Writes that belong to the batch's transaction, after its accounts, links and orders and
   * before the buyer score and the case rows (e.g. the evidence files' rows).
   */
  beforeRisk?: (tx: WriteTx, outcomes: IntakeOutcome[]) => Promise<void>;
  /**
   * A first load into an empty database (bulk-import.ts): no per-batch buyer-risk update; the
   * cases are written unscored (-1), the batch marks the scores owed in its transaction, and one
   * full recompute at the load's end scores every buyer (app/risk/owed-scores.ts).
   */
  scoreLater?: boolean;
}

/**
 * Imports validated disputes in ONE transaction (the caller's, when it passes one): identical
 * content is a no-op, changed content replaces a case still `escalated`, and is refused
 * (DUPLICATE) once the case has moved on. Ids must be unique within one call.
 *
 * The stored cases are read under their row locks, and a replaced case is rewritten in place
 * while they are held, so a mediator's claim is never undone by a re-import: it either
 * committed first (then a change is DUPLICATE) or claims the replaced case after. A lost race
 * (deadlock, serialization failure, two feeds creating one new case) is retried from the top.
 */
export async function importDisputes(db: Reader, disputes: Dispute[], now: number, hooks: ImportHooks = {}): Promise<IntakeOutcome[]> {
  if (!disputes.length) return [];
  return retryTransient(db, () => inWriteTx(db, (tx) => importInTx(tx, disputes, now, hooks)), { also: [UNIQUE_VIOLATION] });
}

const UNIQUE_VIOLATION = '23505';

async function importInTx(tx: WriteTx, disputes: Dispute[], now: number, hooks: ImportHooks): Promise<IntakeOutcome[]> {
  const hashes = disputes.map((d, i) => hooks.hashes?.[i] ?? contentHash(d));
  const existing = await lockStoredCases(
    tx,
    disputes.map((d) => d.id),
  );
  // Then the buyer-risk turn (db/repos/risk/turn.ts), before the replaced cases' deletion touches a tab counter.
  await takeRiskTurn(tx);
  // The buyer score takes back what a rewrite replaces (not read when the load scores at its end).
  const riskBefore = hooks.scoreLater ? null : await riskBeforeImport(tx, disputes);
  const outcomes: IntakeOutcome[] = [];
  const toWrite: Array<{ d: Dispute; hash: string; replace: boolean }> = [];
  disputes.forEach((d, i) => {
    const old = existing.get(d.id);
    const hash = hashes[i]!;
    if (!old) {
      outcomes.push({ id: d.id, result: 'created' });
      toWrite.push({ d, hash, replace: false });
    } else if (old.content_hash === hash) outcomes.push({ id: d.id, result: 'unchanged' });
    else if (old.status !== 'escalated')
      outcomes.push({
        id: d.id,
        result: 'refused',
        code: 'DUPLICATE',
        message: `Case ${d.id} was already imported with different content and is now ${old.status}; it can no longer be replaced by the feed.`,
      });
    else {
      outcomes.push({ id: d.id, result: 'updated' });
      toWrite.push({ d, hash, replace: true });
    }
  });
  if (!toWrite.length) return outcomes;

  const replaced = toWrite.filter((w) => w.replace).map((w) => w.d.id);
  if (replaced.length) await deleteReplacedCases(tx, replaced);
  const rows = intakeRows(toWrite, now);
  // Accounts, links and orders first: the buyer score's update reads them.
  await insertDisputeParents(tx, rows);
  if (hooks.beforeRisk) await hooks.beforeRisk(tx, outcomes);
  // The buyer fraud-pattern score moves with the batch, in the same transaction; its flush
  // brings the buyers' cases stored before to their new scores.
  // A load scored at its end instead: its cases are written unscored (-1), and the marker
  // that says a recompute is owed commits with them.
  const scores = riskBefore ? await recordImportedDisputesRisk(tx, disputes, outcomes, now, riskBefore) : null;
  if (!scores) await markScoresOwed(tx, now);
  // Then the cases, each written once with its buyer's new score (not inserted with -1 and
  // updated by the flush: on PostgreSQL that double write doubled the import's time).
  await insertDisputeCases(tx, toWrite, rows, now, scores ?? new Map());
  // A buyer the update did not run (none today: every written dispute is an event of its buyer) keeps the invariant too.
  const unscored = scores ? toWrite.filter((w) => !scores.has(w.d.buyer.id)).map((w) => w.d.buyer.id) : [];
  if (unscored.length) await syncCaseScores(tx, unscored);
  await recordChange(
    tx,
    toWrite.map((w) => w.d.id),
    'import',
    now,
  );
  return outcomes;
}
