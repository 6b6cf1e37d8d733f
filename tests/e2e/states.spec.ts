import { expect, test, type Page } from '@playwright/test';
import { layoutProblems, SUPPORTED_SIZES, violations } from './checks';
import { api, demoUser, SCREENS, signIn } from './helpers';

/**
 * The states an outside suite opens and screens.spec.ts / accessibility.spec.ts did not: each
 * command dialog, menu, drawer and toast open, an empty list and a field's error, checked at
 * every supported size for layout (checks.ts: nothing cut, overlapped or off the window) and by
 * axe-core (no serious or critical WCAG 2.2 AA violation). Found this way (issue 17): the
 * risk slider's thumb had no name, menus held a heading that is not an item, the empty queue
 * put a paragraph straight into its grid, a field's error message was red-6 (3.3:1), the team
 * table's "worth a look" badge ran over the next column, and a search hit cut its buyer and
 * reason with no way to read them. Then (issue 17, second pass) the policy preview's result,
 * a scorecard form and the blind second-opinion list above a mediator's queue.
 */
const SIZES = SUPPORTED_SIZES;

async function check(page: Page, found: string[], state: string): Promise<void> {
  await page.waitForTimeout(350); // transitions and the one-second clock settle
  const size = page.viewportSize()!;
  await page.screenshot({ path: `${SCREENS}/states/${size.width}x${size.height}/${state}.png` });
  for (const p of await layoutProblems(page)) found.push(`${state} at ${size.width}×${size.height}: ${p.what}: ${p.detail}`);
  found.push(...(await violations(page, state)));
}

const nav = (page: Page, label: string) => page.getByTestId('base-view').getByText(label, { exact: true }).click();

for (const size of SIZES) {
  test.describe(`${size.width}×${size.height}`, () => {
    test.use({ viewport: size });
    test.setTimeout(180_000);

    test('the mediator’s menus, dialogs, toasts and empty list fit and pass axe', async ({ page }) => {
      const found: string[] = [];
      await signIn(page, demoUser('wei'));
      await page.getByRole('tab', { name: /Unassigned/ }).click();
      await expect(page.getByTestId('queue-row').first()).toBeVisible({ timeout: 30_000 });

      await page.getByTestId('filters-button').click();
      await expect(page.getByTestId('filters-panel')).toBeVisible();
      await check(page, found, 'filters-open');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('filters-panel')).toBeHidden();

      await page.getByTestId('views-menu').click();
      await expect(page.getByRole('menu')).toBeVisible();
      await check(page, found, 'views-menu');
      await page.keyboard.press('Escape');

      await page.getByTestId('search-input').fill('D-1000');
      await expect(page.getByTestId('search-hit').first()).toBeVisible();
      await check(page, found, 'search-hits');
      await page.keyboard.press('Escape');

      // A filter nothing matches: the list's empty state.
      await page.goto(`${page.url()}&minAmountMinor=99999999999900`);
      await expect(page.getByTestId('queue-empty')).toBeVisible();
      await check(page, found, 'queue-empty');

      const list = await api<{ rows: Array<{ id: string }> }>(page, 'queue.list', { scope: 'unassigned', reason: ['defective'], limit: 1 });
      const id = list.rows[0]!.id;
      await api(page, 'case.claim', { caseId: id });
      await page.goto(`/#/case/${id}`);
      await expect(page.getByTestId('case-headline')).toBeVisible();
      for (const [key, form, state] of [
        ['d', 'decide-form', 'decide'],
        ['e', 'request-evidence-form', 'request-evidence'],
        ['p', 'propose-form', 'publish-resolutions'],
      ] as const) {
        await page.keyboard.press(key);
        await expect(page.getByTestId(form)).toBeVisible();
        await check(page, found, state);
        await page.keyboard.press('Escape');
        await expect(page.getByTestId(form)).toBeHidden();
      }
      await page.getByTestId('release-case').click();
      await expect(page.getByTestId('release-form')).toBeVisible();
      await check(page, found, 'release');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('release-form')).toBeHidden();

      // A note written: the toast shows over the case.
      await page.getByTestId('note-input').fill('Tracking checked with the carrier.');
      await page.getByTestId('note-add').click();
      await expect(page.getByText('Note saved.')).toBeVisible();
      await check(page, found, 'note-saved-toast');
      expect(found).toEqual([]);
    });

    test('the supervisor’s menus, dialogs and drawers fit and pass axe', async ({ page }) => {
      const found: string[] = [];
      await signIn(page, demoUser('amara'));

      await nav(page, 'Team');
      await expect(page.getByTestId('team-screen')).toBeVisible();
      await page.waitForLoadState('networkidle');
      await check(page, found, 'team');
      // Opened from the keyboard: Enter puts focus on the first item, the arrow keys walk them.
      await page
        .getByTestId('team-screen')
        .getByRole('button', { name: /^(Assign|Reassign)/ })
        .first()
        .focus();
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('assign-menu')).toBeVisible();
      await expect(page.getByTestId('assign-option').first()).toBeFocused();
      await page.keyboard.press('ArrowDown');
      await expect(page.getByTestId('assign-option').nth(1)).toBeFocused();
      await check(page, found, 'team-assign-menu');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('assign-menu')).toBeHidden();

      await nav(page, 'Appeals');
      await page.getByTestId('appeal-row').first().click();
      await expect(page.getByTestId('case-headline')).toBeVisible();
      await page.keyboard.press('u');
      await expect(page.getByTestId('appeal-review-form')).toBeVisible();
      await check(page, found, 'appeal-review');
      await page.keyboard.press('Escape');
      await expect(page.getByTestId('appeal-review-form')).toBeHidden();

      await nav(page, 'Reports');
      await page.getByTestId('reports-table').locator('tbody button').first().click();
      await expect(page.getByTestId('reports-cases')).toBeVisible();
      await check(page, found, 'reports-drill-down');
      await page.keyboard.press('Escape');

      await nav(page, 'Users');
      await page.getByTestId('add-user').click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await check(page, found, 'users-add');
      await page.keyboard.press('Escape');

      await nav(page, 'Feeds');
      await page.getByTestId('feed-create').click();
      await expect(page.getByRole('dialog')).toBeVisible();
      await check(page, found, 'feeds-create');
      await page.keyboard.press('Escape');
      expect(found).toEqual([]);
    });

    test('the policy preview’s result, a scorecard form and the blind second-opinion list fit and pass axe', async ({
      page,
      playwright,
      baseURL,
    }) => {
      const found: string[] = [];
      await signIn(page, demoUser('amara'));

      // The policy preview's result: a draft rate, previewed on the last decided cases.
      await nav(page, 'Policy');
      const policy = page.getByTestId('policy-screen');
      await policy.getByTestId('rate-defective').fill('80');
      await policy.getByTestId('preview-n').fill('10');
      await policy.getByTestId('run-preview').click();
      const preview = policy.getByTestId('policy-preview');
      await expect(preview.getByTestId('preview-table')).toBeVisible({ timeout: 30_000 });
      await check(page, found, 'policy-preview-result');

      // A scorecard form: a pending sample the supervisor may score.
      await nav(page, 'Quality');
      const quality = page.getByTestId('quality-screen');
      const list = await api<{ rows: Array<{ caseId: string; mayScore: boolean }> }>(page, 'quality.list', {
        status: 'pending',
        limit: 200,
      });
      const sample = list.rows.find((r) => r.mayScore);
      expect(sample, 'the demo history leaves samples to score').toBeTruthy();
      await quality.locator(`[data-testid="quality-row"][data-case-id="${sample!.caseId}"]`).click();
      await expect(quality.getByTestId('scorecard-form')).toBeVisible();
      await check(page, found, 'scorecard-form');

      // The blind second decisions waiting above a mediator's queue: the policy draws every
      // case for a moment, Wei decides one, and the mediator drawn to decide it again signs in.
      const wei = await playwright.request.newContext({ baseURL });
      expect(await (await wei.post('/api/session/sign-in', { data: demoUser('wei') })).json()).toMatchObject({ ok: true });
      const call = async <T>(method: string, input: unknown) => {
        const body = (await (await wei.post(`/api/call/${method}`, { data: input })).json()) as { ok: boolean; value: T };
        expect(body.ok, method).toBe(true);
        return body.value;
      };
      type Policy = { version: number; policy: Record<string, unknown> };
      const setRate = async (rate: number) => {
        const cur = await api<Policy>(page, 'policy.get', {});
        await api(page, 'policy.publish', {
          policy: { ...cur.policy, doubleDecisionRate: rate },
          note: `blind double decisions at ${rate * 100} %`,
          basedOnVersion: cur.version,
        });
        return Number(cur.policy.doubleDecisionRate);
      };
      const rate = await setRate(1);
      const { caseId } = await call<{ caseId: string }>('case.claimNext', {});
      await call('case.decide', {
        caseId,
        outcome: 'none',
        reasons: 'The photos show no damage on arrival.',
        consistencyNote: 'No damage.',
      });
      await setRate(rate);
      await wei.dispose();
      const second = (await api<{ doubleDecision: { secondDecider: string } }>(page, 'case.get', { caseId })).doubleDecision.secondDecider;
      await page.context().clearCookies();
      await signIn(page, demoUser(second));
      await expect(page.getByTestId('blind-waiting').getByRole('button', { name: caseId })).toBeVisible({ timeout: 30_000 });
      await check(page, found, 'blind-second-opinions');
      expect(found).toEqual([]);
    });

    test('the analyst’s buyer page with a note missing fits and passes axe', async ({ page }) => {
      const found: string[] = [];
      await signIn(page, demoUser('hannah'));
      await page.getByTestId('buyer-row').first().click();
      await expect(page.getByTestId('buyer-screen')).toBeVisible();
      await page.getByTestId('flag-controls').getByRole('button', { name: 'Flag as serial disputer' }).click();
      await expect(page.getByTestId('flag-controls').getByText('A note is required')).toBeVisible();
      await check(page, found, 'buyer-flag-note-missing');
      expect(found).toEqual([]);
    });
  });
}
