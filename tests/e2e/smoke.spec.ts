import { expect, test, type Page } from '@playwright/test';
import { DEMO_USERS } from '../../src-main/cli/demo-data';

/** The first demo mediator `serve --demo` creates; taken from the demo data so they never drift. */
const demoMediator = DEMO_USERS.find((u) => u.role === 'mediator');
if (!demoMediator) throw new Error('the demo data has no mediator');
const MEDIATOR = { userId: demoMediator.id, password: demoMediator.password };
const SCREENS = 'test-results/screens';

async function signIn(page: Page, user: { userId: string; password: string }) {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'User id' }).fill(user.userId);
  await page.getByRole('textbox', { name: 'Password' }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a wrong password shows the error from the envelope', async ({ page }) => {
  await signIn(page, { userId: MEDIATOR.userId, password: 'not-the-password' });
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/01-sign-in-error.png` });
});

test('a mediator signs in, sees the queue and opens a case', async ({ page }) => {
  await signIn(page, MEDIATOR);
  await expect(page.getByTestId('signed-in-user')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();

  const rows = page.getByTestId('queue-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(0);
  // Live countdowns are ticking: the first one changes within two seconds.
  const countdown = page.getByTestId('queue-table').getByTestId('countdown').first();
  if (await countdown.count()) {
    const before = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 3_000 }).not.toBe(before);
  }
  await page.screenshot({ path: `${SCREENS}/02-queue.png` });

  const caseId = (await rows.first().locator('td').first().textContent())?.trim() ?? '';
  await rows.first().click();
  const detail = page.getByTestId('case-detail');
  await expect(detail).toBeVisible();
  await expect(detail.getByRole('heading', { name: caseId })).toBeVisible();
  await expect(detail.getByText('Order', { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/03-case-detail.png` });

  // A change made elsewhere (here: the same session claiming through the API) reaches the
  // open screen over the event stream, without a reload.
  await page.getByRole('tab', { name: 'Mine' }).click();
  await expect(page.getByText('No open cases are assigned to you.')).toBeVisible();
  const claim = await page.request.post(`/api/call/case.claim`, { data: { caseId } });
  expect(await claim.json()).toMatchObject({ ok: true });
  await expect(page.getByTestId('queue-row').filter({ hasText: caseId })).toBeVisible();
  await page.screenshot({ path: `${SCREENS}/04-mine.png` });

  // The session is a server-side cookie: a reload keeps the user signed in.
  await page.reload();
  await expect(page.getByTestId('signed-in-user')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
