import { sql, type Kysely } from 'kysely';
import { autoId, dialectOf, makeAppendOnly } from './dialect-helpers';

/**
 * Frozen: the first schema. Portable types only (text ids, bigint epoch-ms, integer 0/1
 * booleans, JSON as text) so SQLite and PostgreSQL run the same migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = autoId(dialectOf(db));
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull()) // buyer | seller
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint')
    .addColumn('label', 'text') // serial_disputer | cleared | null
    .addColumn('label_note', 'text')
    .addColumn('labelled_by', 'text')
    .addColumn('labelled_at', 'bigint')
    .execute();

  await db.schema
    .createTable('account_links')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // device | address | payment
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_links_pk', ['account_id', 'kind', 'value'])
    .execute();
  await db.schema.createIndex('account_links_by_value').on('account_links').columns(['kind', 'value']).execute();

  await db.schema
    .createTable('account_labels')
    .addColumn('id', 'integer', id)
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('labelled_by', 'text', (c) => c.notNull())
    .addColumn('labelled_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('seller_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('placed_at', 'bigint', (c) => c.notNull())
    .addColumn('shipped_at', 'bigint')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('item_title', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('item_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('shipping_minor', 'bigint', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('tracking_number', 'text')
    .addColumn('carrier', 'text')
    .addColumn('delivery_status', 'text', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('orders_by_buyer').on('orders').columns(['buyer_id', 'placed_at']).execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('buyer_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('seller_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('claim_remedy', 'text', (c) => c.notNull())
    .addColumn('claim_amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('escalated_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('forced_decision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('evidence_round', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('policy_version', 'integer') // of the current decision
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('next_due_at', 'bigint') // nearest pending deadline, for the queue's sort
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)) // optimistic concurrency
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The unassigned queue: first page by escalation time must be an index walk.
  await db.schema.createIndex('cases_queue').on('cases').columns(['status', 'escalated_at', 'id']).execute();
  await db.schema.createIndex('cases_by_assignee').on('cases').columns(['assignee_id', 'status', 'next_due_at']).execute();
  await db.schema.createIndex('cases_by_buyer').on('cases').columns(['buyer_id', 'opened_at']).execute();

  for (const [table, extra] of [
    [
      'negotiation',
      (t: any) =>
        t
          .addColumn('remedy', 'text', (c: any) => c.notNull())
          .addColumn('amount_minor', 'bigint', (c: any) => c.notNull())
          .addColumn('comment', 'text', (c: any) => c.notNull()),
    ],
    ['messages', (t: any) => t.addColumn('text', 'text', (c: any) => c.notNull())],
  ] as const) {
    await extra(
      db.schema
        .createTable(table)
        .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['case_id', 'seq']),
    ).execute();
  }

  await db.schema
    .createTable('evidence_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'bigint')
    .addColumn('round', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_requests_by_case').on('evidence_requests').columns(['case_id']).execute();

  await db.schema
    .createTable('evidence')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text') // null: submitted before escalation
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('evidence_pk', ['case_id', 'seq'])
    .execute();
  await db.schema.createIndex('evidence_by_sha256').on('evidence').columns(['sha256']).execute();

  await db.schema
    .createTable('proposals')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('options', 'text', (c) => c.notNull()) // JSON
    .addColumn('recommended', 'text', (c) => c.notNull())
    .addColumn('recommendation_reason', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'bigint', (c) => c.notNull())
    .addColumn('reply_due_at', 'bigint', (c) => c.notNull())
    .addColumn('buyer_reply', 'text')
    .addColumn('buyer_replied_at', 'bigint')
    .addColumn('seller_reply', 'text')
    .addColumn('seller_replied_at', 'bigint')
    .addColumn('override_note', 'text')
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute();

  await db.schema
    .createTable('decisions')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull()) // 1 = first decision; higher = on appeal
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .addColumn('appeal_until', 'bigint')
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('decisions_pk', ['case_id', 'seq'])
    .execute();
  await db.schema.createIndex('decisions_by_decider').on('decisions').columns(['decided_by', 'decided_at']).execute();

  await db.schema
    .createTable('appeals')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('party', 'text', (c) => c.notNull())
    .addColumn('grounds', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('filed_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'bigint')
    .addColumn('review_reasons', 'text')
    .execute();

  await db.schema
    .createTable('refunds')
    .addColumn('case_id', 'text', (c) => c.primaryKey().references('cases.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('return_due_at', 'bigint')
    .addColumn('return_tracking_number', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deadlines')
    .addColumn('id', 'integer', id)
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('fired_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .execute();
  // Only pending rows are indexed, so "anything due?" is one index probe however large the table grows.
  await db.schema
    .createIndex('deadlines_pending')
    .on('deadlines')
    .columns(['due_at', 'id'])
    .where(sql.ref('fired_at'), 'is', null)
    .where(sql.ref('cancelled_at'), 'is', null)
    .execute();
  await db.schema.createIndex('deadlines_by_case').on('deadlines').columns(['case_id']).execute();

  await db.schema
    .createTable('case_events')
    .addColumn('id', 'integer', id)
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull()) // JSON
    .execute();
  await makeAppendOnly(db, 'case_events');
  await db.schema.createIndex('case_events_by_case').on('case_events').columns(['case_id', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('0001_initial is the first schema; there is nothing to go back to.');
}
