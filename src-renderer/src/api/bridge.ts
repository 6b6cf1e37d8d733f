import type { DeskBridge } from '../../../src-main/contract/bridge';

// The bridge's types live in the contract (the preload implements them; the renderer may import only the contract).
export type { ChangeNotice, DeskBridge, TaskProgress } from '../../../src-main/contract/bridge';

declare global {
  interface Window {
    api?: DeskBridge;
  }
}
