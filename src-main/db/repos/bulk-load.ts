import { sql } from 'kysely';
import { dialectOf } from '../dialect';
import { backgroundCheckpointsOf } from '../background-checkpoint';
import type { Reader, WriteTx } from '../tx';
import { inWriteTx } from '../tx';

/**
 * A first bulk load into an EMPTY SQLite database builds its secondary indexes once, sorted,
 * at the end, instead of inserting into a dozen B-trees at random for every row (at a million
 * disputes that maintenance is most of SQLite's own work). Only plain indexes of the tables
 * intake writes and never reads by them are deferred: primary keys and UNIQUE indexes keep
 * enforcing what they enforce, and the lookups the import itself makes (by primary key, the
 * risk ledger by order) keep their indexes.
 *
 * Nothing is lost if the process dies in between: the dropped indexes' definitions are stored
 * in `settings` in the transaction that drops them, and `restoreDeferredIndexes` (run by
 * every openDatabase and at the end of the import) creates them again.
 */
const DEFERRED_KEY = 'bulk_load.deferred_indexes';
const DEFERRABLE_TABLES = ['accounts', 'account_links', 'orders', 'cases', 'evidence', 'case_events', 'buyer_risk'];
/*
 * cases_by_buyer is deferred too. It was kept while each batch's risk flush brought its buyers'
 * cases to their new scores through it (db/repos/risk/case-scores.ts); a first load no longer
 * flushes per batch (it scores every buyer once at its end, after the index build), so no batch
 * reads by it, and its random (buyer_id, opened_at) inserts dirtied most of its leaf pages in
 * every batch's commit: the WAL wrote them again batch after batch (issue 16, session 31).
 */

/** Drops the deferrable indexes when the database holds no case, account or order yet; true when it did. */
export async function deferIndexesIfEmpty(db: Reader): Promise<boolean> {
  if (dialectOf(db) !== 'sqlite') return false;
  return inWriteTx(db, async (tx) => {
    for (const table of ['cases', 'accounts', 'orders'] as const)
      if (
        await tx
          .selectFrom(table)
          .select(sql`1`.as('x'))
          .limit(1)
          .executeTakeFirst()
      )
        return false;
    const stored = await tx.selectFrom('settings').select('value').where('key', '=', DEFERRED_KEY).executeTakeFirst();
    const already = stored ? (JSON.parse(stored.value) as Array<{ name: string; sql: string }>) : [];
    const indexes = (
      await sql<{ name: string; sql: string }>`
        SELECT name, sql FROM sqlite_master
        WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${sql.join(DEFERRABLE_TABLES)})
        ORDER BY name`.execute(tx)
    ).rows.filter((i) => !/^\s*CREATE\s+UNIQUE/i.test(i.sql));
    const all = [...already, ...indexes];
    await tx
      .insertInto('settings')
      .values({ key: DEFERRED_KEY, value: JSON.stringify(all) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(all) }))
      .execute();
    for (const i of indexes) await sql.raw(`DROP INDEX "${i.name.replace(/"/g, '""')}"`).execute(tx);
    return true;
  });
}

/**
 * The indexes of the cases' copy of their buyer's score (cases.buyer_score: the queue's sorts by
 * risk). A first load's cases all hold -1 until the scoring at its end rewrites every one of them:
 * built before it, each of those four indexes took a delete and an insert at random places per
 * case, which missed the page cache more as the file grew (at 300,000 disputes 15.6 s of the
 * scoring's 42 s of CPU, 6 s of it system time). The import builds them after its scoring instead
 * (`restoreDeferredIndexes` with `scoreCopies: 'later'`), once, sorted, from the final scores.
 */
export const isScoreCopyIndex = (i: { sql: string }) => /\bON\s+"?cases"?\s*\([^)]*\bbuyer_score\b/i.test(i.sql);

/**
 * Creates the indexes a bulk load deferred (also after a crash mid-load); how many it created.
 * `scoreCopies: 'later'`: not the indexes of cases.buyer_score (isScoreCopyIndex), left deferred
 * (still listed in `settings`, so a process that dies before the next call still gets them at its
 * next open) for a later call, once the first load's scoring has written the scores.
 */
export async function restoreDeferredIndexes(db: Reader, opts: { scoreCopies?: 'now' | 'later' } = {}): Promise<number> {
  if (dialectOf(db) !== 'sqlite') return 0;
  return inWriteTx(db, async (tx) => {
    // Called before the migrations too: a new database has no settings table yet.
    const settings = await sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'`.execute(tx);
    if (!settings.rows.length) return 0;
    const stored = await tx.selectFrom('settings').select('value').where('key', '=', DEFERRED_KEY).executeTakeFirst();
    if (!stored) return 0;
    const deferred = JSON.parse(stored.value) as Array<{ name: string; sql: string }>;
    const later = opts.scoreCopies === 'later' ? deferred.filter(isScoreCopyIndex) : [];
    const indexes = deferred.filter((i) => !later.includes(i));
    for (const i of indexes) await sql.raw(i.sql.replace(/^\s*CREATE\s+INDEX\s+/i, 'CREATE INDEX IF NOT EXISTS ')).execute(tx);
    if (later.length)
      await tx
        .updateTable('settings')
        .set({ value: JSON.stringify(later) })
        .where('key', '=', DEFERRED_KEY)
        .execute();
    else await tx.deleteFrom('settings').where('key', '=', DEFERRED_KEY).execute();
    return indexes.length;
  });
}

/**
 * A first load into an empty SQLite database leaves the buyer-risk rows and its cases' scores
 * to one full recompute at its end (app/risk/owed-scores.ts): this marker says a recompute is
 * owed. Written in the transaction of every batch that skipped the per-batch update (an
 * idempotent one-row upsert), so whatever committed unscored is always covered by a marker that
 * committed with it, even if another process's recompute cleared an earlier one in between;
 * deleted in the commit that stores the recompute's rows. A process that dies mid-load or
 * mid-recompute leaves it, and the next import or desk start pays the debt.
 */
const SCORES_OWED_KEY = 'bulk_load.scores_owed';

/** Marks the buyer scores as owed, in the batch's transaction; `asOf` is kept for the record (the first batch's clock). */
export async function markScoresOwed(tx: WriteTx, asOf: number): Promise<void> {
  await tx
    .insertInto('settings')
    .values({ key: SCORES_OWED_KEY, value: JSON.stringify({ since: asOf }) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** True while a first load's recompute is owed (the risk rows and the cases' scores are not final). */
export async function scoresOwed(db: Reader): Promise<boolean> {
  return !!(await db.selectFrom('settings').select('key').where('key', '=', SCORES_OWED_KEY).executeTakeFirst());
}

/** Clears the marker, in the transaction that stores the recompute's rows. */
export async function clearScoresOwed(tx: WriteTx): Promise<void> {
  await tx.deleteFrom('settings').where('key', '=', SCORES_OWED_KEY).execute();
}

/**
 * Runs `work` (a first bulk load into an empty SQLite database, whose indexes deferIndexesIfEmpty
 * dropped) with `synchronous = NORMAL` on this connection, then puts back what it was (FULL).
 *
 * Crash safety: in WAL mode with NORMAL, a commit is written to the WAL without waiting for its
 * fsync; SQLite still fsyncs the WAL before each checkpoint and the database after it. A
 * process that dies loses nothing that committed (the OS holds the written pages) and never
 * leaves a batch half-written (each batch is one transaction, and WAL frames without their
 * commit frame are ignored on recovery). A power cut can lose the batches committed since the
 * last checkpoint, never corrupt the database: re-running the import (idempotent) writes them
 * again. The load is not reported done before a durable commit: the caller builds the deferred
 * indexes after this returns, in a FULL commit whose fsync covers the whole WAL.
 * Only in WAL mode (with a rollback journal NORMAL is weaker) and only on this connection:
 * other connections and processes keep their own setting.
 */
/** Pages (4 KiB) the WAL may grow to between checkpoints during a first load: 256 MiB. */
const BULK_CHECKPOINT_PAGES = 65_536;

export async function withRelaxedCommits<T>(db: Reader, work: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'sqlite') return work();
  const first = async (q: string) => Object.values((await sql.raw(q).execute(db)).rows[0] as Record<string, unknown>)[0];
  if (String(await first('PRAGMA journal_mode')).toLowerCase() !== 'wal') return work();
  const before = Number(await first('PRAGMA synchronous'));
  if (before <= 1) return work();
  // Checkpoints on a worker thread (db/background-checkpoint.ts): its threshold is raised instead of the pragma.
  const background = backgroundCheckpointsOf(db);
  const checkpointEvery = background ? background.pages() : Number(await first('PRAGMA wal_autocheckpoint'));
  const setCheckpointEvery = async (pages: number) => {
    if (background) background.setPages(pages);
    else await sql.raw(`PRAGMA wal_autocheckpoint = ${pages}`).execute(db);
  };
  await sql.raw('PRAGMA synchronous = NORMAL').execute(db);
  // Fewer checkpoints: each copies the WAL's pages into the database and fsyncs both, and with
  // the default (1,000 pages) every batch's commit ran one, rewriting the same index and risk
  // pages batch after batch. The WAL grows to at most this many pages between checkpoints (on
  // disk, not in memory); the durable commit after the load checkpoints with the default back.
  await setCheckpointEvery(BULK_CHECKPOINT_PAGES);
  try {
    return await work();
  } finally {
    await setCheckpointEvery(checkpointEvery);
    await sql.raw(`PRAGMA synchronous = ${before}`).execute(db);
  }
}
