import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsWorkerEntry } from '../../src-main/util/ts-worker';

/**
 * Every CLI command answers `--help` with its options (exit 0, on stdout), and a bad flag gets
 * one sentence that says where the options are, never a stack trace. The option list a command
 * really accepts is read from its own "unknown option" answer, so help that forgets an option fails.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const COMMANDS = [
  'replay',
  'score',
  'import',
  'demo',
  'serve',
  'evidence-gc',
  'evidence',
  'bench',
  'audit',
  'feed',
  'simulate-marketplace',
  'users',
  'eval',
];

/**
 * How each CLI start below is made: the CLI's source bundled once (tsWorkerEntry's bundle, as
 * the sweep worker is started from source: esbuild, packages left as imports, rebuilt only when
 * a source changes) and run by plain node; through tsx when it cannot be bundled. This file
 * starts the CLI 34 times and each start through tsx's loader cost ~2.9–3.3 s of CPU against
 * ~1.0 s for the bundle (`--help` and `serve --no-such-flag`, load ~9). The bundle is started
 * through a one-line import so that process.argv[1] ("cli") is not the bundle's own path: the
 * bench modules' "am I the main module" checks compare the two.
 */
const CLI_START = (() => {
  const entry = tsWorkerEntry(import.meta.url, 'cli-index-not-built.js', '../../src-main/cli/index.ts', { bundle: true });
  if (entry?.how !== 'bundled') return ['--import', 'tsx', 'src-main/cli/index.ts'];
  return ['--input-type=module', '-e', `await import(${JSON.stringify(String(entry.spec))})`, 'cli'];
})();

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI_START, ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('cli --help', () => {
  it('the bare command and --help list the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c);
  });

  it.each(COMMANDS)('%s --help prints its usage and every option it accepts', async (command) => {
    // Sub-commands (feed add, users add, audit verify, evidence migrate) are asked through their first word.
    const sub = { feed: ['list'], users: ['list'], audit: ['verify'], evidence: ['migrate'] }[command] ?? [];
    const [help, bad] = await Promise.all([runCli([command, '--help']), runCli([command, ...sub, '--no-such-flag'])]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/usage/i);
    expect(help.stderr).toBe('');
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr, 'the answer names the flag it refused').toContain('--no-such-flag');
    const known = /known: ([^)]*)\)/.exec(bad.stderr)?.[1];
    for (const option of known ? known.split(', ').filter((o) => o !== '--help') : [])
      expect(help.stdout, `${command} --help names ${option}`).toContain(option);
  });

  // A path typed by habit after a command that takes none used to be ignored: `bench x` started a
  // million-case bench, `evidence-gc x` a collection of the default store, `demo x` a demo database.
  it.each([['demo'], ['serve'], ['evidence-gc'], ['bench'], ['eval'], ['evidence', 'migrate']])(
    '%s refuses a stray argument before doing anything',
    async (...command) => {
      const r = await runCli([...command, 'stray.json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim()).toBe(
        `unexpected argument "stray.json": this command takes options only (cli ${command[0]} --help lists the options)`,
      );
    },
  );

  it('an unknown command says which ones exist', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).toContain('replay');
  });
});
