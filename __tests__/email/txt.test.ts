import { describe, expect, it } from 'vitest';
import {
  TxtSyntaxError,
  canonicalName,
  decodeRecordName,
  decodeTxt,
  decodeTxtStrings,
  encodeTxt,
  isPrintableAscii,
} from '../../src/providers/email/txt.js';

/** Deterministic PRNG so failures are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPrintable(random: () => number, length: number): string {
  // Bias towards the characters that need escaping.
  const special = ['"', '\\', ' ', ';', '='];
  let out = '';
  for (let i = 0; i < length; i++) {
    out += random() < 0.15 ? special[Math.floor(random() * special.length)] : String.fromCharCode(0x20 + Math.floor(random() * 95));
  }
  return out;
}

describe('encodeTxt', () => {
  it('quotes a short value as one string', () => {
    expect(encodeTxt('v=STSv1; id=abc')).toBe('"v=STSv1; id=abc"');
  });

  it('encodes the empty value as one empty string', () => {
    expect(encodeTxt('')).toBe('""');
  });

  it('escapes quotes and backslashes', () => {
    expect(encodeTxt('a"b\\c')).toBe('"a\\"b\\\\c"');
  });

  it('splits values over 255 octets into 255-octet strings joined by one space', () => {
    const value = 'x'.repeat(300);
    expect(encodeTxt(value)).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
  });

  it('splits values over 512 octets into three strings', () => {
    const value = 'a'.repeat(255) + 'b'.repeat(255) + 'c'.repeat(10);
    const encoded = encodeTxt(value);
    expect(encoded).toBe(`"${'a'.repeat(255)}" "${'b'.repeat(255)}" "${'c'.repeat(10)}"`);
    expect(decodeTxt(encoded)).toBe(value);
  });

  it('counts raw octets, before escaping, when splitting', () => {
    const value = '"'.repeat(256);
    const encoded = encodeTxt(value);
    expect(encoded).toBe(`"${'\\"'.repeat(255)}" "\\""`);
    expect(decodeTxtStrings(encoded).map((s) => s.length)).toEqual([255, 1]);
  });

  it('writes control characters and non-ASCII octets as Route 53 octal escapes', () => {
    expect(encodeTxt('ex\u00e4mple')).toBe('"ex\\303\\244mple"');
    expect(encodeTxt('a\tb\u007f')).toBe('"a\\011b\\177"');
  });
});

describe('decodeTxt', () => {
  it('joins several quoted strings without adding spaces', () => {
    expect(decodeTxt('"a" "b"')).toBe('ab');
    expect(decodeTxt('"v=DMARC1; " "p=reject"')).toBe('v=DMARC1; p=reject');
  });

  it('accepts adjacent quoted strings', () => {
    expect(decodeTxt('"a""b"')).toBe('ab');
  });

  it('keeps spaces inside quotes', () => {
    expect(decodeTxt('"v=BIMI1; l=https://x/logo.svg"')).toBe('v=BIMI1; l=https://x/logo.svg');
  });

  it('unescapes \\" and \\\\', () => {
    expect(decodeTxt('"say \\"hi\\" \\\\o/"')).toBe('say "hi" \\o/');
  });

  it('reads 3-digit escapes as OCTAL, as Route 53 writes them', () => {
    expect(decodeTxt('"\\052"')).toBe('*'); // 052 octal = 42 = '*'
    expect(decodeTxt('"a\\073b"')).toBe('a;b'); // 073 octal = 59 = ';'
    expect(decodeTxt('"\\101\\102"')).toBe('AB');
  });

  it('decodes Route 53 documentation example ex\\344mple.com as Latin-1 when not UTF-8', () => {
    expect(decodeTxt('"ex\\344mple.com"')).toBe('exämple.com');
  });

  it('decodes octal escapes of UTF-8 octets back to the character', () => {
    expect(decodeTxt('"ex\\303\\244mple"')).toBe('exämple');
  });

  it('reads \\X for a non-digit X as X (RFC 1035)', () => {
    expect(decodeTxt('"a\\;b"')).toBe('a;b');
  });

  it('reads unquoted strings, separated by whitespace', () => {
    expect(decodeTxt('abc')).toBe('abc');
    expect(decodeTxt('abc def')).toBe('abcdef');
    expect(decodeTxt('abc"def"')).toBe('abcdef');
    expect(decodeTxt('a\\032b')).toBe('a\u001ab');
  });

  it('decodes an empty presentation to the empty value', () => {
    expect(decodeTxt('""')).toBe('');
    expect(decodeTxt('')).toBe('');
  });

  it('returns each character-string with decodeTxtStrings', () => {
    expect(decodeTxtStrings('"ab" "c\\"d"')).toEqual(['ab', 'c"d']);
  });

  describe('malformed input', () => {
    const cases: [string, string, number][] = [
      ['unterminated quote', '"abc', 0],
      ['unterminated second string', '"a" "bc', 4],
      ['backslash at end', '"abc\\', 4],
      ['backslash at end unquoted', 'abc\\', 3],
      ['two-digit escape', '"\\05"', 1],
      ['non-octal digit', '"\\089"', 1],
      ['escape above 255', '"\\400"', 1],
    ];
    it.each(cases)('%s throws TxtSyntaxError with the offset', (_name, input, offset) => {
      let error: unknown;
      try {
        decodeTxt(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TxtSyntaxError);
      expect((error as TxtSyntaxError).offset).toBe(offset);
    });
  });
});

describe('round trip', () => {
  it('decodeTxt(encodeTxt(v)) === v for 2000 random printable strings of 0-900 characters', () => {
    const random = mulberry32(8461);
    for (let i = 0; i < 2000; i++) {
      const value = randomPrintable(random, Math.floor(random() * 900));
      const encoded = encodeTxt(value);
      expect(decodeTxt(encoded)).toBe(value);
      for (const chunk of decodeTxtStrings(encoded)) expect(new TextEncoder().encode(chunk).length).toBeLessThanOrEqual(255);
    }
  });

  it('round-trips non-ASCII text too', () => {
    for (const value of ['ünïcödé', '日本語'.repeat(100), 'emoji 🎉 '.repeat(40)]) {
      expect(decodeTxt(encodeTxt(value))).toBe(value);
    }
  });
});

describe('isPrintableAscii', () => {
  it('accepts 0x20-0x7e only', () => {
    expect(isPrintableAscii('v=BIMI1; l=https://example.com/a.svg ~')).toBe(true);
    expect(isPrintableAscii('')).toBe(true);
    expect(isPrintableAscii('tab\there')).toBe(false);
    expect(isPrintableAscii('é')).toBe(false);
    expect(isPrintableAscii('\u007f')).toBe(false);
  });
});

describe('decodeRecordName', () => {
  it('decodes \\052 to *, lower-cases and adds the trailing dot', () => {
    expect(decodeRecordName('\\052.Example.COM.')).toBe('*.example.com.');
    expect(decodeRecordName('_mta-sts.example.com')).toBe('_mta-sts.example.com.');
  });

  it('decodes other octal escapes', () => {
    expect(decodeRecordName('a\\100b.example.com.')).toBe('a@b.example.com.');
  });

  it('keeps an escaped dot inside a label escaped', () => {
    expect(decodeRecordName('a\\056b.example.com.')).toBe('a\\.b.example.com.');
  });

  it('normalises the root and repeated trailing dots', () => {
    expect(decodeRecordName('.')).toBe('.');
    expect(canonicalName('example.com..')).toBe('example.com.');
  });

  it('rejects a trailing backslash', () => {
    expect(() => decodeRecordName('example.com\\')).toThrow(TxtSyntaxError);
  });
});
