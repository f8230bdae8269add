import { createHash } from 'node:crypto';
import type { PathSegment, PolicyDocument } from '../../core/document.js';
import type { LintContext } from '../../core/provider.js';
import { desiredRecords, EMAIL_DEFAULTS, type EmailSection } from './lint.js';
import type { EmailSecuritySpec } from './spec.generated.js';

export type Section = EmailSection;

export interface DesiredTxt {
  section: Section;
  /** Lower-case FQDN with trailing dot. */
  name: string;
  ttl: number;
  /** Raw value; undefined when the policy asks for the record to be absent. */
  value?: string;
  path: PathSegment[];
}

/** A file Charter keeps in the hosting bucket. */
export interface DesiredObject {
  /** What the object is, for titles: `MTA-STS policy`, `BIMI logo`, `mark certificate`. */
  label: string;
  key: string;
  contentType: string;
  /** SHA-256 hex of the bytes (MD5 collides on purpose-built files). */
  sha256: string;
  /** Text of generated objects (the MTA-STS policy), shown in the plan. */
  text?: string;
  /** Local file (relative to the policy file) for uploaded assets. */
  file?: string;
  path: PathSegment[];
}

/** The policy's records (from lint's desiredRecords, the one place values are built) plus what plan needs to compare files. */
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

function digest(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const assetLabels = { logo: 'BIMI logo', certificate: 'mark certificate' } as const;

export async function desiredEmail(doc: PolicyDocument<EmailSecuritySpec>, ctx: Pick<LintContext, 'readLocalFile'>): Promise<DesiredEmail> {
  const wanted = desiredRecords(doc);
  const spec = doc.spec;
  const out: DesiredEmail = {
    domain: wanted.domain,
    zoneId: spec.hostedZoneId?.replace(/^\/hostedzone\//, ''),
    records: [
      ...wanted.records.map((r) => ({ section: r.section, name: r.name, ttl: r.ttl, value: r.value, path: r.path })),
      ...wanted.absent.map((r) => ({ section: r.section, name: r.name, ttl: spec.ttl ?? EMAIL_DEFAULTS.ttl, path: r.path })),
    ],
  };
  if (wanted.mtaStsPolicy && spec.mtaSts) {
    out.mtaSts = { mode: spec.mtaSts.mode, mx: spec.mtaSts.mx ?? [], maxAge: spec.mtaSts.maxAge ?? EMAIL_DEFAULTS.maxAge, id: wanted.mtaStsPolicy.id, text: wanted.mtaStsPolicy.text };
  }
  if (wanted.hosting) {
    const objects: DesiredObject[] = [];
    if (wanted.mtaStsPolicy) {
      const p = wanted.mtaStsPolicy;
      objects.push({ label: 'MTA-STS policy', key: p.key, contentType: 'text/plain', sha256: digest(p.text), text: p.text, path: ['spec', 'mtaSts'] });
    }
    for (const asset of wanted.assets) {
      if (!asset.key) continue; // served from elsewhere: not Charter's to upload
      const bytes = await ctx.readLocalFile(doc, asset.file);
      // A missing file is a lint error already; plan never runs with lint errors.
      if (bytes) objects.push({ label: assetLabels[asset.field], key: asset.key, contentType: asset.contentType, sha256: digest(bytes), file: asset.file, path: asset.path });
    }
    const h = wanted.hosting;
    out.hosting = {
      bucket: h.bucket,
      region: h.region,
      distributionId: h.distributionId,
      assetsHost: h.assetsHost,
      certificateNames: h.manageCertificate ? h.certificateNames : [],
      objects,
    };
  }
  return out;
}
