import type { Reader, WriteTx } from '../tx';

/** The demo population's own reads and writes (src-main/demo/), and the start-up's "is this a fresh database?". */

/** A database with neither cases nor users: a fresh installation the demo may fill. */
export async function isEmptyDatabase(db: Reader): Promise<boolean> {
  const [c, u] = await Promise.all([
    db.selectFrom('cases').select('id').limit(1).executeTakeFirst(),
    db.selectFrom('users').select('id').limit(1).executeTakeFirst(),
  ]);
  return !c && !u;
}

export async function settingExists(db: Reader, key: string): Promise<boolean> {
  return !!(await db.selectFrom('settings').select('key').where('key', '=', key).executeTakeFirst());
}

/** Writes a setting; with `keepExisting`, a value already there stays. */
export async function insertSetting(tx: WriteTx, key: string, value: string, opts: { keepExisting?: boolean } = {}): Promise<void> {
  const insert = tx.insertInto('settings').values({ key, value });
  await (opts.keepExisting ? insert.onConflict((oc) => oc.column('key').doNothing()) : insert).execute();
}

/** Escalated cases escalated at or before `before`, oldest first: the ones the demo history may work. */
export async function escalatedCasesUpTo(db: Reader, before: number) {
  return db
    .selectFrom('cases')
    .select(['id', 'escalated_at', 'reason', 'claim_remedy', 'claim_amount_minor', 'total_minor'])
    .where('status', '=', 'escalated')
    .where('escalated_at', '<=', before)
    .orderBy('escalated_at')
    .orderBy('id')
    .execute();
}

export async function policyVersions(db: Reader): Promise<Array<{ version: number; created_by: string; created_at: number }>> {
  return db.selectFrom('policies').select(['version', 'created_by', 'created_at']).execute();
}

/** Moves a policy version's publication back in time. */
export async function backdatePolicy(tx: WriteTx, version: number, at: number): Promise<void> {
  await tx.updateTable('policies').set({ created_at: at }).where('version', '=', version).execute();
}

/** Decision-quality samples still waiting for a review, oldest first, except those of decisions by `notDecidedBy`. */
export async function pendingQualitySamples(db: Reader, notDecidedBy: string): Promise<Array<{ case_id: string; decided_by: string }>> {
  return db
    .selectFrom('quality_reviews')
    .select(['case_id', 'decided_by'])
    .where('reviewed_at', 'is', null)
    .where('decided_by', '!=', notDecidedBy)
    .orderBy('sampled_at')
    .orderBy('case_id')
    .execute();
}
