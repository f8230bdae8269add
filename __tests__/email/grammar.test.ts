/**
 * One block per ABNF production of the email records, each with strings that match it and strings
 * that do not: every character class at its edges and every literal in each case. Derived from the
 * grammars (RFC 8461 §3.1/§3.2, RFC 8460 §3, RFC 7489 §6.4, BIMI draft §4.2), not from examples.
 */
import { describe, expect, it } from 'vitest';
import { parseMtaStsPolicy } from '../../src/providers/email/mta-sts-policy.js';
import { checkBimiRecord, checkDmarcRecord, checkMtaStsRecord, checkTlsRptRecord, dmarcValues, type RecordIssue } from '../../src/providers/email/records.js';

const errors = (issues: RecordIssue[]) => issues.filter((i) => i.severity === 'error').map((i) => i.code);
const warnings = (issues: RecordIssue[]) => issues.filter((i) => i.severity === 'warning').map((i) => i.code);
const valid = (issues: RecordIssue[]) => expect(errors(issues), JSON.stringify(issues)).toEqual([]);

describe('MTA-STS TXT (RFC 8461 §3.1)', () => {
  const check = checkMtaStsRecord;
  it('sts-version = %s"v=STSv1": case-sensitive, no WSP around "="', () => {
    valid(check('v=STSv1; id=1'));
    for (const bad of ['V=STSv1; id=1', 'v=stsv1; id=1', 'v=STSV1; id=1', 'v =STSv1; id=1', 'v= STSv1; id=1', ' v=STSv1; id=1', 'v=STSv2; id=1']) {
      expect(errors(check(bad)), bad).toEqual(['email/mta-sts-version']);
    }
  });

  it('sts-field-delim = *WSP ";" *WSP, 1*(delim field) [delim]', () => {
    for (const ok of ['v=STSv1;id=1', 'v=STSv1 ;id=1', 'v=STSv1\t;\tid=1', 'v=STSv1; id=1;', 'v=STSv1; id=1 ; ', 'v=STSv1;  id=1;\t']) valid(check(ok));
    for (const bad of ['v=STSv1; id=1;;', 'v=STSv1;; id=1', 'v=STSv1; id=1 ', 'v=STSv1; id=1\t', 'v=STSv1 id=1']) {
      expect(errors(check(bad)), bad).not.toEqual([]);
    }
  });

  it('sts-id = %s"id=" 1*32(ALPHA / DIGIT)', () => {
    for (const ok of ['a', 'Z', '0', '9', 'aZ09', 'a'.repeat(32)]) valid(check(`v=STSv1; id=${ok}`));
    for (const bad of ['', 'a'.repeat(33), 'a-b', 'a_b', 'a.b', 'ä', 'a b', 'a+b']) {
      expect(errors(check(`v=STSv1; id=${bad}`)), bad).toContain('email/mta-sts-id-invalid');
    }
    // "ID=" is an extension (the literal is case-sensitive), so the record has no id.
    expect(errors(check('v=STSv1; ID=abc'))).toEqual(['email/mta-sts-id-invalid']);
    // No WSP around "=": "id =1" has an invalid name.
    expect(errors(check('v=STSv1; id =1'))).toContain('email/mta-sts-syntax');
    expect(errors(check('v=STSv1; id= 1'))).toContain('email/mta-sts-id-invalid');
  });

  it('sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")', () => {
    for (const ok of ['x', '9', 'a_b', 'a-b', 'a.b', `a${'b'.repeat(31)}`]) {
      const issues = check(`v=STSv1; id=1; ${ok}=v`);
      valid(issues);
      expect(warnings(issues)).toEqual(['email/mta-sts-unknown-tag']);
    }
    for (const bad of ['_a', '-a', '.a', `a${'b'.repeat(32)}`, 'a b', 'a/b', '']) {
      expect(errors(check(`v=STSv1; id=1; ${bad}=v`)), bad).toContain('email/mta-sts-syntax');
    }
  });

  it('sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)', () => {
    for (const ok of ['!', ':', '<', '>', '~', '!:<>~', 'a"b', 'https://x/y?z']) valid(check(`v=STSv1; id=1; ext=${ok}`));
    for (const bad of ['', 'a=b', '=', 'a b', 'a\tb', 'ä', '\x7f', '\x1f']) {
      expect(errors(check(`v=STSv1; id=1; ext=${bad}`)), JSON.stringify(bad)).toContain('email/mta-sts-syntax');
    }
  });
});

describe('TLS-RPT (RFC 8460 §3)', () => {
  const check = checkTlsRptRecord;
  it('tlsrpt-version = %s"v=TLSRPTv1"', () => {
    valid(check('v=TLSRPTv1; rua=mailto:a@example.com'));
    for (const bad of ['V=TLSRPTv1; rua=mailto:a@example.com', 'v=tlsrptv1; rua=mailto:a@example.com', 'v = TLSRPTv1; rua=mailto:a@example.com']) {
      expect(errors(check(bad)), bad).toEqual(['email/tls-rpt-version']);
    }
  });

  it('tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)', () => {
    for (const ok of ['mailto:a@example.com,https://r.example.com/x', 'mailto:a@example.com , https://r.example.com', 'mailto:a@example.com\t,\thttps://r.example.com']) {
      valid(check(`v=TLSRPTv1; rua=${ok}`));
    }
    // "RUA=" is an extension, not the required rua.
    expect(errors(check('v=TLSRPTv1; RUA=mailto:a@example.com'))).toEqual(['email/tls-rpt-no-rua']);
    for (const bad of ['mailto:a@example.com,', ',mailto:a@example.com', 'mailto:a@example.com,,https://r.example.com', ' mailto:a@example.com']) {
      expect(errors(check(`v=TLSRPTv1; rua=${bad}`)), bad).not.toEqual([]);
    }
    expect(errors(check('v=TLSRPTv1; rua =mailto:a@example.com'))).toContain('email/tls-rpt-syntax');
  });

  it('tlsrpt-uri = URI (RFC 3986) with ",", ";" and "!" percent-encoded', () => {
    for (const ok of ['mailto:a%2Cb@example.com', 'mailto:a%21b@example.com', 'mailto:a%3bb@example.com', 'https://r.example.com/p?q=1&r=2#f', "mailto:o'brien+tls@example.com", 'HTTPS://r.example.com']) {
      valid(check(`v=TLSRPTv1; rua=${ok}`));
    }
    for (const bad of ['mailto:a!b@example.com', 'mailto:a%2@example.com', 'mailto:a%zzb@example.com', 'mailto:a"b@example.com', 'mailto:a<b>@example.com', 'mailto:ä@example.com', 'https://r.example.com/a b', 'http://r.example.com', 'ftp://r.example.com', 'a@example.com', 'https://x/#a#b']) {
      expect(errors(check(`v=TLSRPTv1; rua=${bad}`)), bad).toEqual(['email/tls-rpt-rua-invalid']);
    }
  });

  it('tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value', () => {
    expect(warnings(check('v=TLSRPTv1; rua=mailto:a@example.com; x.y-z_1=<>'))).toEqual(['email/tls-rpt-unknown-tag']);
    for (const bad of ['x=a=b', 'x=a b', 'x=', '_x=1', 'x=é']) {
      expect(errors(check(`v=TLSRPTv1; rua=mailto:a@example.com; ${bad}`)), bad).toEqual(['email/tls-rpt-syntax']);
    }
  });
});

describe('DMARC (RFC 7489 §6.4)', () => {
  const check = checkDmarcRecord;
  it('dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31 ("v" any case, "DMARC1" exact)', () => {
    for (const ok of ['v=DMARC1; p=none', 'V=DMARC1; p=none', 'v = DMARC1; p=none', 'v\t=\tDMARC1 ;p=none']) valid(check(ok));
    for (const bad of ['v=dmarc1; p=none', 'v=Dmarc1; p=none', 'v=DMARC2; p=none', 'p=none; v=DMARC1', ' v=DMARC1; p=none']) {
      expect(errors(check(bad)), bad).toEqual(['email/dmarc-version']);
    }
  });

  it('tag names and value literals are quoted strings: case-insensitive', () => {
    valid(check('v=DMARC1; P=Reject; SP=QUARANTINE; ADKIM=S; Aspf=R; FO=D:S; RF=AFRF; RUA=MAILTO:d@example.com!10M; Pct=100'));
    expect(dmarcValues('v=DMARC1; P=Reject; Sp=None')).toEqual({ p: 'reject', sp: 'none', pct: undefined });
    expect(errors(check('v=DMARC1; p=reject; P=none'))).toEqual(['email/dmarc-duplicate-tag']);
  });

  it('dmarc-request comes right after dmarc-version; the rest in any order (DMARCbis: any order, warned)', () => {
    valid(check('v=DMARC1; p=reject; aspf=s; sp=none; adkim=r'));
    const issues = check('v=DMARC1; rua=mailto:d@example.com; p=reject');
    expect(errors(issues)).toEqual(['email/dmarc-tag-order']);
    expect(warnings(issues)).toEqual(['email/dmarcbis-difference']);
    expect(errors(check('v=DMARC1; rua=mailto:d@example.com'))).toEqual(['email/dmarc-policy-missing']);
  });

  it('dmarc-request / dmarc-srequest = "none" / "quarantine" / "reject"', () => {
    for (const v of ['none', 'quarantine', 'reject', 'NONE', 'Quarantine']) valid(check(`v=DMARC1; p=${v}; sp=${v}`));
    for (const v of ['', 'block', 'rejected', 'non', 'reject ,']) {
      expect(errors(check(`v=DMARC1; p=${v}`)), v).toContain('email/dmarc-tag-invalid');
      expect(errors(check(`v=DMARC1; p=none; sp=${v}`)), v).toContain('email/dmarc-tag-invalid');
    }
  });

  it('dmarc-adkim / dmarc-aspf = "r" / "s"', () => {
    for (const v of ['r', 's', 'R', 'S']) valid(check(`v=DMARC1; p=none; adkim=${v}; aspf=${v}`));
    for (const v of ['', 'x', 'rs', 'relaxed']) expect(errors(check(`v=DMARC1; p=none; adkim=${v}`)), v).toEqual(['email/dmarc-tag-invalid']);
  });

  it('dmarc-percent = 1*3DIGIT (an integer 0-100, §6.3); DMARCbis removes pct', () => {
    for (const v of ['0', '00', '050', '100', '5']) valid(check(`v=DMARC1; p=none; pct=${v}`));
    expect(warnings(check('v=DMARC1; p=none; pct=50'))).toEqual(['email/dmarcbis-difference']);
    expect(warnings(check('v=DMARC1; p=none; pct=100'))).toEqual([]);
    for (const v of ['', '101', '0100', '-1', '1.5', '5%', 'x']) expect(errors(check(`v=DMARC1; p=none; pct=${v}`)), v).toEqual(['email/dmarc-tag-invalid']);
  });

  it('dmarc-ainterval = "ri" *WSP "=" *WSP 1*DIGIT', () => {
    for (const v of ['0', '86400', '3600']) valid(check(`v=DMARC1; p=none; ri=${v}`));
    expect(warnings(check('v=DMARC1; p=none; ri=3600'))).toEqual(['email/dmarcbis-difference']);
    for (const v of ['', '1h', '-1', '1 2']) expect(errors(check(`v=DMARC1; p=none; ri=${v}`)), v).toEqual(['email/dmarc-tag-invalid']);
  });

  it('dmarc-fo = ("0" / "1" / "d" / "s") *(*WSP ":" *WSP ("0" / "1" / "d" / "s"))', () => {
    for (const v of ['0', '1', 'd', 's', 'D', '0:1:d:s', '0 : 1', '1\t:d']) valid(check(`v=DMARC1; p=none; fo=${v}`));
    for (const v of ['', '2', 'x', '0:', ':1', '0::1', '0,1', '01']) expect(errors(check(`v=DMARC1; p=none; fo=${v}`)), v).toEqual(['email/dmarc-tag-invalid']);
  });

  it('dmarc-rfmt = "rf" *WSP "=" *WSP Keyword *(*WSP ":" Keyword), registered formats only', () => {
    for (const v of ['afrf', 'AFRF', 'afrf:afrf', 'afrf :afrf']) valid(check(`v=DMARC1; p=none; rf=${v}`));
    for (const v of ['', 'iodef', 'afrf:', 'afrf: afrf', '-afrf']) expect(errors(check(`v=DMARC1; p=none; rf=${v}`)), v).toEqual(['email/dmarc-tag-invalid']);
  });

  it('dmarc-auri / dmarc-furi = dmarc-uri *(*WSP "," *WSP dmarc-uri), dmarc-uri = URI ["!" 1*DIGIT ["k"/"m"/"g"/"t"]]', () => {
    for (const v of ['mailto:d@example.com', 'mailto:d@example.com!10', 'mailto:d@example.com!10k', 'mailto:d@example.com!1T', 'mailto:a@example.com , mailto:b@example.com!5m', 'mailto:a%21b@example.com', 'https://r.example.com/dmarc']) {
      valid(check(`v=DMARC1; p=none; rua=${v}; ruf=${v}`));
    }
    for (const v of ['', 'd@example.com', 'mailto:d@example.com!', 'mailto:d@example.com!10x', 'mailto:a!b@example.com', 'mailto:d@example.com,', 'mailto:d e@example.com', 'ftp://r.example.com']) {
      expect(errors(check(`v=DMARC1; p=none; rua=${v}`)), v).toEqual(['email/dmarc-uri-invalid']);
    }
  });

  it('dmarc-sep = *WSP %x3b *WSP; unknown tags are ignored (W); DMARCbis tags are warned as such', () => {
    valid(check('v=DMARC1;p=none;'));
    valid(check('v=DMARC1 ; p=none ; '));
    expect(errors(check('v=DMARC1; p=none;;'))).toEqual(['email/dmarc-syntax']);
    expect(errors(check('v=DMARC1; p=none '))).toEqual(['email/dmarc-syntax']);
    expect(warnings(check('v=DMARC1; p=none; zz=1'))).toEqual(['email/dmarc-unknown-tag']);
    expect(warnings(check('v=DMARC1; p=none; np=reject; psd=n; t=y'))).toEqual(['email/dmarcbis-difference', 'email/dmarcbis-difference', 'email/dmarcbis-difference']);
  });
});

describe('BIMI (draft-brand-indicators-for-message-identification §4.2)', () => {
  const check = checkBimiRecord;
  const logo = 'https://e.example/logo.svg';
  const vmc = 'https://e.example/vmc.pem';
  it('bimi-version = "v" *WSP "=" *WSP "BIMI1" (quoted strings: any case)', () => {
    for (const ok of [`v=BIMI1; l=${logo}; a=${vmc}`, `V=bimi1; l=${logo}; a=${vmc}`, `v = BIMI1 ;l=${logo};a=${vmc};`]) valid(check(ok));
    for (const bad of [`v=BIMI2; l=${logo}`, `l=${logo}; v=BIMI1`, ` v=BIMI1; l=${logo}`, `v=BIMI; l=${logo}`]) expect(errors(check(bad)), bad).toEqual(['email/bimi-version']);
  });

  it('bimi-record = version (sep location) [sep evidence] [sep avatar-preference] [sep]', () => {
    valid(check('v=BIMI1; l=; a=;'));
    valid(check(`v=BIMI1; l=${logo}; a=${vmc}; avp=brand`));
    expect(errors(check(`v=BIMI1; a=${vmc}`))).toEqual(['email/bimi-syntax']);
    expect(errors(check(`v=BIMI1; a=${vmc}; l=${logo}`))).toEqual(['email/bimi-syntax']);
    expect(errors(check(`v=BIMI1; l=${logo}; avp=brand; a=${vmc}`))).toEqual(['email/bimi-syntax']);
    expect(errors(check(`v=BIMI1; l=${logo}; a=${vmc};;`))).toEqual(['email/bimi-syntax']);
    expect(errors(check(`v=BIMI1; l=${logo}; L=${logo}; a=${vmc}`))).toEqual(['email/bimi-duplicate-tag']);
  });

  it('bimi-location / bimi-evidence-location = "l" / "a" *WSP "=" *WSP [bimi-uri], bimi-uri an https URI with "," and "!" encoded', () => {
    valid(check(`v=BIMI1; L = ${logo}; A= ${vmc}`));
    valid(check('v=BIMI1; l=https://e.example/a%2Cb.svg; a=https://e.example/v%21.pem'));
    for (const bad of ['http://e.example/l.svg', 'https://e.example/a,b.svg', 'https://e.example/a!b.svg', 'https://e.example/a b.svg', 'https://e.example/%g0.svg', 'e.example/l.svg']) {
      expect(errors(check(`v=BIMI1; l=${bad}; a=${vmc}`)), bad).toEqual(['email/bimi-logo-url-invalid']);
      expect(errors(check(`v=BIMI1; l=${logo}; a=${bad}`)), bad).toEqual(['email/bimi-certificate-url-invalid']);
    }
  });

  it('bimi-avatar-preference = "avp" *WSP "=" *WSP ("personal" / "brand")', () => {
    for (const v of ['brand', 'personal', 'Brand', 'PERSONAL']) valid(check(`v=BIMI1; l=${logo}; a=${vmc}; avp=${v}`));
    for (const v of ['', 'both', 'brands']) expect(errors(check(`v=BIMI1; l=${logo}; a=${vmc}; avp=${v}`)), v).toEqual(['email/bimi-avp-invalid']);
  });
});

describe('MTA-STS policy file (RFC 8461 §3.2)', () => {
  const ok = (text: string) => expect(parseMtaStsPolicy(text).issues.filter((i) => i.severity === 'error'), JSON.stringify(text)).toEqual([]);
  const codes = (text: string) => parseMtaStsPolicy(text).issues.filter((i) => i.severity === 'error').map((i) => i.code);
  const body = 'version: STSv1\r\nmode: enforce\r\nmx: mx.example.com\r\nmax_age: 86400';

  it('sts-policy-term = LF / CRLF; the last terminator is optional; no empty lines', () => {
    ok(body);
    ok(`${body}\r\n`);
    ok(body.replace(/\r\n/g, '\n'));
    ok('version: STSv1\nmode: none\r\nmax_age: 1\n');
    expect(codes(`${body}\r\n\r\n`)).toEqual(['email/mta-sts-policy-syntax']);
    expect(codes(`\r\n${body}`)).toEqual(['email/mta-sts-policy-syntax']);
    expect(codes(body.replace('mode: enforce\r\n', 'mode: enforce\r\n\r\n'))).toEqual(['email/mta-sts-policy-syntax']);
    expect(codes(body.replace('\r\nmx', '\rmx'))).toContain('email/mta-sts-policy-syntax');
  });

  it('sts-policy-field-delim = ":" *WSP, *WSP after the value', () => {
    ok('version:STSv1\nmode:\t none \t\nmax_age:1');
    expect(codes('version : STSv1\nmode: none\nmax_age: 1')).toEqual(['email/mta-sts-policy-syntax', 'email/mta-sts-policy-version']);
    expect(codes(' version: STSv1\nmode: none\nmax_age: 1')).toEqual(['email/mta-sts-policy-syntax', 'email/mta-sts-policy-version']);
  });

  it('%s"version" %s"STSv1", %s"mode" with %s"testing" / %s"enforce" / %s"none": case-sensitive', () => {
    for (const mode of ['testing', 'enforce', 'none']) ok(`version: STSv1\nmode: ${mode}\nmx: mx.example.com\nmax_age: 1`);
    expect(codes('version: stsv1\nmode: none\nmax_age: 1')).toEqual(['email/mta-sts-policy-version']);
    expect(codes('version: STSv1\nmode: Enforce\nmx: mx.example.com\nmax_age: 1')).toEqual(['email/mta-sts-policy-mode']);
    expect(codes('version: STSv1\nMode: none\nmax_age: 1')).toEqual(['email/mta-sts-policy-mode']);
  });

  it('sts-policy-max-age-value = 1*10(DIGIT), at most 31557600', () => {
    for (const v of ['0', '1', '0000000001', '31557600']) ok(`version: STSv1\nmode: none\nmax_age: ${v}`);
    for (const v of ['', '00000000001', '-1', '+1', '1e3', '86400s', '31557601']) {
      expect(codes(`version: STSv1\nmode: none\nmax_age: ${v}`), v).not.toEqual([]);
    }
  });

  it('sts-policy-mx-value = ["*."] Domain', () => {
    for (const v of ['mx.example.com', '*.example.com', 'MX-1.Example.com']) ok(`version: STSv1\nmode: enforce\nmx: ${v}\nmax_age: 1`);
    for (const v of ['*.*.example.com', 'foo.*.example.com', '*example.com', '-mx.example.com', 'mx_1.example.com']) {
      expect(codes(`version: STSv1\nmode: enforce\nmx: ${v}\nmax_age: 1`), v).toEqual(['email/mx-pattern-invalid']);
    }
    expect(codes('version: STSv1\nmode: enforce\nmx:\nmax_age: 1')).toEqual(['email/mta-sts-policy-syntax', 'email/mta-sts-no-mx']);
  });

  it('sts-policy-extension: ext-name, then a value of VCHAR/UTF-8 with inner spaces only', () => {
    const base = 'version: STSv1\nmode: none\nmax_age: 1\n';
    for (const v of ['x: 1', 'a.b_c-d: two words', 'x: ünïcödé', `${'a'.repeat(32)}: v`]) {
      const parsed = parseMtaStsPolicy(base + v);
      expect(parsed.issues.map((i) => i.code), v).toEqual(['email/mta-sts-policy-unknown-field']);
    }
    for (const v of ['x:', 'x: a\tb', 'x: a\x01b', '_x: 1', `${'a'.repeat(33)}: v`, 'x y: 1']) {
      expect(codes(base + v), JSON.stringify(v)).toEqual(['email/mta-sts-policy-syntax']);
    }
  });
});
