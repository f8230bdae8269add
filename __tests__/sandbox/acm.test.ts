import {
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { acmClient, errorOf, route53Client } from './helpers.js';

describe('acm', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({
      state: {
        settings: { route53: { changeInsyncAfterPolls: 0 } },
        route53: {
          hostedZones: [
            { id: 'Z1', name: 'example.com' },
            { id: 'ZPRIV', name: 'example.com', private: true },
          ],
        },
        acm: {
          certificates: [
            { arn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555', domainName: 'old.example.com' },
            { arn: 'arn:aws:acm:eu-west-1:123456789012:certificate/99999999-2222-3333-4444-555555555555', domainName: 'eu.example.com' },
          ],
        },
        cloudfront: {
          distributions: [{ id: 'E2EXAMPLE', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555' }],
        },
      },
    });
  });
  afterEach(() => sb.close());

  it('runs the DNS validation flow: records from the second describe, ISSUED a while after the CNAMEs exist', async () => {
    const acm = acmClient(sb);
    const { CertificateArn: arn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'mta-sts.example.com',
        SubjectAlternativeNames: ['example.com', '*.example.com'],
        ValidationMethod: 'DNS',
        IdempotencyToken: 'charter1',
      }),
    );
    expect(arn).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/);

    const first = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(first.Certificate?.Status).toBe('PENDING_VALIDATION');
    expect(first.Certificate?.SubjectAlternativeNames).toEqual(['mta-sts.example.com', 'example.com', '*.example.com']);
    expect(first.Certificate?.DomainValidationOptions?.every((o) => o.ResourceRecord === undefined)).toBe(true);

    const second = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    const options = second.Certificate?.DomainValidationOptions ?? [];
    expect(options.map((o) => [o.DomainName, o.ValidationStatus])).toEqual([
      ['mta-sts.example.com', 'PENDING_VALIDATION'],
      ['example.com', 'PENDING_VALIDATION'],
      ['*.example.com', 'PENDING_VALIDATION'],
    ]);
    for (const o of options) {
      expect(o.ResourceRecord?.Type).toBe('CNAME');
      expect(o.ResourceRecord?.Name).toMatch(/^_[0-9a-f]{32}\.[a-z.-]+\.$/);
      expect(o.ResourceRecord?.Value).toMatch(/^_[0-9a-f]{32}\.acm-validations\.aws\.$/);
    }
    // example.com and *.example.com share one validation record; records are stable across describes.
    expect(options[1].ResourceRecord).toEqual(options[2].ResourceRecord);
    const third = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(third.Certificate?.DomainValidationOptions?.[0].ResourceRecord).toEqual(options[0].ResourceRecord);

    const unique = [...new Map(options.map((o) => [o.ResourceRecord?.Name, o.ResourceRecord])).values()];
    expect(unique).toHaveLength(2);
    const r53 = route53Client(sb);
    // Only one of the two records: still pending. A record in the *private* zone does not count.
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: 'Z1',
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: unique[0]?.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: unique[0]?.Value }] } }] },
      }),
    );
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: 'ZPRIV',
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: unique[1]?.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: unique[1]?.Value }] } }] },
      }),
    );
    expect((await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate?.Status).toBe('PENDING_VALIDATION');

    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: 'Z1',
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: unique[1]?.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: unique[1]?.Value }] } }] },
      }),
    );
    // ACM is not instant: the certificate stays PENDING_VALIDATION for issueAfterValidationMs (100 ms by default) after the records exist.
    expect((await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate?.Status).toBe('PENDING_VALIDATION');
    await new Promise((r) => setTimeout(r, 120));
    const issued = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(issued.Certificate?.Status).toBe('ISSUED');
    expect(issued.Certificate?.DomainValidationOptions?.every((o) => o.ValidationStatus === 'SUCCESS')).toBe(true);
    expect(issued.Certificate?.IssuedAt).toBeInstanceOf(Date);
    expect(issued.Certificate?.NotAfter?.getTime()).toBeGreaterThan(Date.now() + 364 * 86_400_000);
  });

  it('honours IdempotencyToken for an hour', async () => {
    const acm = acmClient(sb);
    const a = await acm.send(new RequestCertificateCommand({ DomainName: 'a.example.com', ValidationMethod: 'DNS', IdempotencyToken: 'tok' }));
    const b = await acm.send(new RequestCertificateCommand({ DomainName: 'a.example.com', ValidationMethod: 'DNS', IdempotencyToken: 'tok' }));
    expect(b.CertificateArn).toBe(a.CertificateArn);
    const cert = sb.state.acm.certificates.find((c) => c.arn === a.CertificateArn);
    if (!cert) throw new Error('missing');
    cert.createdAt = new Date(Date.now() - 61 * 60 * 1000).toISOString();
    const c = await acm.send(new RequestCertificateCommand({ DomainName: 'a.example.com', ValidationMethod: 'DNS', IdempotencyToken: 'tok' }));
    expect(c.CertificateArn).not.toBe(a.CertificateArn);
    const d = await acm.send(new RequestCertificateCommand({ DomainName: 'a.example.com', ValidationMethod: 'DNS' }));
    expect(d.CertificateArn).not.toBe(c.CertificateArn);
  });

  it('lists certificates of the client region with status filter and pagination', async () => {
    const acm = acmClient(sb);
    for (const d of ['a', 'b', 'c']) await acm.send(new RequestCertificateCommand({ DomainName: `${d}.example.com`, ValidationMethod: 'DNS' }));
    const all = await acm.send(new ListCertificatesCommand({}));
    expect(all.CertificateSummaryList?.map((c) => c.DomainName)).toEqual(['old.example.com', 'a.example.com', 'b.example.com', 'c.example.com']);
    expect(all.CertificateSummaryList?.[0]).toMatchObject({ Status: 'ISSUED', InUse: true, SubjectAlternativeNameSummaries: ['old.example.com'] });

    const pending = await acm.send(new ListCertificatesCommand({ CertificateStatuses: ['PENDING_VALIDATION'], MaxItems: 2 }));
    expect(pending.CertificateSummaryList?.map((c) => c.DomainName)).toEqual(['a.example.com', 'b.example.com']);
    expect(pending.NextToken).toBeDefined();
    const rest = await acm.send(new ListCertificatesCommand({ CertificateStatuses: ['PENDING_VALIDATION'], MaxItems: 2, NextToken: pending.NextToken }));
    expect(rest.CertificateSummaryList?.map((c) => c.DomainName)).toEqual(['c.example.com']);
    expect(rest.NextToken).toBeUndefined();

    const eu = await acmClient(sb, { region: 'eu-west-1' }).send(new ListCertificatesCommand({}));
    expect(eu.CertificateSummaryList?.map((c) => c.DomainName)).toEqual(['eu.example.com']);
  });

  it('ARN region is the client region; other regions do not see the certificate', async () => {
    const { CertificateArn } = await acmClient(sb, { region: 'eu-central-1' }).send(new RequestCertificateCommand({ DomainName: 'x.example.com', ValidationMethod: 'DNS' }));
    expect(CertificateArn).toContain(':acm:eu-central-1:123456789012:');
    const err = await errorOf(acmClient(sb).send(new DescribeCertificateCommand({ CertificateArn })));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('manages tags', async () => {
    const acm = acmClient(sb);
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({ DomainName: 't.example.com', ValidationMethod: 'DNS', Tags: [{ Key: 'managed-by', Value: 'charter' }] }),
    );
    await acm.send(new AddTagsToCertificateCommand({ CertificateArn, Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'managed-by', Value: 'charter2' }] }));
    expect((await acm.send(new ListTagsForCertificateCommand({ CertificateArn }))).Tags).toEqual([
      { Key: 'managed-by', Value: 'charter2' },
      { Key: 'env', Value: 'prod' },
    ]);
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn, Tags: [{ Key: 'env' }] }));
    expect((await acm.send(new ListTagsForCertificateCommand({ CertificateArn }))).Tags).toEqual([{ Key: 'managed-by', Value: 'charter2' }]);
    const reserved = await errorOf(acm.send(new AddTagsToCertificateCommand({ CertificateArn, Tags: [{ Key: 'aws:x', Value: 'y' }] })));
    expect(reserved.name).toBe('InvalidTagException');
  });

  it('deletes certificates unless a distribution uses them', async () => {
    const acm = acmClient(sb);
    const inUse = await errorOf(
      acm.send(new DeleteCertificateCommand({ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555' })),
    );
    expect(inUse.name).toBe('ResourceInUseException');
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'd.example.com', ValidationMethod: 'DNS' }));
    await acm.send(new DeleteCertificateCommand({ CertificateArn }));
    const gone = await errorOf(acm.send(new DescribeCertificateCommand({ CertificateArn })));
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('rejects bad input', async () => {
    const acm = acmClient(sb);
    expect((await errorOf(acm.send(new DescribeCertificateCommand({ CertificateArn: 'not-an-arn' })))).name).toBe('InvalidArnException');
    expect((await errorOf(acm.send(new RequestCertificateCommand({ DomainName: 'bad domain', ValidationMethod: 'DNS' })))).name).toBe('ValidationException');
    expect((await errorOf(acm.send(new RequestCertificateCommand({ DomainName: 'a.example.com', ValidationMethod: 'DNS', IdempotencyToken: 'has-dash' })))).name).toBe(
      'ValidationException',
    );
  });

  it('EMAIL validation lists validation emails and stays pending', async () => {
    const acm = acmClient(sb);
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'mail.example.com', ValidationMethod: 'EMAIL' }));
    const d = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    expect(d.Certificate?.DomainValidationOptions?.[0].ValidationEmails).toContain('admin@mail.example.com');
    expect(d.Certificate?.Status).toBe('PENDING_VALIDATION');
  });
});
