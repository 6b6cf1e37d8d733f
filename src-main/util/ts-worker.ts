import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * How to start a worker thread whose code is a TypeScript module of this project. The same
 * source runs three ways, so the worker's code is looked for in this order:
 * - desktop build: electron-vite bundles the worker as its own entry (`out/main/<name>.js`,
 *   see electron.vite.config.ts), next to the bundle (or one level up from a shared chunk)
 *   that holds the caller → started directly;
 * - vitest and `tsx src-main/cli/index.ts serve`: only the `.ts` source exists. On Node 20 a
 *   worker's `execArgv: ['--import', 'tsx']` does not apply to the worker's own entry module,
 *   so the worker is started from a one-line bootstrap that loads the source through tsx's
 *   `tsImport` (tsx is a devDependency: only ever needed where the source is run as is);
 *   with `bundle` (the sweep worker), the source is first bundled into one file instead
 *   (`bundledEntry`) and that file started directly, as the desktop build does;
 * - neither found: null, and the caller runs the work in-process.
 *
 * `base` is the caller's `import.meta.url`: both names are relative to the caller's file,
 * which after bundling is the chunk the caller ended up in.
 */
export interface TsWorkerEntry {
  spec: URL | string;
  options: WorkerOptions;
  how: 'built' | 'bundled' | 'tsx';
}

export function tsWorkerEntry(base: string, builtName: string, sourceRel: string, opts: { bundle?: boolean } = {}): TsWorkerEntry | null {
  for (const rel of [`./${builtName}`, `../${builtName}`]) {
    const url = new URL(rel, base);
    if (url.protocol === 'file:' && existsSync(url)) return { spec: url, options: {}, how: 'built' };
  }
  const source = new URL(sourceRel, base);
  if (source.protocol !== 'file:' || !existsSync(source)) return null;
  let tsxApi: string;
  try {
    tsxApi = import.meta.resolve('tsx/esm/api');
  } catch {
    return null;
  }
  if (opts.bundle) {
    const bundled = bundledEntry(source, tsxApi);
    if (bundled) return { spec: bundled, options: {}, how: 'bundled' };
  }
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(source.href)}));`;
  return { spec: bootstrap, options: { eval: true }, how: 'tsx' };
}

/**
 * The worker's source and everything it imports from this project as ONE module file, built
 * with esbuild (tsx's own dependency: present wherever tsx is), its packages left as imports;
 * null when it cannot be built (the caller then loads the source through tsx).
 *
 * Why: through tsx, a worker thread starts with its own module loader, whose resolve and load
 * hooks run on one more thread and transpile each of the ~100 source files the sweep worker
 * imports: measured at load 15, ~2.0 s of process CPU and 3.5 s of wall before the worker's
 * first chunk (the worker thread itself 0.65 s of it), paid by every catch-up started from
 * source (vitest, the CLI and its bench). The desktop build starts its bundled
 * `sweep-worker.js` instead; this does the same from source.
 *
 * The file is written under the project's `node_modules/.cache/` (its packages resolve from
 * there as from the source) and named by its content's hash; beside it a list of the inputs
 * with their sizes and modification times, so that a later process whose sources did not
 * change starts it without building again. Built once per process and source.
 */
const bundles = new Map<string, string | null>();
/** Builds under way (tsWorkerEntryAsync), so that two callers at once build once. */
const building = new Map<string, Promise<string | null>>();

function bundledEntry(source: URL, tsxApi: string): URL | null {
  const path = fileURLToPath(source);
  if (!bundles.has(path)) bundles.set(path, buildBundle(path, tsxApi));
  const file = bundles.get(path);
  return file ? pathToFileURL(file) : null;
}

/**
 * tsWorkerEntry for a caller that can wait: the same entry, but a bundle that must be built
 * is built by esbuild's asynchronous `build` (its own process) while this thread goes on.
 * buildSync blocks the calling thread for the whole build (~0.3–0.9 s, its worker thread
 * waited for with Atomics.wait): on the main thread that was the window's longest stall in
 * the first catch-up after any change of the sources (bench `sweepApply`, 177–400 ms).
 */
export async function tsWorkerEntryAsync(
  base: string,
  builtName: string,
  sourceRel: string,
  opts: { bundle?: boolean } = {},
): Promise<TsWorkerEntry | null> {
  const plain = tsWorkerEntry(base, builtName, sourceRel);
  if (!opts.bundle || plain?.how !== 'tsx') return plain;
  const path = fileURLToPath(new URL(sourceRel, base));
  if (!bundles.has(path)) {
    let build = building.get(path);
    if (!build) {
      build = buildBundleAsync(path, import.meta.resolve('tsx/esm/api'));
      building.set(path, build);
    }
    const file = await build;
    building.delete(path);
    if (!bundles.has(path)) bundles.set(path, file);
  }
  const file = bundles.get(path);
  return file ? { spec: pathToFileURL(file), options: {}, how: 'bundled' } : plain;
}

interface BundleIndex {
  file: string;
  inputs: Array<[string, number, number]>;
}

/** Where the bundle of `path` and its list of inputs go; null outside a project with node_modules. */
function bundlePlace(path: string): { dir: string; index: string } | null {
  let root = dirname(path);
  while (!existsSync(join(root, 'node_modules'))) {
    if (dirname(root) === root) return null;
    root = dirname(root);
  }
  const dir = join(root, 'node_modules', '.cache', 'mediation-desk-workers');
  return { dir, index: join(dir, `${createHash('sha256').update(path).digest('hex').slice(0, 16)}.json`) };
}

const stamp = (f: string): [string, number, number] => {
  const st = statSync(f);
  return [f, st.size, st.mtimeMs];
};

/** The bundle built before from these very inputs (same sizes and times), if any. */
function reusable(index: string): string | null {
  if (!existsSync(index)) return null;
  const known = JSON.parse(readFileSync(index, 'utf8')) as BundleIndex;
  const same = known.inputs.every(([f, size, mtime]) => {
    try {
      const [, s, m] = stamp(f);
      return s === size && m === mtime;
    } catch {
      return false;
    }
  });
  return same && existsSync(known.file) ? known.file : null;
}

const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  write: false,
  metafile: true,
  logLevel: 'silent',
} as const;

/** Writes the built text (named by its hash) and the list of its inputs; returns the file. */
function keep(dir: string, index: string, text: string, inputs: string[]): string {
  const file = join(dir, `worker-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  mkdirSync(dir, { recursive: true });
  // Written aside then renamed: two processes building at once never start a half-written file.
  const write = (to: string, body: string) => {
    const tmp = `${to}.${process.pid}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, to);
  };
  if (!existsSync(file)) write(file, text);
  write(index, JSON.stringify({ file, inputs: inputs.map((f) => stamp(resolve(f))) } satisfies BundleIndex));
  return file;
}

function buildBundle(path: string, tsxApi: string): string | null {
  try {
    const place = bundlePlace(path);
    if (!place) return null;
    const known = reusable(place.index);
    if (known) return known;
    const esbuild = createRequire(tsxApi)('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({ ...BUILD_OPTIONS, entryPoints: [path] });
    return keep(place.dir, place.index, out.outputFiles[0]!.text, Object.keys(out.metafile.inputs));
  } catch {
    return null;
  }
}

async function buildBundleAsync(path: string, tsxApi: string): Promise<string | null> {
  try {
    const place = bundlePlace(path);
    if (!place) return null;
    // A few ms of stat calls (the ~100 inputs); the build below is what takes long.
    const known = reusable(place.index);
    if (known) return known;
    const esbuild = createRequire(tsxApi)('esbuild') as typeof import('esbuild');
    const out = await esbuild.build({ ...BUILD_OPTIONS, entryPoints: [path] });
    return keep(place.dir, place.index, out.outputFiles[0]!.text, Object.keys(out.metafile.inputs));
  } catch {
    return null;
  }
}
