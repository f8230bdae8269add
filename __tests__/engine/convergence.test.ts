import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apply, execute, plan } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { copyExamples, sandboxOptions, startExampleSandbox } from '../helpers/aws.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function recordValues(sb: Sandbox, zoneName: string, name: string, type = 'TXT'): string[] | undefined {
  const zone = sb.state.route53.hostedZones.find((z) => z.name === zoneName)!;
  return zone.records.find((r) => r.name === name && r.type === type)?.values;
}

describe('examples converge on the sandbox', () => {
  for (const example of ['testing-mode.yml', 'enforce-with-bimi.yml']) {
    it(`${example}: plan → apply → plan is empty`, async () => {
      sandbox = await startExampleSandbox();
      const cwd = copyExamples();
      const options = sandboxOptions(sandbox, cwd, [`policies/examples/${example}`]);
      const first = await plan(options);
      expect(first.plan.summary.errors).toBe(0);
      expect(first.plan.changes.length).toBeGreaterThan(0);
      const report = await execute(first.plan, first.validation.documents, options);
      expect(report.results.filter((r) => r.status !== 'applied')).toEqual([]);
      expect(report.ok).toBe(true);
      // ACM validation records appear with the certificate: one more pass may add nothing but them.
      const second = await plan(options);
      expect(second.plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(second.plan.changes.map((c) => c.address)).toEqual([]);
    });
  }

  it('writes exactly the records the reference describes', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const report = await apply({ ...sandboxOptions(sandbox, cwd), allowDestructive: true });
    expect(report.ok).toBe(true);
    const mtaSts = recordValues(sandbox, 'example.net.', '_mta-sts.example.net.')!;
    expect(mtaSts).toHaveLength(1);
    expect(mtaSts[0]).toMatch(/^"v=STSv1; id=[a-z2-7]{20}"$/);
    expect(recordValues(sandbox, 'example.net.', '_smtp._tls.example.net.')).toEqual(['"v=TLSRPTv1; rua=mailto:tls-reports@example.net"']);
    expect(recordValues(sandbox, 'example.com.', 'default._bimi.brand.example.com.')).toEqual([
      '"v=BIMI1; l=https://bimi-assets.brand.example.com/logo.svg; a=https://bimi-assets.brand.example.com/vmc.pem"',
    ]);
    const policy = sandbox.state.s3.buckets['example-net-mail-policies'].objects['.well-known/mta-sts.txt'];
    expect(policy.contentType).toBe('text/plain');
    expect(Buffer.from(policy.body, 'base64').toString()).toBe('version: STSv1\r\nmode: testing\r\nmx: mx1.example.net\r\nmx: *.mail.example.net\r\nmax_age: 86400\r\n');
    // Records Charter does not own are untouched.
    expect(recordValues(sandbox, 'example.com.', '_dmarc.example.com.')).toEqual(['"v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"']);
    expect(recordValues(sandbox, 'example.net.', 'www.example.net.', 'A')).toEqual(['192.0.2.10']);
  });

  it('uploads the policy file and invalidates CloudFront before changing the _mta-sts id', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']);
    const first = await plan(options);
    const order = first.plan.changes.map((c) => c.address);
    const upload = order.indexOf('email/example-net/s3/example-net-mail-policies/.well-known/mta-sts.txt');
    const invalidation = order.indexOf('email/example-net/cloudfront/E1EXAMPLENET/invalidation');
    const record = order.indexOf('email/example-net/route53/TXT/_mta-sts.example.net.');
    expect(upload).toBeGreaterThanOrEqual(0);
    expect(upload).toBeLessThan(invalidation);
    expect(invalidation).toBeLessThan(record);
  });

  it('a changed policy changes the _mta-sts id, re-uploads and invalidates', async () => {
    sandbox = await startExampleSandbox();
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    const before = recordValues(sandbox, 'example.net.', '_mta-sts.example.net.');
    const file = join(cwd, 'policies/examples/testing-mode.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('maxAge: 86400', 'maxAge: 172800'));
    const second = await plan(options);
    expect(second.plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      'update email/example-net/s3/example-net-mail-policies/.well-known/mta-sts.txt',
      'run email/example-net/cloudfront/E1EXAMPLENET/invalidation',
      'update email/example-net/route53/TXT/_mta-sts.example.net.',
    ]);
    expect((await execute(second.plan, second.validation.documents, options)).ok).toBe(true);
    expect(recordValues(sandbox, 'example.net.', '_mta-sts.example.net.')).not.toEqual(before);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('a hosting bucket in another region than bucketRegion is a positioned error, not a silent success', async () => {
    sandbox = await startExampleSandbox();
    sandbox.state.s3.buckets['example-net-mail-policies'].region = 'eu-west-1';
    const cwd = copyExamples();
    const result = await plan(sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']));
    const wrong = result.plan.diagnostics.filter((d) => d.code === 'email/bucket-wrong-region');
    expect(wrong).toHaveLength(1);
    expect(wrong[0].severity).toBe('error');
    expect(wrong[0].message).toContain('is in eu-west-1, not in us-east-1');
    expect(wrong[0].file).toBe('policies/examples/testing-mode.yml');
  });

  it('waits for ACM to issue the certificate after publishing its validation records', async () => {
    sandbox = await startExampleSandbox();
    sandbox.state.settings.acm.issueAfterValidationMs = 300;
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']);
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(true);
    const cert = report.results.find((r) => r.address.endsWith('/acm/certificate'));
    expect(cert?.detail).toMatch(/validation record\(s\) published; issued$/);
    expect(sandbox.state.acm.certificates.map((c) => c.status)).toEqual(['ISSUED']);
    const again = await plan(options);
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.diagnostics.map((d) => d.code)).not.toContain('email/certificate-pending-validation');
  });

  it('a certificate still PENDING_VALIDATION when the wait ends is not a failure: the re-plan reports it pending, with nothing to change', async () => {
    sandbox = await startExampleSandbox();
    sandbox.state.settings.acm.issueAfterValidationMs = 60_000;
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']);
    options.runtime = { ...options.runtime, waitTimeoutMs: 400 };
    const report = await apply({ ...options, allowDestructive: false });
    expect(report.ok).toBe(true);
    expect(report.results.find((r) => r.address.endsWith('/acm/certificate'))?.detail).toMatch(/still PENDING_VALIDATION/);
    const again = await plan(options);
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.diagnostics.map((d) => [d.code, d.severity])).toContainEqual(['email/certificate-pending-validation', 'notice']);
    // Once ACM issues it, the notice goes away.
    sandbox.state.settings.acm.issueAfterValidationMs = 0;
    expect((await plan(options)).plan.diagnostics.map((d) => d.code)).not.toContain('email/certificate-pending-validation');
  });
});
