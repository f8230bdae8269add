/**
 * The sandbox account state: its JSON file format, validation/normalisation on load, and
 * saving. The in-memory state and the file share one shape (see docs/sandbox.md).
 */
import { compareStrings } from '../core/json.js';
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  canonicalName,
  compareNames,
  describeValueProblem,
  encodeTxtValue,
  isWithinZone,
  nameProblem,
  RECORD_TYPES,
  recordValueProblem,
} from './dns.js';
import { Checker, describe, join } from './checker.js';
import { SandboxStateError } from './errors.js';
import { alnumId, hexId, uuidFrom } from './ids.js';
import { defaultRedshiftSettings, emptyRedshiftState, type RedshiftSettings, type RedshiftState } from './redshift/model.js';
import { normalizeRedshift, normalizeRedshiftSettings } from './redshift/normalize.js';

// ---------------------------------------------------------------------------------------------
// Types (normalised form: what `sandbox.state` holds and what `save()` writes)

export interface AliasTarget {
  hostedZoneId: string;
  dnsName: string;
  evaluateTargetHealth: boolean;
}

export interface RecordSet {
  /** Canonical: lower-case, unescaped (`*`, not `\052`), trailing dot. */
  name: string;
  type: string;
  ttl?: number;
  /** ResourceRecord values exactly as Route 53 stores them (TXT values quoted). */
  values?: string[];
  alias?: AliasTarget;
  setIdentifier?: string;
  weight?: number;
  region?: string;
  failover?: string;
  multiValueAnswer?: boolean;
  healthCheckId?: string;
}

export interface HostedZone {
  /** Bare id, without the `/hostedzone/` prefix. */
  id: string;
  /** Canonical zone name with trailing dot. */
  name: string;
  private: boolean;
  comment?: string;
  callerReference: string;
  nameServers: string[];
  records: RecordSet[];
}

export type ChangeStatus = 'PENDING' | 'INSYNC';

export interface ChangeRecord {
  /** Bare id, without the `/change/` prefix. */
  id: string;
  hostedZoneId: string;
  status: ChangeStatus;
  submittedAt: string;
  comment?: string;
  /** GetChange calls left before the change reports INSYNC. */
  pollsRemaining: number;
}

export type CertificateStatus =
  | 'PENDING_VALIDATION'
  | 'ISSUED'
  | 'INACTIVE'
  | 'EXPIRED'
  | 'VALIDATION_TIMED_OUT'
  | 'REVOKED'
  | 'FAILED';

export interface Tag {
  key: string;
  value?: string;
}

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
}

export interface S3Object {
  /** Base64 of the object bytes. */
  body: string;
  contentType: string;
  cacheControl?: string;
  contentEncoding?: string;
  /** Quoted MD5 hex, e.g. `"9e107d9d372bb6826bd81d3542a419d6"`. */
  etag: string;
  lastModified: string;
  metadata?: Record<string, string>;
}

export interface Bucket {
  region: string;
  createdAt: string;
  objects: Record<string, S3Object>;
}

export interface Origin {
  id: string;
  domainName: string;
  originPath?: string;
}

export type InvalidationStatus = 'InProgress' | 'Completed';

export interface Invalidation {
  id: string;
  callerReference: string;
  paths: string[];
  status: InvalidationStatus;
  createTime: string;
  /** GetInvalidation calls left before it reports Completed. */
  pollsRemaining: number;
}

export interface Distribution {
  id: string;
  arn: string;
  domainName: string;
  /** Lower-case, without trailing dot. */
  aliases: string[];
  status: string;
  enabled: boolean;
  comment: string;
  etag: string;
  callerReference: string;
  lastModifiedTime: string;
  origins: Origin[];
  certificateArn?: string;
  defaultRootObject?: string;
  invalidations: Invalidation[];
}

export interface SandboxSettings {
  route53: {
    /** GetChange calls until a change reports INSYNC (the Nth call answers INSYNC). 0 = INSYNC at once. */
    changeInsyncAfterPolls: number;
    /**
     * Also INSYNC once this many ms have passed since submission (null = only polls count). Default
     * 60000, Route 53's usual propagation time, so a change left PENDING by an earlier run does not
     * block the zone forever.
     */
    changeInsyncAfterMs: number | null;
  };
  acm: {
    /** DescribeCertificate calls answered without ResourceRecord before it appears. */
    validationRecordAfterDescribes: number;
  };
  cloudfront: {
    /** GetInvalidation calls until an invalidation reports Completed. 0 = Completed at once. */
    invalidationCompleteAfterPolls: number;
    /** Also Completed once this many ms have passed since creation (null = only polls count). Default 600000. */
    invalidationCompleteAfterMs: number | null;
  };
  /** Redshift Data API: statement polling and result paging (redshift/model.ts). */
  redshift: RedshiftSettings;
}

// --- Shield Advanced (us-east-1, account-wide) ---------------------------------------------------

export type ShieldResourceType =
  | 'CLOUDFRONT_DISTRIBUTION'
  | 'ROUTE_53_HOSTED_ZONE'
  | 'ELASTIC_IP_ALLOCATION'
  | 'CLASSIC_LOAD_BALANCER'
  | 'APPLICATION_LOAD_BALANCER'
  | 'GLOBAL_ACCELERATOR';

export interface ShieldSubscription {
  startTime: string;
  timeCommitmentInSeconds: number;
  autoRenew: 'ENABLED' | 'DISABLED';
  limits: {
    /** ProtectionGroupLimits.MaxProtectionGroups. */
    maxProtectionGroups: number;
    /** ProtectionGroupLimits.PatternTypeLimits.ArbitraryPatternLimits.MaxMembers. */
    maxMembers: number;
  };
}

export interface ShieldProtection {
  id: string;
  name: string;
  resourceArn: string;
  tags: Tag[];
}

export interface ShieldProtectionGroup {
  id: string;
  arn: string;
  aggregation: 'SUM' | 'MEAN' | 'MAX';
  pattern: 'ALL' | 'ARBITRARY' | 'BY_RESOURCE_TYPE';
  resourceType?: ShieldResourceType;
  /** ARBITRARY groups only; empty otherwise. */
  members: string[];
  tags: Tag[];
}

export interface ShieldState {
  /** null: the account has no Shield Advanced subscription. */
  subscription: ShieldSubscription | null;
  protections: ShieldProtection[];
  protectionGroups: ShieldProtectionGroup[];
}

export interface SandboxState {
  version: 1;
  accountId: string;
  settings: SandboxSettings;
  route53: { hostedZones: HostedZone[]; changes: ChangeRecord[] };
  acm: { certificates: Certificate[] };
  s3: { buckets: Record<string, Bucket> };
  cloudfront: { distributions: Distribution[] };
  shield: ShieldState;
  /** Redshift clusters/workgroups with their databases' catalogs, and the secrets the Data API resolves. */
  redshift: RedshiftState;
  /** Counters used to derive ids; keep them so ids stay unique across restarts. */
  counters: Record<string, number>;
}

/**
 * What a hand-written file (or a test) may pass: every section and most fields are optional;
 * see docs/sandbox.md. `loadSandboxState`/`startSandbox` turn it into a `SandboxState`.
 */
export type SandboxStateInput = { [key: string]: unknown };

// ---------------------------------------------------------------------------------------------
// Defaults and helpers

export const DEFAULT_ACCOUNT_ID = '123456789012';

export function defaultSettings(): SandboxSettings {
  return {
    route53: { changeInsyncAfterPolls: 1, changeInsyncAfterMs: 60_000 },
    acm: { validationRecordAfterDescribes: 1 },
    cloudfront: { invalidationCompleteAfterPolls: 1, invalidationCompleteAfterMs: 600_000 },
    redshift: defaultRedshiftSettings(),
  };
}

export function emptyState(): SandboxState {
  return {
    version: 1,
    accountId: DEFAULT_ACCOUNT_ID,
    settings: defaultSettings(),
    route53: { hostedZones: [], changes: [] },
    acm: { certificates: [] },
    s3: { buckets: {} },
    cloudfront: { distributions: [] },
    shield: { subscription: null, protections: [], protectionGroups: [] },
    redshift: emptyRedshiftState(),
    counters: {},
  };
}

/** Next value of a named counter (1, 2, ...). */
export function nextCounter(state: SandboxState, kind: string): number {
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  return n;
}

export function md5Etag(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

/** Name servers Route 53 would assign (stable per zone id). */
export function defaultNameServers(zoneId: string): string[] {
  const n = parseInt(hexId(4, 'ns', zoneId), 16);
  const a = n % 512;
  return [
    `ns-${a}.awsdns-${String(a % 64).padStart(2, '0')}.com.`,
    `ns-${a + 512}.awsdns-${String((a + 1) % 64).padStart(2, '0')}.net.`,
    `ns-${a + 1024}.awsdns-${String((a + 2) % 64).padStart(2, '0')}.org.`,
    `ns-${a + 1536}.awsdns-${String((a + 3) % 64).padStart(2, '0')}.co.uk.`,
  ];
}

export function zoneIdFor(seed: string): string {
  return 'Z' + alnumId(20, 'zone', seed);
}

export function sortRecords(records: RecordSet[]): void {
  records.sort(
    (a, b) =>
      compareNames(a.name, b.name) ||
      (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
      compareStrings(a.setIdentifier ?? '', b.setIdentifier ?? ''),
  );
}

/** The Route 53 conflict rule: a CNAME may not share its name with any other record. */
export function cnameConflicts(records: readonly RecordSet[], zoneName: string): string[] {
  const byName = new Map<string, Set<string>>();
  for (const r of records) {
    const set = byName.get(r.name) ?? new Set<string>();
    set.add(r.type);
    byName.set(r.name, set);
  }
  const problems: string[] = [];
  for (const [name, types] of byName) {
    if (types.has('CNAME') && types.size > 1) {
      const others = [...types].filter((t) => t !== 'CNAME').sort();
      problems.push(
        `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records (${others.join(', ')}) with the same DNS name in zone ${zoneName}`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Validation / normalisation (the Checker is in checker.ts)

const TOP_KEYS = ['$schema', 'version', 'accountId', 'settings', 'route53', 'acm', 's3', 'cloudfront', 'shield', 'redshift', 'counters'];

/**
 * Validate and normalise a state object (from a file or a test). Throws SandboxStateError
 * listing every problem with its JSON path. `now` fills in missing timestamps.
 */
export function normalizeState(input: unknown, source = '', now: Date = new Date()): SandboxState {
  const c = new Checker();
  const root = c.object(input, '');
  if (!root) throw new SandboxStateError(source, c.problems);
  c.known(root, TOP_KEYS, '');
  const state = emptyState();
  if (root.version !== undefined && root.version !== 1) c.fail('version', `unsupported version ${describe(root.version)} (expected 1)`);
  const accountId = c.string(root, 'accountId', '');
  if (accountId !== undefined) {
    if (!/^\d{12}$/.test(accountId)) c.fail('accountId', `expected 12 digits, got ${JSON.stringify(accountId)}`);
    else state.accountId = accountId;
  }
  if (root.counters !== undefined) {
    const counters = c.object(root.counters, 'counters');
    for (const [k, v] of Object.entries(counters ?? {})) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) c.fail(`counters.${k}`, `expected a non-negative integer, got ${describe(v)}`);
      else state.counters[k] = v;
    }
  }
  if (root.settings !== undefined) normalizeSettings(c, root.settings, state.settings);
  const iso = now.toISOString();
  if (root.route53 !== undefined) normalizeRoute53(c, root.route53, state, iso);
  if (root.acm !== undefined) normalizeAcm(c, root.acm, state, iso);
  if (root.s3 !== undefined) normalizeS3(c, root.s3, state, iso);
  if (root.cloudfront !== undefined) normalizeCloudFront(c, root.cloudfront, state, iso);
  if (root.redshift !== undefined) state.redshift = normalizeRedshift(c.problems, root.redshift);
  if (root.shield !== undefined) normalizeShield(c, root.shield, state, iso);
  if (c.problems.length > 0) throw new SandboxStateError(source, c.problems);
  return state;
}

function normalizeSettings(c: Checker, value: unknown, out: SandboxSettings): void {
  const s = c.object(value, 'settings');
  if (!s) return;
  c.known(s, ['route53', 'acm', 'cloudfront', 'redshift'], 'settings');
  if (s.redshift !== undefined) out.redshift = normalizeRedshiftSettings(c.problems, s.redshift, 'settings.redshift');
  if (s.route53 !== undefined) {
    const r = c.object(s.route53, 'settings.route53');
    if (r) {
      c.known(r, ['changeInsyncAfterPolls', 'changeInsyncAfterMs'], 'settings.route53');
      out.route53.changeInsyncAfterPolls = c.integer(r, 'changeInsyncAfterPolls', 'settings.route53', 0, 1_000_000) ?? out.route53.changeInsyncAfterPolls;
      if (r.changeInsyncAfterMs === null) out.route53.changeInsyncAfterMs = null;
      else out.route53.changeInsyncAfterMs = c.integer(r, 'changeInsyncAfterMs', 'settings.route53', 0, 2_147_483_647) ?? out.route53.changeInsyncAfterMs;
    }
  }
  if (s.acm !== undefined) {
    const a = c.object(s.acm, 'settings.acm');
    if (a) {
      c.known(a, ['validationRecordAfterDescribes'], 'settings.acm');
      out.acm.validationRecordAfterDescribes = c.integer(a, 'validationRecordAfterDescribes', 'settings.acm', 0, 1_000_000) ?? out.acm.validationRecordAfterDescribes;
    }
  }
  if (s.cloudfront !== undefined) {
    const f = c.object(s.cloudfront, 'settings.cloudfront');
    if (f) {
      c.known(f, ['invalidationCompleteAfterPolls', 'invalidationCompleteAfterMs'], 'settings.cloudfront');
      out.cloudfront.invalidationCompleteAfterPolls = c.integer(f, 'invalidationCompleteAfterPolls', 'settings.cloudfront', 0, 1_000_000) ?? out.cloudfront.invalidationCompleteAfterPolls;
      if (f.invalidationCompleteAfterMs === null) out.cloudfront.invalidationCompleteAfterMs = null;
      else out.cloudfront.invalidationCompleteAfterMs = c.integer(f, 'invalidationCompleteAfterMs', 'settings.cloudfront', 0, 2_147_483_647) ?? out.cloudfront.invalidationCompleteAfterMs;
    }
  }
}

// --- Route 53 -----------------------------------------------------------------------------------

const ZONE_KEYS = ['id', 'name', 'private', 'comment', 'callerReference', 'nameServers', 'records'];
const RECORD_KEYS = ['name', 'type', 'ttl', 'values', 'txt', 'alias', 'setIdentifier', 'weight', 'region', 'failover', 'multiValueAnswer', 'healthCheckId'];

function normalizeRoute53(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const r = c.object(value, 'route53');
  if (!r) return;
  c.known(r, ['hostedZones', 'changes'], 'route53');
  const ids = new Set<string>();
  c.array(r, 'hostedZones', 'route53').forEach((z, i) => {
    const zone = normalizeZone(c, z, `route53.hostedZones[${i}]`);
    if (!zone) return;
    if (ids.has(zone.id)) c.fail(`route53.hostedZones[${i}].id`, `duplicate hosted zone id ${zone.id}`);
    ids.add(zone.id);
    state.route53.hostedZones.push(zone);
  });
  c.array(r, 'changes', 'route53').forEach((v, i) => {
    const path = `route53.changes[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['id', 'hostedZoneId', 'status', 'submittedAt', 'comment', 'pollsRemaining'], path);
    const id = c.string(o, 'id', path, true);
    const hostedZoneId = c.string(o, 'hostedZoneId', path, true);
    const status = c.string(o, 'status', path) ?? 'INSYNC';
    if (status !== 'PENDING' && status !== 'INSYNC') c.fail(join(path, 'status'), `expected PENDING or INSYNC, got ${JSON.stringify(status)}`);
    if (id === undefined || hostedZoneId === undefined) return;
    state.route53.changes.push({
      id: id.replace(/^\/change\//, ''),
      hostedZoneId: hostedZoneId.replace(/^\/hostedzone\//, ''),
      status: status === 'PENDING' ? 'PENDING' : 'INSYNC',
      submittedAt: c.timestamp(o, 'submittedAt', path) ?? iso,
      ...optional('comment', c.string(o, 'comment', path)),
      pollsRemaining: c.integer(o, 'pollsRemaining', path, 0, 1_000_000) ?? 0,
    });
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function normalizeZone(c: Checker, value: unknown, path: string): HostedZone | undefined {
  const z = c.object(value, path);
  if (!z) return undefined;
  c.known(z, ZONE_KEYS, path);
  const rawName = c.string(z, 'name', path, true);
  if (rawName === undefined) return undefined;
  const name = canonicalName(rawName);
  const np = nameProblem(name);
  if (np || name === '.') {
    c.fail(join(path, 'name'), `invalid zone name ${JSON.stringify(rawName)}${np ? ` (${np.description})` : ''}`);
    return undefined;
  }
  const rawId = c.string(z, 'id', path);
  const id = rawId !== undefined ? rawId.replace(/^\/hostedzone\//, '') : zoneIdFor(name);
  if (!/^[A-Z0-9]{1,32}$/.test(id)) c.fail(join(path, 'id'), `expected upper-case letters and digits (e.g. Z0EXAMPLE1), got ${JSON.stringify(rawId)}`);
  const isPrivate = c.boolean(z, 'private', path) ?? false;
  const nameServers = (c.stringList(z, 'nameServers', path) ?? defaultNameServers(id)).map(canonicalName);
  const zone: HostedZone = {
    id,
    name,
    private: isPrivate,
    ...optional('comment', c.string(z, 'comment', path)),
    callerReference: c.string(z, 'callerReference', path) ?? `sandbox-${id}`,
    nameServers,
    records: [],
  };
  const seen = new Set<string>();
  c.array(z, 'records', path).forEach((rv, i) => {
    const rpath = `${path}.records[${i}]`;
    const rec = normalizeRecord(c, rv, rpath, zone);
    if (!rec) return;
    const key = `${rec.name}|${rec.type}|${rec.setIdentifier ?? ''}`;
    if (seen.has(key)) {
      c.fail(rpath, `duplicate record set ${rec.name} ${rec.type}${rec.setIdentifier ? ` (${rec.setIdentifier})` : ''}: put all values of one name and type in one "values" list`);
      return;
    }
    seen.add(key);
    zone.records.push(rec);
  });
  // Route 53 creates SOA and NS records at the apex of every zone.
  if (!zone.records.some((r) => r.name === name && r.type === 'SOA')) {
    zone.records.push({
      name,
      type: 'SOA',
      ttl: 900,
      values: [`${nameServers[0] ?? 'ns-1.awsdns-01.com.'} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
    });
  }
  if (!zone.records.some((r) => r.name === name && r.type === 'NS')) {
    zone.records.push({ name, type: 'NS', ttl: 172800, values: [...nameServers] });
  }
  for (const p of cnameConflicts(zone.records, name)) c.fail(`${path}.records`, p);
  sortRecords(zone.records);
  return zone;
}

function normalizeRecord(c: Checker, value: unknown, path: string, zone: HostedZone): RecordSet | undefined {
  const o = c.object(value, path);
  if (!o) return undefined;
  c.known(o, RECORD_KEYS, path);
  const rawName = c.string(o, 'name', path, true);
  const rawType = c.string(o, 'type', path, true);
  if (rawName === undefined || rawType === undefined) return undefined;
  const name = rawName.trim() === '@' ? zone.name : canonicalName(rawName);
  if (!isWithinZone(name, zone.name)) {
    c.fail(join(path, 'name'), `${JSON.stringify(rawName)} is not within zone ${zone.name} (write the full name, e.g. "www.${zone.name.slice(0, -1)}", or "@" for the apex)`);
    return undefined;
  }
  const np = nameProblem(name);
  if (np) {
    c.fail(join(path, 'name'), `${np.description}: ${JSON.stringify(np.value)}`);
    return undefined;
  }
  const type = rawType.toUpperCase();
  if (!RECORD_TYPES.has(type)) {
    c.fail(join(path, 'type'), `unknown record type ${JSON.stringify(rawType)} (expected one of ${[...RECORD_TYPES].join(', ')})`);
    return undefined;
  }
  let values = c.stringList(o, 'values', path);
  const txt = c.stringList(o, 'txt', path);
  if (txt !== undefined) {
    if (type !== 'TXT' && type !== 'SPF') c.fail(join(path, 'txt'), `"txt" is only for TXT/SPF records; use "values"`);
    else if (values !== undefined) c.fail(path, 'give either "values" (Route 53 wire format) or "txt" (raw strings), not both');
    else values = txt.map(encodeTxtValue);
  }
  let alias: AliasTarget | undefined;
  if (o.alias !== undefined) {
    const a = c.object(o.alias, join(path, 'alias'));
    if (a) {
      c.known(a, ['hostedZoneId', 'dnsName', 'evaluateTargetHealth'], join(path, 'alias'));
      const hz = c.string(a, 'hostedZoneId', join(path, 'alias'), true);
      const dns = c.string(a, 'dnsName', join(path, 'alias'), true);
      if (hz !== undefined && dns !== undefined) {
        alias = { hostedZoneId: hz.replace(/^\/hostedzone\//, ''), dnsName: canonicalName(dns), evaluateTargetHealth: c.boolean(a, 'evaluateTargetHealth', join(path, 'alias')) ?? false };
      }
    }
  }
  if (alias && values !== undefined) c.fail(path, 'an alias record has no "values"');
  if (!alias && (values === undefined || values.length === 0)) {
    c.fail(path, 'a record needs a non-empty "values" list (or "txt" for TXT records, or "alias")');
    return undefined;
  }
  for (const [i, v] of (values ?? []).entries()) {
    const p = recordValueProblem(type, v);
    if (p) {
      const hint = type === 'TXT' || type === 'SPF' ? ` (TXT values are in Route 53 wire format, e.g. "\\"v=DMARC1; p=reject\\"", or use "txt": ["v=DMARC1; p=reject"])` : '';
      c.fail(`${path}.values[${i}]`, describeValueProblem(p, v) + hint);
    }
  }
  if (type === 'CNAME' && values && values.length > 1) c.fail(join(path, 'values'), 'a CNAME record has exactly one value');
  const ttl = c.integer(o, 'ttl', path, 0, 2147483647);
  const rec: RecordSet = { name, type };
  if (!alias) rec.ttl = ttl ?? 300;
  if (values !== undefined) rec.values = values;
  if (alias) rec.alias = alias;
  const setIdentifier = c.string(o, 'setIdentifier', path);
  if (setIdentifier !== undefined) rec.setIdentifier = setIdentifier;
  const weight = c.integer(o, 'weight', path, 0, 255);
  if (weight !== undefined) rec.weight = weight;
  const region = c.string(o, 'region', path);
  if (region !== undefined) rec.region = region;
  const failover = c.string(o, 'failover', path);
  if (failover !== undefined) rec.failover = failover;
  const mva = c.boolean(o, 'multiValueAnswer', path);
  if (mva !== undefined) rec.multiValueAnswer = mva;
  const hc = c.string(o, 'healthCheckId', path);
  if (hc !== undefined) rec.healthCheckId = hc;
  return rec;
}

// --- ACM ----------------------------------------------------------------------------------------

const CERT_KEYS = [
  'arn', 'region', 'domainName', 'subjectAlternativeNames', 'status', 'validationMethod', 'type', 'keyAlgorithm',
  'createdAt', 'issuedAt', 'notBefore', 'notAfter', 'serial', 'tags', 'idempotencyToken', 'describeCount',
];
const CERT_STATUSES: readonly CertificateStatus[] = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED'];
export const ACM_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/([A-Za-z0-9-]+)$/;
const DAY_MS = 86_400_000;

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
    state.acm.certificates.push(cert);
  });
}

function normalizeTags(c: Checker, value: unknown, path: string): Tag[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    const tags: Tag[] = [];
    value.forEach((t, i) => {
      const o = c.object(t, `${path}[${i}]`);
      if (!o) return;
      c.known(o, ['key', 'value'], `${path}[${i}]`);
      const key = c.string(o, 'key', `${path}[${i}]`, true);
      const val = c.string(o, 'value', `${path}[${i}]`);
      if (key !== undefined) tags.push(val === undefined ? { key } : { key, value: val });
    });
    return tags;
  }
  const o = c.object(value, path);
  if (!o) return [];
  const tags: Tag[] = [];
  for (const [key, val] of Object.entries(o)) {
    if (typeof val !== 'string') c.fail(`${path}.${key}`, `expected a string, got ${describe(val)}`);
    else tags.push({ key, value: val });
  }
  return tags;
}

// --- S3 -----------------------------------------------------------------------------------------

export const BUCKET_NAME_RE = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function normalizeS3(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const s = c.object(value, 's3');
  if (!s) return;
  c.known(s, ['buckets'], 's3');
  if (s.buckets === undefined) return;
  const buckets = c.object(s.buckets, 's3.buckets');
  if (!buckets) return;
  for (const [name, bv] of Object.entries(buckets)) {
    const path = `s3.buckets.${name}`;
    if (!BUCKET_NAME_RE.test(name)) c.fail(path, 'invalid bucket name (3-63 lower-case letters, digits, dots and hyphens)');
    const b = c.object(bv, path);
    if (!b) continue;
    c.known(b, ['region', 'createdAt', 'objects'], path);
    const bucket: Bucket = { region: c.string(b, 'region', path) ?? 'us-east-1', createdAt: c.timestamp(b, 'createdAt', path) ?? iso, objects: {} };
    if (b.objects !== undefined) {
      const objects = c.object(b.objects, `${path}.objects`);
      for (const [key, ov] of Object.entries(objects ?? {})) {
        const opath = `${path}.objects[${JSON.stringify(key)}]`;
        const o = c.object(ov, opath);
        if (!o) continue;
        c.known(o, ['body', 'text', 'contentType', 'cacheControl', 'contentEncoding', 'etag', 'lastModified', 'metadata'], opath);
        const body = c.string(o, 'body', opath);
        const txt = c.string(o, 'text', opath);
        if (body !== undefined && txt !== undefined) c.fail(opath, 'give either "body" (base64) or "text" (UTF-8), not both');
        if (body !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(body)) c.fail(`${opath}.body`, 'expected base64 (use "text" for plain text)');
        const bytes = txt !== undefined ? Buffer.from(txt, 'utf8') : Buffer.from(body ?? '', 'base64');
        const obj: S3Object = {
          body: bytes.toString('base64'),
          contentType: c.string(o, 'contentType', opath) ?? 'binary/octet-stream',
          etag: c.string(o, 'etag', opath) ?? md5Etag(bytes),
          lastModified: c.timestamp(o, 'lastModified', opath) ?? iso,
        };
        const cacheControl = c.string(o, 'cacheControl', opath);
        if (cacheControl !== undefined) obj.cacheControl = cacheControl;
        const contentEncoding = c.string(o, 'contentEncoding', opath);
        if (contentEncoding !== undefined) obj.contentEncoding = contentEncoding;
        const metadata = c.stringMap(o, 'metadata', opath);
        if (metadata !== undefined) obj.metadata = metadata;
        bucket.objects[key] = obj;
      }
    }
    state.s3.buckets[name] = bucket;
  }
}

// --- CloudFront ---------------------------------------------------------------------------------

const DIST_KEYS = [
  'id', 'arn', 'domainName', 'aliases', 'status', 'enabled', 'comment', 'etag', 'callerReference', 'lastModifiedTime',
  'origins', 'certificateArn', 'defaultRootObject', 'invalidations',
];

function normalizeCloudFront(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const f = c.object(value, 'cloudfront');
  if (!f) return;
  c.known(f, ['distributions'], 'cloudfront');
  const ids = new Set<string>();
  c.array(f, 'distributions', 'cloudfront').forEach((v, i) => {
    const path = `cloudfront.distributions[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, DIST_KEYS, path);
    const id = c.string(o, 'id', path) ?? 'E' + alnumId(13, 'distribution', state.accountId, String(i));
    if (!/^[A-Z0-9]{1,32}$/.test(id)) c.fail(join(path, 'id'), `expected upper-case letters and digits (e.g. E2EXAMPLE), got ${JSON.stringify(id)}`);
    if (ids.has(id)) c.fail(join(path, 'id'), `duplicate distribution id ${id}`);
    ids.add(id);
    const origins: Origin[] = [];
    c.array(o, 'origins', path).forEach((ov, j) => {
      const opath = `${path}.origins[${j}]`;
      const oo = c.object(ov, opath);
      if (!oo) return;
      c.known(oo, ['id', 'domainName', 'originPath'], opath);
      const domainName = c.string(oo, 'domainName', opath, true);
      if (domainName === undefined) return;
      const originPath = c.string(oo, 'originPath', opath);
      origins.push({ id: c.string(oo, 'id', opath) ?? `origin-${j + 1}`, domainName, ...(originPath !== undefined ? { originPath } : {}) });
    });
    const invalidations: Invalidation[] = [];
    c.array(o, 'invalidations', path).forEach((iv, j) => {
      const ipath = `${path}.invalidations[${j}]`;
      const io = c.object(iv, ipath);
      if (!io) return;
      c.known(io, ['id', 'callerReference', 'paths', 'status', 'createTime', 'pollsRemaining'], ipath);
      const invId = c.string(io, 'id', ipath, true);
      const callerReference = c.string(io, 'callerReference', ipath, true);
      const paths = c.stringList(io, 'paths', ipath) ?? [];
      const status = c.string(io, 'status', ipath) ?? 'Completed';
      if (status !== 'InProgress' && status !== 'Completed') c.fail(`${ipath}.status`, `expected InProgress or Completed, got ${JSON.stringify(status)}`);
      if (invId === undefined || callerReference === undefined) return;
      invalidations.push({
        id: invId,
        callerReference,
        paths,
        status: status === 'InProgress' ? 'InProgress' : 'Completed',
        createTime: c.timestamp(io, 'createTime', ipath) ?? iso,
        pollsRemaining: c.integer(io, 'pollsRemaining', ipath, 0, 1_000_000) ?? 0,
      });
    });
    const certificateArn = c.string(o, 'certificateArn', path);
    const defaultRootObject = c.string(o, 'defaultRootObject', path);
    state.cloudfront.distributions.push({
      id,
      arn: c.string(o, 'arn', path) ?? `arn:aws:cloudfront::${state.accountId}:distribution/${id}`,
      domainName: c.string(o, 'domainName', path) ?? `d${alnumId(13, 'cfdomain', id).toLowerCase()}.cloudfront.net`,
      aliases: (c.stringList(o, 'aliases', path) ?? []).map((a) => a.toLowerCase().replace(/\.$/, '')),
      status: c.string(o, 'status', path) ?? 'Deployed',
      enabled: c.boolean(o, 'enabled', path) ?? true,
      comment: c.string(o, 'comment', path) ?? '',
      etag: c.string(o, 'etag', path) ?? 'E' + alnumId(13, 'etag', id),
      callerReference: c.string(o, 'callerReference', path) ?? `sandbox-${id}`,
      lastModifiedTime: c.timestamp(o, 'lastModifiedTime', path) ?? iso,
      origins,
      ...(certificateArn !== undefined ? { certificateArn } : {}),
      ...(defaultRootObject !== undefined ? { defaultRootObject } : {}),
      invalidations,
    });
  });
}

// --- Shield -------------------------------------------------------------------------------------

export const SHIELD_RESOURCE_TYPES: readonly ShieldResourceType[] = [
  'CLOUDFRONT_DISTRIBUTION',
  'ROUTE_53_HOSTED_ZONE',
  'ELASTIC_IP_ALLOCATION',
  'CLASSIC_LOAD_BALANCER',
  'APPLICATION_LOAD_BALANCER',
  'GLOBAL_ACCELERATOR',
];
export const PROTECTION_GROUP_ID_RE = /^[a-zA-Z0-9-]{1,36}$/;
/** Sandbox defaults for an account whose state gives no limits. */
export const DEFAULT_SHIELD_LIMITS = { maxProtectionGroups: 100, maxMembers: 10_000 } as const;

const SHIELD_ARN_SHAPES: Array<[ShieldResourceType, RegExp]> = [
  ['CLOUDFRONT_DISTRIBUTION', /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/],
  ['ROUTE_53_HOSTED_ZONE', /^arn:aws[a-z-]*:route53:::hostedzone\/[A-Z0-9]+$/],
  ['ELASTIC_IP_ALLOCATION', /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:eip-allocation\/eipalloc-[0-9a-f]+$/],
  ['APPLICATION_LOAD_BALANCER', /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]+\/[0-9a-f]+$/],
  ['CLASSIC_LOAD_BALANCER', /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/[A-Za-z0-9-]+$/],
  ['GLOBAL_ACCELERATOR', /^arn:aws[a-z-]*:globalaccelerator::\d{12}:accelerator\/[0-9a-f-]+$/],
];

/** The Shield resource type of an ARN, or undefined when Shield Advanced cannot protect it. */
export function shieldResourceTypeOf(arn: string): ShieldResourceType | undefined {
  return SHIELD_ARN_SHAPES.find(([, re]) => re.test(arn))?.[0];
}

export function protectionGroupArn(accountId: string, id: string): string {
  return `arn:aws:shield::${accountId}:protection-group/${id}`;
}

export function protectionArn(accountId: string, id: string): string {
  return `arn:aws:shield::${accountId}:protection/${id}`;
}

function normalizeShield(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const s = c.object(value, 'shield');
  if (!s) return;
  c.known(s, ['subscription', 'protections', 'protectionGroups'], 'shield');
  // A shield section means a subscribed account unless it says `"subscription": null`.
  if (s.subscription !== null) {
    const sub = s.subscription === undefined ? {} : c.object(s.subscription, 'shield.subscription');
    if (sub) {
      c.known(sub, ['startTime', 'timeCommitmentInSeconds', 'autoRenew', 'limits'], 'shield.subscription');
      const autoRenew = c.string(sub, 'autoRenew', 'shield.subscription') ?? 'ENABLED';
      if (autoRenew !== 'ENABLED' && autoRenew !== 'DISABLED') c.fail('shield.subscription.autoRenew', `expected ENABLED or DISABLED, got ${JSON.stringify(autoRenew)}`);
      const limits = sub.limits === undefined ? {} : c.object(sub.limits, 'shield.subscription.limits');
      if (limits) c.known(limits, ['maxProtectionGroups', 'maxMembers'], 'shield.subscription.limits');
      state.shield.subscription = {
        startTime: c.timestamp(sub, 'startTime', 'shield.subscription') ?? iso,
        timeCommitmentInSeconds: c.integer(sub, 'timeCommitmentInSeconds', 'shield.subscription', 0, 2_147_483_647) ?? 31_536_000,
        autoRenew: autoRenew === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        limits: {
          maxProtectionGroups: (limits && c.integer(limits, 'maxProtectionGroups', 'shield.subscription.limits', 0, 1_000_000)) ?? DEFAULT_SHIELD_LIMITS.maxProtectionGroups,
          maxMembers: (limits && c.integer(limits, 'maxMembers', 'shield.subscription.limits', 0, 1_000_000)) ?? DEFAULT_SHIELD_LIMITS.maxMembers,
        },
      };
    }
  }
  const protectedArns = new Set<string>();
  const protectionIds = new Set<string>();
  c.array(s, 'protections', 'shield').forEach((v, i) => {
    const path = `shield.protections[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['id', 'name', 'resourceArn', 'tags'], path);
    const resourceArn = c.string(o, 'resourceArn', path, true);
    if (resourceArn === undefined) return;
    if (!shieldResourceTypeOf(resourceArn)) c.fail(join(path, 'resourceArn'), `not an ARN Shield Advanced protects (CloudFront distribution, Route 53 hosted zone, Elastic IP allocation, Classic or Application Load Balancer, Global Accelerator): ${JSON.stringify(resourceArn)}`);
    if (protectedArns.has(resourceArn)) c.fail(join(path, 'resourceArn'), `${resourceArn} is already protected`);
    protectedArns.add(resourceArn);
    const id = c.string(o, 'id', path) ?? uuidFrom('shield-protection', state.accountId, resourceArn);
    if (protectionIds.has(id)) c.fail(join(path, 'id'), `duplicate protection id ${id}`);
    protectionIds.add(id);
    state.shield.protections.push({ id, name: c.string(o, 'name', path) ?? resourceArn.slice(resourceArn.lastIndexOf('/') + 1), resourceArn, tags: normalizeTags(c, o.tags, join(path, 'tags')) });
  });
  const groupIds = new Set<string>();
  c.array(s, 'protectionGroups', 'shield').forEach((v, i) => {
    const path = `shield.protectionGroups[${i}]`;
    const o = c.object(v, path);
    if (!o) return;
    c.known(o, ['id', 'arn', 'aggregation', 'pattern', 'resourceType', 'members', 'tags'], path);
    const id = c.string(o, 'id', path, true);
    const aggregation = c.string(o, 'aggregation', path, true);
    const pattern = c.string(o, 'pattern', path, true);
    if (id === undefined || aggregation === undefined || pattern === undefined) return;
    if (!PROTECTION_GROUP_ID_RE.test(id)) c.fail(join(path, 'id'), `expected 1-36 letters, digits and hyphens, got ${JSON.stringify(id)}`);
    if (groupIds.has(id)) c.fail(join(path, 'id'), `duplicate protection group ${id}`);
    groupIds.add(id);
    if (!['SUM', 'MEAN', 'MAX'].includes(aggregation)) c.fail(join(path, 'aggregation'), `expected SUM, MEAN or MAX, got ${JSON.stringify(aggregation)}`);
    if (!['ALL', 'ARBITRARY', 'BY_RESOURCE_TYPE'].includes(pattern)) c.fail(join(path, 'pattern'), `expected ALL, ARBITRARY or BY_RESOURCE_TYPE, got ${JSON.stringify(pattern)}`);
    const resourceType = c.string(o, 'resourceType', path);
    if (resourceType !== undefined && !SHIELD_RESOURCE_TYPES.includes(resourceType as ShieldResourceType)) c.fail(join(path, 'resourceType'), `expected one of ${SHIELD_RESOURCE_TYPES.join(', ')}, got ${JSON.stringify(resourceType)}`);
    if ((pattern === 'BY_RESOURCE_TYPE') !== (resourceType !== undefined)) c.fail(join(path, 'resourceType'), 'resourceType is required with pattern BY_RESOURCE_TYPE and allowed only there');
    const members = c.stringList(o, 'members', path);
    // The saved form writes `members: []` for every pattern, as ListProtectionGroups does.
    if (pattern === 'ARBITRARY' ? members === undefined : (members ?? []).length > 0) c.fail(join(path, 'members'), 'members are required with pattern ARBITRARY and allowed only there');
    for (const [j, m] of (members ?? []).entries()) {
      if (!protectedArns.has(m)) c.fail(`${path}.members[${j}]`, `${m} is not in shield.protections (a member must be a protected resource)`);
    }
    const group: ShieldProtectionGroup = {
      id,
      arn: c.string(o, 'arn', path) ?? protectionGroupArn(state.accountId, id),
      aggregation: aggregation as ShieldProtectionGroup['aggregation'],
      pattern: pattern as ShieldProtectionGroup['pattern'],
      members: [...new Set(members ?? [])],
      tags: normalizeTags(c, o.tags, join(path, 'tags')),
    };
    if (resourceType !== undefined) group.resourceType = resourceType as ShieldResourceType;
    state.shield.protectionGroups.push(group);
  });
}

// ---------------------------------------------------------------------------------------------
// Files

function jsonErrorLocation(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m || /line \d+/.test(message)) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

/** Read, validate and normalise a state file. Errors name the file and every problem found. */
export async function loadSandboxState(file: string): Promise<SandboxState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SandboxStateError(file, [code === 'ENOENT' ? 'file not found' : `cannot read file: ${(e as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new SandboxStateError(file, [`not valid JSON: ${jsonErrorLocation(text, (e as Error).message)}`]);
  }
  return normalizeState(json, file);
}

export function serializeState(state: SandboxState): string {
  return JSON.stringify(state, null, 2) + '\n';
}

/** Write atomically (temp file + rename) so a reader never sees half a file. */
export async function writeStateFile(file: string, state: SandboxState): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, serializeState(state), 'utf8');
  await rename(tmp, file);
}
