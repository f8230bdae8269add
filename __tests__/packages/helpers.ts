import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { awsRuntime } from '../../src/aws/settings.js';
import type { PlanOptions } from '../../src/core/engine.js';
import { providers } from '../../src/providers/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { quietLog } from '../helpers/aws.js';

export const ACCOUNT = '123456789012';

/** A directory holding the given policy files (relative paths → YAML text). */
export function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'charter-packages-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Engine options against a sandbox, rate limits lifted; builds and executions polled quickly. */
export function packagesOptions(sandbox: Sandbox, cwd: string, paths: string[], maxAttempts?: number): PlanOptions {
  const rates = { codeartifact: 10_000, codebuild: 10_000, codepipeline: 10_000 };
  return {
    cwd,
    paths,
    providers,
    salt: { repository: 'acme/packages', pullRequest: 3 },
    runtime: { ...awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: rates, ...(maxAttempts !== undefined ? { maxAttempts } : {}) }, quietLog), pollIntervalMs: 5 },
  };
}

/** Calls per service and operation the sandbox has seen, as `service:Operation: count`. */
export function calls(sandbox: Sandbox, services = ['codeartifact', 'codebuild', 'codepipeline']): Record<string, number> {
  return Object.fromEntries(sandbox.stats.calls().filter((c) => services.includes(c.service)).map((c) => [`${c.service}:${c.operation}`, c.count]));
}

/** A PackagePublishing document; `spec` is the YAML under spec (indented by 2). */
export function policy(name: string, spec: string): string {
  return `apiVersion: charter/v1\nkind: PackagePublishing\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

/** A generic package version with the given assets (name → text), as the sandbox account file writes it. */
export function genericVersion(version: string, assets: Record<string, string>) {
  return { version, assets: Object.entries(assets).map(([name, text]) => ({ name, text })) };
}
