/**
 * What the internet sees: DNS lookups through a real resolver (node:dns `Resolver`, servers configurable)
 * and HTTPS GETs (node:https) with certificate verification on and redirects never followed. Used only
 * by `charter verify` (src/providers/email/verify.ts), which loads this module lazily, so
 * `charter validate` never loads node:dns or node:https.
 *
 * Failures are returned as `LiveError` values, never thrown: verify turns them into diagnostics.
 * Every request is bounded by `timeoutMs` (default 5 s), DNS lookups and HTTPS requests alike.
 */
import { Resolver, type LookupAddress } from 'node:dns';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';

export const DEFAULT_TIMEOUT_MS = 5_000;
/** Largest response body read; MTA-STS policies, BIMI logos (≤32 KB) and PEM chains are far smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface LiveClientOptions {
  /**
   * DNS servers to ask, as `ip` or `ip:port` (IPv6: `[ip]:port`). Default: the system's resolvers
   * (from /etc/resolv.conf), queried directly, not through getaddrinfo.
   */
  dnsServers?: string[];
  /** Upper bound for one DNS lookup or one HTTPS request (lookup + connect + TLS + body), ms. Default 5000. */
  timeoutMs?: number;
  /**
   * FOR TESTS: connect to this port instead of the URL's port (443), so a loopback HTTPS server can stand
   * in for `mta-sts.<domain>`. Host names are still resolved through `dnsServers`.
   */
  httpsPort?: number;
  /**
   * FOR TESTS: trust only these CA certificates (PEM) instead of Node's bundled root store, so a server
   * certificate generated at test time can be verified. Certificate verification is never turned off.
   */
  ca?: string | Buffer;
}

/** Why a lookup or request failed. `nxdomain` and `nodata` are answers (the name or record does not exist). */
export type LiveErrorKind = 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused' | 'tls' | 'unreachable' | 'too-large' | 'bad-url' | 'other';
/** How far a request got: resolving the host, connecting, the TLS handshake, or reading the HTTP response. */
export type LivePhase = 'dns' | 'connect' | 'tls' | 'http';

export class LiveError extends Error {
  /** Node's error code when there is one (`ENOTFOUND`, `ETIMEOUT`, `CERT_HAS_EXPIRED`, …). */
  readonly code?: string;

  constructor(
    readonly kind: LiveErrorKind,
    readonly phase: LivePhase,
    message: string,
    code?: string,
  ) {
    super(message);
    this.name = 'LiveError';
    if (code !== undefined) this.code = code;
  }
}

export interface MxRecord {
  priority: number;
  /** Host name without trailing dot; `''` for a Null MX (RFC 7505). */
  exchange: string;
}

export interface HttpResponse {
  url: string;
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface LiveClient {
  /** TXT records at `name`, each as its character-strings (not yet concatenated). */
  txt(name: string): Promise<string[][] | LiveError>;
  mx(name: string): Promise<MxRecord[] | LiveError>;
  /** One HTTPS request; a 3xx is returned as it is, never followed. */
  fetch(url: string, init?: { method?: 'GET' | 'HEAD' }): Promise<HttpResponse | LiveError>;
}

const DNS_ERRORS: Record<string, LiveErrorKind> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'nodata',
  ETIMEOUT: 'timeout',
  ECANCELLED: 'timeout',
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
  ECONNREFUSED: 'refused',
};

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME|EPROTO/;
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'ECONNABORTED']);

function dnsError(name: string, rrtype: string, error: NodeJS.ErrnoException, timeoutMs: number): LiveError {
  const code = error.code ?? 'UNKNOWN';
  const kind = DNS_ERRORS[code] ?? 'other';
  const what: Record<LiveErrorKind, string> = {
    nxdomain: `${name} does not exist (NXDOMAIN)`,
    nodata: `${name} has no ${rrtype} record`,
    timeout: `the ${rrtype} lookup of ${name} timed out after ${timeoutMs} ms`,
    servfail: `the DNS server failed to answer the ${rrtype} lookup of ${name} (SERVFAIL)`,
    refused: `the DNS server refused the ${rrtype} lookup of ${name}`,
    tls: '',
    unreachable: '',
    'too-large': '',
    'bad-url': '',
    other: `the ${rrtype} lookup of ${name} failed: ${code}`,
  };
  return new LiveError(kind, 'dns', what[kind], code);
}

function bareName(name: string): string {
  return name.replace(/\.+$/, '');
}

/** The client `charter verify` uses: node:dns `Resolver` + node:https, with the options above. */
export function createLiveClient(options: LiveClientOptions = {}): LiveClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`timeout must be a positive number of milliseconds, not ${timeoutMs}`);
  const servers = options.dnsServers?.length ? [...options.dnsServers] : undefined;
  // Fail fast on a bad server address (Resolver#setServers throws ERR_INVALID_IP_ADDRESS).
  if (servers) {
    try {
      newResolver(timeoutMs, servers);
    } catch (error) {
      throw new Error(`invalid DNS server in ${servers.join(', ')}: ${(error as Error).message}`);
    }
  }

  /** One resolver per lookup, so a timed-out lookup can be cancelled without touching the others. */
  function resolve<T>(name: string, rrtype: string, run: (r: Resolver, cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T | LiveError> {
    const resolver = newResolver(timeoutMs, servers);
    return new Promise((done) => {
      let settled = false;
      const finish = (value: T | LiveError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done(value);
      };
      // c-ares has its own timeout (one try per server); this bounds the whole lookup whatever the server count.
      const timer = setTimeout(() => {
        finish(new LiveError('timeout', 'dns', `the ${rrtype} lookup of ${name} timed out after ${timeoutMs} ms`, 'ETIMEOUT'));
        resolver.cancel();
      }, timeoutMs);
      run(resolver, (err, value) => finish(err ? dnsError(name, rrtype, err, timeoutMs) : value));
    });
  }

  async function addresses(host: string): Promise<LookupAddress[] | LiveError> {
    const v4 = await resolve<string[]>(host, 'A', (r, cb) => r.resolve4(host, cb));
    if (!(v4 instanceof LiveError) && v4.length) return v4.map((address) => ({ address, family: 4 }));
    if (v4 instanceof LiveError && v4.kind !== 'nodata') return v4;
    const v6 = await resolve<string[]>(host, 'AAAA', (r, cb) => r.resolve6(host, cb));
    if (v6 instanceof LiveError) return v6.kind === 'nodata' ? new LiveError('nodata', 'dns', `${host} has no A or AAAA record`, v6.code) : v6;
    return v6.length ? v6.map((address) => ({ address, family: 6 })) : new LiveError('nodata', 'dns', `${host} has no A or AAAA record`, 'ENODATA');
  }

  /** Host names for HTTPS are resolved through the SAME resolver as the TXT lookups, never getaddrinfo. */
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    void addresses(hostname).then((found) => {
      if (found instanceof LiveError) {
        callback(found, '', 0);
        return;
      }
      const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? found.filter((a) => a.family === lookupOptions.family) : found;
      const list = wanted.length ? wanted : found;
      if (lookupOptions.all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };

  return {
    async txt(name) {
      const host = bareName(name);
      const found = await resolve<string[][]>(host, 'TXT', (r, cb) => r.resolveTxt(host, cb));
      return found instanceof LiveError && found.kind === 'nodata' ? [] : found;
    },
    async mx(name) {
      const host = bareName(name);
      const found = await resolve<{ priority: number; exchange: string }[]>(host, 'MX', (r, cb) => r.resolveMx(host, cb));
      if (found instanceof LiveError) return found.kind === 'nodata' ? [] : found;
      return found.map((m) => ({ priority: m.priority, exchange: bareName(m.exchange) }));
    },
    fetch(url, init = {}) {
      return httpsRequest(url, init.method ?? 'GET', { timeoutMs, httpsPort: options.httpsPort, ca: options.ca, lookup });
    },
  };
}

/**
 * One try per server, the time shared between the servers, so a dead first server still leaves time to ask
 * the next one (c-ares moves on in order) within the overall bound. Node checks c-ares timeouts on a timer
 * ticking every `timeout` ms, so a query can wait up to two ticks: with several servers each gets
 * timeoutMs / (servers + 1).
 */
function newResolver(timeoutMs: number, servers: string[] | undefined): Resolver {
  const count = Math.max(1, servers?.length ?? new Resolver().getServers().length);
  const perServer = count === 1 ? timeoutMs : Math.floor(timeoutMs / (count + 1));
  const resolver = new Resolver({ timeout: Math.max(1, perServer), tries: 1 });
  if (servers) resolver.setServers(servers);
  return resolver;
}

interface RequestSettings {
  timeoutMs: number;
  httpsPort?: number;
  ca?: string | Buffer;
  lookup: LookupFunction;
}

const PHASE_LABEL: Record<LivePhase, string> = { dns: 'resolving the host', connect: 'connecting', tls: 'during the TLS handshake', http: 'waiting for the response' };

function httpsRequest(url: string, method: 'GET' | 'HEAD', settings: RequestSettings): Promise<HttpResponse | LiveError> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve(new LiveError('bad-url', 'dns', `"${url}" is not a URL`));
  }
  if (parsed.protocol !== 'https:') return Promise.resolve(new LiveError('bad-url', 'dns', `${url} is not an https URL`));
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((done) => {
    let phase: LivePhase = 'dns';
    let settled = false;
    const finish = (value: HttpResponse | LiveError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(value);
    };
    const req = request(
      {
        host,
        servername: host,
        port: settings.httpsPort ?? (parsed.port === '' ? 443 : Number(parsed.port)),
        path: `${parsed.pathname}${parsed.search}`,
        method,
        headers: { 'user-agent': 'charter-verify', accept: '*/*' },
        ca: settings.ca,
        rejectUnauthorized: true,
        // No keep-alive pool: every check is one connection, and the process can exit as soon as it is done.
        agent: false,
        lookup: settings.lookup,
      },
      (res) => {
        phase = 'http';
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            const error = new LiveError('too-large', 'http', `${url} sent more than ${MAX_BODY_BYTES} bytes`);
            finish(error);
            req.destroy(error);
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish({ url, status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body: Buffer.concat(chunks) }));
        res.on('error', (error) => finish(httpError(url, error, phase)));
      },
    );
    req.on('socket', (socket) => {
      socket.once('lookup', () => {
        if (phase === 'dns') phase = 'connect';
      });
      socket.once('connect', () => {
        if (phase === 'dns' || phase === 'connect') phase = 'tls';
      });
      socket.once('secureConnect', () => {
        phase = 'http';
      });
    });
    req.on('error', (error) => finish(httpError(url, error, phase)));
    const timer = setTimeout(() => {
      const error = new LiveError('timeout', phase, `${url}: no complete response within ${settings.timeoutMs} ms (${PHASE_LABEL[phase]})`, 'ETIMEDOUT');
      finish(error);
      req.destroy(error);
    }, settings.timeoutMs);
    req.end();
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function httpError(url: string, error: Error, phase: LivePhase): LiveError {
  if (error instanceof LiveError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (TLS_CODE.test(code) || (phase === 'tls' && !UNREACHABLE_CODES.has(code))) {
    return new LiveError('tls', 'tls', `${url}: TLS failed: ${error.message}${code && !error.message.includes(code) ? ` (${code})` : ''}`, code || undefined);
  }
  if (UNREACHABLE_CODES.has(code)) return new LiveError('unreachable', phase, `${url}: ${error.message}`, code);
  return new LiveError('other', phase, `${url}: ${error.message}`, code || undefined);
}
