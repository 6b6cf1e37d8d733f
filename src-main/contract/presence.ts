import { z } from 'zod';
import { Id } from './primitives';

/**
 * Presence (issue 12 item 3): who else has a case open and what they are writing, across
 * desktops. The case screen beats every PRESENCE_BEAT_MS while open (with what its dialog is
 * doing); a row not refreshed for PRESENCE_TTL_MS is gone. Methods spread into methods.ts.
 */
export const PresenceActivity = z.enum(['viewing', 'deciding', 'requesting', 'proposing']);
export type PresenceActivity = z.output<typeof PresenceActivity>;

export const PRESENCE_BEAT_MS = 10_000;
export const PRESENCE_TTL_MS = 30_000;
/** One person holds at most this many presence rows (tabs, windows); the oldest goes first. */
export const MAX_PRESENCE_PER_USER = 20;

const CaseRef = z.object({ caseId: Id }).strict();
const everyone = ['mediator', 'supervisor', 'analyst'] as const;

export const presenceMethods = {
  /** "I have this case open (and am doing this)": an upsert; a change of activity is announced to every desktop. */
  'presence.beat': { input: z.object({ caseId: Id, activity: PresenceActivity }).strict(), who: everyone },
  /** "I closed it": the row goes at once instead of after the time-to-live. */
  'presence.leave': { input: CaseRef, who: everyone },
  /** Who else has this case open now. */
  'presence.get': { input: CaseRef, who: everyone },
} as const;

/** Another person on a case, as the case screen and the queue rows show them. */
export interface PresenceEntry {
  userId: string;
  name: string;
  activity: PresenceActivity;
  /** When they began this activity (ISO). */
  since: string;
}

export interface PresenceOutputs {
  'presence.beat': { others: PresenceEntry[] };
  'presence.leave': { left: boolean };
  'presence.get': { others: PresenceEntry[] };
}

/**
 * One event of a case's log as a sentence a mediator understands at a glance ("rosa requested
 * evidence from the buyer"): what the stale guard shows when the case changed under a dialog,
 * and what a STALE refusal names. `who` is the actor's display name when known.
 */
export function describeCaseEvent(e: { type: string; actor: string; details: unknown }, who: string = e.actor): string {
  const d = (e.details ?? {}) as Record<string, unknown>;
  const s = (k: string) => (typeof d[k] === 'string' ? d[k] : '');
  switch (e.type) {
    case 'case.claimed':
      return `${who} claimed the case`;
    case 'case.assigned':
    case 'case.reassigned':
      return `${who} assigned the case to ${s('assignee') || 'someone'}`;
    case 'evidence.requested':
      return `${who} requested evidence from the ${s('party') || e.actor}`;
    case 'evidence.submitted':
      return `the ${s('party') || e.actor} sent evidence${s('name') ? ` (${s('name')})` : ''}`;
    case 'evidence.expired':
    case 'evidence.missed':
      return `the ${s('party') || e.actor}'s evidence deadline passed`;
    case 'proposal.published':
      return `${who} published the resolutions`;
    case 'reply.received':
      return `the ${s('party') || e.actor} replied (${s('choice') || 'a choice'})`;
    case 'reply_period.ended':
      return 'the reply period ended';
    case 'case.decided':
      return `${who} decided the case (${s('outcome') || 'an outcome'})`;
    case 'appeal.filed':
      return `the ${s('party') || e.actor} appealed`;
    case 'appeal.reviewed':
      return `${who} reviewed the appeal`;
    default:
      return `${who}: ${e.type.replace(/[._]/g, ' ')}`;
  }
}

/** "20 s ago", "3 min ago", "2 h ago". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5_400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3_600)} h ago`;
}
