import { expect, test, type Page } from '@playwright/test';

/** Demo accounts the CLI creates with `serve --demo`. */
const MEDIATOR = { userId: 'mira', password: 'mira-demo' };
const SCREENS = 'test-results/screens';

async function signIn(page: Page, user: { userId: string; password: string }) {
  await page.goto('/');
  await page.getByLabel('User id').fill(user.userId);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
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

  await page.getByRole('tab', { name: 'Mine' }).click();
  await page.screenshot({ path: `${SCREENS}/04-mine.png` });

  // The session is a server-side cookie: a reload keeps the user signed in.
  await page.reload();
  await expect(page.getByTestId('signed-in-user')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});
