import { expect, test, type Locator, type Page } from '@playwright/test';
import type { CaseView } from '../../src-main/contract/views';
import { api, demoUser, intake, shot } from './helpers';

/**
 * Issue 17, accessibility: the whole mediator's day by keyboard alone. Diego signs in, opens
 * the queue, reads a case and goes back, takes the next one, asks the buyer for evidence,
 * publishes the two standard resolutions, decides with reasons once the parties disagree; then
 * Amara reviews the buyer's appeal. Only Tab, Shift+Tab, Enter, Space, the arrows, Escape and
 * the desk's letter shortcuts are pressed: no click anywhere (the parties act through the
 * marketplace feed, as they do). After every step the focus is on something, never on <body>,
 * and it shows (:focus-visible with a ring), dialogs closing included.
 */
test.setTimeout(240_000);

interface FocusState {
  on: string;
  lost: boolean;
  visible: boolean;
}

/** Where the keyboard is now, and whether the place shows it (for a grid, its active row). */
async function focusState(page: Page): Promise<FocusState> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    const name = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}${
        el.getAttribute('aria-label') ? `[${el.getAttribute('aria-label')}]` : ''
      } "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    if (!a || a === document.body || a === document.documentElement) return { on: 'body', lost: true, visible: false };
    const ring = (el: Element) => {
      const s = getComputedStyle(el);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    };
    const active = a.getAttribute('aria-activedescendant');
    const shownOn = active ? document.getElementById(active) : null;
    // A text field shows the caret and its focused border; any other control needs its ring.
    const field = a.tagName === 'INPUT' || a.tagName === 'TEXTAREA';
    // A visually hidden radio (the screen switch) shows its ring on its label.
    // A table row shows it on its first cell (an inset bar beside the row's tint).
    const labels = [...((a as HTMLInputElement).labels ?? [])];
    const cell = a.tagName === 'TR' ? a.firstElementChild : null;
    const visible = field || (a.matches(':focus-visible') && [a, shownOn, cell, ...labels].some((el) => !!el && ring(el)));
    return { on: name(a), lost: false, visible };
  });
}

async function expectFocusShown(page: Page, step: string): Promise<void> {
  // Dialogs hand the focus back during their exit transition.
  await expect.poll(async () => (await focusState(page)).lost, { message: `${step}: focus lost to <body>`, timeout: 3_000 }).toBe(false);
  const f = await focusState(page);
  expect(f, `${step}: the focus on ${f.on} does not show`).toMatchObject({ lost: false, visible: true });
}

/** Tab (or Shift+Tab) until `target` has the focus; fails when it is not reachable in `max` presses. */
async function tabTo(page: Page, target: Locator, step: string, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  for (let i = 0; i < (opts.max ?? 40); i++) {
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)).catch(() => false)) {
      await expectFocusShown(page, step);
      return;
    }
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${step}: not reached by ${opts.back ? 'Shift+Tab' : 'Tab'} (focus on ${(await focusState(page)).on})`);
}

async function signInByKeyboard(page: Page, id: string): Promise<void> {
  const user = demoUser(id);
  await page.goto('/');
  await expect(page.getByRole('textbox', { name: 'User id' })).toBeFocused();
  await page.keyboard.type(user.userId);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'Password' })).toBeFocused();
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('signed-in-user')).toBeVisible({ timeout: 30_000 });
}

test('the whole mediator flow and the appeal review work by keyboard alone, the focus always shown', async ({ page, browser }) => {
  await signInByKeyboard(page, 'diego');
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await expect(page.getByTestId('loaded-count')).toBeVisible({ timeout: 30_000 });
  await expectFocusShown(page, 'signed in, the queue');

  // The queue: 2 for Unassigned, the arrows move the selection, Enter opens, Escape comes back.
  await page.keyboard.press('2');
  await expect(page.getByRole('tab', { name: /Unassigned/ })).toHaveAttribute('aria-selected', 'true');
  await expectFocusShown(page, 'Unassigned tab');
  await page.keyboard.press('ArrowDown');
  const selected = page.locator('[data-testid="queue-row"][aria-selected="true"]');
  const readId = (await selected.getAttribute('data-case-id'))!;
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-title')).toHaveText(readId);
  await expect(page.getByTestId('case-headline')).toBeVisible();
  await expectFocusShown(page, 'a case opened from the queue');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await expect(selected).toHaveAttribute('data-case-id', readId);
  await expectFocusShown(page, 'back in the queue');

  // n takes the next case and opens it.
  await page.keyboard.press('n');
  const screen = page.getByTestId('case-screen');
  await expect(screen.getByTestId('status-badge').first()).toHaveText('In review');
  const caseId = (await page.getByTestId('case-title').textContent())!;
  await expectFocusShown(page, 'the case taken');

  // e: the evidence request. A template by keyboard, the text typed, the request sent from its button.
  await page.keyboard.press('e');
  const request = page.getByTestId('request-evidence-form');
  await expect(request).toBeVisible();
  await expectFocusShown(page, 'evidence request opened');
  await tabTo(page, request.getByRole('textbox', { name: 'Request text' }), 'evidence request text');
  await page.keyboard.type('Please send a photo of the parcel label and of the item as it arrived.');
  await tabTo(page, request.getByRole('button', { name: 'Send request' }), 'evidence request send');
  await shot(page, '95-keyboard-evidence-request');
  await page.keyboard.press('Enter');
  await expect(request).toBeHidden();
  await expect(screen.getByTestId('status-badge').first()).toHaveText('Awaiting evidence');
  await expectFocusShown(page, 'evidence request sent');

  // The buyer answers through the marketplace.
  await intake(page, 'party.submitEvidence', {
    caseId,
    party: 'buyer',
    file: { name: 'label.jpg', mediaType: 'image/jpeg', sizeBytes: 120_000, sha256: 'cd'.repeat(32) },
    note: 'The label and the item.',
  });
  await expect(screen.getByTestId('status-badge').first()).toHaveText('In review');
  await expectFocusShown(page, 'evidence arrived (a live update)');

  // p: the two standard resolutions, published from their button.
  await page.keyboard.press('p');
  const propose = page.getByTestId('propose-form');
  await expect(propose.getByTestId('proposal-option').first()).toBeVisible();
  await expectFocusShown(page, 'publish dialog opened');
  await tabTo(page, propose.getByRole('button', { name: 'Publish to both parties' }), 'publish button');
  await shot(page, '96-keyboard-publish');
  await page.keyboard.press('Enter');
  await expect(propose).toBeHidden();
  await expect(screen.getByTestId('status-badge').first()).toHaveText('Awaiting replies');
  await expectFocusShown(page, 'resolutions published');

  // Both parties reject: the mediator must decide from the published options.
  await intake(page, 'party.reply', { caseId, party: 'buyer', choice: 'reject' });
  await intake(page, 'party.reply', { caseId, party: 'seller', choice: 'reject' });
  await expect(page.getByTestId('forced-callout')).toBeVisible();
  await expectFocusShown(page, 'forced decision (a live update)');

  // d: the decision. The outcome by the arrows, the reasons typed, the note when asked, sent by its button.
  await page.keyboard.press('d');
  const decide = page.getByTestId('decide-form');
  await expect(decide).toBeVisible();
  await expectFocusShown(page, 'decide opened');
  const view = await api<CaseView>(page, 'case.get', { caseId });
  const options = view.proposal!.options.map((o) => o.kind);
  await tabTo(page, decide.getByRole('radio').first(), 'decide outcome');
  if (options.length > 1) {
    await page.keyboard.press('ArrowRight');
    await expect(decide.getByTestId(`outcome-${options[1]}`)).toHaveAttribute('aria-checked', 'true');
    await expectFocusShown(page, 'decide outcome moved by an arrow');
  }
  await tabTo(page, decide.getByRole('textbox', { name: 'Reasons' }), 'decide reasons');
  await page.keyboard.type('Neither party accepted; the evidence supports this published option.');
  const note = decide.getByTestId('consistency-note');
  await page.waitForTimeout(1_000); // the consistency check answers a moment after the outcome
  if (await note.isVisible()) {
    await tabTo(page, note, 'consistency note');
    await page.keyboard.type('The label photo settles it.');
  }
  const send = decide.getByRole('button', { name: 'Decide and send the letters' });
  await expect(send).toBeEnabled();
  await tabTo(page, send, 'decide send');
  await shot(page, '97-keyboard-decide');
  await page.keyboard.press('Enter');
  await expect(decide).toBeHidden();
  await expect(screen.getByTestId('status-badge').first()).toHaveText('Closed');
  await expectFocusShown(page, 'decided');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('queue-screen')).toBeVisible();
  await expectFocusShown(page, 'back in the queue after deciding');

  // The buyer appeals; Amara reviews it, by keyboard too.
  await intake(page, 'party.appeal', { caseId, party: 'buyer', grounds: 'outcome', text: 'The label shows a different town.' });
  const sup = await (await browser.newContext()).newPage();
  await signInByKeyboard(sup, 'amara');
  await expectFocusShown(sup, 'supervisor signed in');
  const appeals = sup.getByTestId('base-view').getByText('Appeals', { exact: true });
  await tabTo(sup, sup.getByTestId('base-view'), 'the screen switch');
  // The switch is a radio group (Cases, Appeals, Team, …): the right arrow moves to Appeals.
  await sup.keyboard.press('ArrowRight');
  await expect(sup.getByTestId('appeals-screen')).toBeVisible();
  await expect(appeals).toBeVisible();
  await expectFocusShown(sup, 'appeals screen');
  const row = sup.locator(`[data-testid="appeal-row"][data-case-id="${caseId}"]`);
  await expect(row).toBeVisible();
  await tabTo(sup, row, 'the appeal row');
  await sup.keyboard.press('Enter');
  await expect(sup.getByTestId('case-title')).toHaveText(caseId);
  await expectFocusShown(sup, 'appealed case opened');
  await sup.keyboard.press('u');
  const review = sup.getByTestId('appeal-review-form');
  await expect(review).toBeVisible();
  await expectFocusShown(sup, 'review opened');
  await tabTo(sup, review.getByRole('textbox', { name: 'Review reasons' }), 'review reasons');
  await sup.keyboard.type('The label shows the buyer’s own town; the decision stands.');
  await tabTo(sup, review.getByTestId('review-submit'), 'review submit');
  await shot(sup, '98-keyboard-appeal-review');
  await sup.keyboard.press('Enter');
  await expect(review).toBeHidden();
  await expect(sup.getByTestId('case-screen').getByTestId('status-badge').first()).toHaveText('Final');
  await expectFocusShown(sup, 'appeal reviewed');
  await sup.keyboard.press('Escape');
  await expect(sup.getByTestId('appeals-screen')).toBeVisible();
  await expectFocusShown(sup, 'back in the appeals queue');
  await sup.context().close();
});
