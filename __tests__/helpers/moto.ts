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
 * moto 5 answers CodePipeline and CodeBuild timestamps as ISO strings; AWS and the API models (JSON 1.1)
 * use epoch seconds, which the SDK parses. This loopback proxy in front of moto converts them.
 */
function epochProxy(target: string): Promise<Server & { url: string }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      fetch(target + (req.url ?? '/'), { method: req.method, headers, body: req.method === 'GET' ? undefined : Buffer.concat(chunks) })
        .then(async (r) => {
          let text = await r.text();
          const target = String(req.headers['x-amz-target'] ?? '');
          const fields = target.startsWith('CodePipeline_') ? /"(created|updated)": ?"([^"]+)"/g : target.startsWith('CodeBuild_') ? /"(startTime|endTime|created|lastModified)": ?"([^"]+)"/g : undefined;
          if (fields) text = text.replace(fields, (_m, k: string, iso: string) => `"${k}": ${Date.parse(iso) / 1000}`);
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(text);
        })
        .catch((e: Error) => {
          res.writeHead(502);
          res.end(e.message);
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(Object.assign(server, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}` }))));
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
  /** The endpoint to give the SDK (the epoch proxy in front of moto). */
  url: string;
  /** moto itself, without the proxy (for seeding, or a test's own proxy). */
  direct: string;
  createRole(name: string, service: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts moto_server on a free loopback port; `env` adds to its environment (e.g. MOTO_ACM_VALIDATION_WAIT). */
export async function startMoto(options: { env?: Record<string, string>; startTimeoutMs?: number } = {}): Promise<Moto> {
  const port = await freePort();
  const direct = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: { ...process.env, ...options.env } });
  await waitFor(direct, options.startTimeoutMs ?? 20_000);
  const proxy = await epochProxy(direct);
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
