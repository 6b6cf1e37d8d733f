import { z } from 'zod';
import type { CaseStatus, Outcome, Party, Reason } from './domain';
import { Outcome as OutcomeSchema } from './domain';
import { Id, RequiredText } from './primitives';

/**
 * The mediator's casework (issue 17): internal notes with second opinions, the evidence
 * checklist, related cases, and consistency at decision time. Methods spread into methods.ts.
 */

/** The longest note; a case holds at most MAX_NOTES_PER_CASE of them. */
export const MAX_NOTE_CHARS = 4_000;
export const MAX_NOTES_PER_CASE = 200;
/** How many related cases the panel lists (per case; the rest are counted, not listed). */
export const MAX_RELATED = 50;
/** How many nearest past decisions the Decide dialog shows. */
export const NEAREST_DECISIONS = 5;

const CaseRef = z.object({ caseId: Id }).strict();
const deskPeople = ['mediator', 'supervisor'] as const;
const everyone = ['mediator', 'supervisor', 'analyst'] as const;

export const caseworkMethods = {
  /** A case's internal notes (mediators and supervisors only; never in letters or the feed). */
  'notes.list': { input: CaseRef, who: deskPeople },
  /**
   * Adds an internal note. "@userid" of a supervisor in the text asks them for a second opinion;
   * `answers` (a request addressed to the caller) marks it answered by this note.
   */
  'notes.add': {
    input: z.object({ caseId: Id, body: RequiredText(MAX_NOTE_CHARS), answers: Id.optional() }).strict(),
    who: deskPeople,
  },
  /** The second opinions asked of the signed-in supervisor and not yet answered, oldest first. */
  'notes.secondOpinions': { input: z.object({}).strict(), who: ['supervisor'] },
  /** What evidence each side has and lacks for this reason, from the intake facts. */
  'case.checklist': { input: CaseRef, who: everyone },
  /** Cases sharing the buyer, the seller, a device / address / payment link, the tracking number or a photo cluster. */
  'case.related': { input: CaseRef, who: everyone },
  /** Assigns the open, unclaimed cases of a case's cluster (the case included) to one person, in one transaction. */
  'case.assignCluster': { input: z.object({ caseId: Id, userId: Id }).strict(), who: ['supervisor'] },
  /** The nearest past decisions to deciding this case with this outcome and amount, and whether it is far from them. */
  'case.consistency': {
    input: z.object({ caseId: Id, outcome: OutcomeSchema.optional(), amountMinor: z.number().int().optional() }).strict(),
    who: deskPeople,
  },
  /** Per mediator: how often their decisions agree with their nearest past decisions (the team view). */
  'team.consistency': { input: z.object({ days: z.number().int().min(1).max(90).default(30) }).strict(), who: ['supervisor'] },
} as const;

export interface NoteView {
  id: string;
  caseId: string;
  authorId: string;
  authorName: string;
  kind: 'note' | 'consistency';
  body: string;
  createdAt: string;
  /** The supervisor asked for a second opinion, if any. */
  mention: { userId: string; name: string; answeredAt: string | null; answeredByNote: string | null } | null;
  /** The second-opinion request this note answers. */
  answers: string | null;
}

export interface SecondOpinionItem {
  noteId: string;
  caseId: string;
  reason: Reason;
  status: CaseStatus;
  fromId: string;
  fromName: string;
  body: string;
  askedAt: string;
}

export type ChecklistItemKey =
  'tracking' | 'delivery_status' | 'delivery_date' | 'defect_photos' | 'device_video' | 'packaging' | 'item_photos';

export interface ChecklistItem {
  key: ChecklistItemKey;
  /** Who is expected to provide it. */
  party: Party;
  label: string;
  present: boolean;
  /** How it was found (or why it counts as missing). */
  detail: string;
  /** How much it weighs for that side (1–3). */
  weight: number;
}

export interface EvidenceStrength {
  /** 0–100: the share of that side's expected evidence present, weighted. */
  score: number;
  level: 'weak' | 'moderate' | 'strong';
  sentences: string[];
}

export interface ChecklistView {
  caseId: string;
  reason: Reason;
  items: ChecklistItem[];
  strength: Record<Party, EvidenceStrength>;
  /** A request text naming what is missing, per party (null: nothing missing). */
  requestText: Record<Party, string | null>;
}

export type RelationKind = 'buyer' | 'seller' | 'device' | 'address' | 'payment' | 'tracking' | 'photo';

export interface RelatedCase {
  caseId: string;
  status: CaseStatus;
  reason: Reason;
  assignee: string | null;
  currency: string;
  claimMinor: number;
  outcome: Outcome | null;
  amountMinor: number | null;
  /** What it shares with this case. */
  via: RelationKind[];
}

export interface RelatedView {
  caseId: string;
  cases: RelatedCase[];
  /** More related cases exist than listed. */
  truncated: boolean;
  /** Of the listed cases (this one included), those a supervisor's cluster assignment would take. */
  assignable: string[];
}

export interface NearDecision {
  caseId: string;
  outcome: Outcome;
  amountMinor: number;
  currency: string;
  /** amount / order total, 0–1. */
  share: number;
  decidedAt: string;
  decidedBy: string;
  /** What it shares with this case (same reason always). */
  matches: string[];
  distance: number;
}

export interface ConsistencyView {
  caseId: string;
  nearest: NearDecision[];
  /** How many past decisions were compared. */
  compared: number;
  /** The planned decision is far from the nearest ones: deciding asks for a consistency note. */
  far: boolean;
  /** Why (or why not) it is far, in a sentence. */
  explanation: string;
}

export interface MediatorConsistency {
  userId: string;
  name: string;
  decisions: number;
  /** Decisions that agree with the outcome most decisions of their kind got (same reason, delivery status, amount band). */
  agreeing: number;
  /** agreeing / decisions, 0–1 (null with no decisions). */
  rate: number | null;
}

export interface CaseworkOutputs {
  'notes.list': { notes: NoteView[]; supervisors: Array<{ userId: string; name: string }> };
  'notes.add': NoteView;
  'notes.secondOpinions': { items: SecondOpinionItem[] };
  'case.checklist': ChecklistView;
  'case.related': RelatedView;
  'case.assignCluster': { userId: string; caseIds: string[]; skipped: Array<{ caseId: string; why: string }> };
  'case.consistency': ConsistencyView;
  'team.consistency': { days: number; members: MediatorConsistency[] };
}
