import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const workflowParser = '/node_modules/@actions/workflow-parser/';
// `.ci/run` runs the README's `npm test` as written and counts the results from this JSON report.
const report = process.env.CHARTER_TEST_REPORT;

export default defineConfig({
  plugins: [
    {
      // GitHub's workflow parser ships source maps without their sources (Vite would warn once per module):
      // load its modules without the map comment.
      name: 'workflow-parser-without-source-maps',
      load(id) {
        if (!id.includes(workflowParser) || !id.endsWith('.js')) return null;
        return readFileSync(id, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, '');
      },
    },
  ],
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    server: {
      deps: {
        // GitHub's workflow parser imports its JSON schemas without import attributes, which Node refuses;
        // inlined, Vite transforms those imports.
        inline: ['@actions/workflow-parser'],
      },
    },
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
    // Records every sandbox response and checks them against AWS's service models at the end.
    globalSetup: ['__tests__/contract/global-setup.ts'],
    // Fails a test during which the loopback GitHub fake saw a request or sent a response GitHub's
    // OpenAPI description does not allow (__tests__/helpers/github-contract.ts).
    setupFiles: ['__tests__/helpers/contract-setup.ts'],
  },
});
