/**
 * `charter import <Kind> --flag ...`: the policy a kind's import starts from, built from the command line
 * instead of a file the user wrote first. It holds what import cannot find on its own (the domain, where
 * the files are hosted, the policy name that owns protection groups); import fills in the rest.
 */
import { stringify } from 'yaml';

export interface SkeletonFlags {
  name?: string;
  domain?: string;
  zone?: string;
  bucket?: string;
  bucketRegion?: string;
  distribution?: string;
}

/** Kinds `charter import <Kind>` builds a policy for (RedshiftGrants needs its connection written in a file). */
export const SKELETON_KINDS = ['EmailSecurity', 'ProtectionGroups'] as const;
export type SkeletonKind = (typeof SKELETON_KINDS)[number];

export class SkeletonError extends Error {}

/** A policy name from a domain: lower case, dots and other separators as hyphens (metadata.name's pattern). */
export function nameFromDomain(domain: string): string {
  const name = domain.toLowerCase().replace(/\.+$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return name.slice(0, 63).replace(/-+$/, '');
}

export function skeletonPolicy(kind: SkeletonKind, flags: SkeletonFlags): string {
  if (kind === 'EmailSecurity') {
    if (!flags.domain) throw new SkeletonError('import EmailSecurity needs --domain <domain>');
    if (Boolean(flags.bucket) !== Boolean(flags.distribution)) throw new SkeletonError('--bucket and --distribution go together: the bucket that holds the MTA-STS policy file and BIMI assets, and the CloudFront distribution serving it');
    if (flags.bucketRegion && !flags.bucket) throw new SkeletonError('--bucket-region needs --bucket');
    const spec: Record<string, unknown> = { domain: flags.domain };
    if (flags.zone) spec.hostedZoneId = flags.zone;
    if (flags.bucket) spec.hosting = { bucket: flags.bucket, ...(flags.bucketRegion ? { bucketRegion: flags.bucketRegion } : {}), distributionId: flags.distribution };
    return stringify({ apiVersion: 'charter/v1', kind, metadata: { name: flags.name ?? nameFromDomain(flags.domain) }, spec });
  }
  for (const [flag, value] of [['--domain', flags.domain], ['--zone', flags.zone], ['--bucket', flags.bucket], ['--bucket-region', flags.bucketRegion], ['--distribution', flags.distribution]] as const) {
    if (value !== undefined) throw new SkeletonError(`${flag} applies to import EmailSecurity, not ${kind}`);
  }
  // The name is the owner tag every imported group carries: the user chooses it.
  if (!flags.name) throw new SkeletonError('import ProtectionGroups needs --name <policy name>: the groups are tagged charter:policy=<name>');
  return stringify({ apiVersion: 'charter/v1', kind, metadata: { name: flags.name }, spec: { groups: [] } });
}
