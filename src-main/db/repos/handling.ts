import type { HandlingEvent } from '../../engine/handled';
import { chunks } from '../batch';
import type { Reader } from '../tx';

/** The event types engine/handled.ts reads to tell who handled a case. */
const HANDLING_TYPES = [
  'case.decided',
  'appeal.reviewed',
  'evidence.requested',
  'proposal.published',
  'case.claimed',
  'case.assigned',
  'case.reassigned',
];

/** The handling events of these cases, in history order (the separation-of-duties rule's input). */
export async function handlingEventsOf(db: Reader, caseIds: string[]): Promise<Map<string, HandlingEvent[]>> {
  const out = new Map<string, HandlingEvent[]>(caseIds.map((id) => [id, []]));
  for (const ids of chunks([...new Set(caseIds)], 500)) {
    const rows = await db
      .selectFrom('case_events')
      .select(['case_id', 'type', 'actor', 'details'])
      .where('case_id', 'in', ids)
      .where('type', 'in', HANDLING_TYPES)
      .orderBy('case_id')
      // History order: the chain's (case_id, seq) index (migration 0049); events written around the chain (no seq) first.
      .orderBy('seq', (ob) => ob.asc().nullsFirst())
      .orderBy('id')
      .execute();
    for (const r of rows) out.get(r.case_id)!.push({ type: r.type, actor: r.actor, details: parseDetails(r.details) });
  }
  return out;
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
