import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { awsRuntime } from '../../src/aws/settings.js';
import type { PlanOptions } from '../../src/core/engine.js';
import type { Logger } from '../../src/core/provider.js';
import { providers } from '../../src/providers/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const quietLog: Logger = { debug() {}, info() {}, warn() {} };

/**
 * The secrets the example policies name (the RedshiftGrants example's identity provider reads its client
 * secret from AAD_CLIENT_SECRET), as a workflow would pass them. Tests check that the value never appears
 * in output.
 */
export const EXAMPLE_SECRETS = { AAD_CLIENT_SECRET: 'example-aad-client-secret-7f3a' } as const;

/** The demo account every example policy is written against, as a fresh copy. */
export function exampleAccount(): unknown {
  return JSON.parse(readFileSync(join(repoRoot, 'policies/examples/sandbox-account.json'), 'utf8'));
}

export async function startExampleSandbox(): Promise<Sandbox> {
  return startSandbox({ state: exampleAccount() as never });
}

/** A temporary copy of policies/examples, so tests can edit policies without touching the repository. */
export function copyExamples(): string {
  const dir = mkdtempSync(join(tmpdir(), 'charter-examples-'));
  cpSync(join(repoRoot, 'policies/examples'), join(dir, 'policies/examples'), { recursive: true });
  return dir;
}

/** Engine options against a sandbox; rate limits lifted so tests stay fast (the benchmark keeps them). */
export function sandboxOptions(sandbox: Sandbox, cwd: string, paths: string[] = ['policies/examples']): PlanOptions {
  return {
    cwd,
    paths,
    providers,
    salt: { repository: 'acme/mail', pullRequest: 7 },
    runtime: {
      ...awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: { route53: 1000, acm: 1000, cloudfront: 1000, s3: 1000, 'redshift-data': 1000 } }, quietLog),
      // The RedshiftGrants example's identity provider takes its client secret from this variable.
      env: { ...process.env, ...EXAMPLE_SECRETS },
    },
  };
}

/**
 * The node binary that runs the bundles in process tests: this one, or the one CHARTER_TEST_NODE names
 * (.ci/run points it at Node 24, the Action's runtime, to prove the bundles run on both).
 */
export const bundleNode = process.env.CHARTER_TEST_NODE || process.execPath;
