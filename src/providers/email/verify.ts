/**
 * `charter verify`: checks what the INTERNET sees for each EmailSecurity policy, which can differ from
 * Route 53 (delegation, caching, a CDN serving an old file). docs/verify.md describes the checks and
 * docs/diagnostics-email.md ("Live verification") lists every `email/verify-*` code.
 *
 * The comparison functions below are pure (live observations in, findings out); the I/O lives in
 * live-client.ts and is only touched by `verifyDocuments` / `verify`.
 */
import { sortDiagnostics, type Diagnostic, type Severity } from '../../core/diagnostics.js';
import { diagnosticAt, policyId, type PathSegment, type PolicyDocument } from '../../core/document.js';
import { lintContext, validate, type ValidateOptions, type ValidationResult } from '../../core/engine.js';
import type { LintContext } from '../../core/provider.js';
import { desiredRecords, IS_SECTION_RECORD, resolveAsset, SECTION_LABEL, type EmailSection } from './lint.js';
import { createLiveClient, LiveError, type HttpResponse, type LiveClient, type LiveClientOptions, type MxRecord } from './live-client.js';
import { liveMxIssues } from './mx.js';
import { MTA_STS_POLICY_PATH, parseMtaStsPolicy, type MtaStsMode } from './mta-sts-policy.js';
import { parseTagList } from './records.js';
import type { EmailSecuritySpec } from './spec.generated.js';

/** One finding of a pure check, located by a path in the policy document. */
export interface VerifyFinding {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  path: PathSegment[];
}

function finding(path: readonly PathSegment[], code: string, severity: Severity, message: string, hint?: string): VerifyFinding {
  const out: VerifyFinding = { code, severity, message, path: [...path] };
  if (hint !== undefined) out.hint = hint;
  return out;
}

/** Codes that mean "could not check" (the resolver failed), not "live differs". */
export const INCONCLUSIVE_CODES: ReadonlySet<string> = new Set(['email/verify-dns-error']);

/** Media types accepted for the MTA-STS policy file (RFC 8461 §3.2); parameters such as charset are allowed. */
export const MTA_STS_CONTENT_TYPES = ['text/plain'] as const;
/** Media types accepted for the BIMI logo (l=): SVG. */
export const BIMI_LOGO_CONTENT_TYPES = ['image/svg+xml'] as const;
/**
 * Media types accepted for the mark certificate (a=), a PEM chain. The BIMI draft defines none:
 * `application/pem-certificate-chain` is the registered type for a PEM chain (RFC 8555 §9.1),
 * `application/x-pem-file` is the common unregistered one, `application/pkix-cert` (RFC 2585) is what
 * many servers send for .pem/.crt, and `text/plain` is what a PEM file is. See docs/verify.md.
 */
export const BIMI_CERTIFICATE_CONTENT_TYPES = ['application/pem-certificate-chain', 'application/x-pem-file', 'application/pkix-cert', 'text/plain'] as const;

/** Where receivers say what to do with several records of a kind. */
const MULTIPLE_SOURCE: Record<EmailSection, string> = {
  bimi: 'BIMI draft, "Assertion Record Discovery"',
  mtaSts: 'RFC 8461 §3.1',
  tlsRpt: 'RFC 8460 §3',
  dmarc: 'RFC 7489 §6.6.3',
};

function bare(name: string): string {
  return name.replace(/\.+$/, '');
}

// ---------------------------------------------------------------------------------------------
// Pure checks
// ---------------------------------------------------------------------------------------------

/** A DNS failure that says nothing about the record: the resolver did not answer usefully. */
export function dnsErrorFinding(path: readonly PathSegment[], error: LiveError): VerifyFinding {
  return finding(path, 'email/verify-dns-error', 'error', `Could not check: ${error.message}`, 'Check the --dns-server addresses and network access, or raise --timeout; the result is unknown, not wrong.');
}

/** NXDOMAIN and NODATA are answers (no record); anything else is a failed lookup. */
function answerOrFailure(live: string[][] | LiveError): { values: string[]; nxdomain: boolean } | LiveError {
  if (!(live instanceof LiveError)) return { values: live.map((chunks) => chunks.join('')), nxdomain: false };
  if (live.kind === 'nxdomain' || live.kind === 'nodata') return { values: [], nxdomain: live.kind === 'nxdomain' };
  return live;
}

export interface TxtCheck {
  section: EmailSection;
  /** FQDN, with or without trailing dot. */
  name: string;
  /** The raw value Charter publishes; undefined when the policy asks for the record to be absent. */
  desired?: string;
  /** The resolver's answer: each record's character-strings, or the failure. */
  live: string[][] | LiveError;
  path: readonly PathSegment[];
}

/**
 * Compares the TXT records a resolver returns at a managed name with the value the policy publishes.
 * Character-strings are concatenated without separators, as receivers do (RFC 7208 §3.3, RFC 8461 §3.1).
 * For `_mta-sts` a different id is reported as `email/verify-mta-sts-id-mismatch`.
 */
export function compareTxtRecords(check: TxtCheck): VerifyFinding[] {
  const { section, path } = check;
  const name = bare(check.name);
  const label = SECTION_LABEL[section];
  const answer = answerOrFailure(check.live);
  if (answer instanceof LiveError) return [dnsErrorFinding(path, answer)];
  const ours = answer.values.filter(IS_SECTION_RECORD[section]);
  const out: VerifyFinding[] = [];
  for (const value of answer.values.filter((v) => !IS_SECTION_RECORD[section](v))) {
    out.push(finding(path, 'email/verify-record-foreign', 'warning', `${name} also serves a TXT value that is not a ${label} record: "${value}"`, 'Receivers ignore it, but Charter publishes only its own record here; remove it at the DNS provider.'));
  }
  if (check.desired === undefined) {
    if (ours.length) {
      out.push(finding(path, 'email/verify-record-not-removed', 'error', `The policy removes the ${label} record, but ${name} still serves ${ours.map((v) => `"${v}"`).join(', ')}`, 'Run charter apply; if it already ran, wait for the record TTL (caches) or check which name servers the domain is delegated to.'));
    }
    return out;
  }
  if (ours.length === 0) {
    const why = answer.nxdomain ? `${name} does not exist (NXDOMAIN)` : `${name} serves no ${label} record`;
    out.push(finding(path, 'email/verify-record-missing', 'error', `${why}; the policy publishes "${check.desired}"`, 'Run charter apply; if it already ran, check that the domain is delegated to the Route 53 zone Charter writes to, and wait for negative caching (the SOA minimum) to expire.'));
    return out;
  }
  if (ours.length > 1) {
    out.push(finding(path, 'email/verify-record-multiple', 'error', `${name} serves ${ours.length} ${label} records, so receivers ignore them all (${MULTIPLE_SOURCE[section]}): ${ours.map((v) => `"${v}"`).join(', ')}`, 'Keep only the record Charter publishes; the others come from another DNS provider or a manual edit.'));
    return out;
  }
  const live = ours[0];
  if (live === check.desired) return out;
  if (section === 'mtaSts') return [...out, ...compareMtaStsTxt(name, live, check.desired, path)];
  out.push(finding(path, 'email/verify-record-differs', 'error', `${name} serves "${live}", but the policy publishes "${check.desired}"`, 'Run charter apply, or wait for the record TTL if it just ran; a difference that persists means another DNS server answers for the domain.'));
  return out;
}

function mtaStsId(value: string): string | undefined {
  return parseTagList(value).first.get('id')?.value;
}

function compareMtaStsTxt(name: string, live: string, desired: string, path: readonly PathSegment[]): VerifyFinding[] {
  const liveId = mtaStsId(live);
  const desiredId = mtaStsId(desired);
  if (liveId !== desiredId) {
    return [
      finding(
        path,
        'email/verify-mta-sts-id-mismatch',
        'error',
        `${name} serves id=${liveId ?? '(none)'}, but the policy file Charter renders has id ${desiredId}; senders decide whether to refetch the policy by this id`,
        'Run charter apply (it uploads the policy before changing the id); if it already ran, wait for the record TTL.',
      ),
    ];
  }
  return [finding(path, 'email/verify-record-differs', 'warning', `${name} serves "${live}", written differently from the "${desired}" Charter publishes (same id)`, 'Receivers only read the id, but run charter apply to publish the exact record.')];
}

/** The live MX hosts of the domain must be matched by the mx patterns (uses the plan's liveMxIssues). */
export function checkLiveMx(mode: MtaStsMode, patterns: readonly string[], live: MxRecord[] | LiveError, path: readonly PathSegment[]): VerifyFinding[] {
  if (live instanceof LiveError) {
    if (live.kind === 'nxdomain' || live.kind === 'nodata') return [];
    return [dnsErrorFinding(path, live)];
  }
  return liveMxIssues(
    mode,
    patterns,
    live.map((m) => m.exchange),
  ).map((i) => finding(path, 'email/verify-mx-not-covered', i.severity, `${i.message} (MX as the resolver sees it)`, i.hint));
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === '' ? undefined : type;
}

export function contentTypeAccepted(contentType: string | undefined, accepted: readonly string[]): boolean {
  const type = mediaType(contentType);
  return type !== undefined && accepted.includes(type);
}

export interface HttpExpectation {
  /** What is being fetched, for messages: `The MTA-STS policy`, `The BIMI logo`. */
  what: string;
  accepted: readonly string[];
  /** Severity of a wrong Content-Type. */
  contentTypeSeverity: Severity;
  /** Where RFC/draft text requires the media type, for the hint. */
  contentTypeSource: string;
  path: readonly PathSegment[];
}

/**
 * Checks one HTTPS response the way receivers fetch: a network or TLS failure, a redirect (never
 * followed, RFC 8461 §3.3), a status other than 200, and the Content-Type. Returns the body when the
 * status is 200 so the content can be compared too.
 */
export function checkHttpResponse(url: string, response: HttpResponse | LiveError, expect: HttpExpectation): { findings: VerifyFinding[]; body?: Buffer } {
  const { path, what } = expect;
  if (response instanceof LiveError) return { findings: [fetchErrorFinding(url, response, what, path)] };
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.location;
    return {
      findings: [
        finding(path, 'email/verify-http-redirect', 'error', `${what} at ${url} answers ${response.status} redirecting to ${location ?? '(no Location)'}; receivers do not follow redirects`, 'Serve the file itself at this URL with status 200 (RFC 8461 §3.3 for MTA-STS); on CloudFront, check the origin and any redirect function.'),
      ],
    };
  }
  if (response.status !== 200) {
    return { findings: [finding(path, 'email/verify-http-status', 'error', `${what} at ${url} answers HTTP ${response.status}; receivers need 200`, 'Upload the file (charter apply does when hosting is configured) and check the CDN serves it.')] };
  }
  const findings: VerifyFinding[] = [];
  const contentType = response.headers['content-type'];
  if (!contentTypeAccepted(contentType, expect.accepted)) {
    findings.push(
      finding(
        path,
        'email/verify-content-type',
        expect.contentTypeSeverity,
        `${what} at ${url} is served as ${contentType === undefined ? 'no Content-Type' : `"${contentType}"`}; expected ${expect.accepted.join(' or ')}`,
        `Set the object's Content-Type to ${expect.accepted[0]} (${expect.contentTypeSource}); charter apply sets it when it uploads the file.`,
      ),
    );
  }
  return { findings, body: response.body };
}

function fetchErrorFinding(url: string, error: LiveError, what: string, path: readonly PathSegment[]): VerifyFinding {
  if (error.phase === 'dns' && error.kind !== 'nxdomain' && error.kind !== 'nodata' && error.kind !== 'bad-url') return dnsErrorFinding(path, error);
  if (error.kind === 'tls') {
    return finding(path, 'email/verify-tls-error', 'error', `${what} at ${url}: ${error.message.replace(`${url}: `, '')}; receivers refuse a certificate that does not verify`, 'Serve a certificate from a public CA that covers this host name and is not expired (the ACM certificate Charter manages with hosting).');
  }
  if (error.kind === 'nxdomain' || error.kind === 'nodata') {
    return finding(path, 'email/verify-https-unreachable', 'error', `${what} at ${url} cannot be fetched: ${error.message}`, 'Publish an A/AAAA (or alias) record for the host pointing at the CDN.');
  }
  return finding(path, 'email/verify-https-unreachable', 'error', `${what} at ${url} cannot be fetched: ${error.message.replace(`${url}: `, '')}`, 'Check that the host serves HTTPS on port 443 and answers in time.');
}

export interface DesiredPolicyFile {
  text: string;
  mode: MtaStsMode;
  mx: readonly string[];
  maxAge: number;
}

/**
 * Parses the served policy as receivers do (parseMtaStsPolicy) and compares it with the policy Charter
 * renders: an invalid file, then mode, mx (as a set, case-insensitive) and max_age.
 */
export function compareMtaStsPolicy(servedText: string, desired: DesiredPolicyFile, url: string): VerifyFinding[] {
  const served = parseMtaStsPolicy(servedText);
  const base: PathSegment[] = ['spec', 'mtaSts'];
  const errors = served.issues.filter((i) => i.severity === 'error');
  if (errors.length) {
    return [finding(base, 'email/verify-mta-sts-policy-invalid', 'error', `The MTA-STS policy at ${url} is invalid, so receivers ignore it: ${errors.map((e) => e.message).join('; ')}`, 'Run charter apply to upload the policy Charter renders, then invalidate the CDN cache.')];
  }
  const out: VerifyFinding[] = [];
  const stale = 'Run charter apply (it uploads the policy and invalidates the CloudFront cache); if it already ran, the CDN still serves an old copy.';
  if (served.mode !== desired.mode) {
    out.push(finding([...base, 'mode'], 'email/verify-mta-sts-policy-differs', 'error', `The MTA-STS policy at ${url} has mode ${served.mode}, the policy says ${desired.mode}`, stale));
  }
  const norm = (mx: string) => mx.toLowerCase();
  const servedMx = new Set(served.mx.map(norm));
  const wantedMx = new Set(desired.mx.map(norm));
  const missing = [...wantedMx].filter((m) => !servedMx.has(m));
  const extra = [...servedMx].filter((m) => !wantedMx.has(m));
  if (missing.length || extra.length) {
    const parts = [missing.length ? `lacks ${missing.join(', ')}` : '', extra.length ? `has ${extra.join(', ')} the policy does not list` : ''].filter(Boolean);
    out.push(finding([...base, 'mx'], 'email/verify-mta-sts-policy-differs', 'error', `The MTA-STS policy at ${url} ${parts.join(' and ')} (mx)`, stale));
  }
  if (served.maxAge !== desired.maxAge) {
    out.push(finding([...base, 'maxAge'], 'email/verify-mta-sts-policy-differs', 'error', `The MTA-STS policy at ${url} has max_age ${served.maxAge}, the policy says ${desired.maxAge}`, stale));
  }
  if (out.length === 0 && servedText !== desired.text) {
    out.push(finding(base, 'email/verify-mta-sts-policy-text-differs', 'notice', `The MTA-STS policy at ${url} means the same as the policy Charter renders but is not byte for byte the same (line endings, order or extra fields)`, 'Nothing breaks; charter apply uploads the exact file.'));
  }
  return out;
}

export type AssetField = 'logo' | 'certificate';

const ASSET_LABEL: Record<AssetField, string> = { logo: 'The BIMI logo', certificate: 'The BIMI mark certificate' };

/** Checks a fetched BIMI asset: HTTP status, redirect, content type, and the bytes against the local file. */
export function checkBimiAsset(field: AssetField, url: string, response: HttpResponse | LiveError, path: readonly PathSegment[], localBytes?: Uint8Array): VerifyFinding[] {
  const { findings, body } = checkHttpResponse(url, response, {
    what: ASSET_LABEL[field],
    accepted: field === 'logo' ? BIMI_LOGO_CONTENT_TYPES : BIMI_CERTIFICATE_CONTENT_TYPES,
    contentTypeSeverity: 'warning',
    contentTypeSource: field === 'logo' ? 'SVG, as the BIMI draft requires for l=' : 'a PEM certificate chain; see docs/verify.md',
    path,
  });
  if (body !== undefined && localBytes !== undefined && !Buffer.from(localBytes).equals(body)) {
    findings.push(finding(path, 'email/verify-asset-differs', 'error', `${ASSET_LABEL[field]} at ${url} (${body.length} bytes) is not the local file (${localBytes.length} bytes) that Charter checked`, 'Run charter apply to upload it and invalidate the CDN, or update the file in the repository if the served one is newer.'));
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// I/O: one policy, then every policy
// ---------------------------------------------------------------------------------------------

/** Runs every live check of one EmailSecurity policy. Network failures become findings, never exceptions. */
export async function verifyPolicy(doc: PolicyDocument<EmailSecuritySpec>, client: LiveClient, ctx: Pick<LintContext, 'readLocalFile'>): Promise<VerifyFinding[]> {
  const spec = doc.spec;
  const wanted = desiredRecords(doc);
  const checks: Promise<VerifyFinding[]>[] = [];
  for (const record of [...wanted.records, ...wanted.absent.map((r) => ({ ...r, value: undefined }))]) {
    checks.push(client.txt(record.name).then((live) => compareTxtRecords({ section: record.section, name: record.name, desired: record.value, live, path: record.path })));
  }
  const mtaSts = spec.mtaSts;
  if (mtaSts && !mtaSts.absent && wanted.mtaStsPolicy) {
    const patterns = mtaSts.mx ?? [];
    checks.push(client.mx(wanted.domain).then((live) => checkLiveMx(mtaSts.mode, patterns, live, ['spec', 'mtaSts', 'mx'])));
    const policy = wanted.mtaStsPolicy;
    const url = `https://${policy.host}/${MTA_STS_POLICY_PATH}`;
    const desired = parseMtaStsPolicy(policy.text);
    checks.push(
      client.fetch(url).then((response) => {
        const path = ['spec', 'mtaSts'];
        const { findings, body } = checkHttpResponse(url, response, { what: 'The MTA-STS policy', accepted: MTA_STS_CONTENT_TYPES, contentTypeSeverity: 'error', contentTypeSource: 'RFC 8461 §3.2', path });
        if (body === undefined) return findings;
        return [...findings, ...compareMtaStsPolicy(body.toString('utf8'), { text: policy.text, mode: mtaSts.mode, mx: desired.mx, maxAge: desired.maxAge ?? 0 }, url)];
      }),
    );
  }
  if (spec.bimi && !spec.bimi.absent) {
    for (const field of ['logo', 'certificate'] as const) {
      const asset = spec.bimi[field];
      const url = resolveAsset(spec, asset).url;
      if (!asset || url === undefined) continue;
      const path = ['spec', 'bimi', field, asset.url !== undefined ? 'url' : 'file'];
      checks.push(
        Promise.all([client.fetch(url), asset.file !== undefined ? ctx.readLocalFile(doc, asset.file).catch(() => undefined) : Promise.resolve(undefined)]).then(([response, local]) =>
          checkBimiAsset(field, url, response, path, local),
        ),
      );
    }
  }
  return (await Promise.all(checks)).flat();
}

export interface VerifyOptions extends ValidateOptions {
  /** The live client; default: createLiveClient(clientOptions). */
  client?: LiveClient;
  clientOptions?: LiveClientOptions;
  /** Policies checked at the same time (default 8). */
  concurrency?: number;
}

export interface VerifyResult {
  validation: ValidationResult;
  /** Validation diagnostics followed by the live findings, sorted. */
  diagnostics: Diagnostic[];
  /** Policies that were checked (`EmailSecurity/<name>`). */
  verified: string[];
  /** Some policy is invalid (it was not checked). */
  invalid: boolean;
  /** Some lookup failed, so part of the result is unknown (`email/verify-dns-error`). */
  inconclusive: boolean;
  /** Some error or warning says the live state differs from the policy. */
  differs: boolean;
}

/** Turns findings into diagnostics at their YAML lines; the same code, message and path are reported once. */
export function findingsToDiagnostics(doc: PolicyDocument, findings: readonly VerifyFinding[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const key = `${f.code}\u0000${f.message}\u0000${f.path.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnosticAt(doc, f.path, f.code, f.severity, f.message, f.hint));
  }
  return out;
}

/** Checks already validated documents; only EmailSecurity documents are looked at. */
export async function verifyDocuments(documents: readonly PolicyDocument[], client: LiveClient, ctx: Pick<LintContext, 'readLocalFile'>, concurrency = 8): Promise<Diagnostic[]> {
  const docs = documents.filter((d): d is PolicyDocument<EmailSecuritySpec> => d.kind === 'EmailSecurity');
  const results: Diagnostic[][] = new Array(docs.length);
  let next = 0;
  const worker = async () => {
    while (next < docs.length) {
      const i = next++;
      results[i] = findingsToDiagnostics(docs[i], await verifyPolicy(docs[i], client, ctx));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, docs.length)) }, worker));
  return results.flat();
}

/** Validates, then checks every valid EmailSecurity policy against DNS and HTTPS. Invalid policies are not checked. */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const validation = await validate(options);
  const invalidPolicies = new Set(validation.diagnostics.filter((d) => d.severity === 'error' && d.policy !== undefined).map((d) => d.policy));
  const docs = validation.documents.filter((d) => d.kind === 'EmailSecurity' && !invalidPolicies.has(policyId(d)));
  const diagnostics = [...validation.diagnostics];
  if (docs.length) {
    const client = options.client ?? createLiveClient(options.clientOptions);
    diagnostics.push(...(await verifyDocuments(docs, client, lintContext(options.now, options.cwd), options.concurrency)));
  } else if (validation.ok && validation.files.length) {
    diagnostics.push({
      code: 'email/verify-nothing-to-check',
      severity: 'notice',
      message: 'No EmailSecurity policy to verify',
      hint: 'charter verify checks EmailSecurity policies only.',
      file: validation.files[0],
      line: 1,
      column: 1,
    });
  }
  const live = diagnostics.filter((d) => d.code.startsWith('email/verify-'));
  return {
    validation,
    diagnostics: sortDiagnostics(diagnostics),
    verified: docs.map(policyId),
    invalid: !validation.ok,
    inconclusive: live.some((d) => INCONCLUSIVE_CODES.has(d.code)),
    differs: live.some((d) => !INCONCLUSIVE_CODES.has(d.code) && (d.severity === 'error' || d.severity === 'warning')),
  };
}
