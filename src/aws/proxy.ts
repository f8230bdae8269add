/**
 * AWS requests through the proxy the environment names (runners behind a corporate proxy, GHES), as curl
 * and the AWS CLI do: `HTTPS_PROXY` for https endpoints, `HTTP_PROXY` for http ones, `ALL_PROXY` for
 * either, and `NO_PROXY` for hosts to reach directly (lower-case names too). While `NO_PROXY` is unset,
 * loopback (the sandbox, `charter sandbox`) is reached directly; a `NO_PROXY` that is set is the whole list.
 */
import type { ClientRequest } from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { NodeHttpHandler } from '@smithy/node-http-handler';

type Env = Record<string, string | undefined>;

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'];

function variable(env: Env, name: string): string | undefined {
  return env[name] ?? env[name.toUpperCase()];
}

/** Whether the environment names any proxy at all (then, and only then, Charter installs its agent). */
export function proxyConfigured(env: Env = process.env): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(variable(env, name)));
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

/** The proxy URL for a request to `url` (per the process environment), or undefined to connect directly. */
export function proxyFor(url: string): string | undefined {
  if (variable(process.env, 'no_proxy') === undefined && isLoopback(new URL(url).hostname)) return undefined;
  return getProxyForUrl(url) || undefined;
}

/** An agent that picks, per request, the proxy the environment names for that host, or none. */
export class EnvProxyAgent extends Agent {
  private readonly agents = new Map<string, Agent>();

  constructor() {
    super({ keepAlive: true });
  }

  connect(_req: ClientRequest, options: AgentConnectOpts): Agent | net.Socket {
    const secure = options.secureEndpoint;
    const host = options.host ?? 'localhost';
    const url = `${secure ? 'https' : 'http'}://${net.isIPv6(host) ? `[${host}]` : host}:${options.port}`;
    const proxy = proxyFor(url);
    if (!proxy) return secure ? tls.connect(options) : net.connect(options);
    // https targets tunnel through CONNECT; http targets are forwarded with the absolute URL, as proxies expect.
    const key = `${secure ? 'https' : 'http'} ${proxy}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = secure ? new HttpsProxyAgent(proxy) : new HttpProxyAgent(proxy);
      this.agents.set(key, agent);
    }
    return agent;
  }
}

/** The SDK request handler for the environment's proxy, or undefined (the SDK's default) when none is set. */
export function proxyRequestHandler(): NodeHttpHandler | undefined {
  if (!proxyConfigured()) return undefined;
  const agent = new EnvProxyAgent();
  return new NodeHttpHandler({ httpAgent: agent, httpsAgent: agent });
}
