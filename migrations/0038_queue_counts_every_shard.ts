import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect-helpers';

/**
 * Frozen once released: on PostgreSQL every queue_counts row is spread over the shards (the
 * backend's pid), not only the unassigned ones (0011 kept an assignee's rows in shard 0).
 *
 * Why: a counter row is locked from a transaction's first status change to its COMMIT, and a
 * transaction may lock case rows after that: the buyer-risk flush copies a rescored buyer's
 * score into ALL of that buyer's cases (0034, db/repos/risk/case-scores.ts), cases the
 * transaction did not lock up front. Two desks' sweep chunks that closed cases of one assignee
 * then deadlocked (seen in the team suite, 1 run in 3 under load): one held the (closed,
 * assignee, 0) counter and waited for a case of the shared buyer; the other held that case and
 * waited for the counter. With every key sharded, two transactions share a counter row only
 * when their backends' pids agree modulo 32. The reads already sum the shards. SQLite: one
 * writer, nothing to do.
 */
const SHARDS = 32;

function fold(parts: string, shard: string): string {
  return `
    INSERT INTO queue_counts AS q (status, assignee_id, shard, n)
    SELECT status, assignee_id, ${shard}, SUM(d)
    FROM (${parts}) AS changes
    GROUP BY status, assignee_id
    HAVING SUM(d) <> 0
    ORDER BY status, assignee_id
    ON CONFLICT (status, assignee_id, shard) DO UPDATE SET n = q.n + EXCLUDED.n`;
}

async function replaceFunctions(db: Kysely<any>, shard: string): Promise<void> {
  const added = `SELECT status, COALESCE(assignee_id, '') AS assignee_id, 1 AS d FROM new_rows`;
  const removed = `SELECT status, COALESCE(assignee_id, '') AS assignee_id, -1 AS d FROM old_rows`;
  const fn = (name: string, body: string) =>
    sql.raw(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NULL; END $$`).execute(db);
  await fn('queue_counts_inserted', fold(added, shard));
  await fn('queue_counts_deleted', fold(removed, shard));
  await fn('queue_counts_updated', fold(`${added} UNION ALL ${removed}`, shard));
}

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await replaceFunctions(db, `pg_backend_pid() % ${SHARDS}`);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') await replaceFunctions(db, `CASE WHEN assignee_id = '' THEN pg_backend_pid() % ${SHARDS} ELSE 0 END`);
}
