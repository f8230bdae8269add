import { CloudFrontClient, CreateInvalidationCommand, GetDistributionCommand, waitUntilInvalidationCompleted } from '@aws-sdk/client-cloudfront';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';
import { waiterSettings, type Waits } from './wait.js';

export function s3Client(settings: AwsSettings, region: string): S3Client {
  return cachedClient(settings, `s3|${region}`, () => withRateLimit(new S3Client(clientConfig(settings, 's3', region)), settings, 's3'));
}

export function cloudFrontClient(settings: AwsSettings): CloudFrontClient {
  return cachedClient(settings, 'cloudfront', () => withRateLimit(new CloudFrontClient(clientConfig(settings, 'cloudfront', 'us-east-1')), settings, 'cloudfront'));
}

export interface StoredObject {
  body: Uint8Array;
  contentType?: string;
  etag?: string;
}

/** The object at a key, or undefined when there is none. */
export async function getObject(client: S3Client, bucket: string, key: string): Promise<StoredObject | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { body: await out.Body!.transformToByteArray(), contentType: out.ContentType, etag: out.ETag };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
    throw error;
  }
}

export async function putObject(client: S3Client, bucket: string, key: string, body: Uint8Array, contentType: string, cacheControl: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }));
}

export interface Distribution {
  id: string;
  aliases: string[];
}

export async function getDistribution(client: CloudFrontClient, id: string): Promise<Distribution | undefined> {
  try {
    const out = await client.send(new GetDistributionCommand({ Id: id }));
    return { id, aliases: out.Distribution?.DistributionConfig?.Aliases?.Items ?? [] };
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchDistribution') return undefined;
    throw error;
  }
}

/** Invalidates paths and waits until CloudFront reports the invalidation Completed. */
export async function invalidate(client: CloudFrontClient, distributionId: string, paths: string[], callerReference: string, waits: Waits): Promise<string> {
  const out = await client.send(
    new CreateInvalidationCommand({
      DistributionId: distributionId,
      InvalidationBatch: { CallerReference: callerReference, Paths: { Quantity: paths.length, Items: paths } },
    }),
  );
  const id = out.Invalidation?.Id;
  if (!id) throw new Error('CloudFront returned no invalidation id');
  if (out.Invalidation?.Status === 'Completed') return id;
  try {
    await waitUntilInvalidationCompleted(waiterSettings(client, waits), { DistributionId: distributionId, Id: id });
  } catch (error) {
    if ((error as { name?: string }).name === 'TimeoutError') throw new Error(`CloudFront invalidation ${id} not completed after ${waits.waitTimeoutMs} ms`);
    throw error;
  }
  return id;
}
