#!/usr/bin/env node
// Builds better-sqlite3 for Electron's ABI into resources/native/better_sqlite3.node,
// in a copy of the module, so node_modules keeps the Node build that tests and the CLI use.
// The Electron main process loads the result through better-sqlite3's `nativeBinding`.
// Needs Electron's headers (downloaded by node-gyp): run it on a developer's machine.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const source = join(root, 'node_modules/better-sqlite3');
const work = mkdtempSync(join(tmpdir(), 'md-electron-sqlite-'));
cpSync(source, work, { recursive: true, filter: (p) => !p.includes(`${source}/build`) });

const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', {
  paths: [dirname(process.execPath), join(dirname(process.execPath), '../lib/node_modules/npm')],
});
console.log(`building better-sqlite3 for Electron ${electronVersion} in ${work}`);
execFileSync(
  process.execPath,
  [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'],
  {
    cwd: work,
    stdio: 'inherit',
  },
);
const out = join(root, 'resources/native');
mkdirSync(out, { recursive: true });
copyFileSync(join(work, 'build/Release/better_sqlite3.node'), join(out, 'better_sqlite3.node'));
console.log(`wrote ${join(out, 'better_sqlite3.node')}`);
