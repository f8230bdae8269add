import { describe, expect, it } from 'vitest';
import { checkMxPattern, liveMxIssues, mxMatches, uncoveredMx } from '../../src/providers/email/mx.js';

describe('checkMxPattern', () => {
  it.each(['mx1.example.com', 'MX1.Example.COM', '*.mail.protection.outlook.com', 'aspmx.l.google.com', 'xn--bcher-kva.example', 'a-b.example.com', `${'a'.repeat(63)}.example.com`])(
    'accepts %s',
    (pattern) => {
      expect(checkMxPattern(pattern)).toEqual([]);
    },
  );

  it.each([
    ['', 'empty'],
    ['*.*.example.com', 'wildcard'],
    ['foo.*.example.com', 'wildcard'],
    ['*example.com', 'wildcard'],
    ['mx*.example.com', 'wildcard'],
    ['*', 'wildcard'],
    ['*.', 'trailing dot'],
    ['*.x..com', 'empty label'],
    ['mx1..example.com', 'empty label'],
    ['.example.com', 'empty label'],
    ['mx1.example.com.', 'trailing dot'],
    [`${'a'.repeat(64)}.example.com`, 'longer than 63'],
    [`${'a.'.repeat(127)}com`, 'longer than 253'],
    ['-mx.example.com', 'inner hyphens'],
    ['mx-.example.com', 'inner hyphens'],
    ['mx_1.example.com', 'inner hyphens'],
    ['mx1 .example.com', 'ASCII'],
    ['mx.exämple.com', 'ASCII'],
    ['localhost', 'fully qualified'],
    ['*.com', 'at least two labels'],
    ['192.0.2.1', 'IP address'],
  ])('rejects "%s" (%s)', (pattern, reason) => {
    const issues = checkMxPattern(pattern);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'email/mx-pattern-invalid', severity: 'error' });
    expect(issues[0].message).toContain(reason);
  });
});

describe('mxMatches', () => {
  it('matches exact names case-insensitively, ignoring trailing dots', () => {
    expect(mxMatches('mx1.example.com', 'MX1.EXAMPLE.COM.')).toBe(true);
    expect(mxMatches('mx1.example.com.', 'mx1.example.com')).toBe(true);
    expect(mxMatches('mx1.example.com', 'mx2.example.com')).toBe(false);
  });

  it('matches a wildcard against exactly one leftmost label', () => {
    expect(mxMatches('*.example.com', 'mail.example.com')).toBe(true);
    expect(mxMatches('*.Example.com', 'MAIL.example.com.')).toBe(true);
    expect(mxMatches('*.example.com', 'example.com')).toBe(false);
    expect(mxMatches('*.example.com', 'foo.bar.example.com')).toBe(false);
    expect(mxMatches('*.example.com', '.example.com')).toBe(false);
  });

  it('matches whole labels, never substrings', () => {
    expect(mxMatches('*.example.com', 'mail.badexample.com')).toBe(false);
    expect(mxMatches('example.com', 'mail.example.com')).toBe(false);
    expect(mxMatches('mail.example.com', 'mail.example.com.evil')).toBe(false);
  });
});

describe('uncoveredMx / liveMxIssues', () => {
  const patterns = ['mx1.example.com', '*.mail.example.net'];
  const live = ['mx1.example.com.', 'eu.mail.example.net.', 'backup.example.org.', 'a.b.mail.example.net.'];

  it('lists live hosts no pattern matches', () => {
    expect(uncoveredMx(patterns, live)).toEqual(['backup.example.org.', 'a.b.mail.example.net.']);
  });

  it('ignores a Null MX', () => {
    expect(uncoveredMx(patterns, ['.'])).toEqual([]);
  });

  it('is an error in enforce mode', () => {
    const issues = liveMxIssues('enforce', patterns, live);
    expect(issues.map((i) => [i.code, i.severity])).toEqual([
      ['email/mx-not-covered', 'error'],
      ['email/mx-not-covered', 'error'],
    ]);
    expect(issues[0].message).toContain('backup.example.org');
  });

  it('is a warning in testing mode and nothing in mode none', () => {
    expect(liveMxIssues('testing', patterns, live).map((i) => i.severity)).toEqual(['warning', 'warning']);
    expect(liveMxIssues('none', patterns, live)).toEqual([]);
  });

  it('is clean when every host is covered', () => {
    expect(liveMxIssues('enforce', patterns, ['mx1.example.com.', 'x.mail.example.net'])).toEqual([]);
  });
});
