import { defineConfig } from 'vitest/config';

/**
 * The team suite: several `serve` processes on one real PostgreSQL (TEST_DATABASE_URL).
 * Files run one after another: each starts its own desktops, and the machine is small.
 */
export default defineConfig({
  test: {
    include: ['tests/team/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
