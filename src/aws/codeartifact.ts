/**
 * AWS CodeArtifact: the domain, repository, external connection and package version calls Charter makes, one
 * client per region. ListPackageVersions asks for 1000 versions a page, so a package with up to 1000
 * Published versions costs one call. Requests are rate-limited per service (default 5 requests/second,
 * `requestsPerSecond.codeartifact` overrides it).
 */
import { createHash } from 'node:crypto';
import {
  AssociateExternalConnectionCommand,
  CodeartifactClient,
  CreateDomainCommand,
  CreateRepositoryCommand,
  DeleteDomainCommand,
  DeleteRepositoryCommand,
  DescribeDomainCommand,
  DescribeRepositoryCommand,
  DisassociateExternalConnectionCommand,
  GetPackageVersionAssetCommand,
  ListPackageVersionAssetsCommand,
  ListPackageVersionsCommand,
  ListRepositoriesInDomainCommand,
  ListTagsForResourceCommand,
  PublishPackageVersionCommand,
  TagResourceCommand,
  UpdateRepositoryCommand,
  type PackageFormat,
} from '@aws-sdk/client-codeartifact';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';

export const VERSIONS_PAGE_SIZE = 1000;

export function codeArtifactClient(settings: AwsSettings, region: string): CodeartifactClient {
  return cachedClient(settings, `codeartifact|${region}`, () => withRateLimit(new CodeartifactClient(clientConfig(settings, 'codeartifact', region)), settings, 'codeartifact', region));
}

const errorName = (error: unknown): string | undefined => (error as { name?: string })?.name;

export interface LiveRepository {
  arn: string;
  description: string;
  externalConnections: string[];
}

export interface PackageRef {
  domain: string;
  repository: string;
  format: string;
  namespace?: string;
  name: string;
}

/** The domain's ARN, or undefined when there is no such domain in the region. */
export async function describeDomain(client: CodeartifactClient, domain: string): Promise<string | undefined> {
  try {
    return (await client.send(new DescribeDomainCommand({ domain }))).domain?.arn;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function describeRepository(client: CodeartifactClient, domain: string, repository: string): Promise<LiveRepository | undefined> {
  try {
    const r = (await client.send(new DescribeRepositoryCommand({ domain, repository }))).repository;
    if (!r) return undefined;
    return { arn: r.arn ?? '', description: r.description ?? '', externalConnections: (r.externalConnections ?? []).map((c) => c.externalConnectionName ?? '').filter((c) => c !== '') };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));

export async function createDomain(client: CodeartifactClient, domain: string, tags: Record<string, string>): Promise<void> {
  await client.send(new CreateDomainCommand({ domain, tags: tagList(tags) }));
}

export async function createRepository(client: CodeartifactClient, domain: string, repository: string, description: string, tags: Record<string, string>): Promise<void> {
  await client.send(new CreateRepositoryCommand({ domain, repository, description, tags: tagList(tags) }));
}

export async function updateRepositoryDescription(client: CodeartifactClient, domain: string, repository: string, description: string): Promise<void> {
  await client.send(new UpdateRepositoryCommand({ domain, repository, description }));
}

export async function deleteRepository(client: CodeartifactClient, domain: string, repository: string): Promise<void> {
  await client.send(new DeleteRepositoryCommand({ domain, repository }));
}

/** Every repository of a domain in the client's region, all pages: name and ARN. */
export async function listRepositoriesInDomain(client: CodeartifactClient, domain: string): Promise<Array<{ name: string; arn: string }>> {
  const out: Array<{ name: string; arn: string }> = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListRepositoriesInDomainCommand({ domain, ...(nextToken ? { nextToken } : {}) }));
    for (const r of page.repositories ?? []) if (r.name && r.arn) out.push({ name: r.name, arn: r.arn });
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export async function deleteDomain(client: CodeartifactClient, domain: string): Promise<void> {
  await client.send(new DeleteDomainCommand({ domain }));
}

export async function associateExternalConnection(client: CodeartifactClient, domain: string, repository: string, externalConnection: string): Promise<void> {
  await client.send(new AssociateExternalConnectionCommand({ domain, repository, externalConnection }));
}

export async function disassociateExternalConnection(client: CodeartifactClient, domain: string, repository: string, externalConnection: string): Promise<void> {
  await client.send(new DisassociateExternalConnectionCommand({ domain, repository, externalConnection }));
}

export async function listTags(client: CodeartifactClient, resourceArn: string): Promise<Record<string, string>> {
  const out = await client.send(new ListTagsForResourceCommand({ resourceArn }));
  return Object.fromEntries((out.tags ?? []).map((t) => [t.key ?? '', t.value ?? '']));
}

export async function tagResource(client: CodeartifactClient, resourceArn: string, tags: Record<string, string>): Promise<void> {
  if (Object.keys(tags).length > 0) await client.send(new TagResourceCommand({ resourceArn, tags: tagList(tags) }));
}

export interface PublishedVersion {
  version: string;
  /** CodeArtifact's revision of the version's content; equal revisions mean equal assets. */
  revision: string;
}

/**
 * The Published versions Charter's pipeline put there (originType INTERNAL), in listing order, with their
 * revisions; an unknown package is an empty list. One call per 1000 versions.
 */
export async function listPublished(client: CodeartifactClient, ref: PackageRef): Promise<PublishedVersion[]> {
  const versions: PublishedVersion[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListPackageVersionsCommand({
          domain: ref.domain,
          repository: ref.repository,
          format: ref.format as PackageFormat,
          namespace: ref.namespace,
          package: ref.name,
          status: 'Published',
          originType: 'INTERNAL',
          maxResults: VERSIONS_PAGE_SIZE,
          nextToken,
        }),
      );
      for (const v of page.versions ?? []) if (v.version) versions.push({ version: v.version, revision: v.revision ?? '' });
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException' && versions.length === 0) return [];
    throw error;
  }
  return versions;
}

/** The Published INTERNAL version names (see listPublished). */
export async function listPublishedVersions(client: CodeartifactClient, ref: PackageRef): Promise<string[]> {
  return (await listPublished(client, ref)).map((v) => v.version);
}

export interface AssetInfo {
  name: string;
  sha256: string;
}

export async function listAssets(client: CodeartifactClient, ref: PackageRef, version: string): Promise<AssetInfo[]> {
  const out: AssetInfo[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListPackageVersionAssetsCommand({ domain: ref.domain, repository: ref.repository, format: ref.format as PackageFormat, namespace: ref.namespace, package: ref.name, packageVersion: version, nextToken }),
    );
    for (const a of page.assets ?? []) out.push({ name: a.name ?? '', sha256: a.hashes?.['SHA-256'] ?? '' });
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export async function getAsset(client: CodeartifactClient, ref: PackageRef, version: string, asset: string): Promise<Buffer> {
  const out = await client.send(
    new GetPackageVersionAssetCommand({ domain: ref.domain, repository: ref.repository, format: ref.format as PackageFormat, namespace: ref.namespace, package: ref.name, packageVersion: version, asset }),
  );
  const bytes = await out.asset?.transformToByteArray();
  return Buffer.from(bytes ?? new Uint8Array());
}

/**
 * Publishes one asset of a generic package version with its SHA-256 (CodeArtifact rejects a mismatch);
 * `unfinished` keeps the version open for more assets.
 */
export async function publishAsset(client: CodeartifactClient, ref: PackageRef, version: string, asset: string, bytes: Buffer, unfinished: boolean): Promise<string> {
  const assetSHA256 = createHash('sha256').update(bytes).digest('hex');
  const out = await client.send(
    new PublishPackageVersionCommand({
      domain: ref.domain,
      repository: ref.repository,
      format: 'generic',
      namespace: ref.namespace,
      package: ref.name,
      packageVersion: version,
      assetName: asset,
      assetContent: bytes,
      assetSHA256,
      unfinished,
    }),
  );
  return out.asset?.hashes?.['SHA-256'] ?? '';
}
