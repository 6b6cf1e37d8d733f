import { createHash, type Hash } from 'node:crypto';
import { AppFailure } from '../contract/errors';
import { SHA256_HEX } from '../contract/primitives';
import { SNIFF_BYTES, sniffType, UNSUPPORTED_TYPE_MESSAGE, type SniffedType } from './sniff';

/**
 * The one interface to evidence bytes, content-addressed by sha256. Two implementations:
 *
 * - the evidence folder next to the SQLite file (`ContentStore`, store.ts): the default, one
 *   desktop;
 * - the team database (`ChunkedBlobStore` below over db/repos/blobs.ts): PostgreSQL rows of
 *   1 MiB chunks, so every desktop sharing the server serves every file.
 *
 * runtime/core.ts picks one with the database. Both keep the same guarantees: a blob is
 * written (and its sha256 checked) BEFORE the transaction that records its evidence_files
 * row; a blob is whole or absent (never half-visible); a blob without a row is unreachable
 * (serving and listing go by the rows) and `evidence-gc` removes it; a range reads only the
 * bytes (chunks) it needs.
 */

export type Variant = 'original' | 'display' | 'thumb';

export interface StoreLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

export interface PutOptions {
  /** The file's (sanitised) name, for messages a support agent can pass on. */
  name?: string;
  /** The whole size when known up front (a file on disk, decoded base64): the message then says how big it is. */
  totalBytes?: number;
  /** Extra checks on the first bytes once the type is known (e.g. a video container's brand); throws AppFailure. */
  checkHead?: (head: Uint8Array, sniffed: SniffedType) => void;
  /** The sha256 the sender announced: other bytes are refused (VALIDATION) and nothing is kept. */
  expectSha256?: string;
}

export interface PutResult {
  sha256: string;
  sizeBytes: number;
  sniffed: SniffedType;
  /** False when the same bytes were already stored (the new copy was dropped). */
  created: boolean;
}

export interface VerifyResult {
  intact: boolean;
  present: boolean;
  sizeBytes: number;
}

/** An original in the store, for the garbage collector. */
export interface StoredOriginal {
  sha256: string;
  /** When it was stored (epoch ms): the file's modification time, or the row's stored_at. */
  storedAt: number;
}

export interface BlobStore {
  /** 'folder' (evidence folder on this computer) or 'database' (the team's server). */
  readonly kind: 'folder' | 'database';
  /** Where the bytes live, for messages and the gc report (a folder path, or "the database"). */
  readonly location: string;
  /**
   * Streams `source` in. The type comes from the first bytes (UNSUPPORTED_FILE before anything
   * is kept); the limit of that kind is enforced while counting (FILE_TOO_LARGE, nothing kept).
   */
  put(source: AsyncIterable<Uint8Array> | Uint8Array, limits: StoreLimits, opts?: PutOptions): Promise<PutResult>;
  /** Writes a derived copy (display / thumb); a newer copy replaces the old one. */
  putDerived(sha256: string, variant: 'display' | 'thumb', bytes: Uint8Array): Promise<void>;
  has(sha256: string, variant?: Variant): Promise<boolean>;
  /** The stored size, or null when the bytes are not here. */
  sizeOf(sha256: string, variant: Variant): Promise<number | null>;
  /** The bytes [start, end] (inclusive; default the whole blob), streamed; throws when absent. */
  read(sha256: string, variant: Variant, range?: { start: number; end: number }): AsyncIterable<Uint8Array>;
  /** The whole blob in memory (images: a few MB); null when absent. */
  readAll(sha256: string, variant: Variant): Promise<Buffer | null>;
  /** Re-reads the original and compares its sha256 with its name ("evidence intact"). */
  verify(sha256: string): Promise<VerifyResult>;
  /** Every stored original (garbage collection). */
  listOriginals(): AsyncIterable<StoredOriginal>;
  /** Removes an original and its derived copies; the bytes freed. */
  remove(sha256: string): Promise<number>;
}

/** A blob is named by a validated sha256 only: a name never comes from outside. */
export function checkSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256))
    throw new AppFailure('VALIDATION', 'An evidence file is named by its sha256: 64 lowercase hex digits.', 'sha256');
}

/**
 * The checks every put makes, whatever the store: hold bytes back until the type is known from
 * the head (SNIFF_BYTES), then count against that kind's limit and hash while passing them on.
 * After the iteration, `sniffed`, `size` and `digest()` describe what went through.
 */
export class CheckedSource {
  sniffed: SniffedType | null = null;
  size = 0;
  private readonly hash: Hash = createHash('sha256');
  private max = 0;

  constructor(
    private readonly source: AsyncIterable<Uint8Array> | Uint8Array,
    private readonly limits: StoreLimits,
    private readonly opts: PutOptions,
  ) {}

  /** The sha256 of what went through; throws (VALIDATION) when it is not the one announced. */
  digest(): string {
    const sha256 = this.hash.digest('hex');
    const expected = this.opts.expectSha256;
    if (expected !== undefined && expected !== sha256)
      throw new AppFailure(
        'VALIDATION',
        `${this.opts.name ?? 'The file'} does not match its sha256: expected ${expected.slice(0, 12)}…, received ${sha256.slice(0, 12)}….`,
        'sha256',
      );
    return sha256;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    const name = this.opts.name ?? 'The file';
    let head: Uint8Array = new Uint8Array(0);
    const pending: Uint8Array[] = [];
    const decide = () => {
      const sniffed = sniffType(head);
      if (!sniffed) throw new AppFailure('UNSUPPORTED_FILE', unsupportedMessage(name));
      this.opts.checkHead?.(head, sniffed);
      this.max = sniffed.kind === 'image' ? this.limits.maxImageBytes : this.limits.maxVideoBytes;
      this.sniffed = sniffed;
    };
    const count = (chunk: Uint8Array) => {
      this.size += chunk.byteLength;
      if (this.size > this.max)
        throw new AppFailure('FILE_TOO_LARGE', tooLargeMessage(name, this.sniffed!.kind, this.max, this.opts.totalBytes ?? null));
      this.hash.update(chunk);
      return chunk;
    };
    for await (const chunk of chunksOf(this.source)) {
      if (!chunk.byteLength) continue;
      if (this.sniffed) {
        yield count(chunk);
        continue;
      }
      // Hold chunks back until the head is long enough to tell the type.
      pending.push(chunk);
      head = concat(head, chunk.subarray(0, Math.max(0, SNIFF_BYTES - head.byteLength)));
      if (head.byteLength < SNIFF_BYTES) continue;
      decide();
      for (const c of pending.splice(0)) yield count(c);
    }
    if (!this.sniffed) {
      if (!head.byteLength) throw new AppFailure('UNSUPPORTED_FILE', `${name} is empty.`);
      decide(); // shorter than the sniff window: decide on what there is
      for (const c of pending.splice(0)) yield count(c);
    }
  }
}

async function* chunksOf(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    // Big buffers go in slices so the limit check and hashing behave as for a stream.
    const step = 1 << 20;
    for (let i = 0; i < source.byteLength; i += step) yield source.subarray(i, Math.min(source.byteLength, i + step));
    return;
  }
  yield* source;
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.byteLength) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

const MB = 1_048_576;
/** "2.4 MB"; like the engine's messages, one decimal below 10 MB. */
export const formatMB = (n: number): string => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;

export function tooLargeMessage(name: string, kind: 'image' | 'video', max: number, total: number | null): string {
  const kinds = kind === 'image' ? 'images' : 'videos';
  return total !== null && total > max
    ? `${name} is ${formatMB(total)}; ${kinds} may be at most ${formatMB(max)}.`
    : `${name} is larger than ${formatMB(max)}; ${kinds} may be at most ${formatMB(max)}.`;
}

export function unsupportedMessage(name: string): string {
  return `${name}: ${UNSUPPORTED_TYPE_MESSAGE}`;
}
