import { describe, expect, it } from 'vitest';
import {
  apexBimiIssues,
  desiredRecords,
  liveBimiDmarcIssues,
  liveRecordSetIssues,
  managedNames,
  resolveAsset,
} from '../../src/providers/email/lint.js';
import { renderMtaStsPolicy } from '../../src/providers/email/mta-sts-policy.js';
import { emailPolicy } from './helpers.js';

const FULL = `
domain: Example.COM
ttl: 300
dmarc:
  policy: reject
  rua: [mailto:dmarc@example.com]
bimi:
  selector: brand
  avp: brand
  logo:
    file: assets/Logo Final.svg
  certificate:
    url: https://cdn.example.net/vmc.pem
    file: vmc.pem
mtaSts:
  mode: testing
  mx: [mx1.example.com, "*.mail.example.com"]
tlsRpt:
  rua: ["mailto:tls,rpt@example.com"]
hosting:
  bucket: example-mail-assets
  distributionId: E123ABC
  assetsHost: bimi.example.com
`;

describe('desiredRecords', () => {
  it('builds every record with schema defaults applied', () => {
    const doc = emailPolicy(FULL);
    const desired = desiredRecords(doc);
    const policy = renderMtaStsPolicy({ mode: 'testing', mx: ['mx1.example.com', '*.mail.example.com'], maxAge: 604800 });
    expect(desired.domain).toBe('example.com');
    expect(desired.records).toEqual([
      { name: '_dmarc.example.com.', type: 'TXT', ttl: 300, value: 'v=DMARC1; p=reject; rua=mailto:dmarc@example.com', section: 'dmarc', path: ['spec', 'dmarc'] },
      {
        name: 'brand._bimi.example.com.',
        type: 'TXT',
        ttl: 300,
        value: 'v=BIMI1; l=https://bimi.example.com/Logo%20Final.svg; a=https://cdn.example.net/vmc.pem; avp=brand',
        section: 'bimi',
        path: ['spec', 'bimi'],
      },
      { name: '_mta-sts.example.com.', type: 'TXT', ttl: 300, value: `v=STSv1; id=${policy.id}`, section: 'mtaSts', path: ['spec', 'mtaSts'] },
      { name: '_smtp._tls.example.com.', type: 'TXT', ttl: 300, value: 'v=TLSRPTv1; rua=mailto:tls%2Crpt@example.com', section: 'tlsRpt', path: ['spec', 'tlsRpt'] },
    ]);
    expect(desired.mtaStsPolicy).toEqual({ ...policy, host: 'mta-sts.example.com', key: '.well-known/mta-sts.txt' });
    expect(desired.absent).toEqual([]);
    expect(desired.hosting).toEqual({
      bucket: 'example-mail-assets',
      region: 'us-east-1',
      distributionId: 'E123ABC',
      assetsHost: 'bimi.example.com',
      manageCertificate: true,
      certificateNames: ['mta-sts.example.com', 'bimi.example.com'],
    });
    expect(desired.assets).toEqual([
      { field: 'logo', file: 'assets/Logo Final.svg', url: 'https://bimi.example.com/Logo%20Final.svg', key: 'Logo Final.svg', contentType: 'image/svg+xml', path: ['spec', 'bimi', 'logo', 'file'] },
      { field: 'certificate', file: 'vmc.pem', url: 'https://cdn.example.net/vmc.pem', key: undefined, contentType: 'application/x-pem-file', path: ['spec', 'bimi', 'certificate', 'file'] },
    ]);
  });

  it('uses ttl 3600 and selector default when not set', () => {
    const desired = desiredRecords(emailPolicy('domain: example.com\nbimi:\n  logo:\n    url: https://x.example.com/l.svg'));
    expect(desired.hosting).toBeUndefined();
    expect(desired.records).toEqual([
      { name: 'default._bimi.example.com.', type: 'TXT', ttl: 3600, value: 'v=BIMI1; l=https://x.example.com/l.svg', section: 'bimi', path: ['spec', 'bimi'] },
    ]);
  });

  it('lists absent sections separately and renders no policy for an absent MTA-STS', () => {
    const desired = desiredRecords(emailPolicy('domain: example.com\nmtaSts:\n  absent: true\n  mode: none\ntlsRpt:\n  absent: true'));
    expect(desired.records).toEqual([]);
    expect(desired.mtaStsPolicy).toBeUndefined();
    expect(desired.absent).toEqual([
      { name: '_mta-sts.example.com.', type: 'TXT', section: 'mtaSts', path: ['spec', 'mtaSts'] },
      { name: '_smtp._tls.example.com.', type: 'TXT', section: 'tlsRpt', path: ['spec', 'tlsRpt'] },
    ]);
  });

  it('changes the _mta-sts id when the policy changes', () => {
    const a = desiredRecords(emailPolicy('domain: example.com\nmtaSts:\n  mode: testing\n  mx: [mx1.example.com]'));
    const b = desiredRecords(emailPolicy('domain: example.com\nmtaSts:\n  mode: enforce\n  mx: [mx1.example.com]'));
    expect(a.records[0].value).not.toBe(b.records[0].value);
  });

  it('resolves asset keys only on the assets host', () => {
    const spec = emailPolicy(FULL).spec;
    expect(resolveAsset(spec, { url: 'https://BIMI.example.com/brand/logo.svg', file: 'x.svg' })).toEqual({ url: 'https://BIMI.example.com/brand/logo.svg', key: 'brand/logo.svg' });
    expect(resolveAsset(spec, { url: 'https://bimi.example.com/', file: 'x.svg' })).toEqual({ url: 'https://bimi.example.com/', key: undefined });
    expect(resolveAsset(spec, { url: 'https://cdn.example.net/logo.svg' })).toEqual({ url: 'https://cdn.example.net/logo.svg' });
    expect(resolveAsset({ domain: 'example.com' }, { file: 'logo.svg' })).toEqual({});
  });

  it('names the managed names', () => {
    expect(managedNames({ domain: 'Example.com.' })).toEqual({
      bimi: 'default._bimi.example.com',
      mtaSts: '_mta-sts.example.com',
      tlsRpt: '_smtp._tls.example.com',
      dmarc: '_dmarc.example.com',
      mtaStsHost: 'mta-sts.example.com',
    });
  });
});

describe('live helpers', () => {
  it('liveRecordSetIssues: CNAME, foreign values, several records', () => {
    const issues = liveRecordSetIssues('mtaSts', '_mta-sts.example.com.', ['v=STSv1; id=a', 'v=STSv1; id=b', 'google-site-verification=xyz'], 'elsewhere.example.net.');
    expect(issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['error:email/cname-at-managed-name', 'error:email/foreign-value', 'warning:email/multiple-records']);
    expect(liveRecordSetIssues('tlsRpt', '_smtp._tls.example.com.', ['v=TLSRPTv1; rua=mailto:a@example.com'])).toEqual([]);
  });

  it('liveBimiDmarcIssues: one enforcing record passes, none or several fail', () => {
    expect(liveBimiDmarcIssues(['v=DMARC1; p=reject', 'v=spf1 -all'])).toEqual([]);
    expect(liveBimiDmarcIssues([]).map((i) => i.code)).toEqual(['email/bimi-dmarc-missing']);
    expect(liveBimiDmarcIssues(['v=DMARC1; p=reject', 'v=DMARC1; p=none']).map((i) => i.code)).toEqual(['email/bimi-dmarc-invalid']);
    expect(liveBimiDmarcIssues(['v=DMARC1; p=none']).map((i) => i.code)).toEqual(['email/bimi-needs-dmarc-enforcement']);
  });

  it('apexBimiIssues: a v=BIMI1 record at the apex is an error', () => {
    expect(apexBimiIssues('example.com', ['v=spf1 -all', 'v=BIMI1; l=https://x/l.svg']).map((i) => `${i.severity}:${i.code}`)).toEqual(['error:email/bimi-at-apex']);
    expect(apexBimiIssues('example.com', ['v=spf1 -all'])).toEqual([]);
  });
});
