/**
 * `npm run dist`: the desktop installer for this machine's platform (electron-builder.config.ts
 * lists the targets of all three), after checking what it needs and cannot make itself:
 *   1. Electron's binary for this platform: installed (node_modules/electron/dist, or
 *      ELECTRON_OVERRIDE_DIST_PATH), already in @electron/get's cache, or downloadable
 *      (ELECTRON_MIRROR is honoured, as electron-builder does);
 *   2. better-sqlite3 built for the pinned Electron (npm run rebuild:electron).
 * A missing piece stops it with one sentence (exit 2) before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  ToolchainStop,
  cachedElectronZip,
  electronCacheRoot,
  electronZipName,
  installedVersion,
  reachable,
  readBindingStamp,
  runScript,
} from './desktop-toolchain';

const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

/** The folder of an installed Electron binary (its release folders carry a `version` file). */
function installedElectronDist(): string | null {
  const dir = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(ROOT, 'node_modules/electron/dist');
  return existsSync(join(dir, 'version')) ? dir : null;
}

async function checkElectron(electron: string): Promise<string | null> {
  const local = installedElectronDist();
  if (local) {
    const version = readFileSync(join(local, 'version'), 'utf8').trim().replace(/^v/, '');
    if (version !== electron) {
      throw new ToolchainStop(
        `The installed Electron binary in ${local} is ${version} but package.json pins ${electron}: run npx install-electron, then npm run dist again.`,
      );
    }
    return local;
  }
  const zip = electronZipName(electron);
  if (cachedElectronZip(electronCacheRoot(process.env, homedir()), zip)) return null;
  const mirror = process.env.ELECTRON_MIRROR ?? DEFAULT_MIRROR;
  const answer = await reachable(`${mirror.replace(/\/?$/, '/')}v${electron}/${zip}`);
  if (answer !== true) {
    throw new ToolchainStop(
      `Electron ${electron}'s binary (${zip}) is not installed, not cached and cannot be downloaded from ${mirror} (${answer}): npm run dist needs it, so run it on a machine with network access (or set ELECTRON_MIRROR to a mirror).`,
    );
  }
  return null;
}

function checkNativeBinding(electron: string): void {
  const stamp = readBindingStamp(ROOT);
  if (!stamp || stamp.electron !== electron) {
    throw new ToolchainStop(
      `better-sqlite3 has not been built for Electron ${electron}${stamp ? ` (resources/native holds a build for ${stamp.electron})` : ''}: run npm run rebuild:electron first.`,
    );
  }
}

async function main(): Promise<void> {
  const electron = installedVersion(ROOT, 'electron');
  const electronDist = await checkElectron(electron);
  checkNativeBinding(electron);

  const bundled = spawnSync(join(ROOT, 'node_modules/.bin/electron-vite'), ['build'], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (bundled.status !== 0) throw new ToolchainStop('electron-vite build failed (its output is above).');

  // Loaded only now: electron-builder takes seconds to import, and the checks above must answer fast.
  const { build, Platform } = await import('electron-builder');
  const { default: config } = await import('../../electron-builder.config');
  await build({
    projectDir: ROOT,
    targets: Platform.current().createTarget(),
    publish: 'never',
    config: { ...config, ...(electronDist ? { electronDist } : {}) },
  });
}

runScript(main);
