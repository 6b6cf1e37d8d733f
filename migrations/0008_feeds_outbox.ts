import type { Kysely } from 'kysely';
import { autoId, dialectOf } from './dialect-helpers';

/**
 * Frozen once released: the marketplace connection (../shared/spec/FEED.md).
 * - feeds: one row per connection; the token only as its sha256 (a revoked row keeps its
 *   name so `feed list` still shows it); the webhook URL and its signing secret (needed in
 *   clear to sign); the webhook delivery state (last delivered seq, attempts, last error,
 *   when to try again) so deliveries survive a restart.
 * - feed_cases: which feed imported a case (cases imported by the CLI or the demo have no
 *   row and belong to no feed). A feed acts on and hears about its own cases only.
 * - feed_outbox: the transactional outbox, written in the transaction of the change; seq
 *   only grows. Rows are kept (the cursor may start from 0).
 * - feed_idempotency: every call's key, body hash and answer, written with its effect.
 * - refunds.reference / refunds.failure_reason: refund.update's stage details.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('feeds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('webhook_url', 'text')
    .addColumn('webhook_secret', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_seen_at', 'bigint')
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_error', 'text')
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_delivered_at', 'bigint')
    .addColumn('delivered_batches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_attempts_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .execute();
  await db.schema
    .createTable('feed_cases')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('feed_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('feed_outbox')
    .addColumn('seq', 'integer', autoId(dialect))
    .addColumn('feed_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('feed_outbox_by_feed').on('feed_outbox').columns(['feed_id', 'seq']).execute();
  await db.schema
    .createTable('feed_idempotency')
    .addColumn('feed_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('feed_idempotency_pk', ['feed_id', 'key'])
    .execute();
  await db.schema.createIndex('feed_idempotency_by_created').on('feed_idempotency').columns(['created_at']).execute();
  await db.schema.alterTable('refunds').addColumn('reference', 'text').execute();
  await db.schema.alterTable('refunds').addColumn('failure_reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refunds').dropColumn('failure_reason').execute();
  await db.schema.alterTable('refunds').dropColumn('reference').execute();
  await db.schema.dropTable('feed_idempotency').execute();
  await db.schema.dropTable('feed_outbox').execute();
  await db.schema.dropTable('feed_cases').execute();
  await db.schema.dropTable('feeds').execute();
}
