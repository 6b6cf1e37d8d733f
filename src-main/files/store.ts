import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SHA256_HEX } from '../contract/primitives';
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

export { formatMB, tooLargeMessage, unsupportedMessage } from './blob-store';
export type { PutOptions, PutResult, StoreLimits, Variant } from './blob-store';

/**
 * The evidence folder: the BlobStore of a desktop on its own SQLite file (blob-store.ts).
 * Content-addressed: each original under its sha256, so one file sent to ten cases is stored
 * once and can be re-verified at any time ("evidence intact").
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

/** Temp files older than this are left-overs of a crash (a put never takes an hour). */
const STALE_TEMP_MS = 60 * 60 * 1000;

export class ContentStore implements BlobStore {
  readonly kind = 'folder' as const;
  private tempSwept = false;

  constructor(readonly rootDir: string) {}

  get location(): string {
    return this.rootDir;
  }

  /**
   * Streams `source` into the store. The type comes from the first SNIFF_BYTES bytes
   * (UNSUPPORTED_FILE before anything is kept); the limit of that kind is enforced while
   * counting (FILE_TOO_LARGE, and the partial temp file is deleted).
   */
  async put(source: AsyncIterable<Uint8Array> | Uint8Array, limits: StoreLimits, opts: PutOptions = {}): Promise<PutResult> {
    await this.sweepTempOnce();
    const tmpDir = join(this.rootDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const checked = new CheckedSource(source, limits, opts);
    let handle: FileHandle | null = await open(tmpPath, 'wx', 0o644);
    try {
      for await (const chunk of checked.chunks()) {
        let off = 0;
        while (off < chunk.byteLength) off += (await handle.write(chunk, off, chunk.byteLength - off)).bytesWritten;
      }
      await handle.sync();
      await handle.close();
      handle = null;
      const sha256 = checked.digest();
      const created = await this.moveIntoPlace(tmpPath, this.pathOf(sha256, 'original'));
      return { sha256, sizeBytes: checked.size, sniffed: checked.sniffed!, created };
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

  async sizeOf(sha256: string, variant: Variant): Promise<number | null> {
    try {
      const info = await stat(this.pathOf(sha256, variant));
      return info.isFile() ? info.size : null;
    } catch {
      return null;
    }
  }

  async *read(sha256: string, variant: Variant, range?: { start: number; end: number }): AsyncIterable<Uint8Array> {
    const stream = createReadStream(this.pathOf(sha256, variant), range ? { start: range.start, end: range.end } : {});
    yield* stream as AsyncIterable<Buffer>;
  }

  async readAll(sha256: string, variant: Variant): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(sha256, variant));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** The sha256 names under objects/aa/bb/ (skipping anything that is not one), with their modification time. */
  async *listOriginals(): AsyncIterable<StoredOriginal> {
    const dirs = async (path: string) =>
      (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name));
    const objects = join(this.rootDir, 'objects');
    for (const a of await dirs(objects))
      for (const b of await dirs(join(objects, a.name)))
        for (const f of await readdir(join(objects, a.name, b.name), { withFileTypes: true }).catch(() => [])) {
          if (!f.isFile() || !SHA256_HEX.test(f.name) || !f.name.startsWith(a.name + b.name)) continue;
          const info = await stat(join(objects, a.name, b.name, f.name)).catch(() => null);
          if (info) yield { sha256: f.name, storedAt: info.mtimeMs };
        }
  }

  /** Deletes the original and its derived copies; the bytes freed. */
  async remove(sha256: string): Promise<number> {
    let freed = 0;
    for (const variant of ['original', 'display', 'thumb'] as const) {
      const path = this.pathOf(sha256, variant);
      const size = (await stat(path).catch(() => null))?.size ?? 0;
      if (
        await unlink(path).then(
          () => true,
          () => false,
        )
      )
        freed += size;
    }
    return freed;
  }

  /** Where a stored file lives. Only from a validated sha256: the name never comes from outside. */
  pathOf(sha256: string, variant: Variant): string {
    checkSha256(sha256);
    const sub = [sha256.slice(0, 2), sha256.slice(2, 4)];
    return variant === 'original'
      ? join(this.rootDir, 'objects', ...sub, sha256)
      : join(this.rootDir, 'derived', ...sub, `${sha256}.${variant}.jpg`);
  }

  /** Re-reads the original and compares its sha256 with its name ("evidence intact"). */
  async verify(sha256: string): Promise<VerifyResult> {
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
