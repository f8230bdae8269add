/**
 * Character classes and small productions shared by the email record grammars (RFC 5234 core rules,
 * RFC 3986 URI, RFC 5321 Domain/Keyword), and a strict scanner for `tag=value` lists that follows the
 * separators of the record ABNFs exactly instead of trimming whatever surrounds a value.
 *
 * ABNF literals: a quoted string ("p", "none") is case-insensitive (RFC 5234 §2.3); `%s"…"` and `%x…`
 * are case-sensitive (RFC 7405). Each validator says which one its RFC uses.
 * Every pattern here is anchored with no nested or adjacent unbounded quantifiers, so it runs in linear time.
 */

/** WSP = SP / HTAB (RFC 5234 B.1). */
export const isWsp = (ch: string): boolean => ch === ' ' || ch === '\t';

/** ALPHA / DIGIT. */
export const ALNUM = /^[A-Za-z0-9]$/;

/**
 * `(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`: sts-ext-name (RFC 8461 §3.1),
 * tlsrpt-ext-name (RFC 8460 §3) and sts-policy-ext-name (RFC 8461 §3.2).
 */
export const EXT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/**
 * `1*(%x21-3A / %x3C / %x3E-7E)`: sts-ext-value and tlsrpt-ext-value, printable ASCII except
 * SP, ";" (0x3B) and "=" (0x3D).
 */
export const EXT_VALUE = /^[\x21-\x3a\x3c\x3e-\x7e]+$/;

/** RFC 6376 §3.2 tag-name = ALPHA *ALNUMPUNC (ALNUMPUNC = ALPHA / DIGIT / "_"): names of DMARC/BIMI tags. */
export const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * RFC 3986 URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]. Checked as: a scheme, then only
 * characters from unreserved / reserved / pct-encoded, every "%" followed by two hex digits, at most
 * one "#". `forbidden` lists reserved characters the record grammar requires to be percent-encoded.
 */
export function uriProblem(value: string, forbidden: string): string | undefined {
  const colon = value.indexOf(':');
  if (colon < 1 || !/^[A-Za-z][A-Za-z0-9+.-]*$/.test(value.slice(0, colon))) return 'it does not start with a URI scheme such as "mailto:" or "https:"';
  const rest = value.slice(colon + 1);
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i];
    if (forbidden.includes(ch)) return `"${ch}" must be percent-encoded (%${ch.charCodeAt(0).toString(16).toUpperCase()})`;
    if (ch === '%') {
      if (!/^[0-9A-Fa-f]{2}$/.test(rest.slice(i + 1, i + 3))) return '"%" must start a percent-encoding such as %2C';
      i += 2;
    } else if (!/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]$/.test(ch)) {
      return `the character ${describeChar(ch)} is not allowed in a URI`;
    }
  }
  if (rest.indexOf('#') !== rest.lastIndexOf('#')) return 'a URI has at most one "#"';
  return undefined;
}

export function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x21 && code <= 0x7e) return `"${ch}"`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** RFC 5321 §4.1.2 Keyword = Ldh-str (letters, digits, inner hyphens; starts with a letter or digit). */
export const KEYWORD = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

// ---------------------------------------------------------------------------------------------
// Strict tag-list scanner
// ---------------------------------------------------------------------------------------------

export interface StrictTag {
  /** The name as written (callers compare it case-sensitively or not, as their ABNF says). */
  name: string;
  value: string;
  offset: number;
}

export interface StrictTagList {
  tags: StrictTag[];
  /** Grammar violations of the list structure itself, with the offset where each was found. */
  problems: { message: string; offset: number }[];
}

export interface ScanOptions {
  /** DMARC and BIMI write `name *WSP "=" *WSP value`; MTA-STS and TLS-RPT allow no WSP around "=". */
  wspAroundEquals: boolean;
  /** Grammar of a tag name. */
  name: RegExp;
}

/**
 * Scans `tag *(sep tag) [sep]` with sep = `*WSP ";" *WSP`, the separator of all four TXT records. WSP is
 * only allowed next to a ";" (or next to "=" when the grammar says so): a record that ends in a space
 * without a ";", or starts with one, does not match. An empty tag between two ";" does not match either.
 */
export function scanTagList(value: string, options: ScanOptions): StrictTagList {
  const out: StrictTagList = { tags: [], problems: [] };
  let start = 0;
  for (;;) {
    const end = value.indexOf(';', start);
    const isLast = end < 0;
    let text = value.slice(start, isLast ? undefined : end);
    let offset = start;
    // Leading WSP belongs to the preceding separator; there is none before the first tag.
    const lead = leadingWsp(text);
    if (lead > 0 && start === 0) out.problems.push({ message: 'the record starts with white space', offset: 0 });
    text = text.slice(lead);
    offset += lead;
    // Trailing WSP belongs to the following separator; without a following ";" it is not allowed.
    const trail = trailingWsp(text);
    if (trail > 0 && isLast && text.length > trail) out.problems.push({ message: 'white space after the last tag without a ";"', offset: offset + text.length - trail });
    text = text.slice(0, text.length - trail);
    if (text === '') {
      if (!(isLast && start > 0)) out.problems.push({ message: 'an empty tag (two ";" in a row, or nothing before ";")', offset });
    } else {
      scanTag(text, offset, options, out);
    }
    if (isLast) return out;
    start = end + 1;
  }
}

function scanTag(text: string, offset: number, options: ScanOptions, out: StrictTagList): void {
  const eq = text.indexOf('=');
  if (eq < 0) {
    out.problems.push({ message: `"${text}" is not name=value`, offset });
    return;
  }
  let name = text.slice(0, eq);
  let value = text.slice(eq + 1);
  if (options.wspAroundEquals) {
    name = name.slice(0, name.length - trailingWsp(name));
    value = value.slice(leadingWsp(value));
  }
  if (!options.name.test(name)) {
    out.problems.push({ message: `invalid tag name "${name}"`, offset });
    return;
  }
  out.tags.push({ name, value, offset });
}

function leadingWsp(text: string): number {
  let n = 0;
  while (n < text.length && isWsp(text[n])) n++;
  return n;
}

function trailingWsp(text: string): number {
  let n = 0;
  while (n < text.length && isWsp(text[text.length - 1 - n])) n++;
  return n;
}

/**
 * Splits `item *(*WSP sep *WSP item)`: WSP is dropped only next to a separator, so WSP at either end of
 * the list stays in the first or last item (and fails that item's grammar). Undefined when an item is empty.
 */
export function splitList(value: string, separator: string): string[] | undefined {
  const parts = value.split(separator);
  const items = parts.map((item, i) => {
    const from = i > 0 ? leadingWsp(item) : 0;
    const to = i < parts.length - 1 ? item.length - trailingWsp(item) : item.length;
    return item.slice(from, Math.max(from, to));
  });
  return items.some((item) => item === '') ? undefined : items;
}
