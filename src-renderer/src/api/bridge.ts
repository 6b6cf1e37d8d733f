import type { Envelope } from '../../../src-main/contract/errors';

/** A change pushed by main (same shape as app/identity ChangeNotice; the renderer may only import the contract). */
export interface ChangeNotice {
  caseIds: string[];
  reason: 'command' | 'sweep' | 'import';
  at: string;
}

/**
 * The whole surface the Electron preload exposes as `window.api`. Two functions, no raw
 * ipcRenderer: the page can only name a method and pass JSON; main decides the rest.
 */
export interface DeskBridge {
  invoke(method: string, input?: unknown): Promise<Envelope<unknown>>;
  onChange(listener: (notice: ChangeNotice) => void): () => void;
}

declare global {
  interface Window {
    api?: DeskBridge;
  }
}
