/**
 * Builds better-sqlite3 for the pinned Electron's ABI into resources/native/better_sqlite3.node,
 * in a copy of the module, so node_modules keeps the Node build that tests, the CLI and `serve`
 * use. The desktop bundle loads the result through better-sqlite3's `nativeBinding` (the path
 * is baked in at build time: SQLITE_BINDING). Needs Electron's headers, which node-gyp
 * downloads once into ~/.electron-gyp: run it where the network allows (`npm run rebuild:electron`).
 * Without the headers it stops with one sentence saying so (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ROOT,
  SQLITE_BINDING,
  SQLITE_BINDING_STAMP,
  ToolchainStop,
  installedVersion,
  reachable,
  runScript,
  type BindingStamp,
} from './desktop-toolchain';

const require = createRequire(import.meta.url);
/** Electron publishes its Node headers here; MD_ELECTRON_HEADERS_URL names a mirror. */
const headersUrl = (process.env.MD_ELECTRON_HEADERS_URL ?? 'https://electronjs.org/headers').replace(/\/$/, '');
/** node-gyp's cache for Electron headers (Electron's documented default). */
const devDir = join(homedir(), '.electron-gyp');

function findNodeGyp(): string {
  try {
    // npm ships node-gyp; next to the running node (Linux/macOS) or in its lib folder.
    return require.resolve('node-gyp/bin/node-gyp.js', {
      paths: [ROOT, dirname(process.execPath), join(dirname(process.execPath), '../lib/node_modules/npm')],
    });
  } catch {
    throw new ToolchainStop('node-gyp was not found (it comes with npm): install npm alongside Node and run this again.');
  }
}

async function main(): Promise<void> {
  const electron = installedVersion(ROOT, 'electron');
  const betterSqlite3 = installedVersion(ROOT, 'better-sqlite3');
  const nodeGyp = findNodeGyp();

  // Headers already downloaded need no network; otherwise check once, before copying anything.
  const cached = existsSync(join(devDir, electron, 'installVersion'));
  if (!cached) {
    const tarball = `${headersUrl}/v${electron}/node-v${electron}-headers.tar.gz`;
    const answer = await reachable(tarball);
    if (answer !== true) {
      throw new ToolchainStop(
        `Electron ${electron}'s headers are not in ${devDir} and cannot be downloaded from ${headersUrl} (${answer}): run npm run rebuild:electron on a machine with network access (or set MD_ELECTRON_HEADERS_URL to a mirror).`,
      );
    }
  }

  const source = join(ROOT, 'node_modules/better-sqlite3');
  const work = mkdtempSync(join(tmpdir(), 'md-electron-sqlite-'));
  try {
    cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(join(source, 'build')) });
    console.log(`building better-sqlite3 ${betterSqlite3} for Electron ${electron} in ${work}`);
    const built = spawnSync(
      process.execPath,
      [nodeGyp, 'rebuild', '--release', `--target=${electron}`, '--runtime=electron', `--dist-url=${headersUrl}`, `--devdir=${devDir}`],
      { cwd: work, stdio: 'inherit' },
    );
    if (built.status !== 0) {
      throw new ToolchainStop(
        `node-gyp could not build better-sqlite3 ${betterSqlite3} for Electron ${electron} (its output is above): a C++ toolchain is needed, and a newer Electron may need a newer better-sqlite3.`,
      );
    }
    const target = join(ROOT, SQLITE_BINDING);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(work, 'build/Release/better_sqlite3.node'), target);
    const stamp: BindingStamp = { electron, betterSqlite3 };
    writeFileSync(join(ROOT, SQLITE_BINDING_STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
    console.log(`wrote ${target} (Electron ${electron})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

runScript(main);
