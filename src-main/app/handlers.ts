import { AppFailure } from '../contract/errors';
import type { MethodInput, MethodName, MethodOutput } from '../contract/methods';
import type { Db } from '../db/connect';
import { accountRole, labelAccount } from '../db/repos/accounts';
import { caseIdsOfBuyer } from '../db/repos/case-reads';
import { userRole } from '../db/repos/users';
import { retryTransient } from '../db/retry';
import { inWriteTx } from '../db/tx';
import { recordChange } from '../db/repos/changes';
import type { Actor, Command } from '../engine/commands';
import type { Identity } from './identity';
import { claimNextCase, runCaseCommand } from './case/commands';
import { DECISION_REASON_TEMPLATES, EVIDENCE_TEMPLATES } from '../contract/templates';
import { riskGet, riskList } from './risk/analyst';
import { riskFairness } from './risk/fairness';
import { recordLabelRisk } from './risk/buyer-risk';
import { takeRiskTurn } from '../db/repos/risk/turn';
import { lockCases } from '../db/repos/case-locks';
import { caseView } from './case/view';
import { translateMessage } from './case/translate-message';
import type { Clock } from '../runtime/clock';
import { previewProposal } from './case/proposal-preview';
import { importDisputes } from './intake/intake';
import { queueCounts, queuePage, searchCases } from './queue/queue';
import { deleteView, listViews, saveView } from './queue/saved-views';
import { sweep } from './sweep/sweep';
import { evidenceHandlers } from './evidence/handlers';
import { submitEvidence, type EvidenceFiles } from './evidence/intake';
import { appealReviewFor } from './supervision/appeals';
import { supervisionHandlers } from './supervision/handlers';
import { reportCaseList, reportSummary } from './supervision/reports';
import { feedHandlers } from './feed/handlers';
import { importHandlers } from './intake/import-handlers';
import type { ImportJobs } from './intake/import-jobs';
import { accountsHandlers } from './session/handlers';
import type { ReplayCases } from './replay/in-worker';
import { presenceHandlers } from './presence/handlers';
import type { ChangeNotice } from '../contract/bridge';
import type { FeedListenerView } from '../contract/feed';
import { auditHandlers } from './audit/handlers';
import { scorecardHandlers } from './supervision/scorecard-handlers';
import { withDoubleDecision } from './case/double-view';
import type { IntegrityMonitor } from './audit/integrity';
import { caseworkHandlers, decideConsistently } from './casework/handlers';

export interface ServiceContext {
  db: Db;
  clock: Clock;
  /** Tell open screens which cases changed. */
  notify(caseIds: string[], reason: ChangeNotice['reason']): void;
  /** The evidence store, its reuse index and the image analyser (absent: descriptions only, e.g. replay). */
  evidence?: EvidenceFiles;
  /** Replays past cases under a draft policy (the policy preview): a worker thread in the app, in-process inside a replay. */
  replayCases: ReplayCases;
  /** The audit chain's start-up check (runtime/core.ts starts one per process); absent in replays and bare tests. */
  integrity?: IntegrityMonitor;
  /** Wall time for sign-in locks and sessions (default: clock); `serve --test-clock` moves only `clock`. */
  sessionClock?: Clock;
  /** A replay re-runs recorded commands: checks that ask the person for more (the consistency note) do not apply. */
  replay?: boolean;
  /** The desktop's feed listener as it stands (Core.setFeedListener); absent where there is none. */
  feedListener?: () => FeedListenerView | null;
  /** Dispute files imported from the Feeds screen (runtime/core.ts); absent in replays and bare tests. */
  imports?: ImportJobs;
}

/** A method's service: its input as the contract parses it, its answer as the contract declares it. */
export type Handler<M extends MethodName> = (ctx: ServiceContext, input: MethodInput<M>, identity: Identity) => Promise<MethodOutput<M>>;

const actorOf = (identity: Identity): Actor => {
  switch (identity.kind) {
    case 'user':
      return { kind: 'user', id: identity.userId, role: identity.role };
    case 'intake':
      return { kind: 'intake' };
    case 'system':
      return { kind: 'system' };
    case 'anonymous':
      throw new AppFailure('UNAUTHENTICATED', 'Sign in first.');
  }
};

/**
 * Runs one engine command. No sweep follows it: the case's own due deadlines were applied in
 * its transaction (runCaseCommand), and other cases' are the deadline timer's, which hears of
 * the deadlines a command wrote through its change notice (runtime/core.ts).
 */
async function command(ctx: ServiceContext, caseId: string, cmd: Command, identity: Identity, basedOnVersion?: number) {
  const now = ctx.clock.now();
  const result = await runCaseCommand(ctx.db, caseId, cmd, actorOf(identity), now, { basedOnVersion });
  ctx.notify([caseId], 'command');
  return result;
}

const userId = (identity: Identity) => (identity.kind === 'user' ? identity.userId : null);

export const handlers: { [M in MethodName]: Handler<M> } = {
  'intake.dispute': async (ctx, input) => {
    const [outcome] = await importDisputes(ctx.db, [input], ctx.clock.now());
    if (outcome!.result === 'refused') throw new AppFailure(outcome!.code, outcome!.message);
    ctx.notify([input.id], 'import');
    return { caseId: input.id, result: outcome!.result };
  },
  'case.claim': (ctx, input, id) => command(ctx, input.caseId, { type: 'claim' }, id),
  'case.claimNext': async (ctx, _input, id) => {
    // Several mediators may press "next" at once, on several desktops: each gets a different case (claimNextCase).
    const now = ctx.clock.now();
    // No sweep after it: a claim creates no deadline, and the claimed case's own due ones were
    // applied in its transaction; other cases' are the deadline timer's (a sweep per press had
    // thirty mediators queueing behind each other's sweeps).
    const result = await claimNextCase(ctx.db, actorOf(id), now);
    ctx.notify([result.caseId], 'command');
    return result;
  },
  'case.assign': async (ctx, input, id) => {
    const user = await userRole(ctx.db, input.userId);
    if (!user) throw new AppFailure('NOT_FOUND', `There is no user ${input.userId}.`);
    if (user.role === 'analyst')
      throw new AppFailure('VALIDATION', `${input.userId} is an analyst; cases are assigned to mediators or supervisors.`, 'userId');
    return command(ctx, input.caseId, { type: 'assign', userId: input.userId }, id);
  },
  'case.release': (ctx, i, id) => command(ctx, i.caseId, { type: 'release', reason: i.reason }, id),
  'case.requestEvidence': (ctx, i, id) =>
    command(ctx, i.caseId, { type: 'requestEvidence', party: i.party, request: i.request }, id, i.basedOnVersion),
  'party.submitEvidence': (ctx, i, id) => submitEvidence(ctx, i, actorOf(id)),
  'case.propose': (ctx, i, id) =>
    command(ctx, i.caseId, { type: 'propose', partialAmountMinor: i.partialAmountMinor, note: i.note }, id, i.basedOnVersion),
  'party.reply': (ctx, i, id) => command(ctx, i.caseId, { type: 'reply', party: i.party, choice: i.choice }, id),
  // With the consistency check (a decision far from the nearest past ones needs a note): app/casework.
  'case.decide': (ctx, i, id) => decideConsistently(ctx, i, id),
  'party.shipReturn': (ctx, i, id) => command(ctx, i.caseId, { type: 'shipReturn', trackingNumber: i.trackingNumber }, id),
  'party.confirmReturn': (ctx, i, id) => command(ctx, i.caseId, { type: 'confirmReturn' }, id),
  'party.appeal': (ctx, i, id) => command(ctx, i.caseId, { type: 'appeal', party: i.party, grounds: i.grounds, text: i.text }, id),
  'appeal.review': (ctx, i, id) =>
    command(
      ctx,
      i.caseId,
      { type: 'reviewAppeal', verdict: i.verdict, outcome: i.outcome, amountMinor: i.amountMinor, reasons: i.reasons },
      id,
    ),
  'account.flag': async (ctx, input, identity) => {
    const now = ctx.clock.now();
    const by = userId(identity)!;
    // Retried like a command: the score copy may find a case of this buyer held (db/retry.ts).
    const caseIds = await retryTransient(ctx.db, () =>
      inWriteTx(ctx.db, async (tx) => {
        const acc = await accountRole(tx, input.accountId);
        if (!acc) throw new AppFailure('NOT_FOUND', `There is no account ${input.accountId}.`);
        if (acc.role !== 'buyer')
          throw new AppFailure('VALIDATION', `${input.accountId} is a seller account; only buyer accounts are flagged.`, 'accountId');
        // The one lock order (db/repos/risk/turn.ts): the buyer's case rows first, so the score
        // copy after the label does not find them held (it would give up and retry: 1 flag in
        // ~800 answers of the team's mixed load ran out of retries that way); then the risk turn,
        // before the account row, since intake upserts accounts while it holds the turn.
        const ids = await caseIdsOfBuyer(tx, input.accountId);
        await lockCases(tx, ids);
        await takeRiskTurn(tx);
        await labelAccount(tx, { accountId: input.accountId, label: input.label, note: input.note, by, at: now });
        await recordLabelRisk(tx, input.accountId, input.label, now);
        await recordChange(tx, ids, 'command', now);
        return ids;
      }),
    );
    ctx.notify(caseIds, 'command');
    return { accountId: input.accountId, label: input.label };
  },
  'system.tick': async (ctx) => {
    const report = await sweep(ctx.db, ctx.clock.now());
    if (report.caseIds.length) ctx.notify(report.caseIds, 'sweep');
    return { applied: report.applied };
  },
  'case.get': async (ctx, input, identity) => {
    const view = await caseView(ctx.db, input.caseId);
    if (!view) throw new AppFailure('NOT_FOUND', `There is no case ${input.caseId}.`);
    // A blind second decider does not see the first decision (issue 18).
    const shown = await withDoubleDecision(ctx.db, view, userId(identity));
    // Separation of duties, told before a supervisor tries to review the appeal (issue 14).
    const appealReview = await appealReviewFor(ctx.db, shown, identity.kind === 'user' ? identity : null);
    return appealReview ? { ...shown, appealReview } : shown;
  },
  'case.translateMessage': async (ctx, input, identity) => {
    const result = await translateMessage(ctx.db, input, userId(identity)!, ctx.clock.now());
    ctx.notify([input.caseId], 'command');
    return result;
  },
  'queue.list': (ctx, input, identity) => queuePage(ctx.db, input, userId(identity), ctx.clock.now()),
  'queue.counts': (ctx, _input, identity) => queueCounts(ctx.db, userId(identity), ctx.clock.now()),
  'session.me': async (ctx, _input, identity) =>
    identity.kind === 'user'
      ? { userId: identity.userId, name: identity.name, role: identity.role, serverTime: new Date(ctx.clock.now()).toISOString() }
      : null,
  'case.search': (ctx, input) => searchCases(ctx.db, input.query, input.limit, ctx.clock.now()),
  'case.previewProposal': (ctx, input) => previewProposal(ctx.db, input.caseId, input.partialAmountMinor),
  'views.list': (ctx, _input, identity) => listViews(ctx.db, userId(identity)!),
  'views.save': (ctx, input, identity) => saveView(ctx.db, userId(identity)!, input, ctx.clock.now()),
  'views.delete': (ctx, input, identity) => deleteView(ctx.db, userId(identity)!, input.id),
  'templates.list': async () => ({ evidence: EVIDENCE_TEMPLATES, decisionReasons: DECISION_REASON_TEMPLATES }),
  'risk.list': (ctx, input) => riskList(ctx.db, input),
  'risk.get': (ctx, input) => riskGet(ctx.db, input.buyerId, ctx.clock.now()),
  'risk.fairness': (ctx) => riskFairness(ctx.db, ctx.clock.now()),
  ...supervisionHandlers,
  'reports.summary': (ctx, input) => reportSummary(ctx.db, input),
  'reports.cases': (ctx, input) => reportCaseList(ctx.db, input),
  ...evidenceHandlers,
  ...presenceHandlers,
  ...auditHandlers,
  ...feedHandlers,
  ...importHandlers,
  ...accountsHandlers,
  ...scorecardHandlers,
  ...caseworkHandlers,
};
