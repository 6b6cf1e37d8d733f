import type { Kysely } from 'kysely';
import { autoId, dialectOf, makeAppendOnly } from './dialect-helpers';

/**
 * Frozen once released: real accounts, sign-in throttling and sessions (issue 14).
 * - users: `active` (0 after deactivation; rows are never deleted, history names them),
 *   who deactivated it and when, when the password was last set. `failed_attempts` and
 *   `locked_until` (0001) become the account-wide counter for sign-ins from unknown sources,
 *   counted in a window that starts at `failure_window_start`.
 * - sign_in_throttle: failures per (account, source) and that pair's lock; the counter is
 *   raised by one UPDATE that also checks the lock (app/session/throttle.ts).
 * - known_sources: the (account, source) pairs that signed in successfully before; they keep
 *   signing in while an account-wide lock holds.
 * - sessions: one row per sign-in, named by the SHA-256 of its token (the token itself is
 *   never stored): created, last seen, where from, and when and why it ended.
 * - reset_codes: one outstanding one-time code per user (hashed), its expiry, attempts, use.
 * - first_run: one row, written in the transaction that creates the first supervisor, so
 *   two first-run submissions cannot both succeed (primary key).
 * - account_audit: append-only log of account events (not tied to a case).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('users').addColumn('deactivated_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('deactivated_by', 'text').execute();
  await db.schema.alterTable('users').addColumn('password_set_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('failure_window_start', 'bigint').execute();

  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_in_throttle_pk', ['user_id', 'source'])
    .execute();
  await db.schema.createIndex('sign_in_throttle_by_age').on('sign_in_throttle').columns(['updated_at']).execute();

  await db.schema
    .createTable('known_sources')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('known_sources_pk', ['user_id', 'source'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey()) // hex SHA-256 of the token
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('sessions_by_user').on('sessions').columns(['user_id', 'ended_at', 'created_at']).execute();

  await db.schema
    .createTable('reset_codes')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('first_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('account_audit')
    .addColumn('id', 'integer', autoId(dialectOf(db)))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  await makeAppendOnly(db, 'account_audit');
  await db.schema.createIndex('account_audit_by_subject').on('account_audit').columns(['subject', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['account_audit', 'first_run', 'reset_codes', 'sessions', 'known_sources', 'sign_in_throttle'])
    await db.schema.dropTable(t).execute();
  for (const c of ['failure_window_start', 'password_set_at', 'deactivated_by', 'deactivated_at', 'active'])
    await db.schema.alterTable('users').dropColumn(c).execute();
}
