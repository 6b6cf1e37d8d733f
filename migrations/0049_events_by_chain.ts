import { type Kysely } from 'kysely';

/**
 * Frozen once released: one index of a case's events instead of two (issue 16, setup
 * commands). 0001's case_events_by_case (case_id, id) and 0010's unique case_events_chain
 * (case_id, seq) list the same rows of a case in the same order: within a case an event's seq
 * and its id both grow with each append (the chain's next seq is written under the case's row
 * lock, and the id is taken as it is inserted). Every event appended wrote an entry into both,
 * each committed as a WAL page of its own: 1.23 of a claim's or an evidence request's 18.22
 * pages (sweep-profile --wal-frames). The readers that walked case_events_by_case (the case's
 * timeline, the handling history, the latest changes the stale guard names) now order by
 * (seq, id), which case_events_chain serves as its order (an index's entries end with the row
 * id on SQLite; PostgreSQL finds a case's rows by it and sorts those few). Events with no
 * seq, written around the chain by hand (audit: unchainedEvents), come first (last, newest first),
 * on both dialects.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // IF EXISTS: a first bulk load that died before its end left it dropped (db/repos/bulk-load.ts).
  await db.schema.dropIndex('case_events_by_case').ifExists().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('case_events_by_case').ifExists().execute();
  // As 0001 made it.
  await db.schema.createIndex('case_events_by_case').on('case_events').columns(['case_id', 'id']).execute();
}
