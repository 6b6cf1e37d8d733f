import type { AppError, Envelope } from '../../../src-main/contract/errors';
import type { MethodName, MethodRawInput } from '../../../src-main/contract/methods';
import type { ChangeNotice } from './bridge';
import type { Me, MethodOutput } from './types';

/**
 * The renderer's only way to the core. Under Electron it goes through the preload's
 * `window.api` (IPC); in a browser through the local HTTP carrier. Either way the answer
 * is an envelope, never a thrown error, and identity is never sent: main holds it.
 */

export type { ChangeNotice };

const bridge = typeof window !== 'undefined' ? window.api : undefined;

let unauthenticatedHandler: (() => void) | null = null;

let databaseDown = false;
const databaseListeners = new Set<(down: boolean) => void>();

/** Told when calls start answering UNAVAILABLE (the case database cannot be reached) and when one succeeds again. */
export function onDatabaseState(listener: (down: boolean) => void): () => void {
  databaseListeners.add(listener);
  return () => databaseListeners.delete(listener);
}

function noteDatabase(result: Envelope<unknown>): void {
  const down = result.ok ? false : result.error.code === 'UNAVAILABLE' ? true : databaseDown;
  if (down === databaseDown) return;
  databaseDown = down;
  for (const l of databaseListeners) l(down);
}

/** Called whenever the carrier says the session is gone (expired, signed out elsewhere). */
export function onUnauthenticated(handler: (() => void) | null): void {
  unauthenticatedHandler = handler;
}

export async function call<M extends MethodName>(method: M, input: MethodRawInput<M>): Promise<Envelope<MethodOutput<M>>> {
  const result = bridge
    ? await bridge.invoke(method, input).catch(unreachable)
    : await post(`/api/call/${encodeURIComponent(method)}`, input);
  if (!result.ok && result.error.code === 'UNAUTHENTICATED') unauthenticatedHandler?.();
  noteDatabase(result);
  return result as Envelope<MethodOutput<M>>;
}

export type EvidenceVariant = 'original' | 'display' | 'thumb';

/**
 * Where an <img>/<video> loads a stored evidence file from: named by its sha256 and a
 * variant only, never by a path. Under Electron the `evidence://` protocol of main, in a
 * browser the HTTP carrier's route; both check the signed-in session held in main.
 */
export function evidenceUrl(sha256: string, variant: EvidenceVariant): string {
  const id = encodeURIComponent(sha256);
  return bridge ? `evidence://file/${id}/${variant}` : `/api/evidence/${id}?variant=${variant}`;
}

export async function signIn(userId: string, password: string): Promise<Envelope<Me>> {
  const input = { userId, password };
  const result = bridge ? await bridge.invoke('session.signIn', input).catch(unreachable) : await post('/api/session/sign-in', input);
  noteDatabase(result);
  return result as Envelope<Me>;
}

/** Who holds the session main keeps (cookie or window), or null when nobody is signed in. */
export async function currentUser(): Promise<Me | null> {
  const r = await call('session.me', {});
  return r.ok ? r.value : null;
}

export async function signOut(): Promise<void> {
  if (bridge) await bridge.invoke('session.signOut').catch(unreachable);
  else await post('/api/session/sign-out', {});
}

export interface SessionInfo {
  demo: boolean;
  /** Demo-only sign-ins (public passwords), listed on the sign-in screen. */
  accounts: Array<{ userId: string; name: string; role: string; password: string }>;
}

/** Whether the desk runs on demo data (the sign-in screen then shows the demo accounts). */
export async function sessionInfo(): Promise<SessionInfo> {
  const result = bridge
    ? await bridge.invoke('session.info').catch(unreachable)
    : await fetch('/api/session/info', { credentials: 'same-origin' }).then(readEnvelope, unreachable);
  const value = result.ok ? (result.value as Partial<SessionInfo> | null) : null;
  return { demo: value?.demo === true, accounts: Array.isArray(value?.accounts) ? value.accounts : [] };
}

/**
 * Change notices from main. `null` means "updates may have been missed" (the event stream
 * reconnected): refetch everything shown.
 */
export function subscribe(listener: (notice: ChangeNotice | null) => void): () => void {
  if (bridge) return bridge.onChange(listener);
  const source = new EventSource('/api/events');
  let opened = false;
  source.addEventListener('open', () => {
    if (opened) listener(null);
    opened = true;
  });
  source.addEventListener('change', (event) => {
    try {
      listener(JSON.parse((event as MessageEvent<string>).data) as ChangeNotice);
    } catch {
      listener(null);
    }
  });
  return () => source.close();
}

async function post(path: string, body: unknown): Promise<Envelope<unknown>> {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  }).then(readEnvelope, unreachable);
}

/** Every carrier answer is an envelope, even 4xx ones; anything else is a transport failure. */
async function readEnvelope(res: Response): Promise<Envelope<unknown>> {
  try {
    const body = (await res.json()) as Envelope<unknown>;
    if (body && typeof body === 'object' && typeof body.ok === 'boolean') return body;
  } catch {
    // fall through
  }
  return failure({ code: 'INTERNAL', message: `The desk service answered ${res.status} ${res.statusText}` });
}

function unreachable(): Envelope<never> {
  return failure({ code: 'INTERNAL', message: 'Cannot reach the desk service. Is it still running?' });
}

function failure(error: AppError): Envelope<never> {
  return { ok: false, error };
}
