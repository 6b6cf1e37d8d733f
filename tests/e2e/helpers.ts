import { expect, type Page } from '@playwright/test';
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
  // The password hash (scrypt, N = 2^17) takes seconds on a busy machine.
  await expect(page.getByTestId('signed-in-user')).toBeVisible({ timeout: 30_000 });
}

/** A method call as the signed-in user of this page (its session cookie). */
export async function api<T = unknown>(page: Page, method: string, input: unknown): Promise<T> {
  const res = await page.request.post(`/api/call/${method}`, { data: input });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method} refused: ${body.error?.code} ${body.error?.message}`);
  return body.value as T;
}

/** A party action as the marketplace intake delivers it (test control of `serve --test-clock`). */
export async function intake<T = unknown>(page: Page, method: string, input: unknown): Promise<T> {
  const res = await page.request.post(`/api/test/intake/${method}`, { data: input });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`intake ${method} refused: ${body.error?.code} ${body.error?.message}`);
  return body.value as T;
}

/** Moves the core's clock (the sweep then applies whatever fell due). */
export async function advanceClock(page: Page, hours: number): Promise<void> {
  const res = await page.request.post('/api/test/advance-clock', { data: { ms: Math.round(hours * 3_600_000) } });
  expect((await res.json()) as unknown).toMatchObject({ ok: true });
}

export async function shot(page: Page, name: string): Promise<void> {
  // Let transitions and the one-second clock settle so the picture shows a steady screen.
  await page.waitForTimeout(350);
  await page.screenshot({ path: `${SCREENS}/${name}.png` });
}
