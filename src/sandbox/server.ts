/**
 * The loopback HTTP server: identifies the service of each request, applies faults, counts
 * the call, dispatches to the service handler, persists the state, and serves the
 * `/_sandbox/*` control plane.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxError } from './errors.js';
import type { Faults } from './faults.js';
import { SERVICES } from './services/index.js';
import type { ServiceContext, ServiceHandler, ServiceRequest, ServiceResponse } from './services/types.js';
import { recordable, type RecordedResponse } from './recorder.js';
import { serializeState, type SandboxState } from './state.js';
import type { StatsRecorder } from './stats.js';

export interface ServerDeps {
  /** Current state (read on every request so `sandbox.state` may be replaced). */
  getState(): SandboxState;
  faults: Faults;
  stats: StatsRecorder;
  /** Called after a request that changed the state; resolves once persisted. */
  onChanged(): Promise<void>;
  services?: readonly ServiceHandler[];
  /** Called with every response sent (the contract test checks them against AWS's service models). */
  record?: (entry: RecordedResponse) => void;
}

const MAX_BODY = 64 * 1024 * 1024;

/** `Credential=AKID/20260101/us-east-1/route53/aws4_request` → { region, service }. */
export function credentialScope(req: IncomingMessage, query: URLSearchParams): { region: string; service: string } | undefined {
  const auth = req.headers.authorization;
  const credential = (typeof auth === 'string' ? /Credential=([^,\s]+)/.exec(auth)?.[1] : undefined) ?? query.get('X-Amz-Credential') ?? undefined;
  if (!credential) return undefined;
  const parts = credential.split('/');
  if (parts.length < 5) return undefined;
  return { region: parts[parts.length - 3], service: parts[parts.length - 2] };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new SandboxError(413, 'RequestEntityTooLarge', 'Request body too large for the sandbox'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, method: string, r: ServiceResponse): void {
  const body = r.body === undefined ? Buffer.alloc(0) : typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  if (!hasLength) headers['content-length'] = String(body.length);
  res.writeHead(r.status, headers);
  if (method === 'HEAD' || r.status === 204 || r.status === 304) res.end();
  else res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class SandboxServer {
  private readonly server: Server;
  private readonly services: readonly ServiceHandler[];

  constructor(private readonly deps: ServerDeps) {
    this.services = deps.services ?? SERVICES;
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        resolve(`http://127.0.0.1:${addr.port}`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()));
      this.server.closeAllConnections();
    });
  }

  /** By SigV4 signing name when signed; by URL shape only for unsigned requests. */
  private identify(sreq: ServiceRequest, scope: { service: string } | undefined): ServiceHandler | undefined {
    if (scope) return this.services.find((s) => s.name === scope.service);
    return this.services.find((s) => s.matches(sreq));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) {
      await this.control(req, res, url);
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    const scope = credentialScope(req, url.searchParams);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      sendJson(res, 413, { error: e instanceof Error ? e.message : String(e) });
      return;
    }
    const rawPath = (req.url ?? '/').split('?')[0] || '/';
    const sreq: ServiceRequest = {
      method,
      path: rawPath,
      query: url.searchParams,
      headers: req.headers,
      body,
      region: scope?.region ?? 'us-east-1',
      requestId,
    };
    const service = this.identify(sreq, scope);
    if (!service) {
      const supported = this.services.map((s) => s.name).join(', ');
      const message = scope
        ? `The Charter sandbox does not simulate the AWS service '${scope.service}' (supported: ${supported}).`
        : `The Charter sandbox cannot tell which AWS service this request is for (${method} ${rawPath}); supported: ${supported}.`;
      sendJson(res, 400, { __type: 'UnsupportedService', message, error: message });
      return;
    }
    const operation = service.operation(sreq);
    this.deps.stats.record(service.name, operation, sreq.region);
    const { faults } = this.deps;
    if (faults.delayMs > 0) await sleep(faults.delayMs);

    let response: ServiceResponse;
    let injected = false;
    let dirty = false;
    const state = this.deps.getState();
    const ctx: ServiceContext = {
      state,
      now: () => new Date(),
      changed: () => {
        dirty = true;
      },
    };
    try {
      injected = true;
      if (faults.takeThrottle(service.name, operation, sreq.region)) throw service.throttleError();
      if (service.isMutating(operation)) {
        const failure = faults.takeWriteFailure(service.name);
        if (failure === null) throw service.defaultWriteFailure();
        if (failure !== undefined) throw new SandboxError(failure.status ?? 400, failure.code, failure.message);
      }
      injected = false;
      response = await service.handle(operation, sreq, ctx);
    } catch (e) {
      const err =
        e instanceof SandboxError
          ? e
          : new SandboxError(500, 'InternalFailure', `Sandbox internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      response = service.renderError(err, sreq);
    }
    const headers = { ...(response.headers ?? {}) };
    headers[service.requestIdHeader ?? 'x-amzn-requestid'] ??= requestId;
    if (dirty) await this.deps.onChanged();
    if (this.deps.record) this.recordResponse(service.name, operation, { ...response, headers }, injected);
    send(res, method, { ...response, headers });
  }

  private recordResponse(service: string, operation: string, response: ServiceResponse, injected: boolean): void {
    const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const raw = response.body === undefined ? Buffer.alloc(0) : typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    const body = recordable(headers['content-type'], response.status, raw);
    this.deps.record?.({ service, operation, status: response.status, headers, ...(body !== undefined ? { body } : {}), injected });
  }

  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const { faults, stats } = this.deps;
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/_sandbox/stats') {
      if (method === 'GET') return sendJson(res, 200, stats.toJSON());
      if (method === 'DELETE') {
        stats.reset();
        return sendJson(res, 200, stats.toJSON());
      }
    } else if (path === '/_sandbox/faults') {
      if (method === 'GET') return sendJson(res, 200, faults.snapshot());
      if (method === 'POST') {
        const raw = (await readBody(req)).toString('utf8');
        try {
          faults.apply(raw.trim() === '' ? {} : JSON.parse(raw));
        } catch (e) {
          return sendJson(res, 400, { error: e instanceof Error ? e.message : String(e) });
        }
        return sendJson(res, 200, faults.snapshot());
      }
      if (method === 'DELETE') {
        faults.reset();
        return sendJson(res, 200, faults.snapshot());
      }
    } else if (path === '/_sandbox/state') {
      if (method === 'GET') return sendJson(res, 200, serializeState(this.deps.getState()));
    } else if (path === '/_sandbox' || path === '/_sandbox/health') {
      if (method === 'GET') return sendJson(res, 200, { ok: true, services: this.services.map((s) => s.name) });
    } else {
      return sendJson(res, 404, { error: `unknown control endpoint ${url.pathname} (try /_sandbox/stats, /_sandbox/faults, /_sandbox/state)` });
    }
    sendJson(res, 405, { error: `method ${method} not allowed on ${url.pathname}` });
  }
}
