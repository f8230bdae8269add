import { describe, expect, it } from 'vitest';
import { mtaStsPolicyId, parseMtaStsPolicy, renderMtaStsPolicy } from '../../src/providers/email/mta-sts-policy.js';
import { MTA_STS_ID, checkMtaStsRecord, formatMtaStsTxt } from '../../src/providers/email/records.js';

describe('renderMtaStsPolicy', () => {
  it('renders the exact CRLF bytes, mx lines in the given order', () => {
    const { text } = renderMtaStsPolicy({ mode: 'enforce', mx: ['mx2.example.com', '*.mail.example.com', 'mx1.example.com'], maxAge: 604800 });
    expect(text).toBe('version: STSv1\r\nmode: enforce\r\nmx: mx2.example.com\r\nmx: *.mail.example.com\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n');
    expect(Buffer.from(text, 'utf8').toString('hex')).toBe(Buffer.from('version: STSv1\r\nmode: enforce\r\nmx: mx2.example.com\r\nmx: *.mail.example.com\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n').toString('hex'));
    expect(text).not.toMatch(/[^\r]\n/);
  });

  it('renders mode none without mx lines', () => {
    expect(renderMtaStsPolicy({ mode: 'none', mx: [], maxAge: 86400 }).text).toBe('version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n');
  });

  it('does not HTML-escape anything', () => {
    expect(renderMtaStsPolicy({ mode: 'testing', mx: ['a&b.example.com'], maxAge: 1 }).text).toContain('mx: a&b.example.com\r\n');
  });

  it('matches the snapshot', () => {
    expect(renderMtaStsPolicy({ mode: 'testing', mx: ['inbound-smtp.us-east-1.amazonaws.com'], maxAge: 86400 })).toMatchInlineSnapshot(`
      {
        "id": "xgrxmusmwnlb5yw2z2nz",
        "text": "version: STSv1
      mode: testing
      mx: inbound-smtp.us-east-1.amazonaws.com
      max_age: 86400
      ",
      }
    `);
  });
});

describe('policy id', () => {
  const base = { mode: 'enforce' as const, mx: ['mx1.example.com', 'mx2.example.com'], maxAge: 604800 };

  it('is 1-32 letters/digits and valid in the _mta-sts record', () => {
    const { id } = renderMtaStsPolicy(base);
    expect(id).toMatch(MTA_STS_ID);
    expect(id).toHaveLength(20);
    expect(checkMtaStsRecord(formatMtaStsTxt(id))).toEqual([]);
  });

  it('is stable for the same content', () => {
    expect(renderMtaStsPolicy(base).id).toBe(renderMtaStsPolicy({ ...base, mx: [...base.mx] }).id);
    // Pinned: a change here would make every deployed policy look changed and republish it.
    expect(renderMtaStsPolicy(base).id).toBe('fuja6v3a4auml37z557k');
  });

  it('changes with any change of content', () => {
    const ids = new Set(
      [
        base,
        { ...base, mode: 'testing' as const },
        { ...base, maxAge: 604801 },
        { ...base, mx: ['mx1.example.com'] },
        { ...base, mx: ['mx2.example.com', 'mx1.example.com'] },
        { ...base, mx: ['mx1.example.com', 'mx3.example.com'] },
      ].map((p) => renderMtaStsPolicy(p).id),
    );
    expect(ids.size).toBe(6);
  });

  it('is the RFC 4648 base32 of the SHA-256 of the text, first 20 characters, lower case', () => {
    const rendered = renderMtaStsPolicy(base);
    expect(mtaStsPolicyId(rendered.text)).toBe(rendered.id);
  });
});

describe('parseMtaStsPolicy', () => {
  it('round-trips a rendered policy with no issues', () => {
    const { text } = renderMtaStsPolicy({ mode: 'enforce', mx: ['mx1.example.com', '*.example.net'], maxAge: 604800 });
    expect(parseMtaStsPolicy(text)).toEqual({ version: 'STSv1', mode: 'enforce', mx: ['mx1.example.com', '*.example.net'], maxAge: 604800, extensions: [], issues: [] });
  });

  it('accepts LF line endings and spaces after the colon', () => {
    const parsed = parseMtaStsPolicy('version:STSv1\nmode:   testing\nmx: mx.example.com\nmax_age: 86400\n');
    expect(parsed.mode).toBe('testing');
    expect(parsed.issues).toEqual([]);
  });

  it('keeps the first value of a repeated field', () => {
    const parsed = parseMtaStsPolicy('version: STSv1\r\nmode: testing\r\nmode: enforce\r\nmx: a.example.com\r\nmax_age: 10\r\nmax_age: 20\r\n');
    expect(parsed.mode).toBe('testing');
    expect(parsed.maxAge).toBe(10);
    expect(parsed.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['warning:email/mta-sts-policy-duplicate-field', 'warning:email/mta-sts-policy-duplicate-field']);
  });

  it('ignores unknown fields, with a warning', () => {
    const parsed = parseMtaStsPolicy('version: STSv1\r\nmode: none\r\nmax_age: 10\r\ncolor: blue\r\n');
    expect(parsed.extensions).toEqual([{ name: 'color', value: 'blue' }]);
    expect(parsed.issues.map((i) => i.code)).toEqual(['email/mta-sts-policy-unknown-field']);
  });

  it.each([
    ['missing version', 'mode: none\r\nmax_age: 1\r\n', ['email/mta-sts-policy-version']],
    ['wrong version', 'version: STSv2\r\nmode: none\r\nmax_age: 1\r\n', ['email/mta-sts-policy-version']],
    ['bad mode', 'version: STSv1\r\nmode: on\r\nmx: a.example.com\r\nmax_age: 1\r\n', ['email/mta-sts-policy-mode']],
    ['no max_age', 'version: STSv1\r\nmode: none\r\n', ['email/mta-sts-policy-max-age']],
    ['max_age not a plain integer', 'version: STSv1\r\nmode: none\r\nmax_age: 1e5\r\n', ['email/mta-sts-policy-max-age']],
    ['max_age too large', 'version: STSv1\r\nmode: none\r\nmax_age: 31557601\r\n', ['email/mta-sts-policy-max-age']],
    ['no mx in enforce', 'version: STSv1\r\nmode: enforce\r\nmax_age: 1\r\n', ['email/mta-sts-no-mx']],
    ['bad mx', 'version: STSv1\r\nmode: enforce\r\nmx: *.*.example.com\r\nmax_age: 1\r\n', ['email/mx-pattern-invalid']],
    ['line without colon', 'version: STSv1\r\nmode none\r\nmax_age: 1\r\n', ['email/mta-sts-policy-syntax', 'email/mta-sts-policy-mode']],
    ['field names are case-sensitive', 'Version: STSv1\r\nmode: none\r\nmax_age: 1\r\n', ['email/mta-sts-policy-unknown-field', 'email/mta-sts-policy-version']],
  ])('%s', (_name, text, expected) => {
    expect(parseMtaStsPolicy(text).issues.map((i) => i.code)).toEqual(expected);
  });

  it('accepts max_age 0 and 31557600', () => {
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 0\n').maxAge).toBe(0);
    expect(parseMtaStsPolicy('version: STSv1\nmode: none\nmax_age: 31557600\n').maxAge).toBe(31557600);
  });
});
