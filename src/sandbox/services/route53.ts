/**
 * Route 53 (REST-XML, API version 2013-04-01): hosted zones, record sets, changes.
 */
import { compareStrings } from '../../core/json.js';
import {
  canonicalName,
  compareNames,
  describeValueProblem,
  encodeTxtValue,
  formatName,
  isWithinZone,
  nameProblem,
  RECORD_TYPES,
  recordValueProblem,
} from '../dns.js';
import { SandboxError } from '../errors.js';
import { alnumId, hexId } from '../ids.js';
import { el, listItems, opt, parseXmlDocument, text, XmlParseError, type XmlElement, type XmlNode } from '../xml.js';
import { errorResponse, intParam, pathSegments, rootElement, unsupported, xmlResponse } from './common.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';
import { join, type Checker } from '../checker.js';
import { defineSection, defineSettings, nextCounter, optional, type SandboxState } from '../section.js';

// ---------------------------------------------------------------------------------------------
// State: the `route53` section of the account file and `settings.route53`

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

export interface Route53Settings {
  /** GetChange calls until a change reports INSYNC (the Nth call answers INSYNC). 0 = INSYNC at once. */
  changeInsyncAfterPolls: number;
  /**
   * Also INSYNC once this many ms have passed since submission (null = only polls count). Default
   * 60000, Route 53's usual propagation time, so a change left PENDING by an earlier run reports INSYNC
   * when polled later.
   */
  changeInsyncAfterMs: number | null;
  /**
   * How long Route 53 takes to process an accepted batch, ms. Within it, another batch to the same zone
   * gets PriorRequestNotComplete ("Route 53 was still processing a prior request"); a batch that is
   * merely PENDING (propagating) blocks nothing, as on AWS. Default 0: only bursts set by tests collide.
   */
  changeProcessingMs: number;
}

export interface Route53State {
  hostedZones: HostedZone[];
  changes: ChangeRecord[];
}

declare module '../section.js' {
  interface SandboxState {
    route53: Route53State;
  }
  interface SandboxSettings {
    route53: Route53Settings;
  }
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

const route53Settings = defineSettings({
  key: 'route53',
  defaults: () => ({ changeInsyncAfterPolls: 1, changeInsyncAfterMs: 60_000, changeProcessingMs: 0 }),
  load(c, value, out) {
    const r = c.object(value, 'settings.route53');
    if (!r) return out;
    c.known(r, ['changeInsyncAfterPolls', 'changeInsyncAfterMs', 'changeProcessingMs'], 'settings.route53');
    out.changeProcessingMs = c.integer(r, 'changeProcessingMs', 'settings.route53', 0, 600_000) ?? out.changeProcessingMs;
    out.changeInsyncAfterPolls = c.integer(r, 'changeInsyncAfterPolls', 'settings.route53', 0, 1_000_000) ?? out.changeInsyncAfterPolls;
    if (r.changeInsyncAfterMs === null) out.changeInsyncAfterMs = null;
    else out.changeInsyncAfterMs = c.integer(r, 'changeInsyncAfterMs', 'settings.route53', 0, 2_147_483_647) ?? out.changeInsyncAfterMs;
    return out;
  },
});

const route53State = defineSection({ key: 'route53', empty: () => ({ hostedZones: [], changes: [] }), load: normalizeRoute53, settings: route53Settings });


const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const PREFIX = '/2013-04-01/';
const MAX_ZONES_PAGE = 100;
const MAX_RECORDS_PAGE = 300;
const MAX_BATCH_RECORDS = 1000;
const MAX_BATCH_CHARS = 32000;

const invalidInput = (message: string): SandboxError => new SandboxError(400, 'InvalidInput', message);
const noSuchZone = (id: string): SandboxError => new SandboxError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
const invalidChangeBatch = (messages: readonly string[]): SandboxError =>
  new SandboxError(400, 'InvalidChangeBatch', `[${messages.join(', ')}]`);

function segmentsAfterPrefix(req: ServiceRequest): string[] | undefined {
  if (!req.path.startsWith(PREFIX)) return undefined;
  return pathSegments(req.path.slice(PREFIX.length));
}

function operationOf(req: ServiceRequest): string {
  const s = segmentsAfterPrefix(req);
  if (!s) return 'Unknown';
  const m = req.method;
  if (s[0] === 'hostedzone') {
    if (s.length === 1) return m === 'GET' ? 'ListHostedZones' : m === 'POST' ? 'CreateHostedZone' : 'Unknown';
    if (s.length === 2) return m === 'GET' ? 'GetHostedZone' : m === 'DELETE' ? 'DeleteHostedZone' : m === 'POST' ? 'UpdateHostedZoneComment' : 'Unknown';
    if (s.length === 3 && s[2] === 'rrset') return m === 'GET' ? 'ListResourceRecordSets' : m === 'POST' ? 'ChangeResourceRecordSets' : 'Unknown';
    return 'Unknown';
  }
  if (s[0] === 'change' && s.length === 2 && m === 'GET') return 'GetChange';
  if (s[0] === 'hostedzonesbyname' && s.length === 1 && m === 'GET') return 'ListHostedZonesByName';
  if (s[0] === 'hostedzonecount' && s.length === 1 && m === 'GET') return 'GetHostedZoneCount';
  return 'Unknown';
}

// ---------------------------------------------------------------------------------------------
// Rendering

function hostedZoneXml(z: HostedZone): XmlElement {
  return el(
    'HostedZone',
    el('Id', `/hostedzone/${z.id}`),
    el('Name', formatName(z.name)),
    el('CallerReference', z.callerReference),
    el('Config', opt('Comment', z.comment), el('PrivateZone', z.private)),
    el('ResourceRecordSetCount', z.records.length),
  );
}

function recordXml(r: RecordSet): XmlElement {
  return el(
    'ResourceRecordSet',
    el('Name', formatName(r.name)),
    el('Type', r.type),
    opt('SetIdentifier', r.setIdentifier),
    opt('Weight', r.weight),
    opt('Region', r.region),
    opt('Failover', r.failover),
    opt('MultiValueAnswer', r.multiValueAnswer),
    opt('TTL', r.ttl),
    r.values && el('ResourceRecords', r.values.map((v) => el('ResourceRecord', el('Value', v)))),
    r.alias &&
      el(
        'AliasTarget',
        el('HostedZoneId', r.alias.hostedZoneId),
        el('DNSName', formatName(r.alias.dnsName)),
        el('EvaluateTargetHealth', r.alias.evaluateTargetHealth),
      ),
    opt('HealthCheckId', r.healthCheckId),
  );
}

function changeInfoXml(c: ChangeRecord): XmlElement {
  return el('ChangeInfo', el('Id', `/change/${c.id}`), el('Status', c.status), el('SubmittedAt', c.submittedAt), opt('Comment', c.comment));
}

// ---------------------------------------------------------------------------------------------
// Zones

function findZone(state: SandboxState, rawId: string): HostedZone {
  const id = rawId.replace(/^\/?hostedzone\//, '');
  const zone = state.route53.hostedZones.find((z) => z.id === id);
  if (!zone) throw noSuchZone(id);
  return zone;
}

function pageSize(req: ServiceRequest, max: number): number {
  const n = intParam(req, 'maxitems', invalidInput);
  if (n === undefined) return max;
  if (n < 1) throw invalidInput(`Invalid value for maxitems: ${n}`);
  return Math.min(n, max);
}

function listHostedZones(req: ServiceRequest, state: SandboxState): ServiceResponse {
  const max = pageSize(req, MAX_ZONES_PAGE);
  const type = req.query.get('hostedzonetype');
  if (type !== null && type !== 'PrivateHostedZone') throw invalidInput(`Invalid value for hostedzonetype: ${type}`);
  const zones = state.route53.hostedZones.filter((z) => type === null || z.private);
  const marker = req.query.get('marker');
  let start = 0;
  if (marker) {
    start = zones.findIndex((z) => z.id === marker.replace(/^\/hostedzone\//, ''));
    if (start < 0) throw invalidInput(`Invalid marker: ${marker}`);
  }
  const page = zones.slice(start, start + max);
  const next = zones[start + max];
  return xmlResponse(
    200,
    rootElement(
      'ListHostedZonesResponse',
      NS,
      el('HostedZones', page.map(hostedZoneXml)),
      // Required in the model: empty on the first page.
      el('Marker', marker ?? ''),
      el('IsTruncated', next !== undefined),
      next && el('NextMarker', next.id),
      el('MaxItems', max),
    ),
  );
}

function listHostedZonesByName(req: ServiceRequest, state: SandboxState): ServiceResponse {
  const max = pageSize(req, MAX_ZONES_PAGE);
  const dnsName = req.query.get('dnsname');
  const zoneId = req.query.get('hostedzoneid');
  if (zoneId && !dnsName) throw invalidInput('HostedZoneId requires DNSName');
  const zones = [...state.route53.hostedZones].sort((a, b) => compareNames(a.name, b.name) || compareStrings(a.id, b.id));
  let start = 0;
  if (dnsName) {
    const name = canonicalName(dnsName);
    start = zones.findIndex((z) => {
      const c = compareNames(z.name, name);
      return c > 0 || (c === 0 && (!zoneId || compareStrings(z.id, zoneId) >= 0));
    });
    if (start < 0) start = zones.length;
  }
  const page = zones.slice(start, start + max);
  const next = zones[start + max];
  return xmlResponse(
    200,
    rootElement(
      'ListHostedZonesByNameResponse',
      NS,
      el('HostedZones', page.map(hostedZoneXml)),
      dnsName && el('DNSName', dnsName),
      zoneId && el('HostedZoneId', zoneId),
      el('IsTruncated', next !== undefined),
      next && el('NextDNSName', formatName(next.name)),
      next && el('NextHostedZoneId', next.id),
      el('MaxItems', max),
    ),
  );
}

function getHostedZone(id: string, state: SandboxState): ServiceResponse {
  const zone = findZone(state, id);
  return xmlResponse(
    200,
    rootElement(
      'GetHostedZoneResponse',
      NS,
      hostedZoneXml(zone),
      !zone.private && el('DelegationSet', el('NameServers', zone.nameServers.map((n) => el('NameServer', n.replace(/\.$/, ''))))),
    ),
  );
}

function getHostedZoneCount(state: SandboxState): ServiceResponse {
  return xmlResponse(200, rootElement('GetHostedZoneCountResponse', NS, el('HostedZoneCount', state.route53.hostedZones.length)));
}

// ---------------------------------------------------------------------------------------------
// Record sets

function compareRecordKey(r: RecordSet, name: string, type: string | undefined, identifier: string | undefined): number {
  const c = compareNames(r.name, name);
  if (c !== 0 || type === undefined) return c;
  if (r.type !== type) return r.type < type ? -1 : 1;
  if (identifier === undefined) return 0;
  return compareStrings(r.setIdentifier ?? '', identifier);
}

function listResourceRecordSets(id: string, req: ServiceRequest, state: SandboxState): ServiceResponse {
  const zone = findZone(state, id);
  const max = pageSize(req, MAX_RECORDS_PAGE);
  const startName = req.query.get('name');
  const startType = req.query.get('type') ?? undefined;
  const startId = req.query.get('identifier') ?? undefined;
  if (startType !== undefined && !startName) throw invalidInput('The input is not valid: StartRecordType requires StartRecordName');
  if (startType !== undefined && !RECORD_TYPES.has(startType)) throw invalidInput(`Invalid type: ${startType}`);
  if (startId !== undefined && startType === undefined) throw invalidInput('The input is not valid: StartRecordIdentifier requires StartRecordType');
  const records = zone.records;
  let start = 0;
  if (startName) {
    const name = canonicalName(startName);
    start = records.findIndex((r) => compareRecordKey(r, name, startType, startId) >= 0);
    if (start < 0) start = records.length;
  }
  const page = records.slice(start, start + max);
  const next = records[start + max];
  return xmlResponse(
    200,
    rootElement(
      'ListResourceRecordSetsResponse',
      NS,
      el('ResourceRecordSets', page.map(recordXml)),
      el('IsTruncated', next !== undefined),
      next && el('NextRecordName', formatName(next.name)),
      next && el('NextRecordType', next.type),
      next?.setIdentifier !== undefined && el('NextRecordIdentifier', next.setIdentifier),
      el('MaxItems', max),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// ChangeResourceRecordSets

type Action = 'CREATE' | 'DELETE' | 'UPSERT';
interface ParsedChange {
  action: Action;
  record: RecordSet;
}

function parseInteger(value: string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw invalidInput(`1 validation error detected: Value '${value}' at '${where}' failed to satisfy constraint: Member must be an integer`);
  return Number(value.trim());
}

function parseChanges(body: Buffer): { changes: ParsedChange[]; comment?: string } {
  let doc: ReturnType<typeof parseXmlDocument>;
  try {
    doc = parseXmlDocument(body.toString('utf8'));
  } catch (e) {
    throw invalidInput(`Could not parse the request body as XML: ${e instanceof XmlParseError ? e.message : String(e)}`);
  }
  const batch = doc.value.ChangeBatch;
  if (batch === undefined) throw invalidInput("1 validation error detected: Value null at 'changeBatch' failed to satisfy constraint: Member must not be null");
  const items = listItems(batch, 'Changes', 'Change');
  if (items.length === 0) {
    throw invalidInput("1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  const changes = items.map((item, i) => parseChange(item, i + 1));
  const comment = text(batch, 'Comment');
  return comment === undefined ? { changes } : { changes, comment };
}

function parseChange(item: XmlNode, n: number): ParsedChange {
  const where = `changeBatch.changes.${n}.member`;
  const action = text(item, 'Action');
  if (action === undefined) throw invalidInput(`1 validation error detected: Value null at '${where}.action' failed to satisfy constraint: Member must not be null`);
  if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT') {
    throw invalidInput(`1 validation error detected: Value '${action}' at '${where}.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]`);
  }
  const rrs = (typeof item === 'object' && !Array.isArray(item) ? item.ResourceRecordSet : undefined) as XmlNode | undefined;
  if (rrs === undefined) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet' failed to satisfy constraint: Member must not be null`);
  const rawName = text(rrs, 'Name');
  if (rawName === undefined) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet.name' failed to satisfy constraint: Member must not be null`);
  const type = text(rrs, 'Type');
  if (type === undefined) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet.type' failed to satisfy constraint: Member must not be null`);
  if (!RECORD_TYPES.has(type)) {
    throw invalidInput(`1 validation error detected: Value '${type}' at '${where}.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set: [${[...RECORD_TYPES].join(', ')}]`);
  }
  for (const unsupportedField of ['GeoLocation', 'CidrRoutingConfig', 'GeoProximityLocation', 'TrafficPolicyInstanceId']) {
    if (text(rrs, unsupportedField) !== undefined) throw invalidInput(`The Charter sandbox does not support ${unsupportedField} record sets`);
  }
  const record: RecordSet = { name: canonicalName(rawName), type };
  const ttl = parseInteger(text(rrs, 'TTL'), `${where}.resourceRecordSet.TTL`);
  const rrItems = listItems(rrs, 'ResourceRecords', 'ResourceRecord');
  const hasRecords = typeof rrs === 'object' && !Array.isArray(rrs) && rrs.ResourceRecords !== undefined;
  const aliasNode = typeof rrs === 'object' && !Array.isArray(rrs) ? rrs.AliasTarget : undefined;
  const setId = text(rrs, 'SetIdentifier');
  const describeChange = `Change with [Action=${action}, Name=${rawName}, Type=${type}, SetIdentifier=${setId ?? 'null'}]`;
  if (aliasNode !== undefined) {
    if (ttl !== undefined || hasRecords) {
      throw invalidInput(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in ${describeChange}`);
    }
    const hz = text(aliasNode, 'HostedZoneId');
    const dns = text(aliasNode, 'DNSName');
    if (hz === undefined || dns === undefined) throw invalidInput(`Invalid request: AliasTarget requires HostedZoneId and DNSName in ${describeChange}`);
    record.alias = { hostedZoneId: hz.replace(/^\/hostedzone\//, ''), dnsName: canonicalName(dns), evaluateTargetHealth: text(aliasNode, 'EvaluateTargetHealth') === 'true' };
  } else {
    if (ttl === undefined || !hasRecords) {
      throw invalidInput(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in ${describeChange}`);
    }
    if (ttl < 0 || ttl > 2147483647) throw invalidInput(`1 validation error detected: Value '${ttl}' at '${where}.resourceRecordSet.TTL' failed to satisfy constraint: Member must have value between 0 and 2147483647`);
    if (rrItems.length === 0) {
      throw invalidInput(`1 validation error detected: Value '[]' at '${where}.resourceRecordSet.resourceRecords' failed to satisfy constraint: Member must have length greater than or equal to 1`);
    }
    record.ttl = ttl;
    record.values = rrItems.map((rr, j) => {
      const v = text(rr, 'Value');
      if (v === undefined) throw invalidInput(`1 validation error detected: Value null at '${where}.resourceRecordSet.resourceRecords.${j + 1}.member.value' failed to satisfy constraint: Member must not be null`);
      return v;
    });
  }
  if (setId !== undefined) record.setIdentifier = setId;
  const weight = parseInteger(text(rrs, 'Weight'), `${where}.resourceRecordSet.weight`);
  if (weight !== undefined) record.weight = weight;
  const region = text(rrs, 'Region');
  if (region !== undefined) record.region = region;
  const failover = text(rrs, 'Failover');
  if (failover !== undefined) record.failover = failover;
  const mva = text(rrs, 'MultiValueAnswer');
  if (mva !== undefined) record.multiValueAnswer = mva === 'true';
  const hc = text(rrs, 'HealthCheckId');
  if (hc !== undefined) record.healthCheckId = hc;
  return { action, record };
}

function describeRrset(r: RecordSet): string {
  return `[name='${formatName(r.name)}', type='${r.type}'${r.setIdentifier !== undefined ? `, set-identifier='${r.setIdentifier}'` : ''}]`;
}

function recordKey(r: RecordSet): string {
  return `${r.name}|${r.type}|${r.setIdentifier ?? ''}`;
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((v, i) => v === sb[i]);
}

/** DELETE must match the existing record set exactly: TTL, values, alias and routing fields. */
function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  return (
    a.ttl === b.ttl &&
    sameValues(a.values, b.values) &&
    (a.alias === undefined
      ? b.alias === undefined
      : b.alias !== undefined &&
        a.alias.hostedZoneId === b.alias.hostedZoneId &&
        a.alias.dnsName === b.alias.dnsName &&
        a.alias.evaluateTargetHealth === b.alias.evaluateTargetHealth) &&
    a.weight === b.weight &&
    a.region === b.region &&
    a.failover === b.failover &&
    a.multiValueAnswer === b.multiValueAnswer &&
    a.healthCheckId === b.healthCheckId
  );
}

/** Record-level checks that do not depend on the zone's current content. */
function checkRecordSyntax(zone: HostedZone, change: ParsedChange): string[] {
  const r = change.record;
  const problems: string[] = [];
  const np = nameProblem(r.name);
  if (np) problems.push(`FATAL problem: ${np.code} (${np.description}) encountered with '${np.value}'`);
  if (!isWithinZone(r.name, zone.name)) problems.push(`RRSet with DNS name ${formatName(r.name)} is not permitted in zone ${formatName(zone.name)}`);
  for (const v of r.values ?? []) {
    const p = recordValueProblem(r.type, v);
    if (p) problems.push(describeValueProblem(p, v));
  }
  if (r.type === 'CNAME' && (r.values?.length ?? 0) > 1) {
    problems.push(`RRSet of type CNAME with DNS name ${formatName(r.name)} has more than one value; a CNAME record set holds exactly one`);
  }
  if (r.type === 'SOA' && r.name !== zone.name) problems.push(`RRSet of type SOA with DNS name ${formatName(r.name)} is not permitted; SOA records exist only at the zone apex`);
  return problems;
}

/** Route 53 batch limits: ≤1000 ResourceRecord elements and ≤32,000 value characters; UPSERT counts double. */
function checkLimits(changes: readonly ParsedChange[]): string[] {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const factor = c.action === 'UPSERT' ? 2 : 1;
    const values = c.record.values ?? [];
    records += factor * values.length;
    chars += factor * values.reduce((n, v) => n + v.length, 0);
  }
  const problems: string[] = [];
  if (records > MAX_BATCH_RECORDS) problems.push(`Number of records limit of ${MAX_BATCH_RECORDS} exceeded.`);
  if (chars > MAX_BATCH_CHARS) problems.push(`RDATA character limit of ${MAX_BATCH_CHARS} exceeded.`);
  return problems;
}

/** CNAME exclusivity, worded like Route 53 from the point of view of the changed record set. */
function cnameProblems(records: readonly RecordSet[], changes: readonly ParsedChange[], zone: HostedZone): string[] {
  const typesAt = new Map<string, Set<string>>();
  for (const r of records) typesAt.set(r.name, (typesAt.get(r.name) ?? new Set<string>()).add(r.type));
  const problems = new Set<string>();
  const zoneName = formatName(zone.name);
  for (const { action, record } of changes) {
    if (action === 'DELETE') continue;
    const types = typesAt.get(record.name) ?? new Set<string>();
    const name = formatName(record.name);
    if (record.type === 'CNAME' && types.size > 1) {
      problems.add(`RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneName}`);
    } else if (record.type !== 'CNAME' && types.has('CNAME')) {
      problems.add(`RRSet of type ${record.type} with DNS name ${name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}`);
    }
  }
  return [...problems];
}

/** Apply the batch to a copy of the zone's records; return the new list or the error messages. */
function applyChanges(zone: HostedZone, changes: readonly ParsedChange[]): { records: RecordSet[] } | { problems: string[] } {
  const current = new Map<string, RecordSet>(zone.records.map((r) => [recordKey(r), r]));
  const problems: string[] = [];
  for (const { action, record } of changes) {
    const key = recordKey(record);
    const existing = current.get(key);
    if (action === 'CREATE') {
      if (existing) problems.push(`Tried to create resource record set ${describeRrset(record)} but it already exists`);
      else current.set(key, record);
    } else if (action === 'DELETE') {
      if (!existing) problems.push(`Tried to delete resource record set ${describeRrset(record)} but it was not found`);
      else if (!sameRecordSet(existing, record)) problems.push(`Tried to delete resource record set ${describeRrset(record)} but the values provided do not match the current values`);
      else current.delete(key);
    } else {
      current.set(key, record);
    }
  }
  const records = [...current.values()];
  const apex = records.filter((r) => r.name === zone.name);
  if (problems.length === 0) {
    if (apex.filter((r) => r.type === 'SOA').length !== 1) problems.push('A HostedZone must contain exactly one SOA record.');
    if (!apex.some((r) => r.type === 'NS')) problems.push('A HostedZone must contain at least one NS record for the zone itself.');
    problems.push(...cnameProblems(records, changes, zone));
  }
  if (problems.length > 0) return { problems };
  sortRecords(records);
  return { records };
}

/** Bring a PENDING change up to date with the time-based setting. */
function refreshChange(change: ChangeRecord, state: SandboxState, now: Date): boolean {
  if (change.status !== 'PENDING') return false;
  const ms = state.settings.route53.changeInsyncAfterMs;
  if (ms !== null && now.getTime() - Date.parse(change.submittedAt) >= ms) {
    change.status = 'INSYNC';
    change.pollsRemaining = 0;
    return true;
  }
  return false;
}

function changeResourceRecordSets(id: string, req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const { state } = ctx;
  const zone = findZone(state, id);
  const now = ctx.now();
  // AWS accepts a batch while earlier ones are PENDING; it refuses one only while it is still processing
  // the previous request to the zone (a burst), which the SDK retries as throttling.
  const processing = state.settings.route53.changeProcessingMs;
  if (processing > 0 && state.route53.changes.some((c) => c.hostedZoneId === zone.id && now.getTime() - Date.parse(c.submittedAt) < processing)) {
    throw new SandboxError(400, 'PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.');
  }
  const { changes, comment } = parseChanges(req.body);
  const syntax = changes.flatMap((c) => checkRecordSyntax(zone, c));
  if (syntax.length > 0) throw invalidChangeBatch(syntax);
  const limits = checkLimits(changes);
  if (limits.length > 0) throw invalidChangeBatch(limits);
  const result = applyChanges(zone, changes);
  if ('problems' in result) throw invalidChangeBatch(result.problems);

  zone.records = result.records;
  const polls = state.settings.route53.changeInsyncAfterPolls;
  const change: ChangeRecord = {
    id: 'C' + alnumId(13, 'change', state.accountId, String(nextCounter(state, 'route53Change'))),
    hostedZoneId: zone.id,
    status: polls === 0 ? 'INSYNC' : 'PENDING',
    submittedAt: now.toISOString(),
    ...(comment !== undefined ? { comment } : {}),
    pollsRemaining: polls,
  };
  state.route53.changes.push(change);
  ctx.changed();
  return xmlResponse(200, rootElement('ChangeResourceRecordSetsResponse', NS, changeInfoXml(change)));
}

function getChange(rawId: string, ctx: ServiceContext): ServiceResponse {
  const id = rawId.replace(/^\/?change\//, '');
  const change = ctx.state.route53.changes.find((c) => c.id === id);
  if (!change) throw new SandboxError(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
  if (change.status === 'PENDING') {
    refreshChange(change, ctx.state, ctx.now());
    if (change.status === 'PENDING') {
      change.pollsRemaining = Math.max(0, change.pollsRemaining - 1);
      if (change.pollsRemaining === 0) change.status = 'INSYNC';
    }
    ctx.changed();
  }
  return xmlResponse(200, rootElement('GetChangeResponse', NS, changeInfoXml(change)));
}

// ---------------------------------------------------------------------------------------------

export const route53: ServiceHandler = {
  state: route53State,
  name: 'route53',
  matches: (req) => req.path.startsWith(PREFIX),
  operation: operationOf,
  isMutating: (op) => op === 'ChangeResourceRecordSets' || op === 'CreateHostedZone' || op === 'DeleteHostedZone' || op === 'UpdateHostedZoneComment',
  handle(op, req, ctx) {
    const s = segmentsAfterPrefix(req) ?? [];
    switch (op) {
      case 'ListHostedZones':
        return listHostedZones(req, ctx.state);
      case 'ListHostedZonesByName':
        return listHostedZonesByName(req, ctx.state);
      case 'GetHostedZone':
        return getHostedZone(s[1], ctx.state);
      case 'GetHostedZoneCount':
        return getHostedZoneCount(ctx.state);
      case 'ListResourceRecordSets':
        return listResourceRecordSets(s[1], req, ctx.state);
      case 'ChangeResourceRecordSets':
        return changeResourceRecordSets(s[1], req, ctx);
      case 'GetChange':
        return getChange(s[1], ctx);
      default:
        throw unsupported('Route 53', req);
    }
  },
  renderError: (err, req) => errorResponse(NS, err, req),
  throttleError: () => new SandboxError(400, 'Throttling', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'InvalidInput', 'Injected failure (sandbox failNthWrite)'),
};
