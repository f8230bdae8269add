/**
 * moto_server (moto 5) on loopback for tests that run Charter against an independent AWS simulator.
 * `hasMoto` is false where it is not installed: tests skip with a printed notice, unless
 * CHARTER_REQUIRE_ALL=1 (set by .ci/run), where its absence is an error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { freePort } from './ports.js';

export const hasMoto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

/** Call at the top of a test file: prints the notice, or throws under CHARTER_REQUIRE_ALL=1. */
export function requireMotoOrSkip(what: string): void {
  if (hasMoto) return;
  if (process.env.CHARTER_REQUIRE_ALL === '1') throw new Error(`moto_server is required (CHARTER_REQUIRE_ALL=1) but was not found: ${what}`);
  console.warn(`NOTICE: moto_server not found; skipping ${what}`);
}


async function waitFor(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`moto_server did not start at ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A loopback proxy in front of moto that fixes what moto answers or demands differently from AWS:
 * - moto 5 answers CodePipeline and CodeBuild timestamps as ISO strings; AWS and the API models (JSON 1.1)
 *   use epoch seconds, which the SDK parses. They are converted.
 * - moto requires `source.location` for every CodeBuild source type and `artifacts.location` for CODEPIPELINE
 *   artifacts; AWS documents both as ignored there (the sandbox follows AWS). Placeholders are added.
 * Requests for which `divert(path)` returns an endpoint go there instead (e.g. CodeArtifact, which moto lacks,
 * to the sandbox); their answers pass through untouched.
 */
function motoProxy(target: string, divert?: (path: string) => string | undefined): Promise<Server & { url: string }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      const base = divert?.(req.url ?? '/') ?? target;
      const operation = String(req.headers['x-amz-target'] ?? '');
      let payload: Buffer = Buffer.concat(chunks);
      if (base === target && (operation === 'CodeBuild_20161006.CreateProject' || operation === 'CodeBuild_20161006.UpdateProject')) payload = withIgnoredLocations(payload);
      fetch(base + (req.url ?? '/'), { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : payload })
        .then(async (r) => {
          const out: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v;
          });
          let body: Buffer = Buffer.from(await r.arrayBuffer());
          const fields = base !== target ? undefined : operation.startsWith('CodePipeline_') ? /"(created|updated)": ?"([^"]+)"/g : operation.startsWith('CodeBuild_') ? /"(startTime|endTime|created|lastModified)": ?"([^"]+)"/g : undefined;
          if (fields) body = Buffer.from(body.toString('utf8').replace(fields, (_m, k: string, iso: string) => `"${k}": ${Date.parse(iso) / 1000}`));
          res.writeHead(r.status, out);
          res.end(body);
        })
        .catch((e: Error) => {
          res.writeHead(502);
          res.end(e.message);
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(Object.assign(server, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }))));
}

function withIgnoredLocations(payload: Buffer): Buffer {
  const body = JSON.parse(payload.toString('utf8')) as { source?: { type?: string; location?: string }; artifacts?: { type?: string; location?: string } };
  if (body.source && (body.source.type === 'CODEPIPELINE' || body.source.type === 'NO_SOURCE') && body.source.location === undefined) body.source.location = 'unused';
  if (body.artifacts?.type === 'CODEPIPELINE' && body.artifacts.location === undefined) body.artifacts.location = 'unused';
  return Buffer.from(JSON.stringify(body));
}

/** moto (like AWS) checks that a service may assume a role; the sandbox has no IAM. */
async function createRole(url: string, name: string, service: string): Promise<void> {
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: `${service}.amazonaws.com` }, Action: 'sts:AssumeRole' }] });
  const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: policy });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
    body,
  });
  if (!res.ok) throw new Error(`moto CreateRole ${name}: ${res.status} ${await res.text()}`);
}

export interface Moto {
  /** The endpoint to give the SDK (the proxy in front of moto). */
  url: string;
  /** moto itself, without the proxy (for seeding, or a test's own proxy). */
  direct: string;
  createRole(name: string, service: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts moto_server on a free loopback port; `env` adds to its environment (e.g. MOTO_ACM_VALIDATION_WAIT),
 * `divert` sends some request paths elsewhere (see motoProxy).
 */
export async function startMoto(options: { env?: Record<string, string>; startTimeoutMs?: number; divert?: (path: string) => string | undefined } = {}): Promise<Moto> {
  const port = await freePort();
  const direct = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: { ...process.env, ...options.env } });
  await waitFor(direct, options.startTimeoutMs ?? 20_000);
  const proxy = await motoProxy(direct, options.divert);
  return {
    url: proxy.url,
    direct,
    createRole: (name, service) => createRole(direct, name, service),
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      child.kill();
    },
  };
}
