import type { BlobStore, StoreLimits, Variant } from '../../files/blob-store';

/**
 * Moves evidence bytes from one blob store to another (the local folder into a team's
 * PostgreSQL, `cli evidence migrate`). Each original is streamed in with its name as the
 * expected sha256 (bytes that do not hash to their name are refused and reported, never
 * stored), then read back and verified in the target; its derived copies follow. Resumable:
 * an original the target already holds intact is skipped, so a run cut short is simply run
 * again. The source is never changed.
 */
export interface MigrateReport {
  originals: number;
  copied: number;
  alreadyThere: number;
  derivedCopied: number;
  bytesCopied: number;
  /** Originals that could not be moved, with why (bytes not matching their name, a refused type). */
  failed: Array<{ sha256: string; reason: string }>;
}

/** The source's bytes were accepted once already: the limits here only bound a single blob's size. */
const NO_KIND_LIMIT: StoreLimits = { maxImageBytes: 4 * 1024 ** 3, maxVideoBytes: 4 * 1024 ** 3 };
const DERIVED: Array<Extract<Variant, 'display' | 'thumb'>> = ['display', 'thumb'];

export async function migrateBlobs(
  from: BlobStore,
  to: BlobStore,
  opts: { onProgress?: (r: MigrateReport) => void; limits?: StoreLimits } = {},
): Promise<MigrateReport> {
  const report: MigrateReport = { originals: 0, copied: 0, alreadyThere: 0, derivedCopied: 0, bytesCopied: 0, failed: [] };
  for await (const { sha256 } of from.listOriginals()) {
    report.originals++;
    try {
      if ((await to.verify(sha256)).intact) report.alreadyThere++;
      else {
        const put = await to.put(from.read(sha256, 'original'), opts.limits ?? NO_KIND_LIMIT, { expectSha256: sha256, name: sha256 });
        const check = await to.verify(sha256);
        if (!check.intact) throw new Error('the copy in the target did not verify');
        report.copied++;
        report.bytesCopied += put.sizeBytes;
      }
      for (const variant of DERIVED) {
        if (await to.has(sha256, variant)) continue;
        const bytes = await from.readAll(sha256, variant);
        if (!bytes) continue;
        await to.putDerived(sha256, variant, bytes);
        report.derivedCopied++;
      }
    } catch (e) {
      report.failed.push({ sha256, reason: e instanceof Error ? e.message : String(e) });
    }
    opts.onProgress?.(report);
  }
  return report;
}
