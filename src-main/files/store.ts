import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppFailure } from '../contract/errors';
import { SNIFF_BYTES, sniffType, UNSUPPORTED_TYPE_MESSAGE, type SniffedType } from './sniff';
import { SHA256_HEX } from '../contract/primitives';

/**
 * Content-addressed storage of evidence files: each original under its sha256, so one file
 * sent to ten cases is stored once and can be re-verified at any time ("evidence intact").
 *
 *   <root>/objects/<aa>/<bb>/<sha256>                 the bytes as received
 *   <root>/derived/<aa>/<bb>/<sha256>.display.jpg     orientation applied, metadata stripped
 *   <root>/derived/<aa>/<bb>/<sha256>.thumb.jpg
 *   <root>/tmp/                                       files being written
 *
 * `<root>` is `<data folder>/evidence` (evidenceDirFor). A write goes to a temp file, is
 * hashed and counted while it streams (refused as soon as it passes the limit of its kind),
 * fsynced, renamed into place, and the directory is fsynced: a crash leaves either the whole
 * object or nothing under objects/ (at most a temp file, swept later).
 *
 * Files are written BEFORE the database transaction that records them commits. An object
 * without a row (the command was refused after the bytes arrived, or the process died in
 * between) is harmless and unreachable: everything that serves or lists evidence goes by the
 * database rows, never by listing this folder.
 */

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
}

export interface PutResult {
  sha256: string;
  sizeBytes: number;
  sniffed: SniffedType;
  /** False when the same bytes were already stored (the temp copy was dropped). */
  created: boolean;
}

export type Variant = 'original' | 'display' | 'thumb';

/** Temp files older than this are left-overs of a crash (a put never takes an hour). */
const STALE_TEMP_MS = 60 * 60 * 1000;

export class ContentStore {
  private tempSwept = false;

  constructor(readonly rootDir: string) {}

  /**
   * Streams `source` into the store. The type comes from the first SNIFF_BYTES bytes
   * (UNSUPPORTED_FILE before anything is kept); the limit of that kind is enforced while
   * counting (FILE_TOO_LARGE, and the partial temp file is deleted).
   */
  async put(source: AsyncIterable<Uint8Array> | Uint8Array, limits: StoreLimits, opts: PutOptions = {}): Promise<PutResult> {
    await this.sweepTempOnce();
    const name = opts.name ?? 'The file';
    const tmpDir = join(this.rootDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let handle: FileHandle | null = await open(tmpPath, 'wx', 0o644);
    let size = 0;
    let sniffed: SniffedType | null = null;
    let max = 0;
    let head: Uint8Array = new Uint8Array(0);
    const pending: Uint8Array[] = [];

    const decide = () => {
      sniffed = sniffType(head);
      if (!sniffed) throw new AppFailure('UNSUPPORTED_FILE', unsupportedMessage(name));
      opts.checkHead?.(head, sniffed);
      max = sniffed.kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes;
    };
    const write = async (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > max) throw new AppFailure('FILE_TOO_LARGE', tooLargeMessage(name, sniffed!.kind, max, opts.totalBytes ?? null));
      hash.update(chunk);
      let off = 0;
      while (off < chunk.byteLength) off += (await handle!.write(chunk, off, chunk.byteLength - off)).bytesWritten;
    };

    try {
      for await (const chunk of chunksOf(source)) {
        if (!chunk.byteLength) continue;
        if (sniffed) {
          await write(chunk);
          continue;
        }
        // Hold chunks back until the head is long enough to tell the type.
        pending.push(chunk);
        head = concat(head, chunk.subarray(0, Math.max(0, SNIFF_BYTES - head.byteLength)));
        if (head.byteLength < SNIFF_BYTES) continue;
        decide();
        for (const c of pending.splice(0)) await write(c);
      }
      if (!sniffed) {
        if (!head.byteLength) throw new AppFailure('UNSUPPORTED_FILE', `${name} is empty.`);
        decide(); // shorter than the sniff window: decide on what there is
        for (const c of pending.splice(0)) await write(c);
      }
      await handle.sync();
      await handle.close();
      handle = null;
      const sha256 = hash.digest('hex');
      const created = await this.moveIntoPlace(tmpPath, this.pathOf(sha256, 'original'));
      return { sha256, sizeBytes: size, sniffed: sniffed!, created };
    } catch (e) {
      await handle?.close().catch(() => {});
      await rm(tmpPath, { force: true });
      throw e;
    }
  }

  /** Writes a derived copy (display / thumb) atomically; the same content may be written twice. */
  async putDerived(sha256: string, variant: 'display' | 'thumb', bytes: Uint8Array): Promise<void> {
    const dest = this.pathOf(sha256, variant);
    const tmpDir = join(this.rootDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const handle = await open(tmpPath, 'wx', 0o644);
    try {
      let off = 0;
      while (off < bytes.byteLength) off += (await handle.write(bytes, off, bytes.byteLength - off)).bytesWritten;
      await handle.sync();
    } catch (e) {
      await handle.close().catch(() => {});
      await rm(tmpPath, { force: true });
      throw e;
    }
    await handle.close();
    // A derived copy is re-made from the original, so a newer one simply replaces the old.
    await mkdirSynced(dirname(dest), join(this.rootDir, 'derived'));
    await rename(tmpPath, dest);
    await fsyncDir(dirname(dest));
  }

  async has(sha256: string, variant: Variant = 'original'): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256, variant))).isFile();
    } catch {
      return false;
    }
  }

  /** Where a stored file lives. Only from a validated sha256: the name never comes from outside. */
  pathOf(sha256: string, variant: Variant): string {
    if (!SHA256_HEX.test(sha256))
      throw new AppFailure('VALIDATION', 'An evidence file is named by its sha256: 64 lowercase hex digits.', 'sha256');
    const sub = [sha256.slice(0, 2), sha256.slice(2, 4)];
    return variant === 'original'
      ? join(this.rootDir, 'objects', ...sub, sha256)
      : join(this.rootDir, 'derived', ...sub, `${sha256}.${variant}.jpg`);
  }

  /** Re-reads the original and compares its sha256 with its name ("evidence intact"). */
  async verify(sha256: string): Promise<{ intact: boolean; present: boolean; sizeBytes: number }> {
    const path = this.pathOf(sha256, 'original');
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        hash.update(chunk);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { intact: false, present: false, sizeBytes: 0 };
      throw e;
    }
    return { intact: hash.digest('hex') === sha256, present: true, sizeBytes: size };
  }

  /** Renames a finished temp file to its content address; false when that content was already there. */
  private async moveIntoPlace(tmpPath: string, dest: string): Promise<boolean> {
    await mkdirSynced(dirname(dest), join(this.rootDir, 'objects'));
    if (await exists(dest)) {
      // Same name, same sha256: the same bytes. Keep the copy that is already there.
      await unlink(tmpPath);
      return false;
    }
    try {
      await rename(tmpPath, dest);
    } catch (e) {
      // Windows refuses to rename over a file another put just placed: that one has our bytes.
      if (await exists(dest)) {
        await rm(tmpPath, { force: true });
        return false;
      }
      throw e;
    }
    await fsyncDir(dirname(dest));
    return true;
  }

  /** Deletes temp files a crash left behind (once per process; their age by file time, not the app clock). */
  private async sweepTempOnce(): Promise<void> {
    if (this.tempSwept) return;
    this.tempSwept = true;
    const tmpDir = join(this.rootDir, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch {
      return;
    }
    const cutoff = Date.now() - STALE_TEMP_MS;
    for (const n of names) {
      if (!n.endsWith('.part')) continue;
      const p = join(tmpDir, n);
      try {
        if ((await stat(p)).mtimeMs < cutoff) await unlink(p);
      } catch {
        // Another process swept it first.
      }
    }
  }
}

/** `<folder of the SQLite file>/evidence`, or `<data folder>/evidence` for :memory: and PostgreSQL. */
export function evidenceDirFor(databaseUrl: string | undefined, dataDir: string): string {
  const url = databaseUrl ?? '';
  const isFile = url !== '' && url !== ':memory:' && url !== 'sqlite::memory:' && !/^(postgres|postgresql|pglite):/.test(url);
  return join(isFile ? dirname(url.replace(/^sqlite:/, '')) : dataDir, 'evidence');
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

async function* chunksOf(source: AsyncIterable<Uint8Array> | Uint8Array): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    // Big buffers go in slices so the limit check and hashing behave as for a stream.
    const step = 1 << 20;
    for (let i = 0; i < source.byteLength; i += step) yield source.subarray(i, Math.min(source.byteLength, i + step));
    return;
  }
  yield* source;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.byteLength) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** mkdir -p, then fsync the parents of what it created, so the new directories survive a power cut too. */
async function mkdirSynced(dir: string, base: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (!first) return;
  for (let d = dir; ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === first || dirname(d) === d || d === base) break;
  }
}

/** fsync a directory so a rename in it is durable. Windows cannot open directories for this; NTFS journals renames. */
async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
