import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupTls, lineOf, live, POLICY, POLICY_URL_PATH, startWorld, type World } from './world.js';

let world: World | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});
afterAll(() => cleanupTls());

async function start(options?: Parameters<typeof startWorld>[0]): Promise<World> {
  world = await startWorld(options);
  return world;
}

describe('charter verify against a real DNS server and an HTTPS server on loopback', () => {
  it('all good: no findings, nothing inconclusive', async () => {
    const w = await start();
    const result = await w.run();
    expect(live(result)).toEqual([]);
    expect(result.verified).toEqual(['EmailSecurity/example-net']);
    expect(result).toMatchObject({ invalid: false, inconclusive: false, differs: false });
    // Every name the policy declares was asked of the DNS server; hosts were resolved through it too.
    expect(w.dns.queries).toEqual(
      expect.arrayContaining(['_mta-sts.example.net TXT', '_smtp._tls.example.net TXT', '_dmarc.example.net TXT', 'default._bimi.example.net TXT', 'example.net MX', 'mta-sts.example.net A', 'assets.example.net A']),
    );
    expect(w.https.requests).toEqual(expect.arrayContaining([`GET mta-sts.example.net${POLICY_URL_PATH}`, 'GET assets.example.net/logo.svg', 'GET assets.example.net/vmc.pem']));
  });

  it('wrong Content-Type for the policy file is an error at mtaSts', async () => {
    const w = await start();
    w.routes['mta-sts.example.net'][POLICY_URL_PATH].headers = { 'content-type': 'text/html; charset=utf-8' };
    const result = await w.run();
    expect(live(result)).toEqual([
      expect.objectContaining({ code: 'email/verify-content-type', severity: 'error', line: lineOf('mtaSts:'), message: expect.stringContaining('"text/html; charset=utf-8"') }),
    ]);
    expect(result.differs).toBe(true);
  });

  it('a 301 redirect is an error and is not followed', async () => {
    const w = await start();
    w.routes['mta-sts.example.net'][POLICY_URL_PATH] = { redirect: 'https://assets.example.net/mta-sts.txt' };
    w.routes['assets.example.net']['/mta-sts.txt'] = { headers: { 'content-type': 'text/plain' }, body: w.desired.policyText };
    const result = await w.run();
    expect(live(result)).toEqual([expect.objectContaining({ code: 'email/verify-http-redirect', severity: 'error', message: expect.stringContaining('301 redirecting to https://assets.example.net/mta-sts.txt') })]);
    expect(w.https.requests).not.toContain('GET assets.example.net/mta-sts.txt');
  });

  it('a 404 is an error', async () => {
    const w = await start();
    delete w.routes['mta-sts.example.net'][POLICY_URL_PATH];
    const [d, ...rest] = live(await w.run());
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'email/verify-http-status', severity: 'error', message: expect.stringContaining('HTTP 404') });
  });

  it('a stale policy served by the CDN: each differing field at its own YAML line', async () => {
    const w = await start();
    w.routes['mta-sts.example.net'][POLICY_URL_PATH].body = 'version: STSv1\r\nmode: testing\r\nmx: mx1.example.net\r\nmx: mx-old.example.net\r\nmax_age: 86400\r\n';
    const found = live(await w.run());
    expect(found.map((d) => [d.code, d.line])).toEqual([
      ['email/verify-mta-sts-policy-differs', lineOf('mode: enforce')],
      ['email/verify-mta-sts-policy-differs', lineOf('mx:')],
      ['email/verify-mta-sts-policy-differs', lineOf('maxAge:')],
    ]);
    expect(found[1].message).toMatch(/lacks \*\.mail\.example\.net and has mx-old\.example\.net/);
    expect(found[2].message).toMatch(/max_age 86400, the policy says 604800/);
  });

  it('an invalid served policy is reported as receivers see it', async () => {
    const w = await start();
    w.routes['mta-sts.example.net'][POLICY_URL_PATH].body = '<html>Welcome to nginx</html>';
    const found = live(await w.run());
    expect(found).toEqual([expect.objectContaining({ code: 'email/verify-mta-sts-policy-invalid', severity: 'error' })]);
  });

  it('the same policy written differently is only a notice', async () => {
    const w = await start();
    w.routes['mta-sts.example.net'][POLICY_URL_PATH].body = w.desired.policyText.replace(/\r\n/g, '\n');
    const result = await w.run();
    expect(live(result)).toEqual([expect.objectContaining({ code: 'email/verify-mta-sts-policy-text-differs', severity: 'notice' })]);
    expect(result.differs).toBe(false);
  });

  it('the _mta-sts id in DNS differs from the content-derived id', async () => {
    const w = await start();
    w.zone['_mta-sts.example.net'].TXT = [['v=STSv1; id=20240101000000']];
    const found = live(await w.run());
    expect(found).toEqual([expect.objectContaining({ code: 'email/verify-mta-sts-id-mismatch', severity: 'error', line: lineOf('mtaSts:') })]);
    expect(found[0].message).toContain(`id=20240101000000`);
    expect(found[0].message).toContain(w.desired.policyId);
  });

  it('two _mta-sts records: receivers ignore both', async () => {
    const w = await start();
    w.zone['_mta-sts.example.net'].TXT = [[w.desired.mtaSts], ['v=STSv1; id=old1']];
    expect(live(await w.run())).toEqual([expect.objectContaining({ code: 'email/verify-record-multiple', severity: 'error', message: expect.stringContaining('RFC 8461 §3.1') })]);
  });

  it('a TXT value split over two character-strings is concatenated without separators', async () => {
    const w = await start();
    const v = w.desired.tlsRpt;
    w.zone['_smtp._tls.example.net'].TXT = [[v.slice(0, 10), v.slice(10)]];
    const bimi = w.desired.bimi;
    w.zone['default._bimi.example.net'].TXT = [[bimi.slice(0, 30), bimi.slice(30, 60), bimi.slice(60)]];
    expect(live(await w.run())).toEqual([]);
  });

  it('a split with an added space is a difference', async () => {
    const w = await start();
    const v = w.desired.tlsRpt;
    w.zone['_smtp._tls.example.net'].TXT = [[v.slice(0, 11), ` ${v.slice(11)}`]];
    expect(live(await w.run())).toEqual([expect.objectContaining({ code: 'email/verify-record-differs', line: lineOf('tlsRpt:') })]);
  });

  it('missing TLS-RPT record (NXDOMAIN) and another value where it should be', async () => {
    const w = await start();
    delete w.zone['_smtp._tls.example.net'];
    const first = live(await w.run());
    expect(first).toEqual([expect.objectContaining({ code: 'email/verify-record-missing', severity: 'error', line: lineOf('tlsRpt:'), message: expect.stringContaining('NXDOMAIN') })]);
    w.zone['_smtp._tls.example.net'] = { TXT: [['google-site-verification=abc']] };
    const second = live(await w.run());
    expect(second.map((d) => d.code).sort()).toEqual(['email/verify-record-foreign', 'email/verify-record-missing']);
  });

  it('a DMARC value that differs from the policy', async () => {
    const w = await start();
    w.zone['_dmarc.example.net'].TXT = [['v=DMARC1; p=none']];
    expect(live(await w.run())).toEqual([expect.objectContaining({ code: 'email/verify-record-differs', severity: 'error', line: lineOf('dmarc:'), message: expect.stringContaining('"v=DMARC1; p=none"') })]);
  });

  it('an MX host not covered by the mx patterns is an error in enforce mode', async () => {
    const w = await start();
    w.zone['example.net'].MX?.push({ priority: 30, exchange: 'backup.other.example' });
    w.zone['example.net'].MX?.push({ priority: 40, exchange: 'a.b.mail.example.net' });
    const found = live(await w.run());
    expect(found.map((d) => [d.code, d.severity, d.line])).toEqual([
      ['email/verify-mx-not-covered', 'error', lineOf('mx:')],
      ['email/verify-mx-not-covered', 'error', lineOf('mx:')],
    ]);
    expect(found.map((d) => d.message).join('\n')).toMatch(/a\.b\.mail\.example\.net[\s\S]*backup\.other\.example|backup\.other\.example[\s\S]*a\.b\.mail\.example\.net/);
  });

  it('a TLS certificate that is not trusted is an error, and no policy is compared', async () => {
    const w = await start({ untrustedHosts: ['mta-sts.example.net'] });
    const found = live(await w.run());
    expect(found).toEqual([expect.objectContaining({ code: 'email/verify-tls-error', severity: 'error', line: lineOf('mtaSts:') })]);
    expect(w.https.requests).not.toContain(`GET mta-sts.example.net${POLICY_URL_PATH}`);
  });

  it('a DNS server that never answers: every check inconclusive, bounded by the timeout', async () => {
    const w = await start({ silentDns: true });
    const started = Date.now();
    const result = await w.run({ timeoutMs: 300 });
    const elapsed = Date.now() - started;
    const found = live(result);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((d) => d.code))).toEqual(new Set(['email/verify-dns-error']));
    expect(found[0].message).toMatch(/timed out after 300 ms/);
    expect(result).toMatchObject({ inconclusive: true, differs: false });
    // Lookups run in parallel; the HTTPS host lookups (A, then nothing) add at most one more bound.
    expect(elapsed).toBeLessThan(2500);
  });

  it('SERVFAIL on one name is inconclusive for that record only', async () => {
    const w = await start();
    w.zone['_dmarc.example.net'] = { servfail: true };
    const result = await w.run();
    expect(live(result)).toEqual([expect.objectContaining({ code: 'email/verify-dns-error', line: lineOf('dmarc:'), message: expect.stringContaining('SERVFAIL') })]);
    expect(result).toMatchObject({ inconclusive: true, differs: false });
  });

  it('BIMI logo served with the wrong content type is a warning; different bytes are an error', async () => {
    const w = await start();
    w.routes['assets.example.net']['/logo.svg'].headers = { 'content-type': 'text/plain' };
    const first = live(await w.run());
    expect(first).toEqual([expect.objectContaining({ code: 'email/verify-content-type', severity: 'warning', line: lineOf('url: https://assets.example.net/logo.svg') })]);
    w.routes['assets.example.net']['/logo.svg'] = { headers: { 'content-type': 'image/svg+xml' }, body: '<svg/>' };
    const second = live(await w.run());
    expect(second).toEqual([expect.objectContaining({ code: 'email/verify-asset-differs', severity: 'error' })]);
  });

  it('mark certificate: accepted PEM media types, and a wrong one', async () => {
    const w = await start();
    for (const type of ['application/pem-certificate-chain', 'application/pkix-cert', 'text/plain; charset=us-ascii', 'application/x-pem-file']) {
      w.routes['assets.example.net']['/vmc.pem'].headers = { 'content-type': type };
      expect(live(await w.run()), type).toEqual([]);
    }
    w.routes['assets.example.net']['/vmc.pem'].headers = { 'content-type': 'application/octet-stream' };
    expect(live(await w.run())).toEqual([expect.objectContaining({ code: 'email/verify-content-type', severity: 'warning', line: lineOf('url: https://assets.example.net/vmc.pem') })]);
  });

  it('the policy host does not resolve, or refuses connections', async () => {
    const w = await start();
    delete w.zone['mta-sts.example.net'];
    const first = live(await w.run());
    expect(first).toEqual([expect.objectContaining({ code: 'email/verify-https-unreachable', message: expect.stringContaining('mta-sts.example.net does not exist') })]);
    w.zone['mta-sts.example.net'] = { A: ['127.0.0.1'] };
    const closed = await import('../helpers/https-server.js').then((m) => m.startHttpsServer(w.tls));
    const port = closed.port;
    await closed.close();
    const second = live(await w.run({ httpsPort: port }));
    expect(second.map((d) => d.code)).toEqual(['email/verify-https-unreachable', 'email/verify-https-unreachable', 'email/verify-https-unreachable']);
  });

  it('absent: true but the record is still published', async () => {
    const w = await start();
    writeFileSync(join(w.dir, 'policy.yml'), POLICY.replace('  tlsRpt:\n    rua:\n      - mailto:tls-reports@example.net\n', '  tlsRpt:\n    absent: true\n'));
    const found = live(await w.run());
    expect(found).toEqual([expect.objectContaining({ code: 'email/verify-record-not-removed', severity: 'error' })]);
    delete w.zone['_smtp._tls.example.net'];
    expect(live(await w.run())).toEqual([]);
  });

  it('invalid policies are not checked: no DNS query at all', async () => {
    const w = await start();
    writeFileSync(join(w.dir, 'policy.yml'), POLICY.replace('mode: enforce', 'mode: enforcing'));
    const result = await w.run();
    expect(result.invalid).toBe(true);
    expect(result.verified).toEqual([]);
    expect(live(result)).toEqual([]);
    expect(w.dns.queries).toEqual([]);
  });

  it('a file with no EmailSecurity policy gives a notice', async () => {
    const w = await start();
    writeFileSync(join(w.dir, 'policy.yml'), '# nothing here\n');
    const result = await w.run();
    expect(result.verified).toEqual([]);
    expect(result.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'email/verify-nothing-to-check', severity: 'notice', file: 'policy.yml' })]));
    expect(result).toMatchObject({ inconclusive: false, differs: false });
    expect(w.dns.queries).toEqual([]);
  });
});
