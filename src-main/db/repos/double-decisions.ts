import type { Reader, WriteTx } from '../tx';

/** Blind double decisions (double_decisions, migration 0015; app/supervision/double-decisions.ts). */

export async function insertDoubleDecision(
  tx: WriteTx,
  r: { caseId: string; firstSeq: number; firstDecidedBy: string; secondDecider: string; at: number },
): Promise<void> {
  await tx
    .insertInto('double_decisions')
    .values({
      case_id: r.caseId,
      first_seq: r.firstSeq,
      first_decided_by: r.firstDecidedBy,
      second_decider: r.secondDecider,
      selected_at: r.at,
      outcome: null,
      amount_minor: null,
      reasons: null,
      decided_at: null,
    })
    .onConflict((oc) => oc.column('case_id').doNothing())
    .execute();
}

export async function doubleDecisionOf(db: Reader, caseId: string) {
  return db.selectFrom('double_decisions').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

/** The blind decisions waiting for one mediator, oldest first (bounded: a mediator has a handful). */
export async function pendingDoubleDecisionsOf(db: Reader, userId: string, limit: number) {
  return db
    .selectFrom('double_decisions as x')
    .innerJoin('cases', 'cases.id', 'x.case_id')
    .select(['x.case_id', 'x.selected_at', 'cases.reason', 'cases.currency', 'cases.total_minor'])
    .where('x.second_decider', '=', userId)
    .where('x.decided_at', 'is', null)
    .orderBy('x.selected_at')
    .orderBy('x.case_id')
    .limit(limit)
    .execute();
}

/** Records the second decision once, by the chosen decider; false when it was already made. */
export async function recordSecondDecision(
  tx: WriteTx,
  r: { caseId: string; by: string; outcome: string; amountMinor: number; reasons: string; at: number },
): Promise<boolean> {
  const u = await tx
    .updateTable('double_decisions')
    .set({ outcome: r.outcome, amount_minor: r.amountMinor, reasons: r.reasons, decided_at: r.at })
    .where('case_id', '=', r.caseId)
    .where('second_decider', '=', r.by)
    .where('decided_at', 'is', null)
    .executeTakeFirst();
  return Number(u.numUpdatedRows) === 1;
}

/** Second decisions made since `from`, each beside the first decision it repeats, with the case's reason and total. */
export async function decidedPairsSince(db: Reader, from: number, max: number) {
  return db
    .selectFrom('double_decisions as x')
    .innerJoin('decisions as d', (j) => j.onRef('d.case_id', '=', 'x.case_id').onRef('d.seq', '=', 'x.first_seq'))
    .innerJoin('cases', 'cases.id', 'x.case_id')
    .select([
      'x.case_id',
      'x.first_decided_by',
      'x.second_decider',
      'x.outcome as second_outcome',
      'x.amount_minor as second_amount',
      'd.outcome as first_outcome',
      'd.amount_minor as first_amount',
      'cases.reason',
      'cases.total_minor',
    ])
    .where('x.decided_at', '>=', from)
    .orderBy('x.decided_at', 'desc')
    .limit(max)
    .execute();
}

export async function pendingDoubleDecisionCount(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('double_decisions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('decided_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Active mediators (the pool a second decider is drawn from). */
export async function activeMediatorIds(db: Reader): Promise<string[]> {
  return (await db.selectFrom('users').select('id').where('role', '=', 'mediator').where('active', '=', 1).orderBy('id').execute()).map(
    (r) => r.id,
  );
}
