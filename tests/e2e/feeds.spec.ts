import { createServer, type Server } from 'node:http';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { advanceClock, demoUser, deskNow, sampleDispute, SCREENSHOT_SIZES, shot, signIn } from './helpers';

/**
 * The supervisors' Feeds screen (issue 13 item 3) against the real feed API: a feed created
 * on the screen, a dispute sent with its token, the event it causes shown as unread until the
 * consumer reads the cursor; a webhook feed whose receiver fails once, then takes the batch.
 */

const dispute = (id: string, now: number) => sampleDispute(id, now, { seller: 'S-feeds-e2e' });

async function createFeed(page: Page, name: string, webhookUrl?: string): Promise<string> {
  await page.getByRole('button', { name: 'New feed' }).click();
  const dialog = page.getByRole('dialog', { name: 'New feed' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill(name);
  if (webhookUrl) await dialog.getByRole('textbox', { name: 'Webhook URL (optional)' }).fill(webhookUrl);
  await dialog.getByRole('button', { name: 'Create feed' }).click();
  const done = page.getByRole('dialog', { name: `Feed ${name} created` });
  const token = (await done.getByTestId('feed-token').textContent())!.trim();
  expect(token).toMatch(/^mdf_/);
  await done.getByRole('button', { name: 'Done' }).click();
  return token;
}

test('a feed created on the screen shows its events, its cursor lag and its webhook failures and deliveries', async ({ page }) => {
  // A marketplace's webhook receiver that fails its first delivery, then takes them.
  const received: unknown[] = [];
  let calls = 0;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      if (calls === 1) return void res.writeHead(500).end('not yet');
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  const hookPort = (receiver.address() as { port: number }).port;
  const suffix = Date.now().toString(36);

  try {
    await signIn(page, demoUser('oleg'));
    await page.getByTestId('supervisor-nav').getByText('Feeds', { exact: true }).click();
    await expect(page.getByTestId('feeds-screen')).toBeVisible();

    const cursorFeed = `shop-${suffix}`;
    const hookFeed = `hook-${suffix}`;
    const token = await createFeed(page, cursorFeed);
    const hookToken = await createFeed(page, hookFeed, `http://127.0.0.1:${hookPort}/desk-events`);
    const card = page.getByRole('region', { name: `Feed ${cursorFeed}` });
    await expect(card.getByTestId('feed-cursor')).toContainText('never read');

    // The marketplace sends a dispute: the desk accepts it and writes case.accepted for this feed.
    const now = await deskNow(page);
    const send = (tok: string, id: string) =>
      page.request.post(`/feed/v1/call/intake.dispute`, {
        headers: { Authorization: `Bearer ${tok}`, 'Idempotency-Key': `e2e-${id}` },
        data: dispute(id, now),
      });
    const caseId = `D-FEED-${suffix}`;
    expect((await send(token, caseId)).status()).toBe(200);
    await expect(card.getByTestId('feed-cursor-lag')).toHaveText('1 unread');
    await expect(card.getByTestId('feed-head')).toContainText('up to #');

    // The consumer reads the cursor from 0, then says it handled the event: up to date.
    const page1 = (await (await page.request.get('/feed/v1/events?after=0', { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      events: Array<{ seq: number; type: string; caseId: string }>;
      next: number;
    };
    expect(page1.events.map((e) => [e.type, e.caseId])).toEqual([['case.accepted', caseId]]);
    await expect(card.getByTestId('feed-cursor')).toContainText('handled up to #0');
    await page.request.get(`/feed/v1/events?after=${page1.next}`, { headers: { Authorization: `Bearer ${token}` } });
    await expect(card.getByTestId('feed-cursor-lag')).toHaveText('up to date');
    await expect(card.getByTestId('feed-cursor')).toContainText(`handled up to #${page1.next}`);

    // The webhook feed: its first delivery fails (shown with the error and the next try) …
    const hookCard = page.getByRole('region', { name: `Feed ${hookFeed}` });
    expect((await send(hookToken, `${caseId}-H`)).status()).toBe(200);
    await expect(hookCard.getByTestId('feed-failures')).toContainText('1 failed attempt in a row: The webhook answered HTTP 500', {
      timeout: 15_000,
    });
    await expect(hookCard.getByTestId('feed-webhook-lag')).toHaveText('1 undelivered');
    await expect(page.getByTestId('stat-failing')).toContainText('1');
    await shot(page, 'feeds-failing');
    // WCAG 2.2 AA on this screen (names of controls, contrast of the lag and failure inks).
    const axe = await new AxeBuilder({ page })
      .include('[data-testid="feeds-screen"]')
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    expect(axe.violations.map((v) => `${v.id} (${v.impact}) ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
    // … and once its retry is due, the batch goes through and the card says so.
    await advanceClock(page, 0.01);
    await expect(hookCard.getByTestId('feed-webhook-lag')).toHaveText('up to date', { timeout: 15_000 });
    await expect(hookCard.getByTestId('feed-deliveries')).toContainText('1 batch up to #');
    await expect(hookCard.getByTestId('feed-failures')).toContainText('none since the last delivery (1 in all)');
    expect(received).toHaveLength(1);

    // Revoking stops the token at once.
    await card.getByRole('button', { name: `Revoke the token of ${cursorFeed}` }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    await expect(card).toContainText('revoked');
    const refused = await page.request.get('/feed/v1/events?after=0', { headers: { Authorization: `Bearer ${token}` } });
    expect(refused.status()).toBe(401);

    // It fits the smallest supported window.
    await page.setViewportSize({ width: 1024, height: 700 });
    await expect(hookCard).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'feeds-1024');
  } finally {
    await new Promise<void>((ok) => receiver.close(() => ok()));
  }
});

test('the desktop feed listener: a port another program holds is said on the Feeds screen with what to do', async ({ page }) => {
  // The served build shares its own server with the feed API (listener null); the desktop
  // reports its own listener through feeds.list (tests/contract/feeds-screen.test.ts starts
  // one on a taken port). Here the answer is the desktop's, to see what the screen makes of it.
  const problem =
    "Port 4781 is in use by another program, so the marketplace cannot reach this desk's feed API. Close that program, or set MEDIATION_DESK_FEED_LISTEN to another port (for example 127.0.0.1:4782) and restart Mediation Desk, then give the marketplace the new address.";
  let listener: unknown = { host: '127.0.0.1', port: 4781, state: 'port_in_use', url: null, problem };
  await page.route('**/api/call/feeds.list', async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { ok: boolean; value: { listener: unknown } };
    expect(body.value.listener).toBeNull();
    await route.fulfill({ response: res, json: { ...body, value: { ...body.value, listener } } });
  });
  await signIn(page, demoUser('amara'));
  await page.getByTestId('base-view').getByText('Feeds', { exact: true }).click();
  const alert = page.getByTestId('feed-listener-problem');
  await expect(alert).toHaveText(/The marketplace cannot reach this desk/);
  await expect(alert).toContainText(problem);
  await expect(alert).toHaveAttribute('role', 'alert');
  await expect(page.getByTestId('feed-listener')).toHaveCount(0);
  for (const [width, height] of SCREENSHOT_SIZES) {
    await page.setViewportSize({ width, height });
    await expect(alert).toBeInViewport();
    await shot(page, `feeds-listener-port-in-use-${width}`);
  }

  // Once it listens (another port chosen and the desk restarted), the screen names the address instead.
  listener = { host: '127.0.0.1', port: 4782, state: 'listening', url: 'http://127.0.0.1:4782/feed/v1/', problem: null };
  await expect(page.getByTestId('feed-listener')).toHaveText(
    'The marketplace reaches this desk at http://127.0.0.1:4782/feed/v1/ (this computer only).',
  );
  await expect(alert).toHaveCount(0);
});
