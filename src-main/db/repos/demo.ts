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

/**
 * The demo seeding's marker: written (with the seeding's figures) before its first write and
 * deleted after its last, so a seeding that was interrupted is seen, and finished, at the next start.
 */
export const DEMO_SEEDING_KEY = 'demo.seeding';
export interface DemoSeeding {
  cases: number;
  /** The seeding's instant: every row of the demo is placed relative to it, so a resumed run uses it too. */
  now: number;
  /** Who is seeding: a SQLite database has no lock between processes, so a resume checks this process is gone. */
  pid: number;
  host: string;
}

export async function demoSeeding(db: Reader): Promise<DemoSeeding | null> {
  const value = await readSetting(db, DEMO_SEEDING_KEY);
  return value === null ? null : (JSON.parse(value) as DemoSeeding);
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

export async function readSetting(db: Reader, key: string): Promise<string | null> {
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value ?? null;
}

/** Writes a setting, replacing the value already there. */
export async function putSetting(tx: WriteTx, key: string, value: string): Promise<void> {
  await tx
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export async function deleteSetting(tx: WriteTx, key: string): Promise<void> {
  await tx.deleteFrom('settings').where('key', '=', key).execute();
}

/** The cases among `ids` that exist, with the facts the demo history's stories are chosen by. */
export async function casesByIds(db: Reader, ids: string[]) {
  if (!ids.length) return [];
  return db
    .selectFrom('cases')
    .select(['id', 'escalated_at', 'reason', 'claim_remedy', 'claim_amount_minor', 'total_minor'])
    .where('id', 'in', ids)
    .execute();
}

/** How many accepted commands each of `ids` has in the command log (a demo story's steps done). */
export async function commandCounts(db: Reader, ids: string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('case_commands')
    .select(['case_id', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('case_id', 'in', ids)
    .groupBy('case_id')
    .execute();
  return new Map(rows.map((r) => [r.case_id, Number(r.n)]));
}

/** Decision-quality samples (reviewed or not), oldest first, except those of decisions by `notDecidedBy`. */
export async function qualitySamplesNotDecidedBy(
  db: Reader,
  notDecidedBy: string,
): Promise<Array<{ case_id: string; decided_by: string; reviewed_at: number | null }>> {
  return db
    .selectFrom('quality_reviews')
    .select(['case_id', 'decided_by', 'reviewed_at'])
    .where('decided_by', '!=', notDecidedBy)
    .orderBy('sampled_at')
    .orderBy('case_id')
    .execute();
}
