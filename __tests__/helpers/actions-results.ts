/**
 * A loopback fake of the GitHub Actions results service as @actions/artifact v2+ uses it to upload an
 * artifact: the Twirp JSON calls CreateArtifact and FinalizeArtifact
 * (`POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>`, bearer ACTIONS_RUNTIME_TOKEN) and the
 * Azure Blob Storage upload at the signed URL CreateArtifact hands out (Put Block, then Put Block List).
 *
 * Every request is checked the way the real service would: the token, the backend ids the token's
 * `Actions.Results` scope names, the field names of the request message, the signed URL's signature, the
 * block list, the finalized size and SHA-256 against the bytes actually received. Anything else is answered
 * with an error and recorded in `problems`, so a test can require that nothing was wrong.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const RUN_BACKEND_ID = 'c4d7a1e2-5b36-4f0a-9d8e-1f2a3b4c5d6e';
const JOB_BACKEND_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const MAX_BODY = 16 * 1024 * 1024;

export interface FakeArtifact {
  id: number;
  name: string;
  mimeType?: string;
  /** The blob as committed (the zip); undefined until Put Block List. */
  content?: Buffer;
  finalized: boolean;
  size?: number;
  hash?: string;
}

export interface FakeResultsService {
  /** ACTIONS_RESULTS_URL and ACTIONS_RUNTIME_TOKEN as the runner sets them. */
  env: { ACTIONS_RESULTS_URL: string; ACTIONS_RUNTIME_TOKEN: string };
  artifacts: FakeArtifact[];
  /** Requests the real service would have rejected. */
  problems: string[];
  /** Answer the next CreateArtifact with this Twirp error (the name taken, a quota). */
  failNextCreate(status: number, code: string, msg: string): void;
  close(): Promise<void>;
}

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

/** A JWT shaped like the runner's: the `scp` claim names the run's and job's backend ids. */
function runtimeToken(): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ scp: `Actions.ExampleScope Actions.Results:${RUN_BACKEND_ID}:${JOB_BACKEND_ID}`, exp: Math.floor(Date.now() / 1000) + 3600 }));
  return `${header}.${claims}.${randomBytes(32).toString('base64url')}`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A failure the test asked for: not a fault in the client's requests. */
    readonly injected = false,
  ) {
    super(message);
  }
}

/** The fields of a request message in proto names (the client sends `useProtoFieldName: true`). */
function checkFields(body: Record<string, unknown>, allowed: string[], required: string[], method: string): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw new Rejection(400, 'malformed', `${method}: unknown field ${key}`);
  for (const key of required) if (body[key] === undefined || body[key] === '') throw new Rejection(400, 'invalid_argument', `${method}: ${key} is required`);
}

export async function startFakeResultsService(): Promise<FakeResultsService> {
  const token = runtimeToken();
  const signature = randomBytes(24).toString('base64url');
  const artifacts: FakeArtifact[] = [];
  const blocks = new Map<number, Map<string, Buffer>>();
  const problems: string[] = [];
  let nextFailure: { status: number; code: string; msg: string } | undefined;
  let base = '';

  const twirp = async (method: string, req: IncomingMessage): Promise<unknown> => {
    if (req.headers.authorization !== `Bearer ${token}`) throw new Rejection(401, 'unauthenticated', `${method}: missing or wrong bearer token`);
    if (!String(req.headers['content-type']).startsWith('application/json')) throw new Rejection(415, 'malformed', `${method}: content-type ${req.headers['content-type']}`);
    const body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
    if (body.workflow_run_backend_id !== RUN_BACKEND_ID || body.workflow_job_run_backend_id !== JOB_BACKEND_ID) {
      throw new Rejection(403, 'permission_denied', `${method}: backend ids do not match the token's Actions.Results scope`);
    }
    if (method === 'CreateArtifact') {
      checkFields(body, ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'expires_at', 'version', 'mime_type'], ['name', 'version'], method);
      if (body.version !== 7) throw new Rejection(400, 'invalid_argument', `CreateArtifact: version ${String(body.version)}, expected 7`);
      const name = String(body.name);
      if (/["*:<>?\\/|\r\n]/.test(name)) throw new Rejection(400, 'invalid_argument', `CreateArtifact: invalid name ${name}`);
      if (nextFailure) {
        const f = nextFailure;
        nextFailure = undefined;
        throw new Rejection(f.status, f.code, f.msg, true);
      }
      if (artifacts.some((a) => a.name === name)) throw new Rejection(409, 'already_exists', `an artifact with this name already exists on the workflow run`);
      const artifact: FakeArtifact = { id: 7000 + artifacts.length + 1, name, finalized: false, ...(typeof body.mime_type === 'string' ? { mimeType: body.mime_type } : {}) };
      artifacts.push(artifact);
      blocks.set(artifact.id, new Map());
      const url = `${base}/devstoreaccount1/actions-results/${RUN_BACKEND_ID}/${artifact.id}.zip?sv=2023-11-03&sr=b&sp=cw&se=2099-01-01T00%3A00%3A00Z&sig=${signature}`;
      return { ok: true, signed_upload_url: url };
    }
    if (method === 'FinalizeArtifact') {
      checkFields(body, ['workflow_run_backend_id', 'workflow_job_run_backend_id', 'name', 'size', 'hash'], ['name', 'size'], method);
      const artifact = artifacts.find((a) => a.name === body.name);
      if (!artifact) throw new Rejection(404, 'not_found', `FinalizeArtifact: no artifact ${String(body.name)}`);
      if (artifact.finalized) throw new Rejection(409, 'already_exists', 'FinalizeArtifact: already finalized');
      if (!artifact.content) throw new Rejection(400, 'failed_precondition', 'FinalizeArtifact: nothing was uploaded');
      // int64 travels as a decimal string in proto3 JSON.
      if (body.size !== String(artifact.content.length)) throw new Rejection(400, 'invalid_argument', `FinalizeArtifact: size ${String(body.size)}, uploaded ${artifact.content.length}`);
      const hash = `sha256:${createHash('sha256').update(artifact.content).digest('hex')}`;
      if (body.hash !== undefined && body.hash !== hash) throw new Rejection(400, 'invalid_argument', `FinalizeArtifact: hash ${String(body.hash)} is not the uploaded content's ${hash}`);
      Object.assign(artifact, { finalized: true, size: artifact.content.length, hash });
      return { ok: true, artifact_id: String(artifact.id) };
    }
    throw new Rejection(404, 'bad_route', `no method ${method}`);
  };

  const blob = async (url: URL, req: IncomingMessage): Promise<number> => {
    if (url.searchParams.get('sig') !== signature) throw new Rejection(403, 'AuthenticationFailed', 'blob: bad or missing SAS signature');
    if (req.method !== 'PUT') throw new Rejection(405, 'UnsupportedHttpVerb', `blob: ${req.method}`);
    if (!req.headers['x-ms-version']) throw new Rejection(400, 'MissingRequiredHeader', 'blob: x-ms-version');
    const id = Number(/^\/devstoreaccount1\/actions-results\/[^/]+\/(\d+)\.zip$/.exec(url.pathname)?.[1]);
    const artifact = artifacts.find((a) => a.id === id);
    const staged = blocks.get(id);
    if (!artifact || !staged) throw new Rejection(404, 'BlobNotFound', `blob: ${url.pathname}`);
    if (artifact.finalized) throw new Rejection(409, 'BlobImmutable', 'blob: artifact already finalized');
    const body = await readBody(req);
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId || Buffer.from(blockId, 'base64').length === 0) throw new Rejection(400, 'InvalidQueryParameterValue', 'blob: blockid');
      if (Number(req.headers['content-length']) !== body.length) throw new Rejection(400, 'InvalidHeaderValue', 'blob: content-length');
      staged.set(blockId, body);
      return 201;
    }
    if (comp === 'blocklist') {
      const xml = body.toString('utf8');
      if (!/^(<\?xml[^>]*\?>)?\s*<BlockList>/.test(xml)) throw new Rejection(400, 'InvalidXmlDocument', 'blob: block list');
      const ids = [...xml.matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)].map((m) => m[2]);
      if (!ids.length) throw new Rejection(400, 'InvalidBlockList', 'blob: empty block list');
      const parts = ids.map((b) => staged.get(b));
      if (parts.some((p) => p === undefined)) throw new Rejection(400, 'InvalidBlockList', 'blob: a listed block was never staged');
      artifact.content = Buffer.concat(parts as Buffer[]);
      return 201;
    }
    throw new Rejection(400, 'UnsupportedQueryParameter', `blob: comp=${comp}`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const handle = async () => {
      if (url.pathname.startsWith(SERVICE)) {
        if (req.method !== 'POST') throw new Rejection(405, 'bad_route', `${req.method} ${url.pathname}`);
        const answer = await twirp(url.pathname.slice(SERVICE.length), req);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
        return;
      }
      const status = await blob(url, req);
      res.writeHead(status, { 'x-ms-version': String(req.headers['x-ms-version']), 'x-ms-request-id': randomBytes(8).toString('hex'), 'x-ms-request-server-encrypted': 'true', etag: `"0x${randomBytes(8).toString('hex')}"`, 'last-modified': new Date().toUTCString(), 'content-length': '0' }).end();
    };
    handle().catch((error: unknown) => {
      const r = error instanceof Rejection ? error : new Rejection(500, 'internal', (error as Error).message);
      if (!r.injected) problems.push(`${req.method} ${url.pathname}: ${r.message}`);
      if (!res.headersSent) {
        const isTwirp = url.pathname.startsWith(SERVICE);
        res.writeHead(r.status, { 'content-type': isTwirp ? 'application/json' : 'application/xml' });
        res.end(isTwirp ? JSON.stringify({ code: r.code, msg: r.message }) : `<?xml version="1.0" encoding="utf-8"?><Error><Code>${r.code}</Code><Message>${r.message}</Message></Error>`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: { ACTIONS_RESULTS_URL: `${base}/`, ACTIONS_RUNTIME_TOKEN: token },
    artifacts,
    problems,
    failNextCreate(status, code, msg) {
      nextFailure = { status, code, msg };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The entries of a zip archive (what @actions/artifact uploads): read from the central directory, each
 * entry stored or deflated. Enough to check what was uploaded; not a general unzip.
 */
export function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip: no end of central directory');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    if (!name.endsWith('/')) out.set(name, method === 8 ? inflateRawSync(data) : method === 0 ? Buffer.from(data) : Buffer.alloc(0));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
