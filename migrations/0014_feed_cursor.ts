import type { Kysely } from 'kysely';

/**
 * Frozen once released: where each feed's consumer has read the event cursor to.
 * - feeds.cursor_seq: the highest `after` the feed has passed to GET /feed/v1/events (FEED.md:
 *   a consumer passes the last seq it handled), so the supervisors' Feeds screen shows a
 *   cursor-only feed's lag against the head, as it shows a webhook's;
 * - feeds.cursor_read_at: when the feed last read the cursor (a silent consumer shows).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('feeds')
    .addColumn('cursor_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('feeds').addColumn('cursor_read_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('feeds').dropColumn('cursor_read_at').execute();
  await db.schema.alterTable('feeds').dropColumn('cursor_seq').execute();
}
