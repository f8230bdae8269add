/**
 * moto_server (moto 5) as an independent simulator for CodePipeline and CodeBuild: start it on loopback,
 * put a proxy in front of it that fixes what moto answers differently from AWS, and create the IAM roles
 * moto (like AWS) checks CodePipeline and CodeBuild may assume. Tests skip with a notice where moto_server
 * is absent, unless CHARTER_REQUIRE_ALL=1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';

export const hasMoto = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

/** Fails under CHARTER_REQUIRE_ALL=1, else prints the notice; call at module level of a test needing moto. */
export function requireMotoOrSkip(what: string): void {
  if (hasMoto) return;
  if (process.env.CHARTER_REQUIRE_ALL === '1') throw new Error('moto_server is required (CHARTER_REQUIRE_ALL=1) but was not found');
  console.warn(`NOTICE: moto_server not found; skipping ${what}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
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
 * A loopback proxy in front of moto. moto 5 answers CodePipeline timestamps (`created`, `updated`) as ISO
 * strings; AWS and the API model use epoch seconds, which the SDK parses: they are converted. Requests for
 * which `divert(path)` returns an endpoint go there instead (e.g. CodeArtifact, which moto lacks, to the
 * sandbox).
 */
export function motoProxy(target: string, divert?: (path: string) => string | undefined): Promise<{ url: string; server: Server }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length')) as Record<string, string>;
      const base = divert?.(req.url ?? '/') ?? target;
      let payload: Buffer = Buffer.concat(chunks);
      const op = String(req.headers['x-amz-target'] ?? '');
      if (base === target && (op === 'CodeBuild_20161006.CreateProject' || op === 'CodeBuild_20161006.UpdateProject')) payload = withSourceLocation(payload);
      fetch(base + (req.url ?? '/'), { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : payload })
        .then(async (r) => {
          const out: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
          });
          let body: Buffer = Buffer.from(await r.arrayBuffer());
          if (base === target && String(req.headers['x-amz-target'] ?? '').startsWith('CodePipeline_')) {
            body = Buffer.from(body.toString('utf8').replace(/"(created|updated)": "([^"]+)"/g, (_m, k: string, iso: string) => `"${k}": ${Date.parse(iso) / 1000}`));
          }
          res.writeHead(r.status, out);
          res.end(body);
        })
        .catch((e: Error) => {
          res.writeHead(502);
          res.end(e.message);
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

/**
 * moto requires `source.location` for every source type and `artifacts.location` for CODEPIPELINE artifacts;
 * AWS documents both as ignored for CODEPIPELINE (and the source location for NO_SOURCE), and the sandbox
 * follows AWS. The proxy adds placeholders so moto accepts such a project.
 */
function withSourceLocation(payload: Buffer): Buffer {
  const body = JSON.parse(payload.toString('utf8')) as { source?: { type?: string; location?: string }; artifacts?: { type?: string; location?: string } };
  if (body.source && (body.source.type === 'CODEPIPELINE' || body.source.type === 'NO_SOURCE') && body.source.location === undefined) body.source.location = 'unused';
  if (body.artifacts?.type === 'CODEPIPELINE' && body.artifacts.location === undefined) body.artifacts.location = 'unused';
  return Buffer.from(JSON.stringify(body));
}

/** Roles CodePipeline or CodeBuild may assume, by name. */
export async function createRoles(url: string, roles: Array<[name: string, service: 'codepipeline' | 'codebuild']>): Promise<void> {
  for (const [name, service] of roles) {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: `${service}.amazonaws.com` }, Action: 'sts:AssumeRole' }] });
    const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: policy });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
      body,
    });
    if (!res.ok) throw new Error(`moto CreateRole ${name}: ${res.status} ${await res.text()}`);
  }
}

/** Starts moto_server on a free loopback port; resolves once it answers. */
export async function startMoto(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitFor(url, 20_000);
  return { url, process: child };
}
