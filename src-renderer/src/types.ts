import type { Role } from '../../src-main/contract/domain';
import type { MethodName } from '../../src-main/contract/methods';

/**
 * Output shapes the screens rely on. The contract defines inputs; until it also exports
 * outputs, these mirror what the core returns (see the brief) and stay deliberately loose
 * where the shape is still moving (case.get).
 */
export interface Me {
  userId: string;
  name: string;
  role: Role;
}

export interface QueueRow {
  id: string;
  status: string;
  reason: string;
  claimAmountMinor: number;
  currency: string;
  totalMinor: number;
  buyerId: string;
  buyerName: string;
  buyerCountry: string;
  escalatedAt: string;
  assignee: string | null;
  nextDeadlineAt: string | null;
  sortKey: number;
}

export interface QueuePage {
  rows: QueueRow[];
  nextCursor: { sortKey: number; id: string } | null;
}

/** case.get: rendered defensively, every field optional. */
export type CaseView = Record<string, unknown>;

interface Outputs {
  'session.me': Me;
  'queue.list': QueuePage;
  'case.get': CaseView;
}

export type MethodOutput<M extends MethodName> = M extends keyof Outputs ? Outputs[M] : unknown;
