import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * `serve --demo`, stopped the moment it says it is serving (the demo's feed is being set up then):
 * a SIGTERM must close the server and the database, not end the process by the signal.
 */
function serveAndStopAtOnce(): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'md-serve-stop-'));
  dirs.push(dir);
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/index.ts', 'serve', '--demo', '--demo-cases', '30', '--port', '0', '--data-dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('is serving') && !child.killed) child.kill('SIGTERM');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code, signal) => done({ code, signal, output }));
  });
}

describe('serve, stopped as soon as it serves', () => {
  it('closes cleanly on SIGTERM (exit 0), even while the demo feed is being set up', async () => {
    const run = await serveAndStopAtOnce();
    expect(run.output).toContain('is serving');
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  }, 180_000);
});
