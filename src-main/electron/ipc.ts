import { ipcMain, webContents, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import type { AppError, Envelope } from '../contract/errors';
import { CHANGE_CHANNEL, INVOKE_CHANNEL } from './channels';
import type { CoreApi } from '../app/core-api';
import { sessionInfo, type DemoAccount } from '../transport/session-info';

/**
 * The Electron IPC carrier: one invoke channel, the caller's identity held here in main
 * per webContents. Imports electron, so neither tests nor the HTTP path may import it.
 */

export interface IpcCarrierOptions {
  /** True when the frame shows our own page (main.ts knows the app:// origin). */
  isTrustedFrame(frame: WebFrameMain): boolean;
  /** Tells the sign-in screen to show the demo accounts hint. */
  demo?: boolean;
  demoAccounts?: readonly DemoAccount[];
  /**
   * The map this carrier keeps its session tokens in (webContents id → token; the sessions
   * are rows in the core), when main needs it too: evidence:// serves files to the window's session.
   */
  sessions?: Map<number, string>;
  /** This installation's sign-in source, `desktop:<installation id>` (throttling counts per source). */
  source: string;
  /** How the sessions list names this desktop. */
  userAgent: string;
}

export function registerIpcCarrier(core: CoreApi, opts: IpcCarrierOptions): () => void {
  const tokens = opts.sessions ?? new Map<number, string>();
  /** webContents whose 'destroyed' already clears their identity (one listener each). */
  const watched = new Set<number>();

  /** Drops the window's session and ends its row (sign-out, a new sign-in, the window closing). */
  const forget = async (id: number) => {
    const token = tokens.get(id);
    tokens.delete(id);
    if (token) await core.signOut(token).catch((e: unknown) => console.warn('[ipc] could not end a session:', e));
  };

  ipcMain.handle(INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<Envelope<unknown>> => {
    // The renderer is untrusted: check who sent this before reading anything else.
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !opts.isTrustedFrame(frame)) {
      return failure('FORBIDDEN', 'Calls are only accepted from the application window');
    }
    if (typeof method !== 'string' || method.length === 0 || method.length > 100) {
      return failure('VALIDATION', 'A method name is required');
    }
    const contents = event.sender;
    try {
      switch (method) {
        case 'session.signIn':
          return await signIn(contents, input);
        case 'session.signOut':
          await forget(contents.id);
          return { ok: true, value: null };
        case 'session.info':
          return { ok: true, value: sessionInfo(opts.demo, opts.demoAccounts) };
        default:
          return await core.callAs(tokens.get(contents.id) ?? null, method, input);
      }
    } catch (err) {
      // Thrown errors never cross the process boundary; only envelopes do.
      console.error('[ipc] unexpected error in', method, err);
      return failure('INTERNAL', 'Internal error');
    }
  });

  async function signIn(contents: WebContents, input: unknown): Promise<Envelope<unknown>> {
    const { userId, password } = (input ?? {}) as { userId?: unknown; password?: unknown };
    if (typeof userId !== 'string' || typeof password !== 'string' || userId.length > 200 || password.length > 1000) {
      return failure('VALIDATION', 'User id and password are required');
    }
    // Signing in as someone else first drops the current user, even if the attempt fails.
    await forget(contents.id);
    const result = await core.signIn(userId, password, { source: opts.source, userAgent: opts.userAgent });
    if (!result.ok) return result;
    const { userId: id, name, role, token, serverTime } = result.value;
    if (!watched.has(contents.id)) {
      const windowId = contents.id;
      watched.add(windowId);
      contents.once('destroyed', () => {
        watched.delete(windowId);
        void forget(windowId);
      });
    }
    tokens.set(contents.id, token);
    // The token stays in main: the page only learns who signed in.
    return { ok: true, value: { userId: id, name, role, serverTime } };
  }

  // Notices go only to windows with a signed-in user.
  const unsubscribe = core.onChange((notice) => {
    for (const id of tokens.keys()) {
      const contents = webContents.fromId(id);
      if (contents && !contents.isDestroyed()) contents.send(CHANGE_CHANNEL, notice);
      else void forget(id);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(INVOKE_CHANNEL);
    for (const id of [...tokens.keys()]) void forget(id);
  };
}

function failure(code: AppError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}
