import { ago, describeCaseEvent } from '../../contract/presence';
import { latestCaseEvents } from '../../db/repos/presence';
import type { Reader } from '../../db/tx';

/**
 * The stale-action guard: a decision, evidence request or proposal filled in against an older
 * version of the case is refused (STALE) instead of applied, with a sentence naming what
 * changed, so the person looks again and sends again (their dialog keeps the text).
 */
export async function staleRefusal(db: Reader, caseId: string, basedOn: number, current: number, now: number) {
  const [latest] = await latestCaseEvents(db, caseId, 1);
  const what = latest
    ? `${describeCaseEvent({ type: latest.type, actor: latest.actor, details: parseDetails(latest.details) }, latest.name ?? latest.actor)} ${ago(now - latest.at)}`
    : 'it was changed';
  return {
    ok: false as const,
    code: 'STALE' as const,
    message: `Case ${caseId} changed while you were writing (version ${basedOn}, now ${current}): ${what}. Nothing was sent; look at the change and send again.`,
  };
}

function parseDetails(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
