import { expect, test } from '@playwright/test';
import { demoUser, shot, signIn } from './helpers';

/**
 * The analysts' screen: Hannah lands on buyers by risk, opens the top buyer, reads the
 * reasons, flags the account with a note; the label shows on the page, in the list and on
 * the buyer's cases.
 */
test('an analyst ranks buyers, opens the top one and flags it with a note', async ({ page }) => {
  await signIn(page, demoUser('hannah'));
  const list = page.getByTestId('buyers-screen');
  await expect(list).toBeVisible();
  const rows = list.getByTestId('buyer-row');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(3);
  // Ranked: scores never go up down the list.
  const scores = (await list.getByTestId('risk').allTextContents()).map((t) => Number(t.replace(/\D/g, '')));
  for (let i = 1; i < scores.length; i++) expect(scores[i - 1]).toBeGreaterThanOrEqual(scores[i]!);
  await shot(page, '30-buyers-by-risk');

  const top = rows.first();
  const buyerId = (await top.getAttribute('data-buyer'))!;
  await top.click();
  const screen = page.getByTestId('buyer-screen');
  await expect(screen).toBeVisible();
  await expect(screen.getByTestId('buyer-reasons')).toContainText('Score');
  // Each sign of intent's reason ends with the buyer's dispute context so that it reads alone;
  // in the list it is said once (it once followed all five signs of the top buyer).
  const reasonsText = await screen.getByTestId('buyer-reasons').innerText();
  expect(reasonsText.split('the buyer opened disputes on').length - 1).toBeLessThanOrEqual(1);
  await expect(screen.getByTestId('disputes-chart').locator('svg')).toBeVisible();
  await expect(screen.getByTestId('buyer-cases').getByTestId('buyer-case-row').first()).toBeVisible();
  await shot(page, '31-buyer-page');

  // A note is required.
  const controls = screen.getByTestId('flag-controls');
  await controls.getByRole('button', { name: 'Flag as serial disputer' }).click();
  await expect(controls).toContainText('A note is required');
  await controls
    .getByRole('textbox', { name: /Note/ })
    .fill('Not-received claims on parcels the carrier shows delivered, across several months.');
  await controls.getByRole('button', { name: 'Flag as serial disputer' }).click();
  await expect(screen.getByTestId('buyer-label')).toHaveText('Serial disputer');
  await expect(screen.getByTestId('label-history')).toContainText('Not-received claims on parcels');
  await expect(page.getByText('is now flagged as a serial disputer')).toBeHidden({ timeout: 8_000 });
  await screen.evaluate((el) => el.scrollTo(0, 0));
  await shot(page, '32-buyer-flagged');

  // The flag shows on the buyer's case (opened read-only) and back in the list.
  await screen.getByTestId('buyer-case-row').first().click();
  const caseScreen = page.getByTestId('case-screen');
  await expect(caseScreen).toBeVisible();
  await expect(caseScreen).toContainText('Flagged: serial disputer');
  await expect(caseScreen.getByRole('button', { name: /Decide|Publish|Request evidence|Claim/ })).toHaveCount(0);
  await shot(page, '33-case-shows-flag');
  await caseScreen.getByRole('button', { name: 'Back to the queue', exact: true }).click();
  await expect(screen).toBeVisible();
  await screen.getByRole('button', { name: 'Back to buyers by risk' }).click();
  await expect(list.locator(`[data-buyer="${buyerId}"]`).getByTestId('label-badge')).toHaveText('Serial disputer');
});

test('a mediator does not see the buyers screen', async ({ page }) => {
  await signIn(page, demoUser('diego'));
  await expect(page.getByTestId('base-view')).toHaveCount(0);
  await expect(page.getByTestId('buyers-screen')).toHaveCount(0);
});
