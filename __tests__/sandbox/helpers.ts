import { ACMClient } from '@aws-sdk/client-acm';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import type { Sandbox } from '../../src/sandbox/index.js';

export const credentials = { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox' };

export interface ClientOptions {
  region?: string;
  maxAttempts?: number;
}

export function route53Client(sb: Sandbox, o: ClientOptions = {}): Route53Client {
  return new Route53Client({ endpoint: sb.endpoint, region: o.region ?? 'us-east-1', credentials, maxAttempts: o.maxAttempts });
}

export function acmClient(sb: Sandbox, o: ClientOptions = {}): ACMClient {
  return new ACMClient({ endpoint: sb.endpoint, region: o.region ?? 'us-east-1', credentials, maxAttempts: o.maxAttempts });
}

export function s3Client(sb: Sandbox, o: ClientOptions = {}): S3Client {
  return new S3Client({ endpoint: sb.endpoint, region: o.region ?? 'us-east-1', credentials, forcePathStyle: true, maxAttempts: o.maxAttempts });
}

export function cloudFrontClient(sb: Sandbox, o: ClientOptions = {}): CloudFrontClient {
  return new CloudFrontClient({ endpoint: sb.endpoint, region: o.region ?? 'us-east-1', credentials, maxAttempts: o.maxAttempts });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
