import { spawn, type ChildProcess } from 'node:child_process';
import { expect, request, test } from '@playwright/test';
import { api, demoUser, shot, signIn } from './helpers';
import { E2E_PORT } from './server-env';

/**
 * The marketplace connection end to end, with the simulator on the other side (issue 13):
 * `simulate-marketplace` runs as its own process against the feed API over HTTP. It escalates
 * a dispute; a mediator takes it and asks the buyer for evidence on the screen; the simulated
 * buyer uploads a photo (a multipart upload); the mediator sees it, publishes resolutions; both
 * simulated parties reply; the case is decided; the decision's letters and the refund
 * instruction are in the feed's outbox; the simulated marketplace reports the refund
 * completed; the case shows it. The simulator's marketplace time runs 100,000 times faster.
 */

const BASE = `http://127.0.0.1:${E2E_PORT}`;

interface FeedEvent {
  seq: number;
  type: string;
  caseId: string;
  data: Record<string, unknown>;
}

test('evidence, resolutions, replies, decision, outbox and refund with the simulated marketplace', async ({ page }) => {
  // A supervisor creates the feed the marketplace uses (the token is answered once).
  const supervisor = await request.newContext({ baseURL: BASE });
  const oleg = demoUser('oleg');
  await supervisor.post('/api/session/sign-in', { data: oleg });
  const seed = Date.now() % 1_000_000_000;
  const created = (await (await supervisor.post('/api/call/feeds.create', { data: { name: `sim-${seed}` } })).json()) as {
    ok: boolean;
    value: { token: string };
  };
  expect(created.ok).toBe(true);
  const token = created.value.token;
  await supervisor.dispose();

  const lines: string[] = [];
  const sim: ChildProcess = spawn(
    process.execPath,
    [
      'node_modules/tsx/dist/cli.mjs',
      'src-main/cli/index.ts',
      'simulate-marketplace',
      ...['--feed', token, '--url', BASE, '--speed', '100000', '--seed', String(seed), '--temper', 'cooperative', '--disputes', '1'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const said = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  sim.stdout!.on('data', said);
  sim.stderr!.on('data', said);
  const caseId = `SIM-${seed}-1`;

  try {
    // The simulated marketplace escalates its dispute; a mediator takes it.
    await expect.poll(() => lines.some((l) => l.startsWith(`${caseId}: escalated — accepted`)), { timeout: 30_000 }).toBe(true);
    await signIn(page, demoUser('wei'));
    await api(page, 'case.claim', { caseId });
    await page.goto(`/#/case/${caseId}`);
    const screen = page.getByTestId('case-screen');
    await expect(page.getByTestId('case-title')).toHaveText(caseId);

    // Evidence requested on the screen …
    await screen.getByRole('button', { name: /Request evidence/ }).click();
    const form = page.getByTestId('request-evidence-form');
    await form.getByRole('textbox', { name: 'Request text' }).fill('Please send a photo of the item showing the problem.');
    await form.getByRole('button', { name: 'Send request' }).click();
    await expect(form).toBeHidden();

    // … the simulated buyer uploads a photo, and the mediator sees it (its thumbnail decoded by the desk).
    const photo = screen.getByTestId('evidence-row').filter({ hasText: 'item-1.jpg' });
    await expect(photo).toBeVisible({ timeout: 20_000 });
    await expect(photo).toContainText('Request #1');
    await expect(screen.getByTestId('status-badge').first()).toHaveText('In review');
    expect(lines.some((l) => l.startsWith(`${caseId}: the buyer uploads`) && l.endsWith('accepted'))).toBe(true);
    await shot(page, 'marketplace-evidence-arrived');

    // Resolutions published; both simulated parties accept the recommended one.
    await screen.getByRole('button', { name: /Publish resolutions/ }).click();
    const propose = page.getByTestId('propose-form');
    await propose.getByRole('button', { name: 'Publish to both parties' }).click();
    await expect(propose).toBeHidden();

    // Agreement decides the case; the marketplace pays and reports it; the case shows the refund completed.
    const decision = screen.getByTestId('decision-panel');
    await expect(decision).toContainText('Refund status', { timeout: 20_000 });
    await expect(decision).toContainText(/Refund status\s*Completed/, { timeout: 20_000 });
    await expect(decision).toContainText(`PAY-${seed}-`);
    await shot(page, 'marketplace-refund-completed');

    // The outbox holds everything the marketplace had to act on, in order, with the letters.
    const res = await page.request.get('/feed/v1/events?after=0&limit=1000', { headers: { Authorization: `Bearer ${token}` } });
    const events = ((await res.json()) as { events: FeedEvent[] }).events.filter((e) => e.caseId === caseId);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['case.accepted', 'evidence.requested', 'resolutions.published']);
    expect(types).toContain('decision.made');
    expect(types.indexOf('refund.instructed')).toBeGreaterThan(types.indexOf('decision.made'));
    const made = events.find((e) => e.type === 'decision.made')!.data as {
      basis: string;
      letters: { buyer: { subject: string; body: string }; seller: { subject: string } };
    };
    expect(made.basis).toBe('agreement');
    expect(made.letters.buyer.subject).toContain(caseId);
    expect(made.letters.buyer.body.length).toBeGreaterThan(100);
    expect(made.letters.seller.subject.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.startsWith(`${caseId}: the refund is completed — accepted`))).toBe(true);
  } finally {
    sim.kill('SIGTERM');
  }
});
