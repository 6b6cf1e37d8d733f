import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, dispute, freshDatabase, Marketplace, SERVER_URL, Session, startDesk, type Desk, type Envelope } from './harness';

/**
 * Several desktops on one PostgreSQL must not herd, deadlock or undo each other's work:
 * take-next under 30 concurrent presses, a feed re-import racing the claims, and two
 * desktops' sweeps racing each other and a party's command on the same cases.
 * One database and three desks for the whole file (starting a desk takes 10–30 s).
 */
const MEDIATORS = ['mira', 'diego', 'wei', 'lena', 'tomas', 'priya'];
const PRESSERS_PER_MEDIATOR = 5; // 30 concurrent presses
const ESCALATED_AT = '2026-11-02T09:00:00Z';

describe.skipIf(!SERVER_URL)('team: several desktops on one PostgreSQL', () => {
  let dbUrl = '';
  const desks: Desk[] = [];
  let sessions: Session[] = [];
  let shop: Marketplace;

  beforeAll(async () => {
    dbUrl = await freshDatabase('concurrency');
    // The first desk creates the schema and the demo users; the others join a database that has them.
    desks.push(await startDesk('A', dbUrl, ['--test-clock', '--demo', '--demo-cases', '20']));
    desks.push(...(await Promise.all([startDesk('B', dbUrl, ['--test-clock']), startDesk('C', dbUrl, ['--test-clock'])])));
    shop = await Marketplace.connect(dbUrl);
    sessions = await Promise.all(
      MEDIATORS.flatMap((user, u) =>
        Array.from({ length: PRESSERS_PER_MEDIATOR }, (_, k) => Session.signIn(desks[(u + k) % desks.length]!, user, `${user}-demo`)),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(desks.map((d) => d.stop()));
  });

  const count = async (text: string, params: unknown[] = []) => Number((await adminQuery<{ n: string }>(dbUrl, text, params))[0]!.n);

  async function importAll(from: number, to: number, desk = desks[0]!) {
    for (let n = from; n <= to; n++) {
      const r = await shop.call(desk, 'intake.dispute', dispute(n, ESCALATED_AT));
      expect(r.ok, JSON.stringify(r.error)).toBe(true);
    }
  }

  /** Every presser presses take-next until the queue is empty; what each press answered and how long it took. */
  async function pressUntilEmpty() {
    const presses: Array<{ user: string; ms: number; caseId?: string; code?: string }> = [];
    await Promise.all(
      sessions.map(async (s) => {
        for (let i = 0; i < 200; i++) {
          const started = performance.now();
          const r = await s.call<{ caseId: string }>('case.claimNext');
          presses.push({ user: s.userId, ms: performance.now() - started, caseId: r.value?.caseId, code: r.error?.code });
          if (r.error?.code === 'NOT_FOUND') return;
        }
      }),
    );
    return presses;
  }

  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.95 * (xs.length - 1))]!;

  it('take-next: 30 concurrent presses claim every case once, without a herd of conflicts or refusal rows', async () => {
    await importAll(1, 60);
    const refusedBefore = await count(`SELECT count(*) AS n FROM case_events WHERE type = 'command.refused'`);

    const presses = await pressUntilEmpty();

    const taken = presses.filter((p) => p.caseId);
    const conflicts = presses.filter((p) => p.code === 'CONFLICT').length;
    const latency = presses.map((p) => p.ms);
    console.log(
      `[team] take-next: ${presses.length} presses, ${taken.length} claims, ${conflicts} CONFLICT (${((100 * conflicts) / presses.length).toFixed(1)} %), ` +
        `p95 ${p95(latency).toFixed(0)} ms, max ${Math.max(...latency).toFixed(0)} ms`,
    );
    // Only claims, an empty queue and (rarely) a conflict: never INTERNAL or anything else.
    expect(presses.filter((p) => !p.caseId && p.code !== 'NOT_FOUND' && p.code !== 'CONFLICT')).toEqual([]);
    expect(conflicts / presses.length).toBeLessThanOrEqual(0.01);
    // No case handed to two presses, and each is held by the one it was handed to.
    expect(new Set(taken.map((p) => p.caseId)).size).toBe(taken.length);
    const held = await adminQuery<{ id: string; assignee_id: string; status: string }>(
      dbUrl,
      `SELECT id, assignee_id, status FROM cases WHERE id = ANY($1)`,
      [taken.map((p) => p.caseId)],
    );
    const holder = new Map(held.map((c) => [c.id, c]));
    for (const p of taken) expect(holder.get(p.caseId!), p.caseId).toMatchObject({ assignee_id: p.user, status: 'in_review' });
    // Every imported case was taken, each claimed exactly once in its event log.
    expect(await count(`SELECT count(*) AS n FROM cases WHERE status = 'escalated'`)).toBe(0);
    expect(
      await adminQuery(dbUrl, `SELECT case_id, count(*) FROM case_events WHERE type = 'case.claimed' GROUP BY case_id HAVING count(*) > 1`),
    ).toEqual([]);
    // A press that found nothing (or lost a race) leaves no refusal in any case's audit log.
    expect(await count(`SELECT count(*) AS n FROM case_events WHERE type = 'command.refused'`)).toBe(refusedBefore);
  });

  it('a feed re-import racing the claims never undoes one; changed content of a claimed case is DUPLICATE', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => 101 + i);
    await importAll(ids[0]!, ids.at(-1)!);
    const changed = (n: number, round: number) => ({
      ...dispute(n, ESCALATED_AT),
      description: `Dispute ${n}, corrected by the feed (${round})`,
    });

    // Each case at the same moment: a mediator claims it, desks B and C re-import it with changed
    // content and desk A with identical content.
    const answers: Envelope[] = [];
    const claims: Array<{ user: string; caseId: string; r: Envelope }> = [];
    await Promise.all(
      ids.map(async (n, i) => {
        const s = sessions[i % sessions.length]!;
        const caseId = `T-${n}`;
        const [claim, ...feed] = await Promise.all([
          s.call('case.claim', { caseId }),
          shop.call(desks[1]!, 'intake.dispute', changed(n, 1)),
          shop.call(desks[2]!, 'intake.dispute', changed(n, 2)),
          shop.call(desks[0]!, 'intake.dispute', dispute(n, ESCALATED_AT)),
        ]);
        claims.push({ user: s.userId, caseId, r: claim });
        answers.push(...feed);
      }),
    );

    // Every claim a mediator was told about still stands: in review, with that mediator, claimed once.
    const held = await adminQuery<{ id: string; assignee_id: string | null; status: string }>(
      dbUrl,
      `SELECT id, assignee_id, status FROM cases WHERE id = ANY($1)`,
      [ids.map((n) => `T-${n}`)],
    );
    const holder = new Map(held.map((c) => [c.id, c]));
    const undone = claims
      .filter((c) => c.r.ok)
      .filter((c) => holder.get(c.caseId)?.assignee_id !== c.user || holder.get(c.caseId)?.status !== 'in_review');
    const internal = [...answers, ...claims.map((c) => c.r)].filter((a) => a.error?.code === 'INTERNAL').length;
    console.log(
      `[team] re-import: ${claims.length} claims, ${answers.length} feed answers, ${undone.length} claims undone, ${internal} INTERNAL`,
    );
    expect(answers.filter((a) => !a.ok && a.error?.code !== 'DUPLICATE').map((a) => a.error)).toEqual([]);
    expect(claims.filter((c) => !c.r.ok).map((c) => c.r.error)).toEqual([]);

    expect(undone.map((c) => ({ ...c, now: holder.get(c.caseId) }))).toEqual([]);
    expect(
      await adminQuery(
        dbUrl,
        `SELECT case_id, count(*) FROM case_events WHERE type = 'case.claimed' AND case_id = ANY($1) GROUP BY case_id HAVING count(*) > 1`,
        [ids.map((n) => `T-${n}`)],
      ),
    ).toEqual([]);
    // Now every case is claimed: changed content is refused, identical content changes nothing.
    for (const n of ids.slice(0, 10)) {
      expect((await shop.call(desks[2]!, 'intake.dispute', changed(n, 3))).error?.code).toBe('DUPLICATE');
      const again = await shop.call(desks[1]!, 'intake.dispute', dispute(n, ESCALATED_AT));
      expect(again.error?.code ?? 'ok').toMatch(/^(ok|DUPLICATE)$/);
    }
  });

  it('two desktops sweeping the same due deadlines, racing a party command, apply each default once and never fail', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `T-${201 + i}`);
    await importAll(201, 260);
    const mira = sessions.find((s) => s.userId === 'mira' && s.desk === desks[0])!;
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (k) => {
        for (const caseId of ids.filter((_, i) => i % 6 === k)) {
          expect((await mira.call('case.claim', { caseId })).ok).toBe(true);
          const r = await mira.call('case.requestEvidence', { caseId, party: 'buyer', request: 'A photo of the parcel label, please.' });
          expect(r.ok, JSON.stringify(r.error)).toBe(true);
        }
      }),
    );
    const miraOnB = sessions.find((s) => s.userId === 'mira' && s.desk === desks[1])!;
    const answers: Array<{ what: string; r: Envelope }> = [];
    const advance = async (desk: Desk) => {
      const res = await fetch(`${desk.url}/api/test/advance-clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: 73 * 3_600_000 }),
      });
      answers.push({ what: `advance ${desk.name}`, r: (await res.json()) as Envelope });
    };
    // Desks A and B move 73 h on (their sweeps race); desk C, still before the deadline, takes the
    // buyer's evidence for half the cases while desk B's mediator asks again on the other half.
    await Promise.all([
      advance(desks[0]!),
      advance(desks[1]!),
      ...ids.map(async (caseId, i) =>
        answers.push({
          what: `${i % 2 ? 'requestEvidence' : 'submitEvidence'} ${caseId}`,
          r:
            i % 2
              ? await miraOnB.call('case.requestEvidence', { caseId, party: 'seller', request: 'The dispatch receipt, please.' })
              : await shop.call(desks[2]!, 'party.submitEvidence', {
                  caseId,
                  party: 'buyer',
                  file: { name: 'label.jpg', mediaType: 'image/jpeg', sizeBytes: 1234, sha256: 'a'.repeat(64) },
                }),
        }),
      ),
    ]);
    // And once more on both, as their timers would.
    await Promise.all([desks[0]!, desks[1]!].map((d) => Session.signIn(d, 'oleg', 'oleg-demo').then((s) => s.call('system.tick'))));

    const failures = answers.filter(({ r }) => !r.ok && !['INVALID_STATE', 'DEADLINE_PASSED'].includes(r.error?.code ?? ''));
    expect(failures).toEqual([]);
    for (const d of desks) expect(d.output()).not.toMatch(/\[sweep\] failed|deadlock/i);

    // Each buyer request either expired once (the default) or was answered, never both, never twice.
    const rows = await adminQuery<{ case_id: string; expired: string; fulfilled: string }>(
      dbUrl,
      `SELECT r.case_id,
              (SELECT count(*) FROM case_events e WHERE e.case_id = r.case_id AND e.type = 'evidence.expired' AND e.details LIKE '%' || r.id || '%') AS expired,
              (SELECT count(*) FROM evidence_requests x WHERE x.id = r.id AND x.status = 'fulfilled') AS fulfilled
         FROM evidence_requests r WHERE r.case_id = ANY($1) AND r.party = 'buyer'`,
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    for (const r of rows) expect(Number(r.expired) + Number(r.fulfilled), r.case_id).toBe(1);
    // Nothing due before both clocks is left pending, and no deadline row fired twice (one row, one fired_at).
    const minNow = Math.min(
      ...(await Promise.all(
        [desks[0]!, desks[1]!].map(async (d) =>
          Date.parse(((await (await fetch(`${d.url}/api/test/now`)).json()) as Envelope<{ now: string }>).value!.now),
        ),
      )),
    );
    expect(
      await count(
        `SELECT count(*) AS n FROM deadlines WHERE case_id = ANY($1) AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $2`,
        [ids, minNow],
      ),
    ).toBe(0);
  });

  it('no transaction deadlocked on the way (one lock order for commands, sweeps and intake)', async () => {
    // A backend reports its deadlocks to the statistics when it exits: stop the desks first.
    await Promise.all(desks.map((d) => d.stop()));
    await new Promise((r) => setTimeout(r, 1_500));
    const [stats] = await adminQuery<{ deadlocks: string }>(
      dbUrl,
      `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`,
    );
    console.log(`[team] deadlocks detected by PostgreSQL: ${stats!.deadlocks}`);
    expect(Number(stats!.deadlocks)).toBe(0);
  });
});
