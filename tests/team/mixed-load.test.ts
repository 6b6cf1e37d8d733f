import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { loadRiskModel } from '../../src-main/db/repos/risk/updates';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { riskSnapshot } from '../db/risk-compare';
import { adminQuery, cli, dispute, freshDatabase, Marketplace, SERVER_URL, Session, startDesk, type Desk, type Envelope } from './harness';

/**
 * A team's ordinary day at once on three desktops, on cases whose buyers and sellers repeat
 * (so every decision, intake and flag updates the same buyer-risk rows): mediators on every
 * desk claiming, asking for evidence, publishing resolutions and deciding; the parties
 * answering through the feed; an analyst flagging buyers whose cases are being decided; the
 * feed re-importing disputes; two desks' sweeps applying defaults. Afterwards everything a
 * team relies on must hold: no INTERNAL answer, no deadlock, intact audit chains, every
 * case's copy of its buyer's score, tab counts, each deadline fired once, and the buyer rows
 * a full recompute writes.
 */
const MEDIATORS = ['mira', 'diego', 'wei', 'lena', 'tomas', 'priya'];
const CASES = 72;
const BUYERS = 9; // 8 cases per buyer
const ESCALATED_AT = '2026-11-02T09:00:00Z';
const HOUR = 3_600_000;

/** Dispute n: buyer MB-(n mod 9), seller MS-(n mod 5); a defective item (two options) or not received (one). */
function mixed(n: number, description?: string): Record<string, unknown> {
  const d = dispute(n, ESCALATED_AT) as { buyer: Record<string, unknown>; seller: Record<string, unknown> } & Record<string, unknown>;
  const b = n % BUYERS;
  return {
    ...d,
    id: `M-${n}`,
    ...(description ? { description } : {}),
    buyer: { ...d.buyer, id: `MB-${b}`, name: `Buyer ${b}`, links: { device: b < 3 ? ['dev-shared'] : [], address: [], payment: [] } },
    seller: { id: `MS-${n % 5}`, name: `Seller ${n % 5}`, country: 'CN' },
  };
}
const numberOf = (caseId: string) => Number(caseId.slice(2));
const isDefective = (n: number) => n % 2 === 1; // harness: odd n is 'defective', even 'not_received'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!SERVER_URL)('team: a mixed workload on three desktops', () => {
  let dbUrl = '';
  const desks: Desk[] = [];
  let mediators: Session[] = [];
  let analyst: Session;
  let shop: Marketplace;
  /** Every answer of the workload: what was asked, on which desk, and the answer. */
  const answers: Array<{ what: string; desk: string; r: Envelope }> = [];

  beforeAll(async () => {
    dbUrl = await freshDatabase('mixed');
    desks.push(await startDesk('A', dbUrl, ['--test-clock', '--demo', '--demo-cases', '1']));
    desks.push(...(await Promise.all([startDesk('B', dbUrl, ['--test-clock']), startDesk('C', dbUrl, ['--test-clock'])])));
    shop = await Marketplace.connect(dbUrl);
    mediators = await Promise.all(MEDIATORS.map((u, i) => Session.signIn(desks[i % 3]!, u, `${u}-demo`)));
    analyst = await Session.signIn(desks[2]!, 'hannah', 'hannah-demo');
  });

  afterAll(async () => {
    await Promise.all(desks.map((d) => d.stop()));
  });

  const note = (what: string, desk: Desk, r: Envelope) => {
    answers.push({ what, desk: desk.name, r });
    return r;
  };
  const feed = async (desk: Desk, method: string, input: unknown) => note(method, desk, await shop.call(desk, method, input));
  const as = async (s: Session, method: string, input: unknown = {}) => note(method, s.desk, await s.call(method, input));
  const advance = async (desk: Desk, ms: number) => {
    const res = await fetch(`${desk.url}/api/test/advance-clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });
    note('advance-clock', desk, (await res.json()) as Envelope);
  };
  /** The desk's sweep once more, as its timer would (advancing the test clock runs it). */
  const tick = (desk: Desk) => advance(desk, 1_000);
  const nowOf = async (d: Desk) =>
    Date.parse(((await (await fetch(`${d.url}/api/test/now`)).json()) as Envelope<{ now: string }>).value!.now);
  const status = async () =>
    new Map(
      (
        await adminQuery<{ id: string; status: string; assignee_id: string | null }>(dbUrl, `SELECT id, status, assignee_id FROM cases`)
      ).map((c) => [c.id, c]),
    );

  /** A decision a mediator may give on case n whatever happened before (a forced decision picks a published option). */
  const decide = (s: Session, caseId: string) => {
    const n = numberOf(caseId);
    return as(s, 'case.decide', {
      caseId,
      outcome: isDefective(n) ? 'return' : 'full',
      reasons: `Decided under load (case ${n}).`,
      consistencyNote: 'Team load test.',
    });
  };

  /** What a mediator does with a case just claimed: decide, ask either party, or publish the resolutions. */
  async function work(s: Session, caseId: string) {
    if (!caseId.startsWith('M-'))
      return as(s, 'case.decide', { caseId, outcome: 'none', reasons: 'A demo case, decided.', consistencyNote: 'Load.' });
    const n = numberOf(caseId);
    switch (n % 4) {
      case 0:
        return as(s, 'case.decide', {
          caseId,
          outcome: n % 8 ? 'none' : 'full',
          reasons: `Decided at once (case ${n}).`,
          consistencyNote: 'Load.',
        });
      case 1:
        return as(s, 'case.requestEvidence', { caseId, party: 'buyer', request: 'A photo of the defect, please.' });
      case 2:
        return as(s, 'case.propose', { caseId });
      default:
        return as(s, 'case.requestEvidence', { caseId, party: 'seller', request: 'The dispatch receipt, please.' });
    }
  }

  /** The parties through the feed: answer evidence requests and reply to proposals, on the given desk. */
  async function parties(desk: Desk, until: () => boolean) {
    const done = new Set<string>();
    while (!until()) {
      for (const [id, c] of await status()) {
        if (!id.startsWith('M-')) continue;
        const n = numberOf(id);
        if (c.status === 'awaiting_evidence' && n % 8 === 1 && !done.has(`e${id}`)) {
          done.add(`e${id}`);
          await feed(desk, 'party.submitEvidence', {
            caseId: id,
            party: 'buyer',
            file: { name: 'defect.jpg', mediaType: 'image/jpeg', sizeBytes: 2048, sha256: String(n % 10).repeat(64) },
          });
        }
        if (c.status === 'awaiting_replies' && !done.has(`r${id}`)) {
          done.add(`r${id}`);
          const choice = isDefective(n) ? 'partial' : 'full';
          // Both agree on a quarter of them, the buyer alone on another, the seller rejects the rest.
          await feed(desk, 'party.reply', { caseId: id, party: 'buyer', choice });
          if (n % 8 === 2) await feed(desk, 'party.reply', { caseId: id, party: 'seller', choice });
          else if (n % 8 === 6 && n % 3 === 0) await feed(desk, 'party.reply', { caseId: id, party: 'seller', choice: 'reject' });
        }
      }
      await sleep(200);
    }
  }

  it('runs claims, evidence, proposals, replies, decisions, flags, re-imports and two sweeps at once', async () => {
    let importsDone = false;
    let phase1Done = false;
    let allDone = false;

    const imported: number[] = [];
    // 3 import streams, one per desk.
    const imports = Promise.all(
      desks.map(async (desk, k) => {
        for (let n = 1 + k; n <= CASES; n += 3) {
          const r = await feed(desk, 'intake.dispute', mixed(n));
          if (r.ok) imported.push(n);
          await sleep(30);
        }
      }),
    ).finally(() => (importsDone = true));

    // Mediators on every desk: take the next case and work it, until the queue stays empty.
    const claiming = Promise.all(
      mediators.map(async (s) => {
        for (;;) {
          const r = await as(s, 'case.claimNext');
          const caseId = (r.value as { caseId?: string } | undefined)?.caseId;
          if (caseId) await work(s, caseId);
          else if (r.error?.code === 'NOT_FOUND' && importsDone) return;
          else await sleep(100);
        }
      }),
    );

    // The analyst flags and clears buyers whose cases are being decided.
    const flagging = (async () => {
      for (let i = 0; !allDone; i++) {
        const buyer = `MB-${i % BUYERS}`;
        await as(analyst, 'account.flag', {
          accountId: buyer,
          label: Math.floor(i / BUYERS) % 2 ? 'cleared' : 'serial_disputer',
          note: `Round ${i}: pattern across sellers.`,
        });
        await sleep(150);
      }
    })();

    // The feed re-imports disputes: identical content (no change) and corrected content (DUPLICATE once claimed).
    const reimports = (async () => {
      for (let i = 0; !phase1Done; i++) {
        if (!imported.length) {
          await sleep(100);
          continue;
        }
        const n = imported[(i * 7) % imported.length]!;
        await feed(desks[(i + 1) % 3]!, 'intake.dispute', i % 2 ? mixed(n) : mixed(n, `Dispute ${n}, corrected (${i})`));
        await sleep(100);
      }
    })();

    const answering = parties(desks[2]!, () => allDone);

    // Phase 2 (below): desks A and B move 97 h on (evidence and reply periods end; their sweeps
    // race) while the mediators decide what came back to them and desk C's parties still answer.
    const deciding = async () => {
      for (const [id, c] of await status())
        if (id.startsWith('M-') && c.status === 'in_review' && c.assignee_id) {
          const s = mediators.find((m) => m.userId === c.assignee_id)!;
          await decide(s, id);
        }
    };
    try {
      await imports;
      await claiming;
      await sleep(1_500); // the parties catch up with the last requests and proposals
      phase1Done = true;
      await reimports;
      await Promise.all([advance(desks[0]!, 97 * HOUR), advance(desks[1]!, 97 * HOUR), deciding(), deciding()]);
      await Promise.all([tick(desks[0]!), tick(desks[1]!), advance(desks[2]!, 97 * HOUR)]);
      await Promise.all([tick(desks[0]!), tick(desks[1]!), tick(desks[2]!), deciding()]);
    } finally {
      // Whatever failed, nothing of the workload runs on into the checks.
      phase1Done = allDone = true;
      await Promise.allSettled([reimports, flagging, answering]);
    }
    await deciding();
    expect(imported.sort((a, b) => a - b)).toEqual(Array.from({ length: CASES }, (_, i) => i + 1));

    // What every answer was.
    const codes = new Map<string, number>();
    for (const a of answers) {
      const k = `${a.what} ${a.r.ok ? 'ok' : a.r.error?.code}`;
      codes.set(k, (codes.get(k) ?? 0) + 1);
    }
    const conflicts = answers.filter((a) => a.r.error?.code === 'CONFLICT');
    console.log(
      `[team] mixed load: ${answers.length} answers, ${conflicts.length} CONFLICT\n` +
        [...codes]
          .sort()
          .map(([k, n]) => `  ${k}: ${n}`)
          .join('\n'),
    );
    for (const d of desks) expect(d.exited(), d.output()).toBe(false);
    // Only the answers a busy team gives (an account flagged before its first dispute arrived, a
    // case already moved on, corrected content of a claimed case): never INTERNAL or anything else.
    const expected = ['NOT_FOUND', 'INVALID_STATE', 'DEADLINE_PASSED', 'NO_OPEN_REQUEST', 'DUPLICATE', 'ALREADY_REPLIED', 'CONFLICT'];
    expect(answers.filter((a) => !a.r.ok && !expected.includes(a.r.error?.code ?? ''))).toEqual([]);
    expect(conflicts.length / answers.length).toBeLessThanOrEqual(0.02);
    // Every case got somewhere: none left unclaimed, and decisions were made by every basis.
    const final = await status();
    expect([...final.values()].filter((c) => c.status === 'escalated')).toEqual([]);
    const bases = await adminQuery<{ basis: string; n: string }>(dbUrl, `SELECT basis, count(*) AS n FROM decisions GROUP BY basis`);
    console.log(`[team] decisions by basis: ${bases.map((b) => `${b.basis} ${b.n}`).join(', ')}`);
    expect(bases.map((b) => b.basis).sort()).toEqual(expect.arrayContaining(['agreement', 'default', 'mediator']));
  });

  it('leaves intact audit chains, each case with its buyer’s score, true tab counts and each deadline fired once', async () => {
    const audit = await cli(['audit', 'verify', '--json'], dbUrl);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect((JSON.parse(audit.stdout) as { ok: boolean }).ok).toBe(true);

    expect(
      await adminQuery(
        dbUrl,
        `SELECT c.id, c.buyer_id, c.buyer_score, r.score FROM cases c LEFT JOIN buyer_risk r ON r.buyer_id = c.buyer_id
          WHERE c.buyer_score <> coalesce(r.score, -1)`,
      ),
    ).toEqual([]);

    const byStatus = Object.fromEntries(
      (await adminQuery<{ status: string; n: string }>(dbUrl, `SELECT status, count(*) AS n FROM cases GROUP BY status`)).map((r) => [
        r.status,
        Number(r.n),
      ]),
    );
    for (const s of mediators.slice(0, 3)) {
      const counts = (await s.call<{ byStatus: Record<string, number>; mine: number; mineNeedsAction: number }>('queue.counts')).value!;
      expect(counts.byStatus).toEqual(byStatus);
      const [mine] = await adminQuery<{ all: string; review: string }>(
        dbUrl,
        `SELECT count(*) FILTER (WHERE status IN ('in_review', 'awaiting_evidence', 'awaiting_replies', 'appealed')) AS all,
                count(*) FILTER (WHERE status = 'in_review') AS review
           FROM cases WHERE assignee_id = $1`,
        [s.userId],
      );
      expect({ mine: counts.mine, mineNeedsAction: counts.mineNeedsAction }, s.userId).toEqual({
        mine: Number(mine!.all),
        mineNeedsAction: Number(mine!.review),
      });
    }

    // No deadline fired twice: one decision per case, each evidence request expired at most once
    // and never both expired and fulfilled.
    expect(
      await adminQuery(dbUrl, `SELECT case_id, count(*) FROM case_events WHERE type = 'case.decided' GROUP BY case_id HAVING count(*) > 1`),
    ).toEqual([]);
    expect(await adminQuery(dbUrl, `SELECT case_id, count(*) FROM decisions GROUP BY case_id HAVING count(*) > 1`)).toEqual([]);
    expect(
      await adminQuery(
        dbUrl,
        `SELECT r.id, r.status,
                (SELECT count(*) FROM case_events e WHERE e.case_id = r.case_id AND e.type = 'evidence.expired' AND e.details LIKE '%' || r.id || '%') AS expired
           FROM evidence_requests r
          WHERE (SELECT count(*) FROM case_events e WHERE e.case_id = r.case_id AND e.type = 'evidence.expired' AND e.details LIKE '%' || r.id || '%')
                > CASE WHEN r.status = 'fulfilled' THEN 0 ELSE 1 END`,
      ),
    ).toEqual([]);
    // And nothing due before every desk's clock is left pending.
    const minNow = Math.min(...(await Promise.all(desks.map(nowOf))));
    expect(
      await adminQuery(dbUrl, `SELECT id, case_id FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1`, [
        minNow,
      ]),
    ).toEqual([]);
  });

  // Run once the desks are idle. A recompute while commands run deadlocks today (it holds the
  // risk turn and then updates every case's buyer_score; a command holds its case row and waits
  // for the turn): seen when this file's workload ran on into this test, not fixed here.
  it('keeps the buyer-risk rows a full recompute writes', async () => {
    const asOf = Math.max(...(await Promise.all(desks.map(nowOf))));
    const db: Db = await openDatabase({ url: dbUrl });
    try {
      const { priors } = await loadRiskModel(db);
      const incremental = await riskSnapshot(db, asOf, priors);
      expect(incremental.buyers.filter((b) => b.id.startsWith('MB-'))).toHaveLength(BUYERS);
      await recomputeRisk(db, { asOf, refit: false });
      const recomputed = await riskSnapshot(db, asOf, priors);
      expect(recomputed.buyers).toEqual(incremental.buyers);
      expect(recomputed.disputes).toEqual(incremental.disputes);
      expect(recomputed.sellers).toEqual(incremental.sellers);
    } finally {
      await db.destroy();
    }
    // And the recompute copied its scores into the cases.
    expect(
      await adminQuery(
        dbUrl,
        `SELECT c.id FROM cases c LEFT JOIN buyer_risk r ON r.buyer_id = c.buyer_id WHERE c.buyer_score <> coalesce(r.score, -1)`,
      ),
    ).toEqual([]);
  });

  it('deadlocked no transaction on the way', async () => {
    // A backend reports its deadlocks to the statistics when it exits: stop the desks first.
    await Promise.all(desks.map((d) => d.stop()));
    await sleep(1_500);
    const [stats] = await adminQuery<{ deadlocks: string }>(
      dbUrl,
      `SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`,
    );
    console.log(`[team] mixed load: deadlocks detected by PostgreSQL: ${stats!.deadlocks}`);
    expect(Number(stats!.deadlocks)).toBe(0);
  });
});
