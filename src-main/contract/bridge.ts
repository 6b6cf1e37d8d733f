import type { Envelope } from './errors';

/** A change pushed by main to every window and HTTP client (IPC `md:change`, SSE `change`); `null` on the wire means "refresh everything". */
export interface ChangeNotice {
  caseIds: string[];
  /** 'presence': only who has the case open changed (the case itself did not). */
  reason: 'command' | 'sweep' | 'import' | 'presence';
  at: string;
  /**
   * A long task under way in main (issue 16): a catch-up of many due deadlines sends one per
   * committed chunk, then one with `finished: true`. Windows show it as a progress indicator.
   */
  progress?: TaskProgress;
}

export interface TaskProgress {
  /** 'import': a dispute file imported from the Feeds screen (contract/imports.ts), `remainingAtLeast` estimated from the bytes left. */
  task: 'catch-up' | 'import';
  /** Due deadlines applied so far in this run. */
  done: number;
  /** Due deadlines still waiting at the sweep's last read (a lower bound: one read sees at most a batch). */
  remainingAtLeast: number;
  finished: boolean;
}

/**
 * The whole surface the Electron preload exposes as `window.api`. Two functions, no raw
 * ipcRenderer: the page can only name a method and pass JSON; main decides the rest.
 * Here in the contract because both sides need it: src-main/electron/preload.ts implements
 * it, the renderer (src-renderer/src/api/bridge.ts) declares `window.api` with it.
 */
export interface DeskBridge {
  invoke(method: string, input?: unknown): Promise<Envelope<unknown>>;
  onChange(listener: (notice: ChangeNotice | null) => void): () => void;
}
