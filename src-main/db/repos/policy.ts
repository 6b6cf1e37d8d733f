import { DEFAULT_POLICY, Policy } from '../../contract/policy';
import { inWriteTx, type Reader, type WriteTx } from '../tx';
import { queryRows } from '../compiled';

/** Published policy versions (policies), and what the policy screens read beside them. */

export interface VersionedPolicy {
  version: number;
  policy: Policy;
}

export interface PolicyRow {
  version: number;
  body: string;
  note: string;
  created_by: string;
  created_at: number;
}

/** The policy in force: the newest published version (version 1, the defaults, is created on first use). */
export async function currentPolicy(db: Reader): Promise<VersionedPolicy> {
  // Read by every sweep chunk and command: a precompiled statement (db/compiled.ts).
  const [row] = await queryRows<{ version: number; body: string }>(
    db,
    'SELECT version, body FROM policies ORDER BY version DESC LIMIT 1',
    [],
  );
  return policyOfRow(row);
}

/** The last row parsed: every command reads the policy in force, which changes only when a supervisor publishes. */
let lastParsed: { body: string; parsed: VersionedPolicy } | null = null;

/** The policy of a `policies` row (the newest one); the defaults, as version 0, when there is none yet. */
export function policyOfRow(row: { version: number; body: string } | undefined): VersionedPolicy {
  if (!row) return { version: 0, policy: DEFAULT_POLICY };
  if (lastParsed?.body !== row.body || lastParsed.parsed.version !== row.version)
    lastParsed = { body: row.body, parsed: { version: row.version, policy: Policy.parse(JSON.parse(row.body)) } };
  return lastParsed.parsed;
}

/**
 * Publishes the next version. In the caller's transaction, joined; replays, seeds and tests
 * call it with a plain connection, and get one.
 */
export async function publishPolicy(db: Reader, policy: Policy, note: string, by: string, now: number): Promise<VersionedPolicy> {
  const valid = Policy.parse(policy);
  return inWriteTx(db, async (tx) => {
    const { version } = await currentPolicy(tx);
    await insertPolicyVersion(tx, { version: version + 1, body: JSON.stringify(valid), note, created_by: by, created_at: now });
    return { version: version + 1, policy: valid };
  });
}

export async function ensurePolicy(db: Reader, now: number): Promise<VersionedPolicy> {
  const cur = await currentPolicy(db);
  return cur.version > 0 ? cur : publishPolicy(db, DEFAULT_POLICY, 'The default policy', 'system', now);
}

/** A new version's row (its primary key refuses a version someone else published first). */
export async function insertPolicyVersion(tx: WriteTx, row: PolicyRow): Promise<void> {
  await tx.insertInto('policies').values(row).execute();
}

/** The newest published version's number (undefined: nothing published). */
export async function latestPolicyVersion(db: Reader): Promise<{ version: number } | undefined> {
  return db.selectFrom('policies').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** The newest published version's whole row. */
export async function latestPolicyRow(db: Reader): Promise<PolicyRow | undefined> {
  return db.selectFrom('policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
}

/** Published versions, newest first. */
export async function policyRows(db: Reader, limit: number): Promise<PolicyRow[]> {
  return db.selectFrom('policies').selectAll().orderBy('version', 'desc').limit(limit).execute();
}

/** Every published version's body (the policy preview explains changes against the version a case was decided under). */
export async function allPolicyBodies(db: Reader): Promise<Array<{ version: number; body: string }>> {
  return db.selectFrom('policies').select(['version', 'body']).execute();
}

/** Who published a version: their user id, and their name while they have a user row. */
export async function policyAuthor(db: Reader, version: number): Promise<{ created_by: string; name: string | null } | undefined> {
  return db
    .selectFrom('policies')
    .leftJoin('users', 'users.id', 'policies.created_by')
    .select(['policies.created_by', 'users.name'])
    .where('policies.version', '=', version)
    .executeTakeFirst();
}

/** Decisions recorded under each of these versions. */
export async function decisionCountsUnder(db: Reader, versions: number[]): Promise<Map<number, number>> {
  if (!versions.length) return new Map();
  const rows = await db
    .selectFrom('decisions')
    .select(['policy_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('policy_version', 'in', versions)
    .groupBy('policy_version')
    .execute();
  return new Map(rows.map((r) => [r.policy_version, Number(r.n)]));
}

/** The ids of the last `n` decided cases, latest decision first (a walk of decisions_by_time). */
export async function lastDecidedCases(db: Reader, n: number, now: number): Promise<string[]> {
  const seen = new Set<string>();
  let cursor: { at: number; caseId: string } | null = null;
  for (;;) {
    let q = db.selectFrom('decisions').select(['case_id', 'decided_at']).where('decided_at', '<=', now);
    if (cursor) {
      const c: { at: number; caseId: string } = cursor;
      q = q.where((eb) => eb.or([eb('decided_at', '<', c.at), eb.and([eb('decided_at', '=', c.at), eb('case_id', '<', c.caseId)])]));
    }
    const page = await q
      .orderBy('decided_at', 'desc')
      .orderBy('case_id', 'desc')
      .limit(2 * n)
      .execute();
    for (const r of page) {
      seen.add(r.case_id);
      if (seen.size === n) return [...seen];
    }
    if (page.length < 2 * n) return [...seen];
    const last = page[page.length - 1]!;
    cursor = { at: last.decided_at, caseId: last.case_id };
  }
}
