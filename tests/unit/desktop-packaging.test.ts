import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';
import { ROOT, SQLITE_BINDING, pinnedVersion } from '../../resources/scripts/desktop-toolchain';
import viteConfig from '../../electron.vite.config';

/**
 * The desktop packaging, checked without Electron's binary and without network: the
 * configuration electron-builder itself loads and validates (fuses, the unpacked native
 * binding), that it agrees with the path baked into the bundle, and that `npm run dist` and
 * `npm run rebuild:electron` stop with one sentence when what they need cannot be had.
 */
const require = createRequire(import.meta.url);
// electron-builder's own loader and schema check (the same calls its CLI makes).
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig: (projectDir: string, configPath: string | null, fromOptions: null) => Promise<Configuration>;
  validateConfiguration: (config: Configuration, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

let loaded: Promise<Configuration> | undefined;
/** Loaded once (electron-builder compiles the .ts config with jiti, which takes seconds). */
function loadBuilderConfig(): Promise<Configuration> {
  loaded ??= getConfig(ROOT, join(ROOT, 'electron-builder.config.ts'), null).then(async (config) => {
    await validateConfiguration(config, new DebugLogger(false));
    return config;
  });
  return loaded;
}

/** A local port nothing listens on (taken and released), so a download attempt is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function runScript(script: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'resources/scripts', script)], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function expectOneSentence(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const emptyDir = () => mkdtempSync(join(tmpdir(), 'md-desktop-'));
const electron = pinnedVersion(ROOT, 'electron');

describe('electron-builder configuration', () => {
  it('sets the fuses: no run-as-node, no NODE_OPTIONS, no --inspect, encrypted cookies, only the integrity-checked app.asar', async () => {
    const config = await loadBuilderConfig();
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('packs the Electron build of better-sqlite3 and unpacks it where the bundle looks for it', async () => {
    const config = await loadBuilderConfig();
    // The path the bundle resolves (electron.vite.config.ts define) is the shared one.
    const main = (viteConfig as { main: { define: Record<string, string> } }).main;
    expect(JSON.parse(main.define.__MD_SQLITE_BINDING__!)).toBe(SQLITE_BINDING);

    // electron-builder normalises `files` into file sets ({ filter: [...] }).
    const asList = (v: unknown): string[] =>
      (Array.isArray(v) ? v : [v]).flatMap((item: string | { filter?: string[] }) =>
        typeof item === 'string' ? [item] : (item.filter ?? []),
      );
    expect(asList(config.files).some((glob) => minimatch(SQLITE_BINDING, glob))).toBe(true);
    expect(asList(config.asarUnpack).some((glob) => minimatch(SQLITE_BINDING, glob))).toBe(true);
    // The rest of the bundle stays in the archive (onlyLoadAppFromAsar + integrity).
    expect(asList(config.asarUnpack).some((glob) => minimatch('out/main/index.js', glob))).toBe(false);
    // connect.ts maps app.asar/<path> to app.asar.unpacked/<path>, where electron-builder puts unpacked files.
    const inArchive = join('/opt/Mediation Desk/resources/app.asar', SQLITE_BINDING);
    expect(inArchive.replace(`app.asar${sep}`, `app.asar.unpacked${sep}`)).toBe(
      join('/opt/Mediation Desk/resources/app.asar.unpacked', SQLITE_BINDING),
    );
    // Rebuilding node_modules in place for Electron would break the Node build tests and the CLI use.
    expect(config.npmRebuild).toBe(false);
  });

  it('has installer targets for Windows, macOS and Linux', async () => {
    const config = await loadBuilderConfig();
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
  });
});

describe('npm run dist and npm run rebuild:electron without what they need', () => {
  it('dist stops with one sentence when Electron is neither installed, cached nor downloadable', async () => {
    const port = await closedPort();
    const run = await runScript('dist.ts', {
      ELECTRON_OVERRIDE_DIST_PATH: emptyDir(),
      ELECTRON_CACHE: emptyDir(),
      ELECTRON_MIRROR: `http://127.0.0.1:${port}/`,
    });
    expect(run.code).toBe(2);
    expectOneSentence(
      run.stderr,
      new RegExp(`^Electron ${electron.replace(/\./g, '\\.')}'s binary .* cannot be downloaded .*npm run dist needs it`),
    );
  });

  it('dist refuses an installed Electron binary of another version than the pin', async () => {
    const dist = emptyDir();
    writeFileSync(join(dist, 'version'), '1.2.3');
    const run = await runScript('dist.ts', { ELECTRON_OVERRIDE_DIST_PATH: dist });
    expect(run.code).toBe(2);
    expectOneSentence(run.stderr, new RegExp(`is 1\\.2\\.3 but package\\.json pins ${electron.replace(/\./g, '\\.')}`));
  });

  it('rebuild:electron stops with one sentence when the headers are not cached and cannot be downloaded', async () => {
    const port = await closedPort();
    const run = await runScript('rebuild-electron-sqlite.ts', {
      HOME: emptyDir(),
      MD_ELECTRON_HEADERS_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(2);
    expectOneSentence(run.stderr, /headers are not in .* and cannot be downloaded .*ECONNREFUSED/);
    expect(run.stdout).not.toMatch(/building better-sqlite3/);
  });
});
