import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest's globalSetup: every temporary file a test makes (`os.tmpdir()`, which reads TMPDIR)
 * lands in one folder of this run, removed when the run ends. Tests make hundreds of SQLite
 * files, data folders and imports; without it each run left them in /tmp. The workers are
 * forked after this runs, so they and the CLI processes they start inherit TMPDIR.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'md-test-run-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
