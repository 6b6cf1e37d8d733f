import type { Kysely } from 'kysely';

/**
 * Frozen once released: what photo matching keeps per image (issue 15).
 * - evidence_files.match_sig: a short text (hex) the reuse index loads for every image and
 *   scans to find candidates that the perceptual hash misses (a cropped, bordered or tilted
 *   copy): the hash of the trimmed, centred object and its mean colour. Null for videos and for
 *   images stored before this migration.
 * - evidence_prints: the local features and the tiny colour copy each candidate is verified
 *   with before a match is recorded (~12–16 kB of base64 per image, read only for candidates),
 *   kept apart so the evidence tables' other reads do not carry them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('evidence_files').addColumn('match_sig', 'text').execute();
  await db.schema
    .createTable('evidence_prints')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('print', 'text', (c) => c.notNull())
    .execute();
}
