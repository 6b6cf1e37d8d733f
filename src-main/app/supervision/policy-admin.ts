import { AppFailure } from '../../contract/errors';
import { DEFAULT_POLICY, Policy } from '../../contract/policy';
import { toIso } from '../../contract/primitives';
import type { PolicyVersionView } from '../../contract/supervision';
import type { Db } from '../../db/connect';

/** Versions the history shows at most (a policy changes a few times a year). */
const HISTORY_LIMIT = 500;

type PolicyRow = { version: number; body: string; note: string; created_by: string; created_at: number };

const viewOf = (r: PolicyRow, decisions: number): PolicyVersionView => ({
  version: r.version,
  policy: Policy.parse(JSON.parse(r.body)),
  note: r.note,
  createdBy: r.created_by,
  createdAt: toIso(r.created_at),
  decisions,
});

async function decisionsUnder(db: Db, versions: number[]): Promise<Map<number, number>> {
  if (!versions.length) return new Map();
  const rows = await db
    .selectFrom('decisions')
    .select(['policy_version', (eb) => eb.fn.countAll<number>().as('n')])
    .where('policy_version', 'in', versions)
    .groupBy('policy_version')
    .execute();
  return new Map(rows.map((r) => [r.policy_version, Number(r.n)]));
}

/** The policy in force with its version, note and the decisions recorded under it. */
export async function policyGet(db: Db): Promise<PolicyVersionView> {
  const row = await db.selectFrom('policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!row)
    return {
      version: 0,
      policy: DEFAULT_POLICY,
      note: 'Defaults of DOMAIN.md (nothing published yet)',
      createdBy: 'system',
      createdAt: toIso(0),
      decisions: 0,
    };
  return viewOf(row, (await decisionsUnder(db, [row.version])).get(row.version) ?? 0);
}

/** Every published version, newest first, each with the number of decisions made under it. */
export async function policyHistory(db: Db): Promise<PolicyVersionView[]> {
  const rows = await db.selectFrom('policies').selectAll().orderBy('version', 'desc').limit(HISTORY_LIMIT).execute();
  const counts = await decisionsUnder(
    db,
    rows.map((r) => r.version),
  );
  return rows.map((r) => viewOf(r, counts.get(r.version) ?? 0));
}

/**
 * Publishes a draft as the next version, in one transaction. Refused with CONFLICT when
 * someone published after the version the draft was based on (the supervisor must see
 * that version before replacing it), and with VALIDATION naming the field when invalid.
 */
export async function policyPublish(
  db: Db,
  input: { policy: unknown; note: string; basedOnVersion: number },
  by: string,
  now: number,
): Promise<PolicyVersionView> {
  const parsed = Policy.safeParse(input.policy);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ['policy', ...issue.path.map(String)].join('.');
    throw new AppFailure('VALIDATION', `${field}: ${issue.message}`, field);
  }
  const note = input.note.trim();
  const conflict = async (tx: Db, current: number) => {
    const who = await tx
      .selectFrom('policies')
      .leftJoin('users', 'users.id', 'policies.created_by')
      .select(['policies.created_by', 'users.name'])
      .where('policies.version', '=', current)
      .executeTakeFirst();
    const name = who?.name ?? who?.created_by ?? 'Someone';
    return new AppFailure(
      'CONFLICT',
      current > input.basedOnVersion
        ? `${name} published version ${current} while you were editing version ${input.basedOnVersion}; review it and publish again.`
        : `Your draft is based on version ${input.basedOnVersion}, but the policy in force is version ${current}; reload it and publish again.`,
    );
  };
  try {
    return await db.transaction().execute(async (tx) => {
      const top = await tx.selectFrom('policies').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
      const current = top?.version ?? 0;
      if (current !== input.basedOnVersion) throw await conflict(tx, current);
      const row = { version: current + 1, body: JSON.stringify(parsed.data), note, created_by: by, created_at: now };
      await tx.insertInto('policies').values(row).execute();
      return viewOf(row, 0);
    });
  } catch (e) {
    if (e instanceof AppFailure) throw e;
    // Two supervisors pressed "publish" at the same moment: the version's primary key let one win.
    const top = await db.selectFrom('policies').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
    if ((top?.version ?? 0) !== input.basedOnVersion) throw await conflict(db, top!.version);
    throw e;
  }
}
