import { existsSync } from 'node:fs';
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
 * - neither found: null, and the caller runs the work in-process.
 *
 * `base` is the caller's `import.meta.url`: both names are relative to the caller's file,
 * which after bundling is the chunk the caller ended up in.
 */
export interface TsWorkerEntry {
  spec: URL | string;
  options: WorkerOptions;
  how: 'built' | 'tsx';
}

export function tsWorkerEntry(base: string, builtName: string, sourceRel: string): TsWorkerEntry | null {
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
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(source.href)}, ${JSON.stringify(source.href)}));`;
  return { spec: bootstrap, options: { eval: true }, how: 'tsx' };
}
