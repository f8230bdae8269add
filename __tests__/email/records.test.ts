import { describe, expect, it } from 'vitest';
import {
  bimiDmarcPrerequisites,
  checkBimiRecord,
  checkDmarcRecord,
  checkMtaStsIdChange,
  checkMtaStsRecord,
  checkTlsRptRecord,
  dmarcValues,
  encodeReportUri,
  formatBimi,
  formatDmarc,
  formatMtaStsTxt,
  formatTlsRpt,
  parseTagList,
  type RecordIssue,
} from '../../src/providers/email/records.js';

const codes = (issues: RecordIssue[]) => issues.map((i) => `${i.severity}:${i.code}`);

describe('parseTagList', () => {
  it('parses tags with spaces and tabs around names and values', () => {
    const list = parseTagList('v=DMARC1;  p = reject ;\tpct=100;');
    expect(list.tags.map((t) => [t.name, t.value])).toEqual([
      ['v', 'DMARC1'],
      ['p', 'reject'],
      ['pct', '100'],
    ]);
    expect(list.malformed).toEqual([]);
  });

  it('keeps "=" inside values', () => {
    expect(parseTagList('l=https://x/a?b=c').tags[0].value).toBe('https://x/a?b=c');
  });

  it('reports duplicates and keeps the first occurrence', () => {
    const list = parseTagList('v=STSv1; id=a; id=b');
    expect(list.duplicates.map((t) => t.value)).toEqual(['b']);
    expect(list.first.get('id')?.value).toBe('a');
  });

  it('reports malformed segments: empty tag, missing "=", bad name', () => {
    const list = parseTagList('v=1;; x ; =y; bad name=1');
    expect(list.malformed.map((m) => m.reason)).toEqual(['empty tag', 'missing "="', 'invalid tag name ""', 'invalid tag name "bad name"']);
  });

  it('allows one trailing separator', () => {
    expect(parseTagList('v=1;').malformed).toEqual([]);
  });

  it('records offsets', () => {
    expect(parseTagList('v=1;  id=2').tags[1].offset).toBe(6);
  });
});

describe('formatters', () => {
  it('formats BIMI with and without a certificate', () => {
    expect(formatBimi({ logoUrl: 'https://a.example/l.svg' })).toBe('v=BIMI1; l=https://a.example/l.svg');
    expect(formatBimi({ logoUrl: 'https://a.example/l.svg', certificateUrl: 'https://a.example/c.pem', avp: 'brand' })).toBe(
      'v=BIMI1; l=https://a.example/l.svg; a=https://a.example/c.pem; avp=brand',
    );
    expect(formatBimi({})).toBe('v=BIMI1; l=; a=');
  });

  it('formats the MTA-STS record', () => {
    expect(formatMtaStsTxt('abc123')).toBe('v=STSv1; id=abc123');
  });

  it('formats TLS-RPT with percent-encoded , ; ! inside addresses', () => {
    expect(formatTlsRpt(['mailto:tls,rpt@example.com', 'https://r.example/a;b!c'])).toBe(
      'v=TLSRPTv1; rua=mailto:tls%2Crpt@example.com,https://r.example/a%3Bb%21c',
    );
    expect(encodeReportUri('mailto:a%2Cb@x')).toBe('mailto:a%2Cb@x');
  });

  it('formats DMARC in the canonical order v, p, sp, pct, rua, ruf, adkim, aspf', () => {
    const value = formatDmarc({ aspf: 's', adkim: 'r', ruf: ['mailto:f@example.com'], rua: ['mailto:a@example.com', 'mailto:b@example.com'], percent: 100, subdomainPolicy: 'reject', policy: 'quarantine' });
    expect(value).toBe('v=DMARC1; p=quarantine; sp=reject; pct=100; rua=mailto:a@example.com,mailto:b@example.com; ruf=mailto:f@example.com; adkim=r; aspf=s');
    expect(formatDmarc({ policy: 'reject' })).toBe('v=DMARC1; p=reject');
  });

  it('produces values their own validators accept', () => {
    expect(checkBimiRecord(formatBimi({ logoUrl: 'https://a.example/l.svg', certificateUrl: 'https://a.example/c.pem' }))).toEqual([]);
    expect(checkMtaStsRecord(formatMtaStsTxt('a1'))).toEqual([]);
    expect(checkTlsRptRecord(formatTlsRpt(['mailto:x,y@example.com']))).toEqual([]);
    expect(checkDmarcRecord(formatDmarc({ policy: 'reject', rua: ['mailto:a!b@example.com'] }))).toEqual([]);
  });
});

describe('checkBimiRecord', () => {
  it('accepts a record with l= and a=', () => {
    expect(checkBimiRecord('v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem')).toEqual([]);
  });

  it('accepts spaces around = in the version tag (draft ABNF has *WSP)', () => {
    expect(checkBimiRecord('v = BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem')).toEqual([]);
  });

  it('accepts a declination to publish', () => {
    expect(checkBimiRecord('v=BIMI1; l=; a=;')).toEqual([]);
  });

  it.each([
    ['version not first', 'l=https://example.com/logo.svg; v=BIMI1', 'error:email/bimi-version'],
    ['wrong version', 'v=BIMI2; l=https://example.com/logo.svg', 'error:email/bimi-version'],
    ['http logo', 'v=BIMI1; l=http://example.com/logo.svg; a=https://e.com/c.pem', 'error:email/bimi-logo-url-invalid'],
    ['two logo URLs', 'v=BIMI1; l=https://e.com/a.svg,https://e.com/b.svg; a=https://e.com/c.pem', 'error:email/bimi-logo-url-invalid'],
    ['raster logo', 'v=BIMI1; l=https://e.com/logo.png; a=https://e.com/c.pem', 'error:email/bimi-logo-not-svg'],
    ['bad evidence URL', 'v=BIMI1; l=https://e.com/a.svg; a=ftp://e.com/c.pem', 'error:email/bimi-certificate-url-invalid'],
    ['bad avp', 'v=BIMI1; l=https://e.com/a.svg; a=https://e.com/c.pem; avp=both', 'error:email/bimi-avp-invalid'],
    ['duplicate tag', 'v=BIMI1; l=https://e.com/a.svg; l=https://e.com/b.svg; a=https://e.com/c.pem', 'error:email/bimi-duplicate-tag'],
    ['unknown tag', 'v=BIMI1; l=https://e.com/a.svg; a=https://e.com/c.pem; x=1', 'warning:email/bimi-unknown-tag'],
    ['no a=', 'v=BIMI1; l=https://e.com/a.svg', 'warning:email/bimi-no-certificate'],
    ['malformed', 'v=BIMI1; l=https://e.com/a.svg; a=https://e.com/c.pem; junk', 'error:email/bimi-syntax'],
  ])('%s', (_name, value, expected) => {
    expect(codes(checkBimiRecord(value))).toEqual([expected]);
  });
});

describe('checkMtaStsRecord', () => {
  it('accepts v=STSv1 with an alphanumeric id', () => {
    expect(checkMtaStsRecord('v=STSv1; id=20240101T000000')).toEqual([]);
  });

  it.each([
    ['lower-case version', 'v=stsv1; id=1', 'error:email/mta-sts-version'],
    ['space before =', 'v =STSv1; id=1', 'error:email/mta-sts-version'],
    ['version not first', 'id=1; v=STSv1', 'error:email/mta-sts-version'],
    ['missing id', 'v=STSv1', 'error:email/mta-sts-id-invalid'],
    ['id with a dash', 'v=STSv1; id=2024-01', 'error:email/mta-sts-id-invalid'],
    ['id too long', `v=STSv1; id=${'a'.repeat(33)}`, 'error:email/mta-sts-id-invalid'],
    ['duplicate id', 'v=STSv1; id=1; id=2', 'error:email/mta-sts-duplicate-tag'],
    ['extension field', 'v=STSv1; id=1; ext=2', 'warning:email/mta-sts-unknown-tag'],
  ])('%s', (_name, value, expected) => {
    expect(codes(checkMtaStsRecord(value))).toEqual([expected]);
  });
});

describe('checkMtaStsIdChange', () => {
  it('is an error when the text changes but the id does not', () => {
    expect(codes(checkMtaStsIdChange({ text: 'a', id: 'x' }, { text: 'b', id: 'x' }))).toEqual(['error:email/mta-sts-id-unchanged']);
  });
  it('is fine when the id changes with the text, or nothing changes', () => {
    expect(checkMtaStsIdChange({ text: 'a', id: 'x' }, { text: 'b', id: 'y' })).toEqual([]);
    expect(checkMtaStsIdChange({ text: 'a', id: 'x' }, { text: 'a', id: 'x' })).toEqual([]);
  });
});

describe('checkTlsRptRecord', () => {
  it('accepts mailto and https addresses', () => {
    expect(checkTlsRptRecord('v=TLSRPTv1; rua=mailto:tls@example.com, https://reports.example.com/tls')).toEqual([]);
  });

  it.each([
    ['wrong version', 'v=TLSRPTv2; rua=mailto:a@example.com', 'error:email/tls-rpt-version'],
    ['missing rua', 'v=TLSRPTv1', 'error:email/tls-rpt-no-rua'],
    ['empty rua', 'v=TLSRPTv1; rua=', 'error:email/tls-rpt-no-rua'],
    ['http address', 'v=TLSRPTv1; rua=http://reports.example.com', 'error:email/tls-rpt-rua-invalid'],
    ['unencoded !', 'v=TLSRPTv1; rua=mailto:a!b@example.com', 'error:email/tls-rpt-rua-invalid'],
    ['duplicate rua', 'v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com', 'error:email/tls-rpt-duplicate-tag'],
  ])('%s', (_name, value, expected) => {
    expect(codes(checkTlsRptRecord(value))).toEqual([expected]);
  });
});

describe('checkDmarcRecord', () => {
  it('accepts a full record, including a !size suffix on rua', () => {
    expect(checkDmarcRecord('v=DMARC1; p=reject; sp=quarantine; pct=100; rua=mailto:d@example.com!10m; ruf=mailto:f@example.com; adkim=s; aspf=r; fo=1')).toEqual([]);
  });

  it.each([
    ['no version', 'p=reject', 'error:email/dmarc-version'],
    ['no policy', 'v=DMARC1; rua=mailto:d@example.com', 'error:email/dmarc-policy-missing'],
    ['bad policy', 'v=DMARC1; p=block', 'error:email/dmarc-tag-invalid'],
    ['bad pct', 'v=DMARC1; p=reject; pct=150', 'error:email/dmarc-tag-invalid'],
    ['bad adkim', 'v=DMARC1; p=reject; adkim=x', 'error:email/dmarc-tag-invalid'],
    ['bad rua', 'v=DMARC1; p=reject; rua=d@example.com', 'error:email/dmarc-uri-invalid'],
    ['duplicate p', 'v=DMARC1; p=reject; p=none', 'error:email/dmarc-duplicate-tag'],
    ['unknown tag', 'v=DMARC1; p=reject; zz=1', 'warning:email/dmarc-unknown-tag'],
  ])('%s', (_name, value, expected) => {
    expect(codes(checkDmarcRecord(value))).toEqual([expected]);
  });

  it('extracts p, sp, pct', () => {
    expect(dmarcValues('v=DMARC1; p=reject; sp=none; pct=10')).toEqual({ p: 'reject', sp: 'none', pct: '10' });
    expect(dmarcValues('v=spf1 -all')).toBeUndefined();
  });
});

describe('bimiDmarcPrerequisites', () => {
  it('passes for p=quarantine/reject with sp and pct absent or enforcing', () => {
    expect(bimiDmarcPrerequisites('v=DMARC1; p=quarantine')).toEqual([]);
    expect(bimiDmarcPrerequisites('v=DMARC1; p=reject; sp=quarantine; pct=100')).toEqual([]);
  });

  it.each([
    ['missing record', undefined, ['error:email/bimi-dmarc-missing']],
    ['invalid record', 'v=DMARC1; p=maybe', ['error:email/bimi-dmarc-invalid']],
    ['not a DMARC record', 'v=spf1 -all', ['error:email/bimi-dmarc-invalid']],
    ['p=none', 'v=DMARC1; p=none', ['error:email/bimi-needs-dmarc-enforcement']],
    ['sp=none', 'v=DMARC1; p=reject; sp=none', ['error:email/bimi-dmarc-subdomain-policy']],
    ['pct below 100', 'v=DMARC1; p=reject; pct=50', ['error:email/bimi-dmarc-pct']],
    ['all three', 'v=DMARC1; p=none; sp=none; pct=0', ['error:email/bimi-needs-dmarc-enforcement', 'error:email/bimi-dmarc-subdomain-policy', 'error:email/bimi-dmarc-pct']],
  ])('%s', (_name, value, expected) => {
    expect(codes(bimiDmarcPrerequisites(value))).toEqual(expected);
  });
});
