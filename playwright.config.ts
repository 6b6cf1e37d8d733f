import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Chromium against the served browser build: the same renderer and
 * core as the desktop app, reached through the local HTTP carrier instead of IPC.
 */
const PORT = Number(process.env.E2E_PORT ?? 5199);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/artifacts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./tests/e2e/summary-reporter.ts']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    // Fixed zone and locale so screenshots and formatted times are reproducible.
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // `serve` only serves out/web, so build the renderer first. --test-clock adds the test
    // controls (move the clock, act as the marketplace intake); --fresh starts from empty.
    command: `npx vite build --config vite.web.config.ts --logLevel warn && npx tsx src-main/cli/index.ts serve --port ${PORT} --demo --fresh --test-clock`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    // The build, 3,000 demo cases and nine demo passwords hashed at scrypt N = 2^17.
    timeout: 300_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
