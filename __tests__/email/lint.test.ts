import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { lintEmailSecurity } from '../../src/providers/email/lint.js';
import { CERT_NOW, makeTestCertificates, type TestCertificates } from './certs.js';
import { envelope, lintContext, policyDocs } from './helpers.js';

let certs: TestCertificates;
beforeAll(() => {
  certs = makeTestCertificates();
});
afterAll(() => certs?.cleanup());

type Section = 'dmarc' | 'bimi' | 'mtaSts' | 'tlsRpt' | 'hosting';

const SECTIONS: Record<Section, string> = {
  dmarc: `dmarc:
  policy: reject
  rua:
    - mailto:dmarc@example.com`,
  bimi: `bimi:
  logo:
    file: logo-valid.svg
  certificate:
    file: vmc.pem`,
  mtaSts: `mtaSts:
  mode: enforce
  mx:
    - mx1.example.com
    - "*.mail.example.com"
  maxAge: 604800`,
  tlsRpt: `tlsRpt:
  rua:
    - mailto:tls-reports@example.com`,
  hosting: `hosting:
  bucket: example-mail-assets
  distributionId: E123ABC
  assetsHost: bimi.example.com`,
};

/** The spec YAML with some sections replaced (string) or removed (null). */
function specYaml(changes: Partial<Record<Section | 'domain', string | null>> = {}): string {
  const lines = [`domain: ${changes.domain ?? 'example.com'}`];
  for (const section of Object.keys(SECTIONS) as Section[]) {
    const value = section in changes ? changes[section] : SECTIONS[section];
    if (value) lines.push(value);
  }
  return lines.join('\n');
}

async function lintText(text: string, files: Record<string, string> = {}): Promise<Diagnostic[]> {
  return lintEmailSecurity(policyDocs(text), lintContext(CERT_NOW, { 'vmc.pem': certs.valid, ...files }));
}

async function lint(changes: Parameters<typeof specYaml>[0] = {}, files: Record<string, string> = {}) {
  const text = envelope(specYaml(changes));
  return { text, diagnostics: await lintText(text, files) };
}

/** 1-based line and column of `needle` (the n-th occurrence) in the YAML text. */
function positionOf(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`"${needle}" not found`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function expectOne(result: { text: string; diagnostics: Diagnostic[] }, code: string, severity: Diagnostic['severity'], needle: string, occurrence = 1): Diagnostic {
  const found = result.diagnostics.filter((d) => d.code === code);
  expect(found, JSON.stringify(result.diagnostics, null, 2)).toHaveLength(1);
  expect(found[0].severity).toBe(severity);
  expect({ line: found[0].line, column: found[0].column }).toEqual(positionOf(result.text, needle, occurrence));
  expect(found[0].file).toBe('policies/email.yaml');
  expect(found[0].policy).toBe('EmailSecurity/example-com');
  return found[0];
}

function expectNone(result: { diagnostics: Diagnostic[] }, code: string): void {
  expect(result.diagnostics.filter((d) => d.code === code)).toEqual([]);
}

describe('lintEmailSecurity', () => {
  it('reports nothing for a complete, valid policy', async () => {
    expect((await lint()).diagnostics).toEqual([]);
  });

  describe('email/duplicate-domain', () => {
    it('is an error on the second policy for the same domain', async () => {
      const text = `${envelope(specYaml())}---\n${envelope(specYaml({ domain: 'Example.COM' }), 'example-com')}`;
      const result = { text, diagnostics: await lintText(text) };
      const d = expectOne(result, 'email/duplicate-domain', 'error', 'Example.COM');
      expect(d.message).toContain('policies/email.yaml:6');
    });

    it('is fine for different domains', async () => {
      const text = `${envelope(specYaml())}---\n${envelope(specYaml({ domain: 'example.org', bimi: null }), 'example-org')}`;
      expect((await lintText(text)).filter((d) => d.code === 'email/duplicate-domain')).toEqual([]);
    });
  });

  describe('email/name-too-long', () => {
    // 243 characters: _smtp._tls.<domain> is 254, _mta-sts.<domain> 252, mta-sts.<domain> 251.
    const longDomain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(47)}.com`;

    it('is an error when _smtp._tls.<domain> exceeds 253 characters', async () => {
      const result = await lint({ domain: longDomain, bimi: null, hosting: null });
      const d = expectOne(result, 'email/name-too-long', 'error', longDomain);
      expect(longDomain).toHaveLength(243);
      expect(d.message).toMatch(/^_smtp\._tls\..* 254 characters/);
    });

    it('points at the selector when the BIMI name is the one too long', async () => {
      const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(56)}.com`; // 188: the BIMI name is 258
      const selector = 's'.repeat(63);
      const result = await lint({ domain, bimi: `bimi:\n  selector: ${selector}\n  logo:\n    url: https://bimi.example.com/logo.svg`, mtaSts: null, tlsRpt: null, dmarc: null });
      expectOne(result, 'email/name-too-long', 'error', selector);
    });

    it('is fine for ordinary names', async () => {
      expectNone(await lint(), 'email/name-too-long');
    });
  });

  describe('email/not-printable-ascii', () => {
    it('is an error on a report address with non-ASCII characters', async () => {
      const result = await lint({ tlsRpt: 'tlsRpt:\n  rua:\n    - mailto:tls-rapports@exämple.com' });
      expectOne(result, 'email/not-printable-ascii', 'error', 'mailto:tls-rapports@exämple.com');
    });

    it('is an error on a BIMI URL with non-ASCII characters', async () => {
      const result = await lint({ bimi: 'bimi:\n  logo:\n    url: https://bimi.example.com/lögo.svg\n  certificate:\n    url: https://bimi.example.com/vmc.pem' });
      expectOne(result, 'email/not-printable-ascii', 'error', 'https://bimi.example.com/lögo.svg');
    });

    it('percent-encodes derived asset URLs so they stay ASCII', async () => {
      const result = await lint({}, {});
      expectNone(result, 'email/not-printable-ascii');
    });
  });

  describe('email/mx-pattern-invalid', () => {
    it('is an error at the offending mx entry', async () => {
      const result = await lint({ mtaSts: 'mtaSts:\n  mode: enforce\n  mx:\n    - mx1.example.com\n    - "*.*.example.com"' });
      expectOne(result, 'email/mx-pattern-invalid', 'error', '"*.*.example.com"');
    });

    it('is fine for hosts and one-label wildcards', async () => {
      expectNone(await lint(), 'email/mx-pattern-invalid');
    });
  });

  describe('email/mta-sts-no-mx', () => {
    it('is an error in enforce or testing mode without mx', async () => {
      const result = await lint({ mtaSts: 'mtaSts:\n  mode: testing' });
      expectOne(result, 'email/mta-sts-no-mx', 'error', 'mode: testing');
    });

    it('points at an empty mx list', async () => {
      const result = await lint({ mtaSts: 'mtaSts:\n  mode: enforce\n  mx: []' });
      expectOne(result, 'email/mta-sts-no-mx', 'error', '[]');
    });

    it('is fine in mode none', async () => {
      expectNone(await lint({ mtaSts: 'mtaSts:\n  mode: none' }), 'email/mta-sts-no-mx');
    });
  });

  describe('email/max-age-short', () => {
    it('warns below a day', async () => {
      const result = await lint({ mtaSts: 'mtaSts:\n  mode: testing\n  mx: [mx1.example.com]\n  maxAge: 3600' });
      expectOne(result, 'email/max-age-short', 'warning', '3600');
      expectNone(result, 'email/max-age-short-enforce');
    });

    it('is fine at a day in testing mode, and in mode none', async () => {
      expectNone(await lint({ mtaSts: 'mtaSts:\n  mode: testing\n  mx: [mx1.example.com]\n  maxAge: 86400' }), 'email/max-age-short');
      expectNone(await lint({ mtaSts: 'mtaSts:\n  mode: none\n  maxAge: 60' }), 'email/max-age-short');
    });
  });

  describe('email/max-age-short-enforce', () => {
    it('warns below a week in enforce mode', async () => {
      const result = await lint({ mtaSts: 'mtaSts:\n  mode: enforce\n  mx: [mx1.example.com]\n  maxAge: 86400' });
      expectOne(result, 'email/max-age-short-enforce', 'warning', '86400');
    });

    it('is fine with the default max age (a week)', async () => {
      expectNone(await lint({ mtaSts: 'mtaSts:\n  mode: enforce\n  mx: [mx1.example.com]' }), 'email/max-age-short-enforce');
    });
  });

  describe('email/mta-sts-without-tls-rpt', () => {
    it('warns when MTA-STS has no TLS reporting', async () => {
      expectOne(await lint({ tlsRpt: null }), 'email/mta-sts-without-tls-rpt', 'warning', 'mode: enforce', 1);
    });

    it('warns when TLS reporting is being removed', async () => {
      expectOne(await lint({ tlsRpt: 'tlsRpt:\n  absent: true' }), 'email/mta-sts-without-tls-rpt', 'warning', 'mode: enforce');
    });

    it('is fine with TLS reporting, or in mode none', async () => {
      expectNone(await lint(), 'email/mta-sts-without-tls-rpt');
      expectNone(await lint({ tlsRpt: null, mtaSts: 'mtaSts:\n  mode: none' }), 'email/mta-sts-without-tls-rpt');
    });
  });

  describe('email/mta-sts-policy-not-hosted', () => {
    it('is a notice when nothing hosts the policy file', async () => {
      const bimi = 'bimi:\n  logo:\n    url: https://cdn.example.net/logo.svg\n  certificate:\n    url: https://cdn.example.net/vmc.pem';
      expectOne(await lint({ hosting: null, bimi }), 'email/mta-sts-policy-not-hosted', 'notice', 'mode: enforce');
    });

    it('is quiet with hosting', async () => {
      expectNone(await lint(), 'email/mta-sts-policy-not-hosted');
    });
  });

  describe('email/tls-rpt-no-rua', () => {
    it('is an error with an empty rua list', async () => {
      expectOne(await lint({ tlsRpt: 'tlsRpt:\n  rua: []' }), 'email/tls-rpt-no-rua', 'error', '[]');
    });

    it('is an error with no rua at all', async () => {
      expectOne(await lint({ tlsRpt: 'tlsRpt:\n  absent: false' }), 'email/tls-rpt-no-rua', 'error', 'absent: false');
    });

    it('is fine with an address', async () => {
      expectNone(await lint(), 'email/tls-rpt-no-rua');
    });
  });

  describe('email/tls-rpt-rua-invalid', () => {
    it('is an error for an address that is not mailto:user@host or https', async () => {
      const result = await lint({ tlsRpt: 'tlsRpt:\n  rua:\n    - mailto:tls-reports@example.com\n    - mailto:a@b@example.com' });
      expectOne(result, 'email/tls-rpt-rua-invalid', 'error', 'mailto:a@b@example.com');
    });

    it('accepts , ; ! in addresses (Charter percent-encodes them)', async () => {
      const result = await lint({ tlsRpt: 'tlsRpt:\n  rua:\n    - "mailto:tls,rpt!x@example.com"\n    - https://reports.example.com/a;b' });
      expectNone(result, 'email/tls-rpt-rua-invalid');
      expect(result.diagnostics).toEqual([]);
    });
  });

  describe('email/txt-too-long', () => {
    it('is an error when the encoded value exceeds Route 53’s 4000 characters', async () => {
      const rua = Array.from({ length: 80 }, (_, i) => `    - mailto:tls-reports-mailbox-number-${i}@reports.example.com`).join('\n');
      const result = await lint({ tlsRpt: `tlsRpt:\n  rua:\n${rua}` });
      expectOne(result, 'email/txt-too-long', 'error', 'rua:', 2); // the tlsRpt map (dmarc's rua comes first)
    });

    it('is fine for ordinary values', async () => {
      expectNone(await lint(), 'email/txt-too-long');
    });
  });

  describe('email/dmarc-policy-missing', () => {
    it('is an error when DMARC is managed without a policy', async () => {
      const result = await lint({ dmarc: 'dmarc:\n  rua:\n    - mailto:dmarc@example.com', bimi: null });
      expectOne(result, 'email/dmarc-policy-missing', 'error', 'rua:'); // the dmarc map starts at its first key
    });

    it('is fine with a policy', async () => {
      expectNone(await lint(), 'email/dmarc-policy-missing');
    });
  });

  describe('email/dmarc-uri-invalid', () => {
    it('is an error on a bad ruf address', async () => {
      const result = await lint({ dmarc: 'dmarc:\n  policy: reject\n  ruf:\n    - mailto:x@y@example.com' });
      expectOne(result, 'email/dmarc-uri-invalid', 'error', 'mailto:x@y@example.com');
    });

    it('is fine with valid addresses', async () => {
      expectNone(await lint(), 'email/dmarc-uri-invalid');
    });
  });

  describe('BIMI prerequisites on a managed DMARC record', () => {
    it('email/bimi-needs-dmarc-enforcement: p=none is an error at dmarc.policy', async () => {
      expectOne(await lint({ dmarc: 'dmarc:\n  policy: none' }), 'email/bimi-needs-dmarc-enforcement', 'error', 'none');
    });

    it('email/bimi-dmarc-subdomain-policy: sp=none is an error at dmarc.subdomainPolicy', async () => {
      expectOne(await lint({ dmarc: 'dmarc:\n  policy: quarantine\n  subdomainPolicy: none' }), 'email/bimi-dmarc-subdomain-policy', 'error', 'none');
    });

    it('email/bimi-dmarc-pct: pct below 100 is an error at dmarc.percent', async () => {
      expectOne(await lint({ dmarc: 'dmarc:\n  policy: reject\n  percent: 50' }), 'email/bimi-dmarc-pct', 'error', '50');
    });

    it('email/bimi-dmarc-missing: removing DMARC while publishing BIMI is an error at dmarc.absent', async () => {
      expectOne(await lint({ dmarc: 'dmarc:\n  absent: true' }), 'email/bimi-dmarc-missing', 'error', 'true');
    });

    it('passes with p=quarantine, sp=reject, pct=100', async () => {
      const result = await lint({ dmarc: 'dmarc:\n  policy: quarantine\n  subdomainPolicy: reject\n  percent: 100' });
      expect(result.diagnostics).toEqual([]);
    });

    it('is left to the plan step when the policy does not manage DMARC', async () => {
      expect((await lint({ dmarc: null })).diagnostics).toEqual([]);
    });

    it('does not apply without BIMI', async () => {
      expectNone(await lint({ dmarc: 'dmarc:\n  policy: none', bimi: null }), 'email/bimi-needs-dmarc-enforcement');
    });
  });

  describe('email/bimi-no-certificate', () => {
    it('warns when BIMI has a logo but no mark certificate', async () => {
      expectOne(await lint({ bimi: 'bimi:\n  logo:\n    file: logo-valid.svg' }), 'email/bimi-no-certificate', 'warning', 'logo:');
    });

    it('is quiet with a certificate', async () => {
      expectNone(await lint(), 'email/bimi-no-certificate');
    });
  });

  describe('email/bimi-no-logo', () => {
    it('warns when BIMI has no logo (the record declines BIMI)', async () => {
      expectOne(await lint({ bimi: 'bimi:\n  certificate:\n    file: vmc.pem' }), 'email/bimi-no-logo', 'warning', 'certificate:');
    });

    it('is quiet with a logo', async () => {
      expectNone(await lint(), 'email/bimi-no-logo');
    });
  });

  describe('BIMI record values', () => {
    it('email/bimi-logo-not-svg: a raster logo URL is an error at logo.url', async () => {
      const result = await lint({ bimi: 'bimi:\n  logo:\n    url: https://bimi.example.com/logo.png\n  certificate:\n    file: vmc.pem' });
      expectOne(result, 'email/bimi-logo-not-svg', 'error', 'https://bimi.example.com/logo.png');
    });

    it('email/bimi-logo-url-invalid: an unparsable URL is an error at logo.url', async () => {
      const result = await lint({ bimi: 'bimi:\n  logo:\n    url: https://[bad/logo.svg\n  certificate:\n    file: vmc.pem' });
      expectOne(result, 'email/bimi-logo-url-invalid', 'error', 'https://[bad/logo.svg');
    });

    it('email/bimi-certificate-url-invalid: an evidence URL with a comma is an error at certificate.url', async () => {
      const result = await lint({ bimi: 'bimi:\n  logo:\n    file: logo-valid.svg\n  certificate:\n    url: https://bimi.example.com/a.pem,b.pem' });
      expectOne(result, 'email/bimi-certificate-url-invalid', 'error', 'https://bimi.example.com/a.pem,b.pem');
    });
  });

  describe('logo file (SVG Tiny PS)', () => {
    it('email/logo-not-tiny-ps: errors at logo.file', async () => {
      const result = await lint({ bimi: 'bimi:\n  logo:\n    file: logo-wrong-profile.svg\n  certificate:\n    file: vmc.pem' });
      const found = result.diagnostics.filter((d) => d.code === 'email/logo-not-tiny-ps');
      expect(found).toHaveLength(2);
      for (const d of found) expect([d.severity, d.line, d.column]).toEqual(['error', ...Object.values(positionOf(result.text, 'logo-wrong-profile.svg'))]);
    });

    it.each([
      ['logo-no-title.svg', 'email/logo-no-title', 'error'],
      ['logo-root-xy.svg', 'email/logo-root-position', 'error'],
      ['logo-script.svg', 'email/logo-forbidden-element', 'error'],
      ['logo-external-href.svg', 'email/logo-external-reference', 'error'],
      ['logo-malformed.svg', 'email/logo-invalid-xml', 'error'],
      ['logo-not-square.svg', 'email/logo-not-square', 'warning'],
    ] as const)('%s → %s', async (file, code, severity) => {
      const result = await lint({ bimi: `bimi:\n  logo:\n    file: ${file}\n  certificate:\n    file: vmc.pem` });
      const found = result.diagnostics.filter((d) => d.code === code);
      expect(found.length).toBeGreaterThan(0);
      expect([found[0].severity, found[0].line, found[0].column]).toEqual([severity, ...Object.values(positionOf(result.text, file))]);
    });

    it('email/logo-too-large: counts the file’s bytes', async () => {
      const big = `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 1 1"><title>T</title><!--${'x'.repeat(33 * 1024)}--></svg>`;
      const result = await lint({ bimi: 'bimi:\n  logo:\n    file: big.svg\n  certificate:\n    file: vmc.pem' }, { 'big.svg': big });
      expectOne(result, 'email/logo-too-large', 'error', 'big.svg');
    });

    it('is clean for a valid logo', async () => {
      expect((await lint()).diagnostics.filter((d) => d.code.startsWith('email/logo-'))).toEqual([]);
    });
  });

  describe('email/asset-file-missing', () => {
    it('is an error when a local file does not exist', async () => {
      const result = await lint({ bimi: 'bimi:\n  logo:\n    file: assets/missing.svg\n  certificate:\n    file: vmc.pem' });
      expectOne(result, 'email/asset-file-missing', 'error', 'assets/missing.svg');
    });

    it('is fine when the file exists', async () => {
      expectNone(await lint(), 'email/asset-file-missing');
    });
  });

  describe('email/asset-url-needs-hosting', () => {
    it('is an error for a file with neither url nor hosting.assetsHost', async () => {
      const result = await lint({ hosting: 'hosting:\n  bucket: example-mail-assets\n  distributionId: E123ABC' });
      const found = result.diagnostics.filter((d) => d.code === 'email/asset-url-needs-hosting');
      expect(found.map((d) => [d.severity, d.line, d.column])).toEqual([
        ['error', ...Object.values(positionOf(result.text, 'logo-valid.svg'))],
        ['error', ...Object.values(positionOf(result.text, 'vmc.pem'))],
      ]);
    });

    it('is fine with an explicit url and no hosting', async () => {
      const bimi = 'bimi:\n  logo:\n    url: https://cdn.example.net/logo.svg\n    file: logo-valid.svg\n  certificate:\n    url: https://cdn.example.net/vmc.pem';
      expectNone(await lint({ hosting: null, bimi }), 'email/asset-url-needs-hosting');
    });
  });

  describe('email/asset-not-uploaded', () => {
    it('is a notice when the url is not on hosting.assetsHost', async () => {
      const bimi = 'bimi:\n  logo:\n    url: https://cdn.example.net/logo.svg\n    file: logo-valid.svg\n  certificate:\n    file: vmc.pem';
      expectOne(await lint({ bimi }), 'email/asset-not-uploaded', 'notice', 'logo-valid.svg');
    });

    it('is quiet when the url is on the assets host', async () => {
      const bimi = 'bimi:\n  logo:\n    url: https://bimi.example.com/brand/logo.svg\n    file: logo-valid.svg\n  certificate:\n    file: vmc.pem';
      expectNone(await lint({ bimi }), 'email/asset-not-uploaded');
    });
  });

  describe('mark certificate file', () => {
    it('email/mark-certificate-expired: errors at certificate.file', async () => {
      expectOne(await lint({}, { 'vmc.pem': certs.expired }), 'email/mark-certificate-expired', 'error', 'vmc.pem');
    });

    it('email/mark-certificate-expiring: warns at certificate.file', async () => {
      expectOne(await lint({}, { 'vmc.pem': certs.expiring }), 'email/mark-certificate-expiring', 'warning', 'vmc.pem');
    });

    it('email/mark-certificate-not-yet-valid', async () => {
      expectOne(await lint({}, { 'vmc.pem': certs.notYetValid }), 'email/mark-certificate-not-yet-valid', 'error', 'vmc.pem');
    });

    it('email/mark-certificate-name-mismatch: checks against spec.domain', async () => {
      expectOne(await lint({}, { 'vmc.pem': certs.wildcard }), 'email/mark-certificate-name-mismatch', 'error', 'vmc.pem');
    });

    it('email/mark-certificate-chain-order', async () => {
      expectOne(await lint({}, { 'vmc.pem': certs.reversed }), 'email/mark-certificate-chain-order', 'error', 'vmc.pem');
    });

    it('email/mark-certificate-invalid: not PEM', async () => {
      expectOne(await lint({}, { 'vmc.pem': 'not a certificate' }), 'email/mark-certificate-invalid', 'error', 'vmc.pem');
    });

    it('is clean for a valid certificate', async () => {
      expect((await lint()).diagnostics.filter((d) => d.code.startsWith('email/mark-certificate'))).toEqual([]);
    });
  });

  it('skips sections marked absent', async () => {
    const result = await lint({
      bimi: 'bimi:\n  absent: true',
      mtaSts: 'mtaSts:\n  absent: true\n  mode: enforce',
      tlsRpt: 'tlsRpt:\n  absent: true',
      dmarc: 'dmarc:\n  absent: true',
    });
    expect(result.diagnostics).toEqual([]);
  });

  it('returns diagnostics sorted by position', async () => {
    const result = await lint({ tlsRpt: null, mtaSts: 'mtaSts:\n  mode: enforce\n  mx: ["*.*.x.com"]\n  maxAge: 60' });
    const lines = result.diagnostics.map((d) => d.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(result.diagnostics.map((d) => d.code)).toEqual(['email/mta-sts-without-tls-rpt', 'email/mx-pattern-invalid', 'email/max-age-short']);
  });
});
