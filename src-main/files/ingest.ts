import { AppFailure } from '../contract/errors';
import type { ImageFacts } from './analyze';
import type { QueueKey } from './fair-queue';
import type { SniffedType } from './sniff';
import type { BlobStore, PutResult, StoreLimits } from './blob-store';

/**
 * One file's way in: stream → store (type from the bytes, size limit while counting, sha256)
 * → videos: the whole container walked in the store; images: analyse (images: dimensions, EXIF, perceptual hash and its 8 flip/rotation variants,
 * display copy and thumbnail, in a worker thread) → the derived copies into the store. What
 * comes out is everything the database row needs; recording it is the caller's transaction.
 */

export interface Analyzer {
  /** `key`: whose work it is, for the pool's fair share between feeds and cases (fair-queue.ts). */
  analyze(bytes: Buffer, sniffed: SniffedType, options?: { key?: QueueKey }): Promise<ImageFacts>;
}

export interface IngestOptions {
  /** The sanitised name, for messages. */
  name: string;
  /** The whole size when known before reading (a file on disk, decoded base64). */
  totalBytes?: number;
  analyzer: Analyzer;
  /** Whose work the analysis is (a feed and a case); default: the desk. */
  queueKey?: QueueKey;
  /** True when these bytes were already analysed (their row exists): analysis is skipped. */
  alreadyKnown?: (sha256: string) => Promise<boolean>;
}

export interface IngestedFile {
  sha256: string;
  sizeBytes: number;
  sniffed: SniffedType;
  /** Image facts; null for videos and for bytes already known. */
  facts: Omit<ImageFacts, 'display' | 'thumb'> | null;
  /** Derived copies written ('display', 'thumb'). */
  variants: Array<'display' | 'thumb'>;
}

export async function ingestFile(
  store: BlobStore,
  source: AsyncIterable<Uint8Array> | Uint8Array,
  limits: StoreLimits,
  opts: IngestOptions,
): Promise<IngestedFile> {
  // Loaded on first use: analyze.ts brings libvips, which an import without files never needs.
  const { checkVideoHead } = await import('./analyze');
  const put = await store.put(source, limits, {
    name: opts.name,
    ...(opts.totalBytes !== undefined ? { totalBytes: opts.totalBytes } : {}),
    checkHead: (head, sniffed) => {
      if (sniffed.kind === 'video') withName(opts.name, () => checkVideoHead(head, sniffed));
    },
  });
  const base = { sha256: put.sha256, sizeBytes: put.sizeBytes, sniffed: put.sniffed };
  if (put.sniffed.kind !== 'image') {
    await checkStoredVideo(store, put, opts.name);
    return { ...base, facts: null, variants: [] };
  }
  if (!put.created && opts.alreadyKnown && (await opts.alreadyKnown(put.sha256))) return { ...base, facts: null, variants: [] };

  // Images are at most maxImageBytes (a few MB): read back from the store, which is the copy we keep.
  const bytes = await store.readAll(put.sha256, 'original');
  if (!bytes) throw new Error(`evidence ${put.sha256} vanished from the store right after it was written`);
  const { display, thumb, ...facts } = await withNameAsync(opts.name, () =>
    opts.analyzer.analyze(bytes, put.sniffed, opts.queueKey ? { key: opts.queueKey } : {}),
  );
  await store.putDerived(put.sha256, 'display', display);
  await store.putDerived(put.sha256, 'thumb', thumb);
  return { ...base, facts, variants: ['display', 'thumb'] };
}

/**
 * A video's whole container, walked in the store (streaming: headers only, media data skipped).
 * Bytes this put created and the walk refuses are removed again; bytes that were already there
 * (recorded under an earlier, laxer check) are left to their row.
 */
async function checkStoredVideo(store: BlobStore, put: PutResult, name: string): Promise<void> {
  const { blobAccess, checkVideoContainer } = await import('./video-container');
  try {
    await withNameAsync(name, async () => checkVideoContainer(await blobAccess(store, put.sha256), put.sniffed));
  } catch (e) {
    if (put.created) await store.remove(put.sha256).catch(() => 0);
    throw e;
  }
}

/** The analysers' refusals speak of "This JPEG image …"; a support agent also needs to know which file. */
function named(name: string, e: unknown): unknown {
  if (!(e instanceof AppFailure) || e.message.startsWith(name)) return e;
  const out = new AppFailure(e.code, `${name}: ${e.message}`, e.field);
  out.logged = e.logged;
  return out;
}
function withName(name: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    throw named(name, e);
  }
}
async function withNameAsync<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw named(name, e);
  }
}
