import { describe, expect, it } from 'vitest';
import { canonicalName, compareNames, encodeTxtValue, formatName, parseTxtValue, recordValueProblem } from '../../src/sandbox/dns.js';

describe('sandbox DNS helpers', () => {
  it('normalises and formats names like Route 53', () => {
    expect(canonicalName('WWW.Example.COM')).toBe('www.example.com.');
    expect(canonicalName('\\052.example.com.')).toBe('*.example.com.');
    expect(formatName('*.example.com.')).toBe('\\052.example.com.');
    expect(formatName('_dmarc.my-site.example.com.')).toBe('_dmarc.my-site.example.com.');
    expect(formatName('a b.example.com.')).toBe('a\\040b.example.com.');
  });

  it('orders names by reversed labels', () => {
    const names = ['www.example.com.', 'example.com.', 'a.b.example.com.', 'b.example.com.', 'example.org.', '*.example.com.'];
    expect([...names].sort(compareNames)).toEqual(['example.com.', '*.example.com.', 'b.example.com.', 'a.b.example.com.', 'www.example.com.', 'example.org.']);
  });

  it('parses TXT values: quoting, adjacency, escapes, 255-octet strings', () => {
    expect(parseTxtValue('"a" "b"')).toEqual({ ok: true, strings: ['a', 'b'] });
    expect(parseTxtValue('"a""b"')).toEqual({ ok: true, strings: ['a', 'b'] });
    expect(parseTxtValue('"say \\"hi\\" \\\\ \\060"')).toEqual({ ok: true, strings: ['say "hi" \\ 0'] });
    expect(parseTxtValue('v=spf1 -all')).toMatchObject({ ok: false, code: 'InvalidCharacterString' });
    expect(parseTxtValue('"open')).toMatchObject({ ok: false });
    expect(parseTxtValue('"a" b')).toMatchObject({ ok: false });
    expect(parseTxtValue(`"${'x'.repeat(255)}"`)).toMatchObject({ ok: true });
    expect(parseTxtValue(`"${'x'.repeat(256)}"`)).toMatchObject({ ok: false, code: 'CharacterStringTooLong' });
  });

  it('encodes raw TXT strings the way Charter writes them', () => {
    expect(encodeTxtValue('v=DMARC1; p=reject')).toBe('"v=DMARC1; p=reject"');
    expect(encodeTxtValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(encodeTxtValue('')).toBe('""');
    const long = 'k'.repeat(300);
    const encoded = encodeTxtValue(long);
    expect(encoded).toBe(`"${'k'.repeat(255)}" "${'k'.repeat(45)}"`);
    const parsed = parseTxtValue(encoded);
    expect(parsed.ok && parsed.strings.join('')).toBe(long);
  });

  it('checks record values per type', () => {
    expect(recordValueProblem('A', '192.0.2.1')).toBeUndefined();
    expect(recordValueProblem('A', 'example.com')?.code).toBe('ARRDATAIllegalIPv4Address');
    expect(recordValueProblem('AAAA', '2001:db8::1')).toBeUndefined();
    expect(recordValueProblem('MX', '10 mx.example.com.')).toBeUndefined();
    expect(recordValueProblem('MX', 'mx.example.com.')?.code).toBe('MXRRDATAIncorrectFormat');
    expect(recordValueProblem('CNAME', 'a b')?.code).toBe('RRDATANotSingleField');
    expect(recordValueProblem('CAA', '0 issue "amazon.com"')).toBeUndefined();
  });
});
