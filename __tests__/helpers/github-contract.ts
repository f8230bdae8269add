/**
 * The GitHub contract check: requests the loopback fake (fake-github.ts) receives and responses it sends are
 * validated against the matching operation of GitHub's own OpenAPI description (@octokit/openapi, the
 * description api.github.com is generated from). The operations the fakes serve are extracted once into a
 * small cache file (parameters, bodies and responses, with only the component schemas they reach), and each
 * validator is compiled once per process. A violation is recorded on the global list that
 * contract-setup.ts checks after every test, so the test that caused it fails.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);

/** Every operation the fakes serve, by method and path template as the description spells them. */
export const OPERATIONS: ReadonlyArray<readonly [method: string, template: string]> = [
  ['GET', '/app'],
  ['GET', '/app/installations'],
  ['POST', '/app/installations/{installation_id}/access_tokens'],
  ['GET', '/installation/repositories'],
  ['GET', '/repos/{owner}/{repo}'],
  ['GET', '/repos/{owner}/{repo}/branches'],
  ['GET', '/repos/{owner}/{repo}/branches/{branch}'],
  ['GET', '/repos/{owner}/{repo}/contents/{path}'],
  ['GET', '/repos/{owner}/{repo}/collaborators/{username}/permission'],
  ['GET', '/repos/{owner}/{repo}/git/trees/{tree_sha}'],
  ['GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}'],
  ['GET', '/repos/{owner}/{repo}/issues'],
  ['POST', '/repos/{owner}/{repo}/issues'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['PATCH', '/repos/{owner}/{repo}/issues/{issue_number}'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['DELETE', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels'],
  ['GET', '/repos/{owner}/{repo}/labels'],
  ['POST', '/repos/{owner}/{repo}/labels'],
  ['GET', '/repos/{owner}/{repo}/labels/{name}'],
  ['GET', '/repos/{owner}/{repo}/pulls'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files'],
  ['GET', '/repos/{owner}/{repo}/commits/{commit_sha}/pulls'],
  ['POST', '/repos/{owner}/{repo}/check-runs'],
  ['PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}'],
];

/**
 * Where the description itself is wrong (what api.github.com answers differs), checked against what GitHub
 * sends. Each entry: operation, the status, and why the check skips it.
 */
export const EXCEPTIONS: ReadonlyArray<{ operation: string; status: number; why: string }> = [
  // GitHub answers an unknown commit with 422 "No commit found for SHA: …"; the description lists only 409.
  { operation: 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', status: 422, why: 'undocumented 422 for an unknown SHA' },
  // GitHub answers 422 to a comment without a body or with a body over 65,536 characters; not documented
  // for the update.
  { operation: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', status: 422, why: 'undocumented 422 for a bad body' },
  // Check-run output over GitHub's limits (more than 50 annotations, summary or text over 65,535 bytes): 422.
  { operation: 'POST /repos/{owner}/{repo}/check-runs', status: 422, why: 'undocumented 422 for output over the limits' },
  { operation: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', status: 422, why: 'undocumented 422 for output over the limits' },
  // An empty repository: the git data API answers 409 "Git Repository is empty."
  { operation: 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}', status: 409, why: 'undocumented 409 for an empty repository' },
];

/**
 * Schemas the description gets wrong, patched when the cache is built: component schema, path inside it,
 * what is merged in, and why.
 */
export const SCHEMA_EXCEPTIONS: ReadonlyArray<{ schema: string; path: string[]; patch: object; why: string }> = [
  {
    schema: 'pull-request-simple',
    path: ['properties', 'labels', 'items', 'properties', 'description'],
    patch: { nullable: true },
    // A label without a description has `"description": null` everywhere, in this list too (the `label`
    // schema and the full `pull-request` say so).
    why: "a label's description can be null",
  },
];

/**
 * Response schemas the generated description inlines wrongly, replaced when the cache is built: operation,
 * status, path inside the response schema, the schema put there, and why.
 */
export const RESPONSE_SCHEMA_EXCEPTIONS: ReadonlyArray<{ operation: string; status: string; path: string[]; schema: object; why: string }> = [
  {
    operation: 'GET /app/installations',
    status: '200',
    path: ['items', 'properties', 'account'],
    schema: { nullable: true, anyOf: [{ $ref: '#/components/schemas/simple-user' }, { $ref: '#/components/schemas/enterprise' }] },
    // components/schemas/installation says `anyOf` (a user or an enterprise); the inlined copy under the
    // path says `allOf`, which no account can satisfy.
    why: "an installation's account is a user or an enterprise (anyOf), not both",
  },
];

/** Statuses every operation may answer although few list them (authentication, rate limits, server errors). */
const ALWAYS_ALLOWED = new Set([401, 403, 429, 500, 502, 503]);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: object;
}

interface Operation {
  parameters: Parameter[];
  body?: { required: boolean; schema: object };
  /** Status → response schema (`null`: no body). */
  responses: Record<string, object | null>;
}

interface Slim {
  version: string;
  operations: Record<string, Operation>;
  components: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const specDir = dirname(require.resolve('@octokit/openapi/package.json'));
const specVersion = (JSON.parse(readFileSync(join(specDir, 'package.json'), 'utf8')) as { version: string }).version;

/** The description's operations the fakes serve, extracted from the 13 MB file once per version. */
function loadSlim(): Slim {
  const key = createHashOf(JSON.stringify([OPERATIONS, SCHEMA_EXCEPTIONS, RESPONSE_SCHEMA_EXCEPTIONS, buildSlim.toString()]));
  const cache = join(process.cwd(), 'node_modules/.cache/charter', `github-openapi-${specVersion}-${key}.json`);
  try {
    return JSON.parse(readFileSync(cache, 'utf8')) as Slim;
  } catch {
    const slim = buildSlim(JSON.parse(readFileSync(join(specDir, 'generated/api.github.com.json'), 'utf8')) as Json);
    mkdirSync(dirname(cache), { recursive: true });
    const temp = `${cache}.${process.pid}`;
    writeFileSync(temp, JSON.stringify(slim));
    renameSync(temp, cache); // atomic: parallel test files may build it at once
    return slim;
  }
}

function createHashOf(text: string): string {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(16);
}

function buildSlim(spec: Json): Slim {
  const components = spec.components as Record<string, Json>;
  const deref = (node: unknown): Json => {
    let n = node as Json;
    while (typeof n.$ref === 'string') {
      const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(n.$ref) ?? [];
      n = components[kind][name] as Json;
    }
    return n;
  };
  const wanted = new Set<string>();
  // Schemas keep their `$ref`s (to components/schemas, which may be recursive); examples are dropped.
  const strip = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(strip);
    if (!schema || typeof schema !== 'object') return schema;
    const out: Json = {};
    // OpenAPI 3.0.3: `nullable` does not extend an `enum`, which must list null itself; the description
    // omits it (a check run's `conclusion`), and GitHub sends null.
    const s = schema as Json;
    if (s.nullable === true && Array.isArray(s.enum) && !s.enum.includes(null)) out.enum = [...(s.enum as unknown[]), null];
    // Ajv's `nullable` needs a `type`; the description also puts it beside allOf/oneOf/anyOf.
    if (s.nullable === true && s.type === undefined) {
      const { nullable: _, ...rest } = s;
      return { anyOf: [{ type: 'null' }, strip(rest)] };
    }
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'enum' && out.enum) continue;
      if (k === 'example' || k === 'examples' || k === 'description' || k === 'title' || k.startsWith('x-')) continue;
      if (k === '$ref' && typeof v === 'string') {
        const name = v.replace('#/components/schemas/', '');
        if (!wanted.has(name)) {
          wanted.add(name);
          schemasOut[name] = strip(components.schemas[name]);
        }
      }
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, strip(s)])) : strip(v);
    }
    return out;
  };
  const schemasOut: Record<string, unknown> = {};
  const patchedComponents = structuredClone(components.schemas);
  for (const e of SCHEMA_EXCEPTIONS) {
    let node = patchedComponents[e.schema] as Json;
    for (const key of e.path) node = node[key] as Json;
    Object.assign(node, e.patch);
  }
  components.schemas = patchedComponents;
  const operations: Record<string, Operation> = {};
  const paths = spec.paths as Record<string, Record<string, Json>>;
  for (const e of RESPONSE_SCHEMA_EXCEPTIONS) {
    const [method, template] = e.operation.split(' ');
    const response = deref((paths[template][method.toLowerCase()].responses as Json)[e.status]);
    let node = (response.content as Record<string, Json>)['application/json'].schema as Json;
    for (const key of e.path.slice(0, -1)) node = node[key] as Json;
    node[e.path[e.path.length - 1]] = e.schema;
  }
  for (const [method, template] of OPERATIONS) {
    const op = paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`@octokit/openapi ${specVersion} has no operation ${method} ${template}`);
    const parameters = ((op.parameters ?? []) as unknown[]).map(deref).map((p) => ({
      name: p.name as string,
      in: p.in as Parameter['in'],
      required: p.required === true,
      schema: strip(p.schema) as object,
    }));
    const rb = op.requestBody ? deref(op.requestBody) : undefined;
    const rbSchema = rb ? ((rb.content as Record<string, Json>)['application/json']?.schema as object | undefined) : undefined;
    const responses: Record<string, object | null> = {};
    for (const [status, response] of Object.entries(op.responses as Json)) {
      const r = deref(response);
      const content = r.content as Record<string, Json> | undefined;
      const schema = content ? (content['application/json'] ?? Object.values(content)[0]).schema : undefined;
      responses[status] = schema ? (strip(schema) as object) : null;
    }
    operations[`${method} ${template}`] = {
      parameters,
      body: rbSchema ? { required: rb?.required === true, schema: strip(rbSchema) as object } : undefined,
      responses,
    };
  }
  return { version: specVersion, operations, components: { schemas: schemasOut } };
}

// ------------------------------------------------------------------------------------------------
// Validators

let slim: Slim | undefined;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();
let matchers: Array<{ key: string; method: string; regex: RegExp; names: string[] }> | undefined;

function setup(): { slim: Slim; ajv: Ajv } {
  if (!slim || !ajv) {
    slim = loadSlim();
    // OpenAPI 3.0 schemas: `nullable` is Ajv's; other OpenAPI keywords (discriminator, readOnly…) are ignored.
    ajv = new Ajv({ strict: false, allErrors: true, logger: false, coerceTypes: false });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    ajv.addFormat('uri-template', true);
    ajv.addFormat('binary', true);
    ajv.addSchema({ $id: 'gh', components: slim.components }, 'gh');
  }
  return { slim, ajv };
}

/** `#/components/schemas/x` → `gh#/components/schemas/x`, for schemas compiled outside the `gh` document. */
function anchored(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? `gh${v}` : anchored(v)]));
}

function validator(key: string, schema: object, coerce = false): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    const { ajv: a } = setup();
    // Path and query parameters arrive as strings; coerce them to the declared type before checking.
    const s = anchored(schema) as object;
    v = coerce ? coercingAjv().compile(s) : a.compile(s);
    validators.set(key, v);
  }
  return v;
}

let coercing: Ajv | undefined;
function coercingAjv(): Ajv {
  if (!coercing) {
    const { slim: s } = setup();
    coercing = new Ajv({ strict: false, allErrors: true, logger: false, coerceTypes: true });
    (addFormatsModule as unknown as (a: Ajv) => void)(coercing);
    coercing.addSchema({ $id: 'gh', components: s.components }, 'gh');
  }
  return coercing;
}

/** The operation a request is for: its key and path parameters, or undefined. */
export function matchOperation(method: string, path: string): { key: string; params: Record<string, string> } | undefined {
  matchers ??= OPERATIONS.map(([m, template]) => {
    const names: string[] = [];
    // `{path}` of the contents API spans segments (x-multi-segment); every other parameter is one segment.
    const source = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      names.push(name);
      return name === 'path' ? '(.+)' : '([^/]+)';
    });
    return { key: `${m} ${template}`, method: m, regex: new RegExp(`^${source}$`), names };
  });
  for (const m of matchers) {
    if (m.method !== method) continue;
    const found = m.regex.exec(path);
    if (found) return { key: m.key, params: Object.fromEntries(m.names.map((n, i) => [n, decodeURIComponent(found[i + 1])])) };
  }
  return undefined;
}

const describeErrors = (v: ValidateFunction) =>
  (v.errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`)
    .join('; ');

/** Problems of a request against its operation (empty when valid). */
export function checkRequest(method: string, path: string, query: Record<string, string>, body: unknown): string[] {
  const op = matchOperation(method, path);
  if (!op) return [`${method} ${path}: no operation of GitHub's description (of those the fakes serve) matches`];
  const operation = setup().slim.operations[op.key];
  const problems: string[] = [];
  for (const p of operation.parameters) {
    const value = p.in === 'path' ? op.params[p.name] : p.in === 'query' ? query[p.name] : undefined;
    if (p.in === 'header') continue;
    if (value === undefined) {
      if (p.required) problems.push(`${op.key}: required ${p.in} parameter ${p.name} is missing`);
      continue;
    }
    const v = validator(`${op.key} param ${p.name}`, { type: 'object', properties: { value: p.schema } }, true);
    if (!v({ value })) problems.push(`${op.key}: ${p.in} parameter ${p.name}=${JSON.stringify(value)}: ${describeErrors(v)}`);
  }
  for (const name of Object.keys(query)) {
    if (!operation.parameters.some((p) => p.in === 'query' && p.name === name)) problems.push(`${op.key}: query parameter ${name} is not described`);
  }
  if (operation.body) {
    if (body === undefined) {
      if (operation.body.required) problems.push(`${op.key}: the request body is required`);
    } else {
      const v = validator(`${op.key} body`, operation.body.schema);
      if (!v(body)) problems.push(`${op.key}: request body: ${describeErrors(v)}`);
    }
  }
  return problems;
}

/** Problems of a response against its operation (empty when valid). */
export function checkResponse(method: string, path: string, status: number, body: unknown): string[] {
  const op = matchOperation(method, path);
  if (!op) return [];
  const operation = setup().slim.operations[op.key];
  if (!(String(status) in operation.responses)) {
    if (ALWAYS_ALLOWED.has(status) || EXCEPTIONS.some((e) => e.operation === op.key && e.status === status)) return [];
    return [`${op.key}: status ${status} is not described (${Object.keys(operation.responses).join(', ')})`];
  }
  const schema = operation.responses[String(status)];
  if (!schema) return body === undefined ? [] : [`${op.key}: status ${status} has no body, but one was sent`];
  const v = validator(`${op.key} ${status}`, schema);
  return v(body) ? [] : [`${op.key} → ${status}: ${describeErrors(v)}`];
}

// ------------------------------------------------------------------------------------------------
// The run's violations (contract-setup.ts fails the test during which one is recorded)

export interface Violation {
  request: string;
  problem: string;
}

const KEY = Symbol.for('charter.githubContractViolations');

/** The violations recorded in this process and not yet reported. */
export function pendingViolations(): Violation[] {
  const g = globalThis as unknown as Record<symbol, Violation[]>;
  return (g[KEY] ??= []);
}

export function recordViolation(v: Violation): void {
  pendingViolations().push(v);
}

/** Removes and returns the pending violations (a test that provokes one on purpose takes it). */
export function takeViolations(): Violation[] {
  return pendingViolations().splice(0);
}
