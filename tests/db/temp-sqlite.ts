import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * A fresh SQLite file path in a folder of its own, removed after each test. Call at a test file's
 * top level: it registers the cleanup there. A folder per file, not a bare file, because SQLite
 * writes its -wal and -shm beside it (and the blob store its evidence/ folder).
 */
export function tempSqliteFiles(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return join(dir, 'db.sqlite');
  };
}
