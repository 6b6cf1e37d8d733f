import { expect, test, type Page } from '@playwright/test';
import { formatMinor } from '../../src-main/contract/money-format';
import { api, demoUser, shot, signIn } from './helpers';

/** An unassigned received-item case (partial refunds are offered), claimed by the signed-in mediator and opened. */
async function openClaimedDefectiveCase(page: Page): Promise<{ id: string; currency: string; totalMinor: number }> {
  const list = await api<{ rows: Array<{ id: string }> }>(page, 'queue.list', { scope: 'unassigned', reason: ['defective'], limit: 5 });
  const id = list.rows[0]!.id;
  await api(page, 'case.claim', { caseId: id });
  const view = await api<{ order: { currency: string; totalMinor: number } }>(page, 'case.get', { caseId: id });
  await page.goto(`/#/case/${id}`);
  await expect(page.getByTestId('case-title')).toHaveText(id);
  return { id, currency: view.order.currency, totalMinor: view.order.totalMinor };
}

test.setTimeout(150_000);

test('a partial refund of 0 or far above the order total is refused in the dialog, before anything is sent', async ({ page }) => {
  await signIn(page, demoUser('diego'));
  const c = await openClaimedDefectiveCase(page);
  const range = `Enter an amount between ${formatMinor(1, c.currency).replace(` ${c.currency}`, '')} and ${formatMinor(c.totalMinor, c.currency)}`;

  await page.keyboard.press('d');
  const form = page.getByTestId('decide-form');
  await form.getByTestId('outcome-partial').click();
  await form.getByRole('textbox', { name: 'Reasons' }).fill('The band works for a few minutes only; a partial refund covers the repair.');
  const amount = form.getByRole('textbox', { name: 'Refund amount' });
  const send = form.getByRole('button', { name: 'Decide and send the letters' });

  await amount.fill('0');
  await expect(form).toContainText(`${range}.`);
  await expect(send).toBeDisabled();
  // The letter never promises a made-up refund.
  await expect(form.getByTestId('letter-buyer')).not.toContainText(`0.00 ${c.currency}`);
  await expect(form.getByTestId('letter-buyer')).toContainText('the refund amount you enter');
  await shot(page, '40-decide-amount-zero');

  await amount.fill('99,999,999,999');
  await expect(form).toContainText(`${range}: this is above the order total.`);
  await expect(send).toBeDisabled();
  await amount.fill('123456789012345678901234');
  await expect(form).toContainText('above the order total');
  await expect(form).not.toContainText('Not an amount');

  await amount.fill(formatMinor(c.totalMinor, c.currency).replace(` ${c.currency}`, ''));
  await expect(form).not.toContainText(range);
  await expect(send).toBeEnabled();
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();

  // Publishing the resolutions with an amount set by hand: card A says what to fix, Publish waits.
  await page.keyboard.press('p');
  const propose = page.getByTestId('propose-form');
  await expect(propose.getByTestId('proposal-option').first()).toBeVisible();
  await propose.getByRole('checkbox', { name: /Set the partial amount myself/ }).check();
  await propose.getByRole('textbox', { name: 'Override note' }).fill('The seller offered this on the phone.');
  await propose.getByRole('textbox', { name: 'Partial amount' }).fill('0');
  const cardA = propose.getByTestId('proposal-option').first();
  await expect(cardA).toContainText(`${range}.`);
  await expect(cardA).not.toContainText('Set by the mediator');
  await expect(propose.getByRole('button', { name: 'Publish to both parties' })).toBeDisabled();
  await propose.getByRole('textbox', { name: 'Partial amount' }).fill('99999999999');
  await expect(cardA).toContainText('above the order total');
  await expect(propose.getByRole('button', { name: 'Publish to both parties' })).toBeDisabled();
  await shot(page, '41-propose-amount-too-high');
});
