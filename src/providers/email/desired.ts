import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { PathSegment, PolicyDocument } from '../../core/document.js';
import type { LintContext } from '../../core/provider.js';
import { MTA_STS_POLICY_PATH, renderMtaStsPolicy } from './mta-sts-policy.js';
import { formatBimi, formatDmarc, formatMtaStsTxt, formatTlsRpt } from './records.js';
import type { EmailSecuritySpec } from './spec.generated.js';

export type Section = 'dmarc' | 'bimi' | 'mtaSts' | 'tlsRpt';

/** Schema defaults, applied here because validation leaves the policy as written. */
export const DEFAULTS = { ttl: 3600, selector: 'default', maxAge: 604800, bucketRegion: 'us-east-1', certificate: true } as const;

export interface DesiredTxt {
  section: Section;
  /** Lower-case FQDN with trailing dot. */
  name: string;
  ttl: number;
  /** Raw value; undefined when the policy asks for the record to be absent. */
  value?: string;
  path: PathSegment[];
}

export interface DesiredObject {
  /** What the object is, for titles: `MTA-STS policy`, `BIMI logo`, `mark certificate`. */
  label: string;
  key: string;
  contentType: string;
  md5: string;
  /** Text of generated objects (the MTA-STS policy), shown in the plan. */
  text?: string;
  /** Local file (relative to the policy file) for uploaded assets. */
  file?: string;
  path: PathSegment[];
}

export interface DesiredEmail {
  domain: string;
  zoneId?: string;
  records: DesiredTxt[];
  mtaSts?: { mode: 'enforce' | 'testing' | 'none'; mx: string[]; maxAge: number; id: string; text: string };
  hosting?: {
    bucket: string;
    region: string;
    distributionId: string;
    assetsHost?: string;
    /** Names the us-east-1 certificate must cover; empty when the policy does not manage one. */
    certificateNames: string[];
    objects: DesiredObject[];
  };
}

export function fqdn(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

function md5(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Where a BIMI asset is served from and, when Charter hosts it, its key in the bucket. */
export function assetLocation(spec: EmailSecuritySpec, asset: { url?: string; file?: string } | undefined): { url?: string; key?: string } {
  if (!asset) return {};
  const host = spec.hosting?.assetsHost?.toLowerCase();
  const url = asset.url ?? (asset.file && host ? `https://${host}/${basename(asset.file)}` : undefined);
  if (!url || !asset.file || !host) return { url };
  const parsed = new URL(url);
  return parsed.hostname.toLowerCase() === host ? { url, key: decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) } : { url };
}

/** The records, files and certificate a policy asks for. */
export async function desiredEmail(doc: PolicyDocument<EmailSecuritySpec>, ctx: Pick<LintContext, 'readLocalFile'>): Promise<DesiredEmail> {
  const spec = doc.spec;
  const domain = spec.domain.toLowerCase().replace(/\.$/, '');
  const ttl = spec.ttl ?? DEFAULTS.ttl;
  const records: DesiredTxt[] = [];
  const out: DesiredEmail = { domain, zoneId: spec.hostedZoneId?.replace(/^\/hostedzone\//, ''), records };

  if (spec.dmarc) {
    records.push({ section: 'dmarc', name: fqdn(`_dmarc.${domain}`), ttl, value: spec.dmarc.absent ? undefined : formatDmarc(spec.dmarc), path: ['spec', 'dmarc'] });
  }
  if (spec.bimi) {
    const selector = spec.bimi.selector ?? DEFAULTS.selector;
    const logo = assetLocation(spec, spec.bimi.logo);
    const certificate = assetLocation(spec, spec.bimi.certificate);
    records.push({
      section: 'bimi',
      name: fqdn(`${selector}._bimi.${domain}`),
      ttl,
      value: spec.bimi.absent ? undefined : formatBimi({ logoUrl: logo.url, certificateUrl: certificate.url, avp: spec.bimi.avp }),
      path: ['spec', 'bimi'],
    });
  }
  if (spec.mtaSts) {
    if (spec.mtaSts.absent) {
      records.push({ section: 'mtaSts', name: fqdn(`_mta-sts.${domain}`), ttl, path: ['spec', 'mtaSts'] });
    } else {
      const policy = { mode: spec.mtaSts.mode, mx: spec.mtaSts.mx ?? [], maxAge: spec.mtaSts.maxAge ?? DEFAULTS.maxAge };
      const rendered = renderMtaStsPolicy(policy);
      out.mtaSts = { ...policy, ...rendered };
      records.push({ section: 'mtaSts', name: fqdn(`_mta-sts.${domain}`), ttl, value: formatMtaStsTxt(rendered.id), path: ['spec', 'mtaSts'] });
    }
  }
  if (spec.tlsRpt) {
    records.push({ section: 'tlsRpt', name: fqdn(`_smtp._tls.${domain}`), ttl, value: spec.tlsRpt.absent ? undefined : formatTlsRpt(spec.tlsRpt.rua ?? []), path: ['spec', 'tlsRpt'] });
  }

  if (spec.hosting) {
    const h = spec.hosting;
    const objects: DesiredObject[] = [];
    if (out.mtaSts) {
      objects.push({ label: 'MTA-STS policy', key: MTA_STS_POLICY_PATH, contentType: 'text/plain', md5: md5(out.mtaSts.text), text: out.mtaSts.text, path: ['spec', 'mtaSts'] });
    }
    if (spec.bimi && !spec.bimi.absent) {
      for (const [field, label, contentType] of [
        ['logo', 'BIMI logo', 'image/svg+xml'],
        ['certificate', 'mark certificate', 'application/x-pem-file'],
      ] as const) {
        const asset = spec.bimi[field];
        const { key } = assetLocation(spec, asset);
        if (!asset?.file || !key) continue;
        const bytes = await ctx.readLocalFile(doc, asset.file);
        // A missing file is a lint error already; plan never runs with lint errors.
        if (bytes) objects.push({ label, key, contentType, md5: md5(bytes), file: asset.file, path: ['spec', 'bimi', field, 'file'] });
      }
    }
    const names = [`mta-sts.${domain}`, ...(h.assetsHost ? [h.assetsHost.toLowerCase()] : [])];
    out.hosting = {
      bucket: h.bucket,
      region: h.bucketRegion ?? DEFAULTS.bucketRegion,
      distributionId: h.distributionId,
      assetsHost: h.assetsHost?.toLowerCase(),
      certificateNames: (h.certificate ?? DEFAULTS.certificate) ? [...new Set(names)] : [],
      objects,
    };
  }
  return out;
}
