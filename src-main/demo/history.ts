import { createHash } from 'node:crypto';
import { isNotReceived, type Outcome, type Party, type Reason } from '../contract/domain';
import { AppFailure } from '../contract/errors';
import { loadCaseState } from '../db/repos/case';
import type { Db } from '../db/connect';
import {
  backdatePolicy,
  casesByIds,
  escalatedCasesUpTo,
  insertSetting,
  policyVersions,
  putSetting,
  qualitySamplesNotDecidedBy,
  readSetting,
  settingExists,
} from '../db/repos/demo';
import { existingUserIds } from '../db/repos/users';
import { inWriteTx } from '../db/tx';
import type { Actor, Command } from '../engine/commands';
import type { CaseState } from '../engine/state';
import { runCaseCommand } from '../app/case/commands';
import { currentPolicy, ensurePolicy, publishPolicy } from '../db/repos/policy';
import { reviewQuality, SECRET_KEY } from '../app/supervision/quality';
import { sweep } from '../app/sweep/sweep';

/**
 * A few days of past work on the demo cases, so a supervisor signing in to a fresh demo
 * finds a team with a history: decisions by three mediators with different refund habits
 * (Priya clearly generous), appeals waiting (one decided by Oleg, who may not review it),
 * reviewed appeals, closed cases in their appeal window, final ones, a policy version 2
 * and decision-quality samples, some reviewed.
 *
 * Everything goes through the real commands (runCaseCommand) and the sweep, with instants
 * in the past, oldest first — the same rows, events, command log and samples the app
 * would have written. Deterministic for a given demo population and `now`: the sampling
 * secret of a demo installation is a fixed one. Only the demo mediators lena, tomas and
 * priya and the supervisors oleg and amara act; mira, diego and wei (the e2e tests'
 * mediators) are left with empty desks.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Which escalated cases may carry history: every STRIDE-th, escalated at least MIN_AGE ago. */
const STRIDE = 3;
const MIN_AGE = DAY;
const DONE_KEY = 'demo.history';
/** The stories' cases, chosen once (`[plan index, case id]`), so a resumed run works the same cases. */
const CAST_KEY = 'demo.history.cast';
/** How many steps are done: written in each step's own transaction. */
const STEP_KEY = 'demo.history.step';
/** A demo installation samples with a known secret so the demo is the same every time (a real one gets a random secret). */
const DEMO_SECRET = createHash('sha256').update('mediation-desk demo sampling secret').digest('hex');

const user = (id: string, role: 'mediator' | 'supervisor'): Actor => ({ kind: 'user', id, role });
const LENA = user('lena', 'mediator');
const TOMAS = user('tomas', 'mediator');
const PRIYA = user('priya', 'mediator');
const OLEG = user('oleg', 'supervisor');
const AMARA = user('amara', 'supervisor');
const INTAKE: Actor = { kind: 'intake' };

type Habit = 'balanced' | 'strict' | 'generous';
const HABIT: Record<string, Habit> = { lena: 'balanced', tomas: 'strict', priya: 'generous', oleg: 'balanced', amara: 'balanced' };
/** Decision outcomes each habit cycles through ('refund': return when the buyer claimed one, else full). */
const CYCLE: Record<Habit, Array<'partial' | 'none' | 'refund'>> = {
  balanced: ['partial', 'none', 'refund', 'none', 'partial', 'none', 'refund', 'partial', 'none', 'partial'],
  strict: ['none', 'partial', 'none', 'refund', 'partial', 'none', 'partial', 'refund', 'none', 'partial'],
  generous: ['refund'],
};
/**
 * The reasons a demo decision gives, in the words of its case's reason: a not-received case
 * is never "usable but not as described", a counterfeit one speaks of the brand marks.
 */
const RECEIVED_REASONS_TEXT: Record<Outcome, string> = {
  full: "The evidence supports the buyer's claim; the order total is refunded.",
  partial: 'The photos show the fault, but the item can still be used; a partial refund is fair and the buyer keeps it.',
  return: 'The item is not what was ordered; the order total is refunded once the buyer returns it.',
  none: 'The evidence does not support the claim: the photos show the item as described.',
};
const PARTIAL_BY_REASON: Partial<Record<Reason, string>> = {
  not_as_described: 'The item is usable but not as described; a partial refund is fair and the buyer keeps it.',
  damaged: 'The item arrived damaged but still works; a partial refund covers the damage and the buyer keeps it.',
  missing_parts: 'Parts are missing from the delivery; a partial refund covers them and the buyer keeps the rest.',
  quantity_short: 'Fewer pieces arrived than were paid for; the missing ones are refunded.',
  counterfeit: 'The brand marks differ from the genuine product on the photos; the buyer keeps the item with a partial refund.',
};
const NOT_RECEIVED_TEXT: Record<Outcome, string> = {
  full: 'The carrier has no proof of delivery to the buyer; the order total is refunded.',
  partial: 'The parcel is late and its tracking stalled; a partial refund covers the wait and the buyer keeps it if it arrives.',
  return: 'The parcel went back to the seller; the order total is refunded once the seller confirms it.',
  none: 'The carrier’s tracking shows delivery to the buyer’s address; the claim is not supported.',
};

function reasonsFor(reason: Reason, outcome: Outcome): string {
  if (isNotReceived(reason)) return NOT_RECEIVED_TEXT[outcome];
  return (outcome === 'partial' ? PARTIAL_BY_REASON[reason] : undefined) ?? RECEIVED_REASONS_TEXT[outcome];
}

interface Candidate {
  id: string;
  escalatedAt: number;
  reason: Reason;
  remedy: string;
  claim: number;
  total: number;
}
type Kind =
  | 'final'
  | 'returnFlow'
  | 'defaultReply'
  | 'missedEvidence'
  | 'appealReviewed'
  | 'forced'
  | 'evidenceDecide'
  | 'appealWaiting'
  | 'agreement'
  | 'direct'
  | 'openReview'
  | 'openEvidence'
  | 'openReplies'
  | 'openForced';
interface Plan {
  kind: Kind;
  by: Actor;
  reviewer?: Actor;
  verdict?: 'uphold' | 'overturn';
}
interface Step {
  at: number;
  caseId: string;
  actor: Actor;
  command: Command | ((s: CaseState) => Command);
}

/** Hours after escalation the story needs (its last step), so it is finished by now. */
const NEEDS: Record<Kind, number> = {
  final: 4 + 168 + 2,
  returnFlow: 120,
  defaultReply: 2 + 96 + 1,
  missedEvidence: 2 + 72 + 1,
  appealReviewed: 50,
  forced: 34,
  evidenceDecide: 26,
  appealWaiting: 29,
  agreement: 26,
  direct: 5,
  openReview: 1,
  openEvidence: 2,
  openReplies: 2,
  openForced: 8,
};
/** Stories still open now: escalated at most this many hours ago, so their deadline has not passed. */
const WITHIN: Partial<Record<Kind, number>> = { openEvidence: 2 + 72 - 6, openReplies: 2 + 96 - 6, openReview: 60, openForced: 90 };

const times = (n: number, p: Plan): Plan[] => Array.from({ length: n }, () => p);
const PLAN: Plan[] = [
  ...[LENA, LENA, TOMAS, TOMAS, PRIYA, PRIYA].map((by) => ({ kind: 'final' as const, by })),
  ...[LENA, TOMAS, PRIYA].map((by) => ({ kind: 'returnFlow' as const, by })),
  ...[LENA, TOMAS, PRIYA, LENA].map((by) => ({ kind: 'defaultReply' as const, by })),
  ...[TOMAS, LENA, PRIYA, TOMAS].map((by) => ({ kind: 'missedEvidence' as const, by })),
  { kind: 'appealReviewed', by: LENA, reviewer: AMARA, verdict: 'uphold' },
  { kind: 'appealReviewed', by: PRIYA, reviewer: AMARA, verdict: 'overturn' },
  { kind: 'appealReviewed', by: TOMAS, reviewer: OLEG, verdict: 'overturn' },
  { kind: 'appealReviewed', by: OLEG, reviewer: AMARA, verdict: 'uphold' },
  ...[LENA, TOMAS, PRIYA, LENA, TOMAS].map((by) => ({ kind: 'forced' as const, by })),
  ...[LENA, TOMAS, PRIYA, LENA, TOMAS, PRIYA, LENA, TOMAS].map((by) => ({ kind: 'evidenceDecide' as const, by })),
  ...[LENA, TOMAS, PRIYA, OLEG, PRIYA, TOMAS].map((by) => ({ kind: 'appealWaiting' as const, by })),
  ...[LENA, TOMAS, PRIYA, LENA, TOMAS, PRIYA].map((by) => ({ kind: 'agreement' as const, by })),
  ...times(4, { kind: 'direct', by: LENA }),
  ...times(4, { kind: 'direct', by: TOMAS }),
  ...times(4, { kind: 'direct', by: PRIYA }),
  { kind: 'direct', by: OLEG },
  { kind: 'direct', by: AMARA },
  // Work in hand today: open cases, one of them overdue (a forced decision).
  ...[LENA, LENA, TOMAS, PRIYA].map((by) => ({ kind: 'openReview' as const, by })),
  { kind: 'openReplies', by: LENA },
  { kind: 'openEvidence', by: TOMAS },
  { kind: 'openForced', by: TOMAS },
];

export interface DemoHistorySummary {
  cases: number;
  steps: number;
}

/** Runs once per database (a settings row remembers it); does nothing when the demo users are missing. */
export async function seedDemoHistory(db: Db, now: number): Promise<DemoHistorySummary> {
  if (await settingExists(db, DONE_KEY)) return { cases: 0, steps: 0 };
  const actors = await existingUserIds(db, ['lena', 'tomas', 'priya', 'oleg', 'amara']);
  if (actors.length < 5) return { cases: 0, steps: 0 };
  await ensurePolicy(db, now);
  await inWriteTx(db, (tx) => insertSetting(tx, SECRET_KEY, DEMO_SECRET, { keepExisting: true }));

  // The cast is chosen once and kept: a run interrupted half-way (the process killed) is resumed
  // by the next one with the same stories on the same cases, from the first step not done.
  const cast = await castOf(db, now);

  const decisions = new Map<string, number>(); // per mediator, for the habit cycle
  const steps: Step[] = [];
  for (const { plan, c } of cast) steps.push(...storySteps(plan, c, decisions));
  steps.sort((a, b) => a.at - b.at);

  // Version 2 of the policy, six days ago: a bigger quality sample while the new mediators settle in.
  const v2At = now - 6 * DAY;
  const first = steps[0]?.at ?? v2At;
  await backdateDefaults(db, Math.min(first, v2At) - DAY);
  let published = false;
  const done = Number((await readSetting(db, STEP_KEY)) ?? 0);
  for (const [n, step] of steps.entries()) {
    if (n < done) continue;
    if (!published && step.at >= v2At) {
      await publishV2(db, v2At);
      published = true;
    }
    await sweep(db, step.at);
    const command = typeof step.command === 'function' ? step.command((await loadCaseState(db, step.caseId))!) : step.command;
    try {
      await runCaseCommand(db, step.caseId, command, step.actor, step.at, {
        alsoInTransaction: (tx) => putSetting(tx, STEP_KEY, String(n + 1)),
      });
    } catch (e) {
      if (e instanceof AppFailure)
        throw new Error(
          `demo history: ${command.type} on ${step.caseId} at ${new Date(step.at).toISOString()} was refused (${e.code}: ${e.message})`,
          { cause: e },
        );
      throw e;
    }
  }
  if (!published) await publishV2(db, v2At);
  await sweep(db, now);
  await reviewSomeSamples(db, now);
  await inWriteTx(db, (tx) => insertSetting(tx, DONE_KEY, new Date(now).toISOString()));
  return { cases: cast.length, steps: steps.length };
}

/** The stories and their cases: chosen on the first run and stored, read back on a resumed one. */
async function castOf(db: Db, now: number): Promise<Array<{ plan: Plan; c: Candidate; index: number }>> {
  const stored = await readSetting(db, CAST_KEY);
  if (stored === null) {
    const chosen = chooseCast((await escalatedCasesUpTo(db, now - MIN_AGE)).filter((_, i) => i % STRIDE === 1).map(candidateOf), now);
    await inWriteTx(db, (tx) => insertSetting(tx, CAST_KEY, JSON.stringify(chosen.map((x) => [x.index, x.c.id])), { keepExisting: true }));
  }
  const pairs = JSON.parse((await readSetting(db, CAST_KEY))!) as Array<[number, string]>;
  const byId = new Map(
    (
      await casesByIds(
        db,
        pairs.map(([, id]) => id),
      )
    ).map((r) => [r.id, candidateOf(r)]),
  );
  return pairs.map(([index, id]) => ({ plan: PLAN[index]!, c: byId.get(id)!, index }));
}

const candidateOf = (r: {
  id: string;
  escalated_at: number;
  reason: string;
  claim_remedy: string;
  claim_amount_minor: number;
  total_minor: number;
}): Candidate => ({
  id: r.id,
  escalatedAt: r.escalated_at,
  reason: r.reason as Reason,
  remedy: r.claim_remedy,
  claim: r.claim_amount_minor,
  total: r.total_minor,
});

function chooseCast(pool: Candidate[], now: number): Array<{ plan: Plan; c: Candidate; index: number }> {
  // Each story takes the case escalated nearest to its target time: long enough ago for the
  // story to be over by now, spread over a few more days so the work spans the last week.
  const order = PLAN.map((p, i) => ({ p, i })).sort((a, b) => NEEDS[b.p.kind] - NEEDS[a.p.kind] || a.i - b.i);
  const used = new Set<string>();
  const cast: Array<{ plan: Plan; c: Candidate; index: number }> = [];
  for (const { p, i } of order) {
    const latest = now - NEEDS[p.kind] * HOUR - HOUR;
    const earliest = WITHIN[p.kind] !== undefined ? now - WITHIN[p.kind]! * HOUR : -Infinity;
    const target = Math.max(earliest, latest - ((i * 37) % 100) * HOUR);
    let best: Candidate | null = null;
    for (const x of pool)
      if (
        !used.has(x.id) &&
        x.escalatedAt <= latest &&
        x.escalatedAt >= earliest &&
        fits(p.kind, x) &&
        (!best || Math.abs(x.escalatedAt - target) < Math.abs(best.escalatedAt - target))
      )
        best = x;
    if (!best) continue;
    used.add(best.id);
    cast.push({ plan: p, c: best, index: i });
  }
  cast.sort((a, b) => a.index - b.index);
  return cast;
}

function fits(kind: Kind, c: Candidate): boolean {
  const received = !isNotReceived(c.reason);
  switch (kind) {
    case 'returnFlow':
    case 'agreement':
    case 'forced':
    case 'openForced':
      return received && c.claim >= 4;
    default:
      return c.claim >= 4;
  }
}

/** The habitual decision of `by` on case `c` (its n-th), as a command. */
function habitual(by: Actor, c: Candidate, decisions: Map<string, number>): Extract<Command, { type: 'decide' }> {
  const id = by.kind === 'user' ? by.id : 'system';
  const n = decisions.get(id) ?? 0;
  decisions.set(id, n + 1);
  const habit = HABIT[id] ?? 'balanced';
  const pick = CYCLE[habit][n % CYCLE[habit].length]!;
  if (pick === 'refund') {
    const outcome: Outcome = !isNotReceived(c.reason) && c.remedy === 'return_and_refund' ? 'return' : 'full';
    return { type: 'decide', outcome, reasons: reasonsFor(c.reason, outcome) };
  }
  if (pick === 'none') return { type: 'decide', outcome: 'none', reasons: reasonsFor(c.reason, 'none') };
  const share = habit === 'strict' ? 0.3 : 0.5;
  return {
    type: 'decide',
    outcome: 'partial',
    amountMinor: Math.max(1, Math.round(c.claim * share)),
    reasons: reasonsFor(c.reason, 'partial'),
  };
}

function storySteps(plan: Plan, c: Candidate, decisions: Map<string, number>): Step[] {
  const at = (h: number) => c.escalatedAt + Math.round(h * HOUR);
  const steps: Step[] = [];
  const add = (h: number, actor: Actor, command: Step['command']) => steps.push({ at: at(h), caseId: c.id, actor, command });
  const by = plan.by;
  add(1, by, { type: 'claim' });
  switch (plan.kind) {
    case 'final':
    case 'direct':
      add(4, by, habitual(by, c, decisions));
      break;
    case 'openReview':
      break;
    case 'openEvidence':
      add(2, by, { type: 'requestEvidence', party: 'buyer', request: 'Please send a photo of the serial number and of the fault.' });
      break;
    case 'openReplies':
      add(2, by, { type: 'propose' });
      break;
    case 'openForced':
      add(2, by, { type: 'propose' });
      add(6, INTAKE, { type: 'reply', party: 'buyer', choice: 'reject' });
      add(8, INTAKE, { type: 'reply', party: 'seller', choice: 'reject' });
      break;
    case 'returnFlow':
      add(5, by, { type: 'decide', outcome: 'return', reasons: reasonsFor(c.reason, 'return') });
      add(53, INTAKE, { type: 'shipReturn', trackingNumber: `RT${c.id.replace(/\D/g, '')}` });
      add(120, INTAKE, { type: 'confirmReturn' });
      break;
    case 'defaultReply':
      add(2, by, { type: 'propose' });
      add(10, INTAKE, (s) => ({ type: 'reply', party: 'buyer', choice: s.proposal!.options[0]!.kind }));
      break;
    case 'missedEvidence':
      add(2, by, {
        type: 'requestEvidence',
        party: 'seller',
        request: 'Please send the shipping label and a photo of the item as packed.',
      });
      break;
    case 'agreement':
      add(2, by, { type: 'propose' });
      add(14, INTAKE, (s) => ({ type: 'reply', party: 'buyer', choice: s.proposal!.options[0]!.kind }));
      add(26, INTAKE, (s) => ({ type: 'reply', party: 'seller', choice: s.proposal!.options[0]!.kind }));
      break;
    case 'forced':
      add(2, by, { type: 'propose' });
      add(12, INTAKE, { type: 'reply', party: 'buyer', choice: 'reject' });
      add(30, INTAKE, (s) => ({ type: 'reply', party: 'seller', choice: s.proposal!.options[0]!.kind }));
      add(34, by, (s) => {
        // A forced decision picks a published option: the generous mediator the larger one.
        const options = [...s.proposal!.options].sort((a, b) => a.amountMinor - b.amountMinor);
        const o = HABIT[by.kind === 'user' ? by.id : ''] === 'generous' ? options[options.length - 1]! : options[0]!;
        return { type: 'decide', outcome: o.kind, reasons: reasonsFor(c.reason, o.kind) };
      });
      break;
    case 'evidenceDecide':
      add(2, by, {
        type: 'requestEvidence',
        party: 'buyer',
        request: 'Please send a photo of the item next to its label, and a short video of the fault.',
      });
      add(20, INTAKE, { type: 'submitEvidence', party: 'buyer', files: [demoFile(c.id)], note: 'As requested.' });
      add(26, by, habitual(by, c, decisions));
      break;
    case 'appealWaiting':
    case 'appealReviewed': {
      const decision = habitual(by, c, decisions);
      add(4, by, decision);
      const buyerLost = decision.outcome === 'none' || decision.outcome === 'partial';
      const party: Party = buyerLost ? 'buyer' : 'seller';
      add(28, INTAKE, {
        type: 'appeal',
        party,
        grounds: buyerLost ? 'new_evidence' : 'outcome',
        text: buyerLost
          ? isNotReceived(c.reason)
            ? 'The tracking the mediator relied on shows a delivery to another town: the parcel never reached me. I can send the carrier’s letter.'
            : 'The mediator did not look at my second video, which shows the fault clearly. I can send the repair shop’s report.'
          : 'The buyer used the item for two weeks before complaining; a full refund without a return is not fair.',
      });
      if (plan.kind === 'appealReviewed') {
        const overturnTo: Outcome = decision.outcome === 'partial' ? 'full' : 'partial';
        add(
          50,
          plan.reviewer!,
          plan.verdict === 'uphold'
            ? {
                type: 'reviewAppeal',
                verdict: 'uphold',
                reasons: 'The decision follows from the evidence on file; the appeal adds nothing new.',
              }
            : {
                type: 'reviewAppeal',
                verdict: 'overturn',
                outcome: overturnTo,
                ...(overturnTo === 'partial' ? { amountMinor: Math.max(1, Math.round(c.claim * 0.5)) } : {}),
                reasons: 'On review the evidence supports a different outcome.',
              },
        );
      }
      break;
    }
  }
  return steps;
}

const demoFile = (caseId: string) => ({
  name: 'fault-video-still.jpg',
  mediaType: 'image/jpeg',
  sizeBytes: 412_345,
  sha256: createHash('sha256').update(`demo evidence ${caseId}`).digest('hex'),
});

/** The defaults (version 1) were in force before the history began, not from the moment of seeding. */
async function backdateDefaults(db: Db, at: number): Promise<void> {
  const versions = await policyVersions(db);
  if (versions.length === 1 && versions[0]!.version === 1 && versions[0]!.created_by === 'system' && versions[0]!.created_at > at)
    await inWriteTx(db, (tx) => backdatePolicy(tx, 1, at));
}

async function publishV2(db: Db, at: number): Promise<void> {
  const { version, policy } = await currentPolicy(db);
  if (version !== 1) return; // someone's own policy: leave it alone
  await publishPolicy(
    db,
    { ...policy, qualitySampleRate: 0.25 },
    'Sample one decision in four for a quality review while Lena, Tomás and Priya settle in.',
    'amara',
    at,
  );
}

/**
 * Amara reviews up to two of the oldest samples she did not decide herself, leaving at least three
 * pending for the demo; those she reviewed already (a resumed run) are not reviewed again.
 */
async function reviewSomeSamples(db: Db, now: number): Promise<void> {
  const samples = await qualitySamplesNotDecidedBy(db, 'amara');
  samples.splice(Math.max(0, Math.min(2, samples.length - 3)));
  const verdicts = [
    { verdict: 'agree' as const, note: 'Reasons match the evidence; amount within policy.' },
    {
      verdict: 'disagree' as const,
      note: 'A full refund without asking the seller for evidence first; the photos do not show the claimed fault.',
    },
  ];
  for (const [i, p] of samples.entries())
    if (p.reviewed_at === null) await reviewQuality(db, { caseId: p.case_id, ...verdicts[i]! }, 'amara', now - (6 - i) * HOUR);
}
