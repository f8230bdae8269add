/**
 * Vitest setup file: after every test, the GitHub contract violations the loopback fake recorded while it
 * ran (github-contract.ts) fail that test, each with the request and what GitHub's description says.
 */
import { afterEach } from 'vitest';
import { takeViolations } from './github-contract.js';

afterEach(() => {
  const violations = takeViolations();
  if (violations.length > 0) {
    throw new Error(`GitHub contract (@octokit/openapi) violated:\n${violations.map((v) => `  ${v.request}: ${v.problem}`).join('\n')}`);
  }
});
