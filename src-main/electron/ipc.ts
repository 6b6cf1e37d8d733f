import { ipcMain, webContents, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import type { AppError, Envelope } from '../contract/errors';
import { CHANGE_CHANNEL, INVOKE_CHANNEL } from './channels';
import type { CoreApi } from '../app/core-api';
import { sessionInfo, type DemoAccount } from '../transport/session-info';
import type { Identity } from '../app/identity';

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
   * The map this carrier keeps its sessions in (webContents id → signed-in user), when main
   * needs to read them too: the evidence:// protocol serves files to the window's session.
   */
  sessions?: Map<number, UserIdentity>;
}

export type UserIdentity = Extract<Identity, { kind: 'user' }>;

export function registerIpcCarrier(core: CoreApi, opts: IpcCarrierOptions): () => void {
  const identities = opts.sessions ?? new Map<number, UserIdentity>();
  /** webContents whose 'destroyed' already clears their identity (one listener each). */
  const watched = new Set<number>();

  const forget = (contents: WebContents) => identities.delete(contents.id);

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
          forget(contents);
          return { ok: true, value: null };
        case 'session.info':
          return { ok: true, value: sessionInfo(opts.demo, opts.demoAccounts) };
        default:
          return await core.dispatch(method, input, identities.get(contents.id) ?? { kind: 'anonymous' });
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
    forget(contents);
    const result = await core.signIn(userId, password);
    if (result.ok) {
      const { userId: id, name, role } = result.value;
      if (!watched.has(contents.id)) {
        const id = contents.id;
        watched.add(id);
        contents.once('destroyed', () => {
          identities.delete(id);
          watched.delete(id);
        });
      }
      identities.set(contents.id, { kind: 'user', userId: id, name, role });
    }
    return result;
  }

  // Notices go only to windows with a signed-in user.
  const unsubscribe = core.onChange((notice) => {
    for (const id of identities.keys()) {
      const contents = webContents.fromId(id);
      if (contents && !contents.isDestroyed()) contents.send(CHANGE_CHANNEL, notice);
      else identities.delete(id);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(INVOKE_CHANNEL);
    identities.clear();
  };
}

function failure(code: AppError['code'], message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}
