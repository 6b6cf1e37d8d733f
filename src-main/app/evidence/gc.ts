import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { chunks } from '../../db/batch';
import { recordedShas } from '../../db/repos/evidence';
import type { Reader } from '../../db/tx';
import type { ContentStore } from '../../files/store';
import { SHA256_HEX } from '../../contract/primitives';

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
 * Removes stored files no database row refers to. They come from submissions the engine
 * refused after the bytes were stored (the bytes are written before the transaction that
 * records them); they are never served, only take space. The database is the authority:
 * an object is an orphan when evidence_files has no row for its sha256. A grace period
 * (default one hour, by the object's modification time against the injected `now`) keeps
 * files whose transaction may still be about to commit.
 */
export async function collectOrphans(
  db: Reader,
  store: ContentStore,
  opts: { now: number; graceMs?: number; dryRun?: boolean },
): Promise<GcReport> {
  const graceMs = opts.graceMs ?? HOUR;
  const report: GcReport = { scanned: 0, orphans: 0, removed: 0, removedBytes: 0, young: 0 };
  const candidates: string[] = [];
  for (const sha256 of await storedOriginals(store.rootDir)) {
    report.scanned++;
    candidates.push(sha256);
  }
  for (const batch of chunks(candidates, 500)) {
    const known = await recordedShas(db, batch);
    for (const sha256 of batch) {
      if (known.has(sha256)) continue;
      const original = store.pathOf(sha256, 'original');
      const info = await stat(original).catch(() => null);
      if (!info) continue;
      if (opts.now - info.mtimeMs < graceMs) {
        report.young++;
        continue;
      }
      report.orphans++;
      if (opts.dryRun) continue;
      for (const variant of ['original', 'display', 'thumb'] as const) {
        const path = store.pathOf(sha256, variant);
        const size = (await stat(path).catch(() => null))?.size ?? 0;
        if (
          await unlink(path).then(
            () => true,
            () => false,
          )
        )
          report.removedBytes += size;
      }
      report.removed++;
    }
  }
  return report;
}

/** The sha256 names under objects/aa/bb/, skipping anything that is not one. */
async function storedOriginals(rootDir: string): Promise<string[]> {
  const out: string[] = [];
  const dirs = async (path: string) =>
    (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name));
  const objects = join(rootDir, 'objects');
  for (const a of await dirs(objects))
    for (const b of await dirs(join(objects, a.name)))
      for (const f of await readdir(join(objects, a.name, b.name), { withFileTypes: true }))
        if (f.isFile() && SHA256_HEX.test(f.name) && f.name.startsWith(a.name + b.name)) out.push(f.name);
  return out;
}
