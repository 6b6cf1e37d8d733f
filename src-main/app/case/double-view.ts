import type { CaseView } from '../../contract/outputs/case';
import { toIso } from '../../contract/primitives';
import type { Reader } from '../../db/tx';
import { doubleDecisionOf } from '../../db/repos/double-decisions';

/** Deadlines that exist only once a case is decided (they would tell the outcome). */
const AFTER_DECISION_DEADLINES = new Set(['appeal', 'return']);

/**
 * The case screen as `viewer` may see it when the case has a blind double decision (issue 18):
 * the chosen second decider, until they have decided, gets the case as it stood before the
 * first decision: no decision, refund, appeal, after-decision deadlines, nor any event or
 * message from the first decision on. Enforced here in main, whatever the screen does.
 */
export async function withDoubleDecision(db: Reader, view: CaseView, viewer: string | null): Promise<CaseView> {
  const row = await doubleDecisionOf(db, view.id);
  if (!row) return { ...view, doubleDecision: null };
  const decided = row.decided_at !== null;
  const blindForYou = !decided && viewer === row.second_decider;
  const doubleDecision = {
    blindForYou,
    status: decided ? ('decided' as const) : ('pending' as const),
    secondDecider: row.second_decider,
    second: decided
      ? { outcome: row.outcome!, amountMinor: row.amount_minor!, reasons: row.reasons ?? '', decidedAt: toIso(row.decided_at!) }
      : null,
  };
  if (!blindForYou) return { ...view, doubleDecision };
  const firstAt = Date.parse(view.previousDecisions[0]?.decidedAt ?? view.decision?.decidedAt ?? new Date(row.selected_at).toISOString());
  const before = (at: string) => Date.parse(at) < firstAt;
  return {
    ...view,
    // An appeal, or a decision final on appeal, would tell there was something to contest.
    status: view.status === 'appealed' || view.status === 'final' ? 'closed' : view.status,
    decision: null,
    previousDecisions: [],
    appeal: null,
    refund: null,
    returnDueAt: null,
    deadlines: view.deadlines.filter((d) => !AFTER_DECISION_DEADLINES.has(d.kind)),
    messages: view.messages.filter((m) => before(m.at)),
    events: view.events.filter((e) => before(e.at)),
    doubleDecision,
  };
}
