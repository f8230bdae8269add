/**
 * Route 53 (REST-XML, API version 2013-04-01): hosted zones, record sets, changes.
 */
import { compareStrings } from '../../core/json.js';
import {
  canonicalName,
  compareNames,
  describeValueProblem,
  formatName,
  isWithinZone,
  nameProblem,
  RECORD_TYPES,
  recordValueProblem,
} from '../dns.js';
import { SandboxError } from '../errors.js';
import { alnumId } from '../ids.js';
import {
  nextCounter,
  sortRecords,
  type ChangeRecord,
  type HostedZone,
  type RecordSet,
  type SandboxState,
} from '../state.js';
import { el, listItems, opt, parseXmlDocument, text, XmlParseError, type XmlElement, type XmlNode } from '../xml.js';
import { errorResponse, intParam, pathSegments, rootElement, unsupported, xmlResponse } from './common.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';

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
      opt('Marker', marker ?? undefined),
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
  const pending = state.route53.changes.filter((c) => c.hostedZoneId === zone.id && c.status === 'PENDING');
  for (const c of pending) if (refreshChange(c, state, now)) ctx.changed();
  if (pending.some((c) => c.status === 'PENDING')) {
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
