import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, powerMonitor, protocol, session, type WebFrameMain } from 'electron';
import { DEMO_USERS } from '../cli/demo-data';
import { openCore } from '../services/core';
import { registerIpcCarrier } from '../transport/ipc';
import { contentTypeFor, resolveStaticFile } from '../transport/static-files';

/**
 * Thin Electron glue: one window, the app:// protocol, the security settings of Electron's
 * checklist, and the IPC carrier wired to the core. No business logic lives here.
 */

const SCHEME = 'app';
const HOST = 'desk';
const START_URL = `${SCHEME}://${HOST}/index.html`;
const DEMO_CASES = 120;

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');

/** Styles inline for Mantine's CSS variables; no network at all (the page talks over IPC). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Must happen before 'ready': a standard, secure scheme gets a real origin (app://desk),
// so the page is not a file:// page with access to the whole disk.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

const isOwnPage = (frame: WebFrameMain): boolean => {
  try {
    const url = new URL(frame.url);
    return url.protocol === `${SCHEME}:` && url.host === HOST;
  } catch {
    return false;
  }
};

function serveRenderer(): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const found = url.host === HOST ? await resolveStaticFile(rendererDir, url.pathname) : null;
    if (!found) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(await readFile(found.file), {
      headers: {
        'Content-Type': contentTypeFor(found.file),
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}

function lockDown(): void {
  // Every webContents, including any we did not create on purpose.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Mediation Desk',
    backgroundColor: '#f8f9fa',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(START_URL);
  return win;
}

/**
 * better-sqlite3 in node_modules is built for Node (tests, CLI); Electron has another ABI.
 * A packaging step puts the Electron build here; without it the Node build is tried.
 */
function electronSqliteBinding(): string | undefined {
  const candidate = process.env.MEDIATION_DESK_SQLITE_BINDING ?? join(app.getAppPath(), 'resources', 'native', 'better_sqlite3.node');
  return existsSync(candidate) ? candidate : undefined;
}

/** On the very first start the database is empty: offer the demo population. */
async function offerDemo(core: Awaited<ReturnType<typeof openCore>>): Promise<boolean> {
  if (!(await core.isEmpty())) return false;
  const { response } = await dialog.showMessageBox({
    type: 'question',
    buttons: ['Load demo data', 'Start empty'],
    defaultId: 0,
    cancelId: 1,
    title: 'Mediation Desk',
    message: 'The case database is empty.',
    detail: 'Load a demo population of escalated disputes and demo accounts to try the desk? The sign-in screen lists the demo accounts.',
  });
  if (response !== 0) return false;
  await core.seedDemo(DEMO_CASES);
  return true;
}

async function start(): Promise<void> {
  lockDown();
  serveRenderer();

  // A shared PostgreSQL (DATABASE_URL) for teams, else the core's default embedded SQLite
  // file, <userData>/mediation-desk.sqlite.
  const core = await openCore({
    dataDir: app.getPath('userData'),
    databaseUrl: process.env.DATABASE_URL || undefined,
    sqliteNativeBinding: electronSqliteBinding(),
  });
  const demo = await offerDemo(core);
  const disposeIpc = registerIpcCarrier(core, { isTrustedFrame: isOwnPage, demo, demoAccounts: demo ? DEMO_USERS : [] });

  // Deadlines that passed while the machine slept are applied at once, not at the next timer.
  powerMonitor.on('resume', () => {
    core.sweepNow().catch((err: unknown) => console.error('[sweep] after resume failed', err));
  });

  let win = createWindow();
  app.on('second-instance', () => {
    if (win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });

  // Close the database cleanly (WAL checkpoint, pending writes) before the process exits.
  let shuttingDown = false;
  app.on('will-quit', (event) => {
    if (shuttingDown) return;
    event.preventDefault();
    shuttingDown = true;
    disposeIpc();
    core
      .close()
      .catch((err: unknown) => console.error('[core] close failed', err))
      .finally(() => app.quit());
  });
}

// One desktop process per profile: two would fight over the same SQLite file.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      console.error('[main] start-up failed', err);
      dialog.showErrorBox('Mediation Desk could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}
