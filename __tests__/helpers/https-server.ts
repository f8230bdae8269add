/**
 * A node:https server on 127.0.0.1 (ephemeral port) standing in for `mta-sts.<domain>` and BIMI asset hosts
 * in the live verify tests. Certificates are generated at test time with the openssl CLI: a test CA signs
 * a leaf whose subjectAltName lists every host; hosts listed in `untrustedHosts` get a leaf signed by
 * another CA (not in `ca`), chosen by SNI, so certificate verification fails for them only.
 * Routes are configurable per host and path (status, headers, body, redirect) and may change between runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';

export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Answer 301 with this Location. */
  redirect?: string;
}

/** `routes[host][path]`, host in lower case, path starting with `/`. */
export type Routes = Record<string, Record<string, Route>>;

export interface HttpsServer {
  port: number;
  /** PEM of the CA that signed the trusted certificate: pass as `ca`, or via NODE_EXTRA_CA_CERTS (caFile). */
  ca: string;
  caFile: string;
  routes: Routes;
  /** Requests received, as `<METHOD> <host><path>`. */
  requests: string[];
  close(): Promise<void>;
}

export interface TlsMaterial {
  ca: string;
  caFile: string;
  key: string;
  cert: string;
  untrustedKey: string;
  untrustedCert: string;
  cleanup(): void;
}

/** A CA, a leaf for `hosts` signed by it, and a leaf for the same hosts signed by an unrelated CA. */
export function makeTlsMaterial(hosts: readonly string[]): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'charter-https-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (name: string, cn: string) =>
    run('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ca('ca', 'Charter Test Web CA');
  ca('rogue', 'Rogue Test CA');
  writeFileSync(join(dir, 'leaf.ext'), `[ leaf ]\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = ${hosts.map((h) => `DNS:${h}`).join(', ')}\n`);
  const leaf = (name: string, issuer: string) => {
    run('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${hosts[0]}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', String(Date.now()), '-days', '2', '-extfile', 'leaf.ext', '-extensions', 'leaf', '-out', `${name}.pem`);
  };
  leaf('leaf', 'ca');
  leaf('untrusted', 'rogue');
  return {
    ca: read('ca.pem'),
    caFile: join(dir, 'ca.pem'),
    key: read('leaf.key'),
    cert: read('leaf.pem'),
    untrustedKey: read('untrusted.key'),
    untrustedCert: read('untrusted.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startHttpsServer(tls: TlsMaterial, routes: Routes = {}, options: { untrustedHosts?: string[] } = {}): Promise<HttpsServer> {
  const trusted = createSecureContext({ key: tls.key, cert: tls.cert });
  const untrusted = createSecureContext({ key: tls.untrustedKey, cert: tls.untrustedCert });
  const untrustedHosts = new Set((options.untrustedHosts ?? []).map((h) => h.toLowerCase()));
  const requests: string[] = [];
  const server: Server = createServer(
    {
      key: tls.key,
      cert: tls.cert,
      SNICallback: (servername, cb) => cb(null, untrustedHosts.has(servername.toLowerCase()) ? untrusted : trusted),
    },
    (req, res) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      const path = (req.url ?? '/').split('?')[0];
      requests.push(`${req.method} ${host}${path}`);
      const route = handle.routes[host]?.[path];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
        return;
      }
      if (route.redirect) {
        res.writeHead(301, { location: route.redirect, 'content-type': 'text/html' });
        res.end('<a href="">moved</a>');
        return;
      }
      const body = route.body ?? '';
      res.writeHead(route.status ?? 200, { 'content-length': String(Buffer.byteLength(body)), ...route.headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const handle: HttpsServer = {
    port: (server.address() as AddressInfo).port,
    ca: tls.ca,
    caFile: tls.caFile,
    routes,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}
