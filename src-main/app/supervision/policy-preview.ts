import { performance } from 'node:perf_hooks';
import type { Role } from '../../contract/domain';
import { formatMinor } from '../../contract/money-format';
import { Policy } from '../../contract/policy';
import { toIso } from '../../contract/primitives';
import type { PolicyPreviewView, PreviewCaseRow } from '../../contract/supervision';
import { loadCaseStates } from '../../db/repos/case';
import { allUsers } from '../../db/repos/team';
import type { Reader } from '../../db/tx';
import type { CaseState } from '../../engine/state';
import { commandLogOf, type LoggedCommand } from '../case/command-log';
import { exportDisputes } from '../replay/dispute-export';
import { allPolicyBodies, currentPolicy, lastDecidedCases } from '../../db/repos/policy';
import type { Scenario } from '../replay/replay';
import type { ReplayCases } from '../replay/in-worker';

/** The preview replays at most this many cases (the contract's bound too). */
export const MAX_PREVIEW_CASES = 1_000;
const STARTS_A_CASE = new Set(['case.claim', 'case.assign']);
/** Links per kind a rebuilt dispute may carry (the intake schema's bound). */
const MAX_LINKS = 50;

interface Outcome {
  outcome: string | null;
  amountMinor: number;
  basis: string | null;
  status: string;
  /** What the buyer is (or will be) refunded: 0 without a refund or when a return was never shipped. */
  refundMinor: number;
}
/**
 * "What would the last N decisions have been under this draft?" Rebuilds each case's intake
 * dispute, takes its logged commands (their instants and actors), and replays all of them
 * as one scenario under the draft on the replay's own in-memory database — the same
 * dispatch, engine and sweep as the real thing, so there is no second engine to drift.
 * Then compares each case's current decision with the replayed one. Nothing is written
 * to the real database.
 */
export async function previewPolicy(
  db: Reader,
  draftInput: Policy,
  lastN: number,
  now: number,
  replayCases: ReplayCases,
): Promise<PolicyPreviewView> {
  const started = performance.now();
  const draft = Policy.parse(draftInput);
  const n = Math.min(Math.max(1, lastN), MAX_PREVIEW_CASES);
  const { version: basedOnVersion } = await currentPolicy(db);

  const considered = await lastDecidedCases(db, n, now);
  const logs = await commandLogOf(db, considered);
  // A complete log starts where the case left the queue (a claim or an assignment); a case
  // that was already in hand when the log began cannot be replayed, and is counted as skipped.
  const withLog = considered.filter((id) => STARTS_A_CASE.has(logs.get(id)?.[0]?.method ?? ''));
  const [disputes, states, users, policies] = await Promise.all([
    exportDisputes(db, withLog),
    loadCaseStates(db, withLog),
    allUsers(db),
    allPolicyBodies(db),
  ]);
  const policyOf = new Map(policies.map((p) => [p.version, Policy.parse(JSON.parse(p.body))]));

  // One scenario: every case enters at its escalation (or its first command, if earlier),
  // then its logged commands at their instants as their actors; a last tick at `now` lets
  // every deadline that is due by now fall due, as it has in the real database.
  type Step = {
    at: number;
    order: number;
    seq: number;
    caseId: string;
    method: string;
    as: string;
    input: unknown;
    command?: LoggedCommand;
  };
  const steps: Step[] = [];
  for (const id of withLog) {
    const d = disputes.get(id)!;
    for (const account of [d.buyer, d.seller])
      for (const kind of ['device', 'address', 'payment'] as const)
        if (account.links?.[kind]) account.links[kind] = account.links[kind].slice(0, MAX_LINKS);
    const log = logs.get(id)!;
    steps.push({
      at: Math.min(Date.parse(d.escalatedAt), log[0]!.at),
      order: 0,
      seq: 0,
      caseId: id,
      method: 'intake.dispute',
      as: 'intake',
      input: d,
    });
    for (const c of log)
      steps.push({
        at: c.at,
        order: 1,
        seq: c.id,
        caseId: id,
        method: c.method,
        as: c.actorRole === 'intake' ? 'intake' : c.actorId,
        input: c.input,
        command: c,
      });
  }
  steps.sort((a, b) => a.at - b.at || a.order - b.order || a.seq - b.seq);
  const end = Math.max(now, steps.length ? steps[steps.length - 1]!.at : now);
  const scenario: Scenario = {
    name: `policy preview of ${withLog.length} cases`,
    policy: draft,
    users: users.map((u) => ({ id: u.id, name: u.name, role: u.role as Role })),
    steps: [
      ...steps.map((s) => ({ at: toIso(s.at), as: s.as, method: s.method, input: s.input })),
      { at: toIso(end), method: 'system.tick' },
    ],
  };
  // The replay is seconds of CPU for a large preview: it runs on a worker thread.
  const out = withLog.length ? await replayCases(scenario, withLog) : { results: [], value: new Map<string, CaseState>() };
  const replayed = out.value;
  const refusals = new Map<string, Array<{ step: Step; code: string; message: string }>>();
  for (const r of out.results) {
    const step = steps[r.step];
    if (r.ok || !step) continue;
    const list = refusals.get(step.caseId) ?? [];
    list.push({ step, code: r.error!.code, message: r.error!.message });
    refusals.set(step.caseId, list);
  }

  const rows: PreviewCaseRow[] = [];
  const totals = new Map<string, { beforeMinor: number; afterMinor: number }>();
  let changedOutcomes = 0;
  let changedAmounts = 0;
  let notReplayed = 0;
  for (const id of withLog) {
    const s = states.get(id)!;
    const before = outcomeOf(s);
    const decidedUnder = s.decision!.policyVersion;
    const replayedState = replayed.get(id);
    const refused = refusals.get(id) ?? [];
    const base = { caseId: id, reason: s.reason, currency: s.order.currency, decidedAt: toIso(s.decision!.decidedAt) };
    const beforeOut = {
      outcome: before.outcome!,
      amountMinor: before.amountMinor,
      basis: before.basis!,
      status: before.status,
      refundMinor: before.refundMinor,
      policyVersion: decidedUnder,
    };
    if (!replayedState) {
      // The rebuilt dispute did not go back in (should not happen; shown rather than hidden).
      notReplayed++;
      const why = refused[0] ? `${refused[0].code}: ${refused[0].message}` : 'unknown';
      rows.push({
        ...base,
        before: beforeOut,
        after: { ...beforeOut },
        changed: false,
        note: `Not replayed: the rebuilt dispute was refused at intake (${why}).`,
        refusedSteps: refused.length,
      });
      continue;
    }
    const after = outcomeOf(replayedState);
    const outcomeChanged = before.outcome !== after.outcome;
    const amountChanged = before.refundMinor !== after.refundMinor || before.amountMinor !== after.amountMinor;
    const changed = outcomeChanged || amountChanged || before.basis !== after.basis || before.status !== after.status || refused.length > 0;
    if (outcomeChanged) changedOutcomes++;
    if (amountChanged) changedAmounts++;
    const t = totals.get(s.order.currency) ?? { beforeMinor: 0, afterMinor: 0 };
    t.beforeMinor += before.refundMinor;
    t.afterMinor += after.refundMinor;
    totals.set(s.order.currency, t);
    rows.push({
      ...base,
      before: beforeOut,
      after: { ...after, refundMinor: after.refundMinor },
      changed,
      note: changed ? explain(s, before, after, refused, policyOf.get(decidedUnder) ?? null, draft, replayedState.forcedDecision) : null,
      refusedSteps: refused.length,
    });
  }
  return {
    draft,
    basedOnVersion,
    considered: considered.length,
    replayed: withLog.length - notReplayed,
    skipped: considered.length - withLog.length + notReplayed,
    changedOutcomes,
    changedAmounts,
    totals: [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, t]) => ({ currency, ...t })),
    rows,
    elapsedMs: Math.round(performance.now() - started),
  };
}

function outcomeOf(s: CaseState): Outcome {
  return {
    outcome: s.decision?.outcome ?? null,
    amountMinor: s.decision?.amountMinor ?? 0,
    basis: s.decision?.basis ?? null,
    status: s.status,
    refundMinor: s.refund?.amountMinor ?? 0,
  };
}

const BASIS_WORDS: Record<string, string> = {
  agreement: 'by agreement',
  mediator: 'by the mediator',
  default: 'by default',
  appeal: 'on appeal',
};
const HOURS_WORDS: Array<['evidenceRequestHours' | 'replyPeriodHours' | 'appealWindowHours' | 'returnShipmentHours', string]> = [
  ['evidenceRequestHours', 'evidence period'],
  ['replyPeriodHours', 'reply period'],
  ['appealWindowHours', 'appeal window'],
  ['returnShipmentHours', 'return period'],
];

/** What changed for one case, in words a supervisor reads in the preview table. */
function explain(
  s: CaseState,
  before: Outcome,
  after: Outcome,
  refused: Array<{ step: { at: number; method: string; as: string; input: unknown }; code: string }>,
  decidedUnder: Policy | null,
  draft: Policy,
  forced: boolean,
): string {
  const money = (n: number) => formatMinor(n, s.order.currency);
  const decision = (o: Outcome) =>
    o.outcome === null ? 'no decision' : o.outcome === 'none' ? 'no refund' : `${o.outcome} ${money(o.amountMinor)}`;
  const parts: string[] = [];
  if (before.outcome !== after.outcome || before.amountMinor !== after.amountMinor) parts.push(`${decision(before)} → ${decision(after)}`);
  if (after.outcome !== null && before.basis !== after.basis)
    parts.push(`decided ${BASIS_WORDS[after.basis!] ?? after.basis} instead of ${BASIS_WORDS[before.basis!] ?? before.basis}`);
  if (after.outcome === null)
    parts.push(
      forced
        ? 'the reply period ends without agreement: a mediator must pick a published option'
        : `the case would wait for a mediator's decision (${after.status.replace('_', ' ')})`,
    );
  else if (before.status !== after.status) parts.push(`${before.status} → ${after.status}`);
  if (before.refundMinor !== after.refundMinor && before.amountMinor === after.amountMinor)
    parts.push(`refund ${money(before.refundMinor)} → ${money(after.refundMinor)}`);
  if (refused.length) {
    const first = refused[0]!;
    parts.push(
      `${describeStep(first.step)} on ${toIso(first.step.at)} refused under the draft: ${first.code}${refused.length > 1 ? ` (and ${refused.length - 1} later step${refused.length > 2 ? 's' : ''})` : ''}`,
    );
  }
  // The policy differences that bear on this case (those it had a use for), against the version it was decided under.
  if (decidedUnder) {
    const rates = decidedUnder.partialRates as Record<string, number>;
    const draftRates = draft.partialRates as Record<string, number>;
    const hadPartial =
      before.outcome === 'partial' || after.outcome === 'partial' || !!s.proposal?.options.some((o) => o.kind === 'partial');
    if (hadPartial && s.reason in rates && rates[s.reason] !== draftRates[s.reason])
      parts.push(`partial rate for ${s.reason} ${rates[s.reason]} → ${draftRates[s.reason]}`);
    const uses: Record<(typeof HOURS_WORDS)[number][0], boolean> = {
      evidenceRequestHours: s.evidenceRequests.length > 0,
      replyPeriodHours: s.proposal !== null,
      appealWindowHours: s.appeal !== null || before.status !== after.status,
      returnShipmentHours: before.outcome === 'return' || after.outcome === 'return',
    };
    for (const [key, words] of HOURS_WORDS)
      if (uses[key] && decidedUnder[key] !== draft[key]) parts.push(`${words} ${String(decidedUnder[key])} h → ${String(draft[key])} h`);
    if (s.evidenceRequests.length > 0 && decidedUnder.defaultOnMissedEvidence !== draft.defaultOnMissedEvidence)
      parts.push(
        `missed-evidence default ${decidedUnder.defaultOnMissedEvidence ? 'on' : 'off'} → ${draft.defaultOnMissedEvidence ? 'on' : 'off'}`,
      );
  }
  return `${parts.join('; ')}.`;
}

function describeStep(step: { method: string; as: string; input: unknown }): string {
  const input = (step.input ?? {}) as { party?: string; userId?: string };
  const party = input.party ?? 'party';
  switch (step.method) {
    case 'party.reply':
      return `the ${party}'s reply`;
    case 'party.submitEvidence':
      return `the ${party}'s evidence`;
    case 'party.appeal':
      return `the ${party}'s appeal`;
    case 'party.shipReturn':
      return "the buyer's return shipment";
    case 'party.confirmReturn':
      return "the seller's confirmation of the return";
    case 'case.claim':
      return `${step.as}'s claim of the case`;
    case 'case.assign':
      return `the assignment to ${input.userId ?? '?'}`;
    case 'case.release':
      return `${step.as}'s release of the case`;
    case 'case.requestEvidence':
      return `${step.as}'s evidence request`;
    case 'case.propose':
      return `the resolutions published by ${step.as}`;
    case 'case.decide':
      return `${step.as}'s decision`;
    case 'appeal.review':
      return `${step.as}'s appeal review`;
    default:
      return step.method;
  }
}
