/**
 * Offline checks of a BIMI mark certificate (VMC/CMC) PEM file: it must parse, start with the leaf,
 * name the mail domain and be inside its validity period. Trust in the issuing Mark Verifying
 * Authority is the receivers' business and is not checked here.
 */
import { X509Certificate } from 'node:crypto';
import { issue, type RecordIssue } from './records.js';

/** Warn this long before the certificate expires. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

interface PemBlock {
  label: string;
  text: string;
}

export function checkMarkCertificate(pem: string, domain: string, now: Date): RecordIssue[] {
  const blocks = pemBlocks(pem);
  const keyIssue = privateKeyIssue(blocks);
  const certs = parseCertificates(blocks);
  if (!Array.isArray(certs)) return [...keyIssue, certs];
  // When a CA comes first, judge names and dates on the real leaf so the report stays about one problem.
  const leaf = certs.find((c) => !c.ca) ?? certs[0];
  return [...keyIssue, ...orderIssues(certs), ...nameIssues(leaf, domain), ...validityIssues(leaf, now)];
}

function pemBlocks(pem: string): PemBlock[] {
  return Array.from(pem.matchAll(PEM_BLOCK), (m) => ({ label: m[1], text: m[0] }));
}

/** The file is published at a public URL: a private key in it would leak. */
function privateKeyIssue(blocks: PemBlock[]): RecordIssue[] {
  if (!blocks.some((b) => b.label.includes('PRIVATE KEY'))) return [];
  return [invalid('Mark certificate file contains a PRIVATE KEY block; it would be published with the certificate', 'Remove the private key from the file; only the certificate chain belongs there.')];
}

function parseCertificates(blocks: PemBlock[]): X509Certificate[] | RecordIssue {
  if (blocks.length === 0) return invalid('Mark certificate file is not PEM (no -----BEGIN CERTIFICATE----- block)', 'Save the certificate chain in PEM format, leaf first.');
  if (blocks[0].label !== 'CERTIFICATE') return invalid(`Mark certificate file starts with a ${blocks[0].label} block, not the leaf CERTIFICATE`, 'Put the leaf certificate first.');
  const certs: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    if (block.label !== 'CERTIFICATE') continue;
    try {
      certs.push(new X509Certificate(block.text));
    } catch (error) {
      return invalid(`Certificate #${index + 1} in the mark certificate file does not parse: ${(error as Error).message}`);
    }
  }
  return certs;
}

function invalid(message: string, hint?: string): RecordIssue {
  return issue('email/mark-certificate-invalid', 'error', message, hint);
}

/** Receivers take the first certificate as the leaf; a CA first, or a chain out of order, fails validation. */
function orderIssues(certs: X509Certificate[]): RecordIssue[] {
  const [leaf, next] = certs;
  if (leaf.ca) {
    return [issue('email/mark-certificate-chain-order', 'error', 'The first certificate in the mark certificate file is a CA certificate; the leaf must come first', 'Reorder the PEM file: leaf, then intermediates.')];
  }
  if (next && !leaf.checkIssued(next)) {
    return [issue('email/mark-certificate-chain-order', 'error', `The second certificate (${oneLine(next.subject)}) did not issue the leaf`, 'Reorder the PEM file: leaf, then its issuer, then further intermediates.')];
  }
  return [];
}

/** DNS names of the certificate: subjectAltName DNS entries, or the subject CN when there are none. */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName ?? '';
  // Node quotes a value containing separators as a JSON string: DNS:"a,b".
  const dns = Array.from(san.matchAll(/(?:^|, )DNS:("(?:[^"\\]|\\.)*"|[^,]*)/g), (m) => unquote(m[1]));
  if (dns.length > 0) return dns;
  const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
  return cn ? [unquote(cn)] : [];
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return String(JSON.parse(value));
  } catch {
    return value;
  }
}

/** Exact match, or `*.` covering exactly one leftmost label. */
export function nameCovers(certName: string, domain: string): boolean {
  const name = certName.toLowerCase().replace(/\.$/, '');
  const target = domain.toLowerCase().replace(/\.$/, '');
  if (!name.startsWith('*.')) return name === target;
  const dot = target.indexOf('.');
  return dot > 0 && target.slice(dot + 1) === name.slice(2);
}

function nameIssues(leaf: X509Certificate, domain: string): RecordIssue[] {
  const names = certificateNames(leaf);
  if (names.some((n) => nameCovers(n, domain))) return [];
  const listed = names.length ? names.join(', ') : 'no DNS names';
  return [issue('email/mark-certificate-name-mismatch', 'error', `Mark certificate names (${listed}) do not cover ${domain}`, `Use a certificate issued for ${domain}.`)];
}

function validityIssues(leaf: X509Certificate, now: Date): RecordIssue[] {
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  if (now.getTime() < from.getTime()) {
    return [issue('email/mark-certificate-not-yet-valid', 'error', `Mark certificate is not valid before ${from.toISOString()}`, 'Wait until it becomes valid or use the current certificate.')];
  }
  if (now.getTime() > to.getTime()) {
    return [issue('email/mark-certificate-expired', 'error', `Mark certificate expired on ${to.toISOString()}`, 'Renew the certificate with your Mark Verifying Authority.')];
  }
  const daysLeft = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    return [issue('email/mark-certificate-expiring', 'warning', `Mark certificate expires on ${to.toISOString()} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'})`, 'Renew it now; receivers stop showing the logo when it expires.')];
  }
  return [];
}

function oneLine(subject: string): string {
  return subject.split('\n').join(', ');
}
