import { CreateInvalidationCommand, GetDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cloudFrontClient, errorOf } from './helpers.js';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

describe('cloudfront', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({
      state: {
        acm: { certificates: [{ arn: CERT, domainName: 'mta-sts.example.com' }] },
        cloudfront: {
          distributions: [
            {
              id: 'E2EXAMPLE',
              domainName: 'd111111abcdef8.cloudfront.net',
              aliases: ['MTA-STS.example.com.'],
              origins: [{ id: 's3-policy', domainName: 'mta-sts-example-com.s3.us-east-1.amazonaws.com' }],
              certificateArn: CERT,
            },
          ],
        },
      },
    });
  });
  afterEach(() => sb.close());

  const batch = (ref: string, paths: string[]) => ({ CallerReference: ref, Paths: { Quantity: paths.length, Items: paths } });

  it('GetDistribution returns id, ARN, status, aliases, certificate and an ETag', async () => {
    const res = await cloudFrontClient(sb).send(new GetDistributionCommand({ Id: 'E2EXAMPLE' }));
    expect(res.ETag).toMatch(/^E[A-Z0-9]+$/);
    const d = res.Distribution;
    expect(d).toMatchObject({
      Id: 'E2EXAMPLE',
      ARN: 'arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE',
      Status: 'Deployed',
      DomainName: 'd111111abcdef8.cloudfront.net',
      InProgressInvalidationBatches: 0,
    });
    expect(d?.DistributionConfig?.Aliases).toEqual({ Quantity: 1, Items: ['mta-sts.example.com'] });
    expect(d?.DistributionConfig?.ViewerCertificate?.ACMCertificateArn).toBe(CERT);
    expect(d?.DistributionConfig?.Origins?.Items?.[0]).toMatchObject({ Id: 's3-policy', S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(d?.DistributionConfig?.Enabled).toBe(true);
  });

  it('runs the invalidation lifecycle: InProgress, then Completed after a GetInvalidation poll', async () => {
    const cf = cloudFrontClient(sb);
    const created = await cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('charter-1', ['/.well-known/mta-sts.txt']) }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    const id = created.Invalidation?.Id ?? '';
    expect(id).toMatch(/^I[A-Z0-9]+$/);
    expect(created.Invalidation?.Status).toBe('InProgress');
    expect(created.Location).toBe(`https://cloudfront.amazonaws.com/2020-05-31/distribution/E2EXAMPLE/invalidation/${id}`);
    expect(created.Invalidation?.InvalidationBatch?.Paths?.Items).toEqual(['/.well-known/mta-sts.txt']);

    const dist = await cf.send(new GetDistributionCommand({ Id: 'E2EXAMPLE' }));
    expect(dist.Distribution?.InProgressInvalidationBatches).toBe(1);

    const polled = await cf.send(new GetInvalidationCommand({ DistributionId: 'E2EXAMPLE', Id: id }));
    expect(polled.Invalidation?.Status).toBe('Completed');
    expect(polled.Invalidation?.CreateTime).toBeInstanceOf(Date);

    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: 'E2EXAMPLE' }));
    expect(list.InvalidationList).toMatchObject({ Quantity: 1, IsTruncated: false, Items: [{ Id: id, Status: 'Completed' }] });
  });

  it('is idempotent on CallerReference', async () => {
    const cf = cloudFrontClient(sb);
    const a = await cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('ref', ['/a', '/b']) }));
    const b = await cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('ref', ['/b', '/a']) }));
    expect(b.Invalidation?.Id).toBe(a.Invalidation?.Id);
    expect(sb.state.cloudfront.distributions[0].invalidations).toHaveLength(1);
    const conflict = await errorOf(cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('ref', ['/c']) })));
    expect(conflict.name).toBe('InvalidationBatchAlreadyExists');
  });

  it('honours invalidationCompleteAfterPolls and pages ListInvalidations newest first', async () => {
    sb.state.settings.cloudfront.invalidationCompleteAfterPolls = 2;
    const cf = cloudFrontClient(sb);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch(`r${i}`, [`/f${i}`]) }));
      ids.push(r.Invalidation?.Id ?? '');
    }
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await cf.send(new GetInvalidationCommand({ DistributionId: 'E2EXAMPLE', Id: ids[0] }))).Invalidation?.Status);
    expect(statuses).toEqual(['InProgress', 'Completed', 'Completed']);

    const p1 = await cf.send(new ListInvalidationsCommand({ DistributionId: 'E2EXAMPLE', MaxItems: 2 }));
    expect(p1.InvalidationList?.Items?.map((i) => i.Id)).toEqual([ids[2], ids[1]]);
    expect(p1.InvalidationList?.IsTruncated).toBe(true);
    const p2 = await cf.send(new ListInvalidationsCommand({ DistributionId: 'E2EXAMPLE', MaxItems: 2, Marker: p1.InvalidationList?.NextMarker }));
    expect(p2.InvalidationList?.Items?.map((i) => i.Id)).toEqual([ids[0]]);
  });

  it('completes invalidations by elapsed time too (invalidationCompleteAfterMs)', async () => {
    sb.state.settings.cloudfront.invalidationCompleteAfterPolls = 100;
    sb.state.settings.cloudfront.invalidationCompleteAfterMs = 30;
    const cf = cloudFrontClient(sb);
    await cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('t', ['/x']) }));
    expect((await cf.send(new GetDistributionCommand({ Id: 'E2EXAMPLE' }))).Distribution?.InProgressInvalidationBatches).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect((await cf.send(new GetDistributionCommand({ Id: 'E2EXAMPLE' }))).Distribution?.InProgressInvalidationBatches).toBe(0);
  });

  it('rejects bad requests', async () => {
    const cf = cloudFrontClient(sb);
    const noDist = await errorOf(cf.send(new GetDistributionCommand({ Id: 'ENOPE' })));
    expect([noDist.name, noDist.$metadata?.httpStatusCode]).toEqual(['NoSuchDistribution', 404]);
    const noDist2 = await errorOf(cf.send(new CreateInvalidationCommand({ DistributionId: 'ENOPE', InvalidationBatch: batch('x', ['/a']) })));
    expect(noDist2.name).toBe('NoSuchDistribution');
    const noInv = await errorOf(cf.send(new GetInvalidationCommand({ DistributionId: 'E2EXAMPLE', Id: 'INOPE' })));
    expect([noInv.name, noInv.$metadata?.httpStatusCode]).toEqual(['NoSuchInvalidation', 404]);
    const badPath = await errorOf(cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('x', ['no-slash']) })));
    expect([badPath.name, badPath.$metadata?.httpStatusCode]).toEqual(['InvalidArgument', 400]);
    const inconsistent = await errorOf(
      cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: { CallerReference: 'y', Paths: { Quantity: 2, Items: ['/a'] } } })),
    );
    expect(inconsistent.name).toBe('InconsistentQuantities');
    const tooMany = await errorOf(
      cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('z', Array.from({ length: 3001 }, (_, i) => `/f${i}`)) })),
    );
    expect(tooMany.name).toBe('BatchTooLarge');
  });

  it('limits wildcard paths in progress to 15', async () => {
    const cf = cloudFrontClient(sb);
    await cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('w1', Array.from({ length: 15 }, (_, i) => `/d${i}/*`)) }));
    const err = await errorOf(cf.send(new CreateInvalidationCommand({ DistributionId: 'E2EXAMPLE', InvalidationBatch: batch('w2', ['/*']) })));
    expect(err.name).toBe('TooManyInvalidationsInProgress');
  });
});
