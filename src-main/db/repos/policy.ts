import { DEFAULT_POLICY, Policy } from '../../contract/policy';
import type { Db } from '../connect';

export interface VersionedPolicy {
  version: number;
  policy: Policy;
}

/** The policy in force: the newest published version (version 1, the defaults, is created on first use). */
export async function currentPolicy(db: Db): Promise<VersionedPolicy> {
  const row = await db.selectFrom('policies').select(['version', 'body']).orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (row) return { version: row.version, policy: Policy.parse(JSON.parse(row.body)) };
  return { version: 0, policy: DEFAULT_POLICY };
}

export async function publishPolicy(db: Db, policy: Policy, note: string, by: string, now: number): Promise<VersionedPolicy> {
  const valid = Policy.parse(policy);
  const { version } = await currentPolicy(db);
  await db
    .insertInto('policies')
    .values({ version: version + 1, body: JSON.stringify(valid), note, created_by: by, created_at: now })
    .execute();
  return { version: version + 1, policy: valid };
}

export async function ensurePolicy(db: Db, now: number): Promise<VersionedPolicy> {
  const cur = await currentPolicy(db);
  return cur.version > 0 ? cur : publishPolicy(db, DEFAULT_POLICY, 'Defaults of DOMAIN.md', 'system', now);
}
