/**
 * What the desktop build steps must agree on, in one place: where better-sqlite3's Electron
 * build lives inside the app (electron.vite.config.ts bakes it into the bundle,
 * electron-builder.config.ts unpacks it from the archive, rebuild-electron-sqlite.ts writes
 * it, dist.ts checks it), which Electron it was built for, and how a step that cannot go on
 * says so in one sentence instead of a stack trace.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is resources/scripts/desktop-toolchain.ts). */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * better-sqlite3 built for Electron's ABI, relative to the app's root. Packaged, it sits in
 * app.asar.unpacked/ (a .node file cannot be loaded from inside an archive); src-main/db/connect.ts
 * maps app.asar/ to app.asar.unpacked/ when it resolves this path.
 */
export const SQLITE_BINDING = 'resources/native/better_sqlite3.node';
/** Written next to the binding: which Electron and better-sqlite3 it was built for. */
export const SQLITE_BINDING_STAMP = 'resources/native/better_sqlite3.json';

export interface BindingStamp {
  electron: string;
  betterSqlite3: string;
}

/** A build step that cannot go on: the message is one sentence a person can act on. */
export class ToolchainStop extends Error {}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** The version package.json pins for a dependency (pins are exact: no range to resolve). */
export function pinnedVersion(root: string, name: string): string {
  const pkg = readJson(join(root, 'package.json')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const pin = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  if (!pin) throw new ToolchainStop(`package.json does not list ${name}.`);
  return pin;
}

/** The installed version, which must be the pinned one (a stale node_modules builds for the wrong ABI). */
export function installedVersion(root: string, name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) throw new ToolchainStop(`${name} is not installed in node_modules: run npm install first.`);
  const installed = String(readJson(file).version);
  const pinned = pinnedVersion(root, name);
  if (installed !== pinned) {
    throw new ToolchainStop(`node_modules has ${name} ${installed} but package.json pins ${pinned}: run npm install first.`);
  }
  return installed;
}

export function readBindingStamp(root: string): BindingStamp | null {
  const file = join(root, SQLITE_BINDING_STAMP);
  if (!existsSync(file) || !existsSync(join(root, SQLITE_BINDING))) return null;
  const stamp = readJson(file);
  return { electron: String(stamp.electron), betterSqlite3: String(stamp.betterSqlite3) };
}

/** Electron's own names for the host (its release files are electron-v<version>-<platform>-<arch>.zip). */
export function electronZipName(version: string, platform = process.platform, arch = process.arch): string {
  return `electron-v${version}-${platform}-${arch}.zip`;
}

/** Where @electron/get keeps downloaded releases (ELECTRON_CACHE overrides), per its own defaults. */
export function electronCacheRoot(env: NodeJS.ProcessEnv, home: string): string {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (process.platform === 'darwin') return join(home, 'Library/Caches/electron');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData/Local'), 'electron/Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron');
}

/** True when a release zip of that name is already in the cache (one folder per download URL). */
export function cachedElectronZip(cacheRoot: string, zipName: string): boolean {
  if (!existsSync(cacheRoot)) return false;
  return readdirSync(cacheRoot, { withFileTypes: true }).some(
    (entry) => entry.isDirectory() && existsSync(join(cacheRoot, entry.name, zipName)),
  );
}

/** One short network probe; a refusal or a timeout is the answer, never an exception. */
export async function reachable(url: string, timeoutMs = 8000): Promise<true | string> {
  try {
    const res = await fetch(url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? true : `HTTP ${res.status}`;
  } catch (err) {
    // undici hides the socket's code under `cause` (an AggregateError when it tried several addresses).
    const cause = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
  }
}

/** Runs a script's main and turns a ToolchainStop into its one sentence and exit code 2. */
export function runScript(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ToolchainStop) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  });
}
