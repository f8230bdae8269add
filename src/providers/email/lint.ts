/**
 * Offline rules for EmailSecurity policies (docs/diagnostics-email.md lists every code), the desired
 * record values the plan step builds from, and pure helpers for the rules that need the live zone.
 */
import { basename } from 'node:path';
import { sortDiagnostics, type Diagnostic } from '../../core/diagnostics.js';
import { diagnosticAt, type PathSegment, type PolicyDocument } from '../../core/document.js';
import { FileRefusedError, MAX_ASSET_FILE_BYTES } from '../../core/files.js';
import { invisibleCharacterDiagnostics } from '../../core/names.js';
import type { LintContext } from '../../core/provider.js';
import { checkMarkCertificate } from './mark-certificate.js';
import { checkMxPattern } from './mx.js';
import { MTA_STS_POLICY_PATH, mtaStsNoMx, renderMtaStsPolicy, type RenderedMtaStsPolicy } from './mta-sts-policy.js';
import {
  bimiDmarcPrerequisites,
  bimiNoCertificate,
  checkBimiRecord,
  checkDmarcRecord,
  checkMtaStsRecord,
  checkReportUri,
  checkTlsRptRecord,
  formatBimi,
  formatDmarc,
  formatMtaStsTxt,
  formatTlsRpt,
  isBimiRecord,
  isDmarcRecord,
  isMtaStsRecord,
  isTlsRptRecord,
  issue,
  type RecordIssue,
} from './records.js';
import type { BimiAsset, EmailSecuritySpec } from './spec.generated.js';
import { ROUTE53_TXT_VALUE_MAX_CHARS, encodeTxt, isPrintableAscii } from './txt.js';

export { liveMxIssues, uncoveredMx, mxMatches } from './mx.js';
export { bimiDmarcPrerequisites, checkMtaStsIdChange } from './records.js';
export { parseMtaStsPolicy } from './mta-sts-policy.js';

/** Schema defaults, applied here because schema validation leaves the policy as written. */
export const EMAIL_DEFAULTS = {
  ttl: 3600,
  selector: 'default',
  maxAge: 604_800,
  hostingCertificate: true,
  bucketRegion: 'us-east-1',
} as const;

const DAY = 86_400;
const WEEK = 7 * DAY;

export type EmailSection = 'bimi' | 'mtaSts' | 'tlsRpt' | 'dmarc';
type AssetField = 'logo' | 'certificate';

// ---------------------------------------------------------------------------------------------
// Desired state
// ---------------------------------------------------------------------------------------------

export interface DesiredRecord {
  /** Lower-case FQDN with trailing dot. */
  name: string;
  type: 'TXT';
  ttl: number;
  /** Raw value (Route 53 encoding happens at the API boundary, see txt.ts). */
  value: string;
  section: EmailSection;
  path: PathSegment[];
}

/** A record set the policy asks to remove (`absent: true`). */
export interface AbsentRecord {
  name: string;
  type: 'TXT';
  section: EmailSection;
  path: PathSegment[];
}

export interface DesiredAsset {
  field: AssetField;
  /** Local file, relative to the policy file. */
  file: string;
  /** Public URL published in the BIMI record. */
  url: string;
  /** Bucket key when Charter uploads the file (the URL is on hosting.assetsHost); otherwise undefined. */
  key?: string;
  contentType: string;
  path: PathSegment[];
}

export interface DesiredMtaStsPolicy extends RenderedMtaStsPolicy {
  /** `mta-sts.<domain>`, the host that must serve the file. */
  host: string;
  /** Bucket key / URL path: `.well-known/mta-sts.txt`. */
  key: string;
}

/** Where the policy file and assets are served, with schema defaults applied. */
export interface DesiredHosting {
  bucket: string;
  region: string;
  distributionId: string;
  assetsHost?: string;
  /** hosting.certificate: whether Charter manages the us-east-1 ACM certificate. */
  manageCertificate: boolean;
  /** Names that certificate must cover: mta-sts.<domain> and the assets host. */
  certificateNames: string[];
}

export interface DesiredEmailRecords {
  domain: string;
  records: DesiredRecord[];
  absent: AbsentRecord[];
  mtaStsPolicy?: DesiredMtaStsPolicy;
  assets: DesiredAsset[];
  hosting?: DesiredHosting;
}

export function normalizeDomain(domain: string): string {
  return domain.toLowerCase().replace(/\.+$/, '');
}

function fqdn(name: string): string {
  return `${name.toLowerCase().replace(/\.+$/, '')}.`;
}

/** Names Charter manages for a domain (without trailing dot). */
export function managedNames(spec: EmailSecuritySpec): Record<EmailSection | 'mtaStsHost', string> {
  const domain = normalizeDomain(spec.domain);
  const selector = (spec.bimi?.selector ?? EMAIL_DEFAULTS.selector).toLowerCase();
  return {
    bimi: `${selector}._bimi.${domain}`,
    mtaSts: `_mta-sts.${domain}`,
    tlsRpt: `_smtp._tls.${domain}`,
    dmarc: `_dmarc.${domain}`,
    mtaStsHost: `mta-sts.${domain}`,
  };
}

/**
 * The public URL of a BIMI asset and, when Charter hosts it, its bucket key. A file without a URL is
 * served at https://<assetsHost>/<file name> (percent-encoded, so the record stays printable ASCII).
 */
export function resolveAsset(spec: EmailSecuritySpec, asset: BimiAsset | undefined): { url?: string; key?: string } {
  if (!asset) return {};
  const host = spec.hosting?.assetsHost?.toLowerCase();
  const url = asset.url ?? (asset.file !== undefined && host ? `https://${host}/${encodeURIComponent(basename(asset.file))}` : undefined);
  if (url === undefined || asset.file === undefined || !host) return { url };
  return { url, key: keyOnHost(url, host) };
}

function keyOnHost(url: string, host: string): string | undefined {
  try {
    const parsed = new URL(url);
    const key = decodeURIComponent(parsed.pathname.replace(/^\/+/, ''));
    return parsed.hostname.toLowerCase() === host && key !== '' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** What the policy asks for: TXT values per managed name, the MTA-STS policy file and the assets to upload. */
export function desiredRecords(doc: PolicyDocument<EmailSecuritySpec>, spec: EmailSecuritySpec = doc.spec): DesiredEmailRecords {
  const names = managedNames(spec);
  const ttl = spec.ttl ?? EMAIL_DEFAULTS.ttl;
  const out: DesiredEmailRecords = { domain: normalizeDomain(spec.domain), records: [], absent: [], assets: [] };
  const add = (section: EmailSection, absent: boolean | undefined, value: () => string) => {
    const base = { name: fqdn(names[section]), type: 'TXT' as const, section, path: ['spec', section] };
    if (absent) out.absent.push(base);
    else out.records.push({ ...base, ttl, value: value() });
  };
  if (spec.dmarc) add('dmarc', spec.dmarc.absent, () => formatDmarc(spec.dmarc ?? {}));
  if (spec.bimi) add('bimi', spec.bimi.absent, () => formatBimi(bimiValues(spec)));
  if (spec.mtaSts) {
    if (!spec.mtaSts.absent) out.mtaStsPolicy = { ...renderPolicy(spec), host: names.mtaStsHost, key: MTA_STS_POLICY_PATH };
    add('mtaSts', spec.mtaSts.absent, () => formatMtaStsTxt(out.mtaStsPolicy?.id ?? ''));
  }
  if (spec.tlsRpt) add('tlsRpt', spec.tlsRpt.absent, () => formatTlsRpt(spec.tlsRpt?.rua ?? []));
  if (spec.bimi && !spec.bimi.absent) out.assets = desiredAssets(spec);
  if (spec.hosting) out.hosting = desiredHosting(spec, names.mtaStsHost);
  return out;
}

function desiredHosting(spec: EmailSecuritySpec, mtaStsHost: string): DesiredHosting | undefined {
  const hosting = spec.hosting;
  if (!hosting) return undefined;
  const assetsHost = hosting.assetsHost?.toLowerCase();
  return {
    bucket: hosting.bucket,
    region: hosting.bucketRegion ?? EMAIL_DEFAULTS.bucketRegion,
    distributionId: hosting.distributionId,
    assetsHost,
    manageCertificate: hosting.certificate ?? EMAIL_DEFAULTS.hostingCertificate,
    certificateNames: [...new Set([mtaStsHost, ...(assetsHost ? [assetsHost] : [])])],
  };
}

function bimiValues(spec: EmailSecuritySpec): Parameters<typeof formatBimi>[0] {
  return {
    logoUrl: resolveAsset(spec, spec.bimi?.logo).url,
    certificateUrl: resolveAsset(spec, spec.bimi?.certificate).url,
    avp: spec.bimi?.avp,
  };
}

function renderPolicy(spec: EmailSecuritySpec): RenderedMtaStsPolicy {
  const mtaSts = spec.mtaSts;
  return renderMtaStsPolicy({ mode: mtaSts?.mode ?? 'none', mx: mtaSts?.mx ?? [], maxAge: mtaSts?.maxAge ?? EMAIL_DEFAULTS.maxAge });
}

const CONTENT_TYPES: Record<AssetField, string> = { logo: 'image/svg+xml', certificate: 'application/x-pem-file' };

function desiredAssets(spec: EmailSecuritySpec): DesiredAsset[] {
  const out: DesiredAsset[] = [];
  for (const field of ['logo', 'certificate'] as const) {
    const asset = spec.bimi?.[field];
    const { url, key } = resolveAsset(spec, asset);
    if (asset?.file === undefined || url === undefined) continue;
    out.push({ field, file: asset.file, url, key, contentType: CONTENT_TYPES[field], path: ['spec', 'bimi', field, 'file'] });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Lint
// ---------------------------------------------------------------------------------------------

/** Collects diagnostics for one document; the same code+message is reported once (first, most precise path wins). */
class Findings {
  readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly doc: PolicyDocument<EmailSecuritySpec>) {}

  add(path: readonly PathSegment[], found: RecordIssue): void {
    const key = `${found.code}\u0000${found.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(diagnosticAt(this.doc, path, found.code, found.severity, found.message, found.hint));
  }

  addAll(path: readonly PathSegment[], found: readonly RecordIssue[]): void {
    for (const f of found) this.add(path, f);
  }

  has(code: string): boolean {
    return this.diagnostics.some((d) => d.code === code);
  }
}

export async function lintEmailSecurity(docs: PolicyDocument<EmailSecuritySpec>[], ctx: LintContext): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const byDomain = new Map<string, PolicyDocument<EmailSecuritySpec>>();
  for (const doc of docs) {
    out.push(...invisibleCharacterDiagnostics(doc));
    const findings = new Findings(doc);
    checkDuplicateDomain(doc, byDomain, findings);
    await lintDocument(doc, ctx, findings);
    out.push(...findings.diagnostics);
  }
  return sortDiagnostics(out);
}

function checkDuplicateDomain(doc: PolicyDocument<EmailSecuritySpec>, seen: Map<string, PolicyDocument<EmailSecuritySpec>>, findings: Findings): void {
  const domain = normalizeDomain(doc.spec.domain);
  const first = seen.get(domain);
  if (!first) {
    seen.set(domain, doc);
    return;
  }
  const where = first.position(['spec', 'domain']);
  findings.add(['spec', 'domain'], issue('email/duplicate-domain', 'error', `Domain ${domain} is already managed by EmailSecurity policy "${first.name}" (${where.file}:${where.line})`, 'Manage each domain in one EmailSecurity policy.'));
}

async function lintDocument(doc: PolicyDocument<EmailSecuritySpec>, ctx: LintContext, findings: Findings): Promise<void> {
  const spec = doc.spec;
  const desired = desiredRecords(doc, spec);
  lintNames(spec, desired, findings);
  if (spec.dmarc && !spec.dmarc.absent) lintDmarc(spec, findings);
  if (spec.tlsRpt && !spec.tlsRpt.absent) lintTlsRpt(spec, findings);
  if (spec.mtaSts && !spec.mtaSts.absent) lintMtaSts(spec, findings);
  if (spec.bimi && !spec.bimi.absent) await lintBimi(doc, ctx, findings);
  lintRecordValues(spec, desired, findings);
}

// --- names -------------------------------------------------------------------------------------

function lintNames(spec: EmailSecuritySpec, desired: DesiredEmailRecords, findings: Findings): void {
  const names = [...desired.records, ...desired.absent].map((r) => ({ name: r.name.slice(0, -1), section: r.section }));
  if (desired.mtaStsPolicy) names.push({ name: desired.mtaStsPolicy.host, section: 'mtaSts' });
  for (const { name, section } of names) {
    const problem = nameLengthProblem(name);
    if (!problem) continue;
    const path = section === 'bimi' && spec.bimi?.selector !== undefined ? ['spec', 'bimi', 'selector'] : ['spec', 'domain'];
    findings.add(path, issue('email/name-too-long', 'error', `${name}: ${problem}`, 'DNS labels are at most 63 characters and names at most 253; use a shorter domain or selector.'));
  }
}

function nameLengthProblem(name: string): string | undefined {
  if (name.length > 253) return `the name is ${name.length} characters long (at most 253)`;
  const long = name.split('.').find((label) => label.length > 63);
  return long ? `the label "${long}" is ${long.length} characters long (at most 63)` : undefined;
}

// --- printable ASCII and record syntax -----------------------------------------------------------

function notPrintable(what: string, value: string): RecordIssue {
  return issue('email/not-printable-ascii', 'error', `${what} "${value}" contains characters outside printable ASCII`, 'Use ASCII only: percent-encode URLs and use the xn-- form of international domain names.');
}

function checkPrintable(findings: Findings, path: PathSegment[], what: string, value: string | undefined): boolean {
  if (value === undefined || isPrintableAscii(value)) return true;
  findings.add(path, notPrintable(what, value));
  return false;
}

/** Every record value Charter writes must be printable ASCII, fit Route 53, and pass its own validator. */
function lintRecordValues(spec: EmailSecuritySpec, desired: DesiredEmailRecords, findings: Findings): void {
  for (const record of desired.records) {
    const printable = isPrintableAscii(record.value);
    if (!printable && !findings.has('email/not-printable-ascii')) {
      findings.add(record.path, notPrintable(`The ${record.name} value`, record.value));
    }
    const encoded = encodeTxt(record.value);
    if (encoded.length > ROUTE53_TXT_VALUE_MAX_CHARS) {
      findings.add(record.path, issue('email/txt-too-long', 'error', `The ${record.name} value is ${encoded.length} characters once encoded; Route 53 accepts at most ${ROUTE53_TXT_VALUE_MAX_CHARS}`, 'List fewer report addresses.'));
    }
    // Spec-level checks above already reported these more precisely; the record check is the safety net
    // (skipped for a non-ASCII value: its grammar errors would only repeat not-printable-ascii).
    if (!printable) continue;
    for (const found of RECORD_CHECKS[record.section](record.value)) {
      if (!findings.has(found.code)) findings.add(tagPath(spec, record.section, found.tag), found);
    }
  }
}

const RECORD_CHECKS: Record<EmailSection, (value: string) => RecordIssue[]> = {
  bimi: checkBimiRecord,
  mtaSts: checkMtaStsRecord,
  tlsRpt: checkTlsRptRecord,
  dmarc: checkDmarcRecord,
};

const DMARC_TAG_FIELDS: Record<string, string> = { p: 'policy', sp: 'subdomainPolicy', pct: 'percent', rua: 'rua', ruf: 'ruf', adkim: 'adkim', aspf: 'aspf' };

/** The YAML path a record tag comes from, so record-level issues land on the line that causes them. */
function tagPath(spec: EmailSecuritySpec, section: EmailSection, tag: string | undefined): PathSegment[] {
  const base: PathSegment[] = ['spec', section];
  if (tag === undefined) return base;
  if (section === 'dmarc' && DMARC_TAG_FIELDS[tag]) return [...base, DMARC_TAG_FIELDS[tag]];
  if (section === 'tlsRpt' && tag === 'rua') return [...base, 'rua'];
  if (section === 'bimi') return bimiTagPath(spec, tag);
  return base;
}

function bimiTagPath(spec: EmailSecuritySpec, tag: string): PathSegment[] {
  const field = tag === 'l' ? 'logo' : tag === 'a' ? 'certificate' : tag === 'avp' ? 'avp' : undefined;
  if (field === undefined) return ['spec', 'bimi'];
  if (field === 'avp') return ['spec', 'bimi', 'avp'];
  const asset = spec.bimi?.[field];
  if (asset?.url !== undefined) return ['spec', 'bimi', field, 'url'];
  if (asset?.file !== undefined) return ['spec', 'bimi', field, 'file'];
  return ['spec', 'bimi'];
}

// --- DMARC ------------------------------------------------------------------------------------------

function lintDmarc(spec: EmailSecuritySpec, findings: Findings): void {
  const dmarc = spec.dmarc ?? {};
  if (dmarc.policy === undefined) {
    findings.add(['spec', 'dmarc'], issue('email/dmarc-policy-missing', 'error', 'dmarc has no policy (p=); receivers ignore a DMARC record without one', 'Set dmarc.policy to none, quarantine or reject.', 'p'));
  }
  for (const field of ['rua', 'ruf'] as const) {
    (dmarc[field] ?? []).forEach((uri, i) => {
      const path = ['spec', 'dmarc', field, i];
      if (checkPrintable(findings, path, `dmarc.${field} address`, uri)) findings.addAll(path, checkReportUri(uri, 'email/dmarc-uri-invalid', `DMARC ${field}`));
    });
  }
}

// --- TLS-RPT ----------------------------------------------------------------------------------------

function lintTlsRpt(spec: EmailSecuritySpec, findings: Findings): void {
  const rua = spec.tlsRpt?.rua ?? [];
  if (rua.length === 0) {
    findings.add(['spec', 'tlsRpt', 'rua'], issue('email/tls-rpt-no-rua', 'error', 'TLS-RPT record has no rua= report address', 'Add at least one mailto: or https: address to tlsRpt.rua.', 'rua'));
  }
  rua.forEach((uri, i) => {
    const path = ['spec', 'tlsRpt', 'rua', i];
    if (checkPrintable(findings, path, 'tlsRpt.rua address', uri)) findings.addAll(path, checkReportUri(uri, 'email/tls-rpt-rua-invalid', 'TLS-RPT rua'));
  });
}

// --- MTA-STS ----------------------------------------------------------------------------------------

function lintMtaSts(spec: EmailSecuritySpec, findings: Findings): void {
  const mtaSts = spec.mtaSts;
  if (!mtaSts) return;
  const mx = mtaSts.mx ?? [];
  mx.forEach((pattern, i) => findings.addAll(['spec', 'mtaSts', 'mx', i], checkMxPattern(pattern)));
  if (mx.length === 0 && mtaSts.mode !== 'none') findings.add(['spec', 'mtaSts', 'mx'], mtaStsNoMx());
  lintMaxAge(mtaSts.mode, mtaSts.maxAge ?? EMAIL_DEFAULTS.maxAge, findings);
  if (mtaSts.mode !== 'none' && (!spec.tlsRpt || spec.tlsRpt.absent)) {
    findings.add(['spec', 'mtaSts'], issue('email/mta-sts-without-tls-rpt', 'warning', 'MTA-STS is configured without TLS reporting; you will not hear about delivery failures', 'Add tlsRpt with a monitored rua address.'));
  }
  if (!spec.hosting) {
    findings.add(['spec', 'mtaSts'], issue('email/mta-sts-policy-not-hosted', 'notice', `No hosting is configured, so Charter publishes _mta-sts but not the policy file; https://mta-sts.${normalizeDomain(spec.domain)}/${MTA_STS_POLICY_PATH} must serve exactly the policy Charter renders`, 'Add spec.hosting to let Charter upload the policy file.'));
  }
}

function lintMaxAge(mode: 'enforce' | 'testing' | 'none', maxAge: number, findings: Findings): void {
  // In mode none a short max_age is what you want: it lets senders forget the policy sooner.
  if (mode === 'none') return;
  const path = ['spec', 'mtaSts', 'maxAge'];
  if (maxAge < DAY) {
    findings.add(path, issue('email/max-age-short', 'warning', `maxAge ${maxAge} is under a day; senders refetch the policy constantly and an attacker can strip it between fetches`, 'Use at least 86400 (a day); weeks once the policy is stable.'));
  } else if (mode === 'enforce' && maxAge < WEEK) {
    findings.add(path, issue('email/max-age-short-enforce', 'warning', `maxAge ${maxAge} is under a week in enforce mode`, 'Use 604800 (a week) or more once the policy enforces.'));
  }
}

// --- BIMI -------------------------------------------------------------------------------------------

async function lintBimi(doc: PolicyDocument<EmailSecuritySpec>, ctx: LintContext, findings: Findings): Promise<void> {
  const spec = doc.spec;
  const bimi = spec.bimi ?? {};
  if (!bimi.logo) {
    findings.add(['spec', 'bimi'], issue('email/bimi-no-logo', 'warning', 'BIMI has no logo, so the record declines BIMI (l= is empty)', 'Add bimi.logo with an SVG Tiny PS file or URL.'));
  } else {
    await lintAsset(doc, ctx, 'logo', findings);
  }
  if (!bimi.certificate) {
    if (bimi.logo) findings.add(['spec', 'bimi'], bimiNoCertificate());
  } else {
    await lintAsset(doc, ctx, 'certificate', findings);
  }
  lintBimiDmarc(spec, findings);
}

async function lintAsset(doc: PolicyDocument<EmailSecuritySpec>, ctx: LintContext, field: AssetField, findings: Findings): Promise<void> {
  const spec = doc.spec;
  const asset = spec.bimi?.[field] ?? {};
  const base: PathSegment[] = ['spec', 'bimi', field];
  checkPrintable(findings, [...base, 'url'], `bimi.${field}.url`, asset.url);
  if (asset.file === undefined) return;
  const filePath = [...base, 'file'];
  checkAssetHosting(spec, field, asset, findings);
  const bytes = await readAsset(doc, ctx, asset.file, filePath, findings);
  if (!bytes) return;
  // The XML parser is loaded only when there is a logo to check: validate starts faster without it.
  const found = field === 'logo' ? (await import('./svg.js')).checkSvgTinyPs(bytes) : checkMarkCertificate(new TextDecoder().decode(bytes), normalizeDomain(spec.domain), ctx.now);
  findings.addAll(filePath, found);
}

/** A local file needs a public URL: its own url, or one on hosting.assetsHost. */
function checkAssetHosting(spec: EmailSecuritySpec, field: AssetField, asset: BimiAsset, findings: Findings): void {
  const filePath: PathSegment[] = ['spec', 'bimi', field, 'file'];
  const { url, key } = resolveAsset(spec, asset);
  if (url === undefined) {
    findings.add(filePath, issue('email/asset-url-needs-hosting', 'error', `bimi.${field}.file has no url and hosting.assetsHost is not set, so there is no public URL to publish`, `Set bimi.${field}.url, or hosting.assetsHost so Charter serves the file.`));
  } else if (key === undefined) {
    findings.add(filePath, issue('email/asset-not-uploaded', 'notice', `bimi.${field}.url (${url}) is not on hosting.assetsHost, so Charter checks ${asset.file} but does not upload it`, `Make sure ${url} serves the same bytes.`));
  }
}

async function readAsset(doc: PolicyDocument<EmailSecuritySpec>, ctx: LintContext, file: string, path: PathSegment[], findings: Findings): Promise<Uint8Array | undefined> {
  try {
    const bytes = await ctx.readLocalFile(doc, file);
    if (bytes) return bytes;
    findings.add(path, issue('email/asset-file-missing', 'error', `Cannot read ${file} (relative to ${doc.file}): it does not exist`, 'Fix the path; it is relative to the policy file.'));
  } catch (error) {
    // The file gate's refusals name the path as written and quote nothing of the file.
    const reason = error instanceof FileRefusedError ? error.reason : 'unreadable';
    const message = error instanceof FileRefusedError ? error.message : `${file} cannot be read`;
    if (reason === 'missing') findings.add(path, issue('email/asset-file-missing', 'error', `Cannot read ${file} (relative to ${doc.file}): it does not exist in the repository (symbolic links must stay inside it)`, 'Fix the path; it is relative to the policy file.'));
    else findings.add(path, issue('email/asset-file-refused', 'error', message, `Assets must be regular files inside the repository, at most ${MAX_ASSET_FILE_BYTES} bytes, named by a relative path.`));
  }
  return undefined;
}

const DMARC_PREREQUISITE_FIELDS: Record<string, string> = { p: 'policy', sp: 'subdomainPolicy', pct: 'percent' };

/** When the policy manages DMARC, BIMI's DMARC prerequisites are checked offline against the value Charter will write. */
function lintBimiDmarc(spec: EmailSecuritySpec, findings: Findings): void {
  const dmarc = spec.dmarc;
  if (!dmarc) return; // read live by the plan step (bimiDmarcPrerequisites / liveBimiDmarcIssues)
  if (dmarc.absent) {
    findings.addAll(['spec', 'dmarc', 'absent'], bimiDmarcPrerequisites(undefined));
    return;
  }
  for (const found of bimiDmarcPrerequisites(formatDmarc(dmarc))) {
    const field = found.tag === undefined ? undefined : DMARC_PREREQUISITE_FIELDS[found.tag];
    findings.add(field ? ['spec', 'dmarc', field] : ['spec', 'dmarc'], found);
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers for rules that need the live zone (called by the plan step)
// ---------------------------------------------------------------------------------------------

/** Whether a TXT value is a record of the section's kind (the rest at that name is someone else's). */
export const IS_SECTION_RECORD: Record<EmailSection, (value: string) => boolean> = {
  bimi: isBimiRecord,
  mtaSts: isMtaStsRecord,
  tlsRpt: isTlsRptRecord,
  dmarc: isDmarcRecord,
};

export const SECTION_LABEL: Record<EmailSection, string> = { bimi: 'BIMI', mtaSts: 'MTA-STS', tlsRpt: 'TLS-RPT', dmarc: 'DMARC' };

/**
 * Problems with the live record set at a name Charter manages: a CNAME there (E), values that are not
 * this kind of record (E: Charter owns the whole set and will not overwrite someone else's value), and
 * several records of the kind (W: receivers ignore them all; the plan replaces them with one).
 */
export function liveRecordSetIssues(section: EmailSection, name: string, liveTxtValues: readonly string[], cnameTarget?: string): RecordIssue[] {
  const out: RecordIssue[] = [];
  if (cnameTarget !== undefined) {
    out.push(issue('email/cname-at-managed-name', 'error', `${name} is a CNAME to ${cnameTarget}; Charter cannot publish the ${SECTION_LABEL[section]} TXT record there`, 'Remove the CNAME or stop managing this record in the policy.'));
  }
  const ours = liveTxtValues.filter(IS_SECTION_RECORD[section]);
  for (const value of liveTxtValues.filter((v) => !IS_SECTION_RECORD[section](v))) {
    out.push(issue('email/foreign-value', 'error', `${name} holds a TXT value that is not a ${SECTION_LABEL[section]} record: "${value}"`, 'Remove it by hand: receivers require exactly one record here and Charter owns the whole record set.'));
  }
  if (ours.length > 1) {
    out.push(issue('email/multiple-records', 'warning', `${name} holds ${ours.length} ${SECTION_LABEL[section]} records; receivers ignore them all`, 'The plan replaces them with the single record the policy declares.'));
  }
  return out;
}

/** BIMI prerequisites against the live `_dmarc` TXT values, when the policy does not manage DMARC. */
export function liveBimiDmarcIssues(liveDmarcValues: readonly string[]): RecordIssue[] {
  const records = liveDmarcValues.filter(isDmarcRecord);
  if (records.length > 1) {
    return [issue('email/bimi-dmarc-invalid', 'error', `BIMI needs one DMARC record, and _dmarc holds ${records.length}; receivers ignore them all`, 'Keep a single v=DMARC1 record.')];
  }
  return bimiDmarcPrerequisites(records[0]);
}

/** A BIMI record at the domain apex does nothing: receivers only look under <selector>._bimi. */
export function apexBimiIssues(domain: string, apexTxtValues: readonly string[]): RecordIssue[] {
  if (!apexTxtValues.some(isBimiRecord)) return [];
  return [issue('email/bimi-at-apex', 'error', `${normalizeDomain(domain)} has a v=BIMI1 record at the apex, where receivers never look`, 'Remove it; Charter publishes BIMI at <selector>._bimi.<domain>.')];
}
