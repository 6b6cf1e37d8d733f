import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { SQLITE_BINDING } from './resources/scripts/desktop-toolchain';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    // better-sqlite3's Electron build (npm run rebuild:electron), relative to the app's root: fixed
    // at build time, never named by the environment (src-main/db/connect.ts builtBinding);
    // electron-builder.config.ts unpacks the same path from the archive.
    define: { __MD_SQLITE_BINDING__: JSON.stringify(SQLITE_BINDING) },
    build: {
      outDir: resolve(root, 'out/main'),
      // Dependencies stay in node_modules (electron-vite's default); better-sqlite3 is named
      // explicitly because its native .node binding can never be bundled. PGlite is a
      // test-only devDependency the db layer imports lazily; the desktop never loads it.
      externalizeDeps: true,
      rolldownOptions: {
        // The evidence worker is its own entry (out/main/evidence-worker.js): the pool in
        // src-main/files/workers.ts starts it from next to the bundle. sharp loads a native
        // libvips binding and must stay in node_modules (externalizeDeps keeps it there).
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          'evidence-worker': resolve(root, 'src-main/files/worker.ts'),
          // The policy preview's replay (src-main/app/replay/in-worker.ts starts it).
          'replay-worker': resolve(root, 'src-main/app/replay/worker.ts'),
          // A catch-up of due deadlines on a SQLite file (src-main/app/sweep/in-worker.ts starts it).
          'sweep-worker': resolve(root, 'src-main/app/sweep/worker.ts'),
          // The import's line checkers (src-main/app/intake/check-pool.ts starts them).
          'import-check-worker': resolve(root, 'src-main/app/intake/check-worker.ts'),
        },
        external: ['better-sqlite3', '@electric-sql/pglite', 'sharp'],
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        // A sandboxed preload cannot be an ES module; .cjs because package.json says "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
