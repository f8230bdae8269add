import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/core/engine.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { copyExamples, exampleAccount, sandboxOptions } from '../helpers/aws.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

type Account = { route53: { hostedZones: Array<{ name: string; records: Array<{ name: string; type: string; ttl?: number; values: string[] }> }> } };

/** One small policy for example.net (no hosting), against the example account changed by `edit`. */
async function setup(policy: string, edit: (account: Account) => void = () => {}) {
  const account = exampleAccount() as Account;
  edit(account);
  sandbox = await startSandbox({ state: account as never });
  const cwd = mkdtempSync(join(tmpdir(), 'charter-own-'));
  writeFileSync(join(cwd, 'policy.yml'), `apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: example-net\nspec:\n  domain: example.net\n${policy}`);
  return sandboxOptions(sandbox, cwd, ['policy.yml']);
}

const zoneNet = (a: Account) => a.route53.hostedZones.find((z) => z.name.replace(/\.$/, '') === 'example.net')!;
const records = (sb: Sandbox) => structuredClone(sb.state.route53.hostedZones.map((z) => z.records));

describe('ownership and live checks', () => {
  it('a foreign TXT value at a managed name is an error and nothing is written', async () => {
    const options = await setup('  tlsRpt:\n    rua: [mailto:tls@example.net]\n', (a) =>
      zoneNet(a).records.push({ name: '_smtp._tls.example.net', type: 'TXT', ttl: 300, values: ['"google-site-verification=abc"'] }),
    );
    const before = records(sandbox!);
    const { plan: p } = await plan(options);
    expect(p.diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([['email/foreign-value', 'error', 7]]);
    expect(p.changes).toEqual([]);
    const report = await apply({ ...options, allowDestructive: true });
    expect(report.ok).toBe(false);
    expect(records(sandbox!)).toEqual(before);
  });

  it('a CNAME at a managed name is an error', async () => {
    const options = await setup('  tlsRpt:\n    rua: [mailto:tls@example.net]\n', (a) =>
      zoneNet(a).records.push({ name: '_smtp._tls.example.net', type: 'CNAME', ttl: 300, values: ['reports.example.org.'] }),
    );
    const { plan: p } = await plan(options);
    expect(p.diagnostics.map((d) => d.code)).toEqual(['email/cname-at-managed-name']);
    expect(p.changes).toEqual([]);
  });

  it('a domain with no hosted zone is an error located at spec.domain', async () => {
    const options = await setup('  tlsRpt:\n    rua: [mailto:tls@example.net]\n', (a) => {
      a.route53.hostedZones = a.route53.hostedZones.filter((z) => !z.name.startsWith('example.net'));
    });
    const { plan: p } = await plan(options);
    expect(p.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['email/zone-not-found', 6, 11]]);
  });

  it('live MX hosts not covered by the mx patterns: error in enforce, warning in testing', async () => {
    const enforce = await setup('  mtaSts:\n    mode: enforce\n    mx: [mx1.example.net]\n    maxAge: 604800\n  tlsRpt:\n    rua: [mailto:tls@example.net]\n');
    const { plan: p } = await plan(enforce);
    expect(p.diagnostics.filter((d) => d.code === 'email/mx-not-covered').map((d) => [d.severity, d.message])).toEqual([
      ['error', expect.stringContaining('backup.mail.example.net')],
    ]);
    await sandbox!.close();
    const testing = await setup('  mtaSts:\n    mode: testing\n    mx: [mx1.example.net]\n    maxAge: 604800\n  tlsRpt:\n    rua: [mailto:tls@example.net]\n');
    const { plan: t } = await plan(testing);
    expect(t.diagnostics.filter((d) => d.code === 'email/mx-not-covered').map((d) => d.severity)).toEqual(['warning']);
    expect(t.summary.errors).toBe(0);
  });

  it('BIMI without managed DMARC checks the live _dmarc record', async () => {
    const options = await setup('  bimi:\n    logo:\n      url: https://assets.example.net/logo.svg\n', (a) =>
      zoneNet(a).records.push({ name: '_dmarc.example.net', type: 'TXT', ttl: 300, values: ['"v=DMARC1; p=none"'] }),
    );
    const { plan: p } = await plan(options);
    expect(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['email/bimi-needs-dmarc-enforcement']);
    expect(p.inputs['EmailSecurity/example-net']).toMatchObject({ dmarc: ['v=DMARC1; p=none'] });
  });

  it('several values of the right kind are replaced by the one declared, as exactly read', async () => {
    const options = await setup('  tlsRpt:\n    rua: [mailto:tls@example.net]\n', (a) =>
      zoneNet(a).records.push({ name: '_smtp._tls.example.net', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:a@example.net"', '"v=TLSRPTv1; rua=mailto:b@example.net"'] }),
    );
    const { plan: p } = await plan(options);
    expect(p.diagnostics.map((d) => d.code)).toEqual(['email/multiple-records']);
    expect(p.changes.map((c) => c.action)).toEqual(['update']);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    const set = sandbox!.state.route53.hostedZones.find((z) => z.name === 'example.net.')!.records.find((r) => r.name === '_smtp._tls.example.net.')!;
    expect(set.values).toEqual(['"v=TLSRPTv1; rua=mailto:tls@example.net"']);
    expect((await plan(options)).plan.changes).toEqual([]);
  });

  it('a certificate Charter did not tag is left alone, and no second one is requested', async () => {
    const account = exampleAccount() as Account & { acm?: unknown };
    account.acm = { certificates: [{ domainName: 'mta-sts.example.net', status: 'ISSUED' }] };
    sandbox = await startSandbox({ state: account as never });
    const cwd = copyExamples();
    const options = sandboxOptions(sandbox, cwd, ['policies/examples/testing-mode.yml']);
    const { plan: p } = await plan(options);
    expect(p.diagnostics.map((d) => [d.code, d.severity])).toEqual([['email/certificate-left-alone', 'notice']]);
    expect(p.changes.some((c) => c.address.includes('/acm/'))).toBe(false);
    expect((await apply({ ...options, allowDestructive: false })).ok).toBe(true);
    expect(sandbox.state.acm.certificates).toHaveLength(1);
  });

  it('absent: true deletes the record set and is destructive', async () => {
    const options = await setup('  tlsRpt:\n    absent: true\n', (a) =>
      zoneNet(a).records.push({ name: '_smtp._tls.example.net', type: 'TXT', ttl: 300, values: ['"v=TLSRPTv1; rua=mailto:a@example.net"'] }),
    );
    const { plan: p } = await plan(options);
    expect(p.changes.map((c) => [c.action, c.risk])).toEqual([['delete', 'destructive']]);
    expect((await apply({ ...options, allowDestructive: false })).refused).toMatch(/destructive/);
    expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
    expect(sandbox!.state.route53.hostedZones.find((z) => z.name === 'example.net.')!.records.some((r) => r.name === '_smtp._tls.example.net.')).toBe(false);
  });
});
