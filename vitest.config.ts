import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Records every sandbox response and checks them against AWS's service models at the end.
    globalSetup: ['__tests__/contract/global-setup.ts'],
  },
});
