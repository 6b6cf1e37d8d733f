import type { Kysely } from 'kysely';
import { autoId, dialectOf } from './dialect-helpers';

/**
 * Frozen once released: the change sequence (team mode: changes reach every desktop).
 * - change_log: one row per committed transaction that changed cases, written in that
 *   transaction: the case ids (a JSON array of text, or NULL for "too many: refresh
 *   everything"), the reason (command | sweep | import), the process that wrote it (origin:
 *   a desk skips its own rows, which it already announced in process) and when (epoch ms,
 *   the writer's clock). `seq` numbers the rows, so a desktop whose listening connection
 *   dropped reads `seq > last seen` once it is back. Rows are pruned after a while (not
 *   append-only: nothing audits it). Only a shared PostgreSQL server fills it; SQLite has a
 *   single process and keeps the table empty.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('change_log')
    .addColumn('seq', 'integer', autoId(dialectOf(db)))
    .addColumn('case_ids', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('change_log_by_at').on('change_log').columns(['at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_log').execute();
}
