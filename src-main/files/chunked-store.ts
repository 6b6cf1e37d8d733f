import { createHash, randomBytes } from 'node:crypto';
import {
  CheckedSource,
  checkSha256,
  type BlobStore,
  type PutOptions,
  type PutResult,
  type StoreLimits,
  type StoredOriginal,
  type Variant,
  type VerifyResult,
} from './blob-store';

/**
 * A blob store over numbered chunks in a database (db/repos/blobs.ts on the team's
 * PostgreSQL). An upload streams into chunks of CHUNK_BYTES under a fresh random id, because
 * the sha256 is known only after the last byte; then ONE statement names it
 * (sha256, variant) → id. Until then nothing can read it; if the same bytes are already
 * named, the new chunks are dropped. A refused put (type, size) drops what it wrote; an upload
 * a crash interrupted is swept after an hour. Reads fetch one chunk at a time, only the chunks
 * a range touches, so a 100 MB video never sits in memory and a seek costs one or two chunks.
 */

export const CHUNK_BYTES = 1 << 20;
/** Chunks of an upload older than this, never named, are a crash's left-overs. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;

export interface BlobHead {
  blobId: string;
  sizeBytes: number;
  chunkBytes: number;
  chunkCount: number;
  storedAt: number;
}

/** What the store needs from the database: implemented by db/repos/blobs.ts (all the SQL). */
export interface BlobChunkBackend {
  writeChunk(blobId: string, n: number, bytes: Uint8Array, now: number): Promise<void>;
  /** Names a finished upload; false (and nothing changed) when (sha256, variant) already exists. */
  nameBlob(head: BlobHead & { sha256: string; variant: Variant }): Promise<boolean>;
  /** Names a finished upload, replacing (and deleting the chunks of) the previous one. */
  replaceBlob(head: BlobHead & { sha256: string; variant: Variant }): Promise<void>;
  dropUpload(blobId: string): Promise<void>;
  headOf(sha256: string, variant: Variant): Promise<BlobHead | null>;
  readChunk(blobId: string, n: number): Promise<Uint8Array | null>;
  /** Originals, in pages after `afterSha256`. */
  originals(afterSha256: string, limit: number): Promise<StoredOriginal[]>;
  /** Deletes the blobs of sha256 (every variant) and their chunks; the bytes freed. */
  removeBlobs(sha256: string): Promise<number>;
  /** Deletes chunks of uploads never named, written before `before`; how many chunks. */
  sweepUploads(before: number): Promise<number>;
}

export class ChunkedBlobStore implements BlobStore {
  readonly kind = 'database' as const;
  private swept = false;

  constructor(
    private readonly backend: BlobChunkBackend,
    readonly location = 'the team database',
    private readonly now: () => number = Date.now,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {}

  async put(source: AsyncIterable<Uint8Array> | Uint8Array, limits: StoreLimits, opts: PutOptions = {}): Promise<PutResult> {
    await this.sweepOnce();
    const checked = new CheckedSource(source, limits, opts);
    const blobId = newBlobId();
    const started = this.now();
    let n = 0;
    try {
      for await (const chunk of rechunk(checked.chunks(), this.chunkBytes)) await this.backend.writeChunk(blobId, n++, chunk, started);
      const sha256 = checked.digest();
      const created = await this.backend.nameBlob({
        sha256,
        variant: 'original',
        blobId,
        sizeBytes: checked.size,
        chunkBytes: this.chunkBytes,
        chunkCount: n,
        storedAt: this.now(),
      });
      if (!created) await this.backend.dropUpload(blobId);
      return { sha256, sizeBytes: checked.size, sniffed: checked.sniffed!, created };
    } catch (e) {
      await this.backend.dropUpload(blobId).catch(() => {});
      throw e;
    }
  }

  async putDerived(sha256: string, variant: 'display' | 'thumb', bytes: Uint8Array): Promise<void> {
    checkSha256(sha256);
    const blobId = newBlobId();
    const now = this.now();
    let n = 0;
    try {
      for (let off = 0; off < bytes.byteLength || n === 0; off += this.chunkBytes)
        await this.backend.writeChunk(blobId, n++, bytes.subarray(off, off + this.chunkBytes), now);
      await this.backend.replaceBlob({
        sha256,
        variant,
        blobId,
        sizeBytes: bytes.byteLength,
        chunkBytes: this.chunkBytes,
        chunkCount: n,
        storedAt: now,
      });
    } catch (e) {
      await this.backend.dropUpload(blobId).catch(() => {});
      throw e;
    }
  }

  async has(sha256: string, variant: Variant = 'original'): Promise<boolean> {
    return (await this.sizeOf(sha256, variant)) !== null;
  }

  async sizeOf(sha256: string, variant: Variant): Promise<number | null> {
    checkSha256(sha256);
    return (await this.backend.headOf(sha256, variant))?.sizeBytes ?? null;
  }

  async *read(sha256: string, variant: Variant, range?: { start: number; end: number }): AsyncIterable<Uint8Array> {
    checkSha256(sha256);
    const head = await this.backend.headOf(sha256, variant);
    if (!head) throw new Error(`evidence blob ${sha256} (${variant}) is not stored`);
    yield* this.chunksOf(head, range?.start ?? 0, range?.end ?? head.sizeBytes - 1);
  }

  async readAll(sha256: string, variant: Variant): Promise<Buffer | null> {
    checkSha256(sha256);
    const head = await this.backend.headOf(sha256, variant);
    if (!head) return null;
    const parts: Uint8Array[] = [];
    for await (const c of this.chunksOf(head, 0, head.sizeBytes - 1)) parts.push(c);
    return Buffer.concat(parts);
  }

  async verify(sha256: string): Promise<VerifyResult> {
    checkSha256(sha256);
    const head = await this.backend.headOf(sha256, 'original');
    if (!head) return { intact: false, present: false, sizeBytes: 0 };
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const c of this.chunksOf(head, 0, head.sizeBytes - 1)) {
        size += c.byteLength;
        hash.update(c);
      }
    } catch {
      // A chunk is missing or short: the blob is not what was stored.
      return { intact: false, present: true, sizeBytes: size };
    }
    return { intact: size === head.sizeBytes && hash.digest('hex') === sha256, present: true, sizeBytes: size };
  }

  async *listOriginals(): AsyncIterable<StoredOriginal> {
    let after = '';
    for (;;) {
      const page = await this.backend.originals(after, 500);
      yield* page;
      if (page.length < 500) return;
      after = page[page.length - 1]!.sha256;
    }
  }

  async remove(sha256: string): Promise<number> {
    checkSha256(sha256);
    return this.backend.removeBlobs(sha256);
  }

  /** Drops the chunks of uploads a crash interrupted; gc calls it too. */
  async sweepUploads(): Promise<number> {
    return this.backend.sweepUploads(this.now() - STALE_UPLOAD_MS);
  }

  private async sweepOnce(): Promise<void> {
    if (this.swept) return;
    this.swept = true;
    await this.sweepUploads().catch(() => {});
  }

  /** The bytes [start, end] of a blob: only the chunks they fall in, one query each. */
  private async *chunksOf(head: BlobHead, start: number, end: number): AsyncIterable<Uint8Array> {
    if (head.sizeBytes === 0 || end < start) return;
    const first = Math.floor(start / head.chunkBytes);
    const last = Math.floor(end / head.chunkBytes);
    for (let n = first; n <= last; n++) {
      const bytes = await this.backend.readChunk(head.blobId, n);
      const base = n * head.chunkBytes;
      const expected = Math.min(head.chunkBytes, head.sizeBytes - base);
      if (!bytes || bytes.byteLength !== expected) throw new Error(`evidence blob chunk ${n} of ${head.blobId} is missing or short`);
      const from = Math.max(0, start - base);
      const to = Math.min(bytes.byteLength, end - base + 1);
      yield from === 0 && to === bytes.byteLength ? bytes : bytes.subarray(from, to);
    }
  }
}

const newBlobId = (): string => randomBytes(16).toString('hex');

/** Re-slices a stream into pieces of exactly `size` bytes (the last one shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  let buf = Buffer.allocUnsafe(size);
  let used = 0;
  for await (const chunk of source) {
    let off = 0;
    while (off < chunk.byteLength) {
      const take = Math.min(size - used, chunk.byteLength - off);
      buf.set(chunk.subarray(off, off + take), used);
      used += take;
      off += take;
      if (used === size) {
        yield buf;
        buf = Buffer.allocUnsafe(size);
        used = 0;
      }
    }
  }
  if (used) yield buf.subarray(0, used);
}
