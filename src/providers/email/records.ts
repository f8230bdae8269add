/**
 * Parsers, validators and formatters for the TXT records Charter writes: BIMI, MTA-STS, TLS-RPT and
 * DMARC. Validators take RAW values (decoded from Route 53's presentation format) so they serve both
 * the offline lint (values built from the policy) and the plan step (values read from the live zone).
 */
import type { Severity } from '../../core/diagnostics.js';
import type { Dmarc } from './spec.generated.js';
import { EXT_NAME, EXT_VALUE, KEYWORD, TAG_NAME, describeChar, scanTagList, splitList, uriProblem, type StrictTag, type StrictTagList } from './abnf.js';

/** One problem with a record value; `code` is the `email/*` diagnostic code it becomes. */
export interface RecordIssue {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** The tag or field the issue is about, when there is one (lets lint point at the right YAML key). */
  tag?: string;
}

export function issue(code: string, severity: Severity, message: string, hint?: string, tag?: string): RecordIssue {
  const out: RecordIssue = { code, severity, message };
  if (hint !== undefined) out.hint = hint;
  if (tag !== undefined) out.tag = tag;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tag lists (`tag=value; tag=value`), RFC 6376 §3.2 style, also used by MTA-STS, TLS-RPT and DMARC.
// ---------------------------------------------------------------------------------------------

export interface Tag {
  name: string;
  value: string;
  /** Offset of the tag name in the record. */
  offset: number;
}

export interface TagList {
  /** Every well-formed tag, in order, duplicates included. */
  tags: Tag[];
  /** First occurrence of each tag name (receivers that tolerate duplicates keep the first). */
  first: Map<string, Tag>;
  /** Second and later occurrences of a tag name. */
  duplicates: Tag[];
  /** Segments that are not `name=value`. */
  malformed: { text: string; offset: number; reason: string }[];
}

/** Lenient, as receivers parse; the validators below use the exact grammar of each record (abnf.ts). */
const LENIENT_TAG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const WSP = /^[ \t]*|[ \t]*$/g;

/**
 * Splits on `;`, trims spaces and tabs around names and values, allows one trailing `;`, and
 * reports duplicates and malformed segments instead of throwing.
 */
export function parseTagList(value: string): TagList {
  const list: TagList = { tags: [], first: new Map(), duplicates: [], malformed: [] };
  const segments = splitWithOffsets(value, ';');
  segments.forEach((segment, index) => {
    const isTrailing = index === segments.length - 1 && index > 0;
    if (segment.text.trim() === '') {
      if (!isTrailing) list.malformed.push({ ...segment, reason: 'empty tag' });
      return;
    }
    addTag(list, segment);
  });
  return list;
}

function addTag(list: TagList, segment: { text: string; offset: number }): void {
  const eq = segment.text.indexOf('=');
  const name = (eq < 0 ? segment.text : segment.text.slice(0, eq)).replace(WSP, '');
  if (eq < 0 || !LENIENT_TAG_NAME.test(name)) {
    const reason = eq < 0 ? 'missing "="' : `invalid tag name "${name}"`;
    list.malformed.push({ ...segment, reason });
    return;
  }
  const leading = segment.text.length - segment.text.trimStart().length;
  const tag: Tag = { name, value: segment.text.slice(eq + 1).replace(WSP, ''), offset: segment.offset + leading };
  list.tags.push(tag);
  if (list.first.has(name)) list.duplicates.push(tag);
  else list.first.set(name, tag);
}

function splitWithOffsets(value: string, separator: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  for (;;) {
    const end = value.indexOf(separator, start);
    out.push({ text: value.slice(start, end < 0 ? undefined : end), offset: start });
    if (end < 0) return out;
    start = end + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// URIs
// ---------------------------------------------------------------------------------------------

/** A single https URL with a host name (BIMI l=/a=, report URIs). */
export function isHttpsUrl(value: string): boolean {
  if (!/^https:\/\/[^\s]+$/i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `mailto:local@domain` with no whitespace. */
export function isMailtoUri(value: string): boolean {
  return /^mailto:[^\s@]+@[^\s@]+$/i.test(value);
}

/**
 * Percent-encodes the three characters that delimit report URI lists and records: `,` (list
 * separator), `;` (tag separator) and `!` (DMARC size suffix): RFC 8460 §3 requires it for TLS-RPT,
 * RFC 7489 §6.2 for DMARC URIs. Other characters, including existing `%XX` escapes, are left alone.
 */
export function encodeReportUri(uri: string): string {
  return uri.replace(/[,;!]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
}

/** Problems with one report address as written in a policy (raw, not yet percent-encoded). */
export function checkReportUri(uri: string, code: string, label: string): RecordIssue[] {
  if (isMailtoUri(uri) || isHttpsUrl(uri)) return [];
  return [issue(code, 'error', `${label} address "${uri}" is not a mailto: address or an https URL`, 'Use mailto:user@example.com or https://host/path.')];
}

/** Grammar problems of the list structure, as `<kind>-syntax` errors. */
function scanIssues(list: StrictTagList, kind: string, label: string): RecordIssue[] {
  return list.problems.map((p) => issue(`email/${kind}-syntax`, 'error', `${label} record does not match its grammar at offset ${p.offset}: ${p.message}`, 'Write tags as name=value separated by "; ".'));
}

/** One report or asset URI as a record holds it (already percent-encoded), in one of the allowed schemes. */
function recordUriProblem(uri: string, forbidden: string, schemes: readonly ('mailto' | 'https')[]): string | undefined {
  const syntax = uriProblem(uri, forbidden);
  if (syntax !== undefined) return syntax;
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
  if (scheme === 'mailto' && schemes.includes('mailto')) return isMailtoUri(uri) ? undefined : 'a mailto: URI needs one address local@domain';
  if (scheme === 'https' && schemes.includes('https')) return isHttpsUrl(uri) ? undefined : 'an https URL needs a host name';
  return `the scheme "${scheme}:" is not ${schemes.map((s) => `${s}:`).join(' or ')}`;
}

// ---------------------------------------------------------------------------------------------
// BIMI (draft-brand-indicators-for-message-identification §4.2):
//   bimi-record   = bimi-version (bimi-sep bimi-location) [bimi-sep bimi-evidence-location]
//                   [bimi-sep bimi-avatar-preference] [bimi-sep]
//   bimi-version  = "v" *WSP "=" *WSP "BIMI1"              ; quoted strings: case-insensitive
//   bimi-sep      = *WSP ";" *WSP
//   bimi-location = "l" *WSP "=" *WSP [bimi-uri]            ; bimi-evidence-location likewise with "a"
//   bimi-avatar-preference = "avp" *WSP "=" *WSP ("personal" / "brand")
//   bimi-uri      = URI   ; RFC 3986, commas and exclamation points MUST be encoded
// Other tags are ignored by receivers (W).
// ---------------------------------------------------------------------------------------------

export interface BimiValues {
  logoUrl?: string;
  certificateUrl?: string;
  avp?: 'brand' | 'personal';
}

/** `v=BIMI1; l=<logo>[; a=<certificate>][; avp=…]`; neither logo nor certificate is a declination (`l=; a=`). */
export function formatBimi(values: BimiValues): string {
  const parts = ['v=BIMI1', `l=${values.logoUrl ?? ''}`];
  if (values.certificateUrl !== undefined || values.logoUrl === undefined) parts.push(`a=${values.certificateUrl ?? ''}`);
  if (values.avp !== undefined) parts.push(`avp=${values.avp}`);
  return parts.join('; ');
}

/** The tags of the grammar, in the order it lists them. */
const BIMI_ORDER = ['l', 'a', 'avp'];
/** Formats a BIMI l= must not point at; the draft makes any non-SVG image format a permanent error. */
const RASTER_SUFFIX = /\.(png|jpe?g|gif|webp|bmp|ico|tiff?|avif|heic)$/i;

export function isBimiRecord(value: string): boolean {
  return /^v[ \t]*=[ \t]*BIMI1[ \t]*(;|$)/i.test(value);
}

/** Validates a BIMI assertion record value. */
export function checkBimiRecord(value: string): RecordIssue[] {
  if (!isBimiRecord(value)) {
    return [issue('email/bimi-version', 'error', 'BIMI record must start with "v=BIMI1"', 'The version tag must come first.', 'v')];
  }
  const list = scanTagList(value, { wspAroundEquals: true, name: TAG_NAME });
  const out = scanIssues(list, 'bimi', 'BIMI');
  const known = new Map<string, StrictTag>();
  let lastIndex = -1;
  for (const tag of list.tags.slice(1)) {
    const name = tag.name.toLowerCase();
    const index = BIMI_ORDER.indexOf(name);
    if (index < 0) {
      out.push(issue('email/bimi-unknown-tag', 'warning', `BIMI record has an unknown tag "${tag.name}"; receivers ignore it`, undefined, tag.name));
      continue;
    }
    if (known.has(name)) {
      out.push(issue('email/bimi-duplicate-tag', 'error', `BIMI record repeats the tag "${tag.name}"`, 'Keep one occurrence of each tag.', name));
      continue;
    }
    if (index < lastIndex) {
      out.push(issue('email/bimi-syntax', 'error', `BIMI tag "${tag.name}" comes after "${BIMI_ORDER[lastIndex]}"; the grammar orders them v, l, a, avp`, 'Write v=BIMI1; l=...; a=...', name));
    }
    lastIndex = Math.max(lastIndex, index);
    known.set(name, tag);
  }
  const logo = known.get('l');
  const evidence = known.get('a');
  if (!logo) out.push(issue('email/bimi-syntax', 'error', 'BIMI record has no l= tag; the grammar requires it right after v=BIMI1 (l= with no value declines to publish a logo)', undefined, 'l'));
  if (logo && logo.value !== '') out.push(...checkBimiUri(logo.value, 'l'));
  if (evidence && evidence.value !== '') out.push(...checkBimiUri(evidence.value, 'a'));
  const avp = known.get('avp');
  if (avp && !/^(brand|personal)$/i.test(avp.value)) {
    out.push(issue('email/bimi-avp-invalid', 'error', `BIMI avp= must be "brand" or "personal", not "${avp.value}"`, undefined, 'avp'));
  }
  if ((!evidence || evidence.value === '') && logo && logo.value !== '') out.push(bimiNoCertificate());
  return out;
}

function checkBimiUri(value: string, tag: 'l' | 'a'): RecordIssue[] {
  const what = tag === 'l' ? 'logo location l=' : 'evidence location a=';
  const code = tag === 'l' ? 'email/bimi-logo-url-invalid' : 'email/bimi-certificate-url-invalid';
  const problem = recordUriProblem(value, ',!', ['https']);
  if (problem !== undefined) {
    return [issue(code, 'error', `BIMI ${what} must be empty or one https URL, not "${value}": ${problem}`, 'Use a single https:// URL.', tag)];
  }
  if (tag === 'l' && RASTER_SUFFIX.test(new URL(value).pathname)) {
    return [issue('email/bimi-logo-not-svg', 'error', `BIMI logo "${value}" is not an SVG file`, 'BIMI logos must be SVG Tiny PS (.svg).', tag)];
  }
  return [];
}

export function bimiNoCertificate(): RecordIssue {
  return issue('email/bimi-no-certificate', 'warning', 'BIMI has no mark certificate (a=); most mailbox providers show no logo without one', 'Add bimi.certificate with a Verified Mark Certificate (PEM).', 'a');
}

// ---------------------------------------------------------------------------------------------
// MTA-STS TXT (RFC 8461 §3.1):
//   sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//   sts-field       = sts-id / sts-extension
//   sts-field-delim = *WSP ";" *WSP
//   sts-version     = %s"v=STSv1"                      ; case-sensitive, no WSP around "="
//   sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//   sts-extension   = sts-ext-name "=" sts-ext-value
//   sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
//   sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)     ; no SP, ";", "=" or controls
// ---------------------------------------------------------------------------------------------

export function formatMtaStsTxt(id: string): string {
  return `v=STSv1; id=${id}`;
}

export const MTA_STS_ID = /^[A-Za-z0-9]{1,32}$/;

export function isMtaStsRecord(value: string): boolean {
  return /^v=STSv1[ \t]*(;|$)/.test(value);
}

/** Validates an `_mta-sts` TXT value (RFC 8461 §3.1). */
export function checkMtaStsRecord(value: string): RecordIssue[] {
  if (!isMtaStsRecord(value)) {
    return [issue('email/mta-sts-version', 'error', 'MTA-STS record must start with "v=STSv1" (case-sensitive, no spaces)', undefined, 'v')];
  }
  const list = scanTagList(value, { wspAroundEquals: false, name: EXT_NAME });
  const out = scanIssues(list, 'mta-sts', 'MTA-STS');
  let id: StrictTag | undefined;
  for (const tag of list.tags.slice(1)) {
    if (tag.name === 'id') {
      if (id) out.push(issue('email/mta-sts-duplicate-tag', 'error', 'MTA-STS record repeats the tag "id"', 'Keep one id.', 'id'));
      else id = tag;
      continue;
    }
    out.push(...extensionIssues(tag, 'mta-sts', 'MTA-STS'));
  }
  if (!id) out.push(issue('email/mta-sts-id-invalid', 'error', 'MTA-STS record has no id= (the name "id" is case-sensitive)', 'Add id=<1-32 letters or digits>.', 'id'));
  else if (!MTA_STS_ID.test(id.value)) {
    out.push(issue('email/mta-sts-id-invalid', 'error', `MTA-STS id "${id.value}" must be 1-32 letters or digits`, undefined, 'id'));
  }
  return out;
}

/** sts-extension / tlsrpt-extension: receivers ignore them (W), but the value must still match its class (E). */
function extensionIssues(tag: StrictTag, kind: string, label: string): RecordIssue[] {
  if (!EXT_VALUE.test(tag.value)) {
    const bad = [...tag.value].find((ch) => !EXT_VALUE.test(ch));
    const why = bad === undefined ? 'it is empty' : `it contains ${describeChar(bad)}`;
    return [issue(`email/${kind}-syntax`, 'error', `${label} extension "${tag.name}" has an invalid value: ${why}; extension values are printable ASCII other than space, ";" and "="`, undefined, tag.name)];
  }
  return [issue(`email/${kind}-unknown-tag`, 'warning', `${label} record has an unknown tag "${tag.name}"; receivers ignore it`, undefined, tag.name)];
}

/** The id must change whenever the policy file changes, or senders keep the cached policy (RFC 8461 §3.1). */
export function checkMtaStsIdChange(before: { text: string; id: string }, after: { text: string; id: string }): RecordIssue[] {
  if (before.text === after.text || before.id !== after.id) return [];
  return [issue('email/mta-sts-id-unchanged', 'error', 'The MTA-STS policy file changes but the _mta-sts id stays the same; senders would keep the old policy', 'Let Charter derive the id from the policy content.', 'id')];
}

// ---------------------------------------------------------------------------------------------
// TLS-RPT (RFC 8460 §3):
//   tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//   field-delim      = *WSP ";" *WSP
//   tlsrpt-field     = tlsrpt-rua / tlsrpt-extension     ; tlsrpt-rua is REQUIRED
//   tlsrpt-version   = %s"v=TLSRPTv1"
//   tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//   tlsrpt-uri       = URI    ; RFC 3986; ",", ";" and "!" MUST be encoded
//   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value   ; as sts-extension
// ---------------------------------------------------------------------------------------------

export function formatTlsRpt(rua: readonly string[]): string {
  return `v=TLSRPTv1; rua=${rua.map(encodeReportUri).join(',')}`;
}

export function isTlsRptRecord(value: string): boolean {
  return /^v=TLSRPTv1[ \t]*(;|$)/.test(value);
}

/** Validates an `_smtp._tls` TXT value (RFC 8460 §3). */
export function checkTlsRptRecord(value: string): RecordIssue[] {
  if (!isTlsRptRecord(value)) {
    return [issue('email/tls-rpt-version', 'error', 'TLS-RPT record must start with "v=TLSRPTv1" (case-sensitive, no spaces)', undefined, 'v')];
  }
  const list = scanTagList(value, { wspAroundEquals: false, name: EXT_NAME });
  const out = scanIssues(list, 'tls-rpt', 'TLS-RPT');
  let rua: StrictTag | undefined;
  for (const tag of list.tags.slice(1)) {
    if (tag.name === 'rua') {
      if (rua) out.push(issue('email/tls-rpt-duplicate-tag', 'error', 'TLS-RPT record repeats the tag "rua"', 'List every address in one rua= tag, separated by commas.', 'rua'));
      else rua = tag;
      continue;
    }
    out.push(...extensionIssues(tag, 'tls-rpt', 'TLS-RPT'));
  }
  if (!rua || rua.value === '') {
    out.push(issue('email/tls-rpt-no-rua', 'error', 'TLS-RPT record has no rua= report address (the name "rua" is case-sensitive)', 'Add at least one mailto: or https: address.', 'rua'));
    return out;
  }
  const uris = splitList(rua.value, ',');
  if (!uris) return [...out, issue('email/tls-rpt-rua-invalid', 'error', `TLS-RPT rua= "${rua.value}" has an empty address between commas`, undefined, 'rua')];
  for (const uri of uris) {
    const problem = recordUriProblem(uri, ';!', ['mailto', 'https']);
    if (problem !== undefined) out.push(issue('email/tls-rpt-rua-invalid', 'error', `TLS-RPT rua address "${uri}" is invalid: ${problem}`, 'Use mailto:user@example.com or https://host/path, with ",", ";" and "!" percent-encoded.', 'rua'));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DMARC (RFC 7489 §6.4). Quoted strings are case-insensitive (RFC 5234 §2.3), so "P=Reject" is valid;
// only the version value is case-sensitive (%x44 %x4d %x41 %x52 %x43 %x31 = "DMARC1").
//   dmarc-record = dmarc-version dmarc-sep [dmarc-request] [dmarc-sep dmarc-srequest] ... [dmarc-sep]
//                  ; components other than dmarc-version and dmarc-request may appear in any order
//   dmarc-sep    = *WSP %x3b *WSP;  every tag is  name *WSP "=" *WSP value
//   p, sp: "none" / "quarantine" / "reject";  adkim, aspf: "r" / "s";  ri: 1*DIGIT;  pct: 1*3DIGIT
//   fo: ("0" / "1" / "d" / "s") *(*WSP ":" *WSP ("0" / "1" / "d" / "s"))
//   rf: Keyword *(*WSP ":" Keyword)   ; registered reporting formats only (afrf)
//   rua, ruf: dmarc-uri *(*WSP "," *WSP dmarc-uri);  dmarc-uri = URI [ "!" 1*DIGIT [ "k"/"m"/"g"/"t" ] ]
// Where DMARCbis (draft-ietf-dmarc-dmarcbis) differs, validity follows RFC 7489 and a warning says so.
// ---------------------------------------------------------------------------------------------

/** Canonical tag order Charter writes: v, p, sp, pct, rua, ruf, adkim, aspf. */
export function formatDmarc(spec: Dmarc): string {
  const parts = ['v=DMARC1', `p=${spec.policy ?? 'none'}`];
  if (spec.subdomainPolicy !== undefined) parts.push(`sp=${spec.subdomainPolicy}`);
  if (spec.percent !== undefined) parts.push(`pct=${spec.percent}`);
  if (spec.rua?.length) parts.push(`rua=${spec.rua.map(encodeReportUri).join(',')}`);
  if (spec.ruf?.length) parts.push(`ruf=${spec.ruf.map(encodeReportUri).join(',')}`);
  if (spec.adkim !== undefined) parts.push(`adkim=${spec.adkim}`);
  if (spec.aspf !== undefined) parts.push(`aspf=${spec.aspf}`);
  return parts.join('; ');
}

const DMARC_POLICY = /^(none|quarantine|reject)$/i;
/** RFC 7489 tags whose value grammar is checked here. */
const DMARC_RFC7489_TAGS: ReadonlySet<string> = new Set(['p', 'sp', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri']);
/**
 * RFC 7489 tags DMARCbis removes, and the value at which removing them changes nothing (rf= can only
 * be afrf, so it has none to warn about): any other value is valid, but DMARCbis receivers ignore it.
 */
const DMARCBIS_REMOVED: Record<string, { same: (value: string) => boolean; message: string }> = {
  pct: { same: (v) => Number(v) === 100, message: 'DMARCbis removes pct= (its t= flag replaces partial enforcement), so DMARCbis receivers apply the policy to all mail' },
  ri: { same: (v) => Number(v) === 86400, message: 'DMARCbis removes ri=, so DMARCbis receivers send aggregate reports daily' },
};
/** DMARCbis tags RFC 7489 does not define: RFC 7489 receivers ignore them (§6.3 "Unknown tags MUST be ignored"). */
const DMARCBIS_ADDED = new Set(['np', 'psd', 't']);

export function isDmarcRecord(value: string): boolean {
  return /^[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(value);
}

export interface DmarcValues {
  p?: string;
  sp?: string;
  pct?: string;
}

/** Validates a `_dmarc` TXT value (RFC 7489 §6.3/§6.4). */
export function checkDmarcRecord(value: string): RecordIssue[] {
  if (!isDmarcRecord(value)) {
    return [issue('email/dmarc-version', 'error', 'DMARC record must start with "v=DMARC1" ("DMARC1" is case-sensitive)', undefined, 'v')];
  }
  const list = scanTagList(value, { wspAroundEquals: true, name: TAG_NAME });
  const out = scanIssues(list, 'dmarc', 'DMARC');
  const seen = new Map<string, StrictTag>();
  list.tags.slice(1).forEach((tag, index) => {
    const name = tag.name.toLowerCase();
    if (seen.has(name) || name === 'v') {
      out.push(issue('email/dmarc-duplicate-tag', 'error', `DMARC record repeats the tag "${tag.name}"`, 'Keep one occurrence of each tag.', name));
      return;
    }
    seen.set(name, tag);
    if (name === 'p' && index !== 0) {
      out.push(issue('email/dmarc-tag-order', 'error', 'DMARC p= must come right after v=DMARC1 (RFC 7489 §6.4)', 'Write v=DMARC1; p=...; then the other tags in any order.', 'p'));
      out.push(dmarcbis('p', 'DMARCbis lets p= appear anywhere after v=DMARC1, but RFC 7489 receivers may discard this record'));
    }
    out.push(...dmarcTagIssues(name, tag));
  });
  if (!seen.has('p')) out.push(issue('email/dmarc-policy-missing', 'error', 'DMARC record has no p= policy', 'Add p=none, p=quarantine or p=reject.', 'p'));
  return out;
}

function dmarcTagIssues(name: string, tag: StrictTag): RecordIssue[] {
  if (DMARCBIS_ADDED.has(name)) return [dmarcbis(name, `${name}= is a DMARCbis tag; RFC 7489 receivers ignore it`)];
  if (!DMARC_RFC7489_TAGS.has(name)) {
    return [issue('email/dmarc-unknown-tag', 'warning', `DMARC record has an unknown tag "${tag.name}"; receivers ignore it`, undefined, name)];
  }
  const out: RecordIssue[] = [];
  const expected = dmarcValueProblem(name, tag.value);
  if (expected !== undefined) out.push(dmarcInvalid(name, tag.value, expected));
  if (name === 'rua' || name === 'ruf') out.push(...dmarcUriIssues(name, tag.value));
  const removed = DMARCBIS_REMOVED[name];
  if (expected === undefined && removed !== undefined && !removed.same(tag.value)) out.push(dmarcbis(name, removed.message));
  return out;
}

/** What the value of a tag should be, or undefined when it matches the RFC 7489 grammar. */
function dmarcValueProblem(name: string, value: string): string | undefined {
  switch (name) {
    case 'p':
    case 'sp':
      return DMARC_POLICY.test(value) ? undefined : 'none, quarantine or reject';
    case 'adkim':
    case 'aspf':
      return /^[rs]$/i.test(value) ? undefined : '"r" or "s"';
    case 'pct':
      // 1*3DIGIT in the grammar; §6.3 "an integer between 0 and 100".
      return /^[0-9]{1,3}$/.test(value) && Number(value) <= 100 ? undefined : 'an integer from 0 to 100 (at most 3 digits)';
    case 'ri':
      return /^[0-9]+$/.test(value) ? undefined : 'a number of seconds (digits only)';
    case 'fo':
      return splitList(value, ':')?.every((o) => /^[01ds]$/i.test(o)) ? undefined : 'a ":"-separated list of 0, 1, d and s';
    case 'rf': {
      // Keyword *(*WSP ":" Keyword): WSP only before each ":".
      const parts = value.split(':').map((k, i) => (i < value.split(':').length - 1 ? k.replace(/[ \t]+$/, '') : k));
      return parts.every((k) => KEYWORD.test(k) && k.toLowerCase() === 'afrf') ? undefined : 'a ":"-separated list of registered report formats (afrf)';
    }
    default:
      return undefined;
  }
}

function dmarcInvalid(tag: string, value: string, expected: string): RecordIssue {
  return issue('email/dmarc-tag-invalid', 'error', `DMARC ${tag}= must be ${expected}, not "${value}"`, undefined, tag);
}

function dmarcbis(tag: string, message: string): RecordIssue {
  return issue('email/dmarcbis-difference', 'warning', `${message} (Charter validates against RFC 7489)`, 'Write the record so RFC 7489 and DMARCbis receivers read it the same way.', tag);
}

/** rua/ruf: URIs with an optional `!size[kmgt]` suffix; "," and "!" inside a URI must be encoded (§6.2). */
function dmarcUriIssues(name: string, value: string): RecordIssue[] {
  const uris = splitList(value, ',');
  if (!uris) return [issue('email/dmarc-uri-invalid', 'error', `DMARC ${name}= "${value}" has an empty address between commas`, undefined, name)];
  const out: RecordIssue[] = [];
  for (const uri of uris) {
    const bang = uri.lastIndexOf('!');
    const bare = bang >= 0 && /^[0-9]+[kmgt]?$/i.test(uri.slice(bang + 1)) ? uri.slice(0, bang) : uri;
    const problem = recordUriProblem(bare, '!', ['mailto', 'https']);
    if (problem !== undefined) out.push(issue('email/dmarc-uri-invalid', 'error', `DMARC ${name} address "${uri}" is invalid: ${problem}`, 'Use mailto:user@example.com, optionally followed by !size such as !10m.', name));
  }
  return out;
}

/** First values of the tags BIMI cares about (lower-cased: the literals are case-insensitive), or undefined when the value is not a DMARC record. */
export function dmarcValues(value: string): DmarcValues | undefined {
  if (!isDmarcRecord(value)) return undefined;
  const first = new Map<string, string>();
  for (const tag of parseTagList(value).tags) {
    const name = tag.name.toLowerCase();
    if (!first.has(name)) first.set(name, tag.value.toLowerCase());
  }
  return { p: first.get('p'), sp: first.get('sp'), pct: first.get('pct') };
}

const ENFORCING = new Set(['quarantine', 'reject']);

/**
 * BIMI only works behind an enforcing DMARC policy: record present and valid, p quarantine/reject,
 * sp absent or quarantine/reject, pct absent or 100. All errors.
 */
export function bimiDmarcPrerequisites(dmarcRecordValue: string | undefined): RecordIssue[] {
  if (dmarcRecordValue === undefined) {
    return [issue('email/bimi-dmarc-missing', 'error', 'BIMI needs a DMARC record at _dmarc, and there is none', 'Publish DMARC with p=quarantine or p=reject (spec.dmarc).')];
  }
  const problems = checkDmarcRecord(dmarcRecordValue).filter((i) => i.severity === 'error');
  const values = dmarcValues(dmarcRecordValue);
  if (problems.length > 0 || !values) {
    const detail = problems.map((p) => p.message).join('; ');
    return [issue('email/bimi-dmarc-invalid', 'error', `BIMI needs a valid DMARC record: ${detail}`, 'Fix the _dmarc record first.')];
  }
  return [...dmarcEnforcementIssues(values)];
}

function dmarcEnforcementIssues(values: DmarcValues): RecordIssue[] {
  const out: RecordIssue[] = [];
  if (!ENFORCING.has(values.p ?? '')) {
    out.push(issue('email/bimi-needs-dmarc-enforcement', 'error', `BIMI needs DMARC p=quarantine or p=reject, not p=${values.p ?? '(none)'}`, 'Raise the DMARC policy to quarantine or reject.', 'p'));
  }
  if (values.sp !== undefined && !ENFORCING.has(values.sp)) {
    out.push(issue('email/bimi-dmarc-subdomain-policy', 'error', `BIMI needs DMARC sp= absent or quarantine/reject, not sp=${values.sp}`, 'Remove sp= or set it to quarantine or reject.', 'sp'));
  }
  if (values.pct !== undefined && values.pct !== '100') {
    out.push(issue('email/bimi-dmarc-pct', 'error', `BIMI needs DMARC to apply to all mail (pct absent or 100), not pct=${values.pct}`, 'Remove pct= or set it to 100.', 'pct'));
  }
  return out;
}
