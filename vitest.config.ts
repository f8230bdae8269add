import { defineConfig } from 'vitest/config';

// `.ci/run` runs the README's `npm test` as written and counts the results from this JSON report.
const report = process.env.CHARTER_TEST_REPORT;

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
});
