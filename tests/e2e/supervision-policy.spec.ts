import { expect, test } from '@playwright/test';
import { RECEIVED_REASONS } from '../../src-main/contract/domain';
import type { PolicyPreviewView, PolicyVersionView } from '../../src-main/contract/supervision';
import type { CaseView, ProposalPreview, QueuePage } from '../../src-main/contract/views';
import { api, demoUser, intake, shot, signIn } from './helpers';

/**
 * A policy change, end to end: a case is settled by agreement on the partial refund; Amara
 * lowers that reason's partial rate in the editor (an invalid value is refused next to the
 * field first), previews the last decided cases under the draft and sees that case change
 * with the totals, opens it from the preview, publishes version N+1 with a required note,
 * finds it in the history, and a decision made afterwards records the new version.
 */
test('edit a partial rate, preview the changed cases and totals, publish with a note', async ({ page }) => {
  await signIn(page, demoUser('amara'));
  const before = await api<PolicyVersionView>(page, 'policy.get', {});

  // A case with an item problem whose partial refund is set by the rate (not capped by the claim).
  const open = await api<QueuePage>(page, 'queue.list', { scope: 'unassigned', reason: [...RECEIVED_REASONS], limit: 50 });
  let picked: { caseId: string; reason: string; currency: string; oldAmount: number; newRate: number; price: number } | null = null;
  for (const row of open.rows) {
    const view = await api<CaseView>(page, 'case.get', { caseId: row.id });
    const rate = before.policy.partialRates[row.reason as keyof typeof before.policy.partialRates];
    const oldAmount = Math.min(view.claim.amountMinor, Math.round(rate * view.order.itemPriceMinor));
    const newRate = Math.floor((100 * oldAmount) / view.order.itemPriceMinor / 2) / 100;
    if (newRate >= 0.01 && Math.round(newRate * view.order.itemPriceMinor) < oldAmount) {
      picked = { caseId: row.id, reason: row.reason, currency: row.currency, oldAmount, newRate, price: view.order.itemPriceMinor };
      break;
    }
  }
  expect(picked, 'an unassigned case with an item problem').not.toBeNull();
  const { caseId, reason, currency, oldAmount, newRate, price } = picked!;
  await api(page, 'case.claim', { caseId });
  const proposal = await api<ProposalPreview>(page, 'case.previewProposal', { caseId });
  expect(proposal.options.find((o) => o.kind === 'partial')!.amountMinor).toBe(oldAmount);
  await api(page, 'case.propose', { caseId });
  await intake(page, 'party.reply', { caseId, party: 'buyer', choice: 'partial' });
  await intake(page, 'party.reply', { caseId, party: 'seller', choice: 'partial' });
  const settled = await api<CaseView>(page, 'case.get', { caseId });
  expect(settled.decision).toMatchObject({ outcome: 'partial', basis: 'agreement', amountMinor: oldAmount, policyVersion: before.version });

  // The editor starts from the version in force.
  await page.getByTestId('base-view').getByText('Policy', { exact: true }).click();
  const screen = page.getByTestId('policy-screen');
  await expect(screen.getByTestId('policy-version')).toHaveText(`version ${before.version} in force`);
  await expect(screen.getByTestId('policy-diff')).toContainText('No changes yet');
  await expect(screen.getByTestId('publish')).toBeDisabled();
  await shot(page, '50-policy-editor');

  // Rates are typed as percents, like every other screen shows them. An invalid one: the
  // message next to the field, no preview.
  const rate = screen.getByTestId(`rate-${reason}`);
  await rate.fill('150');
  await expect(screen.getByTestId('policy-form')).toContainText('Between 0 and 100 %.');
  await expect(screen.getByTestId('run-preview')).toBeDisabled();
  await expect(screen.getByTestId('draft-invalid')).toBeVisible();
  await shot(page, '51-policy-invalid-rate');

  // The real change: the diff against the version in force.
  await rate.fill(String(Math.round(newRate * 100)));
  await expect(screen.getByTestId('policy-form')).not.toContainText('Between 0 and 100 %');
  const diff = screen.getByTestId('diff-row');
  await expect(diff).toHaveCount(1);
  await expect(diff).toContainText(`${before.policy.partialRates[reason as keyof typeof before.policy.partialRates]} (`);
  await expect(diff).toContainText(`${newRate} (`);
  // Publishing needs a preview of this exact draft first.
  await expect(screen.getByTestId('publish')).toBeDisabled();

  // Preview on the last 10 decided cases: ours is the newest, and it changes.
  await screen.getByTestId('preview-n').fill('10');
  await screen.getByTestId('run-preview').click();
  const preview = screen.getByTestId('policy-preview');
  // The replay starts a worker thread: seconds on a busy machine.
  await expect(preview).toBeVisible({ timeout: 30_000 });
  const ours = preview.locator(`[data-testid="preview-row"][data-case-id="${caseId}"]`);
  await expect(ours).toHaveAttribute('data-changed', 'true');
  const newAmount = Math.min(settled.claim.amountMinor, Math.round(newRate * price));
  const core = await api<PolicyPreviewView>(page, 'policy.preview', {
    draft: { ...before.policy, partialRates: { ...before.policy.partialRates, [reason]: newRate } },
    lastN: 10,
  });
  const coreRow = core.rows.find((r) => r.caseId === caseId)!;
  expect(coreRow).toMatchObject({
    changed: true,
    before: { amountMinor: oldAmount },
    after: { outcome: 'partial', amountMinor: newAmount },
  });
  await expect(preview.getByTestId('preview-changed')).toContainText(`${core.rows.filter((r) => r.changed).length} of ${core.replayed}`);
  const total = core.totals.find((t) => t.currency === currency)!;
  expect(total.afterMinor).toBeLessThan(total.beforeMinor);
  await expect(
    preview.locator(`[data-testid="preview-total"][data-currency="${currency}"]`).getByTestId('preview-total-delta'),
  ).toContainText('−');
  await preview.scrollIntoViewIfNeeded();
  await shot(page, '52-policy-preview');

  // A preview row opens its case; coming back keeps the draft and the preview.
  await ours.click();
  await expect(page.getByTestId('case-title')).toHaveText(caseId);
  await page.keyboard.press('Escape');
  await expect(preview).toBeVisible();
  await expect(diff).toHaveCount(1);

  // Publish version N+1: a note is required.
  const publish = screen.getByTestId('publish');
  await expect(publish).toHaveText(`Publish version ${before.version + 1}`);
  await expect(publish).toBeEnabled();
  await publish.click();
  await expect(screen).toContainText('A note is required');
  const note = `Lower the ${reason.replace(/_/g, ' ')} partial rate to ${newRate}: buyers keep the item, refunds were above what sellers accept.`;
  await screen.getByTestId('publish-note').fill(note);
  await shot(page, '53-policy-ready-to-publish');
  await publish.click();

  // The history shows the new version with its note and change; it is in force.
  const history = screen.getByTestId('policy-history');
  await expect(history).toBeVisible();
  const top = history.getByTestId('history-row').first();
  await expect(top).toHaveAttribute('data-version', String(before.version + 1));
  await expect(top.getByTestId('history-note')).toHaveText(note);
  await expect(top).toContainText('in force');
  await expect(top).toContainText(`${newRate} (`);
  await expect(screen.getByTestId('policy-version')).toHaveText(`version ${before.version + 1} in force`);
  await shot(page, '54-policy-history');

  // Every decision keeps its version: ours stays on N, a new one records N+1.
  expect((await api<CaseView>(page, 'case.get', { caseId })).decision!.policyVersion).toBe(before.version);
  const next = await api<{ caseId: string }>(page, 'case.claimNext', {});
  await api(page, 'case.decide', {
    caseId: next.caseId,
    outcome: 'none',
    reasons: 'The photos show the item as described.',
    consistencyNote: 'As described.', // asked for or not, depending on earlier tests' decisions
  });
  expect((await api<CaseView>(page, 'case.get', { caseId: next.caseId })).decision!.policyVersion).toBe(before.version + 1);
  await page.evaluate((id) => (window.location.hash = `#/case/${id}`), next.caseId);
  await expect(page.getByTestId('decision-policy-version')).toHaveText(`version ${before.version + 1}`);
  await shot(page, '55-decision-records-version');
  // The history counts it.
  const versions = await api<PolicyVersionView[]>(page, 'policy.history', {});
  expect(versions[0]).toMatchObject({ version: before.version + 1, note });
  expect(versions[0]!.decisions).toBeGreaterThanOrEqual(1);
});

test('a publish on top of a version someone else published meanwhile is refused; the draft carries over', async ({
  page,
  playwright,
  baseURL,
}) => {
  await signIn(page, demoUser('amara'));
  const start = await api<PolicyVersionView>(page, 'policy.get', {});
  await page.getByTestId('base-view').getByText('Policy', { exact: true }).click();
  const screen = page.getByTestId('policy-screen');
  await expect(screen.getByTestId('policy-version')).toHaveText(`version ${start.version} in force`);
  const appeal = screen.getByTestId('field-appealWindowHours');
  await appeal.fill(String(start.policy.appealWindowHours + 24));
  await screen.getByTestId('preview-n').fill('5');
  await screen.getByTestId('run-preview').click();
  await expect(screen.getByTestId('policy-preview')).toBeVisible();
  await screen.getByTestId('publish-note').fill('A longer appeal window over the holidays.');

  // Meanwhile Oleg publishes a change of his own.
  const oleg = await playwright.request.newContext({ baseURL });
  expect(await (await oleg.post('/api/session/sign-in', { data: demoUser('oleg') })).json()).toMatchObject({ ok: true });
  const theirs = { ...start.policy, returnShipmentHours: start.policy.returnShipmentHours + 48 };
  const published = await (
    await oleg.post('/api/call/policy.publish', {
      data: { policy: theirs, note: 'More time to ship returns.', basedOnVersion: start.version },
    })
  ).json();
  expect(published).toMatchObject({ ok: true, value: { version: start.version + 1 } });

  // Amara's publish is refused, with who published what; nothing of hers is lost.
  await screen.getByTestId('publish').click();
  await expect(screen.getByTestId('policy-refusal')).toContainText(`Oleg Sokolov published version ${start.version + 1}`);
  await expect(screen.getByTestId('policy-conflict')).toBeVisible();
  // The publish card no longer offers to publish the number now in force.
  await expect(screen.getByTestId('publish')).toBeDisabled();
  await expect(screen.getByTestId('publish')).toHaveText(`Apply your changes to version ${start.version + 1} first`);
  await shot(page, '56-policy-conflict');
  await screen.getByTestId('rebase-draft').click();
  // Her change on top of his: the diff shows only hers, his stays in the draft.
  await expect(screen.getByTestId('diff-row')).toHaveCount(1);
  await expect(screen.getByTestId('diff-row')).toContainText('Appeal window');
  await expect(screen.getByTestId('field-returnShipmentHours')).toHaveValue(`${theirs.returnShipmentHours} h`);
  await expect(screen.getByTestId('publish')).toBeDisabled(); // preview again first
  await screen.getByTestId('run-preview').click();
  await expect(screen.getByTestId('policy-preview')).not.toHaveAttribute('data-stale', 'true');
  await screen.getByTestId('publish').click();
  await expect(screen.getByTestId('policy-history').getByTestId('history-row').first()).toHaveAttribute(
    'data-version',
    String(start.version + 2),
  );
  const now = await api<PolicyVersionView>(page, 'policy.get', {});
  expect(now.policy).toMatchObject({
    appealWindowHours: start.policy.appealWindowHours + 24,
    returnShipmentHours: theirs.returnShipmentHours,
  });
  await oleg.dispose();
});

test('a mediator cannot publish a policy', async ({ page }) => {
  await signIn(page, demoUser('mira'));
  const current = await api<PolicyVersionView>(page, 'policy.get', {});
  const res = await page.request.post('/api/call/policy.publish', {
    data: { policy: current.policy, note: 'no', basedOnVersion: current.version },
  });
  expect(await res.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  await expect(page.getByTestId('supervisor-nav')).toHaveCount(0);
});
