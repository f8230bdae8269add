/**
 * Test mark certificates, generated with the openssl CLI at test time (fixed validity dates via
 * `openssl ca -startdate/-enddate`, so results do not depend on when the tests run).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** example.com, valid 2025-01-01 → 2027-01-01, leaf then CA. */
  valid: string;
  expired: string;
  notYetValid: string;
  /** Expires 2026-01-20T00:00:00Z: 4 days after the tests' clock. */
  expiring: string;
  /** SAN *.example.org only. */
  wildcard: string;
  /** No subjectAltName; CN=example.net. */
  cnOnly: string;
  /** CA first, then the leaf. */
  reversed: string;
  /** Leaf followed by a CA that did not issue it. */
  unrelatedChain: string;
  /** Leaf, CA and the leaf's private key. */
  withPrivateKey: string;
  leafKey: string;
  cleanup(): void;
}

/** The clock the certificate tests use. */
export const CERT_NOW = new Date('2026-01-15T12:00:00Z');

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'charter-email-certs-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');

  const makeCa = (name: string, cn: string) => {
    run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '36500', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  makeCa('ca', 'Charter Test Mark Verifying Authority');
  makeCa('other-ca', 'Unrelated Test CA');
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);

  const leaf = (name: string, cn: string, san: string | undefined, start: string, end: string) => {
    run('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), `[ leaf ]\nbasicConstraints = CA:FALSE\n${san ? `subjectAltName = ${san}\n` : ''}`);
    run('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-startdate', start, '-enddate', end, '-notext', '-extfile', `${name}.ext`, '-extensions', 'leaf');
    return read(`${name}.pem`);
  };

  const ca = read('ca.pem');
  const valid = leaf('valid', 'Example Corp', 'DNS:example.com, DNS:www.example.com', '20250101000000Z', '20270101000000Z');
  const certs: TestCertificates = {
    valid: valid + ca,
    expired: leaf('expired', 'Example Corp', 'DNS:example.com', '20200101000000Z', '20210101000000Z') + ca,
    notYetValid: leaf('future', 'Example Corp', 'DNS:example.com', '20300101000000Z', '20310101000000Z') + ca,
    expiring: leaf('expiring', 'Example Corp', 'DNS:example.com', '20250601000000Z', '20260120000000Z') + ca,
    wildcard: leaf('wildcard', 'Example Org', 'DNS:*.example.org', '20250101000000Z', '20270101000000Z') + ca,
    cnOnly: leaf('cn-only', 'example.net', undefined, '20250101000000Z', '20270101000000Z') + ca,
    reversed: ca + valid,
    unrelatedChain: valid + read('other-ca.pem'),
    withPrivateKey: valid + ca + read('valid.key'),
    leafKey: read('valid.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return certs;
}

const CA_CONFIG = `[ ca ]
default_ca = test

[ test ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none

[ any ]
commonName = supplied
`;
