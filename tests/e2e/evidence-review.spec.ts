import { expect, test, type Page } from '@playwright/test';
import type { CaseView } from '../../src-main/contract/views';
import { api, demoUser, shot, signIn } from './helpers';

/**
 * The evidence review (issue 5 §6) on the demo cases whose evidence is real files
 * (demo/evidence.ts): Lena's D-900001 (a crushed parcel and a cracked phone; the
 * seller's "before packing" photo predates the order), D-900002 (the first buyer's parcel
 * photo, mirrored, from another account) and D-900003 (a video, and a photo taken before
 * delivery). Lena only reads and re-verifies here; no other spec touches these cases.
 */

const LENA = demoUser('lena');

async function openCase(page: Page, caseId: string): Promise<void> {
  await page.evaluate((id) => (window.location.hash = `#/case/${encodeURIComponent(id)}`), caseId);
  await expect(page.getByTestId('case-title')).toHaveText(caseId);
}

const card = (page: Page, name: string) => page.getByTestId('evidence-card').filter({ hasText: name });

test('a mediator reviews both parties’ files side by side, zooms, pans, walks them by keyboard and verifies a hash', async ({ page }) => {
  await signIn(page, LENA);
  // The demo case is on Lena's desk ("Mine").
  await expect(page.locator('[data-testid="queue-row"][data-case-id="D-900001"]')).toBeVisible();
  await page.locator('[data-testid="queue-row"][data-case-id="D-900001"]').click();
  await expect(page.getByTestId('case-title')).toHaveText('D-900001');

  // The case screen's evidence section: thumbnails from the store, warning badges, the way in.
  const panel = page.getByTestId('evidence-panel');
  await expect(panel.getByTestId('open-evidence-review')).toBeVisible();
  await expect(panel.locator('.ev-thumb img').first()).toHaveJSProperty('complete', true);
  expect(
    await panel
      .locator('.ev-thumb img')
      .first()
      .evaluate((img: HTMLImageElement) => img.naturalWidth),
  ).toBeGreaterThan(0);
  await expect(panel.locator('[data-testid="evidence-warning-badge"][data-code="reused_other_account"]')).toBeVisible();
  // Only the parcel photo is another account’s (D-900002 sends it mirrored); the tracking page is the seller’s own.
  await expect(panel.locator('[data-testid="evidence-warning-badge"][data-code="reused_other_account"]')).toHaveCount(1);
  await expect(panel.locator('[data-testid="evidence-warning-badge"][data-code="captured_before_order"]')).toBeVisible();
  await panel.scrollIntoViewIfNeeded();
  await shot(page, '70-case-evidence-section');

  // `v` opens the review.
  await page.keyboard.press('v');
  const review = page.getByTestId('evidence-review');
  await expect(review).toBeVisible();
  const view = await api<CaseView>(page, 'case.get', { caseId: 'D-900001' });

  // Side by side: the buyer's files left, the seller's right, each under the request it answers.
  const buyer = review.getByTestId('evidence-column-buyer');
  const seller = review.getByTestId('evidence-column-seller');
  await expect(buyer.getByTestId('evidence-card')).toHaveCount(view.evidence.filter((e) => e.party === 'buyer').length);
  await expect(seller.getByTestId('evidence-card')).toHaveCount(view.evidence.filter((e) => e.party === 'seller').length);
  const buyerBox = (await buyer.boundingBox())!;
  const sellerBox = (await seller.boundingBox())!;
  expect(sellerBox.x).toBeGreaterThan(buyerBox.x + buyerBox.width - 1);
  expect(Math.abs(sellerBox.y - buyerBox.y)).toBeLessThan(4);
  for (const r of view.evidenceRequests) {
    const column = r.party === 'buyer' ? buyer : seller;
    const group = column.locator(`[data-testid="evidence-group"][data-request-id="${r.id}"]`);
    await expect(group.getByTestId('evidence-group-request')).toHaveText(r.request);
    for (const e of view.evidence.filter((x) => x.requestId === r.id))
      await expect(group.getByTestId('evidence-card').filter({ hasText: e.name })).toBeVisible();
  }
  await expect(buyer.getByTestId('evidence-group-request').last()).toHaveText('Submitted at escalation');
  await expect(
    buyer.locator('[data-request-id=""]').getByTestId('evidence-card').filter({ hasText: 'IMG_20260312_181544.jpg' }),
  ).toBeVisible();

  // The first file is shown large: a picture the HTTP carrier served with the session cookie.
  const viewer = review.getByTestId('evidence-viewer');
  const image = review.getByTestId('viewer-image');
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(review.getByTestId('evidence-position')).toHaveText(`1 of ${view.evidence.length}`);

  // Zoom: +, the wheel, fit; pan by dragging.
  const fitted = Number(await viewer.getAttribute('data-zoom'));
  expect(fitted).toBeGreaterThan(0);
  await page.keyboard.press('+');
  await expect.poll(async () => Number(await viewer.getAttribute('data-zoom'))).toBeGreaterThan(fitted);
  const box = (await viewer.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const beforeWheel = Number(await viewer.getAttribute('data-zoom'));
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => Number(await viewer.getAttribute('data-zoom'))).toBeGreaterThan(beforeWheel);
  await expect(review.getByTestId('evidence-zoom')).toHaveText(`${await viewer.getAttribute('data-zoom')} %`);
  const transformBefore = await image.evaluate((img: HTMLImageElement) => img.style.transform);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 6 });
  await page.mouse.up();
  const transformAfter = await image.evaluate((img: HTMLImageElement) => img.style.transform);
  expect(transformAfter).not.toBe(transformBefore);
  const [, x0, y0] = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(transformBefore)!.map(Number);
  const [, x1, y1] = /translate\(([-\d.]+)px, ([-\d.]+)px\)/.exec(transformAfter)!.map(Number);
  expect(Math.round(x1! - x0!)).toBe(-120);
  expect(Math.round(y1! - y0!)).toBe(-60);
  await shot(page, '71-evidence-review-zoomed');
  await page.keyboard.press('0');
  await expect.poll(async () => Number(await viewer.getAttribute('data-zoom'))).toBe(fitted);

  // Keyboard: →/j next, ←/k previous, in reading order (buyer column, then seller column).
  const selected = () => review.locator('[data-testid="evidence-card"][aria-current="true"]');
  const first = await selected().getAttribute('data-sha256');
  await page.keyboard.press('ArrowRight');
  await expect(review.getByTestId('evidence-position')).toHaveText(`2 of ${view.evidence.length}`);
  await expect(selected()).not.toHaveAttribute('data-sha256', first!);
  await page.keyboard.press('j');
  await expect(review.getByTestId('evidence-position')).toHaveText(`3 of ${view.evidence.length}`);
  await page.keyboard.press('k');
  await page.keyboard.press('ArrowLeft');
  await expect(review.getByTestId('evidence-position')).toHaveText(`1 of ${view.evidence.length}`);
  await expect(selected()).toHaveAttribute('data-sha256', first!);

  // The reused parcel photo: a red warning naming the other account's case, and the match.
  await card(page, 'IMG_20260312_181544.jpg').click();
  const info = review.getByTestId('evidence-info');
  await expect(info.getByTestId('evidence-info-name')).toHaveText('IMG_20260312_181544.jpg');
  const reused = info.locator('[data-testid="evidence-warning"][data-code="reused_other_account"]');
  await expect(reused).toBeVisible();
  await expect(reused).toHaveAttribute('data-tone', 'red');
  await expect(reused).toContainText('D-900002');
  await expect(reused).toContainText('mirrored');
  await expect(reused.getByTestId('evidence-warning-case')).toHaveAttribute('href', '#/case/D-900002');
  await expect(info.getByTestId('evidence-reuse-row')).toHaveCount(1);
  await expect(info.getByTestId('evidence-reuse-case')).toHaveText('D-900002');
  await expect(info.getByTestId('evidence-reuse-row')).toContainText('mirrored left–right');
  await expect(info.getByTestId('evidence-info-answers')).toContainText('Sent with the escalated dispute');

  // Verify: the stored bytes are re-hashed now.
  await page.keyboard.press('v');
  const result = info.getByTestId('evidence-verify-result');
  await expect(result).toHaveAttribute('data-intact', 'true');
  await expect(result).toContainText('Evidence intact ✓');
  await expect(result).toContainText('checked at');
  await shot(page, '72-evidence-review-reuse-verified');

  // The seller's "before packing" photo was taken weeks before the order.
  await card(page, 'phone_before_packing.jpg').click();
  await expect(info.locator('[data-testid="evidence-warning"][data-code="captured_before_order"]')).toContainText(
    'before the order was placed',
  );
  await expect(info.getByTestId('capture-relation')).toContainText('before the order');
  await expect(info.getByTestId('evidence-info-answers')).toContainText('A photo of this phone before it was packed.');

  // The other case id is a link: it opens that case, where the same warning points back.
  await card(page, 'IMG_20260312_181544.jpg').click();
  await info.getByTestId('evidence-reuse-case').click();
  await expect(page.getByTestId('case-title')).toHaveText('D-900002');
  await expect(page.getByTestId('evidence-panel').getByTestId('open-evidence-review')).toBeVisible();
  await page.keyboard.press('v');
  await card(page, 'parcel_damage.jpg').click();
  await expect(info.locator('[data-testid="evidence-warning"][data-code="reused_other_account"]')).toContainText('D-900001');
  await expect(info.locator('[data-testid="evidence-warning"][data-code="no_capture_time"]')).toHaveAttribute('data-tone', 'gray');
  // A BMP from the seller, shown through its display copy.
  await card(page, 'warehouse_scan.bmp').click();
  await expect.poll(() => review.getByTestId('viewer-image').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(info).toContainText('BMP');

  // Esc goes back to the case screen.
  await page.keyboard.press('Escape');
  await expect(review).toHaveCount(0);
  await expect(page.getByTestId('case-screen')).toBeVisible();
});

test('a video plays in the review, with seeking by range requests; a photo taken before delivery is flagged', async ({ page }) => {
  await signIn(page, LENA);
  await openCase(page, 'D-900003');
  await page.getByTestId('open-evidence-review').click();
  const review = page.getByTestId('evidence-review');
  await expect(review).toBeVisible();

  // Answered requests of the buyer with the video and the photo; the seller's QC picture (a BMP).
  await expect(review.getByTestId('evidence-column-buyer').getByTestId('evidence-group-request').first()).toContainText(
    'video of the phone on its charger',
  );
  await card(page, 'VID_20260318_2011.webm').click();
  const video = review.getByTestId('viewer-video');
  await expect(video).toBeVisible();
  await expect(video).toHaveAttribute('controls', '');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThanOrEqual(1);
  expect(await video.evaluate((v: HTMLVideoElement) => Math.round(v.duration))).toBe(3);
  await video.evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
  });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).toBeGreaterThan(0.3);
  await video.evaluate((v: HTMLVideoElement) => {
    v.pause();
    v.currentTime = 2.5;
  });
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(2.4);
  await shot(page, '73-evidence-review-video');

  // The same carrier answers a range with 206 and the type recorded from the bytes.
  const sha = (await card(page, 'VID_20260318_2011.webm').getAttribute('data-sha256'))!;
  const part = await page.request.get(`/api/evidence/${sha}?variant=original`, { headers: { Range: 'bytes=0-99' } });
  expect(part.status()).toBe(206);
  expect(part.headers()['content-type']).toBe('video/webm');
  expect(part.headers()['content-range']).toMatch(/^bytes 0-99\/\d+$/);
  expect(part.headers()['x-content-type-options']).toBe('nosniff');
  expect((await part.body()).length).toBe(100);

  await card(page, 'IMG_4471.jpg').click();
  const info = review.getByTestId('evidence-info');
  const before = info.locator('[data-testid="evidence-warning"][data-code="captured_before_delivery"]');
  await expect(before).toBeVisible();
  await expect(before).toHaveAttribute('data-tone', 'orange');
  await expect(before).toContainText('before the parcel was delivered');
  await expect(info.getByTestId('capture-relation')).toContainText('before delivery');
  await expect(info).toContainText('samsung Galaxy A54 5G');
  await shot(page, '74-evidence-review-before-delivery');
});

test('a case whose files arrived as descriptions only still shows them, and the same photo in other cases', async ({ page }) => {
  await signIn(page, LENA);
  // The generated population: files described by the feed (name, type, size, sha256), no bytes;
  // serial disputers attach the very same photo (same sha256) to dispute after dispute.
  let target: CaseView | null = null;
  for (let n = 100_001; n <= 100_400 && !target; n++) {
    const v = await api<CaseView>(page, 'case.get', { caseId: `D-${n}` });
    if (v.evidence.some((e) => (e.reuse ?? []).length > 0) && v.evidence.some((e) => e.party === 'seller')) target = v;
  }
  expect(target, 'the demo population has a photo shared between cases').not.toBeNull();
  await openCase(page, target!.id);
  await page.keyboard.press('v');
  const review = page.getByTestId('evidence-review');
  await expect(review.getByTestId('evidence-card')).toHaveCount(target!.evidence.length);
  const shared = target!.evidence.find((e) => (e.reuse ?? []).length > 0)!;
  await review.locator(`[data-testid="evidence-card"][data-sha256="${shared.sha256}"]`).first().click();
  await expect(review.getByTestId('evidence-viewer')).toHaveAttribute('data-state', 'description-only');
  await expect(review.getByTestId('evidence-reuse-row').first()).toBeVisible();
  await expect(review.getByTestId('evidence-reuse-row')).toHaveCount(shared.reuse!.length);
  await expect(review.getByTestId('evidence-info').getByTestId('evidence-verify')).toHaveCount(0);
  await shot(page, '75-evidence-review-descriptions-only');
});

test('files are served only to a signed-in session, by id, never by path', async ({ page }) => {
  await signIn(page, LENA);
  const view = await api<CaseView>(page, 'case.get', { caseId: 'D-900001' });
  const sha = view.evidence[0]!.sha256;
  expect((await page.request.get(`/api/evidence/${sha}?variant=thumb`)).status()).toBe(200);
  expect((await page.request.get(`/api/evidence/..%2F..%2Fetc%2Fpasswd`)).status()).toBe(400);
  expect((await page.request.get(`/api/evidence/${sha}?variant=..%2Fobjects`)).status()).toBe(400);
  await page.request.post('/api/session/sign-out', { data: {} });
  expect((await page.request.get(`/api/evidence/${sha}?variant=thumb`)).status()).toBe(401);
});
