import { dialectOf } from '../db/dialect';
import type { Db } from '../db/connect';
import { blobChunksIn } from '../db/repos/blobs';
import type { BlobStore } from '../files/blob-store';
import { ChunkedBlobStore } from '../files/chunked-store';
import { ContentStore, evidenceDirFor } from '../files/store';

/**
 * Where evidence bytes live, chosen with the database: a PostgreSQL database (a team's
 * server, or PGlite in tests) keeps them itself, in 1 MiB chunks (migrations/0007), so every
 * desktop sharing it serves every file; a SQLite file keeps them in the evidence folder beside
 * it (evidenceDirFor). An explicit `evidenceDir` always means the folder.
 */
export function openEvidenceStore(
  db: Db,
  opts: { databaseUrl?: string | undefined; dataDir: string; evidenceDir?: string | undefined; now?: () => number },
): BlobStore {
  if (!opts.evidenceDir && dialectOf(db) === 'postgres') return new ChunkedBlobStore(blobChunksIn(db), 'the team database', opts.now);
  return new ContentStore(opts.evidenceDir ?? evidenceDirFor(opts.databaseUrl, opts.dataDir));
}
