import { DescribeCertificateCommand, ListCertificatesCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, type Change } from '@aws-sdk/client-route-53';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { acmClient, cloudFrontClient, errorOf, route53Client, s3Client } from './helpers.js';

const txt = (name: string, value: string): Change => ({
  Action: 'CREATE',
  ResourceRecordSet: { Name: name, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] },
});

describe('faults and stats', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({
      state: {
        settings: { route53: { changeInsyncAfterPolls: 0 } },
        route53: { hostedZones: [{ id: 'Z1', name: 'example.com' }] },
        s3: { buckets: { 'policy-bucket': {} } },
        cloudfront: { distributions: [{ id: 'E2EXAMPLE', aliases: ['mta-sts.example.com'] }] },
      },
    });
  });
  afterEach(() => sb.close());

  it('throttle(N) is retried transparently by the SDK, and every attempt is counted', async () => {
    sb.faults.throttle('route53', 'ListHostedZones', 2);
    const res = await route53Client(sb).send(new ListHostedZonesCommand({}));
    expect(res.HostedZones).toHaveLength(1);
    expect(res.$metadata.attempts).toBe(3);
    expect(sb.stats.count('route53', 'ListHostedZones')).toBe(3);
    // Consumed: the next call goes straight through.
    const again = await route53Client(sb).send(new ListHostedZonesCommand({}));
    expect(again.$metadata.attempts).toBe(1);
  });

  it('throttling errors have each service’s shape', async () => {
    sb.faults.throttle('route53', '*', 1);
    sb.faults.throttle('acm', 'ListCertificates', 1);
    sb.faults.throttle('s3', 'GetObject', 1);
    sb.faults.throttle('cloudfront', 'CreateInvalidation', 1);
    const r53 = await errorOf(route53Client(sb, { maxAttempts: 1 }).send(new ListHostedZonesCommand({})));
    expect([r53.name, r53.message, r53.$metadata?.httpStatusCode]).toEqual(['Throttling', 'Rate exceeded', 400]);
    const acm = await errorOf(acmClient(sb, { maxAttempts: 1 }).send(new ListCertificatesCommand({})));
    expect([acm.name, acm.$metadata?.httpStatusCode]).toEqual(['ThrottlingException', 400]);
    const s3 = await errorOf(s3Client(sb, { maxAttempts: 1 }).send(new GetObjectCommand({ Bucket: 'policy-bucket', Key: 'x' })));
    expect([s3.name, s3.$metadata?.httpStatusCode]).toEqual(['SlowDown', 503]);
    const cf = await errorOf(
      cloudFrontClient(sb, { maxAttempts: 1 }).send(
        new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 1, Items: ['/*'] } } }),
      ),
    );
    expect([cf.name, cf.$metadata?.httpStatusCode]).toEqual(['Throttling', 400]);
    // A throttled write does not create anything.
    expect(sb.state.cloudfront.distributions[0].invalidations).toHaveLength(0);
  });

  it('failNthWrite fails exactly the Nth write once, with a non-retryable error by default', async () => {
    const client = route53Client(sb);
    const send = (name: string) => client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [txt(name, '"x"')] } }));
    sb.faults.failNthWrite('route53', 2);
    // Reads do not count towards N.
    await client.send(new ListHostedZonesCommand({}));
    await send('a.example.com');
    const err = await errorOf(send('b.example.com'));
    expect(err.name).toBe('InvalidInput');
    expect(err.$metadata?.attempts).toBe(1);
    expect(sb.state.route53.hostedZones[0].records.some((r) => r.name === 'b.example.com.')).toBe(false);
    await send('c.example.com');
    await send('b.example.com');
    expect(sb.state.route53.hostedZones[0].records.filter((r) => r.type === 'TXT').map((r) => r.name).sort()).toEqual([
      'a.example.com.',
      'b.example.com.',
      'c.example.com.',
    ]);
  });

  it('failNthWrite takes a custom error and defaults per service', async () => {
    sb.faults.failNthWrite('s3', 1, { code: 'AccessDenied', message: 'no writes for you', status: 403 });
    const put = () => s3Client(sb).send(new PutObjectCommand({ Bucket: 'policy-bucket', Key: 'k', Body: 'v' }));
    const err = await errorOf(put());
    expect([err.name, err.message, err.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 'no writes for you', 403]);
    await put();

    sb.faults.failNthWrite('acm', 1);
    const acmErr = await errorOf(acmClient(sb).send(new RequestCertificateCommand({ DomainName: 'example.com', ValidationMethod: 'DNS' })));
    expect(acmErr.name).toBe('ValidationException');
    expect(sb.state.acm.certificates).toHaveLength(0);

    // A retryable injected error (5xx) is absorbed by the SDK's retry, since it fails once.
    sb.faults.failNthWrite('cloudfront', 1, { code: 'ServiceUnavailable', message: 'try again', status: 503 });
    const inv = await cloudFrontClient(sb).send(
      new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: { CallerReference: 'r1', Paths: { Quantity: 1, Items: ['/a'] } } }),
    );
    expect(inv.$metadata.attempts).toBe(2);
  });

  it('latency(ms) delays every response', async () => {
    sb.faults.latency(150);
    const start = Date.now();
    await route53Client(sb).send(new ListHostedZonesCommand({}));
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    sb.faults.reset();
    const t2 = Date.now();
    await route53Client(sb).send(new ListHostedZonesCommand({}));
    expect(Date.now() - t2).toBeLessThan(140);
  });

  it('reset() clears throttles and pending write failures', async () => {
    sb.faults.throttle('route53', '*', 5);
    sb.faults.failNthWrite('route53', 1);
    sb.faults.reset();
    const res = await route53Client(sb).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [txt('a.example.com', '"x"')] } }));
    expect(res.$metadata.attempts).toBe(1);
  });

  it('counts calls by service and operation', async () => {
    await route53Client(sb).send(new ListHostedZonesCommand({}));
    await route53Client(sb).send(new ListHostedZonesCommand({}));
    await errorOf(acmClient(sb).send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/nope' })));
    expect(sb.stats.calls()).toEqual([
      { service: 'acm', operation: 'DescribeCertificate', count: 1 },
      { service: 'route53', operation: 'ListHostedZones', count: 2 },
    ]);
    expect(sb.stats.count()).toBe(3);
    expect(sb.stats.count('route53')).toBe(2);
    expect(sb.stats.count(undefined, 'DescribeCertificate')).toBe(1);
    sb.stats.reset();
    expect(sb.stats.count()).toBe(0);
  });

  it('serves a control plane for other processes', async () => {
    await route53Client(sb).send(new ListHostedZonesCommand({}));
    const stats = (await (await fetch(`${sb.endpoint}/_sandbox/stats`)).json()) as { total: number; calls: unknown[] };
    expect(stats).toEqual({ total: 1, calls: [{ service: 'route53', operation: 'ListHostedZones', count: 1 }] });

    const post = await fetch(`${sb.endpoint}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttle: [{ service: 'route53', operation: 'ListHostedZones', count: 1 }], failNthWrite: [{ service: 'route53', n: 1 }], latency: 5 }),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({
      latencyMs: 5,
      throttles: [{ service: 'route53', operation: 'ListHostedZones', remaining: 1 }],
      writeFailures: [{ service: 'route53', writesUntilFailure: 1 }],
    });
    const throttled = await errorOf(route53Client(sb, { maxAttempts: 1 }).send(new ListHostedZonesCommand({})));
    expect(throttled.name).toBe('Throttling');

    const bad = await fetch(`${sb.endpoint}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ throttel: [] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('unknown field "throttel"');

    await fetch(`${sb.endpoint}/_sandbox/faults`, { method: 'POST', body: JSON.stringify({ reset: true }) });
    const state = (await (await fetch(`${sb.endpoint}/_sandbox/state`)).json()) as { accountId: string; route53: { hostedZones: unknown[] } };
    expect(state.accountId).toBe('123456789012');
    expect(state.route53.hostedZones).toHaveLength(1);
    // Control-plane requests are not counted as AWS calls.
    expect(sb.stats.count()).toBe(2);
  });

  it('validates fault arguments', () => {
    expect(() => sb.faults.failNthWrite('route53', 0)).toThrow(/n must be an integer/);
    expect(() => sb.faults.throttle('route53', '*', -1)).toThrow(/count/);
    expect(() => sb.faults.latency(-5)).toThrow(/latency/);
  });
});
