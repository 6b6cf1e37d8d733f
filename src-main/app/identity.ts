import type { Role } from '../contract/domain';
import type { Envelope } from '../contract/errors';

/** Who is calling, as held by main (the session), never as sent by the page. */
export type Identity =
  | {
      kind: 'user';
      userId: string;
      role: Role;
      name: string;
      /** The session row's id (hash of its token), when signed in through a carrier. */ sessionId?: string;
    }
  /** The marketplace feed; `feedId` when it called through the feed API with its token (app/feed). */
  | { kind: 'intake'; feedId?: string }
  | { kind: 'system' }
  | { kind: 'anonymous' };

/** One entry point for every carrier: IPC, HTTP and replay all call this. */
export type Dispatch = (method: string, rawInput: unknown, identity: Identity) => Promise<Envelope<unknown>>;

/** A change notification pushed to open screens (SSE under HTTP, webContents.send under Electron). */
export interface ChangeNotice {
  caseIds: string[];
  reason: 'command' | 'sweep' | 'import';
  at: string;
}
