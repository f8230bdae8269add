/**
 * Route 53 TXT presentation format.
 *
 * Charter keeps record values raw everywhere and only converts at the Route 53 boundary:
 * - a DNS character-string holds at most 255 octets, so long values are split into several strings
 *   (the receiver concatenates them without adding spaces, RFC 7208 §3.3 / RFC 8461 §3.1);
 * - inside a quoted string `"` and `\` are escaped with a backslash;
 * - Route 53 writes and reads any other special octet as a backslash and a THREE-DIGIT OCTAL code:
 *   "If your TXT record contains any of the following characters, you must specify the characters
 *   by using escape codes in the format \three-digit octal code: characters 000 to 040 octal ...,
 *   characters 177 to 377 octal ... For example, if the value of your TXT record is "exämple.com",
 *   you specify "ex\344mple.com"." (Route 53 Developer Guide, "Supported DNS record types" → TXT,
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat).
 *   Record names use the same octal escapes, e.g. `\052` for `*` ("DNS domain name format",
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html).
 *   This differs from RFC 1035 §5.1, where `\DDD` is decimal: we follow what Route 53 does.
 * - a backslash followed by any non-digit character stands for that character (RFC 1035 §5.1), so
 *   values written by other tools (`\;`) still decode.
 *
 * Spaces inside quotes are left as they are: Route 53 accepts and returns them unescaped.
 */

/** Largest character-string in a TXT record (one length octet). */
export const TXT_STRING_MAX_OCTETS = 255;
/** Route 53's limit on one TXT value in presentation format. */
export const ROUTE53_TXT_VALUE_MAX_CHARS = 4000;

export class TxtSyntaxError extends Error {
  /** Offset (in UTF-16 code units) of the problem in the presentation string. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'TxtSyntaxError';
    this.offset = offset;
  }
}

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** True when every character is printable US-ASCII (0x20-0x7E). Empty strings are printable. */
export function isPrintableAscii(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}

/** Raw value → Route 53 presentation: chunks of ≤255 raw octets, each escaped and quoted, joined by one space. */
export function encodeTxt(value: string): string {
  const bytes = new TextEncoder().encode(value);
  const chunks: string[] = [];
  for (let start = 0; start < bytes.length || chunks.length === 0; start += TXT_STRING_MAX_OCTETS) {
    chunks.push(quoteChunk(bytes.subarray(start, start + TXT_STRING_MAX_OCTETS)));
  }
  return chunks.join(' ');
}

function quoteChunk(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) out += escapeOctet(byte);
  return out + '"';
}

function escapeOctet(byte: number): string {
  if (byte === QUOTE) return '\\"';
  if (byte === BACKSLASH) return '\\\\';
  // Control characters and non-ASCII octets: Route 53's \ooo form (see the header comment).
  if (byte < 0x20 || byte > 0x7e) return '\\' + byte.toString(8).padStart(3, '0');
  return String.fromCharCode(byte);
}

/** Route 53 presentation → raw value: the decoded character-strings concatenated. */
export function decodeTxt(presentation: string): string {
  return bytesToString(concatBytes(parseTxtStrings(presentation)));
}

/** Route 53 presentation → each character-string decoded separately (as in the DNS wire format). */
export function decodeTxtStrings(presentation: string): string[] {
  return parseTxtStrings(presentation).map(bytesToString);
}

/** Parses `"a" "b"`, `"a""b"`, unquoted strings and escapes into raw octet strings. */
export function parseTxtStrings(presentation: string): Uint8Array[] {
  const reader = new TxtReader(presentation);
  const strings: Uint8Array[] = [];
  reader.skipSpace();
  while (!reader.done()) {
    strings.push(reader.peek() === '"' ? reader.readQuoted() : reader.readUnquoted());
    reader.skipSpace();
  }
  return strings;
}

class TxtReader {
  private pos = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos];
  }

  skipSpace(): void {
    while (!this.done() && /\s/.test(this.peek())) this.pos++;
  }

  readQuoted(): Uint8Array {
    const open = this.pos++;
    const out: number[] = [];
    for (;;) {
      if (this.done()) throw new TxtSyntaxError('Unterminated quoted string', open);
      const ch = this.peek();
      if (ch === '"') {
        this.pos++;
        return Uint8Array.from(out);
      }
      if (ch === '\\') this.readEscape(out);
      else this.readLiteral(out);
    }
  }

  readUnquoted(): Uint8Array {
    const out: number[] = [];
    // An unquoted string ends at whitespace or at the start of a quoted string.
    while (!this.done() && !/\s/.test(this.peek()) && this.peek() !== '"') {
      if (this.peek() === '\\') this.readEscape(out);
      else this.readLiteral(out);
    }
    return Uint8Array.from(out);
  }

  private readLiteral(out: number[]): void {
    const code = this.text.charCodeAt(this.pos);
    if (code < 0x80) {
      out.push(code);
      this.pos += 1;
      return;
    }
    const codePoint = this.text.codePointAt(this.pos) ?? 0;
    const ch = String.fromCodePoint(codePoint);
    out.push(...new TextEncoder().encode(ch));
    this.pos += ch.length;
  }

  private readEscape(out: number[]): void {
    const start = this.pos++;
    if (this.done()) throw new TxtSyntaxError('Backslash at end of input', start);
    const next = this.peek();
    if (!/[0-9]/.test(next)) {
      this.readLiteral(out); // \X stands for X (RFC 1035 §5.1)
      return;
    }
    const digits = this.text.slice(this.pos, this.pos + 3);
    if (!/^[0-7]{3}$/.test(digits)) {
      throw new TxtSyntaxError(`Bad escape \\${digits}: expected three octal digits`, start);
    }
    const value = parseInt(digits, 8);
    if (value > 0xff) throw new TxtSyntaxError(`Escape \\${digits} is larger than one octet`, start);
    out.push(value);
    this.pos += 3;
  }
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** UTF-8 when the octets are valid UTF-8, else Latin-1 (Route 53's own example treats \344 as "ä"). */
function bytesToString(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return Array.from(bytes, (b) => String.fromCharCode(b)).join('');
  }
}

/**
 * A record name as Route 53 returns it → canonical form: octal escapes decoded (`\052` → `*`),
 * lower case, exactly one trailing dot. An escaped `.` or `\` inside a label stays escaped so label
 * boundaries survive.
 */
export function decodeRecordName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const digits = name.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 0xff) {
      const decoded = String.fromCharCode(parseInt(digits, 8));
      out += decoded === '.' || decoded === '\\' ? '\\' + decoded : decoded;
      i += 3;
    } else if (i + 1 < name.length) {
      const next = name[i + 1];
      out += next === '.' || next === '\\' ? '\\' + next : next;
      i += 1;
    } else {
      throw new TxtSyntaxError('Backslash at end of record name', i);
    }
  }
  return canonicalName(out);
}

/** Lower case with exactly one trailing dot; the root is `.`. */
export function canonicalName(name: string): string {
  let trimmed = name.toLowerCase();
  while (trimmed.endsWith('.') && !endsWithEscape(trimmed.slice(0, -1))) trimmed = trimmed.slice(0, -1);
  return trimmed === '' ? '.' : `${trimmed}.`;
}

/** True when the text ends in an odd number of backslashes (so the next character is escaped). */
function endsWithEscape(text: string): boolean {
  const run = /\\*$/.exec(text)?.[0].length ?? 0;
  return run % 2 === 1;
}
