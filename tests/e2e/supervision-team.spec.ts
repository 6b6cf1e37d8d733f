import { expect, test } from '@playwright/test';
import type { TeamOverview } from '../../src-main/contract/supervision';
import type { CaseView, QueuePage } from '../../src-main/contract/views';
import { api, demoUser, shot, signIn } from './helpers';

/**
 * The team view: every mediator with open and overdue work, throughput, decision mix and
 * refund rate against the team. Amara moves two of Wei's cases to Diego in one bulk
 * reassignment, then assigns a case from "Waiting longest".
 */
test('bulk reassign two cases, then assign one from waiting longest', async ({ page }) => {
  await signIn(page, demoUser('amara'));
  // Two cases on Wei's desk.
  const unassigned = await api<QueuePage>(page, 'queue.list', { scope: 'unassigned', limit: 2 });
  const moved = unassigned.rows.map((r) => r.id);
  expect(moved).toHaveLength(2);
  for (const caseId of moved) await api(page, 'case.assign', { caseId, userId: 'wei' });

  await page.getByTestId('base-view').getByText('Team', { exact: true }).click();
  const screen = page.getByTestId('team-screen');
  const overview = await api<TeamOverview>(page, 'team.overview', { days: 7 });
  const rows = screen.getByTestId('member-row');
  await expect(rows).toHaveCount(overview.members.length);
  // Every mediator and supervisor, sorted by open cases (most first).
  const open = await rows.evaluateAll((els) => els.map((e) => Number(e.querySelector('td.num')?.textContent ?? '0')));
  expect(open).toEqual([...open].sort((a, b) => b - a));
  const wei = screen.locator('[data-testid="member-row"][data-user-id="wei"]');
  await expect(wei.locator('td.num').first()).toHaveText(String(overview.members.find((m) => m.userId === 'wei')!.openCases));
  // The outlier flag comes from the core and shows as a badge.
  for (const m of overview.members)
    await expect(screen.locator(`[data-testid="member-row"][data-user-id="${m.userId}"]`).getByTestId('outlier-badge')).toHaveCount(
      m.outlier ? 1 : 0,
    );
  await shot(page, '60-team');

  // Sorting by a column header.
  await screen.getByRole('button', { name: /vs team/ }).click();
  await expect(screen.getByRole('columnheader', { name: /vs team/ })).toHaveAttribute('aria-sort', 'descending');

  // Wei's open cases; tick the two and reassign them to Diego at once.
  await wei.click();
  const cases = screen.getByTestId('member-cases');
  for (const caseId of moved) await expect(cases.locator(`[data-testid="member-case-row"][data-case-id="${caseId}"]`)).toBeVisible();
  for (const caseId of moved) await cases.getByRole('checkbox', { name: `Select ${caseId}` }).check();
  await expect(cases.getByTestId('checked-count')).toHaveText('2 selected');
  await cases.getByTestId('bulk-reassign').click();
  await expect(page.getByTestId('assign-menu')).toBeVisible();
  await shot(page, '61-team-bulk-reassign');
  await page.getByTestId('assign-menu').locator('[data-user-id="diego"]').click();
  await expect(page.getByTestId('toast').filter({ hasText: '2 cases reassigned to Diego Fernandes' })).toBeVisible();
  for (const caseId of moved) {
    await expect(cases.locator(`[data-testid="member-case-row"][data-case-id="${caseId}"]`)).toHaveCount(0);
    expect((await api<CaseView>(page, 'case.get', { caseId })).assignee).toBe('diego');
  }
  await shot(page, '62-team-reassigned');

  // Waiting longest: the oldest open case, assigned to Mira from the list.
  const waiting = screen.getByTestId('waiting-longest');
  const first = waiting.getByTestId('waiting-row').first();
  const waitingId = (await first.getAttribute('data-case-id'))!;
  const target = (await api<CaseView>(page, 'case.get', { caseId: waitingId })).assignee === 'mira' ? 'wei' : 'mira';
  await first.getByTestId('waiting-assign').click();
  await page.getByTestId('assign-menu').locator(`[data-user-id="${target}"]`).click();
  await expect(page.getByTestId('toast').filter({ hasText: `${waitingId} assigned to` })).toBeVisible();
  await expect(page.getByTestId('case-screen')).toHaveCount(0); // the menu click did not open the case
  expect((await api<CaseView>(page, 'case.get', { caseId: waitingId })).assignee).toBe(target);
  await expect(waiting.locator(`[data-testid="waiting-row"][data-case-id="${waitingId}"]`)).toContainText(
    target === 'mira' ? 'Mira Kovač' : 'Wei Lin',
  );
  await shot(page, '63-team-waiting-assigned');

  // Keyboard: Enter on a waiting row opens its case.
  await waiting.locator(`[data-testid="waiting-row"][data-case-id="${waitingId}"]`).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-title')).toHaveText(waitingId);
});

test('the quality screen takes a scorecard with a root cause for each low mark', async ({ page }) => {
  await signIn(page, demoUser('amara'));
  await page.getByTestId('base-view').getByText('Quality', { exact: true }).click();
  const screen = page.getByTestId('quality-screen');
  const list = await api<{ rows: Array<{ caseId: string; mayScore: boolean }>; total: number }>(page, 'quality.list', {
    status: 'pending',
    limit: 200,
  });
  const mine = list.rows.find((r) => r.mayScore);
  expect(mine, 'the demo history leaves samples for Amara to score').toBeTruthy();
  await screen.locator(`[data-testid="quality-row"][data-case-id="${mine!.caseId}"]`).click();
  const card = screen.getByTestId('quality-review');
  await expect(card).toContainText(mine!.caseId);
  await shot(page, '64-quality');
  // A low mark for the reasons: the scorecard waits for its root cause.
  await card.getByTestId('criterion-reasons').getByText('2', { exact: true }).click();
  await expect(card.getByTestId('quality-submit')).toBeDisabled();
  await expect(card).toContainText('A low mark needs a root cause');
  await card.getByRole('combobox', { name: 'Root cause for Quality of reasons' }).click();
  await page.getByRole('option', { name: 'Reasons do not support the outcome' }).click();
  await card.getByTestId('quality-verdict').getByText('Disagree').click();
  await card.getByRole('textbox', { name: 'Quality note' }).fill('The seller’s photos show the damage; a partial refund was due.');
  await card.getByTestId('quality-submit').click();
  await expect(page.getByTestId('toast').filter({ hasText: `Scorecard for ${mine!.caseId} recorded` })).toBeVisible();
  await screen.getByTestId('quality-status').getByText('Reviewed').click();
  const reviewed = screen.locator(`[data-testid="quality-row"][data-case-id="${mine!.caseId}"]`);
  await expect(reviewed.getByTestId('verdict-badge')).toHaveText('Disagreed');
  await reviewed.click();
  await expect(card.getByTestId('scorecard')).toContainText('Quality of reasons 2 · Reasons do not support the outcome');
  await shot(page, '65-quality-reviewed');
});
