/**
 * Vitest global setup: every sandbox started during the run records its responses (CHARTER_SANDBOX_RECORD),
 * and at the end they are checked against AWS's service models from botocore (see aws-model.ts).
 * Without botocore the check is skipped with a notice, or fails under CHARTER_REQUIRE_ALL=1 (CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { botocoreDataDir, checkRecordings, operationsCharterCalls, readRecordings } from './aws-model.js';

/**
 * Services whose sandbox modules other work in progress owns; their findings are printed for those
 * owners instead of failing this run (listed in the summary so they are not lost).
 */
export const REPORTED_ONLY: ReadonlySet<string> = new Set(['codepipeline', 'codebuild', 'codeartifact']);

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'charter-contract-'));
  process.env.CHARTER_SANDBOX_RECORD = dir;
  return () => {
    try {
      verify(dir);
    } catch (error) {
      // Vitest reports an error thrown here but keeps exit code 0; the run must fail.
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function verify(dir: string): void {
  const requireAll = process.env.CHARTER_REQUIRE_ALL === '1';
  const dataDir = botocoreDataDir();
  if (!dataDir) {
    const notice = 'contract: botocore (Python) is not installed, so sandbox responses were not checked against the AWS service models';
    if (requireAll) throw new Error(`${notice} (CHARTER_REQUIRE_ALL=1)`);
    console.warn(`${notice}; skipped.`);
    return;
  }
  const recordings = readRecordings(dir);
  if (recordings.length === 0) return; // a run without sandbox tests
  const report = checkRecordings(dataDir, recordings);
  const calls = operationsCharterCalls(resolve(import.meta.dirname, '../../src'));
  const missing = [...calls].filter((op) => !report.operations.has(op) && !REPORTED_ONLY.has(op.split(':')[0])).sort();
  console.log(`contract: ${report.checked} sandbox responses over ${report.operations.size} operations checked against botocore's service-2.json models (${dataDir}); ${missing.length} of the ${calls.size} operations Charter calls not reached`);
  const failing = report.violations.filter((v) => !REPORTED_ONLY.has(v.service));
  const reported = report.violations.filter((v) => REPORTED_ONLY.has(v.service));
  if (reported.length > 0) {
    console.warn(`contract: ${reported.length} finding(s) in ${[...REPORTED_ONLY].join(', ')} (reported, not failing):\n${reported.map(describe).join('\n')}`);
  }
  const problems = failing.map(describe);
  // Coverage is only meaningful for the whole suite, which CI runs (its Node 24 pass over a subset says so).
  if (requireAll && process.env.CHARTER_TEST_SUBSET !== '1' && missing.length > 0) problems.push(`no test reached these operations Charter calls: ${missing.join(', ')}`);
  else if (missing.length > 0) console.log(`contract: CI (CHARTER_REQUIRE_ALL=1, every test) requires these to be reached: ${missing.join(', ')}`);
  if (problems.length > 0) throw new Error(`contract: the check failed:\n${problems.join('\n')}`);
}

function describe(v: { service: string; operation: string; status: number; problem: string }): string {
  return `  ${v.service} ${v.operation} (${v.status}): ${v.problem}`;
}
