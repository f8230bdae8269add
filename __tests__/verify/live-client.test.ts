import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiveClient, LiveError, type HttpResponse } from '../../src/providers/email/live-client.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { makeTlsMaterial, startHttpsServer, type HttpsServer, type TlsMaterial } from '../helpers/https-server.js';

let dns: DnsServer;
let silent: DnsServer;
let tls: TlsMaterial;
let https: HttpsServer;

beforeAll(async () => {
  dns = await startDnsServer({
    'example.net': { MX: [{ priority: 10, exchange: 'mx1.example.net' }, { priority: 20, exchange: 'mx2.Example.NET' }] },
    'null-mx.example.net': { MX: [{ priority: 0, exchange: '' }] },
    '_smtp._tls.example.net': { TXT: [['v=TLSRPTv1; ', 'rua=mailto:a@example.net']] },
    'two.example.net': { TXT: [['first'], ['second', ' part']] },
    'only-a.example.net': { A: ['127.0.0.1'] },
    'mta-sts.example.net': { A: ['127.0.0.1'] },
    'untrusted.example.net': { A: ['127.0.0.1'] },
    'broken.example.net': { servfail: true },
  });
  silent = await startDnsServer({}, { silent: true });
  tls = makeTlsMaterial(['mta-sts.example.net', 'untrusted.example.net']);
  https = await startHttpsServer(
    tls,
    {
      'mta-sts.example.net': {
        '/.well-known/mta-sts.txt': { headers: { 'content-type': 'text/plain' }, body: 'version: STSv1\r\n' },
        '/moved': { redirect: 'https://mta-sts.example.net/.well-known/mta-sts.txt' },
      },
    },
    { untrustedHosts: ['untrusted.example.net'] },
  );
});

afterAll(async () => {
  await dns?.close();
  await silent?.close();
  await https?.close();
  tls?.cleanup();
});

function client(timeoutMs = 2000) {
  return createLiveClient({ dnsServers: [dns.address], httpsPort: https.port, ca: https.ca, timeoutMs });
}

describe('live client: DNS through node:dns Resolver', () => {
  it('returns TXT records as their character-strings, several records per name', async () => {
    expect(await client().txt('_smtp._tls.example.net')).toEqual([['v=TLSRPTv1; ', 'rua=mailto:a@example.net']]);
    const two = await client().txt('two.example.net.');
    expect(two).toHaveLength(2);
    expect(two).toEqual(expect.arrayContaining([['first'], ['second', ' part']]));
  });

  it('NXDOMAIN is a LiveError of kind nxdomain; NODATA is an empty answer', async () => {
    const missing = await client().txt('_mta-sts.nowhere.example.net');
    expect(missing).toBeInstanceOf(LiveError);
    expect((missing as LiveError).kind).toBe('nxdomain');
    expect((missing as LiveError).message).toMatch(/NXDOMAIN/);
    expect(await client().txt('only-a.example.net')).toEqual([]);
  });

  it('reads MX records, trailing dots and Null MX normalised', async () => {
    const mx = await client().mx('example.net');
    expect(mx).toEqual(expect.arrayContaining([{ priority: 10, exchange: 'mx1.example.net' }, { priority: 20, exchange: 'mx2.Example.NET' }]));
    expect(await client().mx('null-mx.example.net')).toEqual([{ priority: 0, exchange: '' }]);
  });

  it('SERVFAIL is a LiveError of kind servfail', async () => {
    const result = await client().txt('broken.example.net');
    expect(result).toBeInstanceOf(LiveError);
    expect((result as LiveError).kind).toBe('servfail');
  });

  it('a server that never answers times out within the bound', async () => {
    const c = createLiveClient({ dnsServers: [silent.address], timeoutMs: 300 });
    const started = Date.now();
    const result = await c.txt('_mta-sts.example.net');
    const elapsed = Date.now() - started;
    expect(result).toBeInstanceOf(LiveError);
    expect((result as LiveError).kind).toBe('timeout');
    expect(elapsed).toBeLessThan(1500);
    expect(silent.queries).toContain('_mta-sts.example.net TXT');
  });

  it('a dead first server leaves time to ask the next one, for lookups running at the same time', async () => {
    const c = createLiveClient({ dnsServers: [silent.address, dns.address], timeoutMs: 1500 });
    const started = Date.now();
    const [txt, mx, fetched] = await Promise.all([c.txt('_smtp._tls.example.net'), c.mx('example.net'), (async () => {
      await new Promise((r) => setTimeout(r, 50)); // start off the resolver timer's tick
      return createLiveClient({ dnsServers: [silent.address, dns.address], httpsPort: https.port, ca: https.ca, timeoutMs: 1500 }).fetch('https://mta-sts.example.net/.well-known/mta-sts.txt');
    })()]);
    expect(txt).toEqual([['v=TLSRPTv1; ', 'rua=mailto:a@example.net']]);
    expect(mx).toHaveLength(2);
    expect((fetched as HttpResponse).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('rejects a malformed DNS server address up front', () => {
    expect(() => createLiveClient({ dnsServers: ['not an ip'] })).toThrow(/invalid DNS server/);
    expect(() => createLiveClient({ timeoutMs: 0 })).toThrow(/timeout/);
  });
});

describe('live client: HTTPS', () => {
  it('fetches with TLS verification, resolving the host through the configured DNS server', async () => {
    const before = dns.queries.length;
    const res = (await client().fetch('https://mta-sts.example.net/.well-known/mta-sts.txt')) as HttpResponse;
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body.toString()).toBe('version: STSv1\r\n');
    expect(dns.queries.slice(before)).toContain('mta-sts.example.net A');
  });

  it('returns a 3xx as it is, never following it', async () => {
    const before = https.requests.length;
    const res = (await client().fetch('https://mta-sts.example.net/moved')) as HttpResponse;
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://mta-sts.example.net/.well-known/mta-sts.txt');
    expect(https.requests.slice(before)).toEqual(['GET mta-sts.example.net/moved']);
  });

  it('a certificate from a CA that is not trusted is a tls error', async () => {
    const res = await client().fetch('https://untrusted.example.net/.well-known/mta-sts.txt');
    expect(res).toBeInstanceOf(LiveError);
    expect((res as LiveError).kind).toBe('tls');
  });

  it('without the test CA, the bundled roots do not trust the test certificate', async () => {
    const res = await createLiveClient({ dnsServers: [dns.address], httpsPort: https.port, timeoutMs: 2000 }).fetch('https://mta-sts.example.net/.well-known/mta-sts.txt');
    expect(res).toBeInstanceOf(LiveError);
    expect((res as LiveError).kind).toBe('tls');
  });

  it('a host that does not resolve is an nxdomain error from the dns phase', async () => {
    const res = await client().fetch('https://mta-sts.nowhere.example.net/.well-known/mta-sts.txt');
    expect(res).toBeInstanceOf(LiveError);
    expect((res as LiveError).kind).toBe('nxdomain');
    expect((res as LiveError).phase).toBe('dns');
  });

  it('a closed port is unreachable', async () => {
    const closed = await startHttpsServer(tls);
    const port = closed.port;
    await closed.close();
    const res = await createLiveClient({ dnsServers: [dns.address], httpsPort: port, ca: https.ca, timeoutMs: 2000 }).fetch('https://mta-sts.example.net/');
    expect(res).toBeInstanceOf(LiveError);
    expect((res as LiveError).kind).toBe('unreachable');
  });

  it('refuses non-https URLs without a request', async () => {
    const res = await client().fetch('http://mta-sts.example.net/');
    expect((res as LiveError).kind).toBe('bad-url');
  });
});
