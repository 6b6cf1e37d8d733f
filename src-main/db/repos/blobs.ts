import { sql } from 'kysely';
import { underWriteGate, type Reader } from '../tx';

/**
 * Rows of migrations/0007: evidence bytes in the database, the team's blob store
 * (src-main/files/chunked-store.ts holds the logic; this is its SQL). Each call is one
 * statement or one short transaction of its own, never the command's transaction: bytes are
 * stored before the transaction that records the evidence row, exactly like the folder store.
 * Shaped to satisfy files/chunked-store.ts `BlobChunkBackend` (db/ does not import files/).
 */

type VariantName = 'original' | 'display' | 'thumb';

export interface BlobHeadRow {
  blobId: string;
  sizeBytes: number;
  chunkBytes: number;
  chunkCount: number;
  storedAt: number;
}

interface NamedBlob extends BlobHeadRow {
  sha256: string;
  variant: VariantName;
}

/** A bytea parameter: node-postgres wants a Buffer, and so does better-sqlite3. */
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

export function blobChunksIn(db: Reader) {
  const headRow = (b: NamedBlob) => ({
    sha256: b.sha256,
    variant: b.variant,
    blob_id: b.blobId,
    size_bytes: b.sizeBytes,
    chunk_bytes: b.chunkBytes,
    chunk_count: b.chunkCount,
    stored_at: b.storedAt,
  });
  const deleteChunks = (handle: Reader, blobIds: string[]) =>
    blobIds.length ? handle.deleteFrom('evidence_blob_chunks').where('blob_id', 'in', blobIds).execute() : Promise.resolve();

  return {
    async writeChunk(blobId: string, n: number, bytes: Uint8Array, now: number): Promise<void> {
      await db
        .insertInto('evidence_blob_chunks')
        .values({ blob_id: blobId, n, bytes: asBuffer(bytes), written_at: now })
        .execute();
    },

    async nameBlob(blob: NamedBlob): Promise<boolean> {
      const r = await db
        .insertInto('evidence_blobs')
        .values(headRow(blob))
        .onConflict((oc) => oc.columns(['sha256', 'variant']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async replaceBlob(blob: NamedBlob): Promise<void> {
      await underWriteGate(db, () =>
        db.transaction().execute(async (tx) => {
          const old = await tx
            .selectFrom('evidence_blobs')
            .select('blob_id')
            .where('sha256', '=', blob.sha256)
            .where('variant', '=', blob.variant)
            .executeTakeFirst();
          await tx
            .insertInto('evidence_blobs')
            .values(headRow(blob))
            .onConflict((oc) =>
              oc.columns(['sha256', 'variant']).doUpdateSet({
                blob_id: blob.blobId,
                size_bytes: blob.sizeBytes,
                chunk_bytes: blob.chunkBytes,
                chunk_count: blob.chunkCount,
                stored_at: blob.storedAt,
              }),
            )
            .execute();
          if (old && old.blob_id !== blob.blobId) await deleteChunks(tx, [old.blob_id]);
        }),
      );
    },

    async dropUpload(blobId: string): Promise<void> {
      // Only an upload no blob names: a named one is removed with removeBlobs.
      await db
        .deleteFrom('evidence_blob_chunks')
        .where('blob_id', '=', blobId)
        .where('blob_id', 'not in', (q) => q.selectFrom('evidence_blobs').select('blob_id').where('blob_id', '=', blobId))
        .execute();
    },

    async headOf(sha256: string, variant: VariantName): Promise<BlobHeadRow | null> {
      const r = await db
        .selectFrom('evidence_blobs')
        .select(['blob_id', 'size_bytes', 'chunk_bytes', 'chunk_count', 'stored_at'])
        .where('sha256', '=', sha256)
        .where('variant', '=', variant)
        .executeTakeFirst();
      return r
        ? {
            blobId: r.blob_id,
            sizeBytes: Number(r.size_bytes),
            chunkBytes: Number(r.chunk_bytes),
            chunkCount: Number(r.chunk_count),
            storedAt: Number(r.stored_at),
          }
        : null;
    },

    async readChunk(blobId: string, n: number): Promise<Uint8Array | null> {
      const r = await db
        .selectFrom('evidence_blob_chunks')
        .select('bytes')
        .where('blob_id', '=', blobId)
        .where('n', '=', n)
        .executeTakeFirst();
      return r ? r.bytes : null;
    },

    async originals(afterSha256: string, limit: number): Promise<Array<{ sha256: string; storedAt: number }>> {
      const rows = await db
        .selectFrom('evidence_blobs')
        .select(['sha256', 'stored_at'])
        .where('variant', '=', 'original')
        .where('sha256', '>', afterSha256)
        .orderBy('sha256')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ sha256: r.sha256, storedAt: Number(r.stored_at) }));
    },

    async removeBlobs(sha256: string): Promise<number> {
      return underWriteGate(db, () =>
        db.transaction().execute(async (tx) => {
          const blobs = await tx.selectFrom('evidence_blobs').select(['blob_id', 'size_bytes']).where('sha256', '=', sha256).execute();
          await tx.deleteFrom('evidence_blobs').where('sha256', '=', sha256).execute();
          await deleteChunks(
            tx,
            blobs.map((b) => b.blob_id),
          );
          return blobs.reduce((sum, b) => sum + Number(b.size_bytes), 0);
        }),
      );
    },

    async sweepUploads(before: number): Promise<number> {
      const r = await db
        .deleteFrom('evidence_blob_chunks')
        .where('written_at', '<', before)
        .where('blob_id', 'not in', (q) => q.selectFrom('evidence_blobs').select('blob_id'))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** Total bytes in named blobs (figures, tests). */
    async storedBytes(): Promise<number> {
      const r = await db
        .selectFrom('evidence_blobs')
        .select(sql<number>`coalesce(sum(size_bytes), 0)`.as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
