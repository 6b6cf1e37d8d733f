import { expect, test } from '@playwright/test';
import { startingPage } from '../../src-main/transport/starting-page';
import { layoutProblems, SUPPORTED_SIZES, violations } from './checks';
import { SCREENS } from './helpers';

/**
 * The page the desktop's window shows while the desk starts (electron/main.ts serves it at
 * app://desk/starting and loads it again with each progress line): an owed rescore of every
 * buyer runs there for a minute or more on a large database. Rendered here as main renders it,
 * with the window's policy (no script), at every supported size.
 */
const STARTED = Date.UTC(2026, 11, 7, 8, 30, 5);
const LINES = [
  'the stored buyer scores are from model v13; rescoring every buyer under model v14 now (one transaction: until it commits, readers see the old scores)',
  'buyers: 1010000',
  'orders: 8000000',
  'disputes: 426335',
  '<b>not markup</b> & "quoted"',
];

for (const size of SUPPORTED_SIZES.slice(0, 3)) {
  test(`the starting page at ${size.width}×${size.height}: progress so far, readable, no script`, async ({ page }) => {
    await page.setViewportSize(size);
    await page.setContent(startingPage({ startedAt: STARTED, lines: LINES }));
    await expect(page.getByRole('heading', { name: 'Mediation Desk is starting' })).toBeVisible();
    await expect(page.getByText('Started at 08:30:05 UTC')).toBeVisible();
    await expect(page.getByRole('progressbar', { name: 'Starting the desk' })).toBeVisible();
    const steps = page.getByRole('status').getByRole('listitem');
    await expect(steps).toHaveCount(LINES.length);
    // A line is text, never markup; the newest is the current step.
    await expect(steps.last()).toHaveText('<b>not markup</b> & "quoted"');
    await expect(steps.last()).toHaveAttribute('aria-current', 'step');
    expect(await page.locator('script, b').count()).toBe(0);
    await page.screenshot({ path: `${SCREENS}/sizes/${size.width}x${size.height}/starting.png` });
    expect(await layoutProblems(page)).toEqual([]);
    expect(await violations(page, 'starting page')).toEqual([]);
  });
}

test('the starting page before any progress line, and with more lines than it shows', async ({ page }) => {
  await page.setContent(startingPage({ startedAt: STARTED, lines: [] }));
  await expect(page.getByText('Opening the case database…')).toBeVisible();
  const many = Array.from({ length: 40 }, (_, i) => `step ${i + 1} ${'x'.repeat(i === 39 ? 1_000 : 0)}`);
  await page.setContent(startingPage({ startedAt: STARTED, lines: many }));
  const steps = page.getByRole('status').getByRole('listitem');
  await expect(steps).toHaveCount(12);
  await expect(steps.first()).toHaveText(/^step 29/);
  expect(((await steps.last().textContent()) ?? '').length).toBeLessThanOrEqual(300);
});
