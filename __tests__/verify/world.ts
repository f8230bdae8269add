/**
 * A policy for example.net on disk plus the loopback DNS and HTTPS servers serving exactly what it
 * publishes ("all good"); tests then break one thing at a time.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../../src/core/engine.js';
import { desiredRecords } from '../../src/providers/email/lint.js';
import type { EmailSecuritySpec } from '../../src/providers/email/spec.generated.js';
import { verify, type VerifyResult } from '../../src/providers/email/verify.js';
import { providers } from '../../src/providers/index.js';
import type { PolicyDocument } from '../../src/core/document.js';
import { startDnsServer, type DnsServer, type Zone } from '../helpers/dns-server.js';
import { makeTlsMaterial, startHttpsServer, type HttpsServer, type Routes, type TlsMaterial } from '../helpers/https-server.js';
import { repoRoot } from '../helpers/aws.js';

export const POLICY = `apiVersion: charter/v1
kind: EmailSecurity
metadata:
  name: example-net
spec:
  domain: example.net
  dmarc:
    policy: reject
    rua:
      - mailto:dmarc@example.net
  bimi:
    logo:
      file: logo.svg
      url: https://assets.example.net/logo.svg
    certificate:
      url: https://assets.example.net/vmc.pem
  mtaSts:
    mode: enforce
    mx:
      - mx1.example.net
      - "*.mail.example.net"
    maxAge: 604800
  tlsRpt:
    rua:
      - mailto:tls-reports@example.net
`;

export const POLICY_URL_PATH = '/.well-known/mta-sts.txt';
export const HOSTS = ['mta-sts.example.net', 'assets.example.net'];

export interface World {
  dir: string;
  dns: DnsServer;
  https: HttpsServer;
  tls: TlsMaterial;
  zone: Zone;
  routes: Routes;
  desired: { mtaSts: string; tlsRpt: string; dmarc: string; bimi: string; policyText: string; policyId: string };
  logo: Buffer;
  pem: string;
  run(options?: { timeoutMs?: number; dnsServers?: string[]; httpsPort?: number }): Promise<VerifyResult>;
  close(): Promise<void>;
}

/** Writes the policy (and logo) to a temp dir and computes what it publishes. */
export async function writePolicy(text = POLICY): Promise<{ dir: string; doc: PolicyDocument<EmailSecuritySpec> }> {
  const dir = mkdtempSync(join(tmpdir(), 'charter-verify-'));
  writeFileSync(join(dir, 'policy.yml'), text);
  copyFileSync(join(repoRoot, 'policies/examples/assets/logo.svg'), join(dir, 'logo.svg'));
  const validation = await validate({ cwd: dir, paths: ['policy.yml'], providers });
  const doc = validation.documents[0] as PolicyDocument<EmailSecuritySpec>;
  return { dir, doc };
}

export function goodZone(desired: World['desired']): Zone {
  return {
    'example.net': { MX: [{ priority: 10, exchange: 'mx1.example.net' }, { priority: 20, exchange: 'in1.mail.example.net' }] },
    '_mta-sts.example.net': { TXT: [[desired.mtaSts]] },
    '_smtp._tls.example.net': { TXT: [[desired.tlsRpt]] },
    '_dmarc.example.net': { TXT: [[desired.dmarc]] },
    'default._bimi.example.net': { TXT: [[desired.bimi]] },
    'mta-sts.example.net': { A: ['127.0.0.1'] },
    'assets.example.net': { A: ['127.0.0.1'] },
  };
}

export function goodRoutes(desired: World['desired'], logo: Buffer, pem: string): Routes {
  return {
    'mta-sts.example.net': { [POLICY_URL_PATH]: { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: desired.policyText } },
    'assets.example.net': {
      '/logo.svg': { headers: { 'content-type': 'image/svg+xml' }, body: logo },
      '/vmc.pem': { headers: { 'content-type': 'application/x-pem-file' }, body: pem },
    },
  };
}

let tlsMaterial: TlsMaterial | undefined;

/** One CA and leaf per test file (openssl is fast, but not free). */
function sharedTls(): TlsMaterial {
  tlsMaterial ??= makeTlsMaterial(HOSTS);
  return tlsMaterial;
}

export function cleanupTls(): void {
  tlsMaterial?.cleanup();
  tlsMaterial = undefined;
}

export async function startWorld(options: { untrustedHosts?: string[]; silentDns?: boolean } = {}): Promise<World> {
  const { dir, doc } = await writePolicy();
  const wanted = desiredRecords(doc);
  const value = (section: string) => wanted.records.find((r) => r.section === section)?.value ?? '';
  const desired = {
    mtaSts: value('mtaSts'),
    tlsRpt: value('tlsRpt'),
    dmarc: value('dmarc'),
    bimi: value('bimi'),
    policyText: wanted.mtaStsPolicy?.text ?? '',
    policyId: wanted.mtaStsPolicy?.id ?? '',
  };
  const logo = Buffer.from(await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'logo.svg'))));
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const zone = goodZone(desired);
  const routes = goodRoutes(desired, logo, pem);
  const dns = await startDnsServer(zone, { silent: options.silentDns });
  const tls = sharedTls();
  const https = await startHttpsServer(tls, routes, { untrustedHosts: options.untrustedHosts });
  return {
    dir,
    dns,
    https,
    tls,
    zone,
    routes,
    desired,
    logo,
    pem,
    run: (o = {}) =>
      verify({
        cwd: dir,
        paths: ['policy.yml'],
        providers,
        clientOptions: { dnsServers: o.dnsServers ?? [dns.address], httpsPort: o.httpsPort ?? https.port, ca: tls.ca, timeoutMs: o.timeoutMs ?? 2000 },
      }),
    close: async () => {
      await dns.close();
      await https.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `email/verify-*` diagnostics only (lint notices such as mta-sts-policy-not-hosted are not the point). */
export function live(result: VerifyResult) {
  return result.diagnostics.filter((d) => d.code.startsWith('email/verify-'));
}

/** 1-based line of the first line of POLICY containing `text`. */
export function lineOf(text: string): number {
  return POLICY.split('\n').findIndex((l) => l.includes(text)) + 1;
}
