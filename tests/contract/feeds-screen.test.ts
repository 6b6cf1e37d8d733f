import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedListenerView, FeedView } from '../../src-main/contract/feed';
import { listenForFeed } from '../../src-main/transport/feed-http';
import { M1, S1, deskCall, dispute, feedEvents, feedPost, newKey, openDesk, type Desk } from './feed-harness';

/**
 * The supervisors' Feeds screen methods (issue 13 item 3): feeds.create / feeds.revoke for
 * supervisors only, validated; feeds.list with where each consumer has read the cursor to
 * (the `after` it passes, which only grows) and how far behind the head it is. And the
 * simulate-marketplace command's own refusals.
 */
describe('feeds.create, feeds.revoke and the cursor lag in feeds.list', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await openDesk(undefined);
  });
  afterAll(async () => desk?.close());

  const view = async (name: string): Promise<FeedView> =>
    (await deskCall<{ feeds: FeedView[] }>(desk, 'feeds.list', {}, S1)).feeds.find((f) => f.name === name)!;

  it('creates a feed for a supervisor only, with a working token; refuses bad names, bad webhooks and duplicates', async () => {
    const created = await deskCall<{ name: string; token: string; webhookSecret: string | null }>(
      desk,
      'feeds.create',
      { name: 'shop-a', webhookUrl: 'https://shop.example/hook' },
      S1,
    );
    expect(created.name).toBe('shop-a');
    expect(created.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect((await feedEvents(desk, 0, 10, created.token)).status).toBe(200);

    const asMediator = await desk.core.dispatch('feeds.create', { name: 'shop-m' }, M1);
    expect(asMediator).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    for (const bad of [
      { name: '' },
      { name: 'has space' },
      { name: 'x'.repeat(65) },
      { name: 'ok', webhookUrl: 'ftp://x.example/' },
      { name: 'ok', extra: 1 },
    ])
      expect(await desk.core.dispatch('feeds.create', bad, S1)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await desk.core.dispatch('feeds.create', { name: 'shop-a' }, S1)).toMatchObject({ ok: false, error: { code: 'DUPLICATE' } });
    expect(await desk.core.dispatch('feeds.list', {}, M1)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('shows the cursor position a consumer reads from, only growing, and the events it has not read', async () => {
    const { token } = await deskCall<{ token: string }>(desk, 'feeds.create', { name: 'shop-b' }, S1);
    expect(await view('shop-b')).toMatchObject({ cursorSeq: 0, cursorReadAt: null, cursorLag: 0, oldestUnreadAt: null });
    for (const id of ['FS-1', 'FS-2']) expect((await feedPost(desk, 'intake.dispute', dispute(id), newKey(), token)).status).toBe(200);
    const before = await view('shop-b');
    expect(before).toMatchObject({ cursorSeq: 0, cursorReadAt: null, cursorLag: 2 });
    expect(before.oldestUnreadAt).not.toBeNull();
    expect(before.headSeq).toBeGreaterThan(0);

    const page = await feedEvents(desk, 0, 1, token);
    expect(page.events).toHaveLength(1);
    expect(await view('shop-b')).toMatchObject({ cursorSeq: 0, cursorLag: 2, cursorReadAt: new Date(desk.clock.now()).toISOString() });
    await feedEvents(desk, page.next, 100, token);
    expect(await view('shop-b')).toMatchObject({ cursorSeq: page.next, cursorLag: 1 });
    const all = await feedEvents(desk, 0, 100, token); // re-reading from 0 does not move the position back
    await feedEvents(desk, all.next, 100, token);
    expect(await view('shop-b')).toMatchObject({ cursorSeq: all.next, cursorLag: 0, oldestUnreadAt: null, headSeq: all.next });
    await feedEvents(desk, 0, 100, token);
    expect((await view('shop-b')).cursorSeq).toBe(all.next);
  });

  it("an `after` beyond the feed's last event (a typo, a cursor from another installation) does not pin the position there", async () => {
    const { token } = await deskCall<{ token: string }>(desk, 'feeds.create', { name: 'shop-d' }, S1);
    expect((await feedPost(desk, 'intake.dispute', dispute('FD-1'), newKey(), token)).status).toBe(200);
    const head = (await feedEvents(desk, 0, 100, token)).next;
    expect(head).toBeGreaterThan(0);
    expect((await feedEvents(desk, Number.MAX_SAFE_INTEGER, 100, token)).status).toBe(200);
    expect(await view('shop-d')).toMatchObject({ cursorSeq: head, cursorLag: 0, headSeq: head });
    // The consumer's next events are unread until it asks past them, and the screen says so.
    expect((await feedPost(desk, 'intake.dispute', dispute('FD-2'), newKey(), token)).status).toBe(200);
    expect(await view('shop-d')).toMatchObject({ cursorSeq: head, cursorLag: 1 });
  });

  it('revokes a feed: its token is refused at once, a second revocation says so', async () => {
    const { token } = await deskCall<{ token: string }>(desk, 'feeds.create', { name: 'shop-c' }, S1);
    expect(await desk.core.dispatch('feeds.revoke', { name: 'shop-c' }, M1)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const revoked = await deskCall<{ revokedAt: string }>(desk, 'feeds.revoke', { name: 'shop-c' }, S1);
    expect(revoked.revokedAt).toBe(new Date(desk.clock.now()).toISOString());
    expect((await feedEvents(desk, 0, 10, token)).status).toBe(401);
    expect((await view('shop-c')).revokedAt).toBe(revoked.revokedAt);
    const again = await desk.core.dispatch('feeds.revoke', { name: 'shop-c' }, S1);
    expect(again).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'The feed shop-c is already revoked.' } });
    expect(await desk.core.dispatch('feeds.revoke', { name: 'nobody' }, S1)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('simulate-marketplace answers --help, and refuses a bad flag, a missing token and an unknown one in one sentence (exit 2)', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--feed <token>');
    const bad = await cli(['--feed', 'x', '--nope']);
    expect([bad.code, bad.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(/^unknown option --nope/)]]);
    const missing = await cli([]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'simulate-marketplace needs --feed <token> (see --help).']);
    const speed = await cli(['--feed', 'x', '--speed', '0']);
    expect(speed.code).toBe(2);
    const unknown = await cli(['--feed', 'mdf_not-a-real-token', '--url', desk.server.url, '--disputes', '0']);
    expect([unknown.code, unknown.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(/^The desk refused the feed token/)]]);
  }, 60_000);
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src-main/cli/index.ts', 'simulate-marketplace', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * The desktop's feed listener (issue 17 item: a port in use showed nothing on screen). It
 * starts on MEDIATION_DESK_FEED_LISTEN; when another program holds the port, feeds.list says
 * so to supervisors in one sentence with what to do, as `serve` does for its own port.
 */
describe('the feed listener in feeds.list', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await openDesk(undefined);
  });
  afterAll(async () => desk?.close());

  const listed = async () => (await deskCall<{ listener: FeedListenerView | null }>(desk, 'feeds.list', {}, S1)).listener;

  it('says nothing where the feed API shares the page server, names the address when listening, and says why not when the port is taken', async () => {
    expect(await listed()).toBeNull();

    const { server, view } = await listenForFeed(desk.core.feed!, { host: '127.0.0.1', port: 0 });
    try {
      expect(view).toMatchObject({
        state: 'listening',
        problem: null,
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/feed\/v1\/$/),
      });
      desk.core.setFeedListener(view);
      expect(await listed()).toEqual(view);
      // It really serves: the OpenAPI description answers at the address it names.
      expect((await fetch(`${view.url!}openapi.json`)).status).toBe(200);

      // Another program on the port: the desk's listener cannot start, and says so.
      const port = Number(new URL(view.url!).port);
      const taken = await listenForFeed(desk.core.feed!, { host: '127.0.0.1', port });
      expect(taken.server).toBeNull();
      expect(taken.view).toMatchObject({ host: '127.0.0.1', port, state: 'port_in_use', url: null });
      expect(taken.view.problem).toBe(
        `Port ${port} is in use by another program, so the marketplace cannot reach this desk's feed API. Close that program, or set MEDIATION_DESK_FEED_LISTEN to another port (for example 127.0.0.1:${port + 1}) and restart Mediation Desk, then give the marketplace the new address.`,
      );
      desk.core.setFeedListener(taken.view);
      expect(await listed()).toMatchObject({ state: 'port_in_use', problem: taken.view.problem });
    } finally {
      await server?.close();
    }
  });
});
