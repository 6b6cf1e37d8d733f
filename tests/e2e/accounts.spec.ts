import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { demoUser, shot, signIn } from './helpers';

/**
 * Issue 14: first-run setup on a fresh server without --demo, the supervisors' Users screen
 * (add with a one-time code, the code redeemed on the sign-in screen, deactivation) and
 * "My account". Every sign-in is a real password hash: generous timeouts.
 */
test.describe.configure({ timeout: 300_000 });

/** A second, empty server (no --demo), on a free port: the first-run screen is all it offers. */
async function freshServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn('npx', ['tsx', 'src-main/cli/index.ts', 'serve', '--port', '0', '--fresh'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '' },
    // Its own process group: stopping it must stop tsx's node under npx as well, not leave it running.
    detached: true,
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the fresh server did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.once('exit', (code) => fail(new Error(`the fresh server exited (${code}): ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}

async function at(page: Page, width: number, height: number, name: string) {
  await page.setViewportSize({ width, height });
  await shot(page, `${name}-${width}x${height}`);
}

test('a fresh server without --demo offers only "create the first supervisor", then signs them in', async ({ page }) => {
  const server = await freshServer();
  try {
    await page.goto(server.url);
    await expect(page.getByRole('heading', { name: 'Create the first supervisor' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toHaveCount(0);
    await expect(page.getByText('I have a one-time code')).toHaveCount(0);
    await at(page, 1024, 700, 'accounts-first-run');
    await at(page, 1440, 900, 'accounts-first-run');

    await page.getByRole('textbox', { name: 'Full name' }).fill('Ada Supervisor');
    await page.getByRole('textbox', { name: 'User id' }).fill('ada');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
    await expect(page.getByText('The password must be at least 12 characters')).toBeVisible();
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('ada keeps the desk in order');
    await page.getByLabel('Repeat it').fill('ada keeps the desk in order');
    await page.getByRole('button', { name: 'Create supervisor and sign in' }).click();
    await expect(page.getByTestId('signed-in-user')).toHaveText('Ada Supervisor', { timeout: 120_000 });

    // The form is gone for good: a second browser gets the sign-in screen.
    const other = await page.context().browser()!.newPage();
    await other.goto(server.url);
    await expect(other.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(other.getByRole('heading', { name: 'Create the first supervisor' })).toHaveCount(0);
    await other.close();
  } finally {
    await server.stop();
  }
});

test('supervisors manage users; a one-time code sets the password; deactivated users are refused', async ({ page, browser }) => {
  await signIn(page, demoUser('oleg'));
  await page.getByTestId('base-view').getByText('Users').click();
  const screen = page.getByTestId('users-screen');
  await expect(screen.getByTestId('user-row-mira')).toBeVisible();

  await screen.getByTestId('add-user').click();
  const dialog = page.getByRole('dialog', { name: 'Add user' });
  await dialog.getByRole('textbox', { name: 'Full name' }).fill('Nadia Petrova');
  await dialog.getByRole('textbox', { name: 'User id' }).fill('nadia');
  await dialog.getByRole('button', { name: 'Add user' }).click();
  const code = (await page.getByTestId('one-time-code').textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  await at(page, 1024, 700, 'accounts-one-time-code');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(screen.getByTestId('user-row-nadia')).toContainText('Waiting for a password');
  await at(page, 1024, 700, 'accounts-users');
  await at(page, 1440, 900, 'accounts-users');

  // Nadia, in another browser, sets her password with the code.
  const nadia = await (await browser.newContext()).newPage();
  await nadia.goto('/');
  await nadia.getByText('I have a one-time code').click();
  await nadia.getByRole('textbox', { name: 'User id' }).fill('nadia');
  await nadia.getByRole('textbox', { name: 'One-time code' }).fill(code.toLowerCase());
  await nadia.getByRole('textbox', { name: 'New password', exact: true }).fill('nadia has her own phrase');
  await nadia.getByLabel('Repeat it').fill('nadia has her own phrase');
  await nadia.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(nadia.getByTestId('signed-in-user')).toHaveText('Nadia Petrova', { timeout: 120_000 });

  // Her "My account": this session listed, the password change form.
  await nadia.getByRole('button', { name: 'My account' }).click();
  await expect(nadia.getByTestId('sessions-table')).toContainText('this one');
  await at(nadia, 1024, 700, 'accounts-my-account');
  await at(nadia, 1440, 900, 'accounts-my-account');
  await nadia.keyboard.press('Escape');

  // Oleg deactivates her: her open session ends at its next call, and the row stays.
  await screen.getByTestId('user-row-nadia').getByRole('button', { name: 'Deactivate' }).click();
  await page.getByTestId('confirm-user-action').click();
  await expect(screen.getByTestId('user-row-nadia')).toContainText('Deactivated');
  await nadia.reload();
  await expect(nadia.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await nadia.getByRole('textbox', { name: 'User id' }).fill('nadia');
  await nadia.getByRole('textbox', { name: 'Password' }).fill('nadia has her own phrase');
  await nadia.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(nadia.getByRole('alert')).toContainText('deactivated', { timeout: 120_000 });
});
