import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ReportView } from '../../src-main/contract/reports';
import { api, demoUser, SCREENSHOT_SIZES, shot, signIn } from './helpers';

/**
 * Reports: Amara reads the last 90 days by mediator against the core's own figures, drills
 * a count down to its cases, opens one, regroups by reason and exports the table as CSV.
 */
test('read a report, drill into a figure, export it', async ({ page }) => {
  await signIn(page, demoUser('amara'));
  await page.getByTestId('base-view').getByText('Reports', { exact: true }).click();
  const screen = page.getByTestId('reports-screen');
  await screen.getByRole('radiogroup', { name: 'Period' }).getByText('90 days').click();

  const table = screen.getByTestId('reports-table');
  await expect(table).toBeVisible();
  const rows = table.getByTestId('reports-row');
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  // The totals line agrees with the core for the same period.
  const totalDecided = Number((await table.getByTestId('reports-total').locator('td').nth(1).textContent())!.replace(/\D/g, ''));
  // The period the screen asked for (its clock follows the core's, which the test clock may have moved).
  const period = { from: (await table.getAttribute('data-from'))!, to: (await table.getAttribute('data-to'))! };
  const report = await api<ReportView>(page, 'reports.summary', { period, by: 'mediator' });
  expect(totalDecided).toBe(report.totals.decided);
  await shot(page, '70-reports');

  // A count opens the cases behind it; a case opens from there.
  await rows.first().locator('td').nth(1).getByRole('button').click();
  const cases = page.getByTestId('reports-cases');
  await expect(cases).toBeVisible();
  const first = cases.locator('tbody tr').first().getByRole('button');
  const caseId = (await first.textContent())!.trim();
  await first.click();
  await expect(page.getByTestId('case-title')).toHaveText(caseId);
  await page.keyboard.press('Escape');

  // Regroup by reason and export.
  await page.getByTestId('base-view').getByText('Reports', { exact: true }).click();
  await screen.getByRole('radiogroup', { name: 'Group by' }).getByText('Reason').click();
  await expect(table.getByTestId('reports-row').first()).toBeVisible();
  const download = page.waitForEvent('download');
  await screen.getByRole('button', { name: 'Export CSV' }).click();
  const file = await (await download).path();
  const csv = readFileSync(file, 'utf8');
  expect(csv.split('\r\n')[0]).toMatch(/^reason,decided,/);
});

/**
 * The charts above the table: decisions and hours per week, appeals by reason, each an image
 * with a name and a description, laid out without overflow at a laptop's, a desktop's and a
 * large screen's size; the key figures and the three charts are on the first screen, with no
 * scrolling, at every size (the screenshots are looked at).
 */
test('charts and key figures fit the first screen at 1024×700, 1440×900 and 1920×1080', async ({ page }) => {
  await signIn(page, demoUser('amara'));
  await page.getByTestId('base-view').getByText('Reports', { exact: true }).click();
  const screen = page.getByTestId('reports-screen');
  await screen.getByRole('radiogroup', { name: 'Period' }).getByText('90 days').click();
  const charts = screen.getByTestId('reports-charts');
  for (const [width, height] of SCREENSHOT_SIZES) {
    await page.setViewportSize({ width, height });
    await expect(charts).toBeVisible();
    await screen.evaluate((el) => el.scrollTo(0, 0));
    const inFirstScreen = async (testId: string) => {
      const box = (await screen.getByTestId(testId).boundingBox())!;
      expect(box.y + box.height, `${testId} at ${width}×${height}`).toBeLessThanOrEqual(height);
      expect(box.x + box.width, `${testId} at ${width}×${height}`).toBeLessThanOrEqual(width);
    };
    await inFirstScreen('reports-key-figures');
    await inFirstScreen('reports-charts');
    // The key figures are the core's totals for the period shown.
    const table = screen.getByTestId('reports-table');
    const period = { from: (await table.getAttribute('data-from'))!, to: (await table.getAttribute('data-to'))! };
    const report = await api<ReportView>(page, 'reports.summary', { period, by: 'mediator' });
    await expect(screen.getByTestId('key-decided')).toContainText(report.totals.decided.toLocaleString('en-GB'));
    await shot(page, `72-reports-first-screen-${width}`);
    for (const [id, name] of [
      ['chart-decisions', 'Decisions per week'],
      ['chart-hours', 'Hours to decision per week (≈)'],
      ['chart-appeals', 'Appeals and overturns by reason'],
    ] as const) {
      const figure = charts.getByTestId(id);
      const img = figure.getByRole('img', { name });
      await expect(img).toBeVisible();
      // The description names the figures and carries them as a table.
      await expect(img).toHaveAttribute('aria-describedby', /.+/);
      expect(await figure.locator('table tbody tr').count()).toBeGreaterThan(0);
      const box = (await figure.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(width);
    }
    await charts.scrollIntoViewIfNeeded();
    await shot(page, `71-reports-charts-${width}`);
  }
});

test('the report table shows every column at 1024×640, and where a window is narrower it scrolls sideways in its own region and says so', async ({
  page,
}) => {
  await signIn(page, demoUser('amara'));
  await page.getByTestId('base-view').getByText('Reports', { exact: true }).click();
  const region = page.getByTestId('reports-table-region');
  const hint = region.getByTestId('side-scroll-hint');
  /** Where the last column (Refunds) stands against the region that shows the table. */
  const lastColumn = () =>
    region.evaluate((el) => {
      const th = [...el.querySelectorAll('th')].at(-1)!.getBoundingClientRect();
      const viewport = el.querySelector('.mantine-ScrollArea-viewport')!;
      const v = viewport.getBoundingClientRect();
      return { text: [...el.querySelectorAll('th')].at(-1)!.textContent, inside: th.right <= v.right + 1 && th.left >= v.left - 1 };
    });

  // The supported smallest window: every grouping (reason labels are the longest) fits whole.
  await page.setViewportSize({ width: 1024, height: 640 });
  for (const by of ['Mediator', 'Reason', 'Buyer country', 'Week']) {
    await page.getByRole('radiogroup', { name: 'Group by' }).getByText(by, { exact: true }).click();
    await expect(page.getByTestId('reports-table').getByRole('columnheader').first()).toHaveText(by);
    await page.waitForLoadState('networkidle');
    expect(await lastColumn(), `by ${by}`).toEqual({ text: 'Refunds', inside: true });
    await expect(hint).toHaveCount(0);
  }

  // Narrower (a window snapped to half of a small screen): Refunds is past the edge, so the
  // region says so, fades that edge and scrolls; scrolled to its end, Refunds shows whole.
  await page.setViewportSize({ width: 860, height: 640 });
  await region.scrollIntoViewIfNeeded();
  await expect(hint).toHaveText(/More columns to the right/);
  await expect(region.locator('[data-more-right]')).toHaveCount(1);
  expect((await lastColumn()).inside).toBe(false);
  // In its own region: the region ends inside the screen, the table runs on inside it.
  const [r, s] = [(await region.boundingBox())!, (await page.getByTestId('reports-screen').boundingBox())!];
  expect(r.x + r.width).toBeLessThanOrEqual(s.x + s.width);
  await shot(page, 'reports-narrow-scrolls-sideways');
  await region.locator('.mantine-ScrollArea-viewport').evaluate((v) => v.scrollTo({ left: v.scrollWidth }));
  await expect(hint).toHaveText(/More columns to the left/);
  await expect(region.locator('[data-more-right]')).toHaveCount(0);
  expect(await lastColumn()).toEqual({ text: 'Refunds', inside: true });
});
