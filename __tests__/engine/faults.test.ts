import { afterEach, describe, expect, it } from 'vitest';
import { apply, dependencyGraph, execute, plan } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { copyExamples, sandboxOptions, startExampleSandbox } from '../helpers/aws.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** Everything in the account except what the plan is allowed to touch. */
function untouchable(sb: Sandbox, managed: (zone: string, name: string, type: string) => boolean): unknown {
  return sb.state.route53.hostedZones.map((z) => ({
    zone: z.name,
    records: z.records.filter((r) => !managed(z.name, r.name, r.type)),
  }));
}

describe('faults', () => {
  it('throttling is retried and the plan is the same', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const calm = await plan(sandboxOptions(sandbox, cwd));
    sandbox.stats.reset();
    sandbox.faults.throttle('route53', 'ListResourceRecordSets', 2);
    sandbox.faults.throttle('acm', '*', 1);
    const throttled = await plan(sandboxOptions(sandbox, cwd));
    expect(throttled.plan.fingerprint).toBe(calm.plan.fingerprint);
    // Two zones listed, plus the two throttled attempts.
    expect(sandbox.stats.count('route53', 'ListResourceRecordSets')).toBe(4);
  });

  it('a failure in the middle of apply is reported per change, and a re-run converges', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']);
    const { plan: p, validation } = await plan(options);
    const managedNames = new Set(p.changes.filter((c) => c.address.includes('/route53/')).map((c) => c.address.split('/').pop()));
    const isManaged = (_zone: string, name: string) => managedNames.has(name) || name.startsWith('_') && name.endsWith('mta-sts.example.net.');
    const outside = untouchable(sandbox, isManaged);
    // Route 53 writes: the TLS-RPT record and the certificate's validation CNAME (in either order), then
    // _mta-sts after the policy file is served; fail the second one.
    sandbox.faults.failNthWrite('route53', 2, { code: 'InvalidChangeBatch', message: 'injected failure', status: 400 });
    const report = await execute(p, validation.documents, options);
    expect(report.ok).toBe(false);
    const { dependsOn } = await dependencyGraph(p.changes, options.providers);
    const status = new Map(report.results.map((r) => [r.address, r.status]));
    const failed = report.results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    // Exactly the changes that depend on the failed one (transitively) are not attempted; the rest applied.
    const blocked = (address: string): boolean => (dependsOn.get(address) ?? []).some((d) => status.get(d) !== 'applied');
    for (const c of p.changes) {
      if (c.address === failed[0].address) continue;
      expect([c.address, status.get(c.address)]).toEqual([c.address, blocked(c.address) ? 'not-attempted' : 'applied']);
    }
    const failedAt = report.results.indexOf(failed[0]);
    expect(report.results[failedAt].error).toContain('injected failure');
    // Nothing outside the plan changed.
    expect(untouchable(sandbox, isManaged)).toEqual(outside);
    // Re-run converges.
    const rerun = await apply({ ...options, allowDestructive: false });
    expect(rerun.ok).toBe(true);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('invalid policies never reach AWS', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${cwd}/policies/examples/broken.yml`, 'apiVersion: charter/v1\nkind: EmailSecurity\nmetadata: { name: broken }\nspec: { domain: 42 }\n');
    sandbox.stats.reset();
    const report = await apply({ ...sandboxOptions(sandbox, cwd), allowDestructive: true });
    expect(report.ok).toBe(false);
    expect(report.refused).toMatch(/error/);
    expect(sandbox.stats.count()).toBe(0);
  });

  it('the risk gate blocks disruptive changes unless allowed', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/enforce-with-bimi.yml']);
    sandbox.stats.reset();
    const blocked = await apply({ ...options, allowDestructive: false });
    expect(blocked.ok).toBe(false);
    expect(blocked.refused).toMatch(/destructive or disruptive/);
    expect(blocked.results.every((r) => r.status === 'not-attempted')).toBe(true);
    const writes = sandbox.stats.calls().filter((c) => /^(Change|Put|Create|Request|Delete)/.test(c.operation));
    expect(writes).toEqual([]);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
  });
});
