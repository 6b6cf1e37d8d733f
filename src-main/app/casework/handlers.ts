import type { caseworkMethods } from '../../contract/casework';
import { AppFailure } from '../../contract/errors';
import type { MethodInput } from '../../contract/methods';
import { caseFacts } from '../../db/repos/casework';
import { recordChange } from '../../db/repos/changes';
import { inWriteTx } from '../../db/tx';
import { evidenceChecklist } from '../../engine/evidence-checklist';
import { runCaseCommand } from '../case/commands';
import type { Handler, ServiceContext } from '../handlers';
import type { Identity } from '../identity';
import { assignMany } from '../supervision/team';
import { userRole } from '../../db/repos/users';
import { consistencyAt, consistencyOf, teamConsistencyView } from './consistency';
import { listNotes, readNote, secondOpinionsFor, writeNote } from './notes';
import { relatedCases } from './related';

type Name = keyof typeof caseworkMethods;

/** The signed-in person (every casework method is for signed-in roles; dispatch checked which). */
const me = (identity: Identity) => {
  if (identity.kind !== 'user') throw new AppFailure('FORBIDDEN', 'Sign in as a mediator or supervisor to do this.');
  return identity;
};

/** Handlers of contract/casework.ts. */
export const caseworkHandlers: { [M in Name]: Handler<M> } = {
  'notes.list': (ctx, input) => listNotes(ctx.db, input.caseId),
  'notes.add': async (ctx, input, identity) => {
    const author = me(identity).userId;
    const now = ctx.clock.now();
    const id = await inWriteTx(ctx.db, async (tx) => {
      const noteId = await writeNote(tx, input, author, now);
      await recordChange(tx, [input.caseId], 'command', now);
      return noteId;
    });
    ctx.notify([input.caseId], 'command');
    return readNote(ctx.db, id);
  },
  'notes.secondOpinions': (ctx, _input, identity) => secondOpinionsFor(ctx.db, me(identity).userId),
  'case.checklist': async (ctx, input) => {
    const facts = await caseFacts(ctx.db, input.caseId);
    if (!facts) throw new AppFailure('NOT_FOUND', `There is no case ${input.caseId}.`);
    return evidenceChecklist(facts);
  },
  'case.related': async (ctx, input) => {
    const { self: _self, ...view } = await relatedCases(ctx.db, input.caseId);
    return view;
  },
  'case.assignCluster': async (ctx, input, identity) => {
    const supervisor = me(identity);
    const target = await userRole(ctx.db, input.userId);
    if (!target) throw new AppFailure('NOT_FOUND', `There is no user ${input.userId}.`, 'userId');
    if (target.role === 'analyst')
      throw new AppFailure('VALIDATION', `${input.userId} is an analyst; cases are assigned to mediators or supervisors.`, 'userId');
    const related = await relatedCases(ctx.db, input.caseId);
    const holder = new Map<string, string | null>([
      [input.caseId, related.self.assignee],
      ...related.cases.map((c) => [c.caseId, c.assignee] as const),
    ]);
    // Claims are respected: a case someone else holds stays theirs (reassign it one by one if it must move).
    const skipped = related.assignable
      .filter((id) => holder.get(id) && holder.get(id) !== input.userId)
      .map((id) => ({ caseId: id, why: `claimed by ${holder.get(id)}` }));
    const ids = related.assignable.filter((id) => !skipped.some((s) => s.caseId === id) && holder.get(id) !== input.userId);
    if (!ids.length) return { userId: input.userId, caseIds: [], skipped };
    // One transaction through the engine's assign command: all or none, each case's audit log says who assigned it.
    const now = ctx.clock.now();
    const result = await assignMany(ctx.db, ids, input.userId, { kind: 'user', id: supervisor.userId, role: supervisor.role }, now);
    ctx.notify(result.caseIds, 'command');
    return { userId: input.userId, caseIds: result.caseIds, skipped };
  },
  'case.consistency': (ctx, input) =>
    consistencyOf(ctx.db, input.caseId, input.outcome ? { outcome: input.outcome, amountMinor: input.amountMinor } : null),
  'team.consistency': (ctx, input) => teamConsistencyView(ctx.db, input.days, ctx.clock.now()),
};

/**
 * `case.decide` with the consistency check: a decision none of its nearest past decisions
 * agrees with is refused (VALIDATION on consistencyNote) unless it carries a note, which is
 * kept as an internal note of kind "consistency".
 *
 * The check reads hundreds of past decisions (tens of ms at 100k cases), so it runs BEFORE
 * the write transaction, on the case as it stood then; the transaction, holding the case's
 * lock, only compares that version with the one the engine decided on and judges again in
 * the rare case it moved. Its verdict still applies only to a decision the engine accepted
 * (a refusal answers as before), and the note is written with the decision.
 */
export async function decideConsistently(ctx: ServiceContext, i: MethodInput<'case.decide'>, identity: Identity) {
  const user = me(identity);
  const now = ctx.clock.now();
  const note = i.consistencyNote?.trim() ?? '';
  const planned = { outcome: i.outcome, amountMinor: i.amountMinor };
  // A replay re-runs recorded commands: a check that asks the person for more does not apply.
  const checked = !note && !ctx.replay;
  const early = checked ? await consistencyAt(ctx.db, i.caseId, planned) : null;
  const result = await runCaseCommand(
    ctx.db,
    i.caseId,
    { type: 'decide', outcome: i.outcome, amountMinor: i.amountMinor, reasons: i.reasons },
    { kind: 'user', id: user.userId, role: user.role },
    now,
    {
      basedOnVersion: i.basedOnVersion,
      alsoInTransaction: async (tx, _result, decidedOnVersion) => {
        if (checked) {
          const check = early?.caseVersion === decidedOnVersion ? early.view : (await consistencyAt(tx, i.caseId, planned)).view;
          if (check.far) throw new AppFailure('VALIDATION', `${check.explanation}`, 'consistencyNote');
        }
        if (note) await writeNote(tx, { caseId: i.caseId, body: note, kind: 'consistency' }, user.userId, now);
      },
    },
  );
  ctx.notify([i.caseId], 'command');
  return result;
}
