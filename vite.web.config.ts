import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The renderer alone, for the browser served by `npm run serve` (src-main/transport/http.ts). */
export default defineConfig({
  root: resolve(root, 'src-renderer'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(root, 'out/web'),
    emptyOutDir: true,
    target: 'es2022',
  },
});
