import type { Reader } from '../tx';

/** The supervisors' appeals list (app/supervision/appeals.ts). */

/** Pending appeals, oldest first, with their case and buyer. */
export async function pendingAppealsPage(db: Reader, limit: number) {
  return db
    .selectFrom('appeals')
    .innerJoin('cases', 'cases.id', 'appeals.case_id')
    .innerJoin('accounts as buyer', 'buyer.id', 'cases.buyer_id')
    .select([
      'appeals.case_id',
      'appeals.party',
      'appeals.grounds',
      'appeals.text',
      'appeals.filed_at',
      'cases.reason',
      'cases.currency',
      'cases.claim_amount_minor',
      'cases.total_minor',
      'cases.buyer_id',
      'cases.assignee_id',
      'cases.status',
      'buyer.name as buyer_name',
    ])
    .where('appeals.status', '=', 'pending')
    .orderBy('appeals.filed_at')
    .orderBy('appeals.case_id')
    .limit(limit)
    .execute();
}

export async function pendingAppealsCount(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('appeals')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Every decision on these cases, by case and decision order (the last per case is the one in force). */
export async function decisionsOfCases(db: Reader, caseIds: string[]) {
  return caseIds.length
    ? db
        .selectFrom('decisions')
        .select(['case_id', 'seq', 'outcome', 'amount_minor', 'basis', 'decided_by', 'decided_at', 'reasons', 'policy_version'])
        .where('case_id', 'in', caseIds)
        .orderBy('case_id')
        .orderBy('seq')
        .execute()
    : [];
}

/** Files per case (intake and requested). */
export async function evidenceCountsOf(db: Reader, caseIds: string[]) {
  return caseIds.length
    ? db
        .selectFrom('evidence')
        .select(['case_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('case_id', 'in', caseIds)
        .groupBy('case_id')
        .execute()
    : [];
}
