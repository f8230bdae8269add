import { createHash } from 'node:crypto';
import type { ResourceRecordSet, Change as Route53Change } from '@aws-sdk/client-route-53';
import { awsErrorMessage } from '../../aws/clients.js';
import type { ACMClient } from '@aws-sdk/client-acm';
import { waitUntilCertificateValidated } from '@aws-sdk/client-acm';
import { acmClient, describeCertificate, listCertificates, requestCertificate, type CertificateDetail, type CertificateSummary } from '../../aws/acm.js';
import { cloudFrontClient, getDistribution, getObject, invalidate, putObject, s3Client, type Distribution, type StoredObject } from '../../aws/hosting.js';
import { changeRecordSets, listHostedZones, splitChangeBatches, listRecordSets, normalizeName, route53Client, zoneContains, zoneForDomain, type HostedZone } from '../../aws/route53.js';
import { waiterSettings, waitsFor } from '../../aws/wait.js';
import type { Diagnostic } from '../../core/diagnostics.js';
import { changeAt, diagnosticAt, policyId, type PathSegment, type PolicyDocument } from '../../core/document.js';
import type { Json } from '../../core/json.js';
import type { Change, ChangeResult } from '../../core/plan.js';
import type { ChangeGraph, DiffResult, ProviderRuntime, RuntimeContext } from '../../core/provider.js';
import { desiredEmail, type DesiredEmail, type DesiredTxt } from './desired.js';
import { importEmailSecurity } from './import.js';
import { liveMxIssues } from './mx.js';
import { parseMtaStsPolicy } from './mta-sts-policy.js';
import { apexBimiIssues, liveBimiDmarcIssues, liveRecordSetIssues } from './lint.js';
import type { RecordIssue } from './records.js';
import { assessPolicyFile, assessTxt } from './risk.js';
import type { EmailSecuritySpec } from './spec.generated.js';
import { decodeTxt, encodeTxt } from './txt.js';

type Doc = PolicyDocument<EmailSecuritySpec>;

/** Dependency order inside one policy: certificate, its validation records, files, CDN, then DNS. */
const PHASE = { certificate: 0, validation: 1, upload: 2, invalidate: 3, record: 4 } as const;
const OWNER_TAG = 'charter:policy';
const MANAGED_BY_TAG = 'charter:managed-by';
const VALIDATION_TTL = 300;

/** What the plan step reads from AWS, once for all EmailSecurity policies. */
interface LiveAccount {
  zones: HostedZone[];
  records: Map<string, ResourceRecordSet[]>;
  certificates: CertificateSummary[];
  /** The us-east-1 ACM client, when some policy manages a certificate. */
  acm?: ACMClient;
}

interface PolicyOutcome {
  changes: Change[];
  diagnostics: Diagnostic[];
  inputs: Json;
  /** Live things the policy owns (planPolicy only). */
  owned?: number;
}

/**
 * What waits for what inside one policy: the policy file is invalidated after its upload; the `_mta-sts` id
 * (which tells senders to fetch the file) and BIMI (which needs DMARC enforcing and its assets served) come
 * after the hosting changes, and BIMI after the DMARC change. The certificate, its validation records and
 * the other records depend on nothing. Route 53 changes of one zone go in one batch, invalidations of one
 * distribution in one invalidation.
 */
const graph: ChangeGraph = {
  dependsOn(change, changes) {
    const data = change.data as Data;
    const same = changes.filter((c) => c.policy === change.policy && c.kind === change.kind);
    const op = (c: Change) => (c.data as Data).op;
    const hosting = same.filter((c) => op(c) === 's3-put' || op(c) === 'cloudfront-invalidate');
    if (data.op === 'cloudfront-invalidate') return same.filter((c) => op(c) === 's3-put').map((c) => c.address);
    if (data.op !== 'route53') return [];
    const name = recordName(change);
    if (name.startsWith('_mta-sts.')) return hosting.map((c) => c.address);
    if (name.includes('._bimi.')) return [...hosting, ...same.filter((c) => op(c) === 'route53' && recordName(c).startsWith('_dmarc.'))].map((c) => c.address);
    return [];
  },
  /** Seconds each takes on AWS, roughly: an upload none, INSYNC a minute, an invalidation more, a certificate minutes. */
  weight(change) {
    const op = (change.data as Data).op;
    return op === 'acm-request' ? 360 : op === 'cloudfront-invalidate' ? 90 : op === 'route53' ? 60 : 1;
  },
  groupKey(change) {
    const data = change.data as Data;
    if (data.op === 'route53') return `route53|${String(data.zoneId)}`;
    if (data.op === 'cloudfront-invalidate') return `cloudfront|${String(data.distributionId)}`;
    return undefined;
  },
};

function recordName(c: Change): string {
  const data = c.data as Data;
  const set = (data.desired ?? data.live) as { Name?: string } | null;
  return normalizeName(set?.Name ?? '');
}

export const emailRuntime: ProviderRuntime<EmailSecuritySpec> = { plan, apply, graph, applyGroup, importPolicy: importEmailSecurity };

async function plan(docs: Doc[], ctx: RuntimeContext): Promise<DiffResult> {
  const r53 = route53Client(ctx.aws);
  const desired = await Promise.all(docs.map((d) => desiredEmail(d, ctx)));
  // One zone lookup pass, then one full listing per zone in use (300 records a page), shared by every policy.
  const zones = await listHostedZones(r53);
  const zoneOf = desired.map((d) => resolveZone(zones, d));
  const zoneIds = new Set(zoneOf.filter((z): z is HostedZone => Boolean(z)).map((z) => z.id));
  const needsCertificates = desired.some((d) => d.hosting?.certificateNames.length);
  const acm = needsCertificates ? acmClient(ctx.aws) : undefined;
  const [recordLists, certificates] = await Promise.all([
    Promise.all([...zoneIds].map(async (id) => [id, await listRecordSets(r53, id)] as const)),
    acm ? listCertificates(acm) : Promise.resolve([]),
  ]);
  const live: LiveAccount = { zones, records: new Map(recordLists), certificates, acm };

  const result: DiffResult = { changes: [], diagnostics: [], inputs: {} };
  for (let i = 0; i < docs.length; i++) {
    const outcome = await planPolicy(docs[i], desired[i], zoneOf[i], live, ctx);
    result.changes.push(...outcome.changes);
    result.diagnostics.push(...outcome.diagnostics);
    result.inputs[policyId(docs[i])] = outcome.inputs;
    (result.owned ??= {})[policyId(docs[i])] = outcome.owned ?? 0;
  }
  return result;
}

function resolveZone(zones: HostedZone[], d: DesiredEmail): HostedZone | undefined {
  if (d.zoneId) return zones.find((z) => z.id === d.zoneId);
  return zoneForDomain(zones, d.domain);
}

function recordsAt(live: LiveAccount, zone: HostedZone, name: string): ResourceRecordSet[] {
  return (live.records.get(zone.id) ?? []).filter((r) => normalizeName(r.Name ?? '') === name);
}

function issueAt(doc: Doc, path: PathSegment[], i: RecordIssue): Diagnostic {
  return diagnosticAt(doc, path, i.code, i.severity, i.message, i.hint);
}


async function planPolicy(doc: Doc, d: DesiredEmail, zone: HostedZone | undefined, live: LiveAccount, ctx: RuntimeContext): Promise<PolicyOutcome> {
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!zone) {
    const path = d.zoneId ? ['spec', 'hostedZoneId'] : ['spec', 'domain'];
    diagnostics.push(
      diagnosticAt(doc, path, 'email/zone-not-found', 'error', d.zoneId ? `Hosted zone ${d.zoneId} does not exist in this account` : `No public Route 53 hosted zone contains ${d.domain}`, 'Create the zone, or set hostedZoneId to the zone that holds the domain.'),
    );
    return { changes, diagnostics, inputs: { zone: null }, owned: 0 };
  }
  if (!zoneContains(zone, d.domain)) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'hostedZoneId'], 'email/zone-mismatch', 'error', `Hosted zone ${zone.id} (${zone.name}) cannot hold records for ${d.domain}`, 'Set hostedZoneId to the zone whose name is the domain or one of its parents, or leave it out to find the zone by name.'));
    return { changes, diagnostics, inputs: { zone: zone.id }, owned: 0 };
  }

  // Live values the plan depends on even when they cause no change: MX hosts and, for BIMI, DMARC.
  const mxHosts = recordsAt(live, zone, normalizeName(d.domain))
    .filter((r) => r.Type === 'MX')
    .flatMap((r) => (r.ResourceRecords ?? []).map((rr) => (rr.Value ?? '').trim().split(/\s+/)[1] ?? ''))
    .map((h) => h.toLowerCase().replace(/\.$/, ''))
    .filter(Boolean)
    .sort();
  const inputs: Record<string, Json> = { zone: zone.id, mx: mxHosts };
  if (d.mtaSts) {
    for (const i of liveMxIssues(d.mtaSts.mode, d.mtaSts.mx, mxHosts)) diagnostics.push(issueAt(doc, ['spec', 'mtaSts', 'mx'], i));
  }
  const spec = doc.spec;
  if (spec.bimi && !spec.bimi.absent && !spec.dmarc) {
    const dmarc = txtValues(recordsAt(live, zone, normalizeName(`_dmarc.${d.domain}`)).find((r) => r.Type === 'TXT'));
    inputs.dmarc = dmarc ?? null;
    for (const i of liveBimiDmarcIssues(dmarc ?? [])) diagnostics.push(issueAt(doc, ['spec', 'bimi'], { ...i, message: `Live _dmarc.${d.domain}: ${i.message}` }));
  }
  if (spec.bimi && !spec.bimi.absent) {
    const apex = txtValues(recordsAt(live, zone, normalizeName(d.domain)).find((r) => r.Type === 'TXT')) ?? [];
    for (const i of apexBimiIssues(d.domain, apex)) diagnostics.push(issueAt(doc, ['spec', 'bimi'], i));
  }

  // What the policy owns live (the safety threshold's base): its record sets that exist, its hosted files
  // that exist, and the certificates tagged as its own.
  let owned = d.records.filter((r) => recordsAt(live, zone, r.name).some((s) => s.Type === 'TXT')).length;
  // Hosted files first: their live content decides the risk of MTA-STS changes.
  let liveMode: string | undefined;
  if (d.hosting) {
    const hosted = await planHosting(doc, d, ctx);
    changes.push(...hosted.changes);
    diagnostics.push(...hosted.diagnostics);
    liveMode = hosted.liveMode;
    owned += hosted.owned;
    if (d.hosting.certificateNames.length) {
      const cert = await planCertificate(doc, d, live, ctx);
      changes.push(...cert.changes);
      diagnostics.push(...cert.diagnostics);
      owned += cert.owned;
    }
  }

  for (const record of d.records) {
    const outcome = planTxt(doc, record, zone, live, liveMode);
    changes.push(...outcome.changes);
    diagnostics.push(...outcome.diagnostics);
  }
  return { changes, diagnostics, inputs, owned };
}

function txtValues(set: ResourceRecordSet | undefined): string[] | undefined {
  if (!set) return undefined;
  return (set.ResourceRecords ?? []).map((r) => {
    try {
      return decodeTxt(r.Value ?? '');
    } catch {
      return r.Value ?? '';
    }
  });
}

/** The live record set as Route 53 returned it: DELETE must send exactly this. */
function exactSet(set: ResourceRecordSet): Json {
  return JSON.parse(JSON.stringify(set)) as Json;
}

function planTxt(doc: Doc, record: DesiredTxt, zone: HostedZone, live: LiveAccount, liveMode: string | undefined): PolicyOutcome {
  const sets = recordsAt(live, zone, record.name);
  const cname = sets.find((s) => s.Type === 'CNAME');
  const set = sets.find((s) => s.Type === 'TXT');
  const values = txtValues(set);
  // A CNAME or a foreign value at a managed name is an error, never overwritten: receivers need exactly one record.
  const diagnostics = liveRecordSetIssues(record.section, record.name, values ?? [], cname ? (cname.ResourceRecords?.[0]?.Value ?? cname.AliasTarget?.DNSName ?? '?') : undefined).map((i) =>
    issueAt(doc, record.path, i),
  );
  if (set?.SetIdentifier || set?.AliasTarget) {
    diagnostics.push(diagnosticAt(doc, record.path, 'email/unsupported-record-set', 'error', `${record.name} TXT uses a routing policy or alias; Charter leaves it alone`, 'Replace it with a simple record set by hand.'));
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { changes: [], diagnostics, inputs: null };
  const title = `TXT ${record.name}`;
  const addr = `email/${doc.name}/route53/TXT/${record.name}`;
  const data = (action: 'create' | 'update' | 'delete'): Json => ({
    op: 'route53',
    zoneId: zone.id,
    action,
    live: set ? exactSet(set) : null,
    desired: record.value === undefined ? null : { Name: record.name, Type: 'TXT', TTL: record.ttl, ResourceRecords: [{ Value: encodeTxt(record.value) }] },
  });
  const before: Json = values ? { ttl: set?.TTL ?? null, values } : null;
  if (record.value === undefined) {
    if (!set) return { changes: [], diagnostics, inputs: null };
    const a = assessTxt(record.section, values?.[0], undefined, liveMode);
    return { changes: [changeAt(doc, record.path, { address: addr, action: 'delete', title, before, after: null, phase: PHASE.record, data: data('delete'), ...a })], diagnostics, inputs: null };
  }
  const after: Json = { ttl: record.ttl, values: [record.value] };
  if (!set) {
    const a = assessTxt(record.section, undefined, record.value, liveMode);
    return { changes: [changeAt(doc, record.path, { address: addr, action: 'create', title, before: null, after, phase: PHASE.record, data: data('create'), ...a })], diagnostics, inputs: null };
  }
  if (values!.length === 1 && values![0] === record.value && set.TTL === record.ttl) return { changes: [], diagnostics, inputs: null };
  const a = assessTxt(record.section, values![0], record.value, liveMode);
  const reason = values!.length > 1 ? `${values!.length} values where receivers need exactly one; ${a.reason}` : set.TTL !== record.ttl && values![0] === record.value ? `TTL ${set.TTL} → ${record.ttl}` : a.reason;
  return { changes: [changeAt(doc, record.path, { address: addr, action: 'update', title, before, after, phase: PHASE.record, data: data('update'), risk: a.risk, reason })], diagnostics, inputs: null };
}

/**
 * The bucket's region when S3 refused a request for going to the wrong one: 301 PermanentRedirect names
 * the endpoint to use, 400 AuthorizationHeaderMalformed the expected region; '' when it says neither.
 * Undefined for any other error.
 */
function bucketRegionOf(error: unknown): string | undefined {
  const e = error as { name?: string; Endpoint?: string; Region?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'AuthorizationHeaderMalformed' && e.Region !== undefined) return e.Region;
  if (e.name !== 'PermanentRedirect' && e.$metadata?.httpStatusCode !== 301) return undefined;
  return /^(?:[^.]+\.)?s3[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(e.Endpoint ?? '')?.[1] ?? '';
}

async function planHosting(doc: Doc, d: DesiredEmail, ctx: RuntimeContext): Promise<{ changes: Change[]; diagnostics: Diagnostic[]; liveMode?: string; owned: number }> {
  const h = d.hosting!;
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const s3 = s3Client(ctx.aws, h.region);
  const cloudFront = cloudFrontClient(ctx.aws);
  let distribution: Distribution | undefined;
  let liveObjects: Array<StoredObject | undefined>;
  try {
    [distribution, ...liveObjects] = await Promise.all([getDistribution(cloudFront, h.distributionId), ...h.objects.map((o) => getObject(s3, h.bucket, o.key))]) as [Distribution | undefined, ...Array<StoredObject | undefined>];
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchBucket') {
      diagnostics.push(diagnosticAt(doc, ['spec', 'hosting', 'bucket'], 'email/bucket-not-found', 'error', `S3 bucket ${h.bucket} does not exist in ${h.region}`, 'Create the bucket (behind the CloudFront distribution) or fix hosting.bucket.'));
      return { changes, diagnostics, owned: 0 };
    }
    const actual = bucketRegionOf(error);
    if (actual !== undefined) {
      diagnostics.push(diagnosticAt(doc, ['spec', 'hosting', 'bucketRegion'], 'email/bucket-wrong-region', 'error', `S3 bucket ${h.bucket} is in ${actual || 'another region'}, not in ${h.region}; S3 refuses requests sent to the wrong region`, `Set hosting.bucketRegion to ${actual || "the bucket's region"}.`));
      return { changes, diagnostics, owned: 0 };
    }
    throw error;
  }
  if (!distribution) {
    diagnostics.push(diagnosticAt(doc, ['spec', 'hosting', 'distributionId'], 'email/distribution-not-found', 'error', `CloudFront distribution ${h.distributionId} does not exist`, 'Set hosting.distributionId to the distribution that serves the bucket for mta-sts.<domain>.'));
  } else {
    const aliases = distribution.aliases.map((a) => a.toLowerCase());
    for (const host of [`mta-sts.${d.domain}`, ...(h.assetsHost ? [h.assetsHost] : [])]) {
      if (!aliases.includes(host)) diagnostics.push(diagnosticAt(doc, ['spec', 'hosting', 'distributionId'], 'email/distribution-alias-missing', 'warning', `CloudFront distribution ${h.distributionId} has no alias ${host}, so https://${host}/ is not served by it`, `Add ${host} to the distribution's alternate domain names, with the certificate Charter requests.`));
    }
  }
  const policyObject = liveObjects[h.objects.findIndex((o) => o.text !== undefined)];
  const liveMode = policyObject ? parseMtaStsPolicy(new TextDecoder().decode(policyObject.body)).mode : undefined;
  const uploaded: string[] = [];
  h.objects.forEach((o, i) => {
    const current = liveObjects[i];
    const currentSha = current ? createHash('sha256').update(current.body).digest('hex') : undefined;
    if (current && currentSha === o.sha256 && current.contentType === o.contentType) return;
    const describe = (obj: StoredObject | undefined, sha?: string): Json =>
      obj ? { sha256: sha ?? null, contentType: obj.contentType ?? null, ...(o.text !== undefined ? { text: new TextDecoder().decode(obj.body) } : {}) } : null;
    const after: Json = { sha256: o.sha256, contentType: o.contentType, ...(o.text !== undefined ? { text: o.text } : { file: o.file ?? null }) };
    const a = o.text !== undefined && d.mtaSts
      ? assessPolicyFile(current ? new TextDecoder().decode(current.body) : undefined, d.mtaSts)
      : { risk: 'safe' as const, reason: current ? `${o.label} content differs from ${o.file ?? 'the policy'}` : `Uploads the ${o.label}` };
    uploaded.push(`/${o.key}`);
    changes.push(
      changeAt(doc, o.path, {
        address: `email/${doc.name}/s3/${h.bucket}/${o.key}`,
        action: current ? 'update' : 'create',
        title: `${o.label} s3://${h.bucket}/${o.key}`,
        before: describe(current, currentSha),
        after,
        phase: PHASE.upload,
        data: { op: 's3-put', bucket: h.bucket, region: h.region, key: o.key, contentType: o.contentType, sha256: o.sha256, text: o.text ?? null, file: o.file ?? null },
        ...a,
      }),
    );
  });
  if (uploaded.length && distribution) {
    changes.push(
      changeAt(doc, ['spec', 'hosting', 'distributionId'], {
        address: `email/${doc.name}/cloudfront/${h.distributionId}/invalidation`,
        action: 'run',
        title: `CloudFront invalidation on ${h.distributionId}`,
        before: null,
        after: { paths: uploaded.sort() },
        risk: 'safe',
        reason: 'Serve the new files now, before the _mta-sts id tells senders to fetch them',
        phase: PHASE.invalidate,
        data: { op: 'cloudfront-invalidate', distributionId: h.distributionId, paths: uploaded },
      }),
    );
  }
  return { changes, diagnostics, liveMode, owned: liveObjects.filter(Boolean).length };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const [x, y] = [[...a].map((s) => s.toLowerCase()).sort(), [...b].map((s) => s.toLowerCase()).sort()];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

async function planCertificate(doc: Doc, d: DesiredEmail, live: LiveAccount, ctx: RuntimeContext): Promise<{ changes: Change[]; diagnostics: Diagnostic[]; owned: number }> {
  const names = d.hosting!.certificateNames;
  const path: PathSegment[] = ['spec', 'hosting'];
  const acm = live.acm ?? acmClient(ctx.aws);
  // Only certificates for these names are described (tags tell which one is ours): a few calls, not one per certificate.
  const candidates = live.certificates.filter((c) => c.names.some((n) => names.includes(n.toLowerCase())));
  const details: CertificateDetail[] = await Promise.all(candidates.map((c) => describeCertificate(acm, c.arn)));
  const owned = details.filter((c) => c.tags[OWNER_TAG] === policyId(doc));
  const current = owned.find((c) => sameNames(c.names, names));
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  if (current) {
    const seen = new Set<string>();
    for (const v of current.validation) {
      const name = normalizeName(v.name);
      if (seen.has(name)) continue;
      seen.add(name);
      const zone = zoneForDomain(live.zones, name);
      if (!zone) {
        diagnostics.push(diagnosticAt(doc, path, 'email/validation-zone-not-found', 'warning', `No hosted zone for ${name}: create the CNAME ${name} → ${v.value} where that name is hosted, or ACM never issues ${current.arn}`, 'Charter creates validation records only in zones of this account.'));
        continue;
      }
      const existing = (live.records.get(zone.id) ?? []).find((r) => normalizeName(r.Name ?? '') === name && r.Type === 'CNAME');
      if (existing?.ResourceRecords?.[0]?.Value?.toLowerCase() === v.value.toLowerCase()) continue;
      if (!live.records.has(zone.id)) continue; // a zone no policy uses was not listed; ACM's own status tells the rest
      changes.push(
        changeAt(doc, path, {
          address: `email/${doc.name}/route53/CNAME/${name}`,
          action: existing ? 'update' : 'create',
          title: `CNAME ${name} (ACM validation)`,
          before: existing ? { values: (existing.ResourceRecords ?? []).map((r) => r.Value ?? '') } : null,
          after: { ttl: VALIDATION_TTL, values: [v.value] },
          risk: 'safe',
          reason: `DNS validation of the certificate for ${names.join(', ')}`,
          phase: PHASE.validation,
          data: { op: 'route53', zoneId: zone.id, action: existing ? 'update' : 'create', live: existing ? exactSet(existing) : null, desired: { Name: name, Type: 'CNAME', TTL: VALIDATION_TTL, ResourceRecords: [{ Value: v.value }] } },
        }),
      );
    }
    if (current.status !== 'ISSUED' && changes.length === 0) {
      diagnostics.push(
        diagnosticAt(doc, path, 'email/certificate-pending-validation', 'notice', `Certificate ${current.arn} for ${names.join(', ')} is ${current.status}: its validation records are published, ACM issues it once it sees them`, 'Nothing to do; ACM usually issues within minutes. Attach it to the distribution once it is ISSUED.'),
      );
    }
    return { changes, diagnostics, owned: owned.length };
  }
  const foreign = details.find((c) => !c.tags[OWNER_TAG] && sameNames(c.names, names));
  if (foreign) {
    diagnostics.push(diagnosticAt(doc, path, 'email/certificate-left-alone', 'notice', `Certificate ${foreign.arn} already covers ${names.join(', ')} and is not Charter's; it is left alone and no new one is requested`, `To let Charter manage it, tag it ${OWNER_TAG}=${policyId(doc)}, or set hosting.certificate: false.`));
    return { changes, diagnostics, owned: owned.length };
  }
  const superseded = owned[0];
  changes.push(
    changeAt(doc, path, {
      address: `email/${doc.name}/acm/certificate`,
      action: superseded ? 'replace' : 'create',
      title: `ACM certificate (us-east-1) for ${names.join(', ')}`,
      before: superseded ? { arn: superseded.arn, names: superseded.names } : null,
      after: { names, validation: 'DNS', region: 'us-east-1' },
      risk: 'safe',
      reason: superseded
        ? `The certificate's names changed; a new one is requested and validated. ${superseded.arn} stays until you move the distribution to the new one.`
        : 'CloudFront needs a us-east-1 certificate for the MTA-STS and BIMI hosts; validation records are created with it',
      phase: PHASE.certificate,
      data: { op: 'acm-request', names, tags: { [OWNER_TAG]: policyId(doc), [MANAGED_BY_TAG]: 'charter' } },
    }),
  );
  return { changes, diagnostics, owned: owned.length };
}

// ---------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------

async function apply(changes: Change[], docs: Doc[], ctx: RuntimeContext): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  for (const c of changes) {
    try {
      const detail = await applyOne(c, docs[0], ctx);
      results.push({ address: c.address, status: 'applied', detail });
    } catch (error) {
      results.push({ address: c.address, status: 'failed', error: awsErrorMessage(error) });
      break; // later changes depend on this one
    }
  }
  return results;
}

type Data = Record<string, Json>;

/**
 * Applies ready changes together: the Route 53 changes of one zone in as few batches as Route 53's limits
 * allow (one INSYNC wait each), the invalidations of one distribution as one invalidation with all their
 * paths; anything else alone. A batch that fails fails every change it held.
 */
async function applyGroup(changes: Change[], docs: Doc[], ctx: RuntimeContext): Promise<ChangeResult[]> {
  const op = (changes[0].data as Data).op;
  if (op === 'route53') {
    const zoneId = String((changes[0].data as Data).zoneId);
    const r53 = route53Client(ctx.aws);
    const batches = splitChangeBatches(changes, route53Changes);
    const outcomes = await Promise.all(
      batches.map(async (batch): Promise<ChangeResult[]> => {
        try {
          const comment = batch.length === 1 ? `charter ${batch[0].address}` : `charter ${batch.length} changes`;
          const id = await changeRecordSets(r53, zoneId, batch.flatMap(route53Changes), comment, waitsFor(ctx, 'route53Insync'));
          return batch.map((c) => ({ address: c.address, status: 'applied', detail: `Route 53 change ${id} INSYNC` }));
        } catch (error) {
          return batch.map((c) => ({ address: c.address, status: 'failed', error: awsErrorMessage(error) }));
        }
      }),
    );
    return outcomes.flat();
  }
  if (op === 'cloudfront-invalidate') {
    const distributionId = String((changes[0].data as Data).distributionId);
    const paths = [...new Set(changes.flatMap((c) => (c.data as Data).paths as string[]))].sort();
    const reference = `charter-${createHash('sha256').update(`${changes.map((c) => c.address).join('|')}|${JSON.stringify(paths)}|${Date.now()}`).digest('hex').slice(0, 24)}`;
    try {
      const id = await invalidate(cloudFrontClient(ctx.aws), distributionId, paths, reference, waitsFor(ctx, 'invalidation'));
      return changes.map((c) => ({ address: c.address, status: 'applied', detail: `invalidation ${id} completed` }));
    } catch (error) {
      return changes.map((c) => ({ address: c.address, status: 'failed', error: awsErrorMessage(error) }));
    }
  }
  return Promise.all(
    changes.map(async (c): Promise<ChangeResult> => {
      const doc = docs.find((d) => d.name === c.policy) ?? docs[0];
      try {
        return { address: c.address, status: 'applied', detail: await applyOne(c, doc, ctx) };
      } catch (error) {
        return { address: c.address, status: 'failed', error: awsErrorMessage(error) };
      }
    }),
  );
}

/** DELETE the set exactly as read, then CREATE the new one: kept together in one atomic batch. */
function route53Changes(c: Change): Route53Change[] {
  const data = c.data as Data;
  const liveSet = data.live as unknown as ResourceRecordSet | null;
  const desiredSet = data.desired as unknown as ResourceRecordSet | null;
  const batch: Route53Change[] = [];
  if (liveSet) batch.push({ Action: 'DELETE', ResourceRecordSet: liveSet });
  if (desiredSet) batch.push({ Action: 'CREATE', ResourceRecordSet: desiredSet });
  return batch;
}

async function applyOne(c: Change, doc: Doc, ctx: RuntimeContext): Promise<string | undefined> {
  const data = c.data as Data;
  switch (data.op) {
    case 'route53': {
      const id = await changeRecordSets(route53Client(ctx.aws), String(data.zoneId), route53Changes(c), `charter ${c.address}`, waitsFor(ctx, 'route53Insync'));
      return `Route 53 change ${id} INSYNC`;
    }
    case 's3-put': {
      let body: Uint8Array;
      if (typeof data.text === 'string') body = new TextEncoder().encode(data.text);
      else {
        const bytes = await ctx.readLocalFile(doc, String(data.file));
        if (!bytes) throw new Error(`${String(data.file)} is missing`);
        if (createHash('sha256').update(bytes).digest('hex') !== data.sha256) throw new Error(`${String(data.file)} changed since the plan was made; plan again`);
        body = bytes;
      }
      await putObject(s3Client(ctx.aws, String(data.region)), String(data.bucket), String(data.key), body, String(data.contentType), 'max-age=300');
      return `uploaded s3://${String(data.bucket)}/${String(data.key)}`;
    }
    case 'cloudfront-invalidate': {
      const paths = data.paths as string[];
      const reference = `charter-${createHash('sha256').update(`${c.address}|${JSON.stringify(paths)}|${Date.now()}`).digest('hex').slice(0, 24)}`;
      const id = await invalidate(cloudFrontClient(ctx.aws), String(data.distributionId), paths, reference, waitsFor(ctx, 'invalidation'));
      return `invalidation ${id} completed`;
    }
    case 'acm-request':
      return requestAndValidate(c, data, ctx);
    default:
      throw new Error(`Unknown email change operation ${String(data.op)}`);
  }
}

/** Requests the certificate, waits for ACM to publish its validation records, and creates them. */
async function requestAndValidate(c: Change, data: Data, ctx: RuntimeContext): Promise<string> {
  const names = data.names as string[];
  const acm = acmClient(ctx.aws);
  // Same policy and names → same token: a re-run within the hour gets the same certificate, not a second one.
  const token = createHash('sha256').update(`${c.address}|${names.join(',')}`).digest('hex').slice(0, 32);
  const arn = await requestCertificate(acm, names, data.tags as Record<string, string>, token);
  const deadline = Date.now() + ctx.waitTimeoutMs;
  let detail = await describeCertificate(acm, arn);
  // A hand loop: ACM's only SDK waiter waits for validation, not for the records to be published.
  while (detail.validation.length < new Set(names).size && detail.status === 'PENDING_VALIDATION') {
    if (Date.now() > deadline) throw new Error(`ACM did not publish validation records for ${arn}`);
    await new Promise((r) => setTimeout(r, ctx.pollIntervalMs));
    detail = await describeCertificate(acm, arn);
  }
  const r53 = route53Client(ctx.aws);
  const zones = await listHostedZones(r53);
  const byZone = new Map<string, Route53Change[]>();
  const seen = new Set<string>();
  for (const v of detail.validation) {
    const name = normalizeName(v.name);
    const zone = zoneForDomain(zones, name);
    if (!zone || seen.has(name)) continue;
    seen.add(name);
    byZone.set(zone.id, [...(byZone.get(zone.id) ?? []), { Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'CNAME', TTL: VALIDATION_TTL, ResourceRecords: [{ Value: v.value }] } }]);
  }
  for (const [zoneId, batch] of byZone) {
    await changeRecordSets(r53, zoneId, batch, `charter ${c.address} validation`, waitsFor(ctx, 'route53Insync'));
  }
  const published = `requested ${arn}; ${seen.size} validation record(s) published`;
  // ACM issues minutes after it sees the records: wait within the deadline, but a certificate still
  // PENDING_VALIDATION then is not a failure (the records are right; the next plan reports it pending).
  const status = await waitForIssue(acm, arn, deadline, ctx);
  if (status === 'ISSUED') return `${published}; issued`;
  if (status !== 'PENDING_VALIDATION') throw new Error(`ACM certificate ${arn} is ${status} after its validation records were published`);
  return `${published}; still PENDING_VALIDATION when the wait ended (ACM issues it once it sees the records)`;
}

/**
 * The certificate's status once ACM decides (SDK waiter: every validation SUCCESS, or FAILED), or
 * PENDING_VALIDATION at the deadline. Certificates of several policies wait at the same time.
 */
async function waitForIssue(acm: ACMClient, arn: string, deadline: number, ctx: RuntimeContext): Promise<string> {
  try {
    const result = await waitUntilCertificateValidated(waiterSettings(acm, waitsFor(ctx, 'certificateValidation'), deadline), { CertificateArn: arn });
    return result.reason?.Certificate?.Status ?? 'ISSUED';
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError') return 'PENDING_VALIDATION';
    // The waiter fails on a FAILED validation: the certificate's own status says what happened.
    if (name === 'Error' || name === 'FAILURE') return (await describeCertificate(acm, arn)).status;
    throw error;
  }
}
