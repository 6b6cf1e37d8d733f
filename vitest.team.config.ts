import { defineConfig } from 'vitest/config';

/**
 * The team suite: several `serve` processes (desktops) on one real PostgreSQL database
 * (tests/team/harness.ts). Skipped without TEST_DATABASE_URL. One file at a time: each starts
 * its own desks, and the machine running them is the thing being measured.
 */
export default defineConfig({
  test: {
    include: ['tests/team/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    globalSetup: ['./tests/temp-root.ts'],
    fileParallelism: false,
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
