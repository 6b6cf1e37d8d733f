import type { Kysely } from 'kysely';
import { dialectOf } from './dialect-helpers';

/**
 * Frozen once released: evidence bytes in the database (the team's blob store).
 * - evidence_blob_chunks: the bytes of one upload in chunks of at most 1 MiB, numbered from 0.
 *   `blob_id` is a random id given when the upload starts (the sha256 is known only once the
 *   last byte has streamed past); `written_at` (epoch ms) lets a sweep drop the chunks of an
 *   upload that never finished.
 * - evidence_blobs: a finished blob, content-addressed: (sha256, variant) → the upload that
 *   holds its bytes, its size, chunk size and count. Its row is written last, in one statement,
 *   so a blob is either whole or absent; chunks without a row here are never read.
 * `variant` is original | display | thumb. PostgreSQL stores the chunks as bytea (TOASTed
 * out of line, uncompressed for already-compressed media), SQLite as a blob; only a
 * PostgreSQL desk uses these tables (a SQLite desk keeps its evidence folder).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = dialectOf(db) === 'sqlite' ? 'blob' : 'bytea';
  await db.schema
    .createTable('evidence_blob_chunks')
    .addColumn('blob_id', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('written_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_blob_chunks_pk', ['blob_id', 'n'])
    .execute();

  await db.schema
    .createTable('evidence_blobs')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('variant', 'text', (c) => c.notNull())
    .addColumn('blob_id', 'text', (c) => c.notNull().unique())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('chunk_bytes', 'integer', (c) => c.notNull())
    .addColumn('chunk_count', 'integer', (c) => c.notNull())
    .addColumn('stored_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_blobs_pk', ['sha256', 'variant'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence_blobs').execute();
  await db.schema.dropTable('evidence_blob_chunks').execute();
}
