import type { Reader } from '../../tx';

/**
 * The analysts' pages beyond the score itself (app/risk/analyst.ts): the buyer's account,
 * label history, cases and their outcomes, and the accounts sharing a link value with it.
 */

/** Names and countries of the list's buyers. */
export async function accountNamesOf(db: Reader, ids: string[]) {
  return ids.length ? db.selectFrom('accounts').select(['id', 'name', 'country']).where('id', 'in', ids).execute() : [];
}

export async function accountById(db: Reader, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Every label an account was given, newest first. */
export async function labelHistoryOf(db: Reader, accountId: string) {
  return db
    .selectFrom('account_labels')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('labelled_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The buyer's latest `limit` cases, newest first. */
export async function casesOfBuyer(db: Reader, buyerId: string, limit: number) {
  return db
    .selectFrom('cases')
    .select(['id', 'reason', 'status', 'claim_amount_minor', 'currency', 'opened_at'])
    .where('buyer_id', '=', buyerId)
    .orderBy('opened_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The decisions on these cases, in decision order (the last per case is its outcome). */
export async function decisionOutcomesOf(db: Reader, caseIds: string[]) {
  return caseIds.length
    ? db.selectFrom('decisions').select(['case_id', 'seq', 'outcome']).where('case_id', 'in', caseIds).orderBy('seq').execute()
    : [];
}

/** An account's device / address / payment values. */
export async function linksOfAccount(db: Reader, accountId: string) {
  return db.selectFrom('account_links').select(['kind', 'value']).where('account_id', '=', accountId).execute();
}

/** Up to `limit` accounts sharing one link value. */
export async function accountsSharingLink(db: Reader, kind: string, value: string, limit: number) {
  return db.selectFrom('account_links').select('account_id').where('kind', '=', kind).where('value', '=', value).limit(limit).execute();
}

/** Linked accounts as the buyer page lists them. */
export async function linkedAccountsOf(db: Reader, ids: string[]) {
  return ids.length ? db.selectFrom('accounts').select(['id', 'name', 'country', 'label']).where('id', 'in', ids).execute() : [];
}

/** Stored scores of these buyers (absent: never scored). */
export async function riskScoresOf(db: Reader, buyerIds: string[]) {
  return buyerIds.length ? db.selectFrom('buyer_risk').select(['buyer_id', 'score']).where('buyer_id', 'in', buyerIds).execute() : [];
}
