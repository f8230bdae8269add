/**
 * EmailSecurity import on record forms the examples do not have: tags in another case or order, report
 * lists with spaces, several values at one name, a CNAME or a routing policy at a managed name, another
 * BIMI selector. Each is either written as it is or named in a warning; never dropped silently. The engine's
 * importPolicies against the sandbox (the CLI process tests cover the command itself).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importPolicies, plan } from '../../src/core/engine.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { exampleAccount, sandboxOptions } from '../helpers/aws.js';

let sandbox: Sandbox;

beforeAll(async () => {
  const state = exampleAccount() as { route53: { hostedZones: unknown[] } };
  state.route53.hostedZones.push(
    {
      id: 'Z0EXAMPLEIO001',
      name: 'example.io',
      records: [
        { name: '_dmarc.example.io', type: 'TXT', ttl: 600, txt: ['V=DMARC1; P=Reject; rua=mailto:a@example.io, mailto:b@example.io; adkim=s'] },
        { name: '_smtp._tls.example.io', type: 'TXT', ttl: 900, txt: ['v=TLSRPTv1; rua=mailto:tls@example.io', 'v=TLSRPTv1; rua=mailto:old@example.io'] },
        { name: 'brand._bimi.example.io', type: 'TXT', ttl: 600, txt: ['v=BIMI1; l=https://logo.example.io/l.svg; a=https://logo.example.io/a.pem; avp=brand'] },
        { name: 'other._bimi.example.io', type: 'TXT', ttl: 600, txt: ['v=BIMI1; l=https://logo.example.io/o.svg'] },
      ],
    },
    {
      id: 'Z0EXAMPLEDEV01',
      name: 'example.dev',
      records: [
        { name: '_dmarc.example.dev', type: 'CNAME', ttl: 300, values: ['dmarc.provider.example.'] },
        { name: '_smtp._tls.example.dev', type: 'TXT', ttl: 300, setIdentifier: 'eu', region: 'eu-west-1', txt: ['v=TLSRPTv1; rua=mailto:tls@example.dev'] },
      ],
    },
  );
  sandbox = await startSandbox({ state: state as never });
});

afterAll(() => sandbox.close());

async function importFrom(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'charter-email-import-'));
  writeFileSync(join(dir, 'p.yml'), text);
  const options = sandboxOptions(sandbox, dir, ['p.yml']);
  const result = await importPolicies({ ...options, file: 'p.yml' });
  expect(result.text, JSON.stringify(result.diagnostics)).toBeDefined();
  writeFileSync(join(dir, 'p.yml'), result.text!);
  const { plan: p } = await plan({ ...options, paths: ['p.yml'] });
  return { spec: (parse(result.text!) as { spec: Record<string, unknown> }).spec, result, plan: p };
}

describe('EmailSecurity import', () => {
  it('reads tags in any case and lists with spaces; what a policy writes differently is a warning and is exactly what the plan changes', async () => {
    const { spec, result, plan: p } = await importFrom('apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: io\nspec:\n  domain: example.io\n  bimi:\n    selector: brand\n');
    expect(spec).toEqual({
      domain: 'example.io',
      ttl: 600,
      dmarc: { policy: 'reject', rua: ['mailto:a@example.io', 'mailto:b@example.io'], adkim: 's' },
      bimi: { selector: 'brand', logo: { url: 'https://logo.example.io/l.svg' }, certificate: { url: 'https://logo.example.io/a.pem' }, avp: 'brand' },
      tlsRpt: { rua: ['mailto:tls@example.io'] },
    });
    const warnings = result.warnings.join('\n');
    expect(warnings).toContain('_smtp._tls.example.io. TXT holds 2 values; receivers need exactly one');
    expect(warnings).toContain('_dmarc.example.io. TXT: live "V=DMARC1; P=Reject; rua=mailto:a@example.io, mailto:b@example.io; adkim=s" cannot be written exactly by a policy; the first plan changes it to "v=DMARC1; p=reject; rua=mailto:a@example.io,mailto:b@example.io; adkim=s"');
    expect(warnings).toContain('_smtp._tls.example.io. TXT: TTL 900 differs from the policy');
    expect(result.notices.join('\n')).toContain('brand._bimi.example.io. was imported and other._bimi.example.io. left alone');
    expect(p.changes.map((c) => c.address).sort()).toEqual(['email/io/route53/TXT/_dmarc.example.io.', 'email/io/route53/TXT/_smtp._tls.example.io.']);
  });

  it('a CNAME or a routing policy at a managed name is not imported, and the warning names it', async () => {
    const { spec, result, plan: p } = await importFrom('apiVersion: charter/v1\nkind: EmailSecurity\nmetadata:\n  name: dev\nspec:\n  domain: example.dev\n');
    expect(spec).toEqual({ domain: 'example.dev', ttl: 3600 });
    const warnings = result.warnings.join('\n');
    expect(warnings).toContain('_dmarc.example.dev. is a CNAME (to dmarc.provider.example.), which a policy cannot manage; DMARC was not imported');
    expect(warnings).toContain('_smtp._tls.example.dev. TXT uses a routing policy or alias, which a policy cannot manage; TLS-RPT was not imported');
    expect(p.changes).toEqual([]);
  });
});
