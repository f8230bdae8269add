import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeAwsChunked } from '../../src/sandbox/services/s3.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { errorOf, s3Client } from './helpers.js';

const POLICY = 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n';

describe('s3', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({
      state: {
        s3: {
          buckets: {
            'mta-sts-example-com': {
              region: 'us-east-1',
              objects: { 'index.html': { text: '<h1>hi</h1>', contentType: 'text/html' } },
            },
            'eu-assets': { region: 'eu-west-1' },
          },
        },
      },
    });
  });
  afterEach(() => sb.close());

  it('round-trips put/head/get with content type, cache control and an MD5 ETag', async () => {
    const s3 = s3Client(sb);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'mta-sts-example-com',
        Key: '.well-known/mta-sts.txt',
        Body: POLICY,
        ContentType: 'text/plain',
        CacheControl: 'max-age=300',
        Metadata: { policyid: '20260101' },
      }),
    );
    expect(put.ETag).toBe('"' + (await import('node:crypto')).createHash('md5').update(POLICY).digest('hex') + '"');

    const head = await s3.send(new HeadObjectCommand({ Bucket: 'mta-sts-example-com', Key: '.well-known/mta-sts.txt' }));
    expect(head).toMatchObject({ ContentType: 'text/plain', CacheControl: 'max-age=300', ContentLength: POLICY.length, ETag: put.ETag, Metadata: { policyid: '20260101' } });
    expect(head.LastModified).toBeInstanceOf(Date);

    const get = await s3.send(new GetObjectCommand({ Bucket: 'mta-sts-example-com', Key: '.well-known/mta-sts.txt' }));
    expect(get.ContentType).toBe('text/plain');
    expect(await get.Body?.transformToString()).toBe(POLICY);

    const stored = sb.state.s3.buckets['mta-sts-example-com'].objects['.well-known/mta-sts.txt'];
    expect(Buffer.from(stored.body, 'base64').toString()).toBe(POLICY);
    expect(stored.etag).toBe(put.ETag);
  });

  it('accepts streamed (aws-chunked) uploads and binary bodies', async () => {
    const s3 = s3Client(sb);
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256));
    await s3.send(new PutObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'logo.bin', Body: Readable.from([bytes.subarray(0, 30_000), bytes.subarray(30_000)]), ContentLength: bytes.length }));
    const get = await s3.send(new GetObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'logo.bin' }));
    expect(Buffer.from(await get.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    expect(get.ContentType).toBe('application/octet-stream'); // what the SDK sends for a stream

    expect(decodeAwsChunked(Buffer.from('5\r\nhello\r\n6;chunk-signature=x\r\n world\r\n0\r\nx-amz-checksum-crc32:abc=\r\n\r\n')).toString()).toBe('hello world');
  });

  it('serves objects written by hand in the state file', async () => {
    const get = await s3Client(sb).send(new GetObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'index.html' }));
    expect(get.ContentType).toBe('text/html');
    expect(await get.Body?.transformToString()).toBe('<h1>hi</h1>');
  });

  it('reports missing buckets and keys like S3', async () => {
    const s3 = s3Client(sb);
    const noKey = await errorOf(s3.send(new GetObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'nope' })));
    expect([noKey.name, noKey.$metadata?.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const headMissing = await errorOf(s3.send(new HeadObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'nope' })));
    expect([headMissing.name, headMissing.$metadata?.httpStatusCode]).toEqual(['NotFound', 404]);
    const noBucket = await errorOf(s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'k', Body: 'x' })));
    expect([noBucket.name, noBucket.$metadata?.httpStatusCode]).toEqual(['NoSuchBucket', 404]);
    const headBucket = await errorOf(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })));
    expect(headBucket.$metadata?.httpStatusCode).toBe(404);
  });

  it('HeadBucket reports the bucket region', async () => {
    const res = await s3Client(sb, { region: 'eu-west-1' }).send(new HeadBucketCommand({ Bucket: 'eu-assets' }));
    expect(res.BucketRegion).toBe('eu-west-1');
  });

  it('refuses a request signed for another region with 301 PermanentRedirect, as S3 does (the SDK does not follow it)', async () => {
    const us = s3Client(sb, { region: 'us-east-1' });
    const put = await errorOf(us.send(new PutObjectCommand({ Bucket: 'eu-assets', Key: 'logo.svg', Body: '<svg/>' })));
    expect([put.name, put.$metadata?.httpStatusCode]).toEqual(['PermanentRedirect', 301]);
    expect((put as unknown as { Endpoint?: string }).Endpoint).toBe('s3.eu-west-1.amazonaws.com');
    expect(sb.state.s3.buckets['eu-assets'].objects).toEqual({});
    const get = await errorOf(us.send(new GetObjectCommand({ Bucket: 'eu-assets', Key: 'logo.svg' })));
    expect([get.name, get.$metadata?.httpStatusCode]).toEqual(['PermanentRedirect', 301]);
    const head = await errorOf(us.send(new HeadBucketCommand({ Bucket: 'eu-assets' })));
    expect(head.$metadata?.httpStatusCode).toBe(301);
    // The other way round too, and the right region still works.
    const eu = s3Client(sb, { region: 'eu-west-1' });
    const wrong = await errorOf(eu.send(new GetObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'index.html' })));
    expect(wrong.$metadata?.httpStatusCode).toBe(301);
    await eu.send(new PutObjectCommand({ Bucket: 'eu-assets', Key: 'logo.svg', Body: '<svg/>' }));
    expect(Object.keys(sb.state.s3.buckets['eu-assets'].objects)).toEqual(['logo.svg']);
  });

  it('deletes objects (idempotently)', async () => {
    const s3 = s3Client(sb);
    await s3.send(new DeleteObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'index.html' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'index.html' }));
    expect(sb.state.s3.buckets['mta-sts-example-com'].objects).toEqual({});
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    const s3 = s3Client(sb);
    for (const key of ['a/1.txt', 'a/2.txt', 'a/3.txt', 'b/1.txt', 'top.txt']) {
      await s3.send(new PutObjectCommand({ Bucket: 'mta-sts-example-com', Key: key, Body: key }));
    }
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'mta-sts-example-com', Prefix: 'a/', MaxKeys: 2, ContinuationToken: token }));
      pages++;
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(['a/1.txt', 'a/2.txt', 'a/3.txt']);
    expect(pages).toBe(2);

    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'mta-sts-example-com', Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(top.Contents?.map((o) => o.Key)).toEqual(['index.html', 'top.txt']);
    expect(top.Contents?.[1].Size).toBe('top.txt'.length);
  });

  it('SlowDown throttling is retried by the SDK', async () => {
    sb.faults.throttle('s3', 'PutObject', 1);
    const res = await s3Client(sb).send(new PutObjectCommand({ Bucket: 'mta-sts-example-com', Key: 'k', Body: 'v' }));
    expect(res.$metadata.attempts).toBe(2);
    expect(sb.stats.count('s3', 'PutObject')).toBe(2);
  });
});
