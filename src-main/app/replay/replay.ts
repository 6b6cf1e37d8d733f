import { z } from 'zod';
import { Role } from '../../contract/domain';
import { Instant, toMs } from '../../contract/primitives';
import { mergePolicy, DEFAULT_POLICY, PolicyOverrides } from '../../contract/policy';
import { openDatabase, type Db } from '../../db/connect';
import { loadCaseStates } from '../../db/repos/case';
import { caseIdsInCreationOrder } from '../../db/repos/case-reads';
import { insertUser } from '../../db/repos/users';
import { inWriteTx } from '../../db/tx';
import { dispatch } from '../dispatch';
import type { ServiceContext } from '../handlers';
import type { Identity } from '../identity';
import { caseView } from '../case/view';
import { ManualClock } from '../../runtime/clock';
import { publishPolicy } from '../../db/repos/policy';
import { sweep } from '../sweep/sweep';

export const Scenario = z
  .object({
    name: z.string().optional(),
    policy: PolicyOverrides.optional(),
    users: z.array(z.object({ id: z.string().min(1), name: z.string().default(''), role: Role }).strict()).default([]),
    steps: z.array(z.object({ at: Instant, as: z.string().optional(), method: z.string(), input: z.unknown().optional() }).strict()),
  })
  .loose() // unknown top-level keys such as `expect` are ignored
  .superRefine((s, ctx) => {
    // `as` names a user by id: a second user under the same id, or one called like the feed or the clock, would be ambiguous.
    const seen = new Set<string>();
    s.users.forEach((u, i) => {
      const message = seen.has(u.id)
        ? `"${u.id.slice(0, 40)}" is given twice; give each user its own id`
        : u.id === 'intake'
          ? '"intake" is the marketplace feed in steps\' `as`; give this user another id'
          : u.id === 'system'
            ? '"system" is the deadline sweep in steps\' `as`; give this user another id'
            : null;
      if (message) ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message });
      seen.add(u.id);
    });
    s.steps.forEach((step, i) => {
      if (i > 0 && toMs(step.at) < toMs(s.steps[i - 1]!.at))
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'at'], message: 'goes back in time; steps must be in time order' });
    });
  });
export type Scenario = z.infer<typeof Scenario>;

export type StepResult = { step: number; ok: boolean; error?: { code: string; message: string } };

/**
 * Runs a scenario on a fresh in-memory database through the same dispatch the screens
 * use. Before each step the clock moves to its `at` and the sweep applies what fell due.
 * The `replay` CLI and the supervisors' policy preview both run on it: one engine, one path.
 */
export async function replay(scenario: Scenario) {
  const { results, value: cases } = await runScenario(scenario, async (db) => {
    const views = [];
    for (const id of await caseIdsInCreationOrder(db)) views.push(await caseView(db, id));
    return views;
  });
  return { name: scenario.name ?? null, results, cases };
}

/**
 * The replay's core: the steps' results, and whatever `inspect` reads from the replay's
 * database before it is thrown away (the CLI: every case's view; the policy preview: just
 * the engine states it compares).
 */
export async function runScenario<T>(scenario: Scenario, inspect: (db: Db) => Promise<T>): Promise<{ results: StepResult[]; value: T }> {
  const db = await openDatabase({ url: ':memory:' });
  try {
    const start = scenario.steps.length ? toMs(scenario.steps[0]!.at) : 0;
    const clock = new ManualClock(start);
    await publishPolicy(db, mergePolicy(DEFAULT_POLICY, scenario.policy ?? {}), 'scenario policy', 'replay', start);
    const users = new Map(scenario.users.map((u) => [u.id, u]));
    // Replay identities never sign in; the hash can match no password.
    await inWriteTx(db, async (tx) => {
      for (const u of scenario.users)
        await insertUser(tx, {
          id: u.id,
          name: u.name || u.id,
          role: u.role,
          password_hash: 'disabled',
          failed_attempts: 0,
          locked_until: null,
          created_at: start,
        });
    });
    const ctx: ServiceContext = {
      db,
      clock,
      notify: () => {},
      replay: true,
      // A preview asked for inside a replay replays in-process: it is already off the window's thread.
      replayCases: async (inner, caseIds) => runScenario(inner, (replayDb) => loadCaseStates(replayDb, caseIds)),
    };
    const results: StepResult[] = [];
    for (const [i, step] of scenario.steps.entries()) {
      clock.set(toMs(step.at));
      await sweep(db, clock.now());
      const identity = identityFor(step.as, users);
      const envelope = identity
        ? await dispatch(ctx, step.method, step.input, identity)
        : {
            ok: false as const,
            error: { code: 'FORBIDDEN' as const, message: `"${step.as}" is not one of the scenario's users, nor "intake".` },
          };
      results.push(
        envelope.ok ? { step: i, ok: true } : { step: i, ok: false, error: { code: envelope.error.code, message: envelope.error.message } },
      );
    }
    return { results, value: await inspect(db) };
  } finally {
    await db.destroy();
  }
}

function identityFor(as: string | undefined, users: Map<string, { id: string; name: string; role: Role }>): Identity | null {
  if (as === undefined || as === 'system') return { kind: 'system' };
  if (as === 'intake') return { kind: 'intake' };
  const u = users.get(as);
  return u ? { kind: 'user', userId: u.id, role: u.role, name: u.name || u.id } : null;
}
