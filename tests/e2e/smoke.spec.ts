import { expect, test } from '@playwright/test';
import { api, demoUser, shot, signIn } from './helpers';

/** mira is kept for this file: the other e2e files sign in as other mediators. */
const MEDIATOR = demoUser('mira');

test('a wrong password shows the error from the envelope', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'User id' }).fill(MEDIATOR.userId);
  await page.getByRole('textbox', { name: 'Password' }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await shot(page, '01-sign-in-error');
});

test('a mediator signs in, sees the queue and opens a case', async ({ page }) => {
  const lists: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/call/queue.list')) lists.push(r.postData() ?? '');
  });
  await signIn(page, MEDIATOR);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // A mediator starts on "Mine", empty for a new mediator.
  await expect(page.getByRole('tab', { name: /Mine/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('queue-empty')).toContainText('No open cases are assigned to you.');
  // The landing page was asked for once, at the sign-in answer (api/warm.ts), and the list took that answer.
  expect(lists.map((body) => JSON.parse(body) as unknown)).toEqual([{ scope: 'mine', limit: 100 }]);
  await page.getByRole('tab', { name: /Unassigned/ }).click();
  const rows = page.getByTestId('queue-row');
  await expect(rows.first()).toBeVisible();
  // Counts per tab come from the core.
  await expect(page.getByTestId('count-unassigned')).toHaveText(/^\d[\d,.\s]*$/);
  await shot(page, '02-queue');

  const caseId = (await rows.first().getAttribute('data-case-id')) ?? '';
  expect(caseId).not.toBe('');
  await rows.first().click();
  const screen = page.getByTestId('case-screen');
  await expect(screen).toBeVisible();
  await expect(page.getByTestId('case-title')).toHaveText(caseId);
  await expect(screen.getByText('Order & tracking')).toBeVisible();
  await expect(screen.getByRole('button', { name: /Claim case/ })).toBeVisible();
  await shot(page, '03-case-unassigned');

  // A change made elsewhere (here: the same session claiming through the API) reaches the
  // open screens over the event stream, without a reload.
  await page.getByRole('button', { name: 'Back to the queue', exact: true }).click();
  await page.getByRole('tab', { name: /Mine/ }).click();
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  await api(page, 'case.claim', { caseId });
  await expect(page.locator(`[data-testid="queue-row"][data-case-id="${caseId}"]`)).toBeVisible();
  await expect(page.getByTestId('count-mine')).toHaveText('1');
  await shot(page, '04-mine');

  // The session is a server-side cookie: a reload keeps the user signed in.
  await page.reload();
  await expect(page.getByTestId('signed-in-user')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
