import type { RefundStatus } from '../../contract/domain';
import type { CaseStatus } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import { toIso } from '../../contract/primitives';
import type { MediatorStats, TeamOverview } from '../../contract/supervision';
import { appendEvents, ConcurrentUpdate, loadCaseStates, saveCaseStates, type CaseChange } from '../../db/repos/case';
import { longestWaitingPerStatus, refundStageTotals, teamMembers, teamTallies, unassignedCount, userRoleOf } from '../../db/repos/team';
import { inWriteTx, type Reader } from '../../db/tx';
import { recordChange } from '../../db/repos/changes';
import type { Actor } from '../../engine/commands';
import { decide } from '../../engine/decide';
import { logCommand } from '../case/command-log';
import { currentPolicy } from '../../db/repos/policy';
import { lockCases } from '../../db/repos/case-locks';
import { applyDueOfCase } from '../sweep/sweep';
import { qualityResultsOf } from './quality';

const DAY_MS = 86_400_000;
/** A mediator whose refund rate is this many points from the team's (with enough decisions) is worth a look. */
export const OUTLIER_PTS = 15;
export const OUTLIER_MIN_DECIDED = 5;
const WAITING_LONGEST = 20;

type Mix = MediatorStats['mix'];
const OUTCOMES = ['full', 'partial', 'return', 'none'] as const;
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

interface Tally {
  open: number;
  overdue: number;
  decided: number;
  byOutcome: Record<(typeof OUTCOMES)[number], number>;
  refunded: number;
  shareSum: number;
  overturned: number;
}
const emptyTally = (): Tally => ({
  open: 0,
  overdue: 0,
  decided: 0,
  byOutcome: { full: 0, partial: 0, return: 0, none: 0 },
  refunded: 0,
  shareSum: 0,
  overturned: 0,
});

/**
 * The team view: per mediator and supervisor, open and overdue cases (the queue's
 * definition of overdue), decisions made in the last `days` (by the mediator or on appeal),
 * their outcome mix, refund rate and mean refunded share of the claim against the team's,
 * quality-review results (all time) and appeals overturned (of the window's decisions);
 * then the team's totals, the unassigned count and the open cases waiting longest.
 * Every query is grouped in SQL and bounded by the team's size or an index range.
 */
export async function teamOverview(db: Reader, days: number, now: number): Promise<TeamOverview> {
  const since = now - days * DAY_MS;
  const users = await teamMembers(db);
  const ids = users.map((u) => u.id);
  const tallies = new Map(ids.map((id) => [id, emptyTally()]));

  if (ids.length) {
    const { open, decided, overturned } = await teamTallies(db, ids, since, now);
    for (const r of open) {
      const t = tallies.get(r.assignee_id!)!;
      t.open = Number(r.n);
      t.overdue = Number(r.overdue ?? 0);
    }
    for (const r of decided) {
      const t = tallies.get(r.decided_by)!;
      const n = Number(r.n);
      t.decided += n;
      if (r.outcome in t.byOutcome) t.byOutcome[r.outcome as keyof Tally['byOutcome']] += n;
      t.refunded += Number(r.refunded ?? 0);
      t.shareSum += Number(r.share ?? 0);
    }
    for (const r of overturned) tallies.get(r.decided_by)!.overturned = Number(r.n);
  }

  const quality = await qualityResultsOf(db, ids);
  const team = emptyTally();
  for (const t of tallies.values()) {
    team.open += t.open;
    team.overdue += t.overdue;
    team.decided += t.decided;
    for (const o of OUTCOMES) team.byOutcome[o] += t.byOutcome[o];
    team.refunded += t.refunded;
    team.shareSum += t.shareSum;
    team.overturned += t.overturned;
  }
  const teamQuality = { reviewed: 0, agreed: 0, disagreed: 0 };
  for (const q of quality.values()) {
    teamQuality.reviewed += q.reviewed;
    teamQuality.agreed += q.agreed;
    teamQuality.disagreed += q.disagreed;
  }
  const rates = (t: Tally) => ({
    decided: t.decided,
    decidedPerDay: round(t.decided / days, 2),
    mix: Object.fromEntries(OUTCOMES.map((o) => [o, t.decided ? round(t.byOutcome[o] / t.decided, 4) : 0])) as Mix,
    refundRate: t.decided ? round(t.refunded / t.decided, 4) : 0,
    meanRefundShareOfClaim: t.decided ? round(t.shareSum / t.decided, 4) : 0,
  });
  const teamRates = rates(team);
  const teamRefundRate = team.decided ? team.refunded / team.decided : 0;

  const members: MediatorStats[] = users.map((u) => {
    const t = tallies.get(u.id)!;
    const delta = t.decided ? round(100 * (t.refunded / t.decided - teamRefundRate), 1) : 0;
    return {
      userId: u.id,
      name: u.name,
      role: u.role as 'mediator' | 'supervisor',
      openCases: t.open,
      overdueCases: t.overdue,
      ...rates(t),
      refundRateDeltaPts: delta,
      outlier: t.decided >= OUTLIER_MIN_DECIDED && Math.abs(delta) >= OUTLIER_PTS,
      quality: quality.get(u.id)!,
      appealsOverturned: t.overturned,
    };
  });

  const [unassigned, waiting, refunds] = await Promise.all([unassignedCount(db), waitingLongest(db, now), refundStageTotals(db)]);
  return {
    windowDays: days,
    asOf: toIso(now),
    members,
    team: { openCases: team.open, overdueCases: team.overdue, ...teamRates, quality: teamQuality, appealsOverturned: team.overturned },
    unassigned,
    waitingLongest: waiting,
    refundStages: refunds.map((r) => ({ ...r, status: r.status as RefundStatus })),
  };
}

/**
 * The open cases escalated longest ago: the first rows of each open state along the
 * (status, escalated_at, id) index, merged. Never a walk over the closed and final cases.
 */
async function waitingLongest(db: Reader, now: number): Promise<TeamOverview['waitingLongest']> {
  const perStatus = await longestWaitingPerStatus(db, now, WAITING_LONGEST);
  return perStatus
    .sort((a, b) => a.escalated_at - b.escalated_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, WAITING_LONGEST)
    .map((r) => ({
      caseId: r.id,
      status: r.status as CaseStatus,
      assignee: r.assignee_id,
      escalatedAt: toIso(r.escalated_at),
      waitingMs: Math.max(0, now - r.escalated_at),
      reason: r.reason,
      overdue: Number(r.overdue) === 1,
    }));
}

/**
 * Assigns (or reassigns) several cases to one user in ONE transaction, each through the
 * engine's assign command: all or none. The first refusal refuses the whole command, names
 * the case, and is written to that case's audit log; nothing else changes.
 */
export async function assignMany(
  db: Reader,
  caseIds: string[],
  userId: string,
  actor: Actor,
  now: number,
): Promise<{ userId: string; caseIds: string[] }> {
  const user = await userRoleOf(db, userId);
  if (!user) throw new AppFailure('NOT_FOUND', `There is no user ${userId}.`);
  if (user.role === 'analyst')
    throw new AppFailure('VALIDATION', `${userId} is an analyst; cases are assigned to mediators or supervisors.`, 'userId');
  const ids = [...new Set(caseIds)];
  const command = { type: 'assign' as const, userId };
  for (let attempt = 0; ; attempt++) {
    try {
      const refused = await inWriteTx(db, async (tx) => {
        // As a single command does: each case locked (case first, in id order), its due deadlines applied.
        await lockCases(tx, ids);
        for (const id of ids) await applyDueOfCase(tx, id, now);
        const states = await loadCaseStates(tx, ids);
        const missing = ids.find((id) => !states.has(id));
        if (missing) throw new AppFailure('NOT_FOUND', `There is no case ${missing}; nothing was assigned.`, 'caseIds');
        const { version, policy } = await currentPolicy(tx);
        const changes: CaseChange[] = [];
        for (const id of ids) {
          const prev = states.get(id)!;
          const result = decide(prev, command, { now, policy, policyVersion: version, actor });
          if (!result.ok) return { caseId: id, code: result.code, message: result.message };
          changes.push({ prev, next: result.next, effects: result });
        }
        await saveCaseStates(tx, changes, now);
        await recordChange(tx, ids, 'command', now);
        for (const id of ids) await logCommand(tx, id, command, actor, now);
        return null;
      });
      if (refused) {
        // Rolled back whole; the refusal still belongs in the refused case's audit log.
        const by = actor.kind === 'user' ? actor.id : actor.kind;
        await inWriteTx(db, (tx) =>
          appendEvents(tx, refused.caseId, [
            {
              at: now,
              actor: by,
              type: 'command.refused',
              details: { command: 'assign', bulk: ids.length, code: refused.code, message: refused.message },
            },
          ]),
        );
        const failure = new AppFailure(
          refused.code,
          `Nothing was assigned: ${refused.message.includes(refused.caseId) ? refused.message : `case ${refused.caseId}: ${refused.message}`}`,
        );
        failure.logged = true;
        throw failure;
      }
      return { userId, caseIds: ids };
    } catch (e) {
      if (e instanceof ConcurrentUpdate && attempt < 3) continue;
      if (e instanceof ConcurrentUpdate)
        throw new AppFailure('CONFLICT', 'Some of these cases are being changed by someone else; try again.');
      throw e;
    }
  }
}
