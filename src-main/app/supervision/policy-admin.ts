import { AppFailure } from '../../contract/errors';
import { DEFAULT_POLICY, Policy } from '../../contract/policy';
import { toIso } from '../../contract/primitives';
import type { PolicyVersionView } from '../../contract/supervision';
import {
  decisionCountsUnder,
  insertPolicyVersion,
  latestPolicyRow,
  latestPolicyVersion,
  policyAuthor,
  policyRows,
  type PolicyRow,
} from '../../db/repos/policy';
import { inWriteTx, type Reader } from '../../db/tx';

/** Versions the history shows at most (a policy changes a few times a year). */
const HISTORY_LIMIT = 500;

const viewOf = (r: PolicyRow, decisions: number): PolicyVersionView => ({
  version: r.version,
  policy: Policy.parse(JSON.parse(r.body)),
  note: r.note,
  createdBy: r.created_by,
  createdAt: toIso(r.created_at),
  decisions,
});

/** The policy in force with its version, note and the decisions recorded under it. */
export async function policyGet(db: Reader): Promise<PolicyVersionView> {
  const row = await latestPolicyRow(db);
  if (!row)
    return {
      version: 0,
      policy: DEFAULT_POLICY,
      note: 'The default policy (nothing published yet)',
      createdBy: 'system',
      createdAt: toIso(0),
      decisions: 0,
    };
  return viewOf(row, (await decisionCountsUnder(db, [row.version])).get(row.version) ?? 0);
}

/** Every published version, newest first, each with the number of decisions made under it. */
export async function policyHistory(db: Reader): Promise<PolicyVersionView[]> {
  const rows = await policyRows(db, HISTORY_LIMIT);
  const counts = await decisionCountsUnder(
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
  db: Reader,
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
  const conflict = async (tx: Reader, current: number) => {
    const who = await policyAuthor(tx, current);
    const name = who?.name ?? who?.created_by ?? 'Someone';
    return new AppFailure(
      'CONFLICT',
      current > input.basedOnVersion
        ? `${name} published version ${current} while you were editing version ${input.basedOnVersion}; review it and publish again.`
        : `Your draft is based on version ${input.basedOnVersion}, but the policy in force is version ${current}; reload it and publish again.`,
    );
  };
  try {
    return await inWriteTx(db, async (tx) => {
      const top = await latestPolicyVersion(tx);
      const current = top?.version ?? 0;
      if (current !== input.basedOnVersion) throw await conflict(tx, current);
      const row = { version: current + 1, body: JSON.stringify(parsed.data), note, created_by: by, created_at: now };
      await insertPolicyVersion(tx, row);
      return viewOf(row, 0);
    });
  } catch (e) {
    if (e instanceof AppFailure) throw e;
    // Two supervisors pressed "publish" at the same moment: the version's primary key let one win.
    const top = await latestPolicyVersion(db);
    if ((top?.version ?? 0) !== input.basedOnVersion) throw await conflict(db, top!.version);
    throw e;
  }
}
