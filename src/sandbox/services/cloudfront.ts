/**
 * Amazon CloudFront (REST-XML, API version 2020-05-31): distributions (read) and invalidations.
 */
import { SandboxError } from '../errors.js';
import { alnumId } from '../ids.js';
import { el, listItems, opt, parseXmlDocument, text, XmlParseError, type XmlElement } from '../xml.js';
import { errorResponse, intParam, pathSegments, rootElement, unsupported, xmlResponse } from './common.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';
import { join, type Checker } from '../checker.js';
import { defineSection, defineSettings, nextCounter, type SandboxState } from '../section.js';

// ---------------------------------------------------------------------------------------------
// State: the `cloudfront` section of the account file and `settings.cloudfront`

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

export interface CloudFrontSettings {
  /** GetInvalidation calls until an invalidation reports Completed. 0 = Completed at once. */
  invalidationCompleteAfterPolls: number;
  /** Also Completed once this many ms have passed since creation (null = only polls count). Default 600000. */
  invalidationCompleteAfterMs: number | null;
}

export interface CloudFrontState {
  distributions: Distribution[];
}

declare module '../section.js' {
  interface SandboxState {
    cloudfront: CloudFrontState;
  }
  interface SandboxSettings {
    cloudfront: CloudFrontSettings;
  }
}

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

const cloudfrontSettings = defineSettings({
  key: 'cloudfront',
  defaults: () => ({ invalidationCompleteAfterPolls: 1, invalidationCompleteAfterMs: 600_000 }),
  load(c, value, out) {
    const f = c.object(value, 'settings.cloudfront');
    if (!f) return out;
    c.known(f, ['invalidationCompleteAfterPolls', 'invalidationCompleteAfterMs'], 'settings.cloudfront');
    out.invalidationCompleteAfterPolls = c.integer(f, 'invalidationCompleteAfterPolls', 'settings.cloudfront', 0, 1_000_000) ?? out.invalidationCompleteAfterPolls;
    if (f.invalidationCompleteAfterMs === null) out.invalidationCompleteAfterMs = null;
    else out.invalidationCompleteAfterMs = c.integer(f, 'invalidationCompleteAfterMs', 'settings.cloudfront', 0, 2_147_483_647) ?? out.invalidationCompleteAfterMs;
    return out;
  },
});

const cloudfrontState = defineSection({ key: 'cloudfront', empty: () => ({ distributions: [] }), load: normalizeCloudFront, settings: cloudfrontSettings });


const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const PREFIX = '/2020-05-31/';
/** In-progress limits per distribution (CloudFront developer guide, "Concurrent invalidation request maximum"). */
const MAX_FILE_PATHS_IN_PROGRESS = 3000;
const MAX_WILDCARD_PATHS_IN_PROGRESS = 15;

const invalidArgument = (message: string): SandboxError => new SandboxError(400, 'InvalidArgument', message);

function segments(req: ServiceRequest): string[] | undefined {
  if (!req.path.startsWith(PREFIX)) return undefined;
  return pathSegments(req.path.slice(PREFIX.length));
}

function operationOf(req: ServiceRequest): string {
  const s = segments(req);
  if (!s || s[0] !== 'distribution') return 'Unknown';
  const m = req.method;
  if (s.length === 1) return m === 'GET' ? 'ListDistributions' : m === 'POST' ? 'CreateDistribution' : 'Unknown';
  if (s.length === 2) return m === 'GET' ? 'GetDistribution' : m === 'DELETE' ? 'DeleteDistribution' : 'Unknown';
  if (s.length === 3 && s[2] === 'config') return m === 'GET' ? 'GetDistributionConfig' : m === 'PUT' ? 'UpdateDistribution' : 'Unknown';
  if (s.length === 3 && s[2] === 'invalidation') return m === 'GET' ? 'ListInvalidations' : m === 'POST' ? 'CreateInvalidation' : 'Unknown';
  if (s.length === 4 && s[2] === 'invalidation' && m === 'GET') return 'GetInvalidation';
  return 'Unknown';
}

/** The distribution, with invalidations old enough (invalidationCompleteAfterMs) marked Completed. */
function findDistribution(ctx: ServiceContext, id: string): Distribution {
  const d = ctx.state.cloudfront.distributions.find((x) => x.id === id);
  if (!d) throw new SandboxError(404, 'NoSuchDistribution', 'The specified distribution does not exist.');
  const ms = ctx.state.settings.cloudfront.invalidationCompleteAfterMs;
  if (ms !== null) {
    const now = ctx.now().getTime();
    for (const inv of d.invalidations) {
      if (inv.status === 'InProgress' && now - Date.parse(inv.createTime) >= ms) {
        inv.status = 'Completed';
        inv.pollsRemaining = 0;
        ctx.changed();
      }
    }
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const quantity = (name: string, itemName: string, items: readonly string[]): XmlElement =>
  el(name, el('Quantity', items.length), items.length > 0 && el('Items', items.map((i) => el(itemName, i))));

function isS3Origin(domainName: string): boolean {
  return /\.s3([.-][a-z0-9-]+)?\.amazonaws\.com$/.test(domainName);
}

function originXml(o: { id: string; domainName: string; originPath?: string }): XmlElement {
  return el(
    'Origin',
    el('Id', o.id),
    el('DomainName', o.domainName),
    el('OriginPath', o.originPath ?? ''),
    el('CustomHeaders', el('Quantity', 0)),
    isS3Origin(o.domainName)
      ? el('S3OriginConfig', el('OriginAccessIdentity', ''))
      : el(
          'CustomOriginConfig',
          el('HTTPPort', 80),
          el('HTTPSPort', 443),
          el('OriginProtocolPolicy', 'https-only'),
          quantity('OriginSslProtocols', 'SslProtocol', ['TLSv1.2']),
          el('OriginReadTimeout', 30),
          el('OriginKeepaliveTimeout', 5),
        ),
    el('ConnectionAttempts', 3),
    el('ConnectionTimeout', 10),
    el('OriginShield', el('Enabled', false)),
    el('OriginAccessControlId', ''),
  );
}

function distributionConfigXml(d: Distribution): XmlElement {
  const origins = d.origins.length > 0 ? d.origins : [{ id: 'sandbox-origin', domainName: 'sandbox-origin.invalid' }];
  const disabled = (name: string): XmlElement => el(name, el('Enabled', false), el('Quantity', 0));
  return el(
    'DistributionConfig',
    el('CallerReference', d.callerReference),
    quantity('Aliases', 'CNAME', d.aliases),
    el('DefaultRootObject', d.defaultRootObject ?? ''),
    el('Origins', el('Quantity', origins.length), el('Items', origins.map(originXml))),
    el('OriginGroups', el('Quantity', 0)),
    el(
      'DefaultCacheBehavior',
      el('TargetOriginId', origins[0].id),
      disabled('TrustedSigners'),
      disabled('TrustedKeyGroups'),
      el('ViewerProtocolPolicy', 'redirect-to-https'),
      el('AllowedMethods', el('Quantity', 2), el('Items', el('Method', 'HEAD'), el('Method', 'GET')), quantity('CachedMethods', 'Method', ['HEAD', 'GET'])),
      el('SmoothStreaming', false),
      el('Compress', true),
      el('LambdaFunctionAssociations', el('Quantity', 0)),
      el('FunctionAssociations', el('Quantity', 0)),
      el('FieldLevelEncryptionId', ''),
      el('CachePolicyId', '658327ea-f89d-4fab-a63d-7e88639e58f6'),
    ),
    el('CacheBehaviors', el('Quantity', 0)),
    el('CustomErrorResponses', el('Quantity', 0)),
    el('Comment', d.comment),
    el('Logging', el('Enabled', false), el('IncludeCookies', false), el('Bucket', ''), el('Prefix', '')),
    el('PriceClass', 'PriceClass_All'),
    el('Enabled', d.enabled),
    d.certificateArn
      ? el(
          'ViewerCertificate',
          el('CloudFrontDefaultCertificate', false),
          el('ACMCertificateArn', d.certificateArn),
          el('SSLSupportMethod', 'sni-only'),
          el('MinimumProtocolVersion', 'TLSv1.2_2021'),
          el('Certificate', d.certificateArn),
          el('CertificateSource', 'acm'),
        )
      : el(
          'ViewerCertificate',
          el('CloudFrontDefaultCertificate', true),
          el('SSLSupportMethod', 'vip'),
          el('MinimumProtocolVersion', 'TLSv1'),
          el('CertificateSource', 'cloudfront'),
        ),
    el('Restrictions', el('GeoRestriction', el('RestrictionType', 'none'), el('Quantity', 0))),
    el('WebACLId', ''),
    el('HttpVersion', 'http2'),
    el('IsIPV6Enabled', true),
    el('Staging', false),
  );
}

function distributionXml(d: Distribution): XmlElement {
  return rootElement(
    'Distribution',
    NS,
    el('Id', d.id),
    el('ARN', d.arn),
    el('Status', d.status),
    el('LastModifiedTime', d.lastModifiedTime),
    el('InProgressInvalidationBatches', d.invalidations.filter((i) => i.status === 'InProgress').length),
    el('DomainName', d.domainName),
    el('ActiveTrustedSigners', el('Enabled', false), el('Quantity', 0)),
    el('ActiveTrustedKeyGroups', el('Enabled', false), el('Quantity', 0)),
    distributionConfigXml(d),
  );
}

function invalidationXml(inv: Invalidation, root: boolean): XmlElement {
  const children = [
    el('Id', inv.id),
    el('Status', inv.status),
    el('CreateTime', inv.createTime),
    el('InvalidationBatch', quantity('Paths', 'Path', inv.paths), el('CallerReference', inv.callerReference)),
  ];
  return root ? rootElement('Invalidation', NS, children) : el('Invalidation', children);
}

function location(d: Distribution, inv: Invalidation): string {
  return `https://cloudfront.amazonaws.com/2020-05-31/distribution/${d.id}/invalidation/${inv.id}`;
}

// ---------------------------------------------------------------------------------------------
// Operations

function getDistribution(id: string, ctx: ServiceContext): ServiceResponse {
  const d = findDistribution(ctx, id);
  return xmlResponse(200, distributionXml(d), { etag: d.etag });
}

function parseInvalidationBatch(body: Buffer): { paths: string[]; callerReference: string } {
  let doc: ReturnType<typeof parseXmlDocument>;
  try {
    doc = parseXmlDocument(body.toString('utf8'));
  } catch (e) {
    throw new SandboxError(400, 'MalformedInput', `Could not parse the request body as XML: ${e instanceof XmlParseError ? e.message : String(e)}`);
  }
  if (doc.root !== 'InvalidationBatch') throw new SandboxError(400, 'MalformedInput', `Expected an InvalidationBatch document, got ${doc.root}`);
  const callerReference = text(doc.value, 'CallerReference');
  if (!callerReference) throw invalidArgument('CallerReference is required.');
  const pathsNode = doc.value.Paths;
  const q = text(pathsNode, 'Quantity');
  if (pathsNode === undefined || q === undefined) throw new SandboxError(400, 'MissingBody', 'Paths and Paths.Quantity are required.');
  const paths = listItems(pathsNode, 'Items', 'Path').map((p) => (typeof p === 'string' ? p : ''));
  if (Number(q) !== paths.length) throw new SandboxError(400, 'InconsistentQuantities', 'The value of Quantity and the size of Items don\'t match.');
  return { paths, callerReference };
}

function createInvalidation(id: string, req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const d = findDistribution(ctx, id);
  const { paths, callerReference } = parseInvalidationBatch(req.body);
  if (paths.length === 0) throw invalidArgument('Your request contains no invalidation paths.');
  const bad = paths.filter((p) => !p.startsWith('/') || p.length > 4000);
  if (bad.length > 0) throw invalidArgument(`Your request contains one or more invalid invalidation paths (each path must start with '/'): ${bad.slice(0, 5).join(', ')}`);
  if (paths.length > MAX_FILE_PATHS_IN_PROGRESS) throw new SandboxError(413, 'BatchTooLarge', `Invalidation batch specified is too large (${paths.length} paths; at most ${MAX_FILE_PATHS_IN_PROGRESS}).`);

  const prior = d.invalidations.find((i) => i.callerReference === callerReference);
  if (prior) {
    const same = prior.paths.length === paths.length && [...prior.paths].sort().every((p, i) => p === [...paths].sort()[i]);
    if (!same) throw new SandboxError(409, 'InvalidationBatchAlreadyExists', `An invalidation with CallerReference ${callerReference} already exists with different paths.`);
    return xmlResponse(201, invalidationXml(prior, true), { location: location(d, prior) });
  }

  const inProgress = d.invalidations.filter((i) => i.status === 'InProgress').flatMap((i) => i.paths);
  const isWildcard = (p: string): boolean => p.includes('*');
  const wildcards = inProgress.filter(isWildcard).length + paths.filter(isWildcard).length;
  const files = inProgress.filter((p) => !isWildcard(p)).length + paths.filter((p) => !isWildcard(p)).length;
  if (wildcards > MAX_WILDCARD_PATHS_IN_PROGRESS || files > MAX_FILE_PATHS_IN_PROGRESS) {
    throw new SandboxError(400, 'TooManyInvalidationsInProgress', 'You have exceeded the maximum number of allowable InProgress invalidation batch requests, or invalidation objects.');
  }

  const polls = ctx.state.settings.cloudfront.invalidationCompleteAfterPolls;
  const inv: Invalidation = {
    id: 'I' + alnumId(13, 'invalidation', ctx.state.accountId, String(nextCounter(ctx.state, 'cloudfrontInvalidation'))),
    callerReference,
    paths,
    status: polls === 0 ? 'Completed' : 'InProgress',
    createTime: ctx.now().toISOString(),
    pollsRemaining: polls,
  };
  d.invalidations.push(inv);
  ctx.changed();
  return xmlResponse(201, invalidationXml(inv, true), { location: location(d, inv) });
}

function getInvalidation(distId: string, invId: string, ctx: ServiceContext): ServiceResponse {
  const d = findDistribution(ctx, distId);
  const inv = d.invalidations.find((i) => i.id === invId);
  if (!inv) throw new SandboxError(404, 'NoSuchInvalidation', 'The specified invalidation does not exist.');
  if (inv.status === 'InProgress') {
    inv.pollsRemaining = Math.max(0, inv.pollsRemaining - 1);
    if (inv.pollsRemaining === 0) inv.status = 'Completed';
    ctx.changed();
  }
  return xmlResponse(200, invalidationXml(inv, true));
}

function listInvalidations(distId: string, req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const d = findDistribution(ctx, distId);
  const maxItems = intParam(req, 'MaxItems', invalidArgument) ?? 100;
  if (maxItems < 1 || maxItems > 1000) throw invalidArgument('MaxItems must be between 1 and 1000.');
  const marker = req.query.get('Marker') ?? '';
  const newestFirst = [...d.invalidations].reverse();
  let start = 0;
  if (marker !== '') {
    start = newestFirst.findIndex((i) => i.id === marker);
    if (start < 0) throw invalidArgument(`Invalid Marker: ${marker}`);
  }
  const page = newestFirst.slice(start, start + maxItems);
  const next = newestFirst[start + maxItems];
  return xmlResponse(
    200,
    rootElement(
      'InvalidationList',
      NS,
      el('Marker', marker),
      opt('NextMarker', next?.id),
      el('MaxItems', maxItems),
      el('IsTruncated', next !== undefined),
      el('Quantity', page.length),
      page.length > 0 &&
        el(
          'Items',
          page.map((i) => el('InvalidationSummary', el('Id', i.id), el('CreateTime', i.createTime), el('Status', i.status))),
        ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------

export const cloudfront: ServiceHandler = {
  state: cloudfrontState,
  name: 'cloudfront',
  matches: (req) => req.path.startsWith(PREFIX),
  operation: operationOf,
  isMutating: (op) => ['CreateInvalidation', 'CreateDistribution', 'UpdateDistribution', 'DeleteDistribution'].includes(op),
  handle(op, req, ctx) {
    const s = segments(req) ?? [];
    switch (op) {
      case 'GetDistribution':
        return getDistribution(s[1], ctx);
      case 'CreateInvalidation':
        return createInvalidation(s[1], req, ctx);
      case 'GetInvalidation':
        return getInvalidation(s[1], s[3], ctx);
      case 'ListInvalidations':
        return listInvalidations(s[1], req, ctx);
      default:
        throw unsupported('CloudFront', req);
    }
  },
  renderError: (err, req) => errorResponse(NS, err, req),
  throttleError: () => new SandboxError(400, 'Throttling', 'Rate exceeded'),
  defaultWriteFailure: () => new SandboxError(400, 'InvalidArgument', 'Injected failure (sandbox failNthWrite)'),
};
