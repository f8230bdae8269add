/**
 * AWS calls go through the proxy the environment names: the CLI as a process, the real SDK clients, a
 * loopback proxy that counts what it carries (CONNECT tunnels for https, absolute-URL forwarding for http).
 */
import { execFile } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { proxyFor } from '../../src/aws/proxy.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { bundleNode, copyExamples, EXAMPLE_SECRETS, repoRoot, startExampleSandbox } from '../helpers/aws.js';
import { makeTlsMaterial, type TlsMaterial } from '../helpers/https-server.js';

const exec = promisify(execFile);

interface Proxy {
  url: string;
  /** Targets of CONNECT tunnels (`host:port`) and of forwarded requests (absolute URLs), in order. */
  carried: string[];
  close(): Promise<void>;
}

/** An HTTP proxy on loopback. `hosts` maps names it is asked for to loopback ports (it is their resolver). */
async function startProxy(hosts: Record<string, number> = {}): Promise<Proxy> {
  const carried: string[] = [];
  const sockets = new Set<Socket>();
  const resolve = (host: string, port: number) => (host in hosts ? { host: '127.0.0.1', port: hosts[host] } : { host, port });
  const server: Server = createServer((req, res) => {
    carried.push(req.url ?? '');
    const target = new URL(req.url ?? '');
    const to = resolve(target.hostname, Number(target.port || 80));
    const upstream = request({ ...to, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    carried.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(resolve(host, Number(port)), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    carried,
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
}

/** The CLI as a user runs it, with only the proxy variables this test names. */
async function charter(args: string[], cwd: string, env: Record<string, string>) {
  const base = { ...process.env };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']) delete base[name];
  try {
    const { stdout, stderr } = await exec(bundleNode, [join(repoRoot, 'dist/cli.js'), ...args], { cwd, env: { ...base, GITHUB_TOKEN: '', ...EXAMPLE_SECRETS, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const PLAN = ['plan', 'policies/examples/protection-groups.yml', '--format', 'json'];

let sandbox: Sandbox;
let proxy: Proxy;
let cwd: string;
beforeAll(async () => {
  sandbox = await startExampleSandbox();
  cwd = copyExamples();
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(async () => {
  await proxy?.close();
});

function plannedChanges(stdout: string): number {
  return (JSON.parse(stdout) as Plan).changes.length;
}

describe('AWS through the environment proxy', () => {
  it('HTTP_PROXY carries the calls to an http endpoint when NO_PROXY does not exempt it', async () => {
    proxy = await startProxy();
    const direct = await charter(PLAN, cwd, { CHARTER_AWS_ENDPOINT: sandbox.endpoint });
    expect(direct.code, direct.stderr).toBe(0);
    const run = await charter(PLAN, cwd, { CHARTER_AWS_ENDPOINT: sandbox.endpoint, HTTP_PROXY: proxy.url, NO_PROXY: 'internal.example' });
    expect(run.code, run.stderr).toBe(0);
    expect(plannedChanges(run.stdout)).toBe(plannedChanges(direct.stdout));
    expect(proxy.carried.length).toBeGreaterThan(0);
    expect(proxy.carried.every((u) => u.startsWith(`${sandbox.endpoint}/`))).toBe(true);
  });

  it('NO_PROXY naming the host bypasses the proxy; unset NO_PROXY keeps loopback direct', async () => {
    proxy = await startProxy();
    const host = new URL(sandbox.endpoint).hostname;
    const exempt = await charter(PLAN, cwd, { CHARTER_AWS_ENDPOINT: sandbox.endpoint, HTTP_PROXY: proxy.url, NO_PROXY: `internal.example,${host}` });
    expect(exempt.code, exempt.stderr).toBe(0);
    const loopback = await charter(PLAN, cwd, { CHARTER_AWS_ENDPOINT: sandbox.endpoint, http_proxy: proxy.url, HTTPS_PROXY: proxy.url });
    expect(loopback.code, loopback.stderr).toBe(0);
    expect(proxy.carried).toEqual([]);
  });

  describe('https endpoint', () => {
    let tls: TlsMaterial;
    let front: TlsServer;
    beforeAll(async () => {
      // AWS's endpoints are https: a TLS front for the sandbox under a name only the proxy can resolve.
      tls = makeTlsMaterial(['sandbox.test']);
      const sandboxPort = Number(new URL(sandbox.endpoint).port);
      front = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => {
        const upstream = connect(sandboxPort, '127.0.0.1');
        socket.pipe(upstream).pipe(socket);
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      });
      await new Promise<void>((done) => front.listen(0, '127.0.0.1', done));
    });
    afterAll(() => {
      front.close();
      tls.cleanup();
    });

    it('HTTPS_PROXY tunnels the calls with CONNECT', async () => {
      const port = (front.address() as AddressInfo).port;
      proxy = await startProxy({ 'sandbox.test': port });
      const run = await charter(PLAN, cwd, { CHARTER_AWS_ENDPOINT: `https://sandbox.test:${port}`, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: tls.caFile });
      expect(run.code, run.stderr).toBe(0);
      expect(plannedChanges(run.stdout)).toBeGreaterThanOrEqual(0);
      expect(proxy.carried.length).toBeGreaterThan(0);
      expect(new Set(proxy.carried)).toEqual(new Set([`sandbox.test:${port}`]));
    });
  });
});

describe('proxyFor', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const only = (env: Record<string, string>) => {
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy']) delete process.env[name];
    Object.assign(process.env, env);
  };

  it('picks the variable by scheme and honours NO_PROXY suffixes', () => {
    only({ HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.internal.example' });
    expect(proxyFor('https://route53.amazonaws.com')).toBe('http://proxy.corp:3128');
    expect(proxyFor('http://route53.amazonaws.com')).toBeUndefined();
    expect(proxyFor('https://aws.internal.example')).toBeUndefined();
  });

  it('reaches loopback directly while NO_PROXY is unset, through the proxy when NO_PROXY is set without it', () => {
    only({ HTTP_PROXY: 'http://proxy.corp:3128' });
    expect(proxyFor('http://127.0.0.1:4566')).toBeUndefined();
    expect(proxyFor('http://localhost:4566')).toBeUndefined();
    only({ HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'internal.example' });
    expect(proxyFor('http://127.0.0.1:4566')).toBe('http://proxy.corp:3128');
  });
});
