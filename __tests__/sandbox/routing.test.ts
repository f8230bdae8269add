import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

describe('routing', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({
      state: {
        route53: { hostedZones: [{ id: 'Z1', name: 'example.com' }] },
        s3: { buckets: { 'b-1': { objects: { 'k.txt': { text: 'hello', contentType: 'text/plain' } } } } },
      },
    });
  });
  afterEach(() => sb.close());

  it('binds to loopback', () => {
    expect(sb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('routes unsigned requests by URL shape', async () => {
    const zones = await fetch(`${sb.endpoint}/2013-04-01/hostedzone`);
    expect(zones.status).toBe(200);
    expect(await zones.text()).toContain('<Id>/hostedzone/Z1</Id>');

    const certs = await fetch(sb.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'CertificateManager.ListCertificates', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(await certs.json()).toEqual({ CertificateSummaryList: [] });

    const obj = await fetch(`${sb.endpoint}/b-1/k.txt`);
    expect([obj.status, obj.headers.get('content-type'), await obj.text()]).toEqual([200, 'text/plain', 'hello']);

    const dist = await fetch(`${sb.endpoint}/2020-05-31/distribution/ENOPE`);
    expect(dist.status).toBe(404);
    expect(await dist.text()).toContain('<Code>NoSuchDistribution</Code>');

    expect(sb.stats.calls().map((c) => `${c.service}:${c.operation}`)).toEqual([
      'acm:ListCertificates',
      'cloudfront:GetDistribution',
      'route53:ListHostedZones',
      's3:GetObject',
    ]);
  });

  it('routes signed requests by the credential scope and refuses services it does not simulate', async () => {
    const signed = (service: string) => ({
      authorization: `AWS4-HMAC-SHA256 Credential=AKIDSANDBOX/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    });
    const r53 = await fetch(`${sb.endpoint}/2013-04-01/hostedzone/Z1`, { headers: signed('route53') });
    expect(r53.status).toBe(200);
    const sqs = await fetch(sb.endpoint, { method: 'POST', headers: { ...signed('sqs'), 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
    expect(sqs.status).toBe(400);
    expect(((await sqs.json()) as { message: string }).message).toContain("does not simulate the AWS service 'sqs'");
  });

  it('answers unknown Route 53 requests with a clear error', async () => {
    const res = await fetch(`${sb.endpoint}/2013-04-01/healthcheck`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>UnsupportedOperation</Code>');
  });
});
