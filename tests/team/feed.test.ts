import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, cli, dispute, freshDatabase, SERVER_URL, Session, startDesk, type Desk, type Envelope } from './harness';
import { startProxy, type TcpProxy } from './harness-proxy';

/**
 * The marketplace's feed (FEED.md) when a team runs several desktops on one PostgreSQL: the
 * marketplace may send any call to any desktop, retry it on another after a timeout, and read
 * its events from whichever desktop answers. The feed is made once with the CLI, as an
 * installation would, and spoken to over HTTP only. Desk C reaches the database over a slow
 * network (a proxy adding 30 ms each way), so its transactions stay open long after they wrote.
 */
const ESCALATED_AT = '2026-11-02T09:00:00Z';
const MEDIATORS = ['mira', 'diego', 'wei'];

interface FeedEventRow {
  seq: number;
  type: string;
  caseId: string;
}

describe.skipIf(!SERVER_URL)('team: the marketplace feed on several desktops', () => {
  let dbUrl = '';
  const desks: Desk[] = [];
  let token = '';
  let slowNetwork: TcpProxy | undefined;

  beforeAll(async () => {
    dbUrl = await freshDatabase('feed');
    // The first desk creates the schema; the others join a database that has it.
    desks.push(await startDesk('A', dbUrl, ['--demo', '--demo-cases', '5']));
    const server = new URL(SERVER_URL!);
    slowNetwork = await startProxy({ host: server.hostname, port: Number(server.port || 5432) }, 0, { latencyMs: 30 });
    const viaSlowNetwork = new URL(dbUrl);
    viaSlowNetwork.hostname = '127.0.0.1';
    viaSlowNetwork.port = String(slowNetwork.port);
    desks.push(...(await Promise.all([startDesk('B', dbUrl), startDesk('C', viaSlowNetwork.toString())])));
    const added = await cli(['feed', 'add', 'shop'], dbUrl);
    expect(added.code, added.stderr).toBe(0);
    token = (JSON.parse(added.stdout) as { token: string }).token;
  });

  afterAll(async () => {
    await Promise.all(desks.map((d) => d.stop()));
    await slowNetwork?.close();
  });

  async function call(desk: Desk, method: string, key: string, body: unknown, bearer = token) {
    const res = await fetch(`${desk.url}/feed/v1/call/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Envelope };
  }

  async function events(desk: Desk, after: number, limit: number): Promise<{ events: FeedEventRow[]; next: number }> {
    const res = await fetch(`${desk.url}/feed/v1/events?after=${after}&limit=${limit}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { events: FeedEventRow[]; next: number };
  }

  const count = async (text: string, params: unknown[] = []) => Number((await adminQuery<{ n: string }>(dbUrl, text, params))[0]!.n);

  it('one Idempotency-Key sent to three desktops at once has one effect and one answer', async () => {
    for (let n = 1; n <= 8; n++) {
      const answers = await Promise.all(desks.map((d) => call(d, 'intake.dispute', `dispute-T-${n}`, dispute(n, ESCALATED_AT))));
      for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
      // The same answer everywhere: the one the first call stored, replayed to its twins.
      expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
      expect(await count('SELECT count(*) AS n FROM cases WHERE id = $1', [`T-${n}`])).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM feed_outbox WHERE case_id = $1 AND type = 'case.accepted'`, [`T-${n}`])).toBe(1);
    }
  });

  it('the same key with another body is refused with 409 CONFLICT on any desktop, and changes nothing', async () => {
    const changed = { ...dispute(1, ESCALATED_AT), description: 'A different dispute under a used key' };
    for (const d of desks) {
      const r = await call(d, 'intake.dispute', 'dispute-T-1', changed);
      expect(r.status).toBe(409);
      expect(r.body.error?.code).toBe('CONFLICT');
    }
    const [row] = await adminQuery<{ description: string }>(dbUrl, 'SELECT description FROM cases WHERE id = $1', ['T-1']);
    expect(row!.description).toBe('Team test dispute 1');
  });

  it('a cursor read from one desktop while the others write never skips or repeats an event', async () => {
    const seen: FeedEventRow[] = [];
    let cursor = 0;
    let writing = true;
    const reader = (async () => {
      // Small pages, read while three desktops commit: an event that commits after a later one
      // (desk C's, on its slow network) would be stepped over for good.
      while (writing) {
        const page = await events(desks[1]!, cursor, 7);
        seen.push(...page.events);
        cursor = page.next;
        await new Promise((r) => setTimeout(r, 100)); // within the feed's rate limit (20 calls a second)
      }
    })();
    // Calls of one feed also queue on the feed's row (its last-seen time); a mediator's command
    // does not, so commands on three desktops are what only the outbox's own ordering protects.
    await Promise.all(
      desks.map(async (d, k) => {
        const mediator = await Session.signIn(d, MEDIATORS[k]!, `${MEDIATORS[k]}-demo`);
        for (let i = 0; i < 12; i++) {
          const n = 100 + k * 100 + i;
          const r = await call(d, 'intake.dispute', `dispute-T-${n}`, dispute(n, ESCALATED_AT));
          expect(r.status, JSON.stringify(r.body)).toBe(200);
        }
        for (let i = 0; i < 8; i++) {
          const caseId = `T-${100 + k * 100 + i}`;
          expect((await mediator.call('case.claim', { caseId })).ok).toBe(true);
          const r = await mediator.call('case.requestEvidence', {
            caseId,
            party: 'buyer',
            request: 'A photo of the parcel label, please.',
          });
          expect(r.ok, JSON.stringify(r.error)).toBe(true);
        }
      }),
    );
    writing = false;
    await reader;
    // Drain what committed after the reader's last page.
    for (;;) {
      const page = await events(desks[2]!, cursor, 1000);
      if (!page.events.length) break;
      seen.push(...page.events);
      cursor = page.next;
    }
    const seqs = seen.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    const stored = await adminQuery<{ seq: string }>(dbUrl, `SELECT seq FROM feed_outbox ORDER BY seq`);
    expect(seqs).toEqual(stored.map((r) => Number(r.seq)));
    const accepted = seen.filter((e) => e.type === 'case.accepted' && /^T-[1-3]\d\d$/.test(e.caseId)).map((e) => e.caseId);
    expect(accepted).toHaveLength(36);
    expect(new Set(accepted).size).toBe(36);
    const requested = seen.filter((e) => e.type === 'evidence.requested').map((e) => e.caseId);
    expect(requested).toHaveLength(24);
    expect(new Set(requested).size).toBe(24);
  });

  it('a token revoked with the CLI stops working on every desktop at once', async () => {
    const before = await call(desks[2]!, 'intake.dispute', 'dispute-T-900', dispute(900, ESCALATED_AT));
    expect(before.status).toBe(200);
    const revoked = await cli(['feed', 'revoke', 'shop'], dbUrl);
    expect(revoked.code, revoked.stderr).toBe(0);
    for (const d of desks) {
      const r = await call(d, 'intake.dispute', 'dispute-T-901', dispute(901, ESCALATED_AT));
      expect(r.status).toBe(401);
      expect(r.body.error?.code).toBe('UNAUTHENTICATED');
    }
    expect(await count('SELECT count(*) AS n FROM cases WHERE id = $1', ['T-901'])).toBe(0);
  });
});
