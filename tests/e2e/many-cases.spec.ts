import { expect, test, type Page } from '@playwright/test';
import { layoutProblems, stretchedTables } from './checks';
import { api, demoUser, intake, SCREENS, signIn } from './helpers';

/**
 * The screens checks walk one case; a case's page and evidence review change shape with its
 * content (a negotiation of two short proposals, a file flagged "Used by another account"
 * with no bytes, a long name). Which case the queue shows first depends on what earlier tests
 * did, so a layout fault there came and went (CI of stop 27: the negotiation table stretched at
 * 1920, a warning badge cut at 1024×640). This walks the demo's cases whose shape is most
 * likely to break a check, worst first, plus two cases given the same picture by two buyers,
 * and reports every case that breaks one.
 */
type Row = { id: string };
type View = {
  version: number;
  buyer: { id: string };
  negotiation: Array<{ comment: string }>;
  evidence: Array<{ warnings?: Array<{ code: string }> }>;
};

async function casesToWalk(page: Page): Promise<Array<{ id: string; view: View }>> {
  const picked: Array<{ id: string; view: View }> = [];
  for (const scope of ['unassigned', 'all'] as const) {
    const { rows } = await api<{ rows: Row[] }>(page, 'queue.list', { scope, limit: 100 });
    for (const r of rows) {
      if (picked.some((p) => p.id === r.id)) continue;
      picked.push({ id: r.id, view: await api<View>(page, 'case.get', { caseId: r.id }) });
    }
  }
  return picked;
}

/** Two buyers send the same picture (no bytes, a long name): both cases carry "Used by another account". */
async function seedReusedPicture(page: Page, cases: Array<{ id: string; view: View }>): Promise<string[]> {
  const [a, b] = [cases[0]!, cases.find((c) => c.view.buyer.id !== cases[0]!.view.buyer.id)!];
  for (const c of [a, b]) {
    await api(page, 'case.claim', { caseId: c.id });
    const v = await api<View>(page, 'case.get', { caseId: c.id });
    await api(page, 'case.requestEvidence', {
      caseId: c.id,
      party: 'buyer',
      request: 'A photo of the item as received, please.',
      basedOnVersion: v.version,
    });
    await intake(page, 'party.submitEvidence', {
      caseId: c.id,
      party: 'buyer',
      file: { name: 'IMG_20261203_141502_HDR_received-item.jpg', mediaType: 'image/jpeg', sizeBytes: 1_634_000, sha256: 'c7'.repeat(32) },
      note: 'The item as it arrived.',
    });
  }
  return [a.id, b.id];
}

const commentLength = (v: View) => v.negotiation.reduce((n, p) => n + p.comment.length, 0);

const WALKS = [
  { size: { width: 1920, height: 1080 }, max: 8 },
  { size: { width: 1024, height: 640 }, max: 8 },
] as const;

for (const { size, max } of WALKS) {
  test(`case pages and evidence reviews of many cases fit at ${size.width}×${size.height}`, async ({ page }) => {
    test.setTimeout(240_000);
    await page.setViewportSize(size);
    await signIn(page, demoUser('wei'));
    const all = await casesToWalk(page);
    const unassigned = all.filter((c) => c.view.evidence.length === 0);
    const reused = size.width < 1200 ? await seedReusedPicture(page, unassigned) : [];
    // The shapes that broke a layout before come first: the shortest negotiations (most blank
    // in a stretched table), then every file warning the demo has.
    const negotiated = all
      .filter((c) => c.view.negotiation.length > 0)
      .sort((x, y) => commentLength(x.view) - commentLength(y.view))
      .slice(0, max / 2);
    const warned = all.filter((c) => c.view.evidence.some((e) => (e.warnings ?? []).length > 0)).slice(0, max / 2);
    expect(negotiated.length, 'cases with a negotiation in the demo').toBeGreaterThan(0);
    expect(warned.length, 'cases with a warned file in the demo').toBeGreaterThan(0);
    const walk = [...new Set([...reused, ...negotiated.map((c) => c.id), ...warned.map((c) => c.id)])];

    const problems: string[] = [];
    for (const id of walk) {
      await page.goto(`/#/case/${id}`);
      await expect(page.getByTestId('case-title')).toHaveText(id);
      await page.waitForTimeout(250);
      await page.screenshot({ path: `${SCREENS}/many-cases/${size.width}x${size.height}/${id}-case.png` });
      for (const p of [...(await layoutProblems(page)), ...(await stretchedTables(page))])
        problems.push(`${id} case: ${p.what} — ${p.detail}`);
      const view = await api<View>(page, 'case.get', { caseId: id });
      if (view.evidence.length > 0) {
        if (reused.includes(id)) expect(view.evidence.some((e) => e.warnings?.some((w) => w.code === 'reused_other_account'))).toBe(true);
        await page.keyboard.press('v');
        await expect(page.getByTestId('evidence-review')).toBeVisible();
        await page.waitForTimeout(250);
        await page.screenshot({ path: `${SCREENS}/many-cases/${size.width}x${size.height}/${id}-evidence.png` });
        for (const p of [...(await layoutProblems(page)), ...(await stretchedTables(page))])
          problems.push(`${id} evidence review: ${p.what} — ${p.detail}`);
        await page.keyboard.press('Escape');
      }
    }
    expect(problems, `${walk.length} cases walked`).toEqual([]);
  });
}
