import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_URL, Session, freshDatabase, startDesk, waitFor, type Desk } from './harness';

/**
 * Presence and the stale-action guard across desktops on one PostgreSQL: desk B sees within
 * 3 s that Mira on desk A has a case open (on the case and in B's queue rows) and that she is
 * writing a decision; and a decision filled in against an older version of the case is
 * refused with STALE, naming what changed, instead of being applied.
 */

type Others = { others: Array<{ userId: string; name: string; activity: string }> };
type Page = { rows: Array<{ id: string; presence?: Array<{ userId: string; activity: string }> }> };

describe.skipIf(!SERVER_URL)('presence and the stale guard across desktops', () => {
  const desks: Desk[] = [];
  let mira: Session; // on desk A
  let diego: Session; // on desk B
  let oleg: Session; // supervisor, on desk B

  beforeAll(async () => {
    const dbUrl = await freshDatabase('presence');
    // The system clock on both (presence compares heartbeats written by one desk with the other's now).
    desks.push(await startDesk('A', dbUrl, ['--demo', '--demo-cases', '30']));
    desks.push(await startDesk('B', dbUrl));
    [mira, diego, oleg] = await Promise.all([
      Session.signIn(desks[0]!, 'mira', 'mira-demo'),
      Session.signIn(desks[1]!, 'diego', 'diego-demo'),
      Session.signIn(desks[1]!, 'oleg', 'oleg-demo'),
    ]);
  });

  /** Unassigned demo cases, oldest escalation first: T[0], T[1], … */
  const T: string[] = [];
  beforeAll(async () => {
    const page = await mira.call<Page>('queue.list', { scope: 'unassigned', limit: 10 });
    T.push(...page.value!.rows.map((r) => r.id));
    expect(T.length).toBeGreaterThanOrEqual(5);
  });

  afterAll(async () => {
    await Promise.all(desks.map((d) => d.stop()));
  });

  it('shows on desk B, within 3 s, who has a case open on desk A and what they are writing, and forgets them when they leave', async () => {
    const stream = diego.listen();
    try {
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      expect((await mira.call('presence.beat', { caseId: T[0], activity: 'viewing' })).ok).toBe(true);
      // The change notice reaches B's stream (what makes B's screens refetch) ...
      await waitFor(
        'a presence notice on B',
        () => stream.notices.some((n) => n.caseIds.includes(T[0]!) && n.reason === 'presence'),
        3_000,
      );
      // ... and B's reads show Mira, on the case and in the queue rows.
      const onCase = await diego.call<Others>('presence.get', { caseId: T[0]! });
      expect(onCase.value!.others).toEqual([expect.objectContaining({ userId: 'mira', name: 'Mira Kovač', activity: 'viewing' })]);
      const page = await diego.call<Page>('queue.list', { scope: 'unassigned', limit: 50 });
      const row = page.value!.rows.find((r) => r.id === T[0]!)!;
      expect(row.presence).toEqual([expect.objectContaining({ userId: 'mira', activity: 'viewing' })]);
      expect(page.value!.rows.find((r) => r.id === T[1]!)!.presence).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(3_000);

      // Her own reads leave her out.
      expect((await mira.call<Others>('presence.get', { caseId: T[0]! })).value!.others).toEqual([]);

      // A plain refresh tells nobody; opening the decide dialog does.
      const before = stream.notices.length;
      expect((await mira.call('presence.beat', { caseId: T[0], activity: 'viewing' })).ok).toBe(true);
      expect((await mira.call('presence.beat', { caseId: T[0], activity: 'deciding' })).ok).toBe(true);
      await waitFor('the "deciding" notice', () => stream.notices.length > before, 3_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(stream.notices.slice(before).filter((n) => n.caseIds.includes(T[0]!))).toHaveLength(1);
      expect((await diego.call<Others>('presence.get', { caseId: T[0]! })).value!.others[0]!.activity).toBe('deciding');

      expect((await mira.call('presence.leave', { caseId: T[0]! })).value).toEqual({ left: true });
      expect((await diego.call<Others>('presence.get', { caseId: T[0]! })).value!.others).toEqual([]);
    } finally {
      stream.stop();
    }
  });

  it('refuses bad presence input with a stable code', async () => {
    expect((await mira.call('presence.beat', { caseId: T[0], activity: 'dancing' })).error!.code).toBe('VALIDATION');
    expect((await mira.call('presence.beat', { caseId: 'NOPE-1', activity: 'viewing' })).error!.code).toBe('NOT_FOUND');
  });

  it('keeps at most 20 presence rows per person', async () => {
    const ids = (await mira.call<Page>('queue.list', { scope: 'all', limit: 30 })).value!.rows.map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(9);
    for (const caseId of ids) expect((await mira.call('presence.beat', { caseId, activity: 'viewing' })).ok).toBe(true);
    const seen = await Promise.all(ids.map(async (caseId) => (await diego.call<Others>('presence.get', { caseId })).value!.others.length));
    expect(seen.reduce((a, b) => a + b, 0)).toBe(Math.min(20, ids.length));
    for (const caseId of ids) await mira.call('presence.leave', { caseId });
  });

  it("refuses A's decision with STALE when B changed the case after A's dialog opened, and applies nothing", async () => {
    expect((await mira.call('case.claim', { caseId: T[2]! })).ok).toBe(true);
    const basedOnVersion = (await mira.call<{ version: number }>('case.get', { caseId: T[2]! })).value!.version;
    // While Mira writes on desk A, Diego on desk B asks the buyer for evidence (his to do once a supervisor gives him the case).
    expect((await oleg.call('case.assign', { caseId: T[2]!, userId: 'diego' })).ok).toBe(true);
    const asked = await diego.call('case.requestEvidence', { caseId: T[2]!, party: 'buyer', request: 'A photo of the label.' });
    expect(asked.ok, JSON.stringify(asked.error)).toBe(true);
    const decided = await mira.call('case.decide', { caseId: T[2]!, outcome: 'none', reasons: 'Delivered per tracking.', basedOnVersion });
    expect(decided.ok).toBe(false);
    expect(decided.error!.code).toBe('STALE');
    expect(decided.error!.message).toMatch(/changed while you were writing/);
    expect(decided.error!.message).toMatch(/Diego Fernandes requested evidence from the buyer \d+ s ago/);
    const after = await mira.call<{ status: string; decision: unknown }>('case.get', { caseId: T[2]! });
    expect(after.value!.decision).toBeNull();
    expect(after.value!.status).toBe('awaiting_evidence');
  });

  it("refuses on desk A a decision based on a version older than B's change, with the change named", async () => {
    expect((await diego.call('case.claim', { caseId: T[3]! })).ok).toBe(true);
    const seenByDiego = (await diego.call<{ version: number }>('case.get', { caseId: T[3]! })).value!.version;
    expect((await oleg.call('case.assign', { caseId: T[3]!, userId: 'mira' })).ok).toBe(true);
    const r = await diego.call('case.decide', { caseId: T[3]!, outcome: 'none', reasons: 'No.', basedOnVersion: seenByDiego });
    expect(r.error!.code).toBe('STALE');
    expect(r.error!.message).toMatch(/Oleg Sokolov assigned the case to mira/);
    // With the current version, the same person's command is judged by the rules as usual.
    const current = (await mira.call<{ version: number }>('case.get', { caseId: T[3]! })).value!.version;
    const ok = await mira.call('case.decide', {
      caseId: T[3]!,
      outcome: 'none',
      reasons: 'Delivered per tracking.',
      basedOnVersion: current,
    });
    expect(ok.ok, JSON.stringify(ok.error)).toBe(true);
  });
});
