import { sql, type Kysely } from 'kysely';

/**
 * Frozen once released: the mediator's desk.
 * - saved_views: a user's named queue filters (JSON as text, parsed with zod on read);
 * - indexes for the queue's filters at a million cases and for case search (order id,
 *   tracking number, buyer name prefix, flagged buyers, seller history).
 * Portable types and kysely's builder only, like 0001.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filter', 'text', (c) => c.notNull()) // JSON
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_views_by_user').on('saved_views').columns(['user_id', 'name']).unique().execute();

  // Search: by order id, by tracking number, by buyer name prefix (case-insensitive).
  await db.schema.createIndex('cases_by_order').on('cases').columns(['order_id']).execute();
  await db.schema.createIndex('orders_by_tracking').on('orders').columns(['tracking_number']).execute();
  await db.schema
    .createIndex('accounts_by_lower_name')
    .on('accounts')
    .expression(sql`lower(name)`)
    .execute();
  // The queue's "flagged buyers" filter starts from the (few) flagged accounts.
  await db.schema.createIndex('accounts_by_label').on('accounts').columns(['label']).execute();
  // The seller's history on the case screen.
  await db.schema.createIndex('cases_by_seller').on('cases').columns(['seller_id', 'opened_at']).execute();
  await db.schema.createIndex('orders_by_seller').on('orders').columns(['seller_id']).execute();
  // "All cases" (supervisors, analysts): oldest escalation first over every status.
  await db.schema.createIndex('cases_by_escalation').on('cases').columns(['escalated_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'cases_by_escalation',
    'cases_by_seller',
    'accounts_by_lower_name',
    'orders_by_tracking',
    'cases_by_order',
    'orders_by_seller',
    'accounts_by_label',
  ])
    await db.schema.dropIndex(index).execute();
  await db.schema.dropTable('saved_views').execute();
}
