import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect-helpers';

/**
 * Frozen once released: presence, the queue's counters and the "All open" index (team mode).
 * - presence: who has a case open and what they are writing, one row per (user, case),
 *   refreshed by a heartbeat (`seen_at`, epoch ms of the server's clock); a row older than the
 *   time-to-live is ignored and later deleted (db/repos/presence.ts). Not audited.
 * - queue_counts: the number of cases per (status, assignee_id: '' when unassigned, shard),
 *   kept by triggers on `cases` in the very transaction that writes a case, whatever writes
 *   it (commands, the sweep, intake, a COPY import). The tab counts read these few rows
 *   instead of counting a million. On PostgreSQL the unassigned rows are spread over shards
 *   (the backend's pid), so thirty mediators taking cases at once do not queue up on one
 *   counter row; statement-level triggers fold a whole statement (a COPY) into one update
 *   per key. SQLite has one writer: row triggers, shard 0.
 * - cases_open_by_escalation: (escalated_at, id) of the open cases only, so "All open" walks
 *   open cases in order instead of stepping over closed ones.
 */
/**
 * Open = not closed, appealed or final (escalated, in_review, awaiting_evidence,
 * awaiting_replies), written as NOT IN: a per-state index (cases_queue) cannot serve a NOT IN,
 * so SQLite's planner, which has no statistics, walks this index instead of sorting.
 */
const NOT_OPEN = `('closed', 'appealed', 'final')`;
const SHARDS = 32;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('presence')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('presence_pkey', ['user_id', 'case_id'])
    .execute();
  await db.schema.createIndex('presence_by_case').on('presence').columns(['case_id', 'seen_at']).execute();
  await db.schema.createIndex('presence_by_seen').on('presence').columns(['seen_at']).execute();

  await db.schema
    .createTable('queue_counts')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('n', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_counts_pkey', ['status', 'assignee_id', 'shard'])
    .execute();
  await db.schema.createIndex('queue_counts_by_assignee').on('queue_counts').columns(['assignee_id', 'status']).execute();

  await sql`CREATE INDEX cases_open_by_escalation ON cases (escalated_at, id) WHERE status NOT IN ${sql.raw(NOT_OPEN)}`.execute(db);

  if (dialectOf(db) === 'sqlite') await sqliteTriggers(db);
  else await postgresTriggers(db);
  // Whatever is there already, counted once (under the migration lock, before any desktop writes).
  await sql`
    INSERT INTO queue_counts (status, assignee_id, shard, n)
    SELECT status, COALESCE(assignee_id, ''), 0, COUNT(*) FROM cases GROUP BY status, COALESCE(assignee_id, '')`.execute(db);
}

async function sqliteTriggers(db: Kysely<any>) {
  const bump = (row: 'NEW' | 'OLD', by: 1 | -1) =>
    `INSERT INTO queue_counts (status, assignee_id, shard, n) VALUES (${row}.status, COALESCE(${row}.assignee_id, ''), 0, ${by})
     ON CONFLICT (status, assignee_id, shard) DO UPDATE SET n = n + (${by});`;
  await sql.raw(`CREATE TRIGGER queue_counts_insert AFTER INSERT ON cases BEGIN ${bump('NEW', 1)} END`).execute(db);
  await sql.raw(`CREATE TRIGGER queue_counts_delete AFTER DELETE ON cases BEGIN ${bump('OLD', -1)} END`).execute(db);
  await sql
    .raw(
      `CREATE TRIGGER queue_counts_update AFTER UPDATE OF status, assignee_id ON cases
       WHEN OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id
       BEGIN ${bump('OLD', -1)} ${bump('NEW', 1)} END`,
    )
    .execute(db);
}

async function postgresTriggers(db: Kysely<any>) {
  // One upsert per (status, assignee) the statement changed, in key order (two transactions
  // touching the same counters lock them in the same order); keys whose changes cancel out
  // (an UPDATE that left status and assignee alone) are not written at all.
  const fold = (parts: string) => `
    INSERT INTO queue_counts AS q (status, assignee_id, shard, n)
    SELECT status, assignee_id, CASE WHEN assignee_id = '' THEN pg_backend_pid() % ${SHARDS} ELSE 0 END, SUM(d)
    FROM (${parts}) AS changes
    GROUP BY status, assignee_id
    HAVING SUM(d) <> 0
    ORDER BY status, assignee_id
    ON CONFLICT (status, assignee_id, shard) DO UPDATE SET n = q.n + EXCLUDED.n`;
  const added = `SELECT status, COALESCE(assignee_id, '') AS assignee_id, 1 AS d FROM new_rows`;
  const removed = `SELECT status, COALESCE(assignee_id, '') AS assignee_id, -1 AS d FROM old_rows`;
  const fn = (name: string, body: string) =>
    sql.raw(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NULL; END $$`).execute(db);
  await fn('queue_counts_inserted', fold(added));
  await fn('queue_counts_deleted', fold(removed));
  await fn('queue_counts_updated', fold(`${added} UNION ALL ${removed}`));
  const trigger = (name: string, event: string, tables: string, fnName: string) =>
    sql
      .raw(`CREATE TRIGGER ${name} AFTER ${event} ON cases REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION ${fnName}()`)
      .execute(db);
  await trigger('queue_counts_insert', 'INSERT', 'NEW TABLE AS new_rows', 'queue_counts_inserted');
  await trigger('queue_counts_delete', 'DELETE', 'OLD TABLE AS old_rows', 'queue_counts_deleted');
  await trigger('queue_counts_update', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows', 'queue_counts_updated');
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['queue_counts_insert', 'queue_counts_delete', 'queue_counts_update'])
    await sql.raw(dialectOf(db) === 'sqlite' ? `DROP TRIGGER IF EXISTS ${t}` : `DROP TRIGGER IF EXISTS ${t} ON cases`).execute(db);
  if (dialectOf(db) === 'postgres')
    for (const f of ['queue_counts_inserted', 'queue_counts_deleted', 'queue_counts_updated'])
      await sql.raw(`DROP FUNCTION IF EXISTS ${f}()`).execute(db);
  await sql`DROP INDEX IF EXISTS cases_open_by_escalation`.execute(db);
  await db.schema.dropTable('queue_counts').execute();
  await db.schema.dropTable('presence').execute();
}
