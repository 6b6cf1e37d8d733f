import { isNotReceived, OPEN_STATUSES, type OptionKind, type Outcome, type Party } from '../contract/domain';
import type { ErrorCode } from '../contract/errors';
import { formatMoney, HOUR_MS } from './money';
import { computeProposal } from './proposal';
import { deadlinesOf } from './deadlines';
import { handlersOfCase, separationRefusal } from './handled';
import { nextRefundStage } from './refund-stage';
import type { Actor, CaseEvent, Command, EngineContext, EngineResult, NewEvidence } from './commands';
import type { CaseState, Decision, Ms } from './state';

/** A refusal inside the engine; decide() turns it into a result, it never escapes. */
class Refusal {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}
const refuse = (code: ErrorCode, message: string): never => {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- control flow, not an error: decide() catches every Refusal and returns {ok: false}
  throw new Refusal(code, message);
};

/** Mutable working copy for one command; the input state is never touched. */
interface Draft {
  s: CaseState;
  events: CaseEvent[];
  evidence: NewEvidence[];
  ctx: EngineContext;
}

/**
 * The decision engine: the next state, the events to append and the deadlines the case
 * must have, or a refusal with a DOMAIN.md error code. Pure: no clock, no I/O, no random.
 */
export function decide(state: CaseState, command: Command, ctx: EngineContext): EngineResult {
  const d: Draft = { s: draftOf(state), events: [], evidence: [], ctx };
  try {
    apply(d, command);
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  return { ok: true, next: d.s, events: d.events, deadlines: deadlinesOf(d.s), newEvidence: d.evidence };
}

/**
 * The draft's own copy of the input state: every object or array the engine may change is
 * new, every value the same (what structuredClone gave, at ~5 µs of a command's CPU; this is
 * under 1, issue 16). Decisions are replaced, never changed in place, but are copied all the
 * same. A CaseState field that holds an object must be copied here too:
 * tests/unit/engine-draft.test.ts checks that the next state shares no object with the input.
 */
function draftOf(s: CaseState): CaseState {
  const p = s.proposal;
  return {
    ...s,
    claim: { ...s.claim },
    order: { ...s.order },
    evidenceRequests: s.evidenceRequests.map((r) => ({ ...r })),
    proposal: p && { ...p, options: p.options.map((o) => ({ ...o })), replies: { ...p.replies }, repliedAt: { ...p.repliedAt } },
    decision: s.decision && { ...s.decision },
    supersededDecisions: s.supersededDecisions.map((x) => ({ ...x })),
    appeal: s.appeal && { ...s.appeal },
    refund: s.refund && { ...s.refund },
    // Loaded only for an appeal's review; events' details are free-form.
    ...(s.handlingHistory && { handlingHistory: structuredClone(s.handlingHistory) }),
  };
}

function apply(d: Draft, c: Command): void {
  switch (c.type) {
    case 'claim':
      return claim(d);
    case 'assign':
      return assign(d, c.userId);
    case 'release':
      return release(d, c.reason);
    case 'requestEvidence':
      return requestEvidence(d, c.party, c.request);
    case 'submitEvidence':
      return submitEvidence(d, c);
    case 'propose':
      return propose(d, c.partialAmountMinor, c.note);
    case 'reply':
      return reply(d, c.party, c.choice);
    case 'decide':
      return mediatorDecides(d, c.outcome, c.amountMinor, c.reasons);
    case 'shipReturn':
      return shipReturn(d, c.trackingNumber);
    case 'confirmReturn':
      return confirmReturn(d);
    case 'appeal':
      return fileAppeal(d, c);
    case 'reviewAppeal':
      return reviewAppeal(d, c);
    case 'deadline':
      return enforceDeadline(d, c.key, c.dueAt);
    case 'refundUpdate':
      return updateRefund(d, c);
  }
}

function updateRefund(d: Draft, c: Extract<Command, { type: 'refundUpdate' }>): void {
  requireIntake(d);
  const result = nextRefundStage(d.s.refund, c, d.ctx.now);
  if (!result.ok) return refuse(result.code, result.message);
  if (!result.changed) return;
  d.s.refund = result.refund;
  emit(d, 'refund.updated', { status: c.status, reference: result.refund.reference ?? null, reason: result.refund.failureReason ?? null });
}

// ---------------------------------------------------------------- helpers

const actorName = (a: Actor): string => (a.kind === 'user' ? a.id : a.kind);
const money = (d: Draft, n: number) => formatMoney(n, d.s.order.currency);
const iso = (ms: Ms) => new Date(ms).toISOString();

function emit(d: Draft, type: string, details: Record<string, unknown> = {}, actor?: string, at?: Ms): void {
  d.events.push({ at: at ?? d.ctx.now, actor: actor ?? actorName(d.ctx.actor), type, details });
}

/** Only the assignee or a supervisor acts on a case (rule 2). */
function requireCaseActor(d: Draft): { id: string; role: string } {
  const a = d.ctx.actor;
  if (a.kind !== 'user' || a.role === 'analyst') return refuse('FORBIDDEN', 'Only a mediator or a supervisor may act on a case.');
  if (a.role === 'supervisor') {
    if (d.s.status === 'escalated') refuse('INVALID_STATE', `Case ${d.s.id} is unassigned: claim it or assign it to a mediator first.`);
    return a;
  }
  if (d.s.assignee !== a.id)
    refuse(
      'NOT_ASSIGNEE',
      d.s.assignee === null
        ? `Case ${d.s.id} is not assigned to you: claim it first.`
        : `Case ${d.s.id} is assigned to ${d.s.assignee}; only the assignee or a supervisor may act on it.`,
    );
  return a;
}

function requireUser(d: Draft, roles: string[], what: string): { id: string; role: string } {
  const a = d.ctx.actor;
  if (a.kind !== 'user' || !roles.includes(a.role)) return refuse('FORBIDDEN', `Only a ${roles.join(' or a ')} may ${what}.`);
  return a;
}

function requireIntake(d: Draft): void {
  if (d.ctx.actor.kind !== 'intake') refuse('FORBIDDEN', 'Party actions arrive only through the marketplace intake.');
}

function refuseClosed(d: Draft): void {
  if (!OPEN_STATUSES.includes(d.s.status))
    refuse('INVALID_STATE', `Case ${d.s.id} is ${d.s.status}; it can no longer be changed this way.`);
}

// ---------------------------------------------------------------- assignment

function claim(d: Draft): void {
  const a = requireUser(d, ['mediator', 'supervisor'], 'claim a case');
  if (d.s.assignee === a.id) refuse('INVALID_STATE', `Case ${d.s.id} is already yours.`);
  if (d.s.assignee !== null) refuse('INVALID_STATE', `Case ${d.s.id} is already assigned to ${d.s.assignee}.`);
  if (d.s.status !== 'escalated') refuse('INVALID_STATE', `Case ${d.s.id} is ${d.s.status} and cannot be claimed.`);
  d.s.assignee = a.id;
  d.s.status = 'in_review';
  emit(d, 'case.claimed', { assignee: a.id });
}

function assign(d: Draft, userId: string): void {
  requireUser(d, ['supervisor'], 'assign cases');
  refuseClosed(d);
  if (d.s.assignee === userId) refuse('INVALID_STATE', `Case ${d.s.id} is already assigned to ${userId}.`);
  const previous = d.s.assignee;
  d.s.assignee = userId;
  if (d.s.status === 'escalated') d.s.status = 'in_review';
  emit(d, previous === null ? 'case.assigned' : 'case.reassigned', { assignee: userId, previous });
}

/**
 * A case given back to the unassigned queue (a take-next undone, a case the mediator
 * cannot handle): escalated again, nobody on it, the reason in the audit log. Only the
 * assignee or a supervisor, and only while the case is in review: while evidence is
 * requested or the resolutions await replies, a deadline runs that the holder answers for,
 * so such a case moves only by a supervisor's reassignment.
 */
function release(d: Draft, reason: string): void {
  const a = requireUser(d, ['mediator', 'supervisor'], 'release a case');
  if (d.s.assignee === null) refuse('INVALID_STATE', `Case ${d.s.id} is not assigned to anyone; there is nothing to release.`);
  if (a.role !== 'supervisor' && d.s.assignee !== a.id)
    refuse('NOT_ASSIGNEE', `Case ${d.s.id} is assigned to ${d.s.assignee}; only they or a supervisor may release it.`);
  if (d.s.status === 'awaiting_evidence' || d.s.status === 'awaiting_replies')
    refuse(
      'INVALID_STATE',
      `Case ${d.s.id} is waiting for the parties (${d.s.status === 'awaiting_evidence' ? 'evidence requested' : 'resolutions published'}); release it once it is back in review, or ask a supervisor to reassign it.`,
    );
  if (d.s.status !== 'in_review') refuse('INVALID_STATE', `Case ${d.s.id} is ${d.s.status} and cannot be released.`);
  const previous = d.s.assignee;
  d.s.assignee = null;
  d.s.status = 'escalated';
  emit(d, 'case.released', { previous, reason });
}

// ---------------------------------------------------------------- evidence

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/bmp', 'image/x-ms-bmp', 'image/gif']);
const VIDEO_TYPES = new Set(['video/mp4', 'video/webm', 'video/quicktime']);

function requestEvidence(d: Draft, party: Party, request: string): void {
  requireCaseActor(d);
  if (d.s.status === 'awaiting_replies')
    refuse(
      'REPLY_PERIOD_OPEN',
      `The resolutions are published and the parties have until ${iso(d.s.proposal!.replyDueAt)} to reply; evidence can be requested again if no agreement is reached.`,
    );
  if (d.s.status !== 'in_review' && d.s.status !== 'awaiting_evidence') refuseClosed(d);
  if (d.s.status === 'in_review') d.s.evidenceRound += 1;
  const id = `${d.s.id}/R${d.s.evidenceRequests.length + 1}`;
  const dueAt = d.ctx.now + d.ctx.policy.evidenceRequestHours * HOUR_MS;
  d.s.evidenceRequests.push({
    id,
    party,
    request,
    requestedBy: actorName(d.ctx.actor),
    requestedAt: d.ctx.now,
    dueAt,
    status: 'open',
    resolvedAt: null,
    round: d.s.evidenceRound,
  });
  d.s.status = 'awaiting_evidence';
  emit(d, 'evidence.requested', { requestId: id, party, request, dueAt: iso(dueAt) });
}

function submitEvidence(d: Draft, c: Extract<Command, { type: 'submitEvidence' }>): void {
  requireIntake(d);
  const mine = d.s.evidenceRequests.filter((r) => r.party === c.party);
  const open = mine.filter((r) => r.status === 'open');
  if (open.length === 0) {
    if (mine.some((r) => r.status === 'expired'))
      refuse('DEADLINE_PASSED', `The ${c.party}'s evidence request on case ${d.s.id} has expired; evidence can no longer be accepted.`);
    refuse(
      'NO_OPEN_REQUEST',
      `The ${c.party} has no open evidence request on case ${d.s.id}; after escalation evidence is accepted only when the mediator asks for it.`,
    );
  }
  const target = open.sort((a, b) => a.dueAt - b.dueAt)[0]!;
  if (d.ctx.now >= target.dueAt)
    refuse('DEADLINE_PASSED', `The ${c.party}'s evidence was due before ${iso(target.dueAt)}; it arrived too late.`);
  if (c.files.length === 0) refuse('VALIDATION', `The ${c.party}'s answer to ${target.id} carries no file.`);
  // Every file first: one bad file refuses the whole answer, so a request is never half answered.
  for (const f of c.files) checkFile(d, f);
  target.status = 'fulfilled';
  target.resolvedAt = d.ctx.now;
  for (const file of c.files) {
    d.evidence.push({ party: c.party, file, note: c.note ?? null, requestId: target.id, submittedAt: d.ctx.now });
    emit(
      d,
      'evidence.submitted',
      { requestId: target.id, name: file.name, mediaType: file.mediaType, sizeBytes: file.sizeBytes, sha256: file.sha256 },
      c.party,
    );
  }
  afterRequestResolved(d, d.ctx.now);
}

function checkFile(d: Draft, f: { name: string; mediaType: string; sizeBytes: number }): void {
  const type = f.mediaType.toLowerCase();
  const isImage = IMAGE_TYPES.has(type);
  if (!isImage && !VIDEO_TYPES.has(type))
    refuse('UNSUPPORTED_FILE', `"${f.name}" is ${f.mediaType}; accepted are images (JPEG, PNG, BMP, GIF) and videos (MP4, WebM, MOV).`);
  if (f.sizeBytes === 0) refuse('UNSUPPORTED_FILE', `"${f.name}" is empty.`);
  const max = isImage ? d.ctx.policy.maxImageBytes : d.ctx.policy.maxVideoBytes;
  if (f.sizeBytes > max)
    refuse('FILE_TOO_LARGE', `"${f.name}" is ${mb(f.sizeBytes)}; ${isImage ? 'images' : 'videos'} may be at most ${mb(max)}.`);
}
const mb = (n: number) => `${(n / 1_048_576).toFixed(n < 10 * 1_048_576 ? 1 : 0)} MB`;

/** Rule 3/4: once no request of the round is open, return to review or apply the missed-evidence default. */
function afterRequestResolved(d: Draft, at: Ms): void {
  if (d.s.evidenceRequests.some((r) => r.status === 'open')) return;
  const round = d.s.evidenceRequests.filter((r) => r.round === d.s.evidenceRound);
  const silent = (['buyer', 'seller'] as const).filter((p) => round.some((r) => r.party === p && r.status === 'expired'));
  if (silent.length === 1 && d.ctx.policy.defaultOnMissedEvidence) {
    const loser = silent[0]!;
    emit(d, 'evidence.missed', { party: loser, default: true }, 'system', at);
    if (loser === 'buyer') {
      makeDecision(d, 'none', 0, 'default', 'system', at, 'The buyer did not provide the requested evidence in time.');
    } else {
      const { claim, order } = d.s;
      if (claim.remedy === 'return_and_refund')
        makeDecision(
          d,
          'return',
          order.totalMinor,
          'default',
          'system',
          at,
          "The seller did not provide the requested evidence in time; the buyer's claim (return and refund) is granted.",
        );
      else if (claim.amountMinor >= order.totalMinor)
        makeDecision(
          d,
          'full',
          order.totalMinor,
          'default',
          'system',
          at,
          "The seller did not provide the requested evidence in time; the buyer's claim (full refund) is granted.",
        );
      else
        makeDecision(
          d,
          'partial',
          claim.amountMinor,
          'default',
          'system',
          at,
          `The seller did not provide the requested evidence in time; the buyer's claim (${money(d, claim.amountMinor)}, keeping the item) is granted.`,
        );
    }
    return;
  }
  d.s.status = 'in_review';
  emit(d, 'evidence.round_ended', { silent, defaultApplied: false }, 'system', at);
}

// ---------------------------------------------------------------- proposal and replies

function propose(d: Draft, override: number | undefined, note: string | undefined): void {
  requireCaseActor(d);
  if (d.s.status === 'awaiting_evidence')
    refuse('EVIDENCE_PENDING', 'An evidence request is still open; publish the resolutions after it is answered or expires.');
  if (d.s.status === 'awaiting_replies')
    refuse('REPLY_PERIOD_OPEN', `The resolutions are already published; replies are due by ${iso(d.s.proposal!.replyDueAt)}.`);
  if (d.s.status !== 'in_review') refuseClosed(d);
  if (d.s.forcedDecision)
    refuse('INVALID_STATE', 'The reply period ended without agreement: decide by picking one of the published options.');
  let partialOverride: number | null = null;
  if (override !== undefined) {
    if (isNotReceived(d.s.reason))
      refuse('VALIDATION', 'An item that was not received has a single full-refund option; there is no partial amount to set.');
    if (override < 1 || override > d.s.order.totalMinor)
      refuse(
        'AMOUNT_OUT_OF_RANGE',
        `The partial amount must be between ${money(d, 1)} and the order total ${money(d, d.s.order.totalMinor)}.`,
      );
    if (!note || note.trim() === '') refuse('VALIDATION', 'Explain the changed partial amount in a note; the parties will see it.');
    partialOverride = override;
  }
  const computed = computeProposal(d.s, d.ctx.policy, partialOverride);
  const replyDueAt = d.ctx.now + d.ctx.policy.replyPeriodHours * HOUR_MS;
  d.s.proposal = {
    ...computed,
    proposedBy: actorName(d.ctx.actor),
    proposedAt: d.ctx.now,
    replyDueAt,
    replies: { buyer: null, seller: null },
    repliedAt: { buyer: null, seller: null },
    overrideNote: partialOverride !== null ? note!.trim() : null,
    policyVersion: d.ctx.policyVersion,
    endedAt: null,
  };
  d.s.status = 'awaiting_replies';
  emit(d, 'proposal.published', {
    options: computed.options.map((o) => ({ kind: o.kind, amountMinor: o.amountMinor })),
    recommended: computed.recommended,
    replyDueAt: iso(replyDueAt),
    override: partialOverride,
  });
}

function reply(d: Draft, party: Party, choice: string): void {
  requireIntake(d);
  const p = d.s.proposal;
  if (!p) refuse('INVALID_STATE', `No resolutions are published on case ${d.s.id}; there is nothing to reply to.`);
  if (p!.replies[party] !== null)
    refuse('ALREADY_REPLIED', `The ${party} already replied (${p!.replies[party]}); each party replies once.`);
  if (d.ctx.now >= p!.replyDueAt || (p!.endedAt !== null && d.s.status !== 'awaiting_replies'))
    refuse('DEADLINE_PASSED', `The reply period ended at ${iso(p!.endedAt ?? p!.replyDueAt)}; replies are no longer accepted.`);
  if (choice !== 'reject' && !p!.options.some((o) => o.kind === choice))
    refuse(
      'OUTCOME_NOT_OFFERED',
      `"${choice}" is not one of the published options (${p!.options.map((o) => o.kind).join(', ')}) or "reject".`,
    );
  p!.replies[party] = choice as OptionKind | 'reject';
  p!.repliedAt[party] = d.ctx.now;
  emit(d, 'reply.received', { choice }, party);
  const { buyer, seller } = p!.replies;
  if (buyer === null || seller === null) return;
  p!.endedAt = d.ctx.now;
  if (buyer === seller && buyer !== 'reject') {
    const option = p!.options.find((o) => o.kind === buyer)!;
    makeDecision(
      d,
      option.kind,
      option.amountMinor,
      'agreement',
      'parties',
      d.ctx.now,
      `Both parties accepted the ${option.kind} resolution.`,
    );
  } else {
    forceDecision(d, d.ctx.now, { buyer, seller });
  }
}

function forceDecision(d: Draft, at: Ms, replies: Record<Party, string | null>): void {
  d.s.status = 'in_review';
  d.s.forcedDecision = true;
  emit(d, 'reply_period.ended', { replies, forcedDecision: true }, 'system', at);
}

// ---------------------------------------------------------------- decisions

/** Rule 7's amount rules, shared by the mediator's decision and the appeal review. */
function resolveAmount(d: Draft, outcome: Outcome, amount: number | undefined): number {
  const total = d.s.order.totalMinor;
  switch (outcome) {
    case 'none':
      if (amount !== undefined && amount !== 0)
        refuse('AMOUNT_OUT_OF_RANGE', 'A decision of "none" refunds nothing; leave the amount empty.');
      return 0;
    case 'full':
    case 'return':
      if (amount !== undefined && amount !== total)
        refuse('AMOUNT_OUT_OF_RANGE', `A ${outcome} refund is the order total ${money(d, total)}; use "partial" for another amount.`);
      return total;
    case 'partial': {
      const published = d.s.proposal?.options.find((o) => o.kind === 'partial')?.amountMinor;
      const value = amount ?? published;
      if (value === undefined) return refuse('VALIDATION', 'A partial refund needs an amount (amountMinor, in minor units).');
      if (value < 1 || value > total)
        refuse('AMOUNT_OUT_OF_RANGE', `The amount must be between ${money(d, 1)} and the order total ${money(d, total)}.`);
      return value;
    }
  }
}

function mediatorDecides(d: Draft, outcome: Outcome, amount: number | undefined, reasons: string): void {
  const a = requireCaseActor(d);
  if (d.s.status === 'awaiting_evidence')
    refuse('EVIDENCE_PENDING', 'An evidence request is still open; decide after it is answered or expires.');
  if (d.s.status === 'awaiting_replies')
    refuse('REPLY_PERIOD_OPEN', `The parties may reply until ${iso(d.s.proposal!.replyDueAt)}; decide after the reply period.`);
  if (d.s.status !== 'in_review') refuseClosed(d);
  if (!reasons.trim()) refuse('VALIDATION', 'Write the reasons for the decision; both parties receive them.');
  const value = resolveAmount(d, outcome, amount);
  if (d.s.forcedDecision && d.s.proposal) {
    const offered = d.s.proposal.options.find((o) => o.kind === outcome);
    if (!offered || offered.amountMinor !== value)
      refuse(
        'OUTCOME_NOT_OFFERED',
        `The reply period ended without agreement: pick one of the published options (${d.s.proposal.options.map((o) => `${o.kind} ${money(d, o.amountMinor)}`).join(', ')}).`,
      );
  }
  makeDecision(d, outcome, value, 'mediator', a.id, d.ctx.now, reasons.trim());
}

function makeDecision(
  d: Draft,
  outcome: Outcome,
  amountMinor: number,
  basis: Decision['basis'],
  by: string,
  at: Ms,
  reasons: string,
): void {
  const policy = d.ctx.policy;
  const appealable = basis === 'mediator' || basis === 'default';
  if (d.s.decision) d.s.supersededDecisions.push(d.s.decision);
  d.s.decision = {
    outcome,
    amountMinor,
    basis,
    decidedBy: by,
    decidedAt: at,
    appealUntil: appealable ? at + policy.appealWindowHours * HOUR_MS : null,
    reasons,
    policyVersion: d.ctx.policyVersion,
  };
  d.s.forcedDecision = false;
  d.s.status = appealable ? 'closed' : 'final';
  d.s.refund =
    outcome === 'none'
      ? null
      : outcome === 'return'
        ? {
            status: 'awaiting_return',
            amountMinor,
            returnDueAt: at + policy.returnShipmentHours * HOUR_MS,
            returnTrackingNumber: null,
            updatedAt: at,
          }
        : { status: 'expected', amountMinor, returnDueAt: null, returnTrackingNumber: null, updatedAt: at };
  emit(
    d,
    'case.decided',
    {
      outcome,
      amountMinor,
      basis,
      decidedBy: by,
      reasons,
      appealUntil: d.s.decision.appealUntil && iso(d.s.decision.appealUntil),
      policyVersion: d.ctx.policyVersion,
    },
    by === 'parties' ? 'parties' : by,
    at,
  );
}

// ---------------------------------------------------------------- return shipment

function shipReturn(d: Draft, trackingNumber: string): void {
  requireIntake(d);
  const r = d.s.refund;
  if (!r || r.returnDueAt === null) refuse('INVALID_STATE', `Case ${d.s.id} has no return to ship: the decision is not "return".`);
  if (r!.status === 'cancelled' || (r!.status === 'awaiting_return' && d.ctx.now >= r!.returnDueAt!))
    refuse('DEADLINE_PASSED', `The return had to be shipped before ${iso(r!.returnDueAt!)}; the refund is cancelled.`);
  if (r!.status !== 'awaiting_return') refuse('INVALID_STATE', `The return on case ${d.s.id} is already ${r!.status}.`);
  r!.status = 'return_in_transit';
  r!.returnTrackingNumber = trackingNumber;
  r!.updatedAt = d.ctx.now;
  emit(d, 'return.shipped', { trackingNumber }, 'buyer');
}

function confirmReturn(d: Draft): void {
  requireIntake(d);
  const r = d.s.refund;
  if (!r || r.status !== 'return_in_transit')
    refuse('INVALID_STATE', `Case ${d.s.id} has no return in transit to confirm${r ? ` (refund is ${r.status})` : ''}.`);
  r!.status = 'expected';
  r!.updatedAt = d.ctx.now;
  emit(d, 'return.received', { refundPayable: r!.amountMinor }, 'seller');
}

// ---------------------------------------------------------------- appeals

function fileAppeal(d: Draft, c: Extract<Command, { type: 'appeal' }>): void {
  requireIntake(d);
  const dec = d.s.decision;
  if (d.s.appeal) refuse('ALREADY_APPEALED', `Case ${d.s.id} was already appealed by the ${d.s.appeal.party}; a case is appealed once.`);
  if (!dec) refuse('INVALID_STATE', `Case ${d.s.id} has not been decided; there is nothing to appeal yet.`);
  if (dec!.basis === 'agreement') refuse('NOT_APPEALABLE', 'Both parties agreed to this resolution; an agreement cannot be appealed.');
  if (dec!.appealUntil === null || d.ctx.now >= dec!.appealUntil || d.s.status !== 'closed')
    refuse(
      'APPEAL_WINDOW_CLOSED',
      `The appeal window ${dec!.appealUntil !== null ? `closed at ${iso(dec!.appealUntil)}` : 'is closed'}; the decision is final.`,
    );
  d.s.appeal = {
    party: c.party,
    grounds: c.grounds,
    text: c.text,
    filedAt: d.ctx.now,
    status: 'pending',
    reviewedBy: null,
    reviewedAt: null,
    reviewReasons: null,
  };
  d.s.status = 'appealed';
  emit(d, 'appeal.filed', { grounds: c.grounds, text: c.text }, c.party);
}

function reviewAppeal(d: Draft, c: Extract<Command, { type: 'reviewAppeal' }>): void {
  const a = requireUser(d, ['supervisor'], 'review appeals');
  if (d.s.status !== 'appealed' || !d.s.appeal) refuse('INVALID_STATE', `Case ${d.s.id} has no pending appeal.`);
  const handlers = handlersOfCase(d.s.handlingHistory ?? [], { decidedBy: d.s.decision?.decidedBy, assignee: d.s.assignee });
  const notYou = separationRefusal(handlers, a.id, d.s.id, 'its appeal');
  if (notYou) refuse('SEPARATION_OF_DUTIES', notYou);
  if (!c.reasons.trim()) refuse('VALIDATION', 'Write the reasons for the review; both parties receive them.');
  const appeal = d.s.appeal!;
  if (c.verdict === 'uphold') {
    if (c.outcome !== undefined && c.outcome !== d.s.decision!.outcome)
      refuse('VALIDATION', 'Upholding keeps the original outcome; choose "overturn" to change it.');
    d.s.status = 'final';
  } else {
    if (!c.outcome) refuse('VALIDATION', 'Overturning needs the new outcome (full, partial, return or none).');
    const value = resolveAmount(d, c.outcome!, c.amountMinor);
    makeDecision(d, c.outcome!, value, 'appeal', a.id, d.ctx.now, c.reasons.trim());
  }
  appeal.status = c.verdict === 'uphold' ? 'upheld' : 'overturned';
  appeal.reviewedBy = a.id;
  appeal.reviewedAt = d.ctx.now;
  appeal.reviewReasons = c.reasons.trim();
  emit(d, 'appeal.reviewed', { verdict: c.verdict, reasons: appeal.reviewReasons });
}

// ---------------------------------------------------------------- deadlines

/** Applies one due deadline, dated at the deadline itself; a stale one (state moved on) is a no-op. */
function enforceDeadline(d: Draft, key: string, dueAt: Ms): void {
  if (d.ctx.actor.kind !== 'system') refuse('FORBIDDEN', 'Only the deadline sweep enforces deadlines.');
  const current = deadlinesOf(d.s).find((x) => x.key === key);
  if (!current || current.dueAt !== dueAt) return;
  switch (current.kind) {
    case 'evidence': {
      const r = d.s.evidenceRequests.find((x) => `evidence:${x.id}` === key)!;
      r.status = 'expired';
      r.resolvedAt = dueAt;
      emit(d, 'evidence.expired', { requestId: r.id, party: r.party }, 'system', dueAt);
      return afterRequestResolved(d, dueAt);
    }
    case 'reply':
      return endReplyPeriod(d, dueAt);
    case 'appeal':
      d.s.status = 'final';
      emit(d, 'case.finalized', { because: 'appeal window passed without appeal' }, 'system', dueAt);
      return;
    case 'return': {
      const r = d.s.refund!;
      r.status = 'cancelled';
      r.amountMinor = 0;
      r.updatedAt = dueAt;
      emit(d, 'refund.cancelled', { because: 'the item was not shipped back in time' }, 'system', dueAt);
      return;
    }
  }
}

function endReplyPeriod(d: Draft, at: Ms): void {
  const p = d.s.proposal!;
  p.endedAt = at;
  const { buyer, seller } = p.replies;
  const accepted = [buyer, seller].filter((x): x is OptionKind => x !== null && x !== 'reject');
  const silentCount = [buyer, seller].filter((x) => x === null).length;
  if (accepted.length === 1 && silentCount === 1) {
    const option = p.options.find((o) => o.kind === accepted[0])!;
    const who = buyer !== null ? 'buyer' : 'seller';
    emit(d, 'reply_period.ended', { replies: { buyer, seller }, forcedDecision: false }, 'system', at);
    makeDecision(
      d,
      option.kind,
      option.amountMinor,
      'default',
      'system',
      at,
      `The ${who} accepted the ${option.kind} resolution and the other party did not reply in time.`,
    );
    return;
  }
  forceDecision(d, at, { buyer, seller });
}
