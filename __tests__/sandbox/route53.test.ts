import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxStateInput } from '../../src/sandbox/index.js';
import { errorOf, route53Client } from './helpers.js';

const ZONE = 'Z0EXAMPLE1';

function baseState(extraRecords: unknown[] = []): SandboxStateInput {
  return {
    settings: { route53: { changeInsyncAfterPolls: 0 } },
    route53: {
      hostedZones: [
        {
          id: ZONE,
          name: 'example.com',
          records: [
            { name: 'example.com', type: 'MX', ttl: 300, values: ['10 mx1.example.com.', '20 mx2.example.com.'] },
            { name: '_dmarc.example.com', type: 'TXT', ttl: 300, values: ['"v=DMARC1; p=reject"'] },
            { name: 'www.example.com', type: 'CNAME', ttl: 60, values: ['example.github.io.'] },
            ...extraRecords,
          ],
        },
        { id: 'Z0PRIVATE1', name: 'internal.example.com.', private: true },
      ],
    },
  };
}

function txt(name: string, value: string, action: Change['Action'] = 'CREATE', ttl = 300): Change {
  return { Action: action, ResourceRecordSet: { Name: name, Type: 'TXT', TTL: ttl, ResourceRecords: [{ Value: value }] } };
}

async function listAll(sb: Sandbox, zoneId = ZONE, maxItems?: number): Promise<{ records: ResourceRecordSet[]; pages: number }> {
  const client = route53Client(sb);
  const records: ResourceRecordSet[] = [];
  let name: string | undefined;
  let type: ResourceRecordSet['Type'] | undefined;
  let pages = 0;
  for (;;) {
    const page = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: type, MaxItems: maxItems }),
    );
    pages++;
    records.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) break;
    name = page.NextRecordName;
    type = page.NextRecordType;
  }
  return { records, pages };
}

describe('route53: zones', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({ state: baseState() });
  });
  afterEach(() => sb.close());

  it('lists and gets hosted zones with Route 53 ids, trailing dots and synthesized NS/SOA', async () => {
    const client = route53Client(sb);
    const list = await client.send(new ListHostedZonesCommand({}));
    expect(list.HostedZones?.map((z) => [z.Id, z.Name, z.Config?.PrivateZone])).toEqual([
      ['/hostedzone/Z0EXAMPLE1', 'example.com.', false],
      ['/hostedzone/Z0PRIVATE1', 'internal.example.com.', true],
    ]);
    expect(list.IsTruncated).toBe(false);

    const zone = await client.send(new GetHostedZoneCommand({ Id: '/hostedzone/Z0EXAMPLE1' }));
    expect(zone.HostedZone?.ResourceRecordSetCount).toBe(5); // MX, TXT, CNAME + NS + SOA
    expect(zone.DelegationSet?.NameServers).toHaveLength(4);

    const { records } = await listAll(sb);
    const apex = records.filter((r) => r.Name === 'example.com.').map((r) => r.Type);
    expect(apex).toEqual(['MX', 'NS', 'SOA']);
    const ns = records.find((r) => r.Type === 'NS');
    expect(ns?.ResourceRecords?.map((r) => r.Value)).toEqual(zone.DelegationSet?.NameServers?.map((n) => `${n}.`));
  });

  it('pages ListHostedZones with Marker/MaxItems and orders ListHostedZonesByName by reversed labels', async () => {
    sb.state.route53.hostedZones.push(
      { id: 'Z0AAA', name: 'a.example.org.', private: false, callerReference: 'x', nameServers: [], records: [] },
      { id: 'Z0BBB', name: 'example.org.', private: false, callerReference: 'y', nameServers: [], records: [] },
    );
    const client = route53Client(sb);
    const p1 = await client.send(new ListHostedZonesCommand({ MaxItems: 3 }));
    expect(p1.HostedZones).toHaveLength(3);
    expect(p1.IsTruncated).toBe(true);
    const p2 = await client.send(new ListHostedZonesCommand({ MaxItems: 3, Marker: p1.NextMarker }));
    expect(p2.HostedZones?.map((z) => z.Id)).toEqual(['/hostedzone/Z0BBB']);
    expect(p2.IsTruncated).toBe(false);

    const byName = await client.send(new ListHostedZonesByNameCommand({}));
    expect(byName.HostedZones?.map((z) => z.Name)).toEqual(['example.com.', 'internal.example.com.', 'example.org.', 'a.example.org.']);
    const fromOrg = await client.send(new ListHostedZonesByNameCommand({ DNSName: 'example.org', MaxItems: 1 }));
    expect(fromOrg.HostedZones?.map((z) => z.Name)).toEqual(['example.org.']);
    expect(fromOrg.NextDNSName).toBe('a.example.org.');
    expect(fromOrg.NextHostedZoneId).toBe('Z0AAA');
  });

  it('returns NoSuchHostedZone (404) for unknown zones', async () => {
    const client = route53Client(sb);
    for (const p of [
      client.send(new GetHostedZoneCommand({ Id: 'ZNOPE' })),
      client.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE' })),
      client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'ZNOPE', ChangeBatch: { Changes: [txt('a.example.com', '"x"')] } })),
    ]) {
      const err = await errorOf(p);
      expect(err.name).toBe('NoSuchHostedZone');
      expect(err.$metadata?.httpStatusCode).toBe(404);
      expect(err.message).toContain('ZNOPE');
    }
    const noChange = await errorOf(client.send(new GetChangeCommand({ Id: '/change/CNOPE' })));
    expect(noChange.name).toBe('NoSuchChange');
  });
});

describe('route53: ListResourceRecordSets pagination', () => {
  let sb: Sandbox;
  const many = Array.from({ length: 650 }, (_, i) => ({ name: `host${String(i).padStart(3, '0')}.example.com`, type: 'A', ttl: 60, values: [`10.0.${i >> 8}.${i & 255}`] }));
  beforeEach(async () => {
    sb = await startSandbox({
      state: baseState([
        ...many,
        ...many.slice(0, 20).map((r) => ({ ...r, type: 'TXT', values: [`"${r.name}"`] })),
        { name: '*.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
        { name: 'a.b.example.com', type: 'A', ttl: 60, values: ['192.0.2.2'] },
        { name: 'b.example.com', type: 'A', ttl: 60, values: ['192.0.2.3'] },
      ]),
    });
  });
  afterEach(() => sb.close());

  it('pages 300 at a time across >300 records, round-tripping NextRecordName/NextRecordType', async () => {
    const client = route53Client(sb);
    const first = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }));
    expect(first.ResourceRecordSets).toHaveLength(300);
    expect(first.IsTruncated).toBe(true);
    expect(first.MaxItems).toBe(300);
    expect(first.NextRecordName).toMatch(/\.example\.com\.$/);

    const { records, pages } = await listAll(sb);
    const total = 650 + 20 + 3 + 3 + 2; // A + TXT + extra + (MX, TXT, CNAME) + (NS, SOA)
    expect(records).toHaveLength(total);
    expect(pages).toBe(3);
    const keys = records.map((r) => `${r.Name} ${r.Type}`);
    expect(new Set(keys).size).toBe(total);
    // A record and TXT record sharing a name come out name-then-type, and no page boundary loses one.
    expect(keys.indexOf('host005.example.com. A') + 1).toBe(keys.indexOf('host005.example.com. TXT'));
  });

  it('sorts by name with labels reversed, then type; wildcards come back as \\052', async () => {
    const { records } = await listAll(sb, ZONE, 1000);
    const names = records.map((r) => r.Name ?? '');
    expect(names[0]).toBe('example.com.');
    expect(names.indexOf('\\052.example.com.')).toBeLessThan(names.indexOf('_dmarc.example.com.'));
    expect(names.indexOf('b.example.com.')).toBeLessThan(names.indexOf('a.b.example.com.'));
    expect(names.indexOf('a.b.example.com.')).toBeLessThan(names.indexOf('host000.example.com.'));
  });

  it('starts at StartRecordName/StartRecordType and honours small MaxItems', async () => {
    const client = route53Client(sb);
    const page = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, StartRecordName: 'HOST010.example.com', StartRecordType: 'TXT', MaxItems: 2 }),
    );
    expect(page.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual(['host010.example.com. TXT', 'host011.example.com. A']);
    expect(page.NextRecordName).toBe('host011.example.com.');
    expect(page.NextRecordType).toBe('TXT');
    const bad = await errorOf(client.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, StartRecordType: 'A' })));
    expect(bad.name).toBe('InvalidInput');
  });
});

describe('route53: ChangeResourceRecordSets', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({ state: baseState() });
  });
  afterEach(() => sb.close());

  const zone = (): Sandbox['state']['route53']['hostedZones'][number] => sb.state.route53.hostedZones[0];
  const send = (changes: Change[]) =>
    route53Client(sb).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: `/hostedzone/${ZONE}`, ChangeBatch: { Changes: changes } }));

  it('creates records, normalising the name (lower case, trailing dot)', async () => {
    const res = await send([txt('_MTA-STS.Example.com', '"v=STSv1; id=20260101"')]);
    expect(res.ChangeInfo?.Id).toMatch(/^\/change\/C[A-Z0-9]+$/);
    const rec = zone().records.find((r) => r.name === '_mta-sts.example.com.');
    expect(rec).toEqual({ name: '_mta-sts.example.com.', type: 'TXT', ttl: 300, values: ['"v=STSv1; id=20260101"'] });
  });

  it('is atomic: one bad change and nothing in the batch is applied', async () => {
    const before = JSON.stringify(zone().records);
    const err = await errorOf(
      send([
        txt('_mta-sts.example.com', '"v=STSv1; id=1"'),
        txt('_smtp._tls.example.com', '"v=TLSRPTv1; rua=mailto:a@example.com"'),
        txt('_bimi.example.com', '"nope"', 'DELETE'),
      ]),
    );
    expect(err.name).toBe('InvalidChangeBatch');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe("[Tried to delete resource record set [name='_bimi.example.com.', type='TXT'] but it was not found]");
    expect(JSON.stringify(zone().records)).toBe(before);
  });

  it('reports every problem of a batch', async () => {
    const err = await errorOf(send([txt('_dmarc.example.com', '"v=DMARC1; p=none"'), txt('gone.example.com', '"x"', 'DELETE')]));
    expect(err.message).toContain("Tried to create resource record set [name='_dmarc.example.com.', type='TXT'] but it already exists");
    expect(err.message).toContain("Tried to delete resource record set [name='gone.example.com.', type='TXT'] but it was not found");
  });

  it('requires DELETE to match TTL and values exactly', async () => {
    const wrongValue = await errorOf(send([txt('_dmarc.example.com', '"v=DMARC1;p=reject"', 'DELETE')]));
    expect(wrongValue.message).toContain('but the values provided do not match the current values');
    const wrongTtl = await errorOf(send([txt('_dmarc.example.com', '"v=DMARC1; p=reject"', 'DELETE', 3600)]));
    expect(wrongTtl.message).toContain('do not match the current values');
    const partial = await errorOf(
      send([{ Action: 'DELETE', ResourceRecordSet: { Name: 'example.com', Type: 'MX', TTL: 300, ResourceRecords: [{ Value: '10 mx1.example.com.' }] } }]),
    );
    expect(partial.message).toContain('do not match');
    // Exact match (values in any order) succeeds; DELETE+CREATE in one batch replaces the record.
    await send([
      { Action: 'DELETE', ResourceRecordSet: { Name: 'example.com.', Type: 'MX', TTL: 300, ResourceRecords: [{ Value: '20 mx2.example.com.' }, { Value: '10 mx1.example.com.' }] } },
      txt('_dmarc.example.com', '"v=DMARC1; p=reject"', 'DELETE'),
      txt('_dmarc.example.com', '"v=DMARC1; p=quarantine"', 'CREATE'),
    ]);
    expect(zone().records.some((r) => r.type === 'MX')).toBe(false);
    expect(zone().records.find((r) => r.name === '_dmarc.example.com.')?.values).toEqual(['"v=DMARC1; p=quarantine"']);
  });

  it('UPSERT creates or replaces the whole record set', async () => {
    await send([txt('_dmarc.example.com', '"v=DMARC1; p=none"', 'UPSERT', 60), txt('new.example.com', '"hello"', 'UPSERT')]);
    expect(zone().records.find((r) => r.name === '_dmarc.example.com.')).toMatchObject({ ttl: 60, values: ['"v=DMARC1; p=none"'] });
    expect(zone().records.find((r) => r.name === 'new.example.com.')).toBeDefined();
  });

  it('enforces the 1000 ResourceRecord limit, counting UPSERT twice', async () => {
    const values = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ Value: `"${prefix}${i}"` }));
    const create1001 = await errorOf(
      send([{ Action: 'CREATE', ResourceRecordSet: { Name: 'big.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values(1001, '') } }]),
    );
    expect(create1001.name).toBe('InvalidChangeBatch');
    expect(create1001.message).toContain('Number of records limit of 1000 exceeded.');

    const upsert501 = await errorOf(
      send([{ Action: 'UPSERT', ResourceRecordSet: { Name: 'big.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values(501, '') } }]),
    );
    expect(upsert501.message).toContain('Number of records limit of 1000 exceeded.');

    await send([{ Action: 'CREATE', ResourceRecordSet: { Name: 'big.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values(501, '') } }]);
    expect(zone().records.find((r) => r.name === 'big.example.com.')?.values).toHaveLength(501);
  });

  it('enforces the 32,000 value character limit, counting UPSERT twice', async () => {
    // 100 values of 200 characters = 20,000 characters.
    const chunk = '"' + 'a'.repeat(198) + '"';
    const values = Array.from({ length: 100 }, (_, i) => ({ Value: chunk.slice(0, -4) + String(i).padStart(3, '0') + '"' }));
    const upsert = await errorOf(send([{ Action: 'UPSERT', ResourceRecordSet: { Name: 'long.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values } }]));
    expect(upsert.message).toContain('RDATA character limit of 32000 exceeded.');
    await send([{ Action: 'CREATE', ResourceRecordSet: { Name: 'long.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values } }]);
    const twoCreates = await errorOf(
      send([
        { Action: 'CREATE', ResourceRecordSet: { Name: 'long2.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values } },
        { Action: 'CREATE', ResourceRecordSet: { Name: 'long3.example.com', Type: 'TXT', TTL: 60, ResourceRecords: values } },
      ]),
    );
    expect(twoCreates.message).toContain('RDATA character limit');
  });

  it('rejects malformed TXT values like Route 53', async () => {
    const unquoted = await errorOf(send([txt('_mta-sts.example.com', 'v=STSv1; id=1')]));
    expect(unquoted.name).toBe('InvalidChangeBatch');
    expect(unquoted.message).toContain('InvalidCharacterString (Value should be enclosed in quotation marks)');

    const unterminated = await errorOf(send([txt('_mta-sts.example.com', '"v=STSv1; id=1')]));
    expect(unterminated.message).toContain('enclosed in quotation marks');

    const tooLong = await errorOf(send([txt('long.example.com', `"${'x'.repeat(256)}"`)]));
    expect(tooLong.message).toContain('CharacterStringTooLong');

    const nonAscii = await errorOf(send([txt('u.example.com', '"héllo"')]));
    expect(nonAscii.message).toContain('InvalidCharacterString');

    // Several ≤255-octet strings, adjacent or space-separated, with escapes, are fine.
    await send([txt('split.example.com', `"${'x'.repeat(255)}" "${'y'.repeat(10)}""z\\"q\\\\"`)]);
    expect(zone().records.some((r) => r.name === 'split.example.com.')).toBe(true);
  });

  it('checks names: within the zone, labels ≤63, names ≤253', async () => {
    const outside = await errorOf(send([txt('_dmarc.example.org', '"x"')]));
    expect(outside.message).toContain('RRSet with DNS name _dmarc.example.org. is not permitted in zone example.com.');
    const label = await errorOf(send([txt(`${'a'.repeat(64)}.example.com`, '"x"')]));
    expect(label.message).toContain('DomainLabelTooLong');
    const long = `${Array.from({ length: 5 }, () => 'b'.repeat(50)).join('.')}.example.com`;
    const name = await errorOf(send([txt(long, '"x"')]));
    expect(name.message).toContain('DomainNameTooLong');
  });

  it('rejects a CNAME next to other records (both directions)', async () => {
    const cnameOnTxt = await errorOf(
      send([{ Action: 'CREATE', ResourceRecordSet: { Name: '_dmarc.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'x.example.net.' }] } }]),
    );
    expect(cnameOnTxt.message).toMatch(/RRSet of type CNAME with DNS name _dmarc\.example\.com\. is not permitted/);
    const txtOnCname = await errorOf(send([txt('www.example.com', '"x"')]));
    expect(txtOnCname.name).toBe('InvalidChangeBatch');
    expect(txtOnCname.message).toContain("RRSet of type TXT with DNS name www.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.");
  });

  it('validates the request shape with InvalidInput', async () => {
    const noTtl = await errorOf(
      send([{ Action: 'CREATE', ResourceRecordSet: { Name: 'a.example.com', Type: 'TXT', ResourceRecords: [{ Value: '"x"' }] } }]),
    );
    expect(noTtl.name).toBe('InvalidInput');
    const badA = await errorOf(
      send([{ Action: 'CREATE', ResourceRecordSet: { Name: 'a.example.com', Type: 'A', TTL: 1, ResourceRecords: [{ Value: '300.1.1.1' }] } }]),
    );
    expect(badA.name).toBe('InvalidChangeBatch');
    expect(badA.message).toContain('ARRDATAIllegalIPv4Address');
  });

  it('handles wildcard names given as * or \\052', async () => {
    await send([{ Action: 'CREATE', ResourceRecordSet: { Name: '*.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.9' }] } }]);
    const dup = await errorOf(
      send([{ Action: 'CREATE', ResourceRecordSet: { Name: '\\052.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.9' }] } }]),
    );
    expect(dup.message).toContain("[name='\\052.example.com.', type='A'] but it already exists");
    const { records } = await listAll(sb);
    expect(records.some((r) => r.Name === '\\052.example.com.')).toBe(true);
  });
});

describe('route53: change propagation', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await startSandbox({ state: { ...baseState(), settings: {} } });
  });
  afterEach(() => sb.close());

  it('reports PENDING, accepts another batch to the zone while the first is PENDING (as AWS does), then INSYNC after one GetChange', async () => {
    const client = route53Client(sb, { maxAttempts: 1 });
    const send = (c: Change) => client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [c] } }));
    const first = await send(txt('a.example.com', '"1"'));
    expect(first.ChangeInfo?.Status).toBe('PENDING');

    const second = await send(txt('b.example.com', '"2"'));
    expect(second.ChangeInfo?.Status).toBe('PENDING');
    expect(second.ChangeInfo?.Id).not.toBe(first.ChangeInfo?.Id);
    expect(sb.state.route53.hostedZones[0].records.some((r) => r.name === 'b.example.com.')).toBe(true);

    const polled = await client.send(new GetChangeCommand({ Id: first.ChangeInfo?.Id }));
    expect(polled.ChangeInfo?.Status).toBe('INSYNC');
    expect(polled.ChangeInfo?.SubmittedAt).toBeInstanceOf(Date);
    expect((await client.send(new GetChangeCommand({ Id: second.ChangeInfo?.Id }))).ChangeInfo?.Status).toBe('INSYNC');
  });

  it('answers PriorRequestNotComplete only while the previous request to the zone is being processed (changeProcessingMs)', async () => {
    sb.state.settings.route53.changeProcessingMs = 300;
    const client = route53Client(sb, { maxAttempts: 1 });
    const send = (zone: string, c: Change) => client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [c] } }));
    await send(ZONE, txt('a.example.com', '"1"'));
    const blocked = await errorOf(send(ZONE, txt('b.example.com', '"2"')));
    expect(blocked.name).toBe('PriorRequestNotComplete');
    expect(blocked.$metadata?.httpStatusCode).toBe(400);
    expect(sb.state.route53.hostedZones[0].records.some((r) => r.name === 'b.example.com.')).toBe(false);
    // Other zones are not blocked.
    await send('Z0PRIVATE1', txt('x.internal.example.com', '"ok"'));
    // Once processed, the zone takes the next batch although the first change is still PENDING.
    await new Promise((r) => setTimeout(r, 350));
    expect(sb.state.route53.changes[0].status).toBe('PENDING');
    expect((await send(ZONE, txt('b.example.com', '"2"'))).ChangeInfo?.Status).toBe('PENDING');
  });

  it('the SDK retries PriorRequestNotComplete as throttling (3 attempts by default)', async () => {
    sb.state.settings.route53.changeProcessingMs = 60_000;
    const client = route53Client(sb);
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [txt('a.example.com', '"1"')] } }));
    sb.stats.reset();
    const err = await errorOf(client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [txt('b.example.com', '"1"')] } })));
    expect(err.name).toBe('PriorRequestNotComplete');
    expect(err.$metadata?.attempts).toBe(3);
    expect(sb.stats.count('route53', 'ChangeResourceRecordSets')).toBe(3);
  });

  it('takes changeInsyncAfterPolls from the state settings', async () => {
    sb.state.settings.route53.changeInsyncAfterPolls = 3;
    const client = route53Client(sb);
    const res = await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [txt('a.example.com', '"1"')] } }));
    const statuses: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.send(new GetChangeCommand({ Id: res.ChangeInfo?.Id }))).ChangeInfo?.Status);
    expect(statuses).toEqual(['PENDING', 'PENDING', 'INSYNC', 'INSYNC']);
  });

  it('can also become INSYNC by elapsed time (changeInsyncAfterMs)', async () => {
    sb.state.settings.route53.changeInsyncAfterPolls = 1000;
    sb.state.settings.route53.changeInsyncAfterMs = 50;
    const client = route53Client(sb, { maxAttempts: 1 });
    await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [txt('a.example.com', '"1"')] } }));
    await new Promise((r) => setTimeout(r, 80));
    const next = await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: ZONE, ChangeBatch: { Changes: [txt('b.example.com', '"1"')] } }));
    expect(next.ChangeInfo?.Status).toBe('PENDING');
  });
});
