import { sql } from 'kysely';
import { consistencyOf } from '../app/casework/consistency';
import { Reason } from '../contract/domain';
import { planOfFirstQuery } from './capture';
import { onScratchPostgres } from './scratch-pg';
import { round } from './stats';
import { measure } from './team';

/**
 * Consistency at decision time (issue 17) on PostgreSQL: `case.consistency` (the nearest past
 * decisions of an open case) at `cases` cases, 70 % of them decided, over twelve reasons. Beside
 * it, raw `pg` sending the same SQL (the cost of everything around the queries), and the plan of
 * the candidate query, which must walk the partial index cases_decided_by_reason.
 */
const TARGETS = { medianMs: 25 };
const REASONS = Reason.options;

export async function benchConsistency(opts: { url: string; cases: number; runs: number; now: number; log(msg: string): void }) {
  return onScratchPostgres({ ...opts, prefix: 'consistency' }, async (db, raw) => {
    // Twelve reasons, decision times spread over 90 days, and a decision per decided case.
    const reasons = sql.raw(`ARRAY[${REASONS.map((r) => `'${r}'`).join(',')}]`);
    await sql`UPDATE cases SET reason = (${reasons})[(hashtext(id) & 2147483647) % 12 + 1],
      updated_at = ${opts.now} - ((hashtext(id) & 2147483647) % 7776000000::bigint)`.execute(db);
    await sql`INSERT INTO decisions (case_id, seq, outcome, amount_minor, basis, decided_by, decided_at, appeal_until, reasons, policy_version)
      SELECT id, 1, (ARRAY['full','partial','return','none'])[(hashtext(id) & 2147483647) % 4 + 1],
        CASE WHEN (hashtext(id) & 2147483647) % 4 = 1 THEN total_minor / 2 ELSE total_minor END,
        'mediator', COALESCE(assignee_id, 'bm0'), updated_at, NULL, 'bench', 1
      FROM cases WHERE status IN ('closed', 'final')`.execute(db);
    await sql`ANALYZE cases`.execute(db);
    await sql`ANALYZE decisions`.execute(db);
    await raw.connect();

    const open = await db.selectFrom('cases').select('id').where('status', '=', 'in_review').orderBy('id').limit(50).execute();
    let i = 0;
    const run = (d: typeof db) => consistencyOf(d, open[i++ % open.length]!.id, { outcome: 'full' });
    const timed = await measure({ runs: opts.runs }, raw, run, db);
    const { plan } = await planOfFirstQuery(db, run, (s) => s.includes('"d"."basis"') || s.includes('basis'));
    const usesIndex = plan.some((l) => l.includes('cases_decided_by_reason'));
    return {
      cases: opts.cases,
      decided: Math.floor(opts.cases * 0.7),
      ...timed.ours,
      baseline: timed.baseline,
      ratio: round(timed.ours.medianMs / timed.baseline.medianMs, 2),
      plan,
      target: { medianMs: TARGETS.medianMs, index: 'cases_decided_by_reason' },
      pass: timed.ours.medianMs <= TARGETS.medianMs && usesIndex,
    };
  });
}
