import { expect, test } from '@playwright/test';
import type { CaseView } from '../../src-main/contract/views';
import { advanceClock, api, demoUser, intake, shot, signIn } from './helpers';

/**
 * A mediator's day on one case, end to end: take the next case, ask for evidence, the
 * evidence arrives through the marketplace intake, publish the two standard resolutions,
 * one party replies, the reply period runs out, and the case closes by default. Alongside,
 * a second case whose reply period ends without agreement is decided from the published
 * options, with the letters previewed first.
 */
test('take the next case, request evidence, publish, one reply, closed by default', async ({ page }) => {
  await signIn(page, demoUser('diego'));

  // A second case prepared through the API: published, nobody will reply.
  const other = await api<{ caseId: string }>(page, 'case.claimNext', {});
  await api(page, 'case.propose', { caseId: other.caseId });

  // Take next case: the oldest unassigned one becomes mine and opens.
  await page.getByTestId('take-next').click();
  const screen = page.getByTestId('case-screen');
  await expect(screen).toBeVisible();
  const caseId = (await page.getByTestId('case-title').textContent())!.trim();
  expect(caseId).not.toBe(other.caseId);
  await expect(screen.getByTestId('status-badge').first()).toHaveText('In review');
  await expect(page.getByTestId('case-headline')).toContainText('Assignee diego');
  await shot(page, '10-case-taken');

  // Request evidence from the buyer, starting from a template.
  await screen.getByRole('button', { name: /Request evidence/ }).click();
  const form = page.getByTestId('request-evidence-form');
  await expect(form).toBeVisible();
  await form.getByTestId('template').first().click();
  const request = form.getByRole('textbox', { name: 'Request text' });
  await expect(request).not.toHaveValue('');
  await request.fill(`${await request.inputValue()}\nPlease include the parcel label.`);
  await shot(page, '11-request-evidence-form');
  await form.getByRole('button', { name: 'Send request' }).click();
  await expect(form).toBeHidden();
  await expect(screen.getByTestId('status-badge').first()).toHaveText('Awaiting evidence');
  await expect(screen.getByTestId('evidence-request')).toContainText('#1 open');
  await expect(screen.getByTestId('deadlines-panel')).toContainText('Evidence request');
  await expect(screen.getByTestId('deadlines-panel').getByTestId('countdown')).toHaveText(/^in (2 d 2\d h|3 d 0 h)$/);
  await shot(page, '12-awaiting-evidence');

  // The buyer's file arrives through intake; the open screen updates by itself.
  await intake(page, 'party.submitEvidence', {
    caseId,
    party: 'buyer',
    file: { name: 'parcel-and-label.jpg', mediaType: 'image/jpeg', sizeBytes: 734_003, sha256: 'ab'.repeat(32) },
    note: 'The label and the item as received.',
  });
  const evidenceRow = screen.getByTestId('evidence-row').filter({ hasText: 'parcel-and-label.jpg' });
  await expect(evidenceRow).toBeVisible();
  await expect(evidenceRow).toContainText('Request #1');
  await expect(evidenceRow).toContainText('abababab');
  await expect(screen.getByTestId('status-badge').first()).toHaveText('In review');
  await shot(page, '13-evidence-arrived');

  // Publish the standard resolutions: the arithmetic and the recommendation are shown first.
  await screen.getByRole('button', { name: /Publish resolutions/ }).click();
  const propose = page.getByTestId('propose-form');
  await expect(propose.getByTestId('proposal-option').first()).toBeVisible();
  await expect(propose.getByTestId('computation').first()).toContainText(/min\(claim|full refund of the order total/i);
  await expect(propose.getByTestId('recommendation')).toContainText('Recommended');
  await shot(page, '14-propose-dialog');
  await propose.getByRole('button', { name: 'Publish to both parties' }).click();
  await expect(propose).toBeHidden();
  await expect(screen.getByTestId('status-badge').first()).toHaveText('Awaiting replies');
  const proposal = screen.getByTestId('proposal-panel');
  await expect(proposal).toBeVisible();

  // One party replies (accepts the first option); the other stays silent.
  const view = await api<CaseView>(page, 'case.get', { caseId });
  const accepted = view.proposal!.options[0]!;
  await intake(page, 'party.reply', { caseId, party: 'buyer', choice: accepted.kind });
  await expect(proposal).toContainText(/Buyer\s*accepted/);
  await expect(proposal).toContainText(/Seller\s*no reply yet/);
  await shot(page, '15-awaiting-replies');

  // The reply period (96 h) runs out: the accepted option is decided by default.
  await advanceClock(page, 97);
  await expect(screen.getByTestId('status-badge').first()).toHaveText('Closed');
  const decision = screen.getByTestId('decision-panel');
  await expect(decision).toContainText('By default');
  await expect(decision.getByTestId('decision-outcome')).toHaveText(
    accepted.kind === 'partial' ? /Partial refund/ : accepted.kind === 'return' ? /Return/ : /Full refund/,
  );
  await expect(screen.getByTestId('deadlines-panel')).toContainText('Appeal window');
  await expect(screen.getByTestId('no-actions')).toContainText('appeal window is open');
  await shot(page, '16-closed-by-default');

  // Back in the queue, "Mine" puts the forced decision on top.
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: /Mine/ }).click();
  const first = page.getByTestId('queue-row').first();
  await expect(first).toHaveAttribute('data-case-id', other.caseId);
  await expect(first).toContainText('Forced decision');
  await shot(page, '17-mine-forced-first');

  // The forced decision: only the published options, the letters previewed before confirming.
  await first.click();
  await expect(page.getByTestId('forced-callout')).toBeVisible();
  await shot(page, '18-case-forced-decision');
  await page.keyboard.press('d');
  const decide = page.getByTestId('decide-form');
  await expect(decide).toBeVisible();
  const published = (await api<CaseView>(page, 'case.get', { caseId: other.caseId })).proposal!.options.map((o) => o.kind);
  for (const o of ['full', 'partial', 'return', 'none'])
    await expect(decide.getByTestId(`outcome-${o}`)).toHaveCount(published.includes(o as 'full') ? 1 : 0);
  await decide.getByTestId('template').first().click();
  await expect(decide.getByTestId('letter-buyer')).toContainText('Reasons:');
  await expect(decide.getByTestId('letter-buyer')).toContainText('appeal within 7 days');
  await shot(page, '19-decide-dialog-letters');
  await decide.getByRole('tab', { name: /To the seller/ }).click();
  await expect(decide.getByTestId('letter-seller')).toBeVisible();
  await decide.getByRole('button', { name: 'Decide and send the letters' }).click();
  await expect(decide).toBeHidden();
  await expect(page.getByTestId('case-screen').getByTestId('status-badge').first()).toHaveText('Closed');
  await expect(page.getByTestId('decision-panel')).toContainText('By the mediator');
});
