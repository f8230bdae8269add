import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CreateInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { ChangeResourceRecordSetsCommand, GetChangeCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSandboxState, SandboxStateError, startSandbox } from '../../src/sandbox/index.js';
import { serializeState } from '../../src/sandbox/state.js';
import { acmClient, cloudFrontClient, errorOf, route53Client, s3Client } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/sandbox/${name}`, import.meta.url));

describe('state files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charter-sandbox-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('loads and normalises a hand-written account', async () => {
    const state = await loadSandboxState(fixture('account.json'));
    const zone = state.route53.hostedZones[0];
    expect(zone.name).toBe('example.com.');
    const rec = (name: string, type: string) => zone.records.find((r) => r.name === name && r.type === type);
    expect(rec('www.example.com.', 'CNAME')).toEqual({ name: 'www.example.com.', type: 'CNAME', ttl: 300, values: ['example.github.io.'] });
    expect(rec('example.com.', 'TXT')?.values).toEqual(['"v=spf1 include:_spf.example.net ~all"']);
    expect(rec('*.example.com.', 'A')).toBeDefined();
    expect(rec('cdn.example.com.', 'A')?.alias).toEqual({ hostedZoneId: 'Z2FDTNDATAQYW2', dnsName: 'd111111abcdef8.cloudfront.net.', evaluateTargetHealth: false });
    expect(rec('example.com.', 'SOA')?.ttl).toBe(900);
    expect(rec('example.com.', 'NS')?.values).toEqual(zone.nameServers);
    expect(state.route53.hostedZones[1]).toMatchObject({ id: 'Z0INTERNAL', private: true });
    expect(state.route53.hostedZones[1].records.map((r) => r.type)).toEqual(['NS', 'SOA']);

    const cert = state.acm.certificates[0];
    expect(cert).toMatchObject({ status: 'ISSUED', subjectAlternativeNames: ['mta-sts.example.com'], tags: [{ key: 'managed-by', value: 'charter' }] });
    expect(cert.notAfter).toBeDefined();
    const obj = state.s3.buckets['mta-sts-example-com'].objects['.well-known/mta-sts.txt'];
    expect(Buffer.from(obj.body, 'base64').toString()).toContain('version: STSv1\r\n');
    expect(obj.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(state.cloudfront.distributions[0]).toMatchObject({ arn: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE', status: 'Deployed', invalidations: [] });
    expect(state.settings.route53.changeInsyncAfterPolls).toBe(1);

    // Normalising is idempotent: the saved form loads back to the same state.
    const again = await startSandbox({ state: JSON.parse(serializeState(state)) });
    expect(again.state).toEqual(state);
    await again.close();
  });

  it('explains malformed JSON with file, line and column', async () => {
    const err = await errorOf(loadSandboxState(fixture('invalid-json.json')));
    expect(err).toBeInstanceOf(SandboxStateError);
    expect(err.message).toContain('invalid-json.json');
    expect(err.message).toContain('not valid JSON');
    expect(err.message).toMatch(/line 5/);
  });

  it('lists every schema problem with its path and a hint', async () => {
    const err = (await errorOf(loadSandboxState(fixture('invalid-schema.json')))) as SandboxStateError;
    expect(err).toBeInstanceOf(SandboxStateError);
    const problems = err.problems.join('\n');
    expect(problems).toContain('accountId: expected 12 digits, got "12345"');
    expect(problems).toContain('route53.hostedZones[0].recrods: unknown field');
    expect(problems).toContain('route53.hostedZones[0].records[0].values[0]: Invalid Resource Record');
    expect(problems).toContain('or use "txt": ["v=DMARC1; p=reject"]');
    expect(problems).toContain('route53.hostedZones[0].records[1].name: "_dmarc.example.org" is not within zone example.com.');
    expect(problems).toContain('route53.hostedZones[0].records[2].ttl: expected an integer');
    expect(problems).toContain('route53.hostedZones[0].records[3].type: unknown record type "AA"');
    expect(problems).toContain('s3.buckets.My_Bucket: invalid bucket name');
    expect(problems).toContain('expected base64');
    expect(err.message.split('\n')[0]).toBe(`Invalid sandbox state in ${fixture('invalid-schema.json')}:`);
  });

  it('reports a missing file and non-object states', async () => {
    expect((await errorOf(loadSandboxState(join(dir, 'missing.json')))).message).toContain('file not found');
    await writeFile(join(dir, 'list.json'), '[]');
    expect((await errorOf(loadSandboxState(join(dir, 'list.json')))).message).toContain('expected an object, got a list');
    await expect(startSandbox({ state: { route53: { hostedZones: [{ name: 'example.com', records: [{ name: 'a.example.com', type: 'CNAME', values: ['x.'] }, { name: 'a.example.com', type: 'TXT', txt: ['y'] }] }] } } })).rejects.toThrow(
      /RRSet of type CNAME with DNS name a\.example\.com\. is not permitted/,
    );
  });

  it('round-trips the whole account, including changes, invalidations and counters, through save/load', async () => {
    const file = join(dir, 'state.json');
    const sb = await startSandbox({ stateFile: fixture('account.json') });
    const r53 = route53Client(sb);
    const change = await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: 'Z0EXAMPLE1',
        ChangeBatch: { Comment: 'charter apply', Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: '_mta-sts.example.com', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"v=STSv1; id=1"' }] } }] },
      }),
    );
    const { CertificateArn } = await acmClient(sb).send(new RequestCertificateCommand({ DomainName: 'bimi.example.com', ValidationMethod: 'DNS' }));
    await acmClient(sb).send(new DescribeCertificateCommand({ CertificateArn }));
    await s3Client(sb).send(new PutObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'logo.svg', Body: '<svg/>', ContentType: 'image/svg+xml' }));
    await cloudFrontClient(sb).send(
      new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: { CallerReference: 'c1', Paths: { Quantity: 1, Items: ['/logo.svg'] } } }),
    );
    await sb.save(file);
    await sb.close();

    const loaded = await loadSandboxState(file);
    expect(loaded).toEqual(sb.state);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(JSON.parse(serializeState(sb.state)));

    const sb2 = await startSandbox({ stateFile: file });
    try {
      // The pending change is still pending, and a poll completes it.
      expect(sb2.state.route53.changes.find((c) => c.id === change.ChangeInfo?.Id?.replace('/change/', ''))?.status).toBe('PENDING');
      const polled = await route53Client(sb2).send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }));
      expect(polled.ChangeInfo).toMatchObject({ Status: 'INSYNC', Comment: 'charter apply' });
      const next = await route53Client(sb2).send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z0EXAMPLE1', ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'x.example.com', Type: 'TXT', TTL: 1, ResourceRecords: [{ Value: '"x"' }] } }] } }),
      );
      expect(next.ChangeInfo?.Id).not.toBe(change.ChangeInfo?.Id);

      const records = await route53Client(sb2).send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0EXAMPLE1', StartRecordName: '_mta-sts.example.com', MaxItems: 1 }));
      expect(records.ResourceRecordSets?.[0]).toMatchObject({ Name: '_mta-sts.example.com.', Type: 'TXT' });

      // ACM remembers it was described once: the records show straight away.
      const cert = await acmClient(sb2).send(new DescribeCertificateCommand({ CertificateArn }));
      expect(cert.Certificate?.DomainValidationOptions?.[0].ResourceRecord).toBeDefined();

      const logo = await s3Client(sb2).send(new GetObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'logo.svg' }));
      expect([logo.ContentType, await logo.Body?.transformToString()]).toEqual(['image/svg+xml', '<svg/>']);
      const invs = await cloudFrontClient(sb2).send(new ListInvalidationsCommand({ DistributionId: 'E2EXAMPLE' }));
      expect(invs.InvalidationList?.Items?.[0].Status).toBe('InProgress');
    } finally {
      await sb2.close();
    }
  });

  it('persists after each mutating call when persist is set', async () => {
    const file = join(dir, 'persist.json');
    const sb = await startSandbox({ stateFile: file, persist: true, state: { route53: { hostedZones: [{ id: 'Z1', name: 'example.com' }] } } });
    try {
      await route53Client(sb).send(
        new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z1', ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'a.example.com', Type: 'TXT', TTL: 1, ResourceRecords: [{ Value: '"persisted"' }] } }] } }),
      );
      const onDisk = await loadSandboxState(file);
      expect(onDisk.route53.hostedZones[0].records.find((r) => r.name === 'a.example.com.')?.values).toEqual(['"persisted"']);
      expect(onDisk.route53.changes).toHaveLength(1);
    } finally {
      await sb.close();
    }
    await expect(startSandbox({ persist: true })).rejects.toThrow(/persist requires stateFile/);
  });
});

describe('sandboxClientConfig', () => {
  it('configures every SDK client for the sandbox', async () => {
    const { sandboxClientConfig } = await import('../../src/sandbox/index.js');
    const { Route53Client, ListHostedZonesCommand } = await import('@aws-sdk/client-route-53');
    const { S3Client, HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const sb = await startSandbox({ state: { route53: { hostedZones: [{ name: 'example.com' }] }, s3: { buckets: { 'some-bucket': {} } } } });
    try {
      const zones = await new Route53Client(sandboxClientConfig(sb.endpoint)).send(new ListHostedZonesCommand({}));
      expect(zones.HostedZones?.[0].Id).toMatch(/^\/hostedzone\/Z[A-Z0-9]{20}$/);
      const head = await new S3Client(sandboxClientConfig(sb.endpoint)).send(new HeadBucketCommand({ Bucket: 'some-bucket' }));
      expect(head.$metadata.httpStatusCode).toBe(200);
    } finally {
      await sb.close();
    }
  });
});
