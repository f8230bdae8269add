import { compareStrings } from '../core/json.js';
import {
  ChangeResourceRecordSetsCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  Route53Client,
  type Change as Route53Change,
  type ResourceRecordSet,
  waitUntilResourceRecordSetsChanged,
} from '@aws-sdk/client-route-53';
import type { AwsSettings } from '../core/provider.js';
import { cachedClient, clientConfig, withRateLimit } from './clients.js';
import { sleep, waiterSettings, type Waits } from './wait.js';

export interface HostedZone {
  id: string;
  /** Lower-case, with trailing dot. */
  name: string;
  private: boolean;
}

/** Route 53 is a global service signed in us-east-1. */
export function route53Client(settings: AwsSettings): Route53Client {
  return cachedClient(settings, 'route53', () => withRateLimit(new Route53Client(clientConfig(settings, 'route53', 'us-east-1')), settings, 'route53'));
}

export function normalizeZoneId(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

/** Lower-case, trailing dot, `\052` back to `*`: the form names are compared in. */
export function normalizeName(name: string): string {
  const n = name.replace(/\\052/g, '*').toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** One pass over every hosted zone in the account (100 per page). */
export async function listHostedZones(client: Route53Client): Promise<HostedZone[]> {
  const zones: HostedZone[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new ListHostedZonesCommand({ Marker: marker, MaxItems: 100 }));
    for (const z of page.HostedZones ?? []) {
      zones.push({ id: normalizeZoneId(z.Id ?? ''), name: normalizeName(z.Name ?? ''), private: Boolean(z.Config?.PrivateZone) });
    }
    marker = page.IsTruncated ? page.NextMarker : undefined;
  } while (marker);
  return zones;
}

/** Whether a name is the zone's apex or below it (whole labels). */
export function zoneContains(zone: HostedZone, name: string): boolean {
  const fqdn = normalizeName(name);
  return fqdn === zone.name || fqdn.endsWith(`.${zone.name}`);
}

/** The public zone whose name is the longest suffix of `domain`. */
export function zoneForDomain(zones: readonly HostedZone[], domain: string): HostedZone | undefined {
  return zones
    .filter((z) => !z.private && zoneContains(z, domain))
    .sort((a, b) => b.name.length - a.name.length || compareStrings(a.id, b.id))[0];
}

/**
 * Every record set of a zone: 300 per page, looping on IsTruncated with NextRecordName/Type/Identifier
 * (the SDK has no paginator for this operation).
 */
export async function listRecordSets(client: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const records: ResourceRecordSet[] = [];
  let start: { name?: string; type?: string; identifier?: string } | undefined = {};
  while (start) {
    const page: ListResourceRecordSetsCommandOutput = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        MaxItems: 300,
        StartRecordName: start.name,
        StartRecordType: start.type as ResourceRecordSet['Type'],
        StartRecordIdentifier: start.identifier,
      }),
    );
    records.push(...(page.ResourceRecordSets ?? []));
    start = page.IsTruncated ? { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier } : undefined;
  }
  return records;
}

/** Route 53's documented ChangeBatch limits (UPSERT counts twice). */
export const CHANGE_BATCH_LIMITS = { resourceRecords: 1000, valueCharacters: 32_000 } as const;

/** What changes weigh against CHANGE_BATCH_LIMITS. */
export function changeBatchWeight(changes: readonly Route53Change[]): { records: number; characters: number } {
  let records = 0;
  let characters = 0;
  for (const c of changes) {
    const weight = c.Action === 'UPSERT' ? 2 : 1;
    for (const r of c.ResourceRecordSet?.ResourceRecords ?? []) {
      records += weight;
      characters += weight * (r.Value ?? '').length;
    }
  }
  return { records, characters };
}

/**
 * Splits units of changes (each unit must stay atomic: a DELETE with its CREATE) into as few batches as
 * fit Route 53's limits, in order. A unit too large on its own is a batch of its own (Route 53 refuses it).
 */
export function splitChangeBatches<T>(units: readonly T[], changesOf: (unit: T) => readonly Route53Change[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let weight = { records: 0, characters: 0 };
  for (const unit of units) {
    const w = changeBatchWeight(changesOf(unit));
    const fits = weight.records + w.records <= CHANGE_BATCH_LIMITS.resourceRecords && weight.characters + w.characters <= CHANGE_BATCH_LIMITS.valueCharacters;
    if (current.length && !fits) {
      batches.push(current);
      current = [];
      weight = { records: 0, characters: 0 };
    }
    current.push(unit);
    weight = { records: weight.records + w.records, characters: weight.characters + w.characters };
  }
  if (current.length) batches.push(current);
  return batches;
}

/** Throws before sending a batch Route 53 would reject as InvalidChangeBatch for its size. */
export function checkChangeBatchLimits(changes: readonly Route53Change[]): void {
  const { records, characters } = changeBatchWeight(changes);
  if (records > CHANGE_BATCH_LIMITS.resourceRecords || characters > CHANGE_BATCH_LIMITS.valueCharacters) {
    throw new Error(
      `Change batch too large for Route 53: ${records} resource records (limit ${CHANGE_BATCH_LIMITS.resourceRecords}) and ${characters} value characters (limit ${CHANGE_BATCH_LIMITS.valueCharacters}), UPSERT counting twice`,
    );
  }
}

/**
 * Submits one atomic change batch and waits until Route 53 reports it INSYNC. Route 53 accepts a new batch
 * while earlier ones are still PENDING; PriorRequestNotComplete only means it was still processing the
 * previous request to the zone (a burst), so it is waited out and retried until the deadline.
 */
export async function changeRecordSets(client: Route53Client, zoneId: string, changes: Route53Change[], comment: string, waits: Waits): Promise<string> {
  checkChangeBatchLimits(changes);
  const deadline = Date.now() + waits.waitTimeoutMs;
  let changeId: string | undefined;
  for (;;) {
    try {
      const out = await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: changes } }));
      changeId = out.ChangeInfo?.Id;
      break;
    } catch (error) {
      if ((error as { name?: string }).name !== 'PriorRequestNotComplete' || Date.now() > deadline) throw error;
      await sleep(waits.pollIntervalMs);
    }
  }
  if (!changeId) throw new Error('Route 53 returned no change id');
  const id = changeId;
  try {
    await waitUntilResourceRecordSetsChanged(waiterSettings(client, waits, deadline), { Id: id });
  } catch (error) {
    if ((error as { name?: string }).name === 'TimeoutError') throw new Error(`Route 53 change ${id} not INSYNC after ${waits.waitTimeoutMs} ms`);
    throw error;
  }
  return id;
}
