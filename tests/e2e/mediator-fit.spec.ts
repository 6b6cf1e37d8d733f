import { expect, test, type Page } from '@playwright/test';
import { violations } from './checks';
import { api, demoUser, farDecision, SCREENS, signIn } from './helpers';

/**
 * Issue 17, items 3 and 10 as a mediator with 300 cases a day meets them: the Decide dialog's
 * Reasons stay in view at 1440 × 900 with the nearest past decisions and the consistency note
 * open, and no queue cell is cut at the four sizes a desk is used at, in a locale with the
 * longest times (a mediator's tabs; a supervisor's "All open" adds the Assignee column).
 */
test.setTimeout(150_000);

test.describe('at 1440 × 900', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('Decide: the Reasons box is in view with the nearest past decisions and the note open', async ({ page }) => {
    await signIn(page, demoUser('tomas'));
    const far = await farDecision(page, 3);
    await api(page, 'case.claim', { caseId: far.caseId });
    await page.goto(`/#/case/${far.caseId}`);
    await expect(page.getByTestId('case-headline')).toBeVisible();
    await page.keyboard.press('d');
    const dialog = page.getByTestId('decide-form');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId(`outcome-${far.outcome}`).click();
    await expect(dialog.getByTestId('consistency-far')).toBeVisible();
    // The nearest past decisions: folded to a summary line, opened on request.
    const table = dialog.getByRole('table', { name: 'Nearest past decisions' });
    if (!(await table.isVisible())) await dialog.getByTestId('consistency-toggle').click();
    await expect(dialog.getByTestId('near-decision').first()).toBeVisible();

    // Nothing scrolled: the Reasons box shows whole inside its column and the window.
    const inView = await dialog.getByRole('textbox', { name: 'Reasons' }).evaluate((el) => {
      const column = el.closest('.dialog-column')!;
      const r = el.getBoundingClientRect();
      const c = column.getBoundingClientRect();
      return { scrolled: column.scrollTop, top: r.top >= c.top - 1, bottom: r.bottom <= Math.min(c.bottom, window.innerHeight) + 1 };
    });
    expect(inView).toEqual({ scrolled: 0, top: true, bottom: true });
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SCREENS}/fit-decide-far-1440x900.png` });
    for (const size of [
      { width: 1024, height: 700 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(size);
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${SCREENS}/fit-decide-far-${size.width}x${size.height}.png` });
    }
  });
});

test.describe('at 1024 × 700', () => {
  test.use({ viewport: { width: 1024, height: 700 } });

  test('Decide: the Reasons box and the Decide button start in view, for a buyer without risk signals and a risky one', async ({
    page,
  }) => {
    await signIn(page, demoUser('tomas'));
    // A buyer scoring 0 (the dialog's own layout), then a risky one whose summary once took four
    // lines above the outcome (CI: the field at -36 px for a buyer at 77): at 1024 × 700 and 640.
    const open = await api<{ rows: Array<{ id: string; buyerScore: number | null }> }>(page, 'queue.list', {
      scope: 'unassigned',
      limit: 100,
    });
    const calm = open.rows.find((r) => r.buyerScore === 0)?.id;
    expect(calm, 'an unassigned case whose buyer scores 0').toBeTruthy();
    let risky: string | undefined;
    for (const r of open.rows.filter((x) => (x.buyerScore ?? 0) >= 70)) {
      const v = await api<{ buyerRisk: { reasons: string[] } }>(page, 'case.get', { caseId: r.id });
      if (v.buyerRisk.reasons.length >= 4) {
        risky = r.id;
        break;
      }
    }
    expect(risky, 'an unassigned case whose buyer scores 70 or more with four reasons or more').toBeTruthy();
    for (const caseId of [calm!, risky!]) {
      await api(page, 'case.claim', { caseId });
      await page.setViewportSize({ width: 1024, height: 700 });
      await page.goto(`/#/case/${caseId}`);
      await expect(page.getByTestId('case-headline')).toBeVisible();
      await page.keyboard.press('d');
      const dialog = page.getByTestId('decide-form');
      await expect(dialog).toBeVisible();
      await dialog.getByTestId('outcome-partial').click();
      for (const height of [700, 640]) {
        await page.setViewportSize({ width: 1024, height });
        await page.waitForTimeout(300);
        const label = `${caseId === calm ? 'calm' : 'risky'} buyer at 1024 × ${height}`;
        // Seen in the 1024 × 700 screenshot: only the Reasons label showed, the field below the fold.
        const visible = await dialog.getByRole('textbox', { name: 'Reasons' }).evaluate((el) => {
          const column = el.closest('.dialog-column')!;
          const r = el.getBoundingClientRect();
          const c = column.getBoundingClientRect();
          return {
            scrolled: column.scrollTop,
            shown: Math.round(Math.min(r.bottom, c.bottom, window.innerHeight) - Math.max(r.top, c.top)),
          };
        });
        expect.soft(visible.scrolled, label).toBe(0);
        // Three lines of text or more (~22 px each) without scrolling.
        expect.soft(visible.shown, label).toBeGreaterThanOrEqual(66);
        // The send button inside the window, and the buyer's risk still shown (issue 17, item 5).
        const send = (await dialog.getByRole('button', { name: 'Decide and send the letters' }).boundingBox())!;
        expect.soft(send.y + send.height, label).toBeLessThanOrEqual(height);
        const risk = (await dialog.getByTestId('decide-risk').boundingBox())!;
        expect.soft(risk.y, label).toBeGreaterThanOrEqual(0);
        await page.screenshot({ path: `${SCREENS}/fit-decide-${caseId === calm ? '' : 'risky-'}1024x${height}.png` });
      }
      if (caseId === risky) {
        // The summary keeps two lines; the rest opens by keyboard from its button, which says its state.
        const more = dialog.getByTestId('decide-risk-more');
        await expect(more).toHaveAttribute('aria-expanded', 'false');
        const clamped = (await dialog.getByTestId('decide-risk-text').boundingBox())!.height;
        await more.focus();
        await page.keyboard.press('Enter');
        await expect(more).toHaveAttribute('aria-expanded', 'true');
        await expect(dialog).toBeVisible(); // Enter on it neither sent the form nor closed the dialog
        expect((await dialog.getByTestId('decide-risk-text').boundingBox())!.height).toBeGreaterThan(clamped + 10);
        // The button and the opened summary pass axe-core's WCAG 2.2 AA rules (contrast on the risk colour, name, state).
        expect(await violations(page, 'decide dialog, risk summary open')).toEqual([]);
        await page.keyboard.press('Enter');
        await expect(more).toHaveAttribute('aria-expanded', 'false');
      }
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
  });

  test('the case headline wraps without a line starting with its separator', async ({ page }) => {
    await signIn(page, demoUser('tomas'));
    const { caseId } = await api<{ caseId: string }>(page, 'case.claimNext', {});
    await page.goto(`/#/case/${caseId}`);
    const headline = page.getByTestId('case-headline');
    await expect(headline).toBeVisible();
    // Seen at 1024 × 700: the second line began "· Escalated 25 Nov…". A separator shows only with
    // an item before it on its line.
    const report = await headline.evaluate((box) => {
      const clip = box.getBoundingClientRect();
      const items = [...box.querySelectorAll<HTMLElement>('[data-headline-separator]')].map((sep) => ({
        sep: sep.getBoundingClientRect(),
        item: sep.parentElement!.getBoundingClientRect(),
      }));
      const lines = new Set(items.map((i) => Math.round(i.item.top))).size;
      const stray = items.filter(
        (i) => i.sep.right > clip.left + 1 && !items.some((o) => Math.abs(o.item.top - i.item.top) < 2 && o.item.right <= i.item.left + 1),
      ).length;
      return { lines, stray };
    });
    expect(report.lines, 'the headline wraps at this width (else the check proves nothing)').toBeGreaterThan(1);
    expect(report.stray).toBe(0);
    await page.screenshot({ path: `${SCREENS}/fit-case-headline-1024x700.png` });
  });
});

/**
 * Every cell (or a line inside it) of each queue row in view, and every column header, whose text
 * is wider than its box, or taller (a name clamped to two lines).
 */
async function cutCells(page: Page): Promise<string[]> {
  return page.getByTestId('queue-list').evaluate((list) =>
    [...list.querySelectorAll<HTMLElement>('[role="gridcell"], [role="columnheader"]')].flatMap((cell) =>
      [cell, ...cell.querySelectorAll<HTMLElement>('*')]
        .filter((el) => {
          const s = getComputedStyle(el);
          const wide = el.scrollWidth > el.clientWidth + 1 && s.overflowX !== 'visible';
          const tall = el.scrollHeight > el.clientHeight + 2 && s.overflowY !== 'visible';
          return wide || tall;
        })
        .map(
          (el) =>
            `${el.closest('[data-case-id]')?.getAttribute('data-case-id') ?? 'header'} "${el.textContent}" ${el.scrollWidth} > ${el.clientWidth}`,
        ),
    ),
  );
}

/**
 * The widest blank between two neighbouring columns' texts over the rows in view: from the right
 * edge of the widest text of one column to the left edge of the leftmost text of the next (the
 * last column's room after its text is the row's end, not a gap).
 */
async function widestGap(page: Page): Promise<{ gap: number; between: string }> {
  return page.getByTestId('queue-list').evaluate((list) => {
    const textBox = (cell: Element) => {
      let left = Infinity;
      let right = -Infinity;
      const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.textContent?.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(n);
        const r = range.getBoundingClientRect();
        if (r.width === 0) continue;
        left = Math.min(left, r.left);
        right = Math.max(right, r.right);
      }
      return { left, right };
    };
    const rows = [...list.querySelectorAll('[data-testid="queue-row"]')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.top >= 0 && b.bottom <= window.innerHeight;
    });
    const heads = [...list.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent ?? '');
    const columns = heads.map((_, i) => rows.map((r) => textBox(r.querySelectorAll('[role="gridcell"]')[i]!)));
    let widest = { gap: 0, between: '' };
    for (let i = 0; i + 1 < columns.length; i++) {
      const right = Math.max(...columns[i]!.map((b) => b.right).filter(Number.isFinite));
      const left = Math.min(...columns[i + 1]!.map((b) => b.left).filter(Number.isFinite));
      if (left - right > widest.gap) widest = { gap: Math.round(left - right), between: `${heads[i]} / ${heads[i + 1]}` };
    }
    return widest;
  });
}

async function expectQueueWhole(page: Page, tab: RegExp, label: string): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
  await expect(page.getByTestId('queue-row').first()).toBeVisible({ timeout: 30_000 });
  await page.waitForTimeout(300);
  expect(await cutCells(page), `${label} ${String(tab)}`).toEqual([]);
  // And the list does not scroll sideways.
  const list = page.getByTestId('queue-list');
  expect(await list.evaluate((el) => el.scrollWidth <= el.clientWidth + 1), `${label} ${String(tab)} sideways`).toBe(true);
  // Nor does a wide window leave a wide blank between two columns (at 1920: 370 px between Reason and Claim).
  const gap = await widestGap(page);
  expect(gap.gap, `${label} ${String(tab)}: the blank between ${gap.between}`).toBeLessThanOrEqual(160);
  await page.screenshot({ path: `${SCREENS}/fit-queue-${String(tab).replace(/\W/g, '')}-${label}.png` });
}

// The sizes a desk is used at; en-US writes the longest times ("Nov 24, 06:30 AM", cut at 1440 × 900
// as "Nov 24, 06:…"), en-GB the desk's test default ("24 Nov, 06:30").
for (const size of [
  { width: 1024, height: 640 },
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
]) {
  for (const locale of ['en-US', 'en-GB']) {
    test.describe(`at ${size.width} × ${size.height}, ${locale}`, () => {
      test.use({ viewport: size, locale });

      test("no queue cell is cut: Unassigned, Mine and a supervisor's All open", async ({ page, browser }) => {
        const label = `${size.width}x${size.height}-${locale}`;
        await signIn(page, demoUser('priya'));
        // Mine with rows in it: a few cases taken.
        for (let i = 0; i < 12; i++) await api(page, 'case.claimNext', {});
        for (const tab of [/Unassigned/, /Mine/]) await expectQueueWhole(page, tab, label);
        // The supervisor's All open adds the Assignee column.
        const context = await browser.newContext({ viewport: size, locale, timezoneId: 'Europe/Berlin' });
        const sup = await context.newPage();
        await signIn(sup, demoUser('amara'));
        await expectQueueWhole(sup, /All open/, label);
        // The widest window the desk supports, in the same sessions (a sign-in less per size).
        if (size.width === 1920)
          for (const [p, tab] of [
            [page, /Unassigned/],
            [sup, /All open/],
          ] as const) {
            await p.setViewportSize({ width: 2560, height: 1440 });
            await expectQueueWhole(p, tab, `2560x1440-${locale}`);
          }
        await context.close();
      });
    });
  }
}
