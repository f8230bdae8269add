/**
 * CodeArtifact (REST-JSON, `/v1/...`): domains, repositories, external connections, tags, and package
 * versions with their assets, per region. Names, limits (10 domains per region, one external connection
 * per repository) and error codes follow the API reference; PublishPackageVersion (generic format only)
 * checks the asset's SHA-256 as CodeArtifact does.
 */
import { createHash } from 'node:crypto';
import { join, type Checker } from '../checker.js';
import { SandboxError } from '../errors.js';
import { defineSection, normalizeTags, type SandboxState, type Tag } from '../section.js';
import type { JsonObject } from './json-protocol.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';

// ---------------------------------------------------------------------------------------------
// State: the `codeartifact` section of the account file

export const PACKAGE_FORMATS = ['npm', 'pypi', 'maven', 'nuget', 'generic', 'ruby', 'swift', 'cargo'] as const;
export type PackageFormat = (typeof PACKAGE_FORMATS)[number];
export const DOMAIN_RE = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
export const REPOSITORY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;
const PACKAGE_PART_RE = /^[^#/\s]{1,255}$/;
/** Public external connections and the format each serves. */
export const EXTERNAL_CONNECTIONS: Readonly<Record<string, PackageFormat>> = {
  'public:npmjs': 'npm',
  'public:pypi': 'pypi',
  'public:maven-central': 'maven',
  'public:maven-googleandroid': 'maven',
  'public:maven-gradleplugins': 'maven',
  'public:maven-commonsware': 'maven',
  'public:maven-clojars': 'maven',
  'public:nuget-org': 'nuget',
  'public:ruby-gems-org': 'ruby',
  'public:crates-io': 'cargo',
};
const MAX_DOMAINS_PER_REGION = 10;
const VERSION_STATUSES = ['Published', 'Unfinished', 'Unlisted', 'Archived', 'Disposed', 'Deleted'];

export interface Domain {
  region: string;
  name: string;
  arn: string;
  createdTime: string;
  tags: Tag[];
}

export interface Repository {
  region: string;
  domain: string;
  name: string;
  arn: string;
  description: string;
  externalConnections: string[];
  createdTime: string;
  tags: Tag[];
}

export interface Asset {
  name: string;
  /** Base64 of the bytes. */
  content: string;
}

export interface PackageVersionRecord {
  version: string;
  revision: string;
  status: string;
  originType: 'INTERNAL' | 'EXTERNAL';
  assets: Asset[];
}

export interface PackageRecord {
  region: string;
  domain: string;
  repository: string;
  format: PackageFormat;
  namespace?: string;
  name: string;
  versions: PackageVersionRecord[];
}

export interface CodeArtifactState {
  domains: Domain[];
  repositories: Repository[];
  packages: PackageRecord[];
}

declare module '../section.js' {
  interface SandboxState {
    codeartifact: CodeArtifactState;
  }
}

export function domainArn(region: string, account: string, domain: string): string {
  return `arn:aws:codeartifact:${region}:${account}:domain/${domain}`;
}

export function repositoryArn(region: string, account: string, domain: string, repository: string): string {
  return `arn:aws:codeartifact:${region}:${account}:repository/${domain}/${repository}`;
}

function revisionOf(assets: Asset[]): string {
  const h = createHash('sha256');
  for (const a of assets) h.update(a.name).update('\0').update(a.content).update('\0');
  return h.digest('base64').slice(0, 44);
}

function loadCodeArtifact(c: Checker, value: unknown, state: SandboxState, iso: string): void {
  const o = c.object(value, 'codeartifact');
  if (!o) return;
  c.known(o, ['domains', 'repositories', 'packages'], 'codeartifact');
  const ca = state.codeartifact;
  c.array(o, 'domains', 'codeartifact').forEach((v, i) => {
    const path = `codeartifact.domains[${i}]`;
    const d = c.object(v, path);
    if (!d) return;
    c.known(d, ['region', 'name', 'arn', 'createdTime', 'tags'], path);
    const name = c.string(d, 'name', path, true);
    if (name === undefined) return;
    if (!DOMAIN_RE.test(name)) c.fail(join(path, 'name'), `invalid domain name ${JSON.stringify(name)}`);
    const region = c.string(d, 'region', path) ?? 'us-east-1';
    if (ca.domains.some((x) => x.region === region && x.name === name)) c.fail(path, `duplicate domain ${name} in ${region}`);
    ca.domains.push({ region, name, arn: c.string(d, 'arn', path) ?? domainArn(region, state.accountId, name), createdTime: c.timestamp(d, 'createdTime', path) ?? iso, tags: normalizeTags(c, d.tags, join(path, 'tags')) });
  });
  c.array(o, 'repositories', 'codeartifact').forEach((v, i) => {
    const path = `codeartifact.repositories[${i}]`;
    const r = c.object(v, path);
    if (!r) return;
    c.known(r, ['region', 'domain', 'name', 'arn', 'description', 'externalConnections', 'createdTime', 'tags'], path);
    const name = c.string(r, 'name', path, true);
    const domain = c.string(r, 'domain', path, true);
    if (name === undefined || domain === undefined) return;
    const region = c.string(r, 'region', path) ?? 'us-east-1';
    if (!REPOSITORY_RE.test(name)) c.fail(join(path, 'name'), `invalid repository name ${JSON.stringify(name)}`);
    if (!ca.domains.some((d) => d.region === region && d.name === domain)) c.fail(join(path, 'domain'), `no domain ${domain} in ${region} in codeartifact.domains`);
    const connections = c.stringList(r, 'externalConnections', path) ?? [];
    if (connections.length > 1) c.fail(join(path, 'externalConnections'), 'a repository has at most one external connection');
    ca.repositories.push({
      region,
      domain,
      name,
      arn: c.string(r, 'arn', path) ?? repositoryArn(region, state.accountId, domain, name),
      description: c.string(r, 'description', path) ?? '',
      externalConnections: connections,
      createdTime: c.timestamp(r, 'createdTime', path) ?? iso,
      tags: normalizeTags(c, r.tags, join(path, 'tags')),
    });
  });
  c.array(o, 'packages', 'codeartifact').forEach((v, i) => {
    const path = `codeartifact.packages[${i}]`;
    const p = c.object(v, path);
    if (!p) return;
    c.known(p, ['region', 'domain', 'repository', 'format', 'namespace', 'name', 'versions'], path);
    const domain = c.string(p, 'domain', path, true);
    const repository = c.string(p, 'repository', path, true);
    const format = c.string(p, 'format', path, true);
    const name = c.string(p, 'name', path, true);
    if (domain === undefined || repository === undefined || format === undefined || name === undefined) return;
    if (!PACKAGE_FORMATS.includes(format as PackageFormat)) c.fail(join(path, 'format'), `expected one of ${PACKAGE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
    const region = c.string(p, 'region', path) ?? 'us-east-1';
    if (!ca.repositories.some((r) => r.region === region && r.domain === domain && r.name === repository)) c.fail(join(path, 'repository'), `no repository ${domain}/${repository} in ${region} in codeartifact.repositories`);
    const namespace = c.string(p, 'namespace', path);
    const versions: PackageVersionRecord[] = [];
    c.array(p, 'versions', path).forEach((vv, j) => {
      const vpath = `${path}.versions[${j}]`;
      // A bare string is a Published version with one generated asset.
      if (typeof vv === 'string') {
        const assets = [{ name: `${name}-${vv}.tar.gz`, content: Buffer.from(`${name}@${vv}`).toString('base64') }];
        versions.push({ version: vv, revision: revisionOf(assets), status: 'Published', originType: 'INTERNAL', assets });
        return;
      }
      const ver = c.object(vv, vpath);
      if (!ver) return;
      c.known(ver, ['version', 'revision', 'status', 'originType', 'assets'], vpath);
      const version = c.string(ver, 'version', vpath, true);
      if (version === undefined) return;
      const status = c.string(ver, 'status', vpath) ?? 'Published';
      if (!VERSION_STATUSES.includes(status)) c.fail(join(vpath, 'status'), `expected one of ${VERSION_STATUSES.join(', ')}`);
      const originType = c.string(ver, 'originType', vpath) ?? 'INTERNAL';
      if (originType !== 'INTERNAL' && originType !== 'EXTERNAL') c.fail(join(vpath, 'originType'), 'expected INTERNAL or EXTERNAL');
      const assets: Asset[] = c.array(ver, 'assets', vpath).flatMap((av, k) => {
        const apath = `${vpath}.assets[${k}]`;
        const a = c.object(av, apath);
        if (!a) return [];
        c.known(a, ['name', 'content', 'text'], apath);
        const aname = c.string(a, 'name', apath, true);
        const text = c.string(a, 'text', apath);
        const content = c.string(a, 'content', apath);
        if (aname === undefined) return [];
        return [{ name: aname, content: text !== undefined ? Buffer.from(text).toString('base64') : (content ?? '') }];
      });
      versions.push({ version, revision: c.string(ver, 'revision', vpath) ?? revisionOf(assets), status, originType: originType === 'EXTERNAL' ? 'EXTERNAL' : 'INTERNAL', assets });
    });
    ca.packages.push({ region, domain, repository, format: format as PackageFormat, ...(namespace !== undefined ? { namespace } : {}), name, versions });
  });
}

const codeartifactState = defineSection({ key: 'codeartifact', empty: () => ({ domains: [], repositories: [], packages: [] }), load: loadCodeArtifact });

// ---------------------------------------------------------------------------------------------
// Operations

function e(status: number, code: string, message: string): SandboxError {
  return new SandboxError(status, code, message);
}
const validation = (m: string) => e(400, 'ValidationException', m);
const notFound = (m: string) => e(404, 'ResourceNotFoundException', m);
const conflict = (m: string) => e(409, 'ConflictException', m);

function json(body: unknown): ServiceResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) };
}

function q(req: ServiceRequest, name: string, required = false): string | undefined {
  const v = req.query.get(name);
  if (v === null || v === '') {
    if (required) throw validation(`1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
    return undefined;
  }
  return v;
}

function body(req: ServiceRequest): JsonObject {
  const raw = req.body.toString('utf8').trim();
  if (raw === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as JsonObject;
  } catch {
    // fall through
  }
  throw validation('Request body is not a JSON object');
}

function checkDomainName(name: string): void {
  if (!DOMAIN_RE.test(name)) throw validation(`1 validation error detected: Value '${name}' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z][a-z0-9\\-]{0,48}[a-z0-9]`);
}

function checkRepositoryName(name: string): void {
  if (!REPOSITORY_RE.test(name)) throw validation(`1 validation error detected: Value '${name}' at 'repository' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9][A-Za-z0-9._\\-]{1,99}`);
}

function findDomain(ctx: ServiceContext, region: string, name: string): Domain {
  const d = ctx.state.codeartifact.domains.find((x) => x.region === region && x.name === name);
  if (!d) throw notFound(`Domain '${name}' not found in ${region}`);
  return d;
}

function findRepository(ctx: ServiceContext, req: ServiceRequest): Repository {
  const domain = q(req, 'domain', true) as string;
  const name = q(req, 'repository', true) as string;
  findDomain(ctx, req.region, domain);
  const r = ctx.state.codeartifact.repositories.find((x) => x.region === req.region && x.domain === domain && x.name === name);
  if (!r) throw notFound(`Repository '${name}' not found in domain '${domain}'`);
  return r;
}

function checkTags(raw: unknown, max = 200): Tag[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw validation('tags must be a list');
  if (raw.length > max) throw e(402, 'ServiceQuotaExceededException', `A resource can have at most ${max} tags`);
  return (raw as JsonObject[]).map((t) => {
    if (typeof t?.key !== 'string' || t.key.length < 1 || t.key.length > 128 || typeof t.value !== 'string' || t.value.length > 256) throw validation('Tag keys are 1-128 characters and values 0-256');
    return { key: t.key, value: t.value };
  });
}

const time = (iso: string) => Date.parse(iso) / 1000;

function domainView(ctx: ServiceContext, d: Domain): JsonObject {
  const repos = ctx.state.codeartifact.repositories.filter((r) => r.region === d.region && r.domain === d.name);
  return { name: d.name, owner: ctx.state.accountId, arn: d.arn, status: 'Active', createdTime: time(d.createdTime), repositoryCount: repos.length, assetSizeBytes: 0 };
}

function repositoryView(ctx: ServiceContext, r: Repository): JsonObject {
  return {
    name: r.name,
    administratorAccount: ctx.state.accountId,
    domainName: r.domain,
    domainOwner: ctx.state.accountId,
    arn: r.arn,
    description: r.description,
    upstreams: [],
    externalConnections: r.externalConnections.map((c) => ({ externalConnectionName: c, packageFormat: EXTERNAL_CONNECTIONS[c], status: 'Available' })),
    createdTime: time(r.createdTime),
  };
}

function pageOf<T>(items: T[], req: ServiceRequest, max: number, dflt: number): { page: T[]; nextToken?: string } {
  const rawMax = q(req, 'max-results');
  let size = dflt;
  if (rawMax !== undefined) {
    size = Number(rawMax);
    if (!Number.isInteger(size) || size < 1 || size > max) throw validation(`1 validation error detected: Value '${rawMax}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  }
  const token = q(req, 'next-token');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw validation('Invalid pagination token');
  }
  const page = items.slice(start, start + size);
  return start + size < items.length ? { page, nextToken: Buffer.from(String(start + size)).toString('base64') } : { page };
}

function packageKey(req: ServiceRequest): { format: PackageFormat; namespace?: string; name: string } {
  const format = q(req, 'format', true) as string;
  if (!PACKAGE_FORMATS.includes(format as PackageFormat)) throw validation(`Value '${format}' at 'format' failed to satisfy constraint: Member must satisfy enum value set: [${PACKAGE_FORMATS.join(', ')}]`);
  const name = q(req, 'package', true) as string;
  if (!PACKAGE_PART_RE.test(name)) throw validation(`Value '${name}' at 'package' failed to satisfy constraint: Member must satisfy regular expression pattern: [^#/\\s]+`);
  const namespace = q(req, 'namespace');
  if (namespace !== undefined && !PACKAGE_PART_RE.test(namespace)) throw validation(`Value '${namespace}' at 'namespace' failed to satisfy constraint: Member must satisfy regular expression pattern: [^#/\\s]+`);
  return { format: format as PackageFormat, ...(namespace !== undefined ? { namespace } : {}), name };
}

function findPackage(ctx: ServiceContext, repo: Repository, key: { format: string; namespace?: string; name: string }): PackageRecord | undefined {
  return ctx.state.codeartifact.packages.find(
    (p) => p.region === repo.region && p.domain === repo.domain && p.repository === repo.name && p.format === key.format && p.name === key.name && (p.namespace ?? '') === (key.namespace ?? ''),
  );
}

function findVersion(ctx: ServiceContext, req: ServiceRequest): { pkg: PackageRecord; version: PackageVersionRecord } {
  const repo = findRepository(ctx, req);
  const key = packageKey(req);
  const versionName = q(req, 'version', true) as string;
  const pkg = findPackage(ctx, repo, key);
  const version = pkg?.versions.find((v) => v.version === versionName);
  if (!pkg || !version) throw notFound(`Package version ${key.namespace ? `${key.namespace}/` : ''}${key.name}@${versionName} not found in repository '${repo.name}'`);
  return { pkg, version };
}

function hashes(content: string): Record<string, string> {
  const bytes = Buffer.from(content, 'base64');
  const h = (alg: string) => createHash(alg).update(bytes).digest('hex');
  return { MD5: h('md5'), 'SHA-1': h('sha1'), 'SHA-256': h('sha256'), 'SHA-512': h('sha512') };
}

function resolveArn(ctx: ServiceContext, req: ServiceRequest): Domain | Repository {
  const arn = q(req, 'resourceArn', true) as string;
  const found = ctx.state.codeartifact.domains.find((d) => d.arn === arn) ?? ctx.state.codeartifact.repositories.find((r) => r.arn === arn);
  if (!found) throw notFound(`Resource ${arn} not found`);
  return found;
}

type Op = (req: ServiceRequest, ctx: ServiceContext) => ServiceResponse;

const operations: Record<string, Op> = {
  CreateDomain(req, ctx) {
    const name = q(req, 'domain', true) as string;
    checkDomainName(name);
    const ca = ctx.state.codeartifact;
    if (ca.domains.some((d) => d.region === req.region && d.name === name)) throw conflict(`Domain '${name}' already exists`);
    if (ca.domains.filter((d) => d.region === req.region).length >= MAX_DOMAINS_PER_REGION) throw e(402, 'ServiceQuotaExceededException', `At most ${MAX_DOMAINS_PER_REGION} domains per region`);
    const d: Domain = { region: req.region, name, arn: domainArn(req.region, ctx.state.accountId, name), createdTime: ctx.now().toISOString(), tags: checkTags(body(req).tags) };
    ca.domains.push(d);
    ctx.changed();
    return json({ domain: domainView(ctx, d) });
  },
  DescribeDomain(req, ctx) {
    return json({ domain: domainView(ctx, findDomain(ctx, req.region, q(req, 'domain', true) as string)) });
  },
  DeleteDomain(req, ctx) {
    const name = q(req, 'domain', true) as string;
    const ca = ctx.state.codeartifact;
    const d = ca.domains.find((x) => x.region === req.region && x.name === name);
    if (!d) throw notFound(`Domain '${name}' not found`);
    if (ca.repositories.some((r) => r.region === req.region && r.domain === name)) throw conflict(`Domain '${name}' still contains repositories`);
    ca.domains = ca.domains.filter((x) => x !== d);
    ctx.changed();
    return json({ domain: domainView(ctx, d) });
  },
  CreateRepository(req, ctx) {
    const domain = findDomain(ctx, req.region, q(req, 'domain', true) as string);
    const name = q(req, 'repository', true) as string;
    checkRepositoryName(name);
    const b = body(req);
    const ca = ctx.state.codeartifact;
    if (ca.repositories.some((r) => r.region === req.region && r.domain === domain.name && r.name === name)) throw conflict(`Repository '${name}' already exists in domain '${domain.name}'`);
    const description = typeof b.description === 'string' ? b.description : '';
    if (description.length > 1000) throw validation('description must be at most 1000 characters');
    const r: Repository = { region: req.region, domain: domain.name, name, arn: repositoryArn(req.region, ctx.state.accountId, domain.name, name), description, externalConnections: [], createdTime: ctx.now().toISOString(), tags: checkTags(b.tags) };
    ca.repositories.push(r);
    ctx.changed();
    return json({ repository: repositoryView(ctx, r) });
  },
  DescribeRepository(req, ctx) {
    return json({ repository: repositoryView(ctx, findRepository(ctx, req)) });
  },
  UpdateRepository(req, ctx) {
    const r = findRepository(ctx, req);
    const b = body(req);
    if (typeof b.description === 'string') {
      if (b.description.length > 1000) throw validation('description must be at most 1000 characters');
      r.description = b.description;
    }
    ctx.changed();
    return json({ repository: repositoryView(ctx, r) });
  },
  DeleteRepository(req, ctx) {
    const r = findRepository(ctx, req);
    const ca = ctx.state.codeartifact;
    ca.repositories = ca.repositories.filter((x) => x !== r);
    ca.packages = ca.packages.filter((p) => !(p.region === r.region && p.domain === r.domain && p.repository === r.name));
    ctx.changed();
    return json({ repository: repositoryView(ctx, r) });
  },
  ListRepositoriesInDomain(req, ctx) {
    const domain = findDomain(ctx, req.region, q(req, 'domain', true) as string);
    const prefix = q(req, 'repository-prefix') ?? '';
    const all = ctx.state.codeartifact.repositories
      .filter((r) => r.region === req.region && r.domain === domain.name && r.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { page, nextToken } = pageOf(all, req, 1000, 100);
    return json({
      repositories: page.map((r) => ({ name: r.name, administratorAccount: ctx.state.accountId, domainName: r.domain, domainOwner: ctx.state.accountId, arn: r.arn, description: r.description, createdTime: time(r.createdTime) })),
      ...(nextToken ? { nextToken } : {}),
    });
  },
  AssociateExternalConnection(req, ctx) {
    const r = findRepository(ctx, req);
    const name = q(req, 'external-connection', true) as string;
    if (!(name in EXTERNAL_CONNECTIONS)) throw validation(`Unknown external connection '${name}'`);
    if (r.externalConnections.includes(name)) throw conflict(`Repository '${r.name}' already has external connection '${name}'`);
    if (r.externalConnections.length >= 1) throw e(402, 'ServiceQuotaExceededException', `Repository '${r.name}' already has an external connection (${r.externalConnections[0]}); a repository can have one`);
    r.externalConnections.push(name);
    ctx.changed();
    return json({ repository: repositoryView(ctx, r) });
  },
  DisassociateExternalConnection(req, ctx) {
    const r = findRepository(ctx, req);
    const name = q(req, 'external-connection', true) as string;
    if (!r.externalConnections.includes(name)) throw notFound(`Repository '${r.name}' has no external connection '${name}'`);
    r.externalConnections = r.externalConnections.filter((c) => c !== name);
    ctx.changed();
    return json({ repository: repositoryView(ctx, r) });
  },
  ListPackageVersions(req, ctx) {
    pageOf([], req, 1000, 50); // input validation comes before any lookup
    const repo = findRepository(ctx, req);
    const key = packageKey(req);
    const pkg = findPackage(ctx, repo, key);
    if (!pkg) throw notFound(`Package ${key.name} not found in repository '${repo.name}'`);
    const status = q(req, 'status');
    const origin = q(req, 'originType');
    const versions = pkg.versions.filter((v) => (status === undefined || v.status === status) && (origin === undefined || v.originType === origin));
    const { page, nextToken } = pageOf(versions, req, 1000, 50);
    return json({
      format: pkg.format,
      ...(pkg.namespace ? { namespace: pkg.namespace } : {}),
      package: pkg.name,
      versions: page.map((v) => ({ version: v.version, revision: v.revision, status: v.status, origin: { domainEntryPoint: { repositoryName: repo.name }, originType: v.originType } })),
      ...(nextToken ? { nextToken } : {}),
    });
  },
  ListPackageVersionAssets(req, ctx) {
    const { pkg, version } = findVersion(ctx, req);
    const { page, nextToken } = pageOf(version.assets, req, 1000, 50);
    return json({
      format: pkg.format,
      ...(pkg.namespace ? { namespace: pkg.namespace } : {}),
      package: pkg.name,
      version: version.version,
      versionRevision: version.revision,
      assets: page.map((a) => ({ name: a.name, size: Buffer.from(a.content, 'base64').length, hashes: hashes(a.content) })),
      ...(nextToken ? { nextToken } : {}),
    });
  },
  GetPackageVersionAsset(req, ctx) {
    const { version } = findVersion(ctx, req);
    const name = q(req, 'asset', true) as string;
    const asset = version.assets.find((a) => a.name === name);
    if (!asset) throw notFound(`Asset '${name}' not found in version ${version.version}`);
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'x-assetname': asset.name, 'x-packageversion': version.version, 'x-packageversionrevision': version.revision },
      body: Buffer.from(asset.content, 'base64'),
    };
  },
  PublishPackageVersion(req, ctx) {
    const repo = findRepository(ctx, req);
    const key = packageKey(req);
    if (key.format !== 'generic') throw validation(`PublishPackageVersion supports only the generic format, not ${key.format}`);
    if (key.namespace === undefined) throw validation('A generic package needs a namespace');
    const versionName = q(req, 'version', true) as string;
    if (!PACKAGE_PART_RE.test(versionName)) throw validation(`Value '${versionName}' at 'packageVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: [^#/\\s]+`);
    const assetName = q(req, 'asset', true) as string;
    const claimed = req.headers['x-amz-content-sha256'];
    if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/.test(claimed)) throw validation('assetSHA256 (x-amz-content-sha256) must be the hex SHA-256 of the asset');
    const actual = createHash('sha256').update(req.body).digest('hex');
    if (actual !== claimed) throw validation(`The SHA-256 hash value you provided, ${claimed}, does not match the SHA-256 of the asset content, ${actual}`);
    const unfinished = q(req, 'unfinished') === 'true';
    const ca = ctx.state.codeartifact;
    let pkg = findPackage(ctx, repo, key);
    if (!pkg) {
      pkg = { region: repo.region, domain: repo.domain, repository: repo.name, format: key.format, namespace: key.namespace, name: key.name, versions: [] };
      ca.packages.push(pkg);
    }
    let version = pkg.versions.find((v) => v.version === versionName);
    if (version && version.status !== 'Unfinished') throw conflict(`Package version ${key.name}@${versionName} is ${version.status}; only an Unfinished version takes more assets`);
    if (version?.assets.some((a) => a.name === assetName)) throw conflict(`Asset '${assetName}' already exists in ${key.name}@${versionName}`);
    const asset = { name: assetName, content: req.body.toString('base64') };
    if (!version) {
      version = { version: versionName, revision: '', status: 'Unfinished', originType: 'INTERNAL', assets: [] };
      pkg.versions.push(version);
    }
    version.assets.push(asset);
    version.revision = revisionOf(version.assets);
    if (!unfinished) version.status = 'Published';
    ctx.changed();
    return json({
      format: key.format,
      namespace: key.namespace,
      package: key.name,
      version: versionName,
      versionRevision: version.revision,
      status: version.status,
      asset: { name: assetName, size: req.body.length, hashes: hashes(asset.content) },
    });
  },
  TagResource(req, ctx) {
    const res = resolveArn(ctx, req);
    const add = checkTags(body(req).tags ?? (() => { throw validation("Value null at 'tags' failed to satisfy constraint: Member must not be null"); })());
    const merged = [...res.tags.filter((t) => !add.some((a) => a.key === t.key)), ...add];
    if (merged.length > 200) throw e(402, 'ServiceQuotaExceededException', 'A resource can have at most 200 tags');
    res.tags = merged;
    ctx.changed();
    return json({});
  },
  UntagResource(req, ctx) {
    const res = resolveArn(ctx, req);
    const keys = body(req).tagKeys;
    if (!Array.isArray(keys)) throw validation("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    res.tags = res.tags.filter((t) => !keys.includes(t.key));
    ctx.changed();
    return json({});
  },
  ListTagsForResource(req, ctx) {
    return json({ tags: resolveArn(ctx, req).tags.map((t) => ({ key: t.key, value: t.value ?? '' })) });
  },
};

const ROUTES: Record<string, Record<string, string>> = {
  '/v1/domain': { POST: 'CreateDomain', GET: 'DescribeDomain', DELETE: 'DeleteDomain' },
  '/v1/repository': { POST: 'CreateRepository', GET: 'DescribeRepository', PUT: 'UpdateRepository', DELETE: 'DeleteRepository' },
  '/v1/domain/repositories': { POST: 'ListRepositoriesInDomain' },
  '/v1/repository/external-connection': { POST: 'AssociateExternalConnection', DELETE: 'DisassociateExternalConnection' },
  '/v1/package/versions': { POST: 'ListPackageVersions' },
  '/v1/package/version/assets': { POST: 'ListPackageVersionAssets' },
  '/v1/package/version/asset': { GET: 'GetPackageVersionAsset' },
  '/v1/package/version/publish': { POST: 'PublishPackageVersion' },
  '/v1/tag': { POST: 'TagResource' },
  '/v1/untag': { POST: 'UntagResource' },
  '/v1/tags': { POST: 'ListTagsForResource' },
};
const MUTATING = new Set(['CreateDomain', 'DeleteDomain', 'CreateRepository', 'UpdateRepository', 'DeleteRepository', 'AssociateExternalConnection', 'DisassociateExternalConnection', 'PublishPackageVersion', 'TagResource', 'UntagResource']);

export const codeartifact: ServiceHandler = {
  state: codeartifactState,
  name: 'codeartifact',
  matches: (req) => req.path.startsWith('/v1/') && ROUTES[req.path] !== undefined,
  operation: (req) => ROUTES[req.path]?.[req.method] ?? 'Unknown',
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    const fn = operations[op];
    if (!fn) throw new SandboxError(400, 'UnknownOperationException', `The Charter sandbox does not implement this CodeArtifact request: ${req.method} ${req.path}`);
    return fn(req, ctx);
  },
  renderError(err, req) {
    return {
      status: err.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.code, 'x-amzn-requestid': req.requestId },
      body: JSON.stringify({ message: err.message }),
    };
  },
  throttleError: () => new SandboxError(429, 'ThrottlingException', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(403, 'AccessDeniedException', 'Injected failure (sandbox failNthWrite)'),
};
