/**
 * The contract check itself: it catches what it should (unit cases built from the AWS models), and a
 * plan → apply → plan of every example against a recording sandbox produces only responses the models allow.
 * The whole-suite check runs in global-setup.ts. Skipped with a notice without botocore; fails instead
 * under CHARTER_REQUIRE_ALL=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apply, plan } from '../../src/core/engine.js';
import { startSandbox, type RecordedResponse } from '../../src/sandbox/index.js';
import { copyExamples, exampleAccount, sandboxOptions } from '../helpers/aws.js';
import { botocoreDataDir, checkRecordings, checkResponse, loadModel, MODEL_DIRS, operationsCharterCalls, readRecordings } from './aws-model.js';

const dataDir = botocoreDataDir();
if (!dataDir) {
  if (process.env.CHARTER_REQUIRE_ALL === '1') throw new Error('botocore (Python) is required for the contract test (CHARTER_REQUIRE_ALL=1)');
  console.warn('contract: botocore (Python) is not installed; the contract test is skipped.');
}

const xml = (root: string, inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="https://example">${inner}</${root}>`;
const ok = (service: string, operation: string, body: string, status = 200, headers: Record<string, string> = {}): RecordedResponse => ({ service, operation, status, headers, body, injected: false });

describe.skipIf(!dataDir)('contract check against botocore models', () => {
  const model = (service: string) => loadModel(dataDir!, service);

  it('knows every operation Charter calls, in the model of its service', () => {
    const calls = operationsCharterCalls(resolve(import.meta.dirname, '../../src'));
    expect(calls.size).toBeGreaterThan(40);
    expect(calls).toContain('route53:ChangeResourceRecordSets');
    expect(calls).toContain('cloudfront:GetInvalidation');
    for (const op of calls) {
      const [service, name] = op.split(':');
      expect(Object.keys(MODEL_DIRS)).toContain(service);
      expect(model(service).operations[name], op).toBeDefined();
    }
  });

  it('enums: a CloudFront invalidation is InProgress or Completed, never COMPLETED', () => {
    const cf = model('cloudfront');
    const invalidation = (status: string) =>
      ok('cloudfront', 'GetInvalidation', xml('Invalidation', `<Id>I1</Id><Status>${status}</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>c</CallerReference></InvalidationBatch>`));
    expect(checkResponse(cf, invalidation('Completed'))).toEqual([]);
    expect(checkResponse(cf, invalidation('COMPLETED'))).toEqual(['Invalidation.Status: "COMPLETED" is not one of InProgress, Completed']);
  });

  it('required members, scalar types and undeclared members (rest-xml)', () => {
    const r53 = model('route53');
    const zones = (inner: string) => ok('route53', 'ListHostedZones', xml('ListHostedZonesResponse', inner));
    expect(checkResponse(r53, zones('<HostedZones></HostedZones><Marker></Marker><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems>'))).toEqual([]);
    expect(checkResponse(r53, zones('<HostedZones></HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems>'))).toEqual(['ListHostedZonesResponse: required member Marker is missing']);
    expect(checkResponse(r53, zones('<HostedZones></HostedZones><Marker></Marker><IsTruncated></IsTruncated><MaxItems>100</MaxItems>'))).toEqual(['ListHostedZonesResponse.IsTruncated: expected a boolean, got ""']);
    expect(checkResponse(r53, zones('<HostedZones></HostedZones><Marker></Marker><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems><Extra>1</Extra>'))).toEqual([
      'ListHostedZonesResponse.Extra: not a member of ListHostedZonesResponse',
    ]);
  });

  it('lists: wrapped item names and flattened lists (S3 Contents)', () => {
    const r53 = model('route53');
    const bad = ok('route53', 'ListHostedZones', xml('ListHostedZonesResponse', '<HostedZones><Zone><Id>x</Id></Zone></HostedZones><Marker></Marker><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems>'));
    expect(checkResponse(r53, bad)).toEqual(['ListHostedZonesResponse.HostedZones.Zone: list items are <HostedZone>']);
    const s3 = model('s3');
    const list = (contents: string) => ok('s3', 'ListObjectsV2', xml('ListBucketResult', `<Name>b</Name><Prefix></Prefix><MaxKeys>2</MaxKeys><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>${contents}`), 200, { 'content-type': 'application/xml' });
    expect(checkResponse(s3, list('<Contents><Key>a</Key><Size>1</Size></Contents><Contents><Key>b</Key><Size>x</Size></Contents>'))).toEqual(['ListBucketResult.Contents[1].Size: expected an integer, got "x"']);
  });

  it('json: members, epoch-second timestamps, enums', () => {
    const acm = model('acm');
    const describe = (cert: object) => ok('acm', 'DescribeCertificate', JSON.stringify({ Certificate: cert }), 200, { 'content-type': 'application/x-amz-json-1.1' });
    expect(checkResponse(acm, describe({ CertificateArn: 'arn', Status: 'ISSUED', CreatedAt: 1767225600 }))).toEqual([]);
    expect(checkResponse(acm, describe({ CertificateArn: 'arn', Status: 'DONE', CreatedAt: '2026-01-01T00:00:00Z', Colour: 'red' }))).toEqual([
      '$.Certificate.Status: "DONE" is not one of PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED',
      '$.Certificate.CreatedAt: expected epoch seconds (json), got "2026-01-01T00:00:00Z"',
      '$.Certificate.Colour: not a member of CertificateDetail',
    ]);
  });

  it('errors: declared codes with their status, common errors, and nothing else', () => {
    const r53 = model('route53');
    const error = (code: string, status: number) => ({ ...ok('route53', 'GetChange', xml('ErrorResponse', `<Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId>`), status) });
    expect(checkResponse(r53, error('NoSuchChange', 404))).toEqual([]);
    expect(checkResponse(r53, error('Throttling', 400))).toEqual([]);
    expect(checkResponse(r53, error('NoSuchChange', 400))).toEqual(['error NoSuchChange with status 400; the model declares 404']);
    expect(checkResponse(r53, error('PriorRequestNotComplete', 400))).toEqual(['error PriorRequestNotComplete is not one the operation declares (NoSuchChange, InvalidInput) nor a common error']);
    const shield = model('shield');
    const json = (code: string) => ({ ...ok('shield', 'DescribeProtectionGroup', JSON.stringify({ __type: code, message: 'm' }), 400), headers: { 'content-type': 'application/x-amz-json-1.1' } });
    expect(checkResponse(shield, json('ResourceNotFoundException'))).toEqual([]);
    expect(checkResponse(shield, json('NoSuchProtectionGroup'))).toHaveLength(1);
  });

  it('injected faults are not held to the model; a wrong success status is', () => {
    const r53 = model('route53');
    expect(checkRecordings(dataDir!, [{ ...ok('route53', 'GetChange', xml('ErrorResponse', '<Error><Code>Whatever</Code></Error>'), 503), injected: true }]).violations).toEqual([]);
    const created = ok('route53', 'ChangeResourceRecordSets', xml('ChangeResourceRecordSetsResponse', '<ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo>'), 201);
    expect(checkResponse(r53, created)).toEqual(['status 201, the model declares 200']);
  });

  it('plan → apply → plan of every example: each sandbox response is one AWS could send', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charter-contract-run-'));
    const sandbox = await startSandbox({ state: exampleAccount() as never, recordTo: dir });
    try {
      const options = sandboxOptions(sandbox, copyExamples());
      expect((await apply({ ...options, allowDestructive: true })).ok).toBe(true);
      await plan(options);
      const report = checkRecordings(dataDir!, readRecordings(dir));
      expect(report.violations).toEqual([]);
      for (const op of ['route53:ListHostedZones', 'route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets', 'route53:GetChange', 'acm:RequestCertificate', 'acm:DescribeCertificate', 's3:GetObject', 's3:PutObject', 'cloudfront:GetDistribution', 'cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation', 'shield:ListProtectionGroups', 'redshift-data:ExecuteStatement']) {
        expect(report.operations.get(op), op).toBeGreaterThan(0);
      }
    } finally {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
