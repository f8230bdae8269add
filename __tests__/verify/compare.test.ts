/** Unit tests of the pure comparison functions of verify.ts: no network, no servers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveError, type HttpResponse } from '../../src/providers/email/live-client.js';
import { renderMtaStsPolicy } from '../../src/providers/email/mta-sts-policy.js';
import {
  checkBimiAsset,
  checkHttpResponse,
  checkLiveMx,
  compareMtaStsPolicy,
  compareTxtRecords,
  contentTypeAccepted,
  findingsToDiagnostics,
  mediaType,
  MTA_STS_CONTENT_TYPES,
  type DesiredPolicyFile,
} from '../../src/providers/email/verify.js';
import { emailPolicy } from '../email/helpers.js';
import { repoRoot } from '../helpers/aws.js';

const PATH = ['spec', 'tlsRpt'];
const TLS_RPT = 'v=TLSRPTv1; rua=mailto:tls@example.com';
const codes = (findings: { code: string }[]) => findings.map((f) => f.code);

function response(status: number, headers: Record<string, string> = {}, body = ''): HttpResponse {
  return { url: 'https://mta-sts.example.com/.well-known/mta-sts.txt', status, headers, body: Buffer.from(body) };
}

describe('compareTxtRecords', () => {
  /** `desired: null` is a record the policy removes (`absent: true`). */
  const check = (live: string[][] | LiveError, desired: string | null = TLS_RPT, section: 'tlsRpt' | 'mtaSts' | 'dmarc' | 'bimi' = 'tlsRpt') =>
    compareTxtRecords({ section, name: '_smtp._tls.example.com.', desired: desired ?? undefined, live, path: PATH });

  it('equal value: nothing', () => {
    expect(check([[TLS_RPT]])).toEqual([]);
  });

  it('joins character-strings without separators', () => {
    expect(check([['v=TLSRPTv1; rua=mai', 'lto:tls@example.com']])).toEqual([]);
    expect(codes(check([['v=TLSRPTv1; rua=mai', ' lto:tls@example.com']]))).toEqual(['email/verify-record-differs']);
  });

  it('missing: NXDOMAIN, empty answer, only foreign values', () => {
    const nx = check(new LiveError('nxdomain', 'dns', '_smtp._tls.example.com does not exist (NXDOMAIN)'));
    expect(nx).toEqual([expect.objectContaining({ code: 'email/verify-record-missing', severity: 'error', path: PATH, message: expect.stringContaining('NXDOMAIN') })]);
    expect(codes(check([]))).toEqual(['email/verify-record-missing']);
    expect(codes(check([['v=spf1 -all']]))).toEqual(['email/verify-record-foreign', 'email/verify-record-missing']);
  });

  it('several records of the kind', () => {
    const found = check([[TLS_RPT], ['v=TLSRPTv1; rua=mailto:old@example.com']]);
    expect(found).toEqual([expect.objectContaining({ code: 'email/verify-record-multiple', severity: 'error', message: expect.stringContaining('RFC 8460 §3') })]);
  });

  it('a failed lookup is inconclusive, not a difference', () => {
    for (const kind of ['timeout', 'servfail', 'refused', 'other'] as const) {
      expect(check(new LiveError(kind, 'dns', 'boom'))).toEqual([expect.objectContaining({ code: 'email/verify-dns-error', message: 'Could not check: boom' })]);
    }
  });

  it('absent records: fine when gone, an error while still served', () => {
    expect(check([], null)).toEqual([]);
    expect(check(new LiveError('nxdomain', 'dns', 'x'), null)).toEqual([]);
    expect(codes(check([[TLS_RPT]], null))).toEqual(['email/verify-record-not-removed']);
  });

  it('_mta-sts: a different id is an id mismatch; the same id written differently is a warning', () => {
    const desired = 'v=STSv1; id=abc123';
    const mismatch = check([['v=STSv1; id=zzz']], desired, 'mtaSts');
    expect(mismatch).toEqual([expect.objectContaining({ code: 'email/verify-mta-sts-id-mismatch', severity: 'error', message: expect.stringContaining('id=zzz') })]);
    expect(mismatch[0].message).toContain('abc123');
    expect(check([['v=STSv1;id=abc123;']], desired, 'mtaSts')).toEqual([expect.objectContaining({ code: 'email/verify-record-differs', severity: 'warning' })]);
    expect(codes(check([['v=STSv1']], desired, 'mtaSts'))).toEqual(['email/verify-mta-sts-id-mismatch']);
  });

  it('recognises each kind by its version tag', () => {
    expect(check([['v=DMARC1; p=reject']], 'v=DMARC1; p=reject', 'dmarc')).toEqual([]);
    expect(codes(check([['v=DMARC1; p=none']], 'v=DMARC1; p=reject', 'dmarc'))).toEqual(['email/verify-record-differs']);
    expect(check([['v=BIMI1; l=https://a.example/l.svg']], 'v=BIMI1; l=https://a.example/l.svg', 'bimi')).toEqual([]);
  });
});

describe('checkLiveMx', () => {
  const patterns = ['mx1.example.com', '*.mail.example.com'];
  const path = ['spec', 'mtaSts', 'mx'];

  it('covered hosts and Null MX: nothing', () => {
    expect(checkLiveMx('enforce', patterns, [{ priority: 10, exchange: 'MX1.example.com' }, { priority: 20, exchange: 'a.mail.example.com' }], path)).toEqual([]);
    expect(checkLiveMx('enforce', patterns, [{ priority: 0, exchange: '' }], path)).toEqual([]);
  });

  it('an uncovered host: error in enforce, warning in testing, nothing in none', () => {
    const live = [{ priority: 10, exchange: 'a.b.mail.example.com' }];
    expect(checkLiveMx('enforce', patterns, live, path)).toEqual([expect.objectContaining({ code: 'email/verify-mx-not-covered', severity: 'error', path })]);
    expect(checkLiveMx('testing', patterns, live, path)).toEqual([expect.objectContaining({ code: 'email/verify-mx-not-covered', severity: 'warning' })]);
    expect(checkLiveMx('none', patterns, live, path)).toEqual([]);
  });

  it('no MX is nothing to check; a failed lookup is inconclusive', () => {
    expect(checkLiveMx('enforce', patterns, new LiveError('nxdomain', 'dns', 'x'), path)).toEqual([]);
    expect(codes(checkLiveMx('enforce', patterns, new LiveError('timeout', 'dns', 'x'), path))).toEqual(['email/verify-dns-error']);
  });
});

describe('content types', () => {
  it('media type without parameters, case-insensitive', () => {
    expect(mediaType('Text/Plain; charset=utf-8')).toBe('text/plain');
    expect(mediaType(undefined)).toBeUndefined();
    expect(mediaType('')).toBeUndefined();
    expect(contentTypeAccepted('text/plain;charset=UTF-8', MTA_STS_CONTENT_TYPES)).toBe(true);
    expect(contentTypeAccepted('text/plainx', MTA_STS_CONTENT_TYPES)).toBe(false);
    expect(contentTypeAccepted('text/html', MTA_STS_CONTENT_TYPES)).toBe(false);
    expect(contentTypeAccepted(undefined, MTA_STS_CONTENT_TYPES)).toBe(false);
  });
});

describe('checkHttpResponse', () => {
  const url = 'https://mta-sts.example.com/.well-known/mta-sts.txt';
  const expectation = { what: 'The MTA-STS policy', accepted: MTA_STS_CONTENT_TYPES, contentTypeSeverity: 'error' as const, contentTypeSource: 'RFC 8461 §3.2', path: ['spec', 'mtaSts'] };

  it('200 text/plain: the body, no finding', () => {
    const result = checkHttpResponse(url, response(200, { 'content-type': 'text/plain' }, 'x'), expectation);
    expect(result.findings).toEqual([]);
    expect(result.body?.toString()).toBe('x');
  });

  it('every 3xx is a redirect error with its Location, and no body', () => {
    for (const status of [301, 302, 303, 307, 308]) {
      const result = checkHttpResponse(url, response(status, { location: 'https://elsewhere.example/p' }), expectation);
      expect(result.body).toBeUndefined();
      expect(result.findings).toEqual([expect.objectContaining({ code: 'email/verify-http-redirect', message: expect.stringContaining(`${status} redirecting to https://elsewhere.example/p`) })]);
    }
  });

  it('other statuses', () => {
    for (const status of [204, 403, 404, 500, 503]) expect(codes(checkHttpResponse(url, response(status), expectation).findings)).toEqual(['email/verify-http-status']);
  });

  it('a missing or wrong Content-Type still returns the body to compare', () => {
    const result = checkHttpResponse(url, response(200, {}, 'x'), expectation);
    expect(result.findings).toEqual([expect.objectContaining({ code: 'email/verify-content-type', severity: 'error', message: expect.stringContaining('no Content-Type') })]);
    expect(result.body?.toString()).toBe('x');
  });

  it('network errors', () => {
    const find = (e: LiveError) => checkHttpResponse(url, e, expectation).findings.map((f) => f.code);
    expect(find(new LiveError('tls', 'tls', `${url}: TLS failed: self-signed certificate`))).toEqual(['email/verify-tls-error']);
    expect(find(new LiveError('nxdomain', 'dns', 'mta-sts.example.com does not exist (NXDOMAIN)'))).toEqual(['email/verify-https-unreachable']);
    expect(find(new LiveError('unreachable', 'connect', 'ECONNREFUSED'))).toEqual(['email/verify-https-unreachable']);
    expect(find(new LiveError('timeout', 'http', 'slow'))).toEqual(['email/verify-https-unreachable']);
    expect(find(new LiveError('too-large', 'http', 'big'))).toEqual(['email/verify-https-unreachable']);
    // The resolver failing to look the host up says nothing about the host.
    expect(find(new LiveError('timeout', 'dns', 'the A lookup timed out'))).toEqual(['email/verify-dns-error']);
    expect(find(new LiveError('servfail', 'dns', 'SERVFAIL'))).toEqual(['email/verify-dns-error']);
  });
});

describe('compareMtaStsPolicy', () => {
  const url = 'https://mta-sts.example.com/.well-known/mta-sts.txt';
  const rendered = renderMtaStsPolicy({ mode: 'enforce', mx: ['mx1.example.com', '*.mail.example.com'], maxAge: 604800 });
  const desired: DesiredPolicyFile = { text: rendered.text, mode: 'enforce', mx: ['mx1.example.com', '*.mail.example.com'], maxAge: 604800 };

  it('the exact rendered file: nothing', () => {
    expect(compareMtaStsPolicy(rendered.text, desired, url)).toEqual([]);
  });

  it('same meaning, different bytes: a notice', () => {
    const reordered = 'version: STSv1\nmax_age: 604800\nmx: *.MAIL.example.com\nmode: enforce\nmx: mx1.example.com\n';
    expect(compareMtaStsPolicy(reordered, desired, url)).toEqual([expect.objectContaining({ code: 'email/verify-mta-sts-policy-text-differs', severity: 'notice' })]);
  });

  it('one finding per differing field, at its YAML path', () => {
    const stale = 'version: STSv1\r\nmode: testing\r\nmx: mx1.example.com\r\nmx: mx0.example.com\r\nmax_age: 86400\r\n';
    const found = compareMtaStsPolicy(stale, desired, url);
    expect(found.map((f) => [f.code, f.path.join('.')])).toEqual([
      ['email/verify-mta-sts-policy-differs', 'spec.mtaSts.mode'],
      ['email/verify-mta-sts-policy-differs', 'spec.mtaSts.mx'],
      ['email/verify-mta-sts-policy-differs', 'spec.mtaSts.maxAge'],
    ]);
    expect(found[1].message).toContain('lacks *.mail.example.com and has mx0.example.com the policy does not list');
  });

  it('receivers keep the first value of a repeated field', () => {
    const twice = rendered.text + 'mode: testing\r\n';
    expect(codes(compareMtaStsPolicy(twice, desired, url))).toEqual(['email/verify-mta-sts-policy-text-differs']);
    const firstWrong = rendered.text.replace('mode: enforce', 'mode: testing\r\nmode: enforce');
    expect(codes(compareMtaStsPolicy(firstWrong, desired, url))).toEqual(['email/verify-mta-sts-policy-differs']);
  });

  it('an invalid file is one error listing the reasons', () => {
    const found = compareMtaStsPolicy('version: STSv2\nmode: enforce\nmax_age: soon\n', desired, url);
    expect(found).toEqual([expect.objectContaining({ code: 'email/verify-mta-sts-policy-invalid', severity: 'error', path: ['spec', 'mtaSts'] })]);
    expect(found[0].message).toContain('version must be STSv1');
    expect(found[0].message).toContain('max_age "soon"');
  });
});

describe('checkBimiAsset', () => {
  const url = 'https://assets.example.com/logo.svg';
  const path = ['spec', 'bimi', 'logo', 'url'];
  const svg = '<svg/>';

  it('logo: image/svg+xml and the same bytes as the local file', () => {
    expect(checkBimiAsset('logo', url, response(200, { 'content-type': 'image/svg+xml' }, svg), path, new TextEncoder().encode(svg))).toEqual([]);
    expect(checkBimiAsset('logo', url, response(200, { 'content-type': 'image/svg+xml' }, svg), path)).toEqual([]);
  });

  it('logo: wrong type is a warning; other bytes are an error', () => {
    expect(checkBimiAsset('logo', url, response(200, { 'content-type': 'image/png' }, svg), path)).toEqual([expect.objectContaining({ code: 'email/verify-content-type', severity: 'warning', path })]);
    expect(codes(checkBimiAsset('logo', url, response(200, { 'content-type': 'image/svg+xml' }, '<svg>old</svg>'), path, new TextEncoder().encode(svg)))).toEqual(['email/verify-asset-differs']);
  });

  it('certificate: the PEM media types accepted', () => {
    for (const type of ['application/pem-certificate-chain', 'application/x-pem-file', 'application/pkix-cert', 'text/plain', 'TEXT/PLAIN; charset=us-ascii']) {
      expect(checkBimiAsset('certificate', url, response(200, { 'content-type': type }), path), type).toEqual([]);
    }
    for (const type of ['application/octet-stream', 'binary/octet-stream', 'image/svg+xml']) {
      expect(codes(checkBimiAsset('certificate', url, response(200, { 'content-type': type }), path)), type).toEqual(['email/verify-content-type']);
    }
  });

  it('redirect and status apply to assets too', () => {
    expect(codes(checkBimiAsset('logo', url, response(302, { location: 'https://cdn.example/logo.svg' }), path))).toEqual(['email/verify-http-redirect']);
    expect(codes(checkBimiAsset('logo', url, response(404), path))).toEqual(['email/verify-http-status']);
  });
});

describe('findingsToDiagnostics', () => {
  it('locates findings at their YAML line and reports duplicates once', () => {
    const doc = emailPolicy(`
domain: example.com
mtaSts:
  mode: enforce
  mx:
    - mx1.example.com
tlsRpt:
  rua:
    - mailto:tls@example.com
`);
    const f = { code: 'email/verify-record-missing', severity: 'error' as const, message: 'm', path: ['spec', 'tlsRpt'] };
    const diagnostics = findingsToDiagnostics(doc, [f, f, { ...f, path: ['spec', 'mtaSts', 'mode'] }]);
    const at = (path: string[]) => doc.position(path);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'email/verify-record-missing', ...at(['spec', 'tlsRpt']), policy: 'EmailSecurity/example-com', message: 'm', severity: 'error' }),
      expect.objectContaining({ ...at(['spec', 'mtaSts', 'mode']), line: 8, column: 11 }),
    ]);
  });
});

describe('documentation', () => {
  it('every email/verify-* code is documented in docs/diagnostics-email.md', () => {
    const source = readFileSync(join(repoRoot, 'src/providers/email/verify.ts'), 'utf8');
    const docs = readFileSync(join(repoRoot, 'docs/diagnostics-email.md'), 'utf8');
    const used = new Set([...source.matchAll(/'(email\/verify-[a-z-]+)'/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(15);
    for (const code of used) expect(docs, code).toContain(`| \`${code}\` |`);
  });
});
