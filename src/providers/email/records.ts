/**
 * Parsers, validators and formatters for the TXT records Charter writes: BIMI, MTA-STS, TLS-RPT and
 * DMARC. Validators take RAW values (decoded from Route 53's presentation format) so they serve both
 * the offline lint (values built from the policy) and the plan step (values read from the live zone).
 */
import type { Severity } from '../../core/diagnostics.js';
import type { Dmarc } from './spec.generated.js';

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

const TAG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
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
  if (eq < 0 || !TAG_NAME.test(name)) {
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

/** Issues every tag-list record shares: syntax, duplicates, unknown tags. */
function tagListIssues(list: TagList, kind: string, label: string, known: ReadonlySet<string>): RecordIssue[] {
  const out: RecordIssue[] = [];
  for (const bad of list.malformed) {
    out.push(issue(`email/${kind}-syntax`, 'error', `${label} record has a malformed tag "${bad.text.trim()}": ${bad.reason}`, 'Write tags as name=value separated by "; ".'));
  }
  for (const dup of list.duplicates) {
    out.push(issue(`email/${kind}-duplicate-tag`, 'error', `${label} record repeats the tag "${dup.name}"`, 'Keep one occurrence of each tag.', dup.name));
  }
  for (const tag of list.tags) {
    if (!known.has(tag.name)) {
      out.push(issue(`email/${kind}-unknown-tag`, 'warning', `${label} record has an unknown tag "${tag.name}"; receivers ignore it`, undefined, tag.name));
    }
  }
  return out;
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

/** Splits a `uri, uri` list as found in a record (after tag parsing). */
function splitUriList(value: string): string[] {
  return value.split(',').map((v) => v.replace(WSP, ''));
}

// ---------------------------------------------------------------------------------------------
// BIMI
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

const BIMI_TAGS: ReadonlySet<string> = new Set(['v', 'l', 'a', 'avp', 'lps', 's']);
/** Formats a BIMI l= must not point at; the draft makes any non-SVG image format a permanent error. */
const RASTER_SUFFIX = /\.(png|jpe?g|gif|webp|bmp|ico|tiff?|avif|heic)$/i;

export function isBimiRecord(value: string): boolean {
  return /^v[ \t]*=[ \t]*BIMI1[ \t]*(;|$)/.test(value);
}

/** Validates a BIMI assertion record value. */
export function checkBimiRecord(value: string): RecordIssue[] {
  if (!isBimiRecord(value)) {
    return [issue('email/bimi-version', 'error', 'BIMI record must start with "v=BIMI1"', 'The version tag must come first, spelled exactly v=BIMI1.', 'v')];
  }
  const list = parseTagList(value);
  const out = tagListIssues(list, 'bimi', 'BIMI', BIMI_TAGS);
  const logo = list.first.get('l');
  const evidence = list.first.get('a');
  if (logo && logo.value !== '') out.push(...checkBimiUri(logo.value, 'l'));
  if (evidence && evidence.value !== '') out.push(...checkBimiUri(evidence.value, 'a'));
  const avp = list.first.get('avp');
  if (avp && avp.value !== 'brand' && avp.value !== 'personal') {
    out.push(issue('email/bimi-avp-invalid', 'error', `BIMI avp= must be "brand" or "personal", not "${avp.value}"`, undefined, 'avp'));
  }
  if (!evidence || evidence.value === '') {
    if (logo && logo.value !== '') out.push(bimiNoCertificate());
  }
  return out;
}

function checkBimiUri(value: string, tag: 'l' | 'a'): RecordIssue[] {
  const what = tag === 'l' ? 'logo location l=' : 'evidence location a=';
  const code = tag === 'l' ? 'email/bimi-logo-url-invalid' : 'email/bimi-certificate-url-invalid';
  if (value.includes(',') || !isHttpsUrl(value)) {
    return [issue(code, 'error', `BIMI ${what} must be empty or one https URL, not "${value}"`, 'Use a single https:// URL.', tag)];
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
// MTA-STS TXT
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
  const list = parseTagList(value);
  const out = tagListIssues(list, 'mta-sts', 'MTA-STS', new Set(['v', 'id']));
  const id = list.first.get('id');
  if (!id) out.push(issue('email/mta-sts-id-invalid', 'error', 'MTA-STS record has no id=', 'Add id=<1-32 letters or digits>.', 'id'));
  else if (!MTA_STS_ID.test(id.value)) {
    out.push(issue('email/mta-sts-id-invalid', 'error', `MTA-STS id "${id.value}" must be 1-32 letters or digits`, undefined, 'id'));
  }
  return out;
}

/** The id must change whenever the policy file changes, or senders keep the cached policy (RFC 8461 §3.1). */
export function checkMtaStsIdChange(before: { text: string; id: string }, after: { text: string; id: string }): RecordIssue[] {
  if (before.text === after.text || before.id !== after.id) return [];
  return [issue('email/mta-sts-id-unchanged', 'error', 'The MTA-STS policy file changes but the _mta-sts id stays the same; senders would keep the old policy', 'Let Charter derive the id from the policy content.', 'id')];
}

// ---------------------------------------------------------------------------------------------
// TLS-RPT
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
  const list = parseTagList(value);
  const out = tagListIssues(list, 'tls-rpt', 'TLS-RPT', new Set(['v', 'rua']));
  const rua = list.first.get('rua');
  if (!rua || rua.value === '') {
    out.push(issue('email/tls-rpt-no-rua', 'error', 'TLS-RPT record has no rua= report address', 'Add at least one mailto: or https: address.', 'rua'));
    return out;
  }
  for (const uri of splitUriList(rua.value)) out.push(...checkRecordReportUri(uri, 'email/tls-rpt-rua-invalid', 'TLS-RPT rua'));
  return out;
}

/** A report URI as it appears inside a record: `!` must already be percent-encoded. */
function checkRecordReportUri(uri: string, code: string, label: string): RecordIssue[] {
  if (uri.includes('!')) {
    return [issue(code, 'error', `${label} address "${uri}" contains an unencoded "!"`, 'Percent-encode "!" as %21.', 'rua')];
  }
  return checkReportUri(uri, code, label).map((i) => ({ ...i, tag: 'rua' }));
}

// ---------------------------------------------------------------------------------------------
// DMARC
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

const DMARC_TAGS: ReadonlySet<string> = new Set(['v', 'p', 'sp', 'pct', 'rua', 'ruf', 'adkim', 'aspf', 'fo', 'rf', 'ri', 'np', 'psd', 't']);
const DMARC_POLICIES = new Set(['none', 'quarantine', 'reject']);

export function isDmarcRecord(value: string): boolean {
  return /^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(value);
}

export interface DmarcValues {
  p?: string;
  sp?: string;
  pct?: string;
}

/** Validates a `_dmarc` TXT value (RFC 7489 §6.3/§6.4). */
export function checkDmarcRecord(value: string): RecordIssue[] {
  if (!isDmarcRecord(value)) {
    return [issue('email/dmarc-version', 'error', 'DMARC record must start with "v=DMARC1"', undefined, 'v')];
  }
  const list = parseTagList(value);
  const out = tagListIssues(list, 'dmarc', 'DMARC', DMARC_TAGS);
  const p = list.first.get('p');
  if (!p) out.push(issue('email/dmarc-policy-missing', 'error', 'DMARC record has no p= policy', 'Add p=none, p=quarantine or p=reject.', 'p'));
  for (const name of ['p', 'sp', 'np']) {
    const tag = list.first.get(name);
    if (tag && !DMARC_POLICIES.has(tag.value)) out.push(dmarcInvalid(name, tag.value, 'none, quarantine or reject'));
  }
  const pct = list.first.get('pct');
  if (pct && !/^(100|[1-9]?[0-9])$/.test(pct.value)) out.push(dmarcInvalid('pct', pct.value, 'an integer from 0 to 100'));
  for (const name of ['adkim', 'aspf']) {
    const tag = list.first.get(name);
    if (tag && tag.value !== 'r' && tag.value !== 's') out.push(dmarcInvalid(name, tag.value, '"r" or "s"'));
  }
  for (const name of ['rua', 'ruf']) {
    const tag = list.first.get(name);
    if (tag) out.push(...splitUriList(tag.value).flatMap((uri) => checkDmarcUri(uri, name)));
  }
  return out;
}

function dmarcInvalid(tag: string, value: string, expected: string): RecordIssue {
  return issue('email/dmarc-tag-invalid', 'error', `DMARC ${tag}= must be ${expected}, not "${value}"`, undefined, tag);
}

/** DMARC URIs may carry a `!size` suffix (RFC 7489 §6.4), so strip it before checking. */
function checkDmarcUri(uri: string, tag: string): RecordIssue[] {
  const bare = uri.replace(/![0-9]+[kmgt]?$/i, '');
  return checkReportUri(bare, 'email/dmarc-uri-invalid', `DMARC ${tag}`).map((i) => ({ ...i, tag }));
}

/** First values of the tags BIMI cares about, or undefined when the value is not a DMARC record. */
export function dmarcValues(value: string): DmarcValues | undefined {
  if (!isDmarcRecord(value)) return undefined;
  const list = parseTagList(value);
  return { p: list.first.get('p')?.value, sp: list.first.get('sp')?.value, pct: list.first.get('pct')?.value };
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
