/**
 * Desktop installers (`npm run dist`, see resources/scripts/dist.ts): NSIS on Windows, a DMG
 * on macOS, an AppImage and a .deb on Linux, each built on its own platform because the
 * Electron build of better-sqlite3 (npm run rebuild:electron) is native to the machine that
 * made it. Output in dist/.
 */
import type { Configuration } from 'electron-builder';
import { SQLITE_BINDING } from './resources/scripts/desktop-toolchain';

const config: Configuration = {
  appId: 'com.mediationdesk.desktop',
  productName: 'Mediation Desk',
  directories: { output: 'dist' },
  // The electron-vite bundle and the Electron build of better-sqlite3; production
  // dependencies (sharp, better-sqlite3's JS, …) are added by electron-builder itself.
  files: ['package.json', 'out/**/*', SQLITE_BINDING],
  asar: true,
  // A .node file cannot be loaded from inside app.asar: it goes to app.asar.unpacked/ under
  // the same relative path, where src-main/db/connect.ts looks for it.
  asarUnpack: [SQLITE_BINDING],
  // node_modules keeps the Node build of better-sqlite3 (tests, CLI, serve); rebuilding it in
  // place for Electron would break those. The desktop loads SQLITE_BINDING instead.
  npmRebuild: false,
  // Set on the packaged Electron binary (@electron/fuses) before signing.
  electronFuses: {
    // ELECTRON_RUN_AS_NODE would turn the signed app into a plain Node for any local process.
    runAsNode: false,
    // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could inject code or trust into the main process.
    enableNodeOptionsEnvironmentVariable: false,
    // --inspect and SIGUSR1 would open a debugger into the process that holds the sessions.
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    // Only app.asar, whose integrity is checked at load (Windows and macOS): no loose app/ folder.
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    // The renderer is served from app://desk, never file://.
    grantFileProtocolExtraPrivileges: false,
  },
  win: { target: ['nsis'] },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], category: 'public.app-category.business' },
  linux: { target: ['AppImage', 'deb'], category: 'Office', maintainer: 'Mediation Desk' },
};

export default config;
