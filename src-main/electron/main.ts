import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, powerMonitor, protocol, session, type WebFrameMain } from 'electron';
import { openCore } from '../runtime/core';
import { readConfig } from '../runtime/config';
import { listenForFeed } from '../transport/feed-http';
import { registerIpcCarrier } from './ipc';
import { installationSource } from './installation';
import { contentTypeFor, resolveStaticFile } from '../transport/static-files';
import { startingPage, type StartingProgress } from '../transport/starting-page';

/**
 * Thin Electron glue: one window, the app:// protocol, the security settings of Electron's
 * checklist, and the IPC carrier wired to the core. No business logic lives here.
 */

const SCHEME = 'app';
const HOST = 'desk';
/** Stored evidence files: evidence://file/<sha256>/<original|display|thumb> (app/evidence/serving.ts). */
const EVIDENCE_SCHEME = 'evidence';
const START_URL = `${SCHEME}://${HOST}/index.html`;
/** What the window shows while the core opens (transport/starting-page.ts); no file behind it. */
const STARTING_URL = `${SCHEME}://${HOST}/starting`;
const DEMO_CASES = 120;

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');

/** Styles inline for Mantine's CSS variables; no network at all (the page talks over IPC). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  `img-src 'self' data: blob: ${EVIDENCE_SCHEME}:`,
  `media-src ${EVIDENCE_SCHEME}:`,
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Must happen before 'ready': a standard, secure scheme gets a real origin (app://desk),
// so the page is not a file:// page with access to the whole disk.
// evidence: is standard and secure for the same reason, and `stream` so <video> can seek
// through range requests instead of loading a whole video first.
protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  { scheme: EVIDENCE_SCHEME, privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true } },
]);
app.enableSandbox();

const isOwnPage = (frame: WebFrameMain): boolean => {
  try {
    const url = new URL(frame.url);
    return url.protocol === `${SCHEME}:` && url.host === HOST;
  } catch {
    return false;
  }
};

function serveRenderer(starting: StartingProgress): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host === HOST && url.pathname === '/starting') {
      return new Response(startingPage(starting), {
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff' },
      });
    }
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

/**
 * Evidence files for <img>/<video> of our own window, with the session main holds for it.
 * All the deciding (who, which file, which headers, ranges) is in core.readEvidence; this only
 * translates the URL and the answer. Nothing in the URL but a hash and a variant is read.
 */
function serveEvidence(core: Awaited<ReturnType<typeof openCore>>, tokenOfWindow: () => string | undefined): void {
  protocol.handle(EVIDENCE_SCHEME, async (request) => {
    const url = new URL(request.url);
    const parts = url.pathname.split('/');
    if (url.host !== 'file' || parts.length !== 3 || url.search !== '' || !core.readEvidence) {
      return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain', 'X-Content-Type-Options': 'nosniff' } });
    }
    const token = tokenOfWindow();
    const identity = (token && (await core.identify(token))) || { kind: 'anonymous' as const };
    const answer = await core.readEvidence(identity, {
      sha256: parts[1] ?? '',
      variant: parts[2] ?? '',
      range: request.headers.get('range'),
      head: request.method === 'HEAD',
    });
    const body =
      answer.body === null
        ? null
        : Buffer.isBuffer(answer.body)
          ? new Uint8Array(answer.body)
          : (Readable.toWeb(answer.body) as unknown as ReadableStream<Uint8Array>);
    return new Response(body, { status: answer.status, headers: answer.headers });
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

function createWindow(url = START_URL): BrowserWindow {
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
  void win.loadURL(url);
  return win;
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
  const starting: StartingProgress = { startedAt: Date.now(), lines: [] };
  serveRenderer(starting);
  // The window opens at once on the starting page: an owed rescore of every buyer (after a model
  // upgrade) takes a minute or more on a large database, and a desk with no window looks dead.
  let win = createWindow(STARTING_URL);
  const showProgress = (line: string) => {
    console.info(`[risk] ${line}`);
    starting.lines = [...starting.lines, line];
    // A load still under way is replaced (it rejects as aborted): only the newest line matters.
    if (!win.isDestroyed()) win.loadURL(STARTING_URL).catch(() => undefined);
  };

  // A shared PostgreSQL (DATABASE_URL) for teams, else the core's default embedded SQLite
  // file, <userData>/mediation-desk.sqlite.
  const core = await openCore({
    dataDir: app.getPath('userData'),
    databaseUrl: readConfig().databaseUrl,
    onStartProgress: showProgress,
  });
  const demo = await offerDemo(core);
  // The marketplace's feed API (FEED.md) on its own listener: loopback unless the setting says otherwise.
  const feedListen = readConfig().feedListen;
  // When it cannot listen (a port another program holds), the Feeds screen says so and what to do.
  let feedServer: Awaited<ReturnType<typeof listenForFeed>>['server'] = null;
  if (feedListen && core.feed) {
    const listening = await listenForFeed(core.feed, feedListen);
    feedServer = listening.server;
    core.setFeedListener(listening.view);
    if (listening.view.problem) console.error(`[feed] ${listening.view.problem}`);
  }
  // Main holds each window's session; the evidence protocol reads the same map.
  const sessions = new Map<number, string>();
  // demo/ is loaded only when the demo population was asked for.
  const demoAccounts = demo ? (await import('../demo/demo-data')).DEMO_USERS : [];
  const disposeIpc = registerIpcCarrier(core, {
    isTrustedFrame: isOwnPage,
    demo,
    demoAccounts,
    sessions,
    source: installationSource(app.getPath('userData')),
    userAgent: `Mediation Desk desktop ${app.getVersion()} (${process.platform})`,
  });

  // Deadlines that passed while the machine slept are applied at once, not at the next timer.
  powerMonitor.on('resume', () => {
    core.sweepNow().catch((err: unknown) => console.error('[sweep] after resume failed', err));
  });

  if (win.isDestroyed()) win = createWindow();
  else void win.loadURL(START_URL);
  // One window at a time (single-instance lock): its session is the one that may read files.
  serveEvidence(core, () => (win.isDestroyed() ? undefined : sessions.get(win.webContents.id)));
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
    void feedServer?.close();
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
