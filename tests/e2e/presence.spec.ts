import { expect, request, test, type Browser, type Page } from '@playwright/test';
import { api, demoUser, signIn, SCREENS } from './helpers';

/**
 * Presence and the stale-action guard, in the browser: Oleg (supervisor) sees Mira open a
 * case, in his queue and on the case screen, and sees when she is writing a decision; her
 * typed reasons survive a reload (a draft per user and case); when Diego changes the case
 * while her Decide dialog is open, the dialog stays open with her text, says what changed,
 * and asks her to confirm before anything is sent.
 */

const sizes = [
  { name: '1440x900', width: 1440, height: 900 },
  { name: '1024x700', width: 1024, height: 700 },
];

async function pageFor(browser: Browser, userId: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, demoUser(userId));
  return page;
}

async function shots(page: Page, name: string) {
  for (const s of sizes) {
    await page.setViewportSize({ width: s.width, height: s.height });
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SCREENS}/${name}-${s.name}.png` });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('presence across sessions, a draft kept across a reload, and a dialog that survives a change elsewhere', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(300_000); // two signed-in browsers and a request context on a shared two-core machine
  const mira = await pageFor(browser, 'mira');
  const oleg = await pageFor(browser, 'oleg');

  // The oldest unassigned case, as Oleg's queue shows it.
  const first = oleg.getByTestId('queue-row').first();
  await expect(first).toBeVisible();
  const caseId = (await first.getAttribute('data-case-id'))!;

  // Mira opens it: within 3 s Oleg's queue row shows her.
  await mira.goto(`/#/case/${encodeURIComponent(caseId)}`);
  await expect(mira.getByTestId('case-title')).toHaveText(caseId);
  await expect(oleg.locator(`[data-case-id="${caseId}"]`).getByTestId('queue-presence')).toBeVisible({ timeout: 3_000 });
  await expect(oleg.locator(`[data-case-id="${caseId}"]`).getByTestId('queue-presence')).toHaveAttribute(
    'aria-label',
    /Mira Kovač is viewing/,
  );

  // Oleg opens it too; each sees the other.
  await oleg.goto(`/#/case/${encodeURIComponent(caseId)}`);
  await expect(oleg.getByTestId('case-headline')).toBeVisible();
  await expect(oleg.getByTestId('presence')).toContainText('Mira Kovač is viewing', { timeout: 3_000 });
  await expect(mira.getByTestId('presence')).toContainText('Oleg Sokolov is viewing', { timeout: 3_000 });

  // Mira claims it and starts writing a decision: Oleg sees that within 3 s.
  await mira.getByRole('button', { name: /Claim case/ }).click();
  await expect(mira.getByTestId('case-headline')).toContainText('Assignee mira');
  await mira.getByRole('button', { name: /^Decide/ }).click();
  const form = mira.getByTestId('decide-form');
  await expect(form).toBeVisible();
  const reasons = form.getByRole('textbox', { name: 'Reasons' });
  const typed = 'The tracking shows delivery to the buyer’s address; the photos show no damage.';
  await reasons.fill(typed);
  await expect(oleg.getByTestId('presence')).toContainText('Mira Kovač is writing a decision', { timeout: 3_000 });
  await shots(oleg, '40-case-presence');

  // A reload (or a crash) keeps the draft: reopening the dialog brings the text back.
  await mira.reload();
  await expect(mira.getByTestId('case-title')).toHaveText(caseId);
  await mira.getByRole('button', { name: /^Decide/ }).click();
  await expect(mira.getByTestId('decide-form').getByRole('textbox', { name: 'Reasons' })).toHaveValue(typed);

  // Meanwhile elsewhere: Oleg gives the case to Diego, who asks the buyer for evidence.
  await api(oleg, 'case.assign', { caseId, userId: 'diego' });
  const diego = await request.newContext({ baseURL });
  const signedIn = await diego.post('/api/session/sign-in', { data: demoUser('diego') });
  expect(((await signedIn.json()) as { ok: boolean }).ok).toBe(true);
  const asked = await diego.post('/api/call/case.requestEvidence', {
    data: { caseId, party: 'buyer', request: 'A photo of the parcel label, please.' },
  });
  expect(((await asked.json()) as { ok: boolean }).ok).toBe(true);

  // Mira's dialog is still open with her text, says what changed, and does not send until she confirms.
  const notice = mira.getByTestId('stale-notice');
  await expect(notice).toBeVisible({ timeout: 3_000 });
  await expect(notice).toContainText('Diego requested evidence from the buyer');
  await expect(notice).toContainText('Oleg assigned the case to diego');
  await expect(mira.getByTestId('decide-form')).toBeVisible();
  await expect(mira.getByTestId('decide-form').getByRole('textbox', { name: 'Reasons' })).toHaveValue(typed);
  await expect(mira.getByRole('button', { name: 'Decide and send the letters' })).toBeDisabled();
  await shots(mira, '41-decide-stale');

  // "I have seen it": she may send again, and the rules judge the current case (not hers any more).
  await mira.getByTestId('stale-acknowledge').click();
  await expect(notice).toBeHidden();
  await mira.getByRole('button', { name: 'Decide and send the letters' }).click();
  await expect(mira.getByTestId('decide-form').getByTestId('refusal')).toContainText(/NOT_ASSIGNEE|INVALID_STATE|EVIDENCE_PENDING/);
  const view = await api<{ status: string; decision: unknown }>(mira, 'case.get', { caseId });
  expect(view.decision).toBeNull();
  expect(view.status).toBe('awaiting_evidence');
  await diego.dispose();
});
