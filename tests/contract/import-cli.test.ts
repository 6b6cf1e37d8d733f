import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { MAX_LINE_CHARS } from '../../src-main/util/ndjson-lines';

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });

/** As cli, without blocking this process (a test's own listener must keep answering). */
const cliAsync = (args: string[]) =>
  new Promise<{ status: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', ...args], {
      env: { ...process.env, DATABASE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 40_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stderr });
    });
  });

describe('cli import', () => {
  it('imports the good lines, reports each bad one on stderr as JSON, and summarises on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-import-'));
    const [a, b] = [...generateDemoDisputes({ cases: 2, now: Date.parse('2026-03-10T00:00:00Z'), seed: 3 })];
    const file = join(dir, 'in.ndjson');
    writeFileSync(file, [JSON.stringify(a), '{"id":"X-1"}', 'nope', JSON.stringify(b)].join('\n') + '\n');
    const db = join(dir, 'db.sqlite');
    const run = cli(['import', file, '--db', db]);
    expect(run.status).toBe(0);
    const problems = run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{') && !l.startsWith('{"progress"'))
      .map((l) => JSON.parse(l));
    expect(problems.map((p) => [p.line, p.code])).toEqual([
      [2, 'VALIDATION'],
      [3, 'VALIDATION'],
    ]);
    expect(problems[0].field).toBe('openedAt');
    const summary = JSON.parse(run.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ read: 4, created: 2, refused: 2 });
    // Not a terminal: progress as JSON lines on stderr, the last one saying it is done.
    const progress = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{"progress"'))
      .map((l) => JSON.parse(l).progress);
    expect(progress.at(-1)).toMatchObject({ disputes: 4, percent: 100, secondsLeft: 0, done: true });

    const again = cli(['import', file, '--db', db]);
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).toMatchObject({ created: 0, unchanged: 2, refused: 2 });
  });

  it('a file saved with a byte-order mark imports its first line too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-import-'));
    const [a, b] = [...generateDemoDisputes({ cases: 2, now: Date.parse('2026-03-10T00:00:00Z'), seed: 5 })];
    const file = join(dir, 'bom.ndjson');
    writeFileSync(file, `\uFEFF${JSON.stringify(a)}\r\n${JSON.stringify(b)}\r\n`);
    const run = cli(['import', file, '--db', join(dir, 'db.sqlite')]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toMatchObject({ read: 2, created: 2, refused: 0 });
  });

  it('a file that is one endless line is refused once the line passes the limit (exit 2, one sentence), not held whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-import-'));
    const file = join(dir, 'one-line.ndjson');
    writeFileSync(file, Buffer.alloc(MAX_LINE_CHARS + (2 << 20), 'x'));
    for (const command of ['import', 'score']) {
      const run = cli([command, file, ...(command === 'import' ? ['--db', ':memory:'] : [])]);
      expect(run.status, run.stderr).toBe(2);
      const last = run.stderr.trim().split('\n').at(-1)!;
      expect(last).toBe(
        `${file}: line 1 is longer than 128 Mi characters, more than any record holds; is the file NDJSON (one record per line)? (cli ${command} --help lists the options)`,
      );
    }
  });

  it('exits 2 with a message when the file cannot be read', () => {
    const run = cli(['import', '/nonexistent/disputes.ndjson', '--db', ':memory:']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/cannot be read/);
  });

  it('a folder given as the file is refused in one sentence (exit 2) before any database is made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-import-'));
    const db = join(dir, 'db.sqlite');
    const run = cli(['import', dir, '--db', db]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`${dir}: is a folder, not an NDJSON file (cli import --help lists the options)`);
    expect(existsSync(db)).toBe(false);
  });

  it('a second file is refused in one sentence (exit 2), not ignored, before any database is made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-import-'));
    const [a, b] = [join(dir, 'a.ndjson'), join(dir, 'b.ndjson')];
    writeFileSync(a, '');
    writeFileSync(b, '');
    const db = join(dir, 'db.sqlite');
    const run = cli(['import', a, b, '--db', db]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toMatch(/^import takes one file, not 2; run it once per file/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses worker and batch counts outside their bounds with one sentence, before reading anything', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'md-import-')), 'one.ndjson');
    writeFileSync(
      file,
      `${JSON.stringify([...generateDemoDisputes({ cases: 1, now: Date.parse('2026-03-10T12:00:00Z'), seed: 3 })][0])}\n`,
    );
    for (const [flag, value, range] of [
      ['--check-workers', '99', 'between 0 and 8'],
      ['--batch-size', '0', 'between 1 and 50000'],
      ['--batch-size', '9999999', 'between 1 and 50000'],
    ] as const) {
      const run = cli(['import', file, '--db', ':memory:', flag, value]);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([`${flag} must be ${range}, got ${value} (cli import --help lists the options)`]);
    }
  });

  it('serve and demo refuse a port or a case count out of range with one sentence, not a stack trace', () => {
    const serve = cli(['serve', '--port', '99999']);
    expect(serve.status).toBe(2);
    expect(serve.stderr.trim()).toBe('--port must be between 0 and 65535, got 99999 (cli serve --help lists the options)');
    const demo = cli(['demo', '--cases', '99999999999', '--db', ':memory:']);
    expect(demo.status).toBe(2);
    expect(demo.stderr.trim()).toBe('--cases must be between 1 and 2000000, got 99999999999 (cli demo --help lists the options)');
  });

  it('serve on a port another program holds says so in one sentence (exit 2), not a stack trace', async () => {
    const holder = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
    const port = (holder.address() as AddressInfo).port;
    try {
      const run = await cliAsync(['serve', '--port', String(port), '--fresh']);
      expect(run.status).toBe(2);
      expect(run.stderr.trim()).toBe(
        `port ${port} on 127.0.0.1 is already in use by another program; choose another with --port N (0 takes any free port) (cli serve --help lists the options)`,
      );
    } finally {
      holder.close();
    }
  });
});
