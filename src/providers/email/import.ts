/**
 * `charter import` for EmailSecurity: the policy that describes a domain as it is live, so the first plan
 * is empty. It reads the zone's DMARC, BIMI, MTA-STS and TLS-RPT TXT records (Route 53), the MTA-STS policy
 * file from the hosting bucket (S3), the distribution's aliases (CloudFront) and the us-east-1 certificate
 * (ACM). Values are read with the same grammar code lint and plan use (records.ts, mta-sts-policy.ts).
 *
 * A value a policy cannot write exactly (an unknown tag, a DMARC report size limit, a policy file laid out
 * differently from Charter's template, several values at one name, TTLs that differ) is never dropped
 * silently: each is a warning naming the record, and the imported spec is checked by building the records
 * it would write (lint's desiredRecords) and comparing them with live, so every change the first plan would
 * make is announced.
 */
import { acmClient, describeCertificate, listCertificates } from '../../aws/acm.js';
import { cloudFrontClient, getDistribution, getObject, s3Client } from '../../aws/hosting.js';
import { listHostedZones, listRecordSets, normalizeName, normalizeZoneId, route53Client, zoneContains, zoneForDomain } from '../../aws/route53.js';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { policyId, type PolicyDocument } from '../../core/document.js';
import type { Json } from '../../core/json.js';
import type { ImportedPolicy, RuntimeContext } from '../../core/provider.js';
import { splitList } from './abnf.js';
import { desiredRecords, EMAIL_DEFAULTS, managedNames, normalizeDomain, resolveAsset, SECTION_LABEL, type EmailSection } from './lint.js';
import { MTA_STS_POLICY_PATH, parseMtaStsPolicy, renderMtaStsPolicy } from './mta-sts-policy.js';
import { isBimiRecord, isDmarcRecord, isMtaStsRecord, isTlsRptRecord, parseTagList, type TagList } from './records.js';
import type { Bimi, Dmarc, EmailSecuritySpec, Hosting, MtaSts } from './spec.generated.js';
import { decodeTxt } from './txt.js';

const OWNER_TAG = 'charter:policy';
/** The schema's reportUri pattern (email-security.schema.json#/definitions/reportUri). */
const REPORT_URI = /^(mailto:[^\s]+@[^\s]+|https:\/\/[^\s]+)$/;
const ASSET_URL = /^https:\/\/[^\s]+$/;
const POLICIES = new Set(['none', 'quarantine', 'reject']);

interface LiveTxt {
  name: string;
  values: string[];
  ttl?: number;
}

const quote = (s: string) => JSON.stringify(s);

export async function importEmailSecurity(doc: PolicyDocument<EmailSecuritySpec>, ctx: RuntimeContext): Promise<ImportedPolicy> {
  const given = doc.spec;
  const domain = normalizeDomain(given.domain);
  const warnings: string[] = [];
  const notices: string[] = [];
  const r53 = route53Client(ctx.aws);
  const zones = await listHostedZones(r53);
  const zone = given.hostedZoneId ? zones.find((z) => z.id === normalizeZoneId(given.hostedZoneId!)) : zoneForDomain(zones, domain);
  if (!zone) throw new Error(given.hostedZoneId ? `Hosted zone ${given.hostedZoneId} does not exist in this account` : `No public Route 53 hosted zone in this account contains ${domain} (pass --zone, or set hostedZoneId)`);
  if (!zoneContains(zone, domain)) throw new Error(`Hosted zone ${zone.id} (${zone.name}) cannot hold records for ${domain}`);
  const sets = await listRecordSets(r53, zone.id);
  const at = (name: string) => sets.filter((s) => normalizeName(s.Name ?? '') === name);

  /** The TXT record set at a managed name, or undefined (with a notice) when a policy cannot manage it. */
  const txtAt = (section: EmailSection, name: string): LiveTxt | undefined => {
    const here = at(name);
    const cname = here.find((s) => s.Type === 'CNAME');
    if (cname) {
      warnings.push(`${name} is a CNAME (to ${cname.ResourceRecords?.[0]?.Value ?? cname.AliasTarget?.DNSName ?? '?'}), which a policy cannot manage; ${SECTION_LABEL[section]} was not imported`);
      return undefined;
    }
    const txt = here.filter((s) => s.Type === 'TXT');
    if (!txt.length) return undefined;
    if (txt.length > 1 || txt[0].SetIdentifier || txt[0].AliasTarget) {
      warnings.push(`${name} TXT uses a routing policy or alias, which a policy cannot manage; ${SECTION_LABEL[section]} was not imported`);
      return undefined;
    }
    const values = (txt[0].ResourceRecords ?? []).map((r) => {
      try {
        return decodeTxt(r.Value ?? '');
      } catch {
        return r.Value ?? '';
      }
    });
    if (values.length > 1) warnings.push(`${name} TXT holds ${values.length} values; receivers need exactly one, so the policy keeps the first and the first plan removes the others`);
    return { name, values, ttl: txt[0].TTL };
  };

  const spec: EmailSecuritySpec = { domain: given.domain };
  if (given.hostedZoneId !== undefined) spec.hostedZoneId = given.hostedZoneId;
  const names = managedNames({ domain });
  const imported: LiveTxt[] = [];

  const dmarc = txtAt('dmarc', `${names.dmarc}.`);
  if (dmarc) {
    const value = dmarc.values[0];
    if (!isDmarcRecord(value)) warnings.push(`${dmarc.name} TXT ${quote(value)} is not a DMARC record (v=DMARC1 first); dmarc was not imported`);
    else {
      spec.dmarc = dmarcSpec(dmarc.name, parseTagList(value), warnings);
      imported.push(dmarc);
    }
  }

  const bimi = bimiRecord(domain, given.bimi?.selector?.toLowerCase() ?? EMAIL_DEFAULTS.selector, sets, notices);
  const bimiTxt = bimi ? txtAt('bimi', bimi.name) : undefined;
  if (bimi && bimiTxt) {
    const value = bimiTxt.values[0];
    if (!isBimiRecord(value)) warnings.push(`${bimiTxt.name} TXT ${quote(value)} is not a BIMI record (v=BIMI1 first); bimi was not imported`);
    else {
      spec.bimi = bimiSpec(bimiTxt.name, bimi.selector, parseTagList(value), warnings);
      // A selector the file spells out stays spelled out, even the default one.
      if (given.bimi?.selector !== undefined && spec.bimi.selector === undefined) spec.bimi = { selector: bimi.selector, ...spec.bimi };
      imported.push(bimiTxt);
    }
  }

  const tlsRpt = txtAt('tlsRpt', `${names.tlsRpt}.`);
  if (tlsRpt) {
    const value = tlsRpt.values[0];
    if (!isTlsRptRecord(value)) warnings.push(`${tlsRpt.name} TXT ${quote(value)} is not a TLS-RPT record (v=TLSRPTv1 first); tlsRpt was not imported`);
    else {
      spec.tlsRpt = { rua: reportUris(tlsRpt.name, 'rua', parseTagList(value), ['v', 'rua'], warnings) };
      imported.push(tlsRpt);
    }
  }

  // Hosting as given (import cannot guess which bucket and distribution serve the domain); the rest is read.
  let policyText: string | undefined;
  let policyContentType: string | undefined;
  if (given.hosting) {
    const hosting: Hosting = { ...given.hosting };
    const region = hosting.bucketRegion ?? EMAIL_DEFAULTS.bucketRegion;
    const [distribution, policyFile] = await Promise.all([
      getDistribution(cloudFrontClient(ctx.aws), hosting.distributionId),
      getObject(s3Client(ctx.aws, region), hosting.bucket, MTA_STS_POLICY_PATH).catch((error: unknown) => {
        const name = (error as { name?: string }).name;
        if (name === 'NoSuchBucket') throw new Error(`S3 bucket ${hosting.bucket} does not exist in ${region}`);
        if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed') throw new Error(`S3 bucket ${hosting.bucket} is not in ${region}: give its region (--bucket-region, or hosting.bucketRegion)`);
        throw error;
      }),
    ]);
    if (!distribution) throw new Error(`CloudFront distribution ${hosting.distributionId} does not exist`);
    if (policyFile) {
      policyText = new TextDecoder().decode(policyFile.body);
      policyContentType = policyFile.contentType;
    }
    const aliases = new Set(distribution.aliases.map((a) => a.toLowerCase()));
    if (hosting.assetsHost === undefined && spec.bimi) {
      const hosts = [spec.bimi.logo?.url, spec.bimi.certificate?.url].map(hostOf).filter((h): h is string => h !== undefined);
      const served = hosts.find((h) => aliases.has(h) && h !== names.mtaStsHost);
      if (served) hosting.assetsHost = served;
    }
    if (hosting.assetsHost && spec.bimi) {
      for (const [field, asset] of [['logo', spec.bimi.logo], ['certificate', spec.bimi.certificate]] as const) {
        // An asset the file already names by a local file served at the live URL stays as written (Charter keeps uploading it).
        const kept = given.bimi?.[field];
        if (kept?.file !== undefined && asset?.url !== undefined && resolveAsset({ ...given, hosting }, kept).url === asset.url) {
          spec.bimi[field] = kept;
          continue;
        }
        if (hostOf(asset?.url) === hosting.assetsHost.toLowerCase()) {
          notices.push(`BIMI ${field} ${asset!.url} is on the hosting distribution's assets host; the policy names its URL only, so Charter does not upload it. To let Charter keep it in s3://${hosting.bucket}/, save the file next to the policy and set bimi.${field}.file`);
        }
      }
    }
    if (hosting.certificate === undefined) {
      const decided = await certificateChoice(doc, [names.mtaStsHost, ...(hosting.assetsHost ? [hosting.assetsHost.toLowerCase()] : [])], ctx);
      if (decided.notice) notices.push(decided.notice);
      if (!decided.manage) hosting.certificate = false;
    }
    spec.hosting = hosting;
  }

  const mtaSts = txtAt('mtaSts', `${names.mtaSts}.`);
  if (mtaSts) {
    const value = mtaSts.values[0];
    if (!isMtaStsRecord(value)) warnings.push(`${mtaSts.name} TXT ${quote(value)} is not an MTA-STS record (v=STSv1 first); mtaSts was not imported`);
    else if (!given.hosting) warnings.push(`${mtaSts.name} TXT exists, but its mode, mx and max_age are in the policy file at https://${names.mtaStsHost}/${MTA_STS_POLICY_PATH}: give the hosting bucket and distribution (--bucket, --distribution, or spec.hosting) to import mtaSts`);
    else if (policyText === undefined) warnings.push(`${mtaSts.name} TXT exists, but s3://${given.hosting.bucket}/${MTA_STS_POLICY_PATH} does not; mtaSts was not imported`);
    else {
      const parsed = mtaStsSpec(`s3://${given.hosting.bucket}/${MTA_STS_POLICY_PATH}`, policyText, warnings);
      if (parsed) {
        spec.mtaSts = parsed;
        imported.push(mtaSts);
        if (policyContentType !== 'text/plain') warnings.push(`s3://${given.hosting.bucket}/${MTA_STS_POLICY_PATH} has Content-Type ${policyContentType ?? '(none)'}; Charter serves it as text/plain, so the first plan uploads it again`);
      }
    }
  }

  // One TTL for every record a policy writes: the most common one live.
  const ttls = imported.map((r) => r.ttl).filter((t): t is number => t !== undefined);
  const ttl = mostCommon(ttls) ?? EMAIL_DEFAULTS.ttl;
  if (ttl < 60 || ttl > 172_800) warnings.push(`TTL ${ttl} is outside what a policy allows (60-172800); ttl is set to ${EMAIL_DEFAULTS.ttl}`);
  spec.ttl = ttl >= 60 && ttl <= 172_800 ? ttl : EMAIL_DEFAULTS.ttl;
  const ordered: EmailSecuritySpec = { domain: spec.domain, ...(spec.hostedZoneId !== undefined ? { hostedZoneId: spec.hostedZoneId } : {}), ttl: spec.ttl };
  for (const key of ['dmarc', 'bimi', 'mtaSts', 'tlsRpt', 'hosting'] as const) if (spec[key] !== undefined) Object.assign(ordered, { [key]: spec[key] });

  warnings.push(...firstPlanDifferences(doc, ordered, imported, policyText));
  if (!imported.length) notices.push(`no DMARC, BIMI, MTA-STS or TLS-RPT record of ${domain} was found in zone ${zone.id} (${zone.name}); the policy manages none yet`);
  return { spec: ordered as unknown as Json, notices, warnings, comments: [] };
}

/** The lower-case host of a URL; undefined when there is none or it does not parse. */
function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** `<selector>._bimi.<domain>` TXT sets: the preferred selector when present, else the first; others are named in a notice. */
function bimiRecord(domain: string, preferred: string, sets: readonly ResourceRecordSet[], notices: string[]): { name: string; selector: string } | undefined {
  const suffix = `._bimi.${domain}.`;
  const found = [...new Set(sets.filter((s) => s.Type === 'TXT').map((s) => normalizeName(s.Name ?? '')).filter((n) => n.endsWith(suffix) && !n.slice(0, -suffix.length).includes('.')))].sort();
  if (!found.length) return undefined;
  const chosen = found.includes(`${preferred}${suffix}`) ? `${preferred}${suffix}` : found[0];
  const others = found.filter((n) => n !== chosen);
  if (others.length) notices.push(`a policy manages one BIMI selector; ${chosen} was imported and ${others.join(', ')} left alone`);
  return { name: chosen, selector: chosen.slice(0, -suffix.length) };
}

function dmarcSpec(name: string, list: TagList, warnings: string[]): Dmarc {
  const out: Dmarc = {};
  const tag = (t: string) => list.first.get(t)?.value ?? [...list.first.entries()].find(([k]) => k.toLowerCase() === t)?.[1].value;
  const policyOf = (t: 'p' | 'sp'): Dmarc['policy'] | undefined => {
    const v = tag(t)?.toLowerCase();
    if (v === undefined) return undefined;
    if (POLICIES.has(v)) return v as Dmarc['policy'];
    warnings.push(`${name} TXT: ${t}=${tag(t)} is not none, quarantine or reject; the policy leaves it out`);
    return undefined;
  };
  const p = policyOf('p');
  if (p) out.policy = p;
  else warnings.push(`${name} TXT has no valid p=; a policy writes p=none when it names none`);
  const sp = policyOf('sp');
  if (sp) out.subdomainPolicy = sp;
  const pct = tag('pct');
  if (pct !== undefined) {
    if (/^[0-9]{1,3}$/.test(pct) && Number(pct) <= 100) out.percent = Number(pct);
    else warnings.push(`${name} TXT: pct=${pct} is not an integer from 0 to 100; the policy leaves it out`);
  }
  for (const field of ['rua', 'ruf'] as const) {
    const uris = reportUris(name, field, list, [], warnings, true);
    if (uris.length) out[field] = uris;
  }
  for (const field of ['adkim', 'aspf'] as const) {
    const v = tag(field)?.toLowerCase();
    if (v === 'r' || v === 's') out[field] = v;
    else if (v !== undefined) warnings.push(`${name} TXT: ${field}=${tag(field)} is not r or s; the policy leaves it out`);
  }
  const known = new Set(['v', 'p', 'sp', 'pct', 'rua', 'ruf', 'adkim', 'aspf']);
  const other = list.tags.filter((t) => !known.has(t.name.toLowerCase()));
  if (other.length) warnings.push(`${name} TXT: ${other.map((t) => `${t.name}=${t.value}`).join('; ')} cannot be written by a policy (it has no field for ${other.length > 1 ? 'them' : 'it'}); the first plan removes ${other.length > 1 ? 'them' : 'it'}`);
  return out;
}

/**
 * The addresses of a report tag as a policy holds them (the record keeps them percent-encoded, and the
 * policy's writer leaves existing %XX escapes alone, so they are kept as they are). With `dmarc`, a `!size`
 * suffix is announced: a policy cannot write one.
 */
function reportUris(name: string, field: string, list: TagList, known: string[], warnings: string[], dmarc = false): string[] {
  if (known.length) {
    const other = list.tags.filter((t) => !known.includes(t.name));
    if (other.length) warnings.push(`${name} TXT: ${other.map((t) => `${t.name}=${t.value}`).join('; ')} cannot be written by a policy; the first plan removes ${other.length > 1 ? 'them' : 'it'}`);
  }
  const tag = list.first.get(field) ?? (dmarc ? [...list.first.entries()].find(([k]) => k.toLowerCase() === field)?.[1] : undefined);
  if (!tag) return [];
  const uris = splitList(tag.value, ',') ?? tag.value.split(',').map((u) => u.trim()).filter(Boolean);
  const out: string[] = [];
  for (let uri of uris) {
    const bang = uri.lastIndexOf('!');
    if (dmarc && bang > 0 && /^[0-9]+[kmgt]?$/i.test(uri.slice(bang + 1))) {
      warnings.push(`${name} TXT: ${field} address ${uri} has a report size limit (${uri.slice(bang)}), which a policy cannot write; the first plan drops the limit`);
      uri = uri.slice(0, bang);
    }
    if (!REPORT_URI.test(uri) || uri.length > 1024) {
      warnings.push(`${name} TXT: ${field} address ${quote(uri)} is not a mailto: address or https URL a policy accepts; it is left out, so the first plan removes it`);
      continue;
    }
    if (!out.includes(uri)) out.push(uri);
  }
  return out;
}

function bimiSpec(name: string, selector: string, list: TagList, warnings: string[]): Bimi {
  const out: Bimi = {};
  if (selector !== EMAIL_DEFAULTS.selector) out.selector = selector;
  for (const [tag, field] of [['l', 'logo'], ['a', 'certificate']] as const) {
    const value = list.first.get(tag)?.value ?? [...list.first.entries()].find(([k]) => k.toLowerCase() === tag)?.[1].value;
    if (!value) continue;
    if (ASSET_URL.test(value) && value.length <= 2048) out[field] = { url: value };
    else warnings.push(`${name} TXT: ${tag}=${value} is not one https URL a policy accepts; it is left out, so the first plan writes ${tag}= empty`);
  }
  const avp = list.first.get('avp')?.value.toLowerCase();
  if (avp === 'brand' || avp === 'personal') out.avp = avp;
  const other = list.tags.filter((t) => !['v', 'l', 'a', 'avp'].includes(t.name.toLowerCase()) || (t.name.toLowerCase() === 'avp' && out.avp === undefined));
  if (other.length) warnings.push(`${name} TXT: ${other.map((t) => `${t.name}=${t.value}`).join('; ')} cannot be written by a policy; the first plan removes ${other.length > 1 ? 'them' : 'it'}`);
  return out;
}

function mtaStsSpec(where: string, text: string, warnings: string[]): MtaSts | undefined {
  const parsed = parseMtaStsPolicy(text);
  if (parsed.mode !== 'enforce' && parsed.mode !== 'testing' && parsed.mode !== 'none') {
    warnings.push(`${where} has no valid mode (${parsed.mode ?? 'none given'}); mtaSts was not imported`);
    return undefined;
  }
  const out: MtaSts = { mode: parsed.mode };
  if (parsed.mx.length) out.mx = [...new Set(parsed.mx)];
  out.maxAge = parsed.maxAge !== undefined && parsed.maxAge <= 31_557_600 ? parsed.maxAge : EMAIL_DEFAULTS.maxAge;
  if (parsed.maxAge === undefined || parsed.maxAge > 31_557_600) warnings.push(`${where}: max_age ${parsed.maxAge ?? '(missing)'} is not one a policy allows; maxAge is ${EMAIL_DEFAULTS.maxAge}`);
  if (parsed.extensions.length) warnings.push(`${where}: ${parsed.extensions.map((e) => `${e.name}: ${e.value}`).join(', ')} cannot be written by a policy; the first plan removes ${parsed.extensions.length > 1 ? 'them' : 'it'}`);
  for (const i of parsed.issues) warnings.push(`${where}: ${i.message}`);
  return out;
}

/**
 * Whether the policy manages the us-east-1 certificate: yes when a certificate tagged as this policy's
 * covers exactly the hosting names; otherwise `hosting.certificate: false` (no first-plan request), said.
 */
async function certificateChoice(doc: PolicyDocument<EmailSecuritySpec>, names: string[], ctx: RuntimeContext): Promise<{ manage: boolean; notice?: string }> {
  const acm = acmClient(ctx.aws);
  const candidates = (await listCertificates(acm)).filter((c) => c.names.some((n) => names.includes(n.toLowerCase())));
  const details = await Promise.all(candidates.map((c) => describeCertificate(acm, c.arn)));
  const same = (a: readonly string[]) => [...a].map((n) => n.toLowerCase()).sort().join(',') === [...names].sort().join(',');
  if (details.some((c) => c.tags[OWNER_TAG] === policyId(doc) && same(c.names))) return { manage: true };
  const covering = details.find((c) => same(c.names));
  const why = covering
    ? `certificate ${covering.arn} covers ${names.join(', ')} but is not this policy's (${OWNER_TAG}=${covering.tags[OWNER_TAG] ?? 'untagged'})`
    : `no ACM certificate in us-east-1 covers exactly ${names.join(', ')}`;
  return { manage: false, notice: `${why}; hosting.certificate is false so the first plan requests none. To let Charter manage it, ${covering ? `tag it ${OWNER_TAG}=${policyId(doc)} and ` : ''}set hosting.certificate: true` };
}

function mostCommon(values: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)! || (n === counts.get(best) && v < best)) best = v;
  return best;
}

/** What the first plan would still change: the records and policy file the imported spec writes, compared with live. */
function firstPlanDifferences(doc: PolicyDocument<EmailSecuritySpec>, spec: EmailSecuritySpec, imported: readonly LiveTxt[], policyText: string | undefined): string[] {
  const out: string[] = [];
  const wanted = desiredRecords(doc, spec);
  for (const record of wanted.records) {
    const live = imported.find((r) => r.name === record.name);
    if (!live) continue;
    if (live.values[0] !== record.value) out.push(`${record.name} TXT: live ${quote(live.values[0])} cannot be written exactly by a policy; the first plan changes it to ${quote(record.value)}`);
    else if (live.ttl !== record.ttl) out.push(`${record.name} TXT: TTL ${live.ttl ?? '?'} differs from the policy's one ttl (${record.ttl}); the first plan changes it`);
  }
  if (policyText !== undefined && spec.mtaSts && wanted.mtaStsPolicy) {
    const rendered = renderMtaStsPolicy({ mode: spec.mtaSts.mode, mx: spec.mtaSts.mx ?? [], maxAge: spec.mtaSts.maxAge ?? EMAIL_DEFAULTS.maxAge });
    if (rendered.text !== policyText) out.push(`${MTA_STS_POLICY_PATH}: the live file is laid out differently from the one Charter writes for the same mode, mx and max_age; the first plan rewrites it (and the _mta-sts id, derived from it)`);
  }
  return out;
}
