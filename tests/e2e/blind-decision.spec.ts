import { expect, test, type Browser, type Page } from '@playwright/test';
import type { CaseView, CommandResult } from '../../src-main/contract/views';
import type { DoubleAgreementView } from '../../src-main/contract/scorecards';
import type { PolicyVersionView } from '../../src-main/contract/supervision';
import { api, demoUser, shot, signIn } from './helpers';

/**
 * A blind double decision end to end: with the policy drawing every case, Wei decides one;
 * the mediator the core drew to decide it again opens it from the queue and sees neither the
 * decision nor its reasons (the core leaves them out, not only the screen); they decide it
 * blind; then both decisions show, the case keeps Wei's, and the supervisors' noise audit
 * counts the pair.
 */

async function as(browser: Browser, userId: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, demoUser(userId));
  return page;
}

async function setDoubleRate(page: Page, rate: number) {
  const current = await api<PolicyVersionView>(page, 'policy.get', {});
  await api(page, 'policy.publish', {
    policy: { ...current.policy, doubleDecisionRate: rate },
    note: `blind double decisions at ${rate * 100} %`,
    basedOnVersion: current.version,
  });
}

test('the drawn mediator decides a case blind, and the noise audit counts it', async ({ browser }) => {
  // Three people sign in (each a deliberately slow password hash) on a shared machine.
  test.setTimeout(180_000);
  const amara = await as(browser, 'amara');
  await setDoubleRate(amara, 1);
  const before = await api<DoubleAgreementView>(amara, 'double.agreement', {});

  const wei = await as(browser, 'wei');
  const claimed = await api<CommandResult>(wei, 'case.claimNext', {});
  const caseId = claimed.caseId;
  const firstReasons = 'Wei’s reasons: the photos show no damage on arrival.';
  // The note: whether the consistency check asks for one depends on the decisions earlier tests made.
  await api(wei, 'case.decide', { caseId, outcome: 'none', reasons: firstReasons, consistencyNote: 'No damage on arrival.' });
  const second = (await api<CaseView>(amara, 'case.get', { caseId })).doubleDecision!.secondDecider;
  expect(second).not.toBe('wei');
  await setDoubleRate(amara, 0.05);

  const blind = await as(browser, second);
  // Enforced in main: the contract's answer to the second decider has no first decision.
  const hidden = await api<CaseView>(blind, 'case.get', { caseId });
  expect(hidden.decision).toBeNull();
  expect(hidden.refund).toBeNull();
  expect(JSON.stringify(hidden)).not.toContain(firstReasons);

  await blind.getByTestId('blind-waiting').getByRole('button', { name: caseId }).click();
  await expect(blind.getByTestId('case-title')).toHaveText(caseId);
  await expect(blind.getByTestId('blind-notice')).toBeVisible();
  await expect(blind.getByTestId('decision-panel')).toHaveCount(0);
  await expect(blind.getByTestId('case-screen')).not.toContainText(firstReasons);
  await shot(blind, '90-blind-second-decision');

  const form = blind.getByTestId('blind-decision');
  await form.getByTestId('blind-outcome').getByText('Partial refund').click();
  await form.getByTestId('blind-amount').fill('1');
  await form.getByTestId('blind-reasons').fill('A small part of the claim is fair on these photos.');
  await form.getByTestId('blind-submit').click();

  // Now the first decision shows, unchanged, beside the blind one.
  await expect(blind.getByTestId('decision-panel')).toBeVisible();
  await expect(blind.getByTestId('decision-outcome')).toHaveText(/No refund/i);
  await expect(blind.getByTestId('double-decision-panel')).toContainText('Different outcome');
  // Off their list (the demo history may have drawn them for other cases too: the draw is keyed by the installation's secret).
  expect((await api<Array<{ caseId: string }>>(blind, 'double.mine', {})).map((r) => r.caseId)).not.toContain(caseId);
  const after = await api<CaseView>(blind, 'case.get', { caseId });
  expect(after.decision).toMatchObject({ outcome: 'none', decidedBy: 'wei', reasons: firstReasons });
  expect(after.doubleDecision!.second).toMatchObject({ outcome: 'partial' });
  expect(after.doubleDecision!.second!.amountMinor).toBeGreaterThan(0);
  await shot(blind, '91-blind-decided');

  // The supervisors' noise audit counts the pair for Wei and for the second decider.
  const audit = await api<DoubleAgreementView>(amara, 'double.agreement', {});
  expect(audit.total.pairs).toBe(before.total.pairs + 1);
  await amara.getByTestId('base-view').getByText('Quality', { exact: true }).click();
  const table = amara.getByTestId('noise-table');
  await expect(table.locator('[data-testid="noise-mediator"][data-key="wei"]')).toBeVisible();
  await expect(table.locator(`[data-testid="noise-mediator"][data-key="${second}"]`)).toBeVisible();
  await shot(amara, '92-noise-audit');
});
