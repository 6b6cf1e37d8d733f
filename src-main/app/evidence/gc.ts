import { chunks } from '../../db/batch';
import { recordedShas } from '../../db/repos/evidence';
import type { Reader } from '../../db/tx';
import type { BlobStore, StoredOriginal } from '../../files/blob-store';

const HOUR = 3_600_000;

export interface GcReport {
  /** Originals found in the store. */
  scanned: number;
  /** Originals without an evidence_files row, older than the grace period. */
  orphans: number;
  removed: number;
  removedBytes: number;
  /** Originals without a row but younger than the grace period: possibly a submission still in flight. */
  young: number;
}

/**
 * Removes stored files no database row refers to, from either store (the evidence folder or
 * the team database's blobs). They come from submissions the engine refused after the bytes
 * were stored (the bytes are written before the transaction that records them); they are
 * never served, only take space. The database is the authority: an object is an orphan when
 * evidence_files has no row for its sha256. A grace period (default one hour, by the time the
 * object was stored against the injected `now`) keeps files whose transaction may still be
 * about to commit. The database store also drops the chunks of uploads a crash interrupted.
 */
export async function collectOrphans(
  db: Reader,
  store: BlobStore & { sweepUploads?: () => Promise<number> },
  opts: { now: number; graceMs?: number; dryRun?: boolean },
): Promise<GcReport> {
  const graceMs = opts.graceMs ?? HOUR;
  const report: GcReport = { scanned: 0, orphans: 0, removed: 0, removedBytes: 0, young: 0 };
  const candidates: StoredOriginal[] = [];
  for await (const original of store.listOriginals()) {
    report.scanned++;
    candidates.push(original);
  }
  for (const batch of chunks(candidates, 500)) {
    const known = await recordedShas(
      db,
      batch.map((c) => c.sha256),
    );
    for (const { sha256, storedAt } of batch) {
      if (known.has(sha256)) continue;
      if (opts.now - storedAt < graceMs) {
        report.young++;
        continue;
      }
      report.orphans++;
      if (opts.dryRun) continue;
      report.removedBytes += await store.remove(sha256);
      report.removed++;
    }
  }
  if (!opts.dryRun && store.sweepUploads) await store.sweepUploads();
  return report;
}
