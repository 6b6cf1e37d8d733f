import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/connect';

/**
 * The bench scripts run directly (`npx tsx src-main/bench/X.ts …`, bench/direct-args.ts) end on a
 * bad flag or a file that is not a database with one sentence, never a stack trace.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));

function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `src-main/bench/${script}.ts`, ...args],
      { cwd: REPO, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: typeof err?.code === 'number' ? err.code : err ? -1 : 0, stdout, stderr }),
    );
  });
}

const notADatabase = (() => {
  const file = join(mkdtempSync(join(tmpdir(), 'md-bench-args-')), 'cases.sqlite');
  writeFileSync(file, 'id,buyer\nD-1,B-1\n'.repeat(200));
  return file;
})();

describe('bench scripts run directly', () => {
  it.each(['case-writes-count', 'setup-replay'])(
    '%s on a file that is not a database: one sentence, exit 1',
    async (script) => {
      const r = await run(script, [notADatabase, '5']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/not a database.*--help/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    90_000,
  );

  it('setup-replay on a database with no escalated case: one sentence saying what to give, not Infinity', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'md-bench-empty-')), 'empty.sqlite');
    const db = await openDatabase({ url: file }); // migrated, no case at all
    await db.destroy();
    const r = await run('setup-replay', [file, '5', '--rounds', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no escalated case to claim; give a freshly imported database/);
    expect(r.stdout).not.toMatch(/Infinity/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 90_000);

  it('an unknown flag: one sentence naming the known ones, exit 2', async () => {
    const r = await run('sweep-profile', ['--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --no-such-flag \(known: .*--help/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }, 90_000);
});
