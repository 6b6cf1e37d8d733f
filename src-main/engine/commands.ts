import type { AppealGrounds, Outcome, Party, ReplyChoice, Role } from '../contract/domain';
import type { ErrorCode } from '../contract/errors';
import type { Policy } from '../contract/policy';
import type { CaseState, Ms } from './state';

export type Actor = { kind: 'user'; id: string; role: Role } | { kind: 'intake' } | { kind: 'system' };

export interface FileDescription {
  name: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
}

export type Command =
  | { type: 'claim' }
  | { type: 'assign'; userId: string }
  /** The assignee (or a supervisor) gives the case back to the unassigned queue, saying why. */
  | { type: 'release'; reason: string }
  | { type: 'requestEvidence'; party: Party; request: string }
  /** One answer to the party's open request: every file is recorded against it (at least one; the contract allows 10). */
  | { type: 'submitEvidence'; party: Party; files: FileDescription[]; note?: string | undefined }
  | { type: 'propose'; partialAmountMinor?: number | undefined; note?: string | undefined }
  | { type: 'reply'; party: Party; choice: ReplyChoice }
  | { type: 'decide'; outcome: Outcome; amountMinor?: number | undefined; reasons: string }
  | { type: 'shipReturn'; trackingNumber: string }
  | { type: 'confirmReturn' }
  | { type: 'appeal'; party: Party; grounds: AppealGrounds; text: string }
  | {
      type: 'reviewAppeal';
      verdict: 'uphold' | 'overturn';
      outcome?: Outcome | undefined;
      amountMinor?: number | undefined;
      reasons: string;
    }
  /** The marketplace reports a payable refund's stage (FEED.md refund.update; engine/refund-stage.ts). */
  | { type: 'refundUpdate'; status: 'processing' | 'completed' | 'failed'; reference?: string | undefined; reason?: string | undefined }
  /** The sweep enforcing one deadline; `key` and `dueAt` come from deadlinesOf(state). */
  | { type: 'deadline'; key: string; dueAt: Ms };

export interface CaseEvent {
  at: Ms;
  /** A user id, 'buyer', 'seller', 'intake', 'parties' or 'system'. */
  actor: string;
  type: string;
  details: Record<string, unknown>;
}

export interface Deadline {
  /** Stable per case: 'evidence:<requestId>', 'reply', 'appeal', 'return'. */
  key: string;
  kind: 'evidence' | 'reply' | 'appeal' | 'return';
  dueAt: Ms;
}

export interface NewEvidence {
  party: Party;
  file: FileDescription;
  note: string | null;
  requestId: string;
  submittedAt: Ms;
}

export interface EngineContext {
  now: Ms;
  policy: Policy;
  policyVersion: number;
  actor: Actor;
}

export type EngineResult =
  | { ok: true; next: CaseState; events: CaseEvent[]; deadlines: Deadline[]; newEvidence: NewEvidence[] }
  | { ok: false; code: ErrorCode; message: string };
