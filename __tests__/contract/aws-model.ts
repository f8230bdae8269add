/**
 * Checks sandbox responses against AWS's own service models: botocore's
 * `data/<service>/<version>/service-2.json(.gz)`, the files every AWS SDK is generated from.
 *
 * For a success: the status the operation declares, every member of the output shape (names as the
 * wire spells them, nothing undeclared, required members present), enum values and scalar types, for
 * the rest-xml (Route 53, S3, CloudFront), query (SNS: the `<Op>Response><Op>Result>` wrapper), rest-json and json protocols. For an error: the code must be
 * one the operation declares, with the status its shape declares, or one of the errors AWS documents as
 * common to every operation of the service (the models do not list those).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import type { RecordedResponse } from '../../src/sandbox/index.js';

interface Member {
  shape: string;
  location?: string;
  locationName?: string;
  flattened?: boolean;
}

export interface Shape {
  type: string;
  members?: Record<string, Member>;
  required?: string[];
  payload?: string;
  enum?: string[];
  member?: Member;
  key?: Member;
  value?: Member;
  flattened?: boolean;
  timestampFormat?: string;
  error?: { code?: string; httpStatusCode?: number };
  exception?: boolean;
  streaming?: boolean;
}

interface Operation {
  http?: { method?: string; requestUri?: string; responseCode?: number };
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
}

export interface ServiceModel {
  metadata: { protocol: string; protocols?: string[]; serviceId?: string; apiVersion?: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** Sandbox service name → botocore data directory. */
export const MODEL_DIRS: Record<string, string> = {
  route53: 'route53',
  acm: 'acm',
  s3: 's3',
  cloudfront: 'cloudfront',
  shield: 'shield',
  'redshift-data': 'redshift-data',
  codepipeline: 'codepipeline',
  codebuild: 'codebuild',
  codeartifact: 'codeartifact',
  sns: 'sns',
};

/**
 * Errors AWS returns for any operation of a service, which the models do not declare per operation:
 * the "Common Errors" of the API references (signing, throttling, internal failures), and S3's error
 * responses (its model declares almost none; see "Error responses" in the S3 API reference).
 */
const COMMON_ERRORS = ['AccessDenied', 'AccessDeniedException', 'IncompleteSignature', 'InternalFailure', 'InternalError', 'InvalidAction', 'InvalidClientTokenId', 'InvalidParameterCombination', 'InvalidParameterValue', 'InvalidQueryParameter', 'MalformedQueryString', 'MissingAction', 'MissingAuthenticationToken', 'MissingParameter', 'NotAuthorized', 'OptInRequired', 'RequestExpired', 'ServiceUnavailable', 'ThrottlingException', 'Throttling', 'ValidationError', 'ValidationException', 'UnrecognizedClientException'];
const S3_ERRORS = ['NoSuchBucket', 'NoSuchKey', 'PermanentRedirect', 'AuthorizationHeaderMalformed', 'PreconditionFailed', 'BadDigest', 'KeyTooLongError', 'InvalidArgument', 'NotImplemented', 'SlowDown', 'IncompleteBody', 'EntityTooLarge', 'InvalidBucketName', 'MalformedXML', 'NotModified'];

/**
 * Where AWS's documentation and its model disagree, and the sandbox follows what the service sends.
 * Each entry names its source; nothing else is exempt.
 */
const DOCUMENTED_EXCEPTIONS: { service: string; operation?: string; errorCode?: string; enumValue?: RegExp; why: string }[] = [
  {
    service: 'cloudfront',
    operation: 'CreateInvalidation',
    errorCode: 'InvalidationBatchAlreadyExists',
    why: 'CloudFront API reference, InvalidationBatch.CallerReference: a reused CallerReference with different paths returns InvalidationBatchAlreadyExists, an error the model does not list',
  },
  {
    service: 'acm',
    enumValue: /^(RSA|EC)-[A-Za-z0-9]+$/,
    why: 'ACM returns KeyAlgorithm as "RSA-2048" (AWS CLI reference, describe-certificate output); the model enum spells the request values RSA_2048',
  },
];

function exempt(service: string, operation: string, problem: string): boolean {
  return DOCUMENTED_EXCEPTIONS.some((e) => {
    if (e.service !== service || (e.operation !== undefined && e.operation !== operation)) return false;
    if (e.errorCode !== undefined) return problem.startsWith(`error ${e.errorCode} `);
    const value = /: "([^"]*)" is not one of /.exec(problem)?.[1];
    return e.enumValue !== undefined && value !== undefined && e.enumValue.test(value);
  });
}

/** Where botocore keeps its models, or undefined when Python or botocore is missing. */
export function botocoreDataDir(): string | undefined {
  try {
    const dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
    const data = join(dir, 'data');
    return existsSync(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

export function loadModel(dataDir: string, service: string): ServiceModel {
  const base = join(dataDir, MODEL_DIRS[service] ?? service);
  const version = readdirSync(base).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort().pop();
  if (!version) throw new Error(`no model versions under ${base}`);
  const file = join(base, version, 'service-2.json');
  const raw = existsSync(file) ? readFileSync(file) : gunzipSync(readFileSync(`${file}.gz`));
  return JSON.parse(raw.toString('utf8')) as ServiceModel;
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, removeNSPrefix: true, ignoreDeclaration: true });

export interface Violation {
  service: string;
  operation: string;
  status: number;
  problem: string;
}

/** Every way one response departs from the model (empty when it conforms). */
export function checkResponse(model: ServiceModel, r: RecordedResponse): string[] {
  const op = model.operations[r.operation];
  if (!op) return [`operation ${r.operation} is not in the ${model.metadata.serviceId ?? ''} model`];
  if (r.status >= 300 && r.status !== 304) return checkError(model, op, r);
  if (r.status === 304) return [];
  const out: string[] = [];
  const expected = op.http?.responseCode ?? 200;
  if (r.status !== expected) out.push(`status ${r.status}, the model declares ${expected}`);
  if (model.metadata.protocol === 'query') return [...out, ...checkQuery(model, r.operation, op, r.body ?? '')];
  if (!op.output) {
    const body = (r.body ?? '').trim();
    // JSON protocols answer an operation without output with an empty object.
    if (body !== '' && !(model.metadata.protocol !== 'rest-xml' && body === '{}')) out.push('the operation has no output, but the response has a body');
    return out;
  }
  const shape = model.shapes[op.output.shape];
  out.push(...checkHeaders(model, shape, r));
  const protocol = model.metadata.protocol;
  const payload = shape.payload ? shape.members?.[shape.payload] : undefined;
  if (payload && ['blob', 'string'].includes(model.shapes[payload.shape].type)) return out; // raw payload (object bytes)
  if (r.body === undefined || r.body.trim() === '') {
    const requiredBody = (shape.required ?? []).filter((m) => !shape.members?.[m].location);
    if (requiredBody.length > 0) out.push(`no body, but ${requiredBody.join(', ')} are required`);
    return out;
  }
  if (protocol === 'rest-xml') {
    let doc: Record<string, unknown>;
    try {
      doc = xml.parse(r.body, true) as Record<string, unknown>;
    } catch (e) {
      return [...out, `body is not XML: ${e instanceof Error ? e.message : String(e)}`];
    }
    const roots = Object.keys(doc);
    if (roots.length !== 1) return [...out, `expected one XML root element, got ${roots.join(', ')}`];
    const root = doc[roots[0]];
    if (payload) checkValue(model, payload.shape, root, `${roots[0]}`, 'xml', out);
    else checkStructure(model, shape, root, roots[0], 'xml', out, true);
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(r.body);
  } catch {
    return [...out, 'body is not JSON'];
  }
  if (payload) checkValue(model, payload.shape, json, '$', 'json', out);
  else checkStructure(model, shape, json, '$', 'json', out, true);
  return out;
}

/** Query protocol: `<Op>Response>` holding the output under `resultWrapper` (none without output) and ResponseMetadata. */
function checkQuery(model: ServiceModel, name: string, op: Operation, body: string): string[] {
  const out: string[] = [];
  let doc: Record<string, unknown>;
  try {
    doc = xml.parse(body, true) as Record<string, unknown>;
  } catch (e) {
    return [`body is not XML: ${e instanceof Error ? e.message : String(e)}`];
  }
  const rootName = `${name}Response`;
  const root = doc[rootName];
  if (Object.keys(doc).length !== 1 || root === undefined) return [`expected one <${rootName}> root element, got ${Object.keys(doc).join(', ')}`];
  const children = root === '' ? {} : (root as Record<string, unknown>);
  const wrapper = op.output?.resultWrapper;
  for (const key of Object.keys(children)) if (key !== 'ResponseMetadata' && key !== wrapper) out.push(`${rootName}.${key}: not ${wrapper ? `${wrapper} nor ` : ''}ResponseMetadata`);
  if (op.output && wrapper) {
    if (children[wrapper] === undefined) out.push(`${rootName}: ${wrapper} is missing`);
    else checkStructure(model, model.shapes[op.output.shape], children[wrapper], `${rootName}.${wrapper}`, 'xml', out);
  }
  return out;
}

function checkHeaders(model: ServiceModel, shape: Shape, r: RecordedResponse): string[] {
  const out: string[] = [];
  for (const [name, m] of Object.entries(shape.members ?? {})) {
    if (m.location !== 'header') continue;
    const value = r.headers[(m.locationName ?? name).toLowerCase()];
    if (value === undefined) {
      if (shape.required?.includes(name)) out.push(`required header ${m.locationName ?? name} (${name}) is missing`);
      continue;
    }
    const enumValues = model.shapes[m.shape].enum;
    if (enumValues && !enumValues.includes(value)) out.push(`header ${m.locationName ?? name} = ${JSON.stringify(value)} is not one of ${enumValues.join(', ')}`);
  }
  return out;
}

function checkError(model: ServiceModel, op: Operation, r: RecordedResponse): string[] {
  const code = errorCode(model, r);
  if (code === undefined) return r.body === undefined || r.body === '' ? [] : ['error response without an error code'];
  const declared = new Map<string, Shape>();
  for (const e of op.errors ?? []) {
    const shape = model.shapes[e.shape];
    declared.set(shape.error?.code ?? e.shape, shape);
  }
  const shape = declared.get(code);
  if (shape) {
    const status = shape.error?.httpStatusCode;
    return status !== undefined && status !== r.status ? [`error ${code} with status ${r.status}; the model declares ${status}`] : [];
  }
  if (COMMON_ERRORS.includes(code) || (model.metadata.serviceId === 'S3' && S3_ERRORS.includes(code))) return [];
  return [`error ${code} is not one the operation declares (${[...declared.keys()].join(', ') || 'none'}) nor a common error`];
}

function errorCode(model: ServiceModel, r: RecordedResponse): string | undefined {
  const header = r.headers['x-amzn-errortype'];
  if (header) return header.split(':')[0].split('#').pop();
  if (!r.body) return undefined;
  if (model.metadata.protocol === 'rest-xml' || r.body.trimStart().startsWith('<')) {
    const doc = xml.parse(r.body) as { ErrorResponse?: { Error?: { Code?: string } }; Error?: { Code?: string } };
    return doc.ErrorResponse?.Error?.Code ?? doc.Error?.Code;
  }
  try {
    const json = JSON.parse(r.body) as { __type?: string; code?: string };
    return (json.__type ?? json.code)?.split('#').pop();
  } catch {
    return undefined;
  }
}

type Wire = 'xml' | 'json';

/** The element or key name a member has on the wire, and the member it belongs to. */
function wireMembers(model: ServiceModel, shape: Shape, wire: Wire): Map<string, [string, Member]> {
  const out = new Map<string, [string, Member]>();
  for (const [name, m] of Object.entries(shape.members ?? {})) {
    if (m.location) continue; // headers and status codes are not in the body
    const target = model.shapes[m.shape];
    let wireName = m.locationName ?? name;
    if (wire === 'xml' && target.type === 'list' && (m.flattened || target.flattened)) wireName = m.locationName ?? target.member?.locationName ?? name;
    if (wire === 'json') wireName = m.locationName ?? name;
    out.set(wireName, [name, m]);
  }
  return out;
}

/**
 * Values the API reference documents for members the model types as plain strings (the model has no
 * enum for them): `<service>:<Structure>.<Member>`.
 */
const DOCUMENTED_VALUES: Record<string, readonly string[]> = {
  // CloudFront API reference, Invalidation / InvalidationSummary: "InProgress" until "Completed".
  'CloudFront:Invalidation.Status': ['InProgress', 'Completed'],
  'CloudFront:InvalidationSummary.Status': ['InProgress', 'Completed'],
  // CloudFront API reference, Distribution.Status: "InProgress" until "Deployed".
  'CloudFront:Distribution.Status': ['InProgress', 'Deployed'],
  'CloudFront:DistributionSummary.Status': ['InProgress', 'Deployed'],
};

function checkStructure(model: ServiceModel, shape: Shape, value: unknown, path: string, wire: Wire, out: string[], isRoot = false): void {
  if (wire === 'xml' && value === '') value = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(`${path}: expected a structure, got ${JSON.stringify(value)?.slice(0, 60)}`);
    return;
  }
  const members = wireMembers(model, shape, wire);
  const present = new Set<string>();
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === '#text' || (isRoot && wire === 'xml' && (key === 'RequestId' || key === 'ResponseMetadata'))) continue;
    const found = members.get(key);
    if (!found) {
      out.push(`${path}.${key}: not a member of ${shapeName(model, shape)}`);
      continue;
    }
    const [name, m] = found;
    present.add(name);
    const target = model.shapes[m.shape];
    if (wire === 'xml' && target.type === 'list' && (m.flattened || target.flattened)) {
      for (const [i, item] of (Array.isArray(v) ? v : [v]).entries()) checkValue(model, target.member!.shape, item, `${path}.${key}[${i}]`, wire, out);
    } else if (wire === 'xml' && Array.isArray(v)) {
      out.push(`${path}.${key}: repeated, but ${name} is not a flattened list`);
    } else {
      checkValue(model, m.shape, v, `${path}.${key}`, wire, out);
      const documented = DOCUMENTED_VALUES[`${model.metadata.serviceId}:${shapeName(model, shape)}.${name}`];
      if (documented && typeof v === 'string' && !documented.includes(v)) out.push(`${path}.${key}: ${JSON.stringify(v)} is not one of ${documented.join(', ')}`);
    }
  }
  for (const req of shape.required ?? []) {
    const m = shape.members?.[req];
    if (m && !m.location && !present.has(req)) out.push(`${path}: required member ${req} is missing`);
  }
}

function shapeName(model: ServiceModel, shape: Shape): string {
  return Object.entries(model.shapes).find(([, s]) => s === shape)?.[0] ?? 'structure';
}

function checkValue(model: ServiceModel, name: string, value: unknown, path: string, wire: Wire, out: string[]): void {
  const shape = model.shapes[name];
  if (wire === 'json' && value === null) return;
  switch (shape.type) {
    case 'structure':
      return checkStructure(model, shape, value, path, wire, out);
    case 'list': {
      if (wire === 'json') {
        if (!Array.isArray(value)) return void out.push(`${path}: expected a list`);
        value.forEach((item, i) => checkValue(model, shape.member!.shape, item, `${path}[${i}]`, wire, out));
        return;
      }
      if (value === '') return; // empty wrapped list
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void out.push(`${path}: expected a wrapped list`);
      const itemName = shape.member?.locationName ?? 'member';
      for (const [key, items] of Object.entries(value as Record<string, unknown>)) {
        if (key !== itemName) {
          out.push(`${path}.${key}: list items are <${itemName}>`);
          continue;
        }
        (Array.isArray(items) ? items : [items]).forEach((item, i) => checkValue(model, shape.member!.shape, item, `${path}.${key}[${i}]`, wire, out));
      }
      return;
    }
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return void out.push(`${path}: expected a map`);
      if (wire === 'json') for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkValue(model, shape.value!.shape, v, `${path}.${k}`, wire, out);
      return;
    case 'string':
      if (typeof value !== 'string') return void out.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
      if (shape.enum && !shape.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      return;
    case 'integer':
    case 'long':
      if (wire === 'json' ? !Number.isInteger(value) : !/^-?\d+$/.test(String(value))) out.push(`${path}: expected an integer, got ${JSON.stringify(value)}`);
      return;
    case 'double':
    case 'float':
      if (wire === 'json' ? typeof value !== 'number' : !Number.isFinite(Number(value))) out.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (wire === 'json' ? typeof value !== 'boolean' : value !== 'true' && value !== 'false') out.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case 'timestamp':
      return checkTimestamp(shape, value, path, wire, model.metadata.protocol, out);
    case 'blob':
      if (typeof value !== 'string') out.push(`${path}: expected base64 text`);
      return;
    default:
      return;
  }
}

function checkTimestamp(shape: Shape, value: unknown, path: string, wire: Wire, protocol: string, out: string[]): void {
  // json and rest-json default to epoch seconds, rest-xml to ISO 8601 (unless the shape says otherwise).
  const format = shape.timestampFormat ?? (wire === 'json' ? 'unixTimestamp' : 'iso8601');
  if (format === 'unixTimestamp') {
    if (typeof value !== 'number' && !(wire === 'xml' && /^\d+(\.\d+)?$/.test(String(value)))) out.push(`${path}: expected epoch seconds (${protocol}), got ${JSON.stringify(value)}`);
    return;
  }
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) out.push(`${path}: expected a ${format} timestamp, got ${JSON.stringify(value)}`);
  else if (format === 'iso8601' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) out.push(`${path}: expected ISO 8601, got ${JSON.stringify(value)}`);
}

/** Reads every `*.jsonl` file of a recording directory. */
export function readRecordings(dir: string): RecordedResponse[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as RecordedResponse),
    );
}

export interface ContractReport {
  checked: number;
  operations: Map<string, number>;
  violations: Violation[];
}

/** Checks recordings against the models (one violation per distinct service/operation/status/problem). */
export function checkRecordings(dataDir: string, recordings: RecordedResponse[]): ContractReport {
  const models = new Map<string, ServiceModel>();
  const seen = new Set<string>();
  const report: ContractReport = { checked: 0, operations: new Map(), violations: [] };
  for (const r of recordings) {
    if (r.injected || r.operation === 'Unknown' || !(r.service in MODEL_DIRS)) continue;
    if (!models.has(r.service)) models.set(r.service, loadModel(dataDir, r.service));
    report.checked++;
    const key = `${r.service}:${r.operation}`;
    report.operations.set(key, (report.operations.get(key) ?? 0) + 1);
    for (const problem of checkResponse(models.get(r.service)!, r)) {
      if (exempt(r.service, r.operation, problem)) continue;
      const id = `${key}|${r.status}|${problem}`;
      if (seen.has(id)) continue;
      seen.add(id);
      report.violations.push({ service: r.service, operation: r.operation, status: r.status, problem });
    }
  }
  return report;
}

const CLIENT_SERVICES: Record<string, string> = {
  'client-route-53': 'route53',
  'client-acm': 'acm',
  'client-s3': 's3',
  'client-cloudfront': 'cloudfront',
  'client-shield': 'shield',
  'client-redshift-data': 'redshift-data',
  'client-codepipeline': 'codepipeline',
  'client-codebuild': 'codebuild',
  'client-codeartifact': 'codeartifact',
  'client-sns': 'sns',
};

/** Every `service:Operation` Charter's own code sends (each `new XCommand(` of an imported client command), sandbox excluded. */
/** The operation each SDK waiter Charter uses polls (from the services' waiters-2.json). */
const WAITER_OPERATIONS: Record<string, string> = {
  waitUntilInvalidationCompleted: 'GetInvalidation',
  waitUntilResourceRecordSetsChanged: 'GetChange',
  waitUntilCertificateValidated: 'DescribeCertificate',
};

export function operationsCharterCalls(srcDir: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'sandbox') walk(path);
        continue;
      }
      if (!entry.name.endsWith('.ts')) continue;
      const text = readFileSync(path, 'utf8');
      // Which client each imported XCommand comes from, then every command the file constructs.
      const owner = new Map<string, string>();
      for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
        const service = CLIENT_SERVICES[m[2]];
        if (service === undefined) continue;
        for (const name of m[1].split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0])) owner.set(name, service);
      }
      for (const m of text.matchAll(/new ([A-Z][A-Za-z0-9]*)Command\(/g)) {
        const service = owner.get(`${m[1]}Command`);
        if (service !== undefined) out.add(`${service}:${m[1]}`);
      }
      // SDK waiters poll an operation of their own client (see WAITER_OPERATIONS).
      for (const m of text.matchAll(/\b(waitUntil[A-Za-z0-9]+)\(/g)) {
        const service = owner.get(m[1]);
        const operation = WAITER_OPERATIONS[m[1]];
        if (service !== undefined && operation !== undefined) out.add(`${service}:${operation}`);
      }
    }
  };
  walk(srcDir);
  return out;
}
