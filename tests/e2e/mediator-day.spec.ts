import { expect, test } from '@playwright/test';
import { api, demoUser, shot, signIn } from './helpers';

/** Issue 17, items 2, 6 and 7: a mediator's day at the keyboard. */
test.setTimeout(150_000);

test('n asks first while a case is open, a take-next can be undone, and a held case can be released with a reason', async ({ page }) => {
  await signIn(page, demoUser('lena'));
  await page.getByRole('tab', { name: /Unassigned/ }).click();
  await expect(page.getByTestId('queue-row').first()).toBeVisible({ timeout: 30_000 });

  // n from the queue takes the next case; the toast offers Undo, which gives it back.
  await page.keyboard.press('n');
  const title = page.getByTestId('case-title');
  await expect(title).toBeVisible();
  const taken = (await title.textContent())!;
  await page.getByTestId('toast').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await expect
    .poll(async () => (await api<{ status: string; assignee: string | null }>(page, 'case.get', { caseId: taken })).assignee)
    .toBeNull();
  const undone = await api<{ status: string; events: Array<{ type: string; actor: string }> }>(page, 'case.get', { caseId: taken });
  expect(undone.status).toBe('escalated');
  expect(undone.events.some((e) => e.type === 'case.released' && e.actor === 'lena')).toBe(true);

  // Reading a case, n does not take another one behind the mediator's back: it asks.
  await page.keyboard.press('n');
  await expect(title).toBeVisible();
  const reading = (await title.textContent())!;
  await page.keyboard.press('n');
  const confirm = page.getByRole('dialog', { name: 'Take the next case?' });
  await expect(confirm).toBeVisible();
  await shot(page, '42-take-next-confirm');
  await confirm.getByRole('button', { name: 'Stay here' }).click();
  await expect(confirm).toBeHidden();
  await expect(title).toHaveText(reading);

  // Release with a reason: back to the queue, unassigned, the reason in the log.
  await page.getByTestId('release-case').click();
  const form = page.getByTestId('release-form');
  await expect(form.getByRole('button', { name: 'Release the case' })).toBeDisabled();
  await form.getByRole('textbox', { name: /Why are you releasing it/ }).fill('Needs a Spanish speaker.');
  await form.getByRole('button', { name: 'Release the case' }).click();
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  const released = await api<{ status: string; assignee: string | null; events: Array<{ type: string; details: { reason?: string } }> }>(
    page,
    'case.get',
    { caseId: reading },
  );
  expect(released).toMatchObject({ status: 'escalated', assignee: null });
  // The same case may come back to n (it is the oldest waiting): its log holds both releases, the last with this reason.
  expect(released.events.filter((e) => e.type === 'case.released').at(-1)?.details.reason).toBe('Needs a Spanish speaker.');
});

test('filters: Esc in the Reason list keeps the choice, the tab shows what matches, the address keeps tab and filters', async ({
  page,
}) => {
  await signIn(page, demoUser('wei'));
  await page.getByRole('tab', { name: /Unassigned/ }).click();
  await expect(page.getByTestId('queue-row').first()).toBeVisible({ timeout: 30_000 });
  const total = (await page.getByTestId('count-unassigned').textContent())!;
  await expect(page.getByTestId('loaded-count')).toHaveText(`${total} cases`);

  await page.keyboard.press('f');
  const panel = page.getByTestId('filters-panel');
  await expect(panel).toBeVisible();
  await panel.getByRole('combobox', { name: 'Reason' }).click();
  await page.getByRole('option', { name: 'Counterfeit' }).click();
  await page.keyboard.press('Escape'); // closes the list only
  await expect(page.getByRole('option', { name: 'Counterfeit' })).toBeHidden();
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByTestId('filter-chip')).toContainText('Reason: Counterfeit');

  // The tab says how many match beside the whole; the line above the list agrees.
  const tab = page.getByTestId('count-unassigned');
  await expect(tab).toHaveText(new RegExp(`^\\d[\\d,]*\\+? / ${total}$`));
  const matching = (await tab.textContent())!.split(' / ')[0]!;
  await expect(page.getByTestId('loaded-count')).toHaveText(`${matching} of ${total} match the filters`);

  // Reload: tab and filters come back from the address; back returns to the unfiltered list.
  expect(page.url()).toContain('scope=unassigned');
  expect(page.url()).toContain('reason=counterfeit');
  await page.reload();
  await expect(page.getByRole('tab', { name: /Unassigned/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('filter-chip')).toContainText('Reason: Counterfeit');
  await page.goBack();
  await expect(page.getByTestId('filter-chip')).toHaveCount(0);
  await expect(page.getByRole('tab', { name: /Unassigned/ })).toHaveAttribute('aria-selected', 'true');
});

test('a key pressed right after closing a dialog is not lost (Esc then f)', async ({ page }) => {
  await signIn(page, demoUser('wei'));
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await page.keyboard.press('?');
  await expect(page.getByTestId('shortcuts-help')).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.press('f'); // within a few milliseconds, while the help still fades out
  await expect(page.getByTestId('filters-panel')).toBeVisible();
});
