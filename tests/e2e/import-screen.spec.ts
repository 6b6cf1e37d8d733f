import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { api, demoUser, deskNow, sampleDispute, SCREENSHOT_SIZES, shot, signIn } from './helpers';

/**
 * Issue 16 item 3: a dispute file imported from the supervisors' Feeds screen, in a real
 * browser with a real file: it goes up in chunks, the desk imports it in the background with
 * its progress shown, and the card ends with what was created and each refused line and why.
 */

const DAY = 86_400_000;

/** `n` disputes (several 512 KB chunks' worth) with two broken lines among them. */
function disputeFile(prefix: string, n: number, now: number): { text: string; bad: number[] } {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify(
        sampleDispute(`${prefix}-${i}`, now, {
          seller: 'S-import-e2e',
          escalatedAt: now - DAY + i * 1000,
          description: `The jacket is a different colour from the listing (${'a long account of what arrived '.repeat(20)}).`,
        }),
      ),
    );
  }
  const bad = [2, Math.floor(n / 2)];
  lines.splice(bad[0]!, 0, '{"id": "broken');
  lines.splice(bad[1]!, 0, JSON.stringify({ id: `${prefix}-no-order` }));
  return { text: `${lines.join('\n')}\n`, bad: bad.map((b) => b + 1) };
}

test('a dispute file imported from the Feeds screen: uploaded, imported with progress, refused lines listed', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, demoUser('oleg'));
  await page.getByTestId('supervisor-nav').getByText('Feeds', { exact: true }).click();
  const card = page.getByRole('region', { name: 'Import disputes from a file' });
  await expect(card).toBeVisible();

  const prefix = `D-IMP-${Date.now().toString(36)}`;
  const n = 1_200;
  const { text, bad } = disputeFile(prefix, n, await deskNow(page));
  expect(text.length).toBeGreaterThan(2 * 512 * 1024); // at least three chunks
  await card
    .locator('input[type="file"]')
    .setInputFiles({ name: 'escalated.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
  await card.getByRole('button', { name: 'Import' }).click();

  const result = card.getByTestId('import-result');
  await expect(result).toContainText('Imported', { timeout: 90_000 });
  await expect(result).toContainText(`${n.toLocaleString('en')} new`);
  await expect(result.getByTestId('import-refused')).toHaveText('2 refused');
  await expect(result).toContainText('by oleg');
  const refused = result.getByRole('region', { name: 'Refused lines' });
  for (const line of bad) await expect(refused.getByRole('cell', { name: String(line), exact: true })).toBeVisible();
  // The disputes are cases now.
  for (const i of [0, n - 1]) expect(await api(page, 'case.get', { caseId: `${prefix}-${i}` })).toMatchObject({ id: `${prefix}-${i}` });

  // The same file again: nothing new, every dispute already here.
  await card
    .locator('input[type="file"]')
    .setInputFiles({ name: 'escalated.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
  await card.getByRole('button', { name: 'Import' }).click();
  await expect(result).toContainText(`0 new, 0 updated, ${n.toLocaleString('en')} already here`, { timeout: 90_000 });

  for (const [width, height] of SCREENSHOT_SIZES) {
    await page.setViewportSize({ width, height });
    await shot(page, `feeds-import-${width}x${height}`);
  }
  const axe = await new AxeBuilder({ page })
    .include('[data-testid="import-card"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((x) => x.html.slice(0, 160)).join(' | ')}`)).toEqual([]);
});
