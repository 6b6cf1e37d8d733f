import type { Role } from '../contract/domain';
import type { Envelope } from '../contract/errors';
import type { EvidenceRequest, EvidenceResponse } from './evidence/serving';
import type { ChangeNotice, Dispatch, Identity } from './identity';
import type { FeedApi } from './feed/api';

export interface SignedInUser {
  userId: string;
  name: string;
  role: Role;
}

/** What a carrier gets from a sign-in: the user and the session token to hold (never sent to the page by IPC). */
export interface NewSession extends SignedInUser {
  token: string;
  /** The core's clock at the sign-in, as `session.me` answers it: the window's countdowns start from it without asking again. */
  serverTime: string;
}

/** Where a sign-in comes from (app/session/sign-in.ts): the throttling source and a label for the sessions list. */
export interface SignInFrom {
  source: string;
  userAgent: string;
}

export type UserIdentity = Extract<Identity, { kind: 'user' }>;

/**
 * What a carrier (IPC, HTTP) needs from the main-process core. The carrier owns the
 * session (which window or cookie belongs to which user); the core owns everything else.
 */
export interface CoreApi {
  dispatch: Dispatch;
  /** Checks a password (Argon2id, older scrypt hashes too; throttled per source and account) and opens a session; the carrier holds the token. */
  signIn(userId: string, password: string, from: SignInFrom): Promise<Envelope<NewSession>>;
  /** Dispatch as whoever holds this session token (anonymous for none, an ended or unknown one). */
  callAs(token: string | null, method: string, input: unknown): Promise<Envelope<unknown>>;
  /** The user holding this session token now, or null; throws when the database cannot be reached. */
  identify(token: string): Promise<UserIdentity | null>;
  /** Ends the session of this token (sign-out). */
  signOut(token: string): Promise<void>;
  /** Subscribe to case changes (commands, sweeps, imports); returns an unsubscribe function. */
  onChange(listener: (notice: ChangeNotice | null) => void): () => void;
  /** True when the database has no cases and no users: the first start offers demo data. */
  isEmpty(): Promise<boolean>;
  /**
   * A stored evidence file for `<img>`/`<video>` (app/evidence/serving.ts): the carrier
   * passes the session's identity and the request's hash, variant and Range header.
   * Absent on a core without an evidence store (the carrier then answers 404).
   */
  readEvidence?(identity: Identity, request: EvidenceRequest): Promise<EvidenceResponse>;
  /** The marketplace feed API (FEED.md), served under /feed/v1/ (transport/feed-http.ts). Absent: 404. */
  feed?: FeedApi;
  /** Fills an empty database with the deterministic demo population. */
  seedDemo(cases: number): Promise<{ cases: number; users: number }>;
  close(): Promise<void>;
}
