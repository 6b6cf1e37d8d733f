import type { Kysely } from 'kysely';
import { autoId, dialectOf } from './dialect-helpers';

/**
 * Frozen once released: stored evidence files (issue 5).
 * - evidence_files: one row per distinct file (content-addressed by sha256) whose bytes are in
 *   the store (src-main/files/store.ts): the type from its magic bytes, its size, image facts
 *   (dimensions, EXIF capture time and device), the 64-bit perceptual hash as 16 hex digits and
 *   as two unsigned 32-bit halves (the reuse index loads those), the near-duplicate cluster it
 *   joined (the sha256 of the cluster's first image: the buyer score's photo key) and which
 *   derived copies exist. `evidence` rows (per case) point at it by sha256; a row there without
 *   one here is a file known only by its description (replay, imports without bytes).
 *   `seq` is the primary key, so each desktop's reuse index can catch up with `seq > last`;
 *   sha256 is unique (it names the file everywhere else).
 * - evidence_matches: "the newer file sha256 looks like the earlier other_sha256" (perceptual
 *   distance after the best flip/rotation), across every case and account.
 * Portable types and kysely's builder only, like 0001; the hash halves are bigint because
 * PostgreSQL's integer is signed 32-bit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evidence_files')
    .addColumn('seq', 'integer', autoId(dialectOf(db)))
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // image | video
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('frames', 'integer')
    .addColumn('captured_at', 'bigint') // epoch ms
    .addColumn('captured_at_has_offset', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('device', 'text')
    .addColumn('phash', 'text') // 16 hex digits
    .addColumn('phash_hi', 'bigint')
    .addColumn('phash_lo', 'bigint')
    .addColumn('cluster_key', 'text')
    .addColumn('variants', 'text', (c) => c.notNull().defaultTo('')) // 'display,thumb' or ''
    .addColumn('stored_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('evidence_matches')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('other_sha256', 'text', (c) => c.notNull())
    .addColumn('distance', 'integer', (c) => c.notNull())
    .addColumn('transform', 'text', (c) => c.notNull())
    .addColumn('found_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evidence_matches_pk', ['sha256', 'other_sha256'])
    .execute();
  await db.schema.createIndex('evidence_matches_by_other').on('evidence_matches').columns(['other_sha256']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence_matches').execute();
  await db.schema.dropTable('evidence_files').execute();
}
