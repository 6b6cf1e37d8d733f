import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { ReportView } from '../../src-main/contract/reports';
import { api, demoUser, shot, signIn } from './helpers';

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
