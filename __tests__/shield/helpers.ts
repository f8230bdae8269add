import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { awsRuntime } from '../../src/aws/settings.js';
import type { PlanOptions } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { quietLog, sandboxOptions } from '../helpers/aws.js';

export const ACCOUNT = '123456789012';
export const alb = (name: string, region = 'us-east-1') =>
  `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/app/${name}/${Buffer.from(name).toString('hex').padEnd(16, '0').slice(0, 16)}`;
export const distribution = (id: string) => `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`;
export const eip = (n: number) => `arn:aws:ec2:us-east-1:${ACCOUNT}:eip-allocation/eipalloc-${n.toString(16).padStart(17, '0')}`;
export const accelerator = (n: number) => `arn:aws:globalaccelerator::${ACCOUNT}:accelerator/${n.toString(16).padStart(8, '0')}-1111-2222-3333-444455556666`;

/** A directory holding the given policy files (relative paths → YAML text). */
export function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'charter-shield-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A ProtectionGroups document; `groups` is YAML for the list under spec.groups (indented by 4). */
export function policy(name: string, groups: string, extra = ''): string {
  return `apiVersion: charter/v1\nkind: ProtectionGroups\nmetadata:\n  name: ${name}\nspec:\n${extra}  groups:\n${groups}`;
}

/** Engine options against a sandbox with Shield's rate limit lifted (tests), or kept (maxAttempts etc.). */
export function shieldOptions(sandbox: Sandbox, cwd: string, paths: string[]): PlanOptions {
  const base = sandboxOptions(sandbox, cwd, paths);
  return { ...base, runtime: awsRuntime({ endpoint: sandbox.endpoint, requestsPerSecond: { shield: 1000, route53: 1000, acm: 1000, cloudfront: 1000, s3: 1000 } }, quietLog) };
}

/** Shield operations the sandbox has seen, as `Operation: count`. */
export function shieldCalls(sandbox: Sandbox): Record<string, number> {
  return Object.fromEntries(sandbox.stats.calls().filter((c) => c.service === 'shield').map((c) => [c.operation, c.count]));
}

export const WRITES = ['CreateProtectionGroup', 'UpdateProtectionGroup', 'DeleteProtectionGroup', 'TagResource', 'UntagResource'];

export function shieldWrites(sandbox: Sandbox): number {
  const calls = shieldCalls(sandbox);
  return WRITES.reduce((n, op) => n + (calls[op] ?? 0), 0);
}
