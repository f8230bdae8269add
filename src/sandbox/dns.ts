/**
 * DNS name and TXT helpers shared by the Route 53 and ACM fakes.
 *
 * Canonical form inside the sandbox: lower-case, escapes decoded (`\052` → `*`),
 * always with a trailing dot (`www.example.com.`).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Decode Route 53 style `\ddd` (octal) escapes and `\X` escapes in a DNS name. */
function decodeNameEscapes(input: string): string {
  return input.replace(/\\([0-7]{3}|.)/g, (_m, esc: string) =>
    esc.length === 3 ? String.fromCharCode(parseInt(esc, 8)) : esc,
  );
}

/** Canonical form of a DNS name: lower-case, unescaped, with a trailing dot. */
export function canonicalName(input: string): string {
  let name = decodeNameEscapes(input.trim()).toLowerCase();
  if (name === '' || name === '.') return '.';
  if (!name.endsWith('.')) name += '.';
  return name;
}

/**
 * A name the way Route 53 returns it: lower-case, trailing dot, and every character
 * other than a-z, 0-9, '-', '_' and '.' as a three-digit octal escape (`*` → `\052`).
 */
export function formatName(canonical: string): string {
  let out = '';
  for (const ch of canonical) {
    if (/[a-z0-9\-_.]/.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0) ?? 0;
      out += code < 256 ? '\\' + code.toString(8).padStart(3, '0') : ch;
    }
  }
  return out;
}

/** Labels of a canonical name, without the empty root label. */
export function nameLabels(canonical: string): string[] {
  const trimmed = canonical.endsWith('.') ? canonical.slice(0, -1) : canonical;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** Route 53 ordering: compare names label by label from the right (com < example.com < www.example.com). */
export function compareNames(a: string, b: string): number {
  const la = nameLabels(a).reverse();
  const lb = nameLabels(b).reverse();
  const n = Math.min(la.length, lb.length);
  for (let i = 0; i < n; i++) {
    if (la[i] !== lb[i]) return la[i] < lb[i] ? -1 : 1;
  }
  return la.length - lb.length;
}

/** True when `name` equals `zone` or is below it (both canonical). */
export function isWithinZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith('.' + zone);
}

/** Problems with a DNS name (label ≤63 octets, name ≤253 without trailing dot, no empty labels). */
export function nameProblem(canonical: string): { code: string; description: string; value: string } | undefined {
  const labels = nameLabels(canonical);
  for (const label of labels) {
    if (label.length === 0) {
      return { code: 'DomainLabelEmpty', description: 'Domain label is empty', value: canonical };
    }
    if (Buffer.byteLength(label, 'utf8') > 63) {
      return { code: 'DomainLabelTooLong', description: 'Domain label is too long', value: label };
    }
  }
  const textual = canonical.endsWith('.') ? canonical.slice(0, -1) : canonical;
  if (Buffer.byteLength(textual, 'utf8') > 253) {
    return { code: 'DomainNameTooLong', description: 'Domain name is too long', value: canonical };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// TXT values

export type TxtParseResult =
  | { ok: true; strings: string[] }
  | { ok: false; code: string; description: string };

/**
 * Parse a Route 53 TXT/SPF value: one or more double-quoted character strings separated by
 * optional whitespace (`"a" "b"`, `"a""b"`), with `\"`, `\\`, `\X` and three-digit octal
 * `\ddd` escapes. Each decoded string must be at most 255 octets. Only printable ASCII may
 * appear literally.
 */
export function parseTxtValue(value: string): TxtParseResult {
  const strings: string[] = [];
  let i = 0;
  const n = value.length;
  const skipSpace = (): void => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  skipSpace();
  if (i >= n) return { ok: false, code: 'InvalidCharacterString', description: 'Value should be enclosed in quotation marks' };
  while (i < n) {
    if (value[i] !== '"') {
      return { ok: false, code: 'InvalidCharacterString', description: 'Value should be enclosed in quotation marks' };
    }
    i++;
    const bytes: number[] = [];
    let closed = false;
    while (i < n) {
      const ch = value[i];
      if (ch === '"') {
        closed = true;
        i++;
        break;
      }
      if (ch === '\\') {
        const oct = /^[0-7]{3}/.exec(value.slice(i + 1, i + 4));
        if (oct) {
          bytes.push(parseInt(oct[0], 8) & 0xff);
          i += 4;
          continue;
        }
        if (i + 1 >= n) break;
        const next = value.charCodeAt(i + 1);
        if (next < 0x20 || next > 0x7e) {
          return { ok: false, code: 'InvalidCharacterString', description: 'Value contains invalid characters' };
        }
        bytes.push(next);
        i += 2;
        continue;
      }
      const code = value.charCodeAt(i);
      if (code < 0x20 || code > 0x7e) {
        return { ok: false, code: 'InvalidCharacterString', description: 'Value contains invalid characters' };
      }
      bytes.push(code);
      i++;
    }
    if (!closed) {
      return { ok: false, code: 'InvalidCharacterString', description: 'Value should be enclosed in quotation marks' };
    }
    if (bytes.length > 255) {
      return { ok: false, code: 'CharacterStringTooLong', description: 'Value is too long' };
    }
    strings.push(Buffer.from(bytes).toString('latin1'));
    skipSpace();
  }
  return { ok: true, strings };
}

/**
 * Encode one raw TXT string the way Charter writes it: split into chunks of at most 255
 * octets, escape `\` and `"` (and non-printable octets as `\ddd` octal), quote each chunk and
 * join with one space.
 */
export function encodeTxtValue(raw: string): string {
  const bytes = Buffer.from(raw, 'utf8');
  const chunks: string[] = [];
  for (let start = 0; start < bytes.length || (start === 0 && chunks.length === 0); start += 255) {
    const part = bytes.subarray(start, start + 255);
    let text = '';
    for (const b of part) {
      if (b === 0x22) text += '\\"';
      else if (b === 0x5c) text += '\\\\';
      else if (b < 0x20 || b > 0x7e) text += '\\' + b.toString(8).padStart(3, '0');
      else text += String.fromCharCode(b);
    }
    chunks.push(`"${text}"`);
    if (bytes.length === 0) break;
  }
  return chunks.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Record types and values

export const RECORD_TYPES: ReadonlySet<string> = new Set([
  'A', 'AAAA', 'CAA', 'CNAME', 'DS', 'HTTPS', 'MX', 'NAPTR', 'NS', 'PTR', 'SOA', 'SPF', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'TXT',
]);

export interface ValueProblem {
  code: string;
  description: string;
}

function hostnameProblem(value: string): ValueProblem | undefined {
  if (/\s/.test(value.trim())) return { code: 'RRDATANotSingleField', description: 'Value contains spaces' };
  const p = nameProblem(canonicalName(value));
  return p ? { code: p.code, description: p.description } : undefined;
}

/**
 * Check one ResourceRecord value for a record type, the way Route 53 rejects bad record data.
 * Returns undefined when the value is acceptable.
 */
export function recordValueProblem(type: string, value: string): ValueProblem | undefined {
  if (value.length === 0) return { code: 'RRDATAEmpty', description: 'Value is empty' };
  if (value.length > 4000) return { code: 'RRDATATooLong', description: 'Value is longer than 4000 characters' };
  switch (type) {
    case 'A':
      return isIPv4(value) ? undefined : { code: 'ARRDATAIllegalIPv4Address', description: 'Value is not a valid IPv4 address' };
    case 'AAAA':
      return isIPv6(value) ? undefined : { code: 'AAAARRDATAIllegalIPv6Address', description: 'Value is not a valid IPv6 address' };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return hostnameProblem(value);
    case 'MX': {
      const m = /^\s*(\d{1,5})\s+(\S+)\s*$/.exec(value);
      if (!m || Number(m[1]) > 65535) {
        return { code: 'MXRRDATAIncorrectFormat', description: 'Value must be "<priority 0-65535> <mail server>"' };
      }
      return hostnameProblem(m[2]);
    }
    case 'TXT':
    case 'SPF': {
      const r = parseTxtValue(value);
      return r.ok ? undefined : { code: r.code, description: r.description };
    }
    case 'SOA':
      return value.trim().split(/\s+/).length === 7
        ? undefined
        : { code: 'SOARRDATAIncorrectFormat', description: 'Value must have 7 fields' };
    case 'SRV':
      return /^\s*\d+\s+\d+\s+\d+\s+\S+\s*$/.test(value)
        ? undefined
        : { code: 'SRVRRDATAIncorrectFormat', description: 'Value must be "<priority> <weight> <port> <target>"' };
    case 'CAA':
      return /^\s*\d{1,3}\s+[A-Za-z0-9]+\s+".*"\s*$/.test(value)
        ? undefined
        : { code: 'CAARRDATAIncorrectFormat', description: 'Value must be "<flags> <tag> \\"<value>\\""' };
    default:
      return undefined;
  }
}

/** The Route 53 wording for a bad value: `Invalid Resource Record: 'FATAL problem: ...'`. */
export function describeValueProblem(p: ValueProblem, value: string): string {
  return `Invalid Resource Record: 'FATAL problem: ${p.code} (${p.description}) encountered with '${value}''`;
}
