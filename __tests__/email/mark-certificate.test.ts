import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateNames, checkMarkCertificate, nameCovers } from '../../src/providers/email/mark-certificate.js';
import { CERT_NOW, makeTestCertificates, type TestCertificates } from './certs.js';

let certs: TestCertificates;

beforeAll(() => {
  certs = makeTestCertificates();
});

afterAll(() => certs?.cleanup());

const summary = (pem: string, domain = 'example.com', now = CERT_NOW) => checkMarkCertificate(pem, domain, now).map((i) => `${i.severity}:${i.code}`);

describe('checkMarkCertificate', () => {
  it('accepts a valid leaf-first chain naming the domain', () => {
    expect(checkMarkCertificate(certs.valid, 'example.com', CERT_NOW)).toEqual([]);
    expect(checkMarkCertificate(certs.valid, 'WWW.Example.com', CERT_NOW)).toEqual([]);
  });

  it('rejects text that is not PEM', () => {
    expect(summary('hello')).toEqual(['error:email/mark-certificate-invalid']);
    expect(summary('')).toEqual(['error:email/mark-certificate-invalid']);
  });

  it('rejects a PEM block that does not parse', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const issues = checkMarkCertificate(broken, 'example.com', CERT_NOW);
    expect(issues.map((i) => i.code)).toEqual(['email/mark-certificate-invalid']);
    expect(issues[0].message).toContain('does not parse');
  });

  it('rejects a file that starts with something other than a certificate', () => {
    expect(summary(certs.leafKey + certs.valid)).toEqual(['error:email/mark-certificate-invalid', 'error:email/mark-certificate-invalid']);
  });

  it('flags a private key anywhere in the file', () => {
    const issues = checkMarkCertificate(certs.withPrivateKey, 'example.com', CERT_NOW);
    expect(issues.map((i) => i.code)).toEqual(['email/mark-certificate-invalid']);
    expect(issues[0].message).toContain('PRIVATE KEY');
  });

  it('requires the leaf first', () => {
    expect(summary(certs.reversed)).toEqual(['error:email/mark-certificate-chain-order']);
  });

  it('requires the second certificate to be the issuer of the leaf', () => {
    expect(summary(certs.unrelatedChain)).toEqual(['error:email/mark-certificate-chain-order']);
  });

  it('requires the names to cover the domain', () => {
    const issues = checkMarkCertificate(certs.valid, 'example.org', CERT_NOW);
    expect(issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['error:email/mark-certificate-name-mismatch']);
    expect(issues[0].message).toContain('example.com, www.example.com');
  });

  it('accepts a wildcard covering exactly one label', () => {
    expect(summary(certs.wildcard, 'mail.example.org')).toEqual([]);
    expect(summary(certs.wildcard, 'example.org')).toEqual(['error:email/mark-certificate-name-mismatch']);
    expect(summary(certs.wildcard, 'a.b.example.org')).toEqual(['error:email/mark-certificate-name-mismatch']);
  });

  it('falls back to the subject CN when there is no subjectAltName', () => {
    expect(summary(certs.cnOnly, 'example.net')).toEqual([]);
    expect(summary(certs.cnOnly, 'example.com')).toEqual(['error:email/mark-certificate-name-mismatch']);
  });

  it('rejects an expired certificate (notAfter 2021-01-01)', () => {
    const issues = checkMarkCertificate(certs.expired, 'example.com', CERT_NOW);
    expect(issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['error:email/mark-certificate-expired']);
    expect(issues[0].message).toContain('2021-01-01T00:00:00.000Z');
  });

  it('rejects a certificate that is not valid yet (notBefore 2030-01-01)', () => {
    expect(summary(certs.notYetValid)).toEqual(['error:email/mark-certificate-not-yet-valid']);
  });

  it('warns when the certificate expires within 14 days', () => {
    const issues = checkMarkCertificate(certs.expiring, 'example.com', CERT_NOW);
    expect(issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['warning:email/mark-certificate-expiring']);
    expect(issues[0].message).toContain('in 4 days');
  });

  it('stops warning 14 days out and starts erroring the moment it expires', () => {
    const validTo = new Date(new X509Certificate(certs.expiring).validTo).getTime();
    const day = 86_400_000;
    expect(summary(certs.expiring, 'example.com', new Date(validTo - 14 * day - 1))).toEqual([]);
    expect(summary(certs.expiring, 'example.com', new Date(validTo - 14 * day + 1))).toEqual(['warning:email/mark-certificate-expiring']);
    expect(summary(certs.expiring, 'example.com', new Date(validTo + 1000))).toEqual(['error:email/mark-certificate-expired']);
  });
});

describe('certificateNames / nameCovers', () => {
  it('reads DNS names from the subjectAltName', () => {
    expect(certificateNames(new X509Certificate(certs.valid))).toEqual(['example.com', 'www.example.com']);
  });

  it('matches exact names and one-label wildcards, case-insensitively', () => {
    expect(nameCovers('Example.COM', 'example.com.')).toBe(true);
    expect(nameCovers('*.example.com', 'mail.example.com')).toBe(true);
    expect(nameCovers('*.example.com', 'example.com')).toBe(false);
    expect(nameCovers('*.example.com', 'a.mail.example.com')).toBe(false);
  });
});
