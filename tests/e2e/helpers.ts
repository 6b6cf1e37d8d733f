import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { E2E_DATA_DIR } from './server-env';
import { DEMO_USERS } from '../../src-main/demo/demo-data';

/** Screenshots of every screen land here (looked at by people, not compared by the tests). */
export const SCREENS = 'test-results/screens';

/** A demo sign-in by user id (`serve --demo` creates them; passwords are public demo ones). */
export function demoUser(id: string): { userId: string; password: string } {
  const u = DEMO_USERS.find((x) => x.id === id);
  if (!u) throw new Error(`the demo data has no user ${id}`);
  return { userId: u.id, password: u.password };
}

export async function signIn(page: Page, user: { userId: string; password: string }): Promise<void> {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'User id' }).fill(user.userId);
  await page.getByRole('textbox', { name: 'Password' }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The password hash (Argon2id; scrypt N = 2^17 before) can take a while on a busy machine.
  await expect(page.getByTestId('signed-in-user')).toBeVisible({ timeout: 30_000 });
}

/** A method call as the signed-in user of this page (its session cookie). */
export async function api<T = unknown>(page: Page, method: string, input: unknown): Promise<T> {
  const res = await page.request.post(`/api/call/${method}`, { data: input });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method} refused: ${body.error?.code} ${body.error?.message}`);
  return body.value as T;
}

/**
 * A party action as the marketplace sends it: through the feed API (FEED.md) with the demo
 * feed's token, which owns the demo's cases; each call its own idempotency key.
 */
export async function intake<T = unknown>(page: Page, method: string, input: unknown): Promise<T> {
  const { token } = JSON.parse(readFileSync(join(E2E_DATA_DIR, 'demo-marketplace.token'), 'utf8')) as { token: string };
  const res = await page.request.post(`/feed/v1/call/${method}`, {
    data: input,
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': randomUUID() },
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`feed call ${method} refused: ${body.error?.code} ${body.error?.message}`);
  return body.value as T;
}

/** Moves the core's clock (the sweep then applies whatever fell due). */
export async function advanceClock(page: Page, hours: number): Promise<void> {
  const res = await page.request.post('/api/test/advance-clock', { data: { ms: Math.round(hours * 3_600_000) } });
  expect((await res.json()) as unknown).toMatchObject({ ok: true });
}

/** The window sizes every screen is pictured at (the brief's three). */
export const SCREENSHOT_SIZES = [
  [1024, 700],
  [1440, 900],
  [1920, 1080],
] as const;

export async function shot(page: Page, name: string): Promise<void> {
  // Let transitions and the one-second clock settle so the picture shows a steady screen.
  await page.waitForTimeout(350);
  await page.screenshot({ path: `${SCREENS}/${name}.png` });
}

/**
 * Opens a case by its address while `case.get` answers 1.5 s late, as from a busy server: the
 * screen shows the case id at once, before it knows the case. Resolves while it is still loading.
 */
export async function openCaseLoadingSlowly(page: Page, caseId: string, opts: { reload?: boolean } = {}): Promise<void> {
  await page.route('**/api/call/case.get', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  await page.goto(`/#/case/${caseId}`);
  if (opts.reload) await page.reload();
  await expect(page.getByTestId('case-title')).toHaveText(caseId);
  await expect(page.getByTestId('case-headline')).toHaveCount(0); // still loading
}

/**
 * An unassigned case and an outcome far from its nearest past decisions (the Decide dialog then
 * asks for a consistency note), with at least `minNearest` of them; the demo has a few days of history.
 */
export async function farDecision(page: Page, minNearest = 1): Promise<{ caseId: string; outcome: string }> {
  for (const reason of [
    'not_received.no_tracking_info',
    'not_received.in_transit',
    'damaged',
    'defective',
    'not_as_described',
    'wrong_item',
  ]) {
    const list = await api<{ rows: Array<{ id: string }> }>(page, 'queue.list', { scope: 'unassigned', reason: [reason], limit: 12 });
    for (const { id } of list.rows)
      for (const outcome of ['none', 'full', 'return']) {
        const c = await api<{ far: boolean; nearest: unknown[] }>(page, 'case.consistency', { caseId: id, outcome });
        if (c.far && c.nearest.length >= minNearest) return { caseId: id, outcome };
      }
  }
  throw new Error('the demo history makes no decision far from its neighbours');
}

/** The desk's clock (the e2e server runs on a test clock). */
export async function deskNow(page: Page): Promise<number> {
  const res = await page.request.get('/api/test/now');
  return Date.parse(((await res.json()) as { value: { now: string } }).value.now);
}

/** A "not as described" dispute escalated a day before `now`, as a marketplace sends it (FEED.md). */
export function sampleDispute(id: string, now: number, opts: { seller: string; escalatedAt?: number; description?: string }) {
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id,
    openedAt: iso(now - 10 * DAY),
    escalatedAt: iso(opts.escalatedAt ?? now - DAY),
    reason: 'not_as_described',
    claim: { remedy: 'refund_only', amountMinor: 4_500 },
    description: opts.description ?? 'The jacket is a different colour from the listing.',
    order: {
      id: `O-${id}`,
      placedAt: iso(now - 30 * DAY),
      currency: 'EUR',
      itemPriceMinor: 4_000,
      shippingMinor: 500,
      totalMinor: 4_500,
      item: { title: 'Rain jacket', quantity: 1 },
      tracking: { number: `T-${id}`, carrier: 'DHL', status: 'delivered', deliveredAt: iso(now - 20 * DAY) },
    },
    buyer: { id: `B-${id}`, name: 'Ana Silva', country: 'PT' },
    seller: { id: opts.seller, name: 'Northwind Outdoor', country: 'DE' },
  };
}
