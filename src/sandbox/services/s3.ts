/**
 * Amazon S3 (REST-XML, path-style addressing: `/bucket/key`; clients use forcePathStyle).
 */
import { createHash } from 'node:crypto';
import { SandboxError } from '../errors.js';
import { hexId } from '../ids.js';
import { el, elAttrs, opt, renderXml } from '../xml.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './types.js';
import type { Checker } from '../checker.js';
import { defineSection, type SandboxState } from '../section.js';

// ---------------------------------------------------------------------------------------------
// State: the `s3` section of the account file

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

export interface S3State {
  buckets: Record<string, Bucket>;
}

declare module '../section.js' {
  interface SandboxState {
    s3: S3State;
  }
}

export function md5Etag(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

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

const s3State = defineSection({ key: 's3', empty: () => ({ buckets: {} }), load: normalizeS3 });


const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const MUTATING = new Set(['PutObject', 'DeleteObject', 'CreateBucket', 'DeleteBucket', 'CopyObject', 'DeleteObjects']);

interface Target {
  bucket?: string;
  key?: string;
}

/** `/bucket/some/key` → { bucket, key } with the key percent-decoded. */
function parseTarget(path: string): Target {
  const trimmed = path.replace(/^\/+/, '');
  if (trimmed === '') return {};
  const slash = trimmed.indexOf('/');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (slash < 0) return { bucket: decode(trimmed) };
  const key = trimmed.slice(slash + 1);
  return key === '' ? { bucket: decode(trimmed.slice(0, slash)) } : { bucket: decode(trimmed.slice(0, slash)), key: decode(key) };
}

function operationOf(req: ServiceRequest): string {
  const { bucket, key } = parseTarget(req.path);
  const q = req.query;
  if (!bucket) return req.method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (key === undefined) {
    switch (req.method) {
      case 'HEAD':
        return 'HeadBucket';
      case 'GET':
        if (q.get('list-type') === '2') return 'ListObjectsV2';
        if (q.has('location')) return 'GetBucketLocation';
        return [...q.keys()].filter((k) => k !== 'x-id').length === 0 || q.has('prefix') || q.has('marker') ? 'ListObjects' : 'Unknown';
      case 'PUT':
        return [...q.keys()].length === 0 ? 'CreateBucket' : 'Unknown';
      case 'DELETE':
        return [...q.keys()].length === 0 ? 'DeleteBucket' : 'Unknown';
      case 'POST':
        return q.has('delete') ? 'DeleteObjects' : 'Unknown';
      default:
        return 'Unknown';
    }
  }
  const subresource = [...q.keys()].some((k) => ['tagging', 'acl', 'uploads', 'uploadId', 'retention', 'legal-hold', 'attributes'].includes(k));
  if (subresource) return 'Unknown';
  switch (req.method) {
    case 'HEAD':
      return 'HeadObject';
    case 'GET':
      return 'GetObject';
    case 'PUT':
      return req.headers['x-amz-copy-source'] ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      return 'DeleteObject';
    default:
      return 'Unknown';
  }
}

function header(req: ServiceRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A signed request for a bucket in another region. S3 answers a path-style request at the wrong regional
 * endpoint with 301 PermanentRedirect (naming the endpoint to use, and the region in x-amz-bucket-region;
 * a HEAD gets the status and header only). The JS SDK does not follow it (followRegionRedirects is off by
 * default), so a wrong bucket region fails in the sandbox as it does on AWS. A virtual-hosted request
 * signed for the wrong region gets 400 AuthorizationHeaderMalformed instead; the sandbox is path-style only.
 */
class WrongRegionError extends SandboxError {
  constructor(
    bucket: string,
    readonly bucketRegion: string,
  ) {
    super(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.', {
      Bucket: bucket,
      Endpoint: `s3.${bucketRegion}.amazonaws.com`,
    });
  }
}

function isSigned(req: ServiceRequest): boolean {
  return req.headers.authorization !== undefined || req.query.has('X-Amz-Credential');
}

function checkRegion(bucket: string | undefined, req: ServiceRequest, state: SandboxState): void {
  const b = bucket === undefined ? undefined : state.s3.buckets[bucket];
  if (b && isSigned(req) && b.region !== req.region) throw new WrongRegionError(bucket!, b.region);
}

function noSuchBucket(bucket: string): SandboxError {
  return new SandboxError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
}

function getBucket(state: SandboxState, name: string): Bucket {
  const b = state.s3.buckets[name];
  if (!b) throw noSuchBucket(name);
  return b;
}

/**
 * Decode an `aws-chunked` body (`<hex size>[;chunk-signature=…]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`),
 * which the SDK uses for streaming uploads with trailing checksums.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) throw new SandboxError(400, 'IncompleteBody', 'Malformed aws-chunked body');
    const size = parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0) throw new SandboxError(400, 'IncompleteBody', 'Malformed aws-chunked body');
    if (size === 0) break;
    const start = eol + 2;
    parts.push(body.subarray(start, start + size));
    pos = start + size + 2;
  }
  return Buffer.concat(parts);
}

function isChunked(req: ServiceRequest): boolean {
  const enc = header(req, 'content-encoding') ?? '';
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  return enc.split(',').map((s) => s.trim()).includes('aws-chunked') || sha.startsWith('STREAMING-');
}

function objectHeaders(obj: S3Object, size: number): Record<string, string> {
  const h: Record<string, string> = {
    'content-type': obj.contentType,
    'content-length': String(size),
    etag: obj.etag,
    'last-modified': new Date(obj.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
  };
  if (obj.cacheControl !== undefined) h['cache-control'] = obj.cacheControl;
  if (obj.contentEncoding !== undefined) h['content-encoding'] = obj.contentEncoding;
  for (const [k, v] of Object.entries(obj.metadata ?? {})) h[`x-amz-meta-${k}`] = v;
  return h;
}

// ---------------------------------------------------------------------------------------------
// Operations

function headBucket(bucket: string, state: SandboxState): ServiceResponse {
  const b = getBucket(state, bucket);
  return { status: 200, headers: { 'x-amz-bucket-region': b.region } };
}

function getObject(bucket: string, key: string, req: ServiceRequest, state: SandboxState, head: boolean): ServiceResponse {
  const b = getBucket(state, bucket);
  const obj = b.objects[key];
  if (!obj) throw new SandboxError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
  const bytes = Buffer.from(obj.body, 'base64');
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || ifNoneMatch.split(',').map((s) => s.trim()).includes(obj.etag))) {
    return { status: 304, headers: { etag: obj.etag } };
  }
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(',').map((s) => s.trim()).includes(obj.etag)) {
    throw new SandboxError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  }
  const headers = objectHeaders(obj, bytes.length);
  return head ? { status: 200, headers } : { status: 200, headers, body: bytes };
}

function putObject(bucket: string, key: string, req: ServiceRequest, ctx: ServiceContext): ServiceResponse {
  const b = getBucket(ctx.state, bucket);
  if (Buffer.byteLength(key, 'utf8') > 1024) throw new SandboxError(400, 'KeyTooLongError', 'Your key is too long');
  const bytes = isChunked(req) ? decodeAwsChunked(req.body) : req.body;
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(bytes).digest('base64') !== md5) {
    throw new SandboxError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch === '*' && b.objects[key]) {
    throw new SandboxError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  const encoding = (header(req, 'content-encoding') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== 'aws-chunked')
    .join(', ');
  const obj: S3Object = {
    body: bytes.toString('base64'),
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    etag: md5Etag(bytes),
    lastModified: ctx.now().toISOString(),
  };
  const cacheControl = header(req, 'cache-control');
  if (cacheControl !== undefined) obj.cacheControl = cacheControl;
  if (encoding !== '') obj.contentEncoding = encoding;
  if (Object.keys(metadata).length > 0) obj.metadata = metadata;
  b.objects[key] = obj;
  ctx.changed();
  return { status: 200, headers: { etag: obj.etag } };
}

function deleteObject(bucket: string, key: string, ctx: ServiceContext): ServiceResponse {
  const b = getBucket(ctx.state, bucket);
  if (b.objects[key]) {
    delete b.objects[key];
    ctx.changed();
  }
  return { status: 204 };
}

function listObjectsV2(bucket: string, req: ServiceRequest, state: SandboxState): ServiceResponse {
  const b = getBucket(state, bucket);
  const q = req.query;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const startAfter = q.get('start-after') ?? '';
  const token = q.get('continuation-token');
  const maxKeysRaw = q.get('max-keys');
  const maxKeys = maxKeysRaw === null ? 1000 : Number(maxKeysRaw);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new SandboxError(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys' });
  let after = startAfter;
  if (token !== null) {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (!decoded.startsWith('sandbox:')) throw new SandboxError(400, 'InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    after = decoded.slice('sandbox:'.length);
  }
  const keys = Object.keys(b.objects)
    .filter((k) => k.startsWith(prefix) && k > after)
    .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  // Group into contents and common prefixes, then page over the combined, ordered entries.
  const entries: Array<{ key: string; prefix?: string }> = [];
  const seenPrefixes = new Set<string>();
  for (const k of keys) {
    if (delimiter) {
      const idx = k.indexOf(delimiter, prefix.length);
      if (idx >= 0) {
        const p = k.slice(0, idx + delimiter.length);
        if (!seenPrefixes.has(p)) {
          seenPrefixes.add(p);
          entries.push({ key: k, prefix: p });
        }
        continue;
      }
    }
    entries.push({ key: k });
  }
  const page = entries.slice(0, maxKeys);
  const truncated = entries.length > page.length;
  // Continue after the last key covered by this page (for a prefix: after every key under it).
  const last = page[page.length - 1];
  const nextAfter = last === undefined ? '' : last.prefix !== undefined ? keys.filter((k) => k.startsWith(last.prefix ?? '')).pop() ?? last.key : last.key;
  const body = elAttrs(
    'ListBucketResult',
    { xmlns: NS },
    el('Name', bucket),
    el('Prefix', prefix),
    delimiter !== '' && el('Delimiter', delimiter),
    el('MaxKeys', maxKeys),
    el('KeyCount', page.length),
    el('IsTruncated', truncated),
    opt('ContinuationToken', token ?? undefined),
    truncated && el('NextContinuationToken', Buffer.from(`sandbox:${nextAfter}`).toString('base64')),
    startAfter !== '' && el('StartAfter', startAfter),
    page
      .filter((e) => e.prefix === undefined)
      .map((e) => {
        const o = b.objects[e.key];
        return el(
          'Contents',
          el('Key', e.key),
          el('LastModified', new Date(o.lastModified)),
          el('ETag', o.etag),
          el('Size', Buffer.from(o.body, 'base64').length),
          el('StorageClass', 'STANDARD'),
        );
      }),
    page.filter((e) => e.prefix !== undefined).map((e) => el('CommonPrefixes', el('Prefix', e.prefix ?? ''))),
  );
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: renderXml(body) };
}

// ---------------------------------------------------------------------------------------------

export const s3: ServiceHandler = {
  state: s3State,
  name: 's3',
  requestIdHeader: 'x-amz-request-id',
  // Anything unsigned that is not another service's URL shape is treated as S3.
  matches: (req) => !req.path.startsWith('/2013-04-01/') && !req.path.startsWith('/2020-05-31/') && req.headers['x-amz-target'] === undefined,
  operation: operationOf,
  isMutating: (op) => MUTATING.has(op),
  handle(op, req, ctx) {
    const { bucket, key } = parseTarget(req.path);
    checkRegion(bucket, req, ctx.state);
    switch (op) {
      case 'HeadBucket':
        return headBucket(bucket ?? '', ctx.state);
      case 'ListObjectsV2':
        return listObjectsV2(bucket ?? '', req, ctx.state);
      case 'HeadObject':
        return getObject(bucket ?? '', key ?? '', req, ctx.state, true);
      case 'GetObject':
        return getObject(bucket ?? '', key ?? '', req, ctx.state, false);
      case 'PutObject':
        return putObject(bucket ?? '', key ?? '', req, ctx);
      case 'DeleteObject':
        return deleteObject(bucket ?? '', key ?? '', ctx);
      default:
        throw new SandboxError(501, 'NotImplemented', `The Charter sandbox does not implement this S3 request (${op}): ${req.method} ${req.path}`);
    }
  },
  renderError(err, req) {
    const hostId = Buffer.from(hexId(48, 'host', req.requestId), 'hex').toString('base64');
    const headers: Record<string, string> = {
      'content-type': 'application/xml',
      'x-amz-request-id': req.requestId,
      'x-amz-id-2': hostId,
    };
    if (err instanceof WrongRegionError) headers['x-amz-bucket-region'] = err.bucketRegion;
    if (req.method === 'HEAD') return { status: err.status, headers };
    const body = el(
      'Error',
      el('Code', err.code),
      el('Message', err.message),
      Object.entries(err.fields).map(([k, v]) => el(k, v)),
      el('RequestId', req.requestId),
      el('HostId', hostId),
    );
    return { status: err.status, headers, body: renderXml(body) };
  },
  throttleError: () => new SandboxError(503, 'SlowDown', 'Please reduce your request rate.'),
  defaultWriteFailure: () => new SandboxError(403, 'AccessDenied', 'Access Denied (injected failure: sandbox failNthWrite)'),
};
