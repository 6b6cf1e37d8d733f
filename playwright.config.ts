import { defineConfig } from '@playwright/test';
import { E2E_DATA_DIR, E2E_PORT } from './tests/e2e/server-env';

/**
 * End-to-end tests in Chromium against the served browser build: the same renderer and
 * core as the desktop app, reached through the local HTTP carrier instead of IPC.
 */
const PORT = E2E_PORT;
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
    // control that moves the clock; the data folder starts empty, and the tests act as the
    // marketplace through the feed API with the demo feed's token kept there.
    command: `rm -rf '${E2E_DATA_DIR}' && npx vite build --config vite.web.config.ts --logLevel warn && npx tsx src-main/cli/index.ts serve --port ${PORT} --demo --data-dir '${E2E_DATA_DIR}' --test-clock`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    // The build, 3,000 demo cases and nine demo passwords hashed at scrypt N = 2^17.
    timeout: 300_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
