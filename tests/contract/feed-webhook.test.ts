import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { M1, deskCall, dispute, feedPost, newKey, openDesk, type Desk } from './feed-harness';
import { addFeed } from '../../src-main/app/feed/admin';
import { openCore } from '../../src-main/runtime/core';
import { inWriteTx } from '../../src-main/db/tx';
import { runCaseCommand } from '../../src-main/app/case/commands';

/**
 * FEED.md webhook push: batches POSTed in seq order, signed with the webhook secret, retried
 * with backoff after failures (the receiver answers 500 twice), delivery state kept in the
 * database (a restarted core goes on from the last delivered seq). And the outbox itself:
 * rows only when their change commits.
 */

interface Received {
  signature: string;
  body: string;
}

async function receiver(answers: number[]): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ signature: String(req.headers['x-desk-signature']), body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}/hook`, got };
}

function verify(
  secret: string,
  r: Received,
): { t: number; body: { events: Array<{ seq: number; type: string; caseId: string }>; next: number } } {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature);
  expect(m, r.signature).not.toBeNull();
  const expected = createHmac('sha256', secret).update(`${m![1]}.${r.body}`).digest('hex');
  expect(m![2]).toBe(expected);
  return { t: Number(m![1]), body: JSON.parse(r.body) };
}

describe('webhook push', () => {
  let desk: Desk;
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    desk = await openDesk(undefined);
    hook = await receiver([500, 500]);
  });
  afterAll(async () => {
    await desk?.close();
    hook?.server.close();
  });

  it('POSTs signed batches in seq order, retries after two 500s with backoff, and survives a restart', async () => {
    const { token, webhookSecret } = await desk.addFeed('pushed', hook.url);
    const calls = ['W-1', 'W-2'].map((id) => feedPost(desk, 'intake.dispute', dispute(id), newKey(), token));
    for (const r of await Promise.all(calls)) expect(r.status).toBe(200);
    await deskCall(desk, 'case.claim', { caseId: 'W-1' }, M1);
    await deskCall(desk, 'case.requestEvidence', { caseId: 'W-1', party: 'buyer', request: 'A photo.' }, M1);

    await desk.core.webhooks.runOnce(); // 500
    expect(hook.got).toHaveLength(1);
    await desk.core.webhooks.runOnce(); // backing off: nothing sent yet
    expect(hook.got).toHaveLength(1);
    const state = await desk.core.db.selectFrom('feeds').selectAll().where('name', '=', 'pushed').executeTakeFirstOrThrow();
    expect(state.delivery_attempts).toBe(1);
    expect(state.delivery_error).toMatch(/500/);
    expect(state.next_attempt_at).toBe(desk.clock.now() + 1_000);

    desk.clock.advance(1_000);
    await desk.core.webhooks.runOnce(); // 500 again; the next wait doubles
    expect(hook.got).toHaveLength(2);
    expect(
      (await desk.core.db.selectFrom('feeds').select('next_attempt_at').where('name', '=', 'pushed').executeTakeFirstOrThrow())
        .next_attempt_at,
    ).toBe(desk.clock.now() + 2_000);
    desk.clock.advance(2_000);
    await desk.core.webhooks.runOnce(); // 200
    expect(hook.got).toHaveLength(3);

    const bodies = hook.got.map((r) => verify(webhookSecret!, r));
    // Each retry starts again from the first event not acknowledged (with whatever came since).
    expect(bodies.map((b) => b.body.events[0]!.seq)).toEqual([1, 1, 1].map(() => bodies[0]!.body.events[0]!.seq));
    const events = bodies[2]!.body.events;
    expect(events.map((e) => `${e.caseId} ${e.type}`).sort()).toEqual(['W-1 case.accepted', 'W-1 evidence.requested', 'W-2 case.accepted']);
    expect(events.at(-1)!.type).toBe('evidence.requested');
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Signed at the real time (the desk runs on a test clock far from it): a receiver's freshness check passes.
    expect(Math.abs(bodies[2]!.t - Date.now() / 1000)).toBeLessThan(60);

    const after = await desk.core.db.selectFrom('feeds').selectAll().where('name', '=', 'pushed').executeTakeFirstOrThrow();
    expect([after.delivered_seq, after.delivery_attempts, after.delivery_error, after.failed_attempts_total]).toEqual([
      seqs.at(-1),
      0,
      null,
      2,
    ]);

    // Nothing new: nothing sent. A new event after a restart goes out alone, from the stored seq.
    await desk.core.webhooks.runOnce();
    expect(hook.got).toHaveLength(3);
    const dir = desk.dir;
    await desk.core.webhooks.close();
    const second = await openCore({ dataDir: dir, clock: desk.clock });
    try {
      await second.dispatch('case.requestEvidence', { caseId: 'W-1', party: 'seller', request: 'The tracking receipt.' }, M1);
      await second.webhooks.runOnce();
      expect(hook.got).toHaveLength(4);
      const last = verify(webhookSecret!, hook.got[3]!).body;
      expect(last.events.map((e) => e.type)).toEqual(['evidence.requested']);
      expect(last.events[0]!.seq).toBeGreaterThan(seqs.at(-1)!);
      const view = await second.dispatch('feeds.list', {}, { kind: 'user', userId: 's1', role: 'supervisor', name: 'Sam' });
      expect(
        view.ok &&
          (view.value as { feeds: Array<{ name: string; lag: number; deliveredBatches: number }> }).feeds.find((f) => f.name === 'pushed'),
      ).toMatchObject({
        lag: 0,
        deliveredBatches: 2,
      });
    } finally {
      await second.close();
    }
  });

  it('writes outbox rows only when their change commits: a refused or rolled-back command leaves none', async () => {
    const { token } = await addFeed(desk.core.db, 'commit-only', null, desk.clock.now()).then((r) => ({ token: r.token }));
    expect((await feedPost(desk, 'intake.dispute', dispute('R-1'), newKey(), token)).status).toBe(200);
    const count = async () =>
      Number(
        (
          await desk.core.db
            .selectFrom('feed_outbox')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    // Refused by the engine (nothing to reply to): no row.
    expect((await feedPost(desk, 'party.reply', { caseId: 'R-1', party: 'buyer', choice: 'reject' }, newKey(), token)).status).toBe(409);
    expect(await count()).toBe(before);
    // Accepted by the engine, then rolled back by a later write of the same transaction: no row.
    await deskCall(desk, 'case.claim', { caseId: 'R-1' }, M1);
    const mid = await count();
    await expect(
      runCaseCommand(
        desk.core.db,
        'R-1',
        { type: 'requestEvidence', party: 'buyer', request: 'A photo.' },
        { kind: 'user', id: 'm1', role: 'mediator' },
        desk.clock.now(),
        {
          alsoInTransaction: async () => {
            throw new Error('disk full');
          },
        },
      ),
    ).rejects.toThrow('disk full');
    expect(await count()).toBe(mid);
    // The same command committed: its row.
    await deskCall(desk, 'case.requestEvidence', { caseId: 'R-1', party: 'buyer', request: 'A photo.' }, M1);
    expect(await count()).toBe(mid + 1);
    void inWriteTx;
  });
});
