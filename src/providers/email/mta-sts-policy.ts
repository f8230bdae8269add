/**
 * The MTA-STS policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt (RFC 8461 §3.2):
 * rendering the file Charter publishes (from templates/mta-sts.txt.hbs) and parsing a live one.
 */
import { createHash } from 'node:crypto';
import { template } from '../../core/templates.js';
import { checkMxPattern } from './mx.js';
import { EXT_NAME } from './abnf.js';
import { issue, type RecordIssue } from './records.js';

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export const MTA_STS_MAX_AGE_LIMIT = 31_557_600;
/** Where the policy lives on the mta-sts host, and the S3 key Charter uploads it to. */
export const MTA_STS_POLICY_PATH = '.well-known/mta-sts.txt';
/** Length of the content-derived id (the record allows 1-32 letters/digits). */
const ID_LENGTH = 20;

export interface MtaStsPolicyInput {
  mode: MtaStsMode;
  mx: readonly string[];
  maxAge: number;
}

export interface RenderedMtaStsPolicy {
  /** The file content, CRLF line endings, ending with CRLF. */
  text: string;
  /** Content-derived id for the `_mta-sts` record: same text → same id, any change → new id. */
  id: string;
}

// templates/mta-sts.txt.hbs, precompiled with noEscape (plain text, not HTML) and strict (a missing field fails).
const policyTemplate = () => template('mta-sts.txt.hbs');

export function renderMtaStsPolicy(input: MtaStsPolicyInput): RenderedMtaStsPolicy {
  const rendered = policyTemplate()({ mode: input.mode, mx: [...input.mx], maxAge: input.maxAge });
  // RFC 8461 §3.2 lines end in CRLF; normalise whatever the template file was saved with.
  const lines = rendered.split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
  const text = lines.map((line) => `${line}\r\n`).join('');
  return { text, id: mtaStsPolicyId(text) };
}

/** First 20 characters of the base32 (a-z, 2-7) SHA-256 of the policy text. */
export function mtaStsPolicyId(text: string): string {
  return base32(createHash('sha256').update(text, 'utf8').digest()).slice(0, ID_LENGTH);
}

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let buffer = 0;
  let out = '';
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing a live policy file
// ---------------------------------------------------------------------------------------------

export interface ParsedMtaStsPolicy {
  version?: string;
  mode?: string;
  mx: string[];
  maxAge?: number;
  /** Fields receivers ignore, in order. */
  extensions: { name: string; value: string }[];
  issues: RecordIssue[];
}

const KNOWN_FIELDS = new Set(['version', 'mode', 'max_age', 'mx']);

/*
 * RFC 8461 §3.2:
 *   sts-policy-record    = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
 *   sts-policy-term      = LF / CRLF
 *   sts-policy-field-delim = ":" *WSP                  ; no WSP before the colon
 *   field names and the version/mode values are %s"…": case-sensitive
 *   sts-policy-max-age-value = 1*10(DIGIT)
 *   sts-policy-mx-value  = ["*."] Domain
 *   sts-policy-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   sts-policy-ext-value = sts-policy-vchar [*(%x20 / sts-policy-vchar) sts-policy-vchar]
 *   sts-policy-vchar     = %x21-7E / UTF8-2 / UTF8-3 / UTF8-4
 * So: no empty line except the final terminator, no tab or control character inside a value.
 */
/** sts-policy-ext-value: no control characters (tab included); spaces only inside (callers trimmed the ends). */
function isExtValue(value: string): boolean {
  if (value === '' || value.startsWith(' ') || value.endsWith(' ')) return false;
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

/**
 * Parses a policy the way receivers do: `name: value` lines (CRLF or LF), field names case-sensitive,
 * the first value of a repeated field wins (mx accumulates), unknown fields are ignored. Lines that do
 * not match the grammar are reported and skipped.
 */
export function parseMtaStsPolicy(text: string): ParsedMtaStsPolicy {
  const policy: ParsedMtaStsPolicy = { mx: [], extensions: [], issues: [] };
  const seen = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const isLast = index === lines.length - 1;
    if (!isLast && raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw === '') {
      // Only the terminator of the last line may leave an empty remainder.
      if (!(isLast && index > 0)) policy.issues.push(syntaxIssue(index, 'an empty line', '(empty)'));
      return;
    }
    const field = splitField(raw, index, policy.issues);
    if (field) applyField(policy, field, seen);
  });
  policy.issues.push(...policyIssues(policy));
  return policy;
}

function syntaxIssue(index: number, reason: string, line: string): RecordIssue {
  return issue('email/mta-sts-policy-syntax', 'error', `MTA-STS policy line ${index + 1} "${line}" does not match the grammar: ${reason}`, 'Each line of the policy file is a field name, a colon and a value, with no empty lines (RFC 8461 §3.2).');
}

function splitField(line: string, index: number, issues: RecordIssue[]): { name: string; value: string } | undefined {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon);
  if (colon < 0 || !EXT_NAME.test(name)) {
    issues.push(syntaxIssue(index, colon < 0 ? 'it has no ":"' : `"${name}" is not a field name (letters, digits, "_", "-", "." and no space before ":")`, line));
    return undefined;
  }
  const value = line.slice(colon + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  if (!isExtValue(value)) {
    issues.push(syntaxIssue(index, value === '' ? 'the value is empty' : 'the value holds a tab or a control character', line));
    return undefined;
  }
  return { name, value };
}

function applyField(policy: ParsedMtaStsPolicy, field: { name: string; value: string }, seen: Set<string>): void {
  if (field.name === 'mx') {
    policy.mx.push(field.value);
    return;
  }
  if (!KNOWN_FIELDS.has(field.name)) {
    policy.extensions.push(field);
    policy.issues.push(issue('email/mta-sts-policy-unknown-field', 'warning', `MTA-STS policy field "${field.name}" is unknown; receivers ignore it`, undefined, field.name));
    return;
  }
  if (seen.has(field.name)) {
    policy.issues.push(issue('email/mta-sts-policy-duplicate-field', 'warning', `MTA-STS policy repeats "${field.name}"; receivers use the first value`, 'Keep one line per field (except mx).', field.name));
    return;
  }
  seen.add(field.name);
  if (field.name === 'version') policy.version = field.value;
  else if (field.name === 'mode') policy.mode = field.value;
  else policy.maxAge = parseMaxAge(field.value, policy.issues);
}

function parseMaxAge(value: string, issues: RecordIssue[]): number | undefined {
  const n = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(n) || n > MTA_STS_MAX_AGE_LIMIT) {
    issues.push(issue('email/mta-sts-policy-max-age', 'error', `MTA-STS max_age "${value}" must be a plain integer from 0 to ${MTA_STS_MAX_AGE_LIMIT}`, undefined, 'max_age'));
    return undefined;
  }
  return n;
}

function policyIssues(policy: ParsedMtaStsPolicy): RecordIssue[] {
  const out: RecordIssue[] = [];
  if (policy.version !== 'STSv1') {
    out.push(issue('email/mta-sts-policy-version', 'error', `MTA-STS policy version must be STSv1, not "${policy.version ?? '(missing)'}"`, undefined, 'version'));
  }
  if (policy.mode !== 'enforce' && policy.mode !== 'testing' && policy.mode !== 'none') {
    out.push(issue('email/mta-sts-policy-mode', 'error', `MTA-STS policy mode must be enforce, testing or none, not "${policy.mode ?? '(missing)'}"`, undefined, 'mode'));
  }
  if (policy.maxAge === undefined && !policy.issues.some((i) => i.code === 'email/mta-sts-policy-max-age')) {
    out.push(issue('email/mta-sts-policy-max-age', 'error', 'MTA-STS policy has no max_age', undefined, 'max_age'));
  }
  if (policy.mx.length === 0 && (policy.mode === 'enforce' || policy.mode === 'testing')) {
    out.push(mtaStsNoMx());
  }
  for (const mx of policy.mx) out.push(...checkMxPattern(mx).map((i) => ({ ...i, tag: 'mx' })));
  return out;
}

export function mtaStsNoMx(): RecordIssue {
  return issue('email/mta-sts-no-mx', 'error', 'MTA-STS policy lists no mx pattern; senders could deliver to no host', 'List every MX host (or a *. pattern covering it), or use mode none.', 'mx');
}
