import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { api, demoUser, farDecision, signIn, SCREENS } from './helpers';

/**
 * The mediator's casework on the demo (issue 17), in Chromium: internal notes and a second
 * opinion asked of a supervisor; the evidence checklist prefilling the evidence request; related
 * cases and a supervisor assigning the cluster; the nearest past decisions and the consistency
 * note in the Decide dialog, and the team's consistency. Each panel is checked by axe-core
 * (no serious or critical finding inside it) and photographed at 1024×700 and 1440×900.
 */

test.setTimeout(240_000);

const sizes = [
  { name: '1024x700', width: 1024, height: 700 },
  { name: '1440x900', width: 1440, height: 900 },
];

async function pageFor(browser: Browser, userId: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, demoUser(userId));
  return page;
}

/** Screenshots at both sizes with `testId` scrolled into view, and the panel has no serious or critical axe finding. */
async function check(page: Page, name: string, testId: string) {
  for (const s of sizes) {
    await page.setViewportSize({ width: s.width, height: s.height });
    await page.getByTestId(testId).first().scrollIntoViewIfNeeded();
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SCREENS}/casework-${name}-${s.name}.png` });
    // Nothing runs off the right edge of the window at this size.
    const box = await page.getByTestId(testId).first().boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(s.width + 1);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
  const result = await new AxeBuilder({ page })
    .include(`[data-testid="${testId}"]`)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`))).toEqual([]);
}

const openCase = async (page: Page, caseId: string) => {
  await page.goto(`/#/case/${encodeURIComponent(caseId)}`);
  await expect(page.getByTestId('case-title')).toHaveText(caseId);
};

async function unassigned(page: Page, reason: string, limit = 20): Promise<string[]> {
  const list = await api<{ rows: Array<{ id: string }> }>(page, 'queue.list', { scope: 'unassigned', reason: [reason], limit });
  return list.rows.map((r) => r.id);
}

test('internal notes: a mention asks a supervisor for a second opinion, in their list until answered; analysts never see notes', async ({
  browser,
}) => {
  const mira = await pageFor(browser, 'mira');
  const oleg = await pageFor(browser, 'oleg');
  const [caseId] = await unassigned(mira, 'damaged', 1);
  const before = (await api<{ items: unknown[] }>(oleg, 'notes.secondOpinions', {})).items.length;

  await openCase(mira, caseId!);
  const note = `The seller’s photo looks staged; @oleg is a partial refund fair here? (${Date.now()})`;
  await mira.getByRole('textbox', { name: 'New internal note' }).fill(note);
  await mira.getByRole('button', { name: 'Add note' }).click();
  await expect(mira.getByTestId('note').filter({ hasText: note })).toBeVisible();
  await expect(mira.getByTestId('note-mention').last()).toHaveText('Asked Oleg Sokolov for a second opinion');
  await check(mira, 'notes', 'notes-panel');

  // Oleg's queue shows it beside the tabs, live; he opens it from there and answers.
  await expect(oleg.getByTestId('second-opinion-count')).toHaveText(String(before + 1), { timeout: 5_000 });
  await oleg.getByTestId('second-opinions').click();
  await oleg.getByTestId('second-opinion-item').filter({ hasText: caseId! }).click();
  await expect(oleg.getByTestId('case-title')).toHaveText(caseId!);
  await oleg.getByTestId('note-answer').click();
  await oleg.getByRole('textbox', { name: 'New internal note' }).fill('Yes: half the price, the lid still works.');
  await oleg.getByRole('button', { name: 'Send answer' }).click();
  await expect(oleg.getByTestId('note-mention').last()).toHaveText('Oleg Sokolov answered');
  await expect.poll(async () => (await api<{ items: unknown[] }>(oleg, 'notes.secondOpinions', {})).items.length).toBe(before);
  await expect(mira.getByTestId('note').filter({ hasText: 'half the price' })).toBeVisible({ timeout: 5_000 });
  await check(mira, 'notes-answered', 'notes-panel');

  // The analyst reads the case but not its notes, on screen or through the API.
  const hannah = await pageFor(browser, 'hannah');
  await openCase(hannah, caseId!);
  await expect(hannah.getByTestId('case-headline')).toBeVisible();
  await expect(hannah.getByTestId('notes-panel')).toHaveCount(0);
  await expect(hannah.getByText('looks staged')).toHaveCount(0);
  await expect(api(hannah, 'notes.list', { caseId })).rejects.toThrow(/FORBIDDEN/);
});

test('evidence checklist: what is missing per reason, each side’s strength, and the evidence request prefilled', async ({ page }) => {
  await signIn(page, demoUser('diego'));
  const [caseId] = await unassigned(page, 'defective', 1);
  const checklist = await api<{ items: Array<{ key: string; present: boolean }>; requestText: { buyer: string | null } }>(
    page,
    'case.checklist',
    {
      caseId,
    },
  );
  await openCase(page, caseId!);
  const panel = page.getByTestId('checklist-panel');
  await expect(panel.getByTestId('checklist-item')).toHaveCount(checklist.items.length);
  await expect(panel.locator('[data-key="device_video"]')).toHaveAttribute(
    'data-present',
    String(checklist.items.find((i) => i.key === 'device_video')!.present),
  );
  await expect(panel.getByTestId('strength-buyer')).toContainText(/evidence · \d+\/100/);
  await expect(panel.getByTestId('strength-seller')).toContainText(/The seller/);
  await check(page, 'checklist', 'checklist-panel');

  await page.getByRole('button', { name: /Claim case/ }).click();
  await expect(page.getByRole('button', { name: /Request evidence/ })).toBeVisible();
  await page.getByRole('button', { name: /Request evidence/ }).click();
  const text = page.getByRole('textbox', { name: 'Request text' });
  if (checklist.requestText.buyer) {
    await expect(text).toHaveValue(checklist.requestText.buyer);
    await expect(page.getByTestId('checklist-prefill')).toBeVisible();
    // Cleared, it comes back with one click.
    await text.fill('');
    await page.getByTestId('checklist-fill').click();
    await expect(text).toHaveValue(checklist.requestText.buyer);
  }
  await page.screenshot({ path: `${SCREENS}/casework-request-prefilled-1440x900.png` });
});

test('related cases: shared buyer, links, tracking or photo, and a supervisor assigns the cluster in one step', async ({ page }) => {
  await signIn(page, demoUser('amara'));
  // An unassigned case with at least one other open case in its cluster.
  let chosen: { caseId: string; assignable: string[] } | null = null;
  for (const reason of ['not_received.no_tracking_info', 'damaged', 'defective', 'not_as_described', 'counterfeit']) {
    for (const id of await unassigned(page, reason, 25)) {
      const r = await api<{ assignable: string[]; cases: unknown[] }>(page, 'case.related', { caseId: id });
      if (r.assignable.length >= 2) {
        chosen = { caseId: id, assignable: r.assignable };
        break;
      }
    }
    if (chosen) break;
  }
  expect(chosen, 'the demo has a case with a cluster').not.toBeNull();
  await openCase(page, chosen!.caseId);
  const panel = page.getByTestId('related-panel');
  await expect(panel.getByTestId('related-row').first()).toBeVisible();
  await check(page, 'related', 'related-panel');

  await panel.getByTestId('assign-cluster').click();
  await page.getByTestId('assign-option').filter({ hasText: 'Wei Lin' }).click();
  await expect(page.getByText(/assigned to wei/)).toBeVisible();
  for (const id of chosen!.assignable) {
    const view = await api<{ assignee: string | null }>(page, 'case.get', { caseId: id });
    expect([id, view.assignee]).toEqual([id, 'wei']);
  }
});

test('consistency: the Decide dialog lists the nearest past decisions; a far decision needs a note; the team view shows each mediator’s consistency', async ({
  browser,
}) => {
  const priya = await pageFor(browser, 'priya');
  // A case where one outcome is far from the nearest past decisions (the demo has a few days of history).
  const found = await farDecision(priya);
  await api(priya, 'case.claim', { caseId: found.caseId });
  await openCase(priya, found.caseId);
  await priya.getByRole('button', { name: /^Decide/ }).click();
  const dialog = priya.getByTestId('decide-form');
  await dialog.getByTestId(`outcome-${found.outcome}`).click();
  await expect(dialog.getByTestId('consistency-far')).toBeVisible();
  // Folded to a summary of how they went; the table opens on request.
  await expect(dialog.getByTestId('consistency-summary')).toBeVisible();
  await dialog.getByTestId('consistency-toggle').click();
  await expect(dialog.getByTestId('near-decision').first()).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Reasons' }).fill('Decided on the carrier record and the evidence on file.');
  const send = dialog.getByRole('button', { name: 'Decide and send the letters' });
  await expect(send).toBeDisabled();
  for (const s of sizes) {
    await priya.setViewportSize({ width: s.width, height: s.height });
    await dialog.getByTestId('consistency-far').scrollIntoViewIfNeeded();
    await priya.waitForTimeout(400);
    await priya.screenshot({ path: `${SCREENS}/casework-consistency-${s.name}.png` });
  }
  await priya.setViewportSize({ width: 1440, height: 900 });
  const axe = await new AxeBuilder({ page: priya }).include('[data-testid="consistency"]').analyze();
  expect(
    axe.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)),
  ).toEqual([]);

  // The core enforces it too: without the note the decision is refused.
  await expect(api(priya, 'case.decide', { caseId: found.caseId, outcome: found.outcome, reasons: 'No note.' })).rejects.toThrow(
    /VALIDATION/,
  );
  await dialog.getByRole('textbox', { name: /Consistency note/ }).fill('The buyer sent the carrier’s written confirmation.');
  await expect(send).toBeEnabled();
  await send.click();
  await expect(priya.getByTestId('decide-form')).toHaveCount(0);
  await expect(priya.getByTestId('note').filter({ hasText: 'carrier’s written confirmation' })).toBeVisible();

  const oleg = await pageFor(browser, 'oleg');
  await oleg.getByTestId('base-view').getByText('Team', { exact: true }).click();
  await expect(oleg.getByTestId('team-consistency')).toBeVisible({ timeout: 15_000 });
  await expect(oleg.getByTestId('consistency-row').filter({ hasText: 'Priya Nair' })).toBeVisible();
  await check(oleg, 'team-consistency', 'team-consistency');
});
