import {
  ACMClient,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RequestCertificateCommand,
  type ListCertificatesCommandOutput,
} from '@aws-sdk/client-acm';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';

/** CloudFront only uses certificates from us-east-1. */
export const CLOUDFRONT_CERTIFICATE_REGION = 'us-east-1';

export interface CertificateSummary {
  arn: string;
  domainName: string;
  names: string[];
  status: string;
}

export interface CertificateDetail extends CertificateSummary {
  tags: Record<string, string>;
  /** DNS validation records; empty until ACM has generated them (seconds after the request). */
  validation: Array<{ domain: string; name: string; type: string; value: string; status: string }>;
}

export function acmClient(settings: AwsSettings): ACMClient {
  return cachedClient(settings, 'acm', () => withRateLimit(new ACMClient(clientConfig(settings, 'acm', CLOUDFRONT_CERTIFICATE_REGION)), settings, 'acm'));
}

export async function listCertificates(client: ACMClient): Promise<CertificateSummary[]> {
  const out: CertificateSummary[] = [];
  let token: string | undefined;
  do {
    const page: ListCertificatesCommandOutput = await client.send(
      new ListCertificatesCommand({ NextToken: token, MaxItems: 1000, CertificateStatuses: ['PENDING_VALIDATION', 'ISSUED'] }),
    );
    for (const c of page.CertificateSummaryList ?? []) {
      const names = c.SubjectAlternativeNameSummaries?.length ? c.SubjectAlternativeNameSummaries : [c.DomainName ?? ''];
      out.push({ arn: c.CertificateArn ?? '', domainName: c.DomainName ?? '', names: [...names].sort(), status: c.Status ?? 'UNKNOWN' });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

export async function describeCertificate(client: ACMClient, arn: string): Promise<CertificateDetail> {
  const [described, tags] = await Promise.all([
    client.send(new DescribeCertificateCommand({ CertificateArn: arn })),
    client.send(new ListTagsForCertificateCommand({ CertificateArn: arn })),
  ]);
  const c = described.Certificate ?? {};
  return {
    arn,
    domainName: c.DomainName ?? '',
    names: [...(c.SubjectAlternativeNames ?? [c.DomainName ?? ''])].sort(),
    status: c.Status ?? 'UNKNOWN',
    tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    validation: (c.DomainValidationOptions ?? [])
      .filter((o) => o.ResourceRecord)
      .map((o) => ({
        domain: o.DomainName ?? '',
        name: o.ResourceRecord?.Name ?? '',
        type: o.ResourceRecord?.Type ?? 'CNAME',
        value: o.ResourceRecord?.Value ?? '',
        status: o.ValidationStatus ?? 'PENDING_VALIDATION',
      })),
  };
}

/** Just the status (one call, for waiting on issuance). */
export async function certificateStatus(client: ACMClient, arn: string): Promise<string> {
  return (await client.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate?.Status ?? 'UNKNOWN';
}

export async function tagsOf(client: ACMClient, arn: string): Promise<Record<string, string>> {
  const tags = await client.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
  return Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

export async function requestCertificate(client: ACMClient, names: string[], tags: Record<string, string>, idempotencyToken: string): Promise<string> {
  const out = await client.send(
    new RequestCertificateCommand({
      DomainName: names[0],
      SubjectAlternativeNames: names,
      ValidationMethod: 'DNS',
      IdempotencyToken: idempotencyToken,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  if (!out.CertificateArn) throw new Error('ACM returned no certificate ARN');
  return out.CertificateArn;
}
