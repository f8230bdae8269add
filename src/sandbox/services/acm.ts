/**
 * AWS Certificate Manager (JSON 1.1, `X-Amz-Target: CertificateManager.<Operation>`).
 *
 * DNS validation is simulated: each domain gets a validation CNAME derived from the
 * certificate ARN and the domain; the certificate becomes ISSUED when every such CNAME exists
 * with the right value in a public sandbox hosted zone at DescribeCertificate/ListCertificates
 * time.
 */
import { canonicalName, isWithinZone } from '../dns.js';
import { SandboxError } from '../errors.js';
import { hexId, uuidFrom } from '../ids.js';
import { jsonErrorResponse, jsonTargetRouting, memberMustNotBeNull, parseJsonBody, stringMember, type JsonObject } from './json-protocol.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';
import { join, type Checker } from '../checker.js';
import { defineSection, defineSettings, nextCounter, normalizeTags, type SandboxState, type Tag } from '../section.js';

// ---------------------------------------------------------------------------------------------
// State: the `acm` section of the account file and `settings.acm`

export type CertificateStatus =
  | 'PENDING_VALIDATION'
  | 'ISSUED'
  | 'INACTIVE'
  | 'EXPIRED'
  | 'VALIDATION_TIMED_OUT'
  | 'REVOKED'
  | 'FAILED';

export interface Certificate {
  arn: string;
  domainName: string;
  /** Includes domainName first, like ACM. */
  subjectAlternativeNames: string[];
  status: CertificateStatus;
  validationMethod: 'DNS' | 'EMAIL';
  type: 'AMAZON_ISSUED' | 'IMPORTED' | 'PRIVATE';
  keyAlgorithm: string;
  createdAt: string;
  issuedAt?: string;
  notBefore?: string;
  notAfter?: string;
  serial?: string;
  tags: Tag[];
  idempotencyToken?: string;
  /** How many DescribeCertificate calls have been answered (validation records show up after the first). */
  describeCount: number;
  /** When ACM first saw every validation record in place; it issues `issueAfterValidationMs` later. */
  validatedAt?: string;
}

export interface AcmSettings {
  /** DescribeCertificate calls answered without ResourceRecord before it appears. */
  validationRecordAfterDescribes: number;
  /**
   * How long a DNS-validated certificate stays PENDING_VALIDATION after all its validation records exist,
   * ms (ACM takes minutes). Default 100, so tests go through the "still pending" path quickly.
   */
  issueAfterValidationMs: number;
}

export interface AcmState {
  certificates: Certificate[];
}

declare module '../section.js' {
  interface SandboxState {
    acm: AcmState;
  }
  interface SandboxSettings {
    acm: AcmSettings;
  }
}

const CERT_KEYS = [
  'arn', 'region', 'domainName', 'subjectAlternativeNames', 'status', 'validationMethod', 'type', 'keyAlgorithm',
  'createdAt', 'issuedAt', 'notBefore', 'notAfter', 'serial', 'tags', 'idempotencyToken', 'describeCount', 'validatedAt',
];
const CERT_STATUSES: readonly CertificateStatus[] = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED'];
export const ACM_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/([A-Za-z0-9-]+)$/;

export function certificateArn(region: string, accountId: string, seed: string): string {
  return `arn:aws:acm:${region}:${accountId}:certificate/${uuidFrom('certificate', seed)}`;
}

function normalizeAcm(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const a = c.object(value, 'acm');
  if (!a) return;
  c.known(a, ['certificates'], 'acm');
  const arns = new Set<string>();
  c.array(a, 'certificates', 'acm').forEach((v, i) => {
    const path = `acm.certificates[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, CERT_KEYS, path);
    const domainName = c.string(o, 'domainName', path, true)?.toLowerCase().replace(/\.$/, '');
    if (domainName === undefined) return;
    let arn = c.string(o, 'arn', path);
    if (arn !== undefined && !ACM_ARN_RE.test(arn)) {
      c.fail(join(path, 'arn'), `not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>): ${JSON.stringify(arn)}`);
      return;
    }
    arn ??= certificateArn(c.string(o, 'region', path) ?? 'us-east-1', state.accountId, `${domainName}#${i}`);
    if (arns.has(arn)) c.fail(join(path, 'arn'), `duplicate certificate ${arn}`);
    arns.add(arn);
    const status = (c.string(o, 'status', path) ?? 'ISSUED') as CertificateStatus;
    if (!CERT_STATUSES.includes(status)) c.fail(join(path, 'status'), `expected one of ${CERT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    const validationMethod = c.string(o, 'validationMethod', path) ?? 'DNS';
    if (validationMethod !== 'DNS' && validationMethod !== 'EMAIL') c.fail(join(path, 'validationMethod'), `expected DNS or EMAIL, got ${JSON.stringify(validationMethod)}`);
    const type = c.string(o, 'type', path) ?? 'AMAZON_ISSUED';
    if (type !== 'AMAZON_ISSUED' && type !== 'IMPORTED' && type !== 'PRIVATE') c.fail(join(path, 'type'), `expected AMAZON_ISSUED, IMPORTED or PRIVATE, got ${JSON.stringify(type)}`);
    const sans = (c.stringList(o, 'subjectAlternativeNames', path) ?? []).map((s) => s.toLowerCase().replace(/\.$/, ''));
    const subjectAlternativeNames = [domainName, ...sans.filter((s) => s !== domainName)].filter((s, j, all) => all.indexOf(s) === j);
    const createdAt = c.timestamp(o, 'createdAt', path) ?? iso;
    const cert: Certificate = {
      arn,
      domainName,
      subjectAlternativeNames,
      status,
      validationMethod: validationMethod === 'EMAIL' ? 'EMAIL' : 'DNS',
      type: type as Certificate['type'],
      keyAlgorithm: c.string(o, 'keyAlgorithm', path) ?? 'RSA-2048',
      createdAt,
      tags: normalizeTags(c, o.tags, join(path, 'tags')),
      describeCount: c.integer(o, 'describeCount', path, 0, Number.MAX_SAFE_INTEGER) ?? Math.max(1, state.settings.acm.validationRecordAfterDescribes),
    };
    const issuedAt = c.timestamp(o, 'issuedAt', path);
    const notBefore = c.timestamp(o, 'notBefore', path);
    const notAfter = c.timestamp(o, 'notAfter', path);
    if (status === 'ISSUED' || issuedAt || notBefore || notAfter) {
      cert.issuedAt = issuedAt ?? createdAt;
      cert.notBefore = notBefore ?? cert.issuedAt;
      cert.notAfter = notAfter ?? new Date(Date.parse(cert.notBefore) + 395 * DAY_MS).toISOString();
    }
    const serial = c.string(o, 'serial', path);
    if (serial !== undefined) cert.serial = serial;
    const token = c.string(o, 'idempotencyToken', path);
    if (token !== undefined) cert.idempotencyToken = token;
    const validatedAt = c.timestamp(o, 'validatedAt', path);
    if (validatedAt !== undefined) cert.validatedAt = validatedAt;
    state.acm.certificates.push(cert);
  });
}

const acmSettings = defineSettings({
  key: 'acm',
  defaults: () => ({ validationRecordAfterDescribes: 1, issueAfterValidationMs: 100 }),
  load(c, value, out) {
    const a = c.object(value, 'settings.acm');
    if (!a) return out;
    c.known(a, ['validationRecordAfterDescribes', 'issueAfterValidationMs'], 'settings.acm');
    out.issueAfterValidationMs = c.integer(a, 'issueAfterValidationMs', 'settings.acm', 0, 2_147_483_647) ?? out.issueAfterValidationMs;
    out.validationRecordAfterDescribes = c.integer(a, 'validationRecordAfterDescribes', 'settings.acm', 0, 1_000_000) ?? out.validationRecordAfterDescribes;
    return out;
  },
});

const acmState = defineSection({ key: 'acm', empty: () => ({ certificates: [] }), load: normalizeAcm, settings: acmSettings });


const TARGET_PREFIX = 'CertificateManager.';
const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;
const DOMAIN_RE = /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/;
const MUTATING = new Set(['RequestCertificate', 'AddTagsToCertificate', 'RemoveTagsFromCertificate', 'DeleteCertificate']);

type Json = JsonObject;

const validation = (message: string): SandboxError => new SandboxError(400, 'ValidationException', message);

function json(body: unknown): ServiceResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

const epoch = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso) / 1000);

// ---------------------------------------------------------------------------------------------
// Validation records

/** The domain a validation record belongs to (ACM strips the wildcard label). */
function baseDomain(domain: string): string {
  return domain.startsWith('*.') ? domain.slice(2) : domain;
}

export interface ValidationRecord {
  name: string;
  type: 'CNAME';
  value: string;
}

/** Deterministic validation CNAME for a certificate and domain (same for `x` and `*.x`). */
export function validationRecord(arn: string, domain: string): ValidationRecord {
  const base = baseDomain(domain.toLowerCase());
  return {
    name: `_${hexId(32, 'acm-name', arn, base)}.${base}.`,
    type: 'CNAME',
    value: `_${hexId(32, 'acm-value', arn, base)}.acm-validations.aws.`,
  };
}

/** Is the validation CNAME present in the most specific public hosted zone for its name? */
function validationRecordPresent(state: SandboxState, rec: ValidationRecord): boolean {
  const name = canonicalName(rec.name);
  const zones = state.route53.hostedZones
    .filter((z) => !z.private && isWithinZone(name, z.name))
    .sort((a, b) => b.name.length - a.name.length);
  const zone = zones[0];
  if (!zone) return false;
  const want = canonicalName(rec.value);
  return zone.records.some(
    (r) => r.name === name && r.type === 'CNAME' && (r.values ?? []).some((v) => canonicalName(v) === want),
  );
}

/**
 * Promote a PENDING_VALIDATION DNS certificate to ISSUED once all its records have been in place for
 * `issueAfterValidationMs` (ACM is not instant: the certificate stays pending a while after the records exist).
 */
function evaluate(cert: Certificate, ctx: ServiceContext): void {
  if (cert.status !== 'PENDING_VALIDATION' || cert.validationMethod !== 'DNS' || cert.type !== 'AMAZON_ISSUED') return;
  const ok = cert.subjectAlternativeNames.every((d) => validationRecordPresent(ctx.state, validationRecord(cert.arn, d)));
  const now = ctx.now();
  if (!ok) {
    if (cert.validatedAt !== undefined) {
      delete cert.validatedAt;
      ctx.changed();
    }
    return;
  }
  if (cert.validatedAt === undefined) {
    cert.validatedAt = now.toISOString();
    ctx.changed();
  }
  if (now.getTime() - Date.parse(cert.validatedAt) < ctx.state.settings.acm.issueAfterValidationMs) return;
  cert.status = 'ISSUED';
  cert.issuedAt = now.toISOString();
  cert.notBefore = cert.issuedAt;
  cert.notAfter = new Date(now.getTime() + 395 * DAY_MS).toISOString();
  cert.serial = hexId(32, 'serial', cert.arn).replace(/(..)(?=.)/g, '$1:');
  ctx.changed();
}

// ---------------------------------------------------------------------------------------------
// Input helpers

function str(body: Json, key: string, required: true): string;
function str(body: Json, key: string, required?: false): string | undefined;
function str(body: Json, key: string, required = false): string | undefined {
  return stringMember(body, key, required ? memberMustNotBeNull : undefined);
}

function parseTags(value: unknown, required: boolean): Tag[] {
  if (value === undefined || value === null) {
    if (required) throw memberMustNotBeNull('Tags');
    return [];
  }
  if (!Array.isArray(value)) throw new SandboxError(400, 'SerializationException', 'Tags must be a list');
  if (value.length < 1 || value.length > 50) throw validation("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and 50");
  return value.map((t: unknown) => {
    const o = (typeof t === 'object' && t !== null ? t : {}) as Json;
    const key = o.Key;
    const val = o.Value;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) throw validation('Tag keys must be 1-128 characters');
    if (val !== undefined && (typeof val !== 'string' || val.length > 256)) throw validation('Tag values must be at most 256 characters');
    if (key.toLowerCase().startsWith('aws:')) throw new SandboxError(400, 'InvalidTagException', `Tag key '${key}' uses the reserved prefix aws:`);
    return val === undefined ? { key } : { key, value: val as string };
  });
}

function tagsJson(tags: readonly Tag[]): Array<{ Key: string; Value?: string }> {
  return tags.map((t) => (t.value === undefined ? { Key: t.key } : { Key: t.key, Value: t.value }));
}

function findCert(ctx: ServiceContext, req: ServiceRequest, arn: string): Certificate {
  const m = ACM_ARN_RE.exec(arn);
  if (!m) throw new SandboxError(400, 'InvalidArnException', `String '${arn}' is not a valid ARN.`);
  const cert = ctx.state.acm.certificates.find((c) => c.arn === arn);
  if (!cert || m[1] !== req.region || m[2] !== ctx.state.accountId) {
    throw new SandboxError(400, 'ResourceNotFoundException', `Could not find certificate ${arn}.`);
  }
  return cert;
}

function inUseBy(state: SandboxState, arn: string): string[] {
  return state.cloudfront.distributions.filter((d) => d.certificateArn === arn).map((d) => d.arn);
}

// ---------------------------------------------------------------------------------------------
// Operations

function requestCertificate(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const domainName = str(body, 'DomainName', true).toLowerCase().replace(/\.$/, '');
  if (domainName.length < 1 || domainName.length > 253 || !DOMAIN_RE.test(domainName)) {
    throw validation(`1 validation error detected: Value '${domainName}' at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DOMAIN_RE.source}`);
  }
  const sansRaw = body.SubjectAlternativeNames;
  if (sansRaw !== undefined && (!Array.isArray(sansRaw) || sansRaw.some((s) => typeof s !== 'string'))) {
    throw new SandboxError(400, 'SerializationException', 'SubjectAlternativeNames must be a list of strings');
  }
  const sans = ((sansRaw as string[] | undefined) ?? []).map((s) => s.toLowerCase().replace(/\.$/, ''));
  if (sans.length > 100) throw new SandboxError(400, 'LimitExceededException', 'Too many SubjectAlternativeNames (max 100)');
  for (const s of sans) {
    if (!DOMAIN_RE.test(s) || s.length > 253) throw new SandboxError(400, 'InvalidDomainValidationOptionsException', `Invalid SubjectAlternativeName: ${s}`);
  }
  const method = str(body, 'ValidationMethod') ?? 'EMAIL';
  if (method !== 'DNS' && method !== 'EMAIL') {
    throw validation(`1 validation error detected: Value '${method}' at 'validationMethod' failed to satisfy constraint: Member must satisfy enum value set: [EMAIL, DNS] (the sandbox does not simulate HTTP validation)`);
  }
  const token = str(body, 'IdempotencyToken');
  if (token !== undefined && !/^\w{1,32}$/.test(token)) {
    throw validation(`1 validation error detected: Value '${token}' at 'idempotencyToken' failed to satisfy constraint: Member must satisfy regular expression pattern: \\w+ (1-32 characters)`);
  }
  if (str(body, 'CertificateAuthorityArn') !== undefined) throw validation('The Charter sandbox does not simulate private certificates (CertificateAuthorityArn)');
  const tags = body.Tags === undefined ? [] : parseTags(body.Tags, false);
  const now = ctx.now();
  const { state } = ctx;

  if (token !== undefined) {
    const prior = state.acm.certificates.find(
      (c) =>
        c.idempotencyToken === token &&
        ACM_ARN_RE.exec(c.arn)?.[1] === req.region &&
        now.getTime() - Date.parse(c.createdAt) < IDEMPOTENCY_WINDOW_MS,
    );
    if (prior) return json({ CertificateArn: prior.arn });
  }

  const n = nextCounter(state, 'acmCertificate');
  const cert: Certificate = {
    arn: certificateArn(req.region, state.accountId, `${state.accountId}:${n}`),
    domainName,
    subjectAlternativeNames: [domainName, ...sans.filter((s) => s !== domainName)].filter((s, i, all) => all.indexOf(s) === i),
    status: 'PENDING_VALIDATION',
    validationMethod: method,
    type: 'AMAZON_ISSUED',
    keyAlgorithm: keyAlgorithmName(str(body, 'KeyAlgorithm') ?? 'RSA_2048'),
    createdAt: now.toISOString(),
    tags,
    describeCount: 0,
  };
  if (token !== undefined) cert.idempotencyToken = token;
  state.acm.certificates.push(cert);
  ctx.changed();
  return json({ CertificateArn: cert.arn });
}

/** Request uses `RSA_2048`; Describe/List answer `RSA-2048`. */
function keyAlgorithmName(requested: string): string {
  return requested.replace('_', '-');
}

function domainValidationOptions(cert: Certificate, revealRecords: boolean): Json[] {
  const status = cert.status === 'ISSUED' ? 'SUCCESS' : cert.status === 'PENDING_VALIDATION' ? 'PENDING_VALIDATION' : 'FAILED';
  return cert.subjectAlternativeNames.map((domain) => {
    const option: Json = { DomainName: domain, ValidationDomain: domain, ValidationStatus: status, ValidationMethod: cert.validationMethod };
    if (cert.validationMethod === 'DNS') {
      if (revealRecords) {
        const rec = validationRecord(cert.arn, domain);
        option.ResourceRecord = { Name: rec.name, Type: rec.type, Value: rec.value };
      }
    } else {
      const base = baseDomain(domain);
      option.ValidationEmails = ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((u) => `${u}@${base}`);
    }
    return option;
  });
}

function describeCertificate(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const cert = findCert(ctx, req, str(body, 'CertificateArn', true));
  evaluate(cert, ctx);
  const reveal = cert.describeCount >= ctx.state.settings.acm.validationRecordAfterDescribes;
  cert.describeCount++;
  ctx.changed();
  const issued = cert.issuedAt !== undefined;
  const detail: Json = {
    CertificateArn: cert.arn,
    DomainName: cert.domainName,
    SubjectAlternativeNames: cert.subjectAlternativeNames,
    DomainValidationOptions: domainValidationOptions(cert, reveal),
    Subject: `CN=${cert.domainName}`,
    CreatedAt: epoch(cert.createdAt),
    Status: cert.status,
    KeyAlgorithm: cert.keyAlgorithm,
    SignatureAlgorithm: 'SHA256WITHRSA',
    InUseBy: inUseBy(ctx.state, cert.arn),
    Type: cert.type,
    KeyUsages: [],
    ExtendedKeyUsages: [],
    RenewalEligibility: cert.status === 'ISSUED' && inUseBy(ctx.state, cert.arn).length > 0 ? 'ELIGIBLE' : 'INELIGIBLE',
    Options: { CertificateTransparencyLoggingPreference: 'ENABLED', Export: 'DISABLED' },
  };
  if (issued) {
    Object.assign(detail, {
      Serial: cert.serial,
      Issuer: 'Amazon',
      IssuedAt: epoch(cert.issuedAt),
      NotBefore: epoch(cert.notBefore),
      NotAfter: epoch(cert.notAfter),
      KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' }, { Name: 'KEY_ENCIPHERMENT' }],
      ExtendedKeyUsages: [
        { Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' },
        { Name: 'TLS_WEB_CLIENT_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.2' },
      ],
    });
  }
  return json({ Certificate: detail });
}

const ALL_STATUSES: readonly CertificateStatus[] = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED'];

function listCertificates(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const statuses = body.CertificateStatuses;
  if (statuses !== undefined && (!Array.isArray(statuses) || statuses.some((s) => !ALL_STATUSES.includes(s as CertificateStatus)))) {
    throw validation(`1 validation error detected: Value at 'certificateStatuses' failed to satisfy constraint: Member must satisfy enum value set: [${ALL_STATUSES.join(', ')}]`);
  }
  const includes = (body.Includes ?? {}) as Json;
  const keyTypes = Array.isArray(includes.keyTypes) ? (includes.keyTypes as string[]) : ['RSA_1024', 'RSA_2048'];
  const maxItems = body.MaxItems === undefined ? 1000 : Number(body.MaxItems);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
    throw validation(`1 validation error detected: Value '${String(body.MaxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const token = str(body, 'NextToken');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64').toString('utf8').replace(/^sandbox:/, ''));
    if (!Number.isInteger(start) || start < 0) throw new SandboxError(400, 'InvalidArgsException', 'The NextToken is invalid');
  }
  const all = ctx.state.acm.certificates.filter((c) => ACM_ARN_RE.exec(c.arn)?.[1] === req.region);
  for (const c of all) evaluate(c, ctx);
  const matching = all.filter(
    (c) =>
      (statuses === undefined || (statuses as string[]).includes(c.status)) &&
      keyTypes.includes(c.keyAlgorithm.replace('-', '_')),
  );
  const page = matching.slice(start, start + maxItems);
  const result: Json = {
    CertificateSummaryList: page.map((c) => {
      const summary: Json = {
        CertificateArn: c.arn,
        DomainName: c.domainName,
        SubjectAlternativeNameSummaries: c.subjectAlternativeNames.slice(0, 100),
        HasAdditionalSubjectAlternativeNames: c.subjectAlternativeNames.length > 100,
        Status: c.status,
        Type: c.type,
        KeyAlgorithm: c.keyAlgorithm,
        KeyUsages: c.issuedAt ? ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'] : [],
        ExtendedKeyUsages: c.issuedAt ? ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'] : [],
        InUse: inUseBy(ctx.state, c.arn).length > 0,
        RenewalEligibility: 'INELIGIBLE',
        CreatedAt: epoch(c.createdAt),
      };
      if (c.issuedAt) Object.assign(summary, { IssuedAt: epoch(c.issuedAt), NotBefore: epoch(c.notBefore), NotAfter: epoch(c.notAfter) });
      return summary;
    }),
  };
  if (start + maxItems < matching.length) result.NextToken = Buffer.from(`sandbox:${start + maxItems}`).toString('base64');
  return json(result);
}

function listTags(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const cert = findCert(ctx, req, str(parseJsonBody(req), 'CertificateArn', true));
  return json({ Tags: tagsJson(cert.tags) });
}

function addTags(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const cert = findCert(ctx, req, str(body, 'CertificateArn', true));
  const tags = parseTags(body.Tags, true);
  const merged = [...cert.tags];
  for (const t of tags) {
    const i = merged.findIndex((m) => m.key === t.key);
    if (i >= 0) merged[i] = t;
    else merged.push(t);
  }
  if (merged.length > 50) throw new SandboxError(400, 'TooManyTagsException', 'A certificate can have at most 50 tags');
  cert.tags = merged;
  ctx.changed();
  return json(undefined);
}

function removeTags(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const body = parseJsonBody(req);
  const cert = findCert(ctx, req, str(body, 'CertificateArn', true));
  const tags = parseTags(body.Tags, true);
  // A tag given without a value removes the key whatever its value; with a value, only on a match.
  cert.tags = cert.tags.filter((t) => !tags.some((r) => r.key === t.key && (r.value === undefined || r.value === t.value)));
  ctx.changed();
  return json(undefined);
}

function deleteCertificate(req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const cert = findCert(ctx, req, str(parseJsonBody(req), 'CertificateArn', true));
  const users = inUseBy(ctx.state, cert.arn);
  if (users.length > 0) throw new SandboxError(400, 'ResourceInUseException', `Certificate ${cert.arn} is in use by ${users.join(', ')}.`);
  ctx.state.acm.certificates = ctx.state.acm.certificates.filter((c) => c !== cert);
  ctx.changed();
  return json(undefined);
}

// ---------------------------------------------------------------------------------------------

export const acm: ServiceHandler = {
  state: acmState,
  name: 'acm',
  ...jsonTargetRouting(TARGET_PREFIX),
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    switch (op) {
      case 'RequestCertificate':
        return requestCertificate(req, ctx);
      case 'DescribeCertificate':
        return describeCertificate(req, ctx);
      case 'ListCertificates':
        return listCertificates(req, ctx);
      case 'ListTagsForCertificate':
        return listTags(req, ctx);
      case 'AddTagsToCertificate':
        return addTags(req, ctx);
      case 'RemoveTagsFromCertificate':
        return removeTags(req, ctx);
      case 'DeleteCertificate':
        return deleteCertificate(req, ctx);
      default:
        throw new SandboxError(400, 'UnknownOperationException', `The Charter sandbox does not implement ACM operation ${op}`);
    }
  },
  renderError: (err, req) => jsonErrorResponse(err, req),
  throttleError: () => new SandboxError(400, 'ThrottlingException', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'ValidationException', 'Injected failure (sandbox failNthWrite)'),
};
